#!/usr/bin/env bash
# scripts/lib.sh — shared helpers of the make targets (sourced, not run).
# Cluster layout (contract.md section 1): one cluster per checkout under .run/:
#   .run/data  data directory      .run/log/postgres.log  server log
#   .run/sock  unix socket dir     .run/log/http.log      agingos-http log
#   .run/http.pid                  pid of agingos-http
set -o pipefail

AG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_CONFIG=${PG_CONFIG:-$PGBIN/pg_config}
export LC_ALL=C.UTF-8 LANG=C.UTF-8

AGINGOS_PGPORT=${AGINGOS_PGPORT:-5432}
AGINGOS_HTTP_PORT=${AGINGOS_HTTP_PORT:-8000}
# AGINGOS_AUTH_MODE stays empty unless given: the mode lives in the database
# (contract.md section 12) and make up changes it only when it is given.
AGINGOS_AUTH_MODE=${AGINGOS_AUTH_MODE:-}
AGINGOS_CONFIG=${AGINGOS_CONFIG:-config/rules.yaml}
# the run directory of make up/down/psql/logs/sim (tests point it elsewhere)
AGINGOS_RUN_DIR=${AGINGOS_RUN_DIR:-$AG_ROOT/.run}
SCHEDULER_ENABLED=${SCHEDULER_ENABLED:-1}

say() { printf 'agingos: %s\n' "$*" >&2; }
die() { printf 'agingos: error: %s\n' "$*" >&2; exit 1; }

# as_root CMD…: run CMD as root (directly, or through sudo for a normal user).
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"
	elif command -v sudo >/dev/null 2>&1; then sudo "$@"
	else die "this step needs root: run as root or install sudo ($*)"
	fi
}

# as_pg CMD…: run CMD as the cluster owner. initdb/pg_ctl refuse root, so
# root uses the postgres account; a normal user owns their own cluster.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then (cd / && /usr/sbin/runuser -u postgres -- "$@")
	else "$@"
	fi
}

# Ownership of a run directory (docs/security.md "Machine and operations"):
#   DIR/              the make user (root)      0755  pid files, secrets, logs
#   DIR/data          postgres (cluster owner)  0700  initdb
#   DIR/sock          postgres, group $AGINGOS_RUN_USER 0750  the socket; only root,
#                     postgres and the service user reach it
#   DIR/log           the make user             0755  http.log is opened by root
#   DIR/log/postgres.log  postgres (a file in a root directory: postgres can
#                     append to it but cannot swap it for a symlink)
#   DIR/secrets       the make user             0700  database passwords, pgpass
#   DIR/http.pid      the make user             0644
# As a normal user everything belongs to that user and the socket dir is 0700.
AGINGOS_RUN_USER=${AGINGOS_RUN_USER:-agingos}

# svc_user_ensure: when root, the unprivileged system user (and group)
# AGINGOS_RUN_USER the programs drop to; created once (several checkouts on
# one machine may race: useradd is retried).
svc_user_ensure() {
	[ "$(id -u)" -eq 0 ] || return 0
	local i
	for i in $(seq 1 30); do
		getent passwd "$AGINGOS_RUN_USER" >/dev/null && getent group "$AGINGOS_RUN_USER" >/dev/null && return 0
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin --comment "agingos programs" "$AGINGOS_RUN_USER" 2>/dev/null
		sleep 0.2
	done
	die "could not create the system user '$AGINGOS_RUN_USER' (useradd); create it or set AGINGOS_RUN_USER to an existing unprivileged user"
}

# safe_dir PATH OWNER:GROUP MODE: PATH is a real directory (never a symlink)
# with that owner and mode; OWNER is ignored for a normal user.
safe_dir() {
	local p=$1 own=$2 mode=$3
	[ -L "$p" ] && die "$p is a symlink; refusing to use it (remove it and run again)"
	mkdir -p "$p" || die "cannot create $p"
	[ "$(id -u)" -eq 0 ] && chown -h "$own" "$p"
	chmod "$mode" "$p"
}

