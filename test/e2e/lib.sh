#!/usr/bin/env bash
# test/e2e/lib.sh — helpers of the end-to-end tests (sourced).
# test/tools/test.sh exports: AG_ROOT, AG_E2E_RUN (cluster dir), AGINGOS_HTTP_PORT,
# PGBIN, PGHOST/PGPORT/PGUSER/PGDATABASE of the throwaway cluster.
# Each check prints "ok NAME" or "not ok NAME - why"; the runner counts them.
BASE="http://127.0.0.1:${AGINGOS_HTTP_PORT:-8000}"
FIX="$AG_ROOT/test/fixtures"

ok() { echo "ok $1"; }
nok() { echo "not ok $1 - $2"; }

# check NAME ACTUAL EXPECTED: equality check with a readable failure.
check() {
	if [ "$2" = "$3" ]; then ok "$1"; else nok "$1" "expected '$3', got '$2'"; fi
}

# sql QUERY: one value from the test database.
sql() { "$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -c "$1"; }
# wait_session RUN APP CONDITION: poll pg_stat_activity through the function RUN
# (which runs one SQL text, e.g. sql) until a session named APP matches the SQL
# CONDITION (e.g. "state = 'idle in transaction'", "wait_event_type = 'Lock'");
# at most 10 s.  Orders two sessions of a race test by what they wait for.
wait_session() {
	for _ in $(seq 1 200); do
		[ "$("$1" "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$2' AND $3")" = 1 ] && return 0
		sleep 0.05
	done
	return 1
}

# post PATH BODY [CONTENT_TYPE]: POST, prints "STATUS BODY" (body on one line).
post() {
	local ct=${3:-application/json}
	curl -sS -o /tmp/ag_e2e_body.$$ -w '%{http_code}' -X POST -H "Content-Type: $ct" \
		${AG_KEY:+-H "X-API-Key: $AG_KEY"} --data-binary @- "$BASE$1" <<<"$2"
	printf ' %s' "$(tr -d '\n' </tmp/ag_e2e_body.$$)"
	rm -f /tmp/ag_e2e_body.$$
}

# get PATH: GET, prints "STATUS BODY".
get() {
	curl -sS -o /tmp/ag_e2e_body.$$ -w '%{http_code}' ${AG_KEY:+-H "X-API-Key: $AG_KEY"} "$BASE$1"
	printf ' %s' "$(tr -d '\n' </tmp/ag_e2e_body.$$)"
	rm -f /tmp/ag_e2e_body.$$
}

# status_of "STATUS BODY" / body_of "STATUS BODY"
status_of() { echo "${1%% *}"; }
body_of() { echo "${1#* }"; }

# db_stop / db_start: stop or start the throwaway cluster (for 503 tests).
db_stop() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$AG_E2E_RUN/data" -m fast -w stop >/dev/null); else "$PGBIN/pg_ctl" -D "$AG_E2E_RUN/data" -m fast -w stop >/dev/null; fi; }
db_start() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$AG_E2E_RUN/data" -l "$AG_E2E_RUN/log/postgres.log" -w start >/dev/null); else "$PGBIN/pg_ctl" -D "$AG_E2E_RUN/data" -l "$AG_E2E_RUN/log/postgres.log" -w start >/dev/null; fi; }

# cluster_up DIR PGPORT: a private cluster laid out like make up's (no
# front, no trust, pg_cron preloaded, empty database agingos); cluster_down
# DIR stops it.  For tests that need a cluster of their own (restore,
# upgrade, faults); the port comes from the test's own variable.
cluster_up() {
	(
		. "$AG_ROOT/scripts/lib.sh"
		port_busy "$2" && die "port $2 is in use; set the test's port variable to a free port"
		run_prepare "$1"
		pg_ready "$1/data" "$2" "$1/sock" "$1/log/postgres.log"
	)
}
cluster_down() {
	( . "$AG_ROOT/scripts/lib.sh"; http_stop "$1"; [ -f "$1/data/PG_VERSION" ] && pg_stop "$1/data"; true )
}
