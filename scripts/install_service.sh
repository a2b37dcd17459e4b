#!/usr/bin/env bash
# scripts/install_service.sh — make install-service (root; docs/ops/deploy.md,
# docs/spec/contract.md §15).  Idempotent: every step says "unchanged" when it
# had nothing to do.  Settings (environment, with defaults):
#   PREFIX=/usr/local  AGINGOS_ETC=/etc/agingos  UNITDIR=/etc/systemd/system
#   CLUSTER=agingos  SERVICE_PGPORT=5433  SERVICE_HTTP_PORT=8000
# The extension goes into the Debian PostgreSQL 15 (/usr/lib/postgresql/15).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || die "make install-service needs root"
# the service cluster is reached through its own socket and peer auth, never a caller's PG* settings
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE
PREFIX=${PREFIX:-/usr/local} ETC=${AGINGOS_ETC:-/etc/agingos} UNITDIR=${UNITDIR:-/etc/systemd/system}
CLUSTER=${CLUSTER:-agingos} PORT=${SERVICE_PGPORT:-5433} HPORT=${SERVICE_HTTP_PORT:-8000}
SYS_PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config SYS_PGBIN=/usr/lib/postgresql/15/bin
changed=0
note() { if [ "$2" = 1 ]; then changed=1; say "$1: changed"; else say "$1: unchanged"; fi; }
# put SRC DST MODE [OWNER]: copy when different; echoes 1 if it wrote.
put() {
	if [ -f "$2" ] && cmp -s "$1" "$2" && [ "$(stat -c %a "$2")" = "${3#0}" ]; then echo 0; return; fi
	install -D -m "$3" ${4:+-o "${4%%:*}" -g "${4##*:}"} "$1" "$2" && echo 1
}
cd "$AG_ROOT" || exit 1
make -s PG_CONFIG="$SYS_PG_CONFIG" all programs >/dev/null || die "build failed (run make)"
S=$(mktemp -d /tmp/agingos-svc.XXXXXX); trap 'rm -rf "$S"' EXIT
# 1. extension files into the system PostgreSQL, only the ones that differ
make -s PG_CONFIG="$SYS_PG_CONFIG" DESTDIR="$S/ext" install >/dev/null || die "make install (staging) failed"
c=0; mkdir -p "$ETC"
(cd "$S/ext" && find . -type f | sed 's|^\.||') | sort >"$S/ext.list"
while read -r f; do [ "$(put "$S/ext$f" "$f" 644)" = 1 ] && c=1; done <"$S/ext.list"
note "extension files ($(wc -l <"$S/ext.list"))" $c
# 2. programs under PREFIX
c=0; : >"$S/bin.list"
for p in agingos-http agingos-sim agingos-notify; do
	[ -x "bin/$p" ] || continue
	[ "$(put "bin/$p" "$PREFIX/bin/$p" 755)" = 1 ] && c=1; echo "$PREFIX/bin/$p" >>"$S/bin.list"
done
[ "$(put scripts/agingos-status "$PREFIX/bin/agingos-status" 755)" = 1 ] && c=1; echo "$PREFIX/bin/agingos-status" >>"$S/bin.list"
note "programs in $PREFIX/bin" $c
# 3. system user agingos
if id agingos >/dev/null 2>&1; then note "user agingos" 0
else useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin agingos
	mkdir -p "$ETC" && echo "created by make install-service" >"$ETC/user-created"; note "user agingos" 1; fi
# 4. cluster 15/$CLUSTER (Debian-managed), settings in its conf.d/
CONF=/etc/postgresql/15/$CLUSTER
if [ -d "$CONF" ]; then note "cluster 15/$CLUSTER" 0
else
	pg_createcluster 15 "$CLUSTER" --port "$PORT" --locale C.UTF-8 --encoding UTF8 -- \
		--auth-local=peer --auth-host=scram-sha-256 >/dev/null || die "pg_createcluster failed"
	note "cluster 15/$CLUSTER" 1
fi
svc_conf() { # svc_conf PRELOAD
	cat <<CONF
# written by make install-service (agingos); rewritten on every install
listen_addresses = '127.0.0.1'
shared_preload_libraries = $1
cron.database_name = 'agingos'
cron.use_background_workers = on
max_worker_processes = 16
cron.log_statement = off
cron.log_run = on
password_encryption = 'scram-sha-256'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
# never log statement text: a failed SQL call may carry an event payload (docs/spec/contract.md §5)
log_min_error_statement = panic
CONF
}
pgsql() { (cd / && runuser -u postgres -- "$SYS_PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$PORT" "$@"); }
running() { pg_lsclusters -h 15 "$CLUSTER" 2>/dev/null | awk '{print $4}' | grep -q online; }
if [ ! -f "$CONF/conf.d/agingos.conf" ]; then
	svc_conf "''" >"$CONF/conf.d/agingos.conf"; chown postgres:postgres "$CONF/conf.d/agingos.conf"
fi
running || pg_ctlcluster 15 "$CLUSTER" start || die "cluster 15/$CLUSTER did not start"
if pgsql -tA -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'agingos'" | grep -q 1; then note "database agingos" 0
else pgsql -d postgres -c "CREATE DATABASE agingos" && note "database agingos" 1; fi
svc_conf "'pg_cron'" >"$S/agingos.conf"
if [ "$(put "$S/agingos.conf" "$CONF/conf.d/agingos.conf" 644 postgres:postgres)" = 1 ]; then
	pg_ctlcluster 15 "$CLUSTER" restart || die "cluster 15/$CLUSTER did not restart"; note "cluster settings (conf.d/agingos.conf)" 1