# run_prepare DIR: create or repair the layout above (also fixes a .run of
# an older checkout where everything belonged to postgres).
run_prepare() {
	local d=$1 me=root:root f
	[ "$(id -u)" -eq 0 ] || me=$(id -un):$(id -gn)
	svc_user_ensure
	safe_dir "$d" "$me" 0755
	safe_dir "$d/log" "$me" 0755
	safe_dir "$d/secrets" "$me" 0700
	for f in "$d/http.pid" "$d/notify.pid" "$d/log/http.log" "$d/log/notify.log"; do
		if [ -L "$f" ]; then rm -f "$f"
		elif [ -e "$f" ] && [ "$(id -u)" -eq 0 ]; then chown -h root:root "$f"; fi
	done
	if [ "$(id -u)" -eq 0 ]; then
		safe_dir "$d/sock" "postgres:$AGINGOS_RUN_USER" 0750
		if [ ! -d "$d/data" ]; then safe_dir "$d/data" postgres:postgres 0700; fi
		[ -L "$d/log/postgres.log" ] && rm -f "$d/log/postgres.log"
		(set -C; : >"$d/log/postgres.log") 2>/dev/null
		chown -h postgres:postgres "$d/log/postgres.log"; chmod 0640 "$d/log/postgres.log"
	else
		safe_dir "$d/sock" "$me" 0700
		[ -d "$d/data" ] || safe_dir "$d/data" "$me" 0700
	fi
}

# run_dir: .run/ of this checkout (prepared by run_prepare); when root and
# the checkout is not readable by postgres (e.g. under /root), .run is a
# symlink to a root-owned directory under /var/tmp.  AGINGOS_RUN_DIR moves it (a directory of the caller's choice, e.g. a test's).
run_dir() {
	local d="${AGINGOS_RUN_DIR:-$AG_ROOT/.run}"
	if [ ! -e "$d" ]; then
		if [ "$(id -u)" -eq 0 ] && ! /usr/sbin/runuser -u postgres -- test -r "$AG_ROOT/Makefile" 2>/dev/null; then
			local alt="/var/tmp/agingos-run-$(printf '%s' "$AG_ROOT" | md5sum | cut -c1-12)"
			[ -L "$alt" ] && die "$alt is a symlink; refusing to use it"
			mkdir -p "$alt" && chown root:root "$alt" && ln -s "$alt" "$d"
		else
			mkdir -p "$d"
		fi
	fi
	d=$(readlink -f "$d")
	run_prepare "$d"
	echo "$d"
}

# pid_write FILE PID: write a pid file without following a planted symlink.
pid_write() {
	rm -f "$1" && (set -C; echo "$2" >"$1") || die "cannot write pid file $1"
}

# pid_read FILE NAME: the pid in FILE if it is a running process whose
# command is NAME (a stale or forged pid file names some other process:
# nothing is killed then); empty otherwise.
pid_read() {
	local f=$1 name=$2 pid cmd
	[ -f "$f" ] && [ ! -L "$f" ] || return 0
	pid=$(head -c 32 "$f" | tr -dc 0-9)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -d' ' -f1)
	[ "$(basename "$cmd")" = "$name" ] && echo "$pid"
	return 0
}

# port_busy PORT: whether something listens on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pg_init DATA: initdb with owner role agingos, UTF-8; never trust (peer on
# the socket, scram-sha-256 over TCP; pg_conf writes the real pg_hba.conf
# before the first start).
pg_init() {
	local data=$1
	[ -f "$data/PG_VERSION" ] && return 0
	as_pg "$PGBIN/initdb" -D "$data" -U agingos --auth-local=peer --auth-host=scram-sha-256 \
		--locale=C.UTF-8 -E UTF8 >/dev/null || die "initdb failed for $data"
}

# The database roles the local socket admits by peer authentication, and
# which operating-system users may use them (pg_ident.conf map "agingos"):
# root, postgres and the checkout's owner may be agingos (the owner role);
# the service user AGINGOS_RUN_USER may be only the programs' roles.  Any
# other role on the socket, and every role over TCP, needs its password
# (scram-sha-256; the passwords are in DIR/secrets/, mode 0600).
AG_PEER_ROLES="agingos agingos_http agingos_notify"
AG_PROGRAM_ROLES="agingos_http agingos_notify"

