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

# run_dir: .run/ of this checkout (AGINGOS_RUN_DIR); when root and the
# checkout is not readable by postgres (e.g. under /root), .run is a symlink
# to /var/tmp.
run_dir() {
	local d="$AGINGOS_RUN_DIR"
	if [ ! -e "$d" ]; then
		if [ "$(id -u)" -eq 0 ] && ! /usr/sbin/runuser -u postgres -- test -r "$AG_ROOT/Makefile" 2>/dev/null; then
			local alt="/var/tmp/agingos-run-$(printf '%s' "$AG_ROOT" | md5sum | cut -c1-12)"
			mkdir -p "$alt" && ln -s "$alt" "$d"
		else
			mkdir -p "$d"
		fi
	fi
	mkdir -p "$d/log" "$d/sock"
	[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$(readlink -f "$d")"
	readlink -f "$d"
}

# port_busy PORT: whether something listens on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pg_init DATA: initdb with owner role agingos, trust auth, UTF-8.
pg_init() {
	local data=$1
	[ -f "$data/PG_VERSION" ] && return 0
	as_pg "$PGBIN/initdb" -D "$data" -U agingos --auth=trust --locale=C.UTF-8 -E UTF8 >/dev/null ||
		die "initdb failed for $data"
}

# pg_conf DATA PORT SOCKDIR [PRELOAD]: the settings agingos needs (pg_cron
# preloaded unless PRELOAD is "no": the very first start creates the
# database before pg_cron's launcher looks for it).
pg_conf() {
	local data=$1 port=$2 sock=$3 preload=${4:-yes} spl="'pg_cron'"
	[ "$preload" = no ] && spl="''"
	as_pg tee "$data/conf.d-agingos.conf" >/dev/null <<CONF
# written by scripts/lib.sh (agingos); edits are overwritten by make up/test
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock'
shared_preload_libraries = $spl
cron.database_name = 'agingos'
cron.log_statement = off
cron.log_run = on
max_connections = 100
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
# never log statement text: a failed SQL call may carry an event payload (contract 5, 9)
log_min_error_statement = panic
CONF
	grep -q "conf.d-agingos.conf" "$data/postgresql.conf" ||
		echo "include_if_exists = 'conf.d-agingos.conf'" | as_pg tee -a "$data/postgresql.conf" >/dev/null
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
CREATE EXTENSION IF NOT EXISTS agingos;
-- a cluster made by an earlier release gets this release's schema (a no-op when current)
ALTER EXTENSION agingos UPDATE;
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
	psql_at "$1" "$2" agingos -tA -c "SELECT 1 FROM pg_proc WHERE proname = '$3' AND pronamespace = 'agingos'::regnamespace LIMIT 1" | grep -q 1
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

# http_pid RUNDIR: prints the pid of RUNDIR/http.pid and succeeds only if it
# is a live agingos-http of this checkout: not gone, not a zombie (kill -0
# passes for one), not a reused pid now held by another program.
http_pid() {
	local pid state
	pid=$(cat "$1/http.pid" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
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
# that does not answer is stopped, then a new one starts.
http_start() {
	local run=$1 sock=$2 pgport=$3 port=$4 pid
	if pid=$(http_pid "$run"); then
		http_health "$port" 30 && return 0
		say "agingos-http (pid $pid) does not answer /health on port $port; restarting it"
		http_stop "$run"
	elif [ -f "$run/http.pid" ]; then
		say "agingos-http of $run/http.pid (pid $(cat "$run/http.pid" 2>/dev/null)) is not running; starting it"
		rm -f "$run/http.pid"
	fi
	port_busy "$port" && die "port $port on 127.0.0.1 is used by another process; set AGINGOS_HTTP_PORT to a free port"
	AGINGOS_HTTP_PORT=$port AGINGOS_PGHOST=$sock AGINGOS_PGPORT=$pgport AGINGOS_PGUSER=agingos_http \
		AGINGOS_PGDATABASE=agingos nohup "$AG_ROOT/bin/agingos-http" >>"$run/log/http.log" 2>&1 &
	echo $! >"$run/http.pid"
	http_health "$port" 100 && return 0
	die "agingos-http did not answer /health within 10 s; see $run/log/http.log"
}

# http_stop RUNDIR: stop agingos-http if running (only a pid that http_pid
# confirms is signalled: a reused pid belongs to someone else).
http_stop() {
	local run=$1 pid
	[ -f "$run/http.pid" ] || return 0
	if pid=$(http_pid "$run"); then
		kill "$pid"
		# gone or a zombie (nobody may reap it) counts as stopped
		for _ in $(seq 1 50); do http_pid "$run" >/dev/null || break; sleep 0.1; done
	fi
	rm -f "$run/http.pid"
}

# notify_start RUNDIR PGSOCK PGPORT HTTPPORT: start agingos-notify (the relay of
# carer notifications, docs/notifications.md) unless it runs; log
# RUNDIR/log/notify.log, pid RUNDIR/notify.pid.  A stale pid file (the relay
# was killed) is replaced.  AGINGOS_PUBLIC_URL, AGINGOS_WEBHOOK_SECRET and
# AGINGOS_NOTIFY_* pass through from the environment.
notify_start() {
	local run=$1 sock=$2 pgport=$3 port=$4
	[ -x "$AG_ROOT/bin/agingos-notify" ] || { say "agingos-notify not built; notifications are not delivered"; return 0; }
	if [ -f "$run/notify.pid" ] && kill -0 "$(cat "$run/notify.pid")" 2>/dev/null; then return 0; fi
	AGINGOS_HTTP_PORT=$port AGINGOS_PGHOST=$sock AGINGOS_PGPORT=$pgport AGINGOS_PGUSER=agingos_notify \
		AGINGOS_PGDATABASE=agingos nohup "$AG_ROOT/bin/agingos-notify" >>"$run/log/notify.log" 2>&1 &
	echo $! >"$run/notify.pid"
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
	mkdir -p "$dir/log" "$dir/sock"
	[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
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