else note "cluster settings (conf.d/agingos.conf)" 0; fi
# 5. extensions, roles with generated passwords
out=$(pgsql -tA -d agingos <<'SQL'
SET client_min_messages = warning;
ALTER DATABASE agingos SET search_path = agingos, public;
SELECT count(*) FROM pg_extension WHERE extname IN ('pg_cron', 'agingos');
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE SCHEMA IF NOT EXISTS partman;
CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman;
CREATE EXTENSION IF NOT EXISTS agingos;
SELECT CASE WHEN e.extversion = a.default_version THEN 'same' ELSE 'update' END
FROM pg_extension e JOIN pg_available_extensions a ON a.name = e.extname WHERE e.extname = 'agingos';
SQL
) || die "extensions failed"
[ "$(echo "$out" | sed -n 1p)" = 2 ] && note "extensions pg_cron, agingos" 0 || note "extensions pg_cron, agingos" 1
if [ "$(echo "$out" | sed -n 2p)" = update ]; then pgsql -d agingos -c "ALTER EXTENSION agingos UPDATE"; note "extension update" 1; fi
# the day partitions of agingos.events around today (then hourly by pg_cron; docs/scale.md)
pgsql -tA -d agingos -c "SELECT agingos.agingos_partition_maintenance()" >/dev/null || die "partition maintenance failed"
for r in http notify; do
	f="$ETC/$r.env" role=agingos_$r
	if [ -f "$f" ] && pgsql -tA -d agingos -v role="$role" <<<"SELECT 1 FROM pg_roles WHERE rolname = :'role'" | grep -q 1; then note "role $role" 0; continue; fi
	pw=$(openssl rand -hex 24)
	printf '# written by make install-service: the %s role (root only)\nAGINGOS_PGUSER=%s\nPGPASSWORD=%s\n' "$role" "$role" "$pw" >"$S/$r.env"
	install -m 600 -o root -g root "$S/$r.env" "$f"
	pgsql -d agingos -v role="$role" -v pw="$pw" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE IN ROLE agingos_api', :'role')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'pw') \gexec
SQL
	note "role $role (password in $f)" 1
done
# 6. shared settings for both units (no secrets)
cat >"$S/agingos.env" <<ENV
# /etc/agingos/agingos.env — settings of agingos-http and agingos-notify (docs/ops/deploy.md)
AGINGOS_HTTP_HOST=127.0.0.1
AGINGOS_HTTP_PORT=$HPORT
AGINGOS_PGHOST=127.0.0.1
AGINGOS_PGPORT=$PORT
AGINGOS_PGDATABASE=agingos
# behind a reverse proxy (config/proxy/): the public https address and the proxy's address
#AGINGOS_PUBLIC_URL=https://agingos.example.org
#AGINGOS_TRUSTED_PROXIES=127.0.0.1
ENV
if [ -f "$ETC/agingos.env" ]; then note "$ETC/agingos.env (kept: edited by the operator)" 0
else install -m 640 -o root -g agingos "$S/agingos.env" "$ETC/agingos.env"; note "$ETC/agingos.env" 1; fi
# 7. config and scheduler
cur=$(pgsql -tA -d agingos -c "SELECT source FROM agingos.config ORDER BY version DESC LIMIT 1")
if [ "$cur" = "$(cat config/rules.yaml)" ]; then note "config/rules.yaml" 0
else echo "SELECT agingos.agingos_load_config(:'cfg') IS NOT NULL" | pgsql -tA -d agingos -v cfg="$(cat config/rules.yaml)" >/dev/null ||
	die "config/rules.yaml was rejected (see the error above)"; note "config/rules.yaml" 1; fi
if pgsql -tA -d agingos -c "SELECT 1 FROM cron.job WHERE jobname = 'agingos-scheduler' AND schedule = agingos.agingos_cron_expression((agingos.agingos_config() -> 'scheduler' ->> 'interval_minutes')::int)" | grep -q 1; then note "pg_cron job agingos-scheduler" 0
else pgsql -tA -d agingos -c "SELECT agingos.agingos_schedule()" >/dev/null; note "pg_cron job agingos-scheduler" 1; fi
# 8. units, rendered for PREFIX / ETC / CLUSTER
c=0
for u in config/systemd/*.service; do
	sed -e "s|/usr/local/bin/|$PREFIX/bin/|g" -e "s|/etc/agingos/|$ETC/|g" -e "s|postgresql@15-agingos.service|postgresql@15-$CLUSTER.service|g" "$u" >"$S/$(basename "$u")"
	[ "$(put "$S/$(basename "$u")" "$UNITDIR/$(basename "$u")" 644)" = 1 ] && c=1
	echo "$UNITDIR/$(basename "$u")" >>"$S/bin.list"
done
note "units in $UNITDIR" $c
printf 'PREFIX=%s\nUNITDIR=%s\nCLUSTER=%s\nPGPORT=%s\nHTTP_PORT=%s\n' "$PREFIX" "$UNITDIR" "$CLUSTER" "$PORT" "$HPORT" >"$S/service.conf"
cat "$S/ext.list" "$S/bin.list" >"$S/manifest"
put "$S/service.conf" "$ETC/service.conf" 644 >/dev/null; put "$S/manifest" "$ETC/manifest" 644 >/dev/null
if [ "$(cat /proc/1/comm)" = systemd ] && [ "$UNITDIR" = /etc/systemd/system ]; then
	systemctl daemon-reload && systemctl enable --now agingos-http.service agingos-notify.service
	[ "$c" = 1 ] && systemctl restart agingos-http.service agingos-notify.service
else say "systemd is not PID 1 (or UNITDIR is not /etc/systemd/system): units installed, not started"; fi
if [ "$changed" = 0 ]; then say "install-service: nothing changed"; else say "install-service: done (cluster 15/$CLUSTER on 127.0.0.1:$PORT, front on 127.0.0.1:$HPORT)"; fi