# pg_auth_files DATA: write pg_hba.conf and pg_ident.conf (no trust anywhere).
pg_auth_files() {
	local data=$1 u r owner
	{
		echo "# written by scripts/lib.sh (agingos); edits are overwritten by make up/test"
		echo "# TYPE  DATABASE  USER  ADDRESS  METHOD"
		echo "local   all  $(echo $AG_PEER_ROLES | tr ' ' ,)  peer map=agingos"
		echo "local   all  all                  scram-sha-256"
		echo "host    all  all  127.0.0.1/32    scram-sha-256"
		echo "host    all  all  ::1/128         scram-sha-256"
	} | as_pg tee "$data/pg_hba.conf" >/dev/null
	{
		echo "# written by scripts/lib.sh (agingos): OS user -> database roles it may use"
		echo "# MAPNAME  SYSTEM-USERNAME  PG-USERNAME"
		if [ "$(id -u)" -eq 0 ]; then
			for r in $AG_PEER_ROLES; do echo "agingos  root  $r"; done
			echo "agingos  postgres  agingos"
			owner=$(stat -c %U "$AG_ROOT")
			[ "$owner" != root ] && [ "$owner" != UNKNOWN ] && echo "agingos  $owner  agingos"
			for r in $AG_PROGRAM_ROLES; do echo "agingos  $AGINGOS_RUN_USER  $r"; done
		else
			u=$(id -un)
			for r in $AG_PEER_ROLES; do echo "agingos  $u  $r"; done
		fi
	} | as_pg tee "$data/pg_ident.conf" >/dev/null
}

# pg_conf DATA PORT SOCKDIR [PRELOAD]: the settings agingos needs (pg_cron
# preloaded unless PRELOAD is "no": the very first start creates the
# database before pg_cron's launcher looks for it), pg_hba.conf and
# pg_ident.conf.  pg_cron runs its jobs in background workers: a job that
# connected over 127.0.0.1 would need a password (docs/security.md).
pg_conf() {
	local data=$1 port=$2 sock=$3 preload=${4:-yes} spl="'pg_cron'"
	[ "$preload" = no ] && spl="''"
	as_pg tee "$data/conf.d-agingos.conf" >/dev/null <<CONF
# written by scripts/lib.sh (agingos); edits are overwritten by make up/test
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock'
password_encryption = 'scram-sha-256'
shared_preload_libraries = $spl
cron.database_name = 'agingos'
cron.log_statement = off
cron.log_run = on
cron.use_background_workers = on
cron.max_running_jobs = 4
max_worker_processes = 16
max_connections = 100
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
# never log statement text: a failed SQL call may carry an event payload (contract 5, 9)
log_min_error_statement = panic
CONF
	grep -q "conf.d-agingos.conf" "$data/postgresql.conf" ||
		echo "include_if_exists = 'conf.d-agingos.conf'" | as_pg tee -a "$data/postgresql.conf" >/dev/null
	pg_auth_files "$data"
}

# pg_start DATA PORT LOG: start the cluster unless it runs; fail clearly if
# another process holds the port.
pg_start() {
	local data=$1 port=$2 log=$3
	if as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then return 0; fi
	if port_busy "$port"; then
		die "port $port on 127.0.0.1 is used by another process; set AGINGOS_PGPORT to a free port (e.g. AGINGOS_PGPORT=55440 make up, and the same for make psql/down)"
	fi
	as_pg "$PGBIN/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null ||
		die "PostgreSQL did not start; see $log"
}

# pg_ready DATA PORT SOCK LOG: initdb if needed, configure, start.  A new
# cluster first starts without pg_cron, gets its agingos database, then
# restarts with pg_cron preloaded, so the launcher never logs a FATAL for a
# missing database.
pg_ready() {
	local data=$1 port=$2 sock=$3 log=$4
	if [ ! -f "$data/PG_VERSION" ]; then
		pg_init "$data"
		pg_conf "$data" "$port" "$sock" no
		pg_start "$data" "$port" "$log"
		psql_at "$sock" "$port" postgres -c "CREATE DATABASE agingos OWNER agingos" >/dev/null
		pg_stop "$data"
	fi
	pg_conf "$data" "$port" "$sock"
	if as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		# a cluster started by an older make up: new pg_hba.conf now, and a
		# restart when pg_cron still connects over TCP
		as_pg "$PGBIN/pg_ctl" -D "$data" reload >/dev/null
		if [ "$(psql_at "$sock" "$port" postgres -tA -c "SELECT current_setting('cron.use_background_workers', true)" 2>/dev/null)" != on ]; then
			say "restarting PostgreSQL for the new settings (pg_cron background workers)"
			pg_stop "$data"
		fi
	fi
	pg_start "$data" "$port" "$log"
}

# pg_stop DATA: fast shutdown if running.
pg_stop() {
	local data=$1
	as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1 || return 0
	as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
}

# psql_at SOCK PORT DB ARGS…: psql as agingos, stop on first error.
psql_at() {
	local sock=$1 port=$2 db=$3; shift 3
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U agingos -d "$db" "$@"
}

# db_setup SOCK PORT: database agingos, extensions, roles (idempotent).
db_setup() {
	local sock=$1 port=$2
	psql_at "$sock" "$port" postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = 'agingos'" | grep -q 1 ||
		psql_at "$sock" "$port" postgres -c "CREATE DATABASE agingos OWNER agingos"
	psql_at "$sock" "$port" agingos <<'SQL'
SET client_min_messages = warning;
ALTER DATABASE agingos SET search_path = agingos, public;
CREATE EXTENSION IF NOT EXISTS pg_cron;
-- pg_partman makes the day partitions of agingos.events, in its schema partman (docs/scale.md)
CREATE SCHEMA IF NOT EXISTS partman;
CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman;
CREATE EXTENSION IF NOT EXISTS agingos;
-- a cluster made by an earlier release gets this release's schema (a no-op when current)
ALTER EXTENSION agingos UPDATE;
-- the day partitions around today, at once rather than at the next hourly job
DO $$ BEGIN PERFORM agingos.agingos_partition_maintenance(); END $$;
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'agingos_http') THEN
		CREATE ROLE agingos_http LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE IN ROLE agingos_api;
	END IF;
	-- agingos-notify's login role: may only run the relay functions (docs/notifications.md)
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'agingos_notify')
	   AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'agingos_relay') THEN
		CREATE ROLE agingos_notify LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE IN ROLE agingos_relay;
	END IF;
END
$$;
SQL
	db_passwords "$sock" "$port"
}

# secret_file FILE: print the secret in FILE, creating it (random, mode 0600,
# owned by whoever runs make) when missing.  Rotate a secret by removing
# its file and running make up again (docs/security.md).
secret_file() {
	local f=$1
	[ -L "$f" ] && die "$f is a symlink; refusing to use it"
	if [ ! -s "$f" ]; then
		(umask 077; rm -f "$f"; set -C; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$f") ||
			die "cannot write secret $f"
	fi
	chmod 0600 "$f"
	cat "$f"
}

# db_passwords SOCK PORT: the passwords of the login roles agingos and
# agingos_http (needed over TCP only; the socket uses peer) from
# DIR/secrets/<role>.password, plus DIR/secrets/pgpass for libpq clients
# (PGPASSFILE).  DIR is the socket directory's parent; skipped when that has
# no secrets/ directory (e.g. a longrun against someone else's cluster).
db_passwords() {
	local sock=$1 port=$2 dir r pw
	dir="$(dirname "$sock")/secrets"
	[ -d "$dir" ] && [ -w "$dir" ] || return 0
	(umask 077; rm -f "$dir/pgpass.new"; : >"$dir/pgpass.new")
	for r in agingos agingos_http; do
		pw=$(secret_file "$dir/$r.password")
		echo "ALTER ROLE $r PASSWORD :'pw'" | psql_at "$sock" "$port" agingos -v pw="$pw" >/dev/null ||
			die "could not set the password of role $r"
		printf '127.0.0.1:%s:*:%s:%s\nlocalhost:%s:*:%s:%s\n' "$port" "$r" "$pw" "$port" "$r" "$pw" >>"$dir/pgpass.new"
	done
	mv -f "$dir/pgpass.new" "$dir/pgpass"
}

# check_api_key: refuse an AGINGOS_API_KEY that is too weak, before anything
# is started (contract.md section 12; docs/security.md).
check_api_key() {
	[ -z "${AGINGOS_API_KEY:-}" ] && return 0
	local n=${#AGINGOS_API_KEY}
	[ "$n" -ge 24 ] || die "AGINGOS_API_KEY has $n characters; a key needs at least 24 (e.g. AGINGOS_API_KEY=\$(openssl rand -hex 32)); nothing was changed"
	[ "$n" -le 512 ] || die "AGINGOS_API_KEY has $n characters; at most 512 are allowed"
	case "$AGINGOS_API_KEY" in *[[:space:][:cntrl:]]*) die "AGINGOS_API_KEY must not contain spaces or control characters";; esac
	return 0
}

# db_auth_mode SOCK PORT: the stored auth mode ("" when the row is missing).
db_auth_mode() {
	psql_at "$1" "$2" agingos -tA -c "SELECT value FROM agingos.settings WHERE name = 'auth_mode'" 2>/dev/null
}

# db_auth SOCK PORT: apply AGINGOS_AUTH_MODE only when it is given (a fresh
# cluster starts in none), then register AGINGOS_API_KEY for home default,
# role admin.  The key goes to psql through the environment (\getenv),
# never on a command line that ps shows to every local user.
db_auth() {
	local sock=$1 port=$2 mode
	if [ -n "$AGINGOS_AUTH_MODE" ]; then
		case "$AGINGOS_AUTH_MODE" in none|api_key) ;; *) die "AGINGOS_AUTH_MODE must be none or api_key, not '$AGINGOS_AUTH_MODE'";; esac
		echo "INSERT INTO agingos.settings (name, value) VALUES ('auth_mode', :'mode')
		      ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value" |
			psql_at "$sock" "$port" agingos -v mode="$AGINGOS_AUTH_MODE"
	fi
	mode=$(db_auth_mode "$sock" "$port")
	case "$mode" in
		none|api_key) ;;
		*) say "warning: the stored auth mode is '$mode', neither none nor api_key: every route but GET /health answers 401 until AGINGOS_AUTH_MODE=none|api_key make up sets it" ;;
	esac
	if [ -n "${AGINGOS_API_KEY:-}" ]; then
		check_api_key
		AG_KEY_IN="$AGINGOS_API_KEY" psql_at "$sock" "$port" agingos -tA <<'SQL' >/dev/null || die "could not register AGINGOS_API_KEY"
\getenv key AG_KEY_IN
SELECT agingos.agingos_register_api_key(:'key', ARRAY['default'], 'admin', 'make up AGINGOS_API_KEY');
SQL
		[ "$mode" = api_key ] || say "note: AGINGOS_API_KEY is registered, but auth mode is '$mode' (AGINGOS_AUTH_MODE=api_key turns keys on)"
	fi
}

# db_has_function SOCK PORT NAME: whether agingos.NAME exists.
db_has_function() {
	psql_at "$1" "$2" agingos -tA -v name="$3" <<<"SELECT 1 FROM pg_proc WHERE proname = :'name' AND pronamespace = 'agingos'::regnamespace LIMIT 1" | grep -q 1
}

# db_load_config SOCK PORT FILE: agingos_load_config(file's text).
db_load_config() {
	local sock=$1 port=$2 file=$3
	[ -f "$file" ] || die "config file '$file' not found (AGINGOS_CONFIG)"
	db_has_function "$sock" "$port" agingos_load_config || { say "config loader not built; skipping $file"; return 0; }
	echo "SELECT agingos.agingos_load_config(:'cfg') IS NOT NULL" |
		psql_at "$sock" "$port" agingos -tA -v cfg="$(cat "$file")" >/dev/null ||
		die "config $file was rejected (see the error above); the previous config stays active"
	say "loaded config $file"
}

# db_load_config_changed SOCK PORT FILE: as db_load_config, but when the file's
# text and the effective configuration it gives are those of the active version
# the load is rolled back (no new version row): make up on a running system
# keeps its config version.  A changed text, or the same text giving other
# effective values (a new release's defaults), is loaded as a new version.
db_load_config_changed() {
	local sock=$1 port=$2 file=$3 out
	[ -f "$file" ] || die "config file '$file' not found (AGINGOS_CONFIG)"
	db_has_function "$sock" "$port" agingos_load_config || { say "config loader not built; skipping $file"; return 0; }
	out=$(psql_at "$sock" "$port" agingos -tA -v ON_ERROR_STOP=1 -v cfg="$(cat "$file")" <<'SQL'
BEGIN;
SELECT coalesce((SELECT c.source = :'cfg' FROM agingos.config c ORDER BY c.version DESC LIMIT 1), false) AS same_text,
       coalesce((SELECT c.version FROM agingos.config c ORDER BY c.version DESC LIMIT 1), 0) AS active_version,
       coalesce((SELECT c.effective::text FROM agingos.config c ORDER BY c.version DESC LIMIT 1), '') AS active_effective \gset
SELECT agingos.agingos_load_config(:'cfg') AS new_effective \gset
SELECT coalesce(:'same_text'::boolean AND :'new_effective'::jsonb = nullif(:'active_effective', '')::jsonb, false) AS same \gset
\if :same
ROLLBACK;
\echo unchanged :active_version
\else
COMMIT;
\echo loaded
\endif
SQL
) || die "config $file was rejected (see the error above); the previous config stays active"
	case "$out" in
	unchanged*) say "config $file unchanged (active version ${out#unchanged })" ;;
	*) say "loaded config $file" ;;
	esac
}

# http_pid RUNDIR: prints the pid of RUNDIR/http.pid and succeeds only if it
# is a live agingos-http of this checkout: the pid file is no symlink, the
# process is not gone, not a zombie (kill -0 passes for one), not a reused
# pid now held by another program.  Works for a front that dropped to
# AGINGOS_RUN_USER (its /proc entries stay readable).
http_pid() {
	local f="$1/http.pid" pid state
	[ -f "$f" ] && [ ! -L "$f" ] || return 1
	pid=$(head -c 32 "$f" | tr -dc 0-9)
	[ -n "$pid" ] || return 1
	state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
	case "$state" in "" | Z | X | x) return 1 ;; esac
	[ "$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -1)" = "$AG_ROOT/bin/agingos-http" ] || return 1
	echo "$pid"
}

# http_health PORT [TRIES]: whether GET /health answers 200 (TRIES × 0.1 s, default 1).
http_health() {
	local i
	for i in $(seq 1 "${2:-1}"); do
		curl -fsS --max-time 2 "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0
		[ "$i" -lt "${2:-1}" ] && sleep 0.1
	done
	return 1
}

# http_start RUNDIR PGSOCK PGPORT HTTPPORT: start agingos-http, wait for
# /health 200.  A front already running is kept only if http.pid names a
# live agingos-http of this checkout (http_pid) and /health answers on PORT;
# a stale pid file (front killed, zombie, pid reused) is dropped and a front
# that does not answer is stopped, then a new one starts.  As root the front
# runs as the unprivileged AGINGOS_RUN_USER (setpriv; it reaches the socket
# through the socket directory's group and logs in as agingos_http by peer
# authentication); root opens the log and writes the pid file, both in
# root's directories.
http_start() {
	local run=$1 sock=$2 pgport=$3 port=$4 pid
	local -a drop=()
	if pid=$(http_pid "$run"); then
		http_health "$port" 30 && return 0
		say "agingos-http (pid $pid) does not answer /health on port $port; restarting it"
		http_stop "$run"
	elif [ -e "$run/http.pid" ] || [ -L "$run/http.pid" ]; then
		say "agingos-http of $run/http.pid (pid $(head -c 32 "$run/http.pid" 2>/dev/null | tr -dc 0-9)) is not running; starting it"
		rm -f "$run/http.pid"
	fi
	port_busy "$port" && die "port $port on 127.0.0.1 is used by another process; set AGINGOS_HTTP_PORT to a free port"
	if [ "$(id -u)" -eq 0 ]; then
		svc_user_ensure
		/usr/sbin/runuser -u "$AGINGOS_RUN_USER" -- test -x "$AG_ROOT/bin/agingos-http" ||
			die "user $AGINGOS_RUN_USER cannot run $AG_ROOT/bin/agingos-http (a parent directory not traversable?); move the checkout or set AGINGOS_RUN_USER"
		drop=(setpriv --reuid="$AGINGOS_RUN_USER" --regid="$AGINGOS_RUN_USER" --init-groups --no-new-privs --inh-caps=-all --)
	fi
	[ -L "$run/log/http.log" ] && rm -f "$run/log/http.log"
	(cd / && AGINGOS_HTTP_PORT=$port AGINGOS_PGHOST=$sock AGINGOS_PGPORT=$pgport AGINGOS_PGUSER=agingos_http \
		AGINGOS_PGDATABASE=agingos exec nohup "${drop[@]}" "$AG_ROOT/bin/agingos-http") >>"$run/log/http.log" 2>&1 &
	pid=$!
	pid_write "$run/http.pid" "$pid"
	for _ in $(seq 1 100); do
		http_health "$port" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	die "agingos-http did not answer /health within 10 s; see $run/log/http.log"
}

# http_stop RUNDIR: stop agingos-http if running (only a pid that http_pid
# confirms is signalled: a reused pid belongs to someone else).
http_stop() {
	local run=$1 pid
	[ -e "$run/http.pid" ] || [ -L "$run/http.pid" ] || return 0
	if pid=$(http_pid "$run"); then
		kill "$pid"
		# gone or a zombie (nobody may reap it) counts as stopped
		for _ in $(seq 1 50); do http_pid "$run" >/dev/null || break; sleep 0.1; done
	fi
	rm -f "$run/http.pid"
}

# db_backup SOCK PORT OUT: a backup in directory OUT (mode 0700):
# roles.sql (pg_dumpall --roles-only: roles, memberships, password hashes)
# and agingos.dump (pg_dump -Fc of database agingos, with every extension
# table and sequence, the settings and the pg_cron job).  Secrets files are
# not in it (docs/security.md "Backup and restore").
db_backup() {
	local sock=$1 port=$2 out=$3
	[ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ] && die "backup directory $out exists and is not empty"
	(umask 077; mkdir -p "$out") || die "cannot create $out"
	chmod 0700 "$out"
	(umask 077
	 "$PGBIN/pg_dumpall" -h "$sock" -p "$port" -U agingos --roles-only >"$out/roles.sql" &&
	 "$PGBIN/pg_dump" -h "$sock" -p "$port" -U agingos -d agingos -Fc -f "$out/agingos.dump") ||
		die "backup failed (see the error above); $out is incomplete"
	{
		echo "agingos backup $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "extension $(psql_at "$sock" "$port" agingos -tA -c "SELECT extversion FROM pg_extension WHERE extname = 'agingos'")"
		echo "server $("$PGBIN/pg_dump" --version)"
	} >"$out/MANIFEST"
	say "backup written to $out (roles.sql, agingos.dump; keep it as private as the database)"
}

# db_restore SOCK PORT IN [FORCE]: restore a db_backup into the cluster at
# SOCK/PORT: the roles (existing ones are updated, not re-created), then
# database agingos re-created from the dump (pg_restore --create).  An
# existing database agingos with events is replaced only when FORCE is 1.
# Afterwards the passwords of agingos/agingos_http are set again from this
# cluster's secrets/ files (the dump carries the old cluster's hashes).
db_restore() {
	local sock=$1 port=$2 in=$3 force=${4:-0} n err list
	[ -f "$in/roles.sql" ] && [ -f "$in/agingos.dump" ] || die "$in is not a backup (roles.sql and agingos.dump expected)"
	n=$(psql_at "$sock" "$port" postgres -tA -c "SELECT count(*) FROM pg_database WHERE datname = 'agingos'")
	if [ "$n" = 1 ] && [ "$force" != 1 ]; then
		n=0
		[ "$(psql_at "$sock" "$port" agingos -tA -c "SELECT to_regclass('agingos.events') IS NOT NULL")" = t ] &&
			n=$(psql_at "$sock" "$port" agingos -tA -c "SELECT count(*) FROM agingos.events")
		[ "$n" = 0 ] || die "database agingos has $n events; restore replaces it: give RESTORE_FORCE=1 to do so"
	fi
	# CREATE ROLE x; -> create only when missing (the owner role agingos always exists)
	err=$(sed -E 's/^CREATE ROLE ([^;]+);$/DO $ag$ BEGIN CREATE ROLE \1; EXCEPTION WHEN duplicate_object THEN NULL; END $ag$;/' "$in/roles.sql" |
		psql_at "$sock" "$port" postgres -v ON_ERROR_STOP=1 2>&1 >/dev/null) || { echo "$err" >&2; die "restoring the roles failed"; }
	psql_at "$sock" "$port" postgres -c "DROP DATABASE IF EXISTS agingos WITH (FORCE)" >/dev/null ||
		die "could not drop database agingos"
	# The day partitions of agingos.events (docs/scale.md) are dumped as tables
	# of their own; ATTACH PARTITION onto the extension's parent, which has its
	# indexes already, makes their indexes and primary key, so the dump's
	# copies of those (and their INDEX ATTACH) are left out.
	list=$(mktemp) || die "mktemp failed"
	"$PGBIN/pg_restore" -l "$in/agingos.dump" |
		sed -E 's/^([0-9]+; [0-9]+ [0-9]+ (CONSTRAINT|INDEX|INDEX ATTACH) agingos events_p[0-9]{4}_[0-9]{2}_[0-9]{2}[ _])/;\1/' >"$list" ||
		{ rm -f "$list"; die "pg_restore could not list $in/agingos.dump"; }
	"$PGBIN/pg_restore" -h "$sock" -p "$port" -U agingos -d postgres --create --exit-on-error -L "$list" "$in/agingos.dump" ||
		{ rm -f "$list"; die "pg_restore failed (see the error above)"; }
	rm -f "$list"
	db_passwords "$sock" "$port"
	say "restored $(head -1 "$in/MANIFEST" 2>/dev/null || echo "$in") into database agingos"
}

# notify_start RUNDIR PGSOCK PGPORT HTTPPORT: start agingos-notify (the relay of
# carer notifications, docs/notifications.md) unless it runs; log
# RUNDIR/log/notify.log, pid RUNDIR/notify.pid.  A stale pid file (the relay
# was killed) is replaced.  AGINGOS_PUBLIC_URL, AGINGOS_WEBHOOK_SECRET and
# AGINGOS_NOTIFY_* pass through from the environment.
notify_start() {
	local run=$1 sock=$2 pgport=$3 port=$4
	[ -x "$AG_ROOT/bin/agingos-notify" ] || { say "agingos-notify not built; notifications are not delivered"; return 0; }
	local -a drop=()
	if [ -f "$run/notify.pid" ] && [ ! -L "$run/notify.pid" ] &&
		tr '\0' ' ' <"/proc/$(tr -dc 0-9 <"$run/notify.pid" | head -c 10)/cmdline" 2>/dev/null | grep -q "^$AG_ROOT/bin/agingos-notify"; then
		return 0
	fi
	rm -f "$run/notify.pid"
	# as root the relay runs as the unprivileged AGINGOS_RUN_USER, like the front (http_start)
	if [ "$(id -u)" -eq 0 ]; then
		svc_user_ensure
		drop=(setpriv --reuid="$AGINGOS_RUN_USER" --regid="$AGINGOS_RUN_USER" --init-groups --no-new-privs --inh-caps=-all --)
	fi
	[ -L "$run/log/notify.log" ] && rm -f "$run/log/notify.log"
	(cd / && AGINGOS_HTTP_PORT=$port AGINGOS_PGHOST=$sock AGINGOS_PGPORT=$pgport AGINGOS_PGUSER=agingos_notify \
		AGINGOS_PGDATABASE=agingos exec nohup "${drop[@]}" "$AG_ROOT/bin/agingos-notify") >>"$run/log/notify.log" 2>&1 &
	pid_write "$run/notify.pid" "$!"
	sleep 0.2
	kill -0 "$(cat "$run/notify.pid")" 2>/dev/null || die "agingos-notify stopped at once; see $run/log/notify.log"
}

# notify_stop RUNDIR: stop agingos-notify if running.
notify_stop() {
	local run=$1 pid
	[ -f "$run/notify.pid" ] || return 0
	pid=$(cat "$run/notify.pid")
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid"
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
	rm -f "$run/notify.pid"
}

# throwaway_up DIR PGPORT HTTPPORT: a private cluster + front under DIR (own
# ports, shipped config, auth off, no pg_cron job) for tests, benchmarks and
# scenario runs; stop it with throwaway_down DIR.
throwaway_up() {
	local dir=$1 pgport=$2 hport=$3
	run_prepare "$dir"
	pg_ready "$dir/data" "$pgport" "$dir/sock" "$dir/log/postgres.log"
	db_setup "$dir/sock" "$pgport"
	AGINGOS_AUTH_MODE=none db_auth "$dir/sock" "$pgport"
	(cd "$AG_ROOT" && db_load_config "$dir/sock" "$pgport" config/rules.yaml) 2>/dev/null
	http_start "$dir" "$dir/sock" "$pgport" "$hport"
}

# throwaway_down DIR: stop what throwaway_up started.
throwaway_down() {
	notify_stop "$1"
	http_stop "$1"
	[ -f "$1/data/PG_VERSION" ] && pg_stop "$1/data"
	return 0
}
