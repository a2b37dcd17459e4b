#!/usr/bin/env bash
# scripts/sim.sh — make sim: run bin/agingos-sim against the running `make up`
# system (docs/sim.md), then show what the scheduler found.
#
#   make sim [HOMES=3] [DAYS=1] [SEED=1] [MODE=db|http]
#   environment: PREFIX=sim- (home ids PREFIX1 … PREFIXN), INJECT=RULE@INSTANT[:HOME],…,
#                START=INSTANT, SPEED=1000 (http), TICK_MINUTES=5 (db), SIM_CLEAN=1
#
# The simulated period is the DAYS before now, so it ends at the wall clock and
# the live system carries on from there (76 minutes later R-009 reports that
# the simulated homes went quiet).  make sim owns the homes PREFIX1 … PREFIXN:
# with SIM_CLEAN=1 (default) their events and deviations are deleted first, so
# a second run does not mix two residents in one home (MODE=http with auth off:
# only the simulated events, ids sim-*, of home "default").
#   MODE=db   time warp in the database: per 5 simulated minutes one
#             agingos_ingest_batch per home, then agingos_scheduler_tick at
#             that instant.  The pg_cron scheduler job is paused meanwhile (its
#             wall-clock ticks would judge half-fed homes) and resumed after.
#   MODE=http POST to agingos-http at SPEED simulated seconds per wall second;
#             pg_cron judges at the wall clock.  With AGINGOS_AUTH_MODE=api_key
#             one ingest key per home is created; with auth off every home's
#             events go to home "default" (agingos-sim warns).
. "$(dirname "$0")/lib.sh"
HOMES=${HOMES:-3} DAYS=${DAYS:-1} SEED=${SEED:-1} MODE=${MODE:-db}
PREFIX=${PREFIX:-sim-} SPEED=${SPEED:-1000} TICK_MINUTES=${TICK_MINUTES:-5} SIM_CLEAN=${SIM_CLEAN:-1}
SIM="$AG_ROOT/bin/agingos-sim"

[ -x "$SIM" ] || die "bin/agingos-sim is missing: make sim builds it (or make sim-build)"
[ -e "$AGINGOS_RUN_DIR" ] || die "no .run/ yet: start the system with make up first"
case "$MODE" in db | http) ;; *) die "MODE must be db or http, not '$MODE'" ;; esac
RUN=$(run_dir)
Q() { psql_at "$RUN/sock" "$AGINGOS_PGPORT" agingos "$@"; }
Q -tA -c "SELECT 1" >/dev/null 2>&1 || die "PostgreSQL of make up does not answer on port $AGINGOS_PGPORT: run make up first"
# the auth mode of the running system (it lives in the database)
AGINGOS_AUTH_MODE=$(db_auth_mode "$RUN/sock" "$AGINGOS_PGPORT")

homes=$(for i in $(seq 1 "$HOMES"); do printf '%s%s,' "$PREFIX" "$i"; done)
homes="{${homes%,}}"
[ "$MODE" = http ] && [ "$AGINGOS_AUTH_MODE" != api_key ] && homes="{default}"

# the period: DAYS before now (db: in whole ticks); START overrides
secs=$(awk -v d="$DAYS" 'BEGIN { printf "%d", d * 86400 }')
tick=$((TICK_MINUTES * 60))
end=$(($(date +%s) / tick * tick))
START=${START:-$(date -u -d "@$((end - secs))" +%Y-%m-%dT%H:%M:%SZ)}

if [ "$SIM_CLEAN" = 1 ] && [ "$homes" = "{default}" ]; then
	# http with auth off: the events land in home "default"; only ours go
	say "deleting earlier simulated events (ids sim-*) of home default (SIM_CLEAN=1)"
	Q -q -c "DELETE FROM agingos.events WHERE home_id = 'default' AND event_id LIKE 'sim-%'"
elif [ "$SIM_CLEAN" = 1 ]; then
	say "deleting earlier events and deviations of $homes (SIM_CLEAN=1)"
	Q -q -v homes="$homes" <<'SQL'
DELETE FROM agingos.deviations WHERE home_id = ANY (:'homes'::text[]);
DELETE FROM agingos.deviations_v1 WHERE home_id = ANY (:'homes'::text[]);
DELETE FROM agingos.events WHERE home_id = ANY (:'homes'::text[]);
SQL
fi

args=(--homes "$HOMES" --days "$DAYS" --seed "$SEED" --home-prefix "$PREFIX" --start "$START")
[ -n "${INJECT:-}" ] && args+=(--inject "$INJECT")
KEYFILE=
paused=
cleanup() {
	[ -n "$paused" ] && Q -tA -v jobid="$paused" <<<"SELECT cron.alter_job((:'jobid')::bigint, active := true)" >/dev/null &&
		say "pg_cron job agingos-scheduler resumed"
	[ -n "$KEYFILE" ] && rm -f "$KEYFILE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$MODE" = db ]; then
	paused=$(Q -tA -c "SELECT jobid FROM cron.job WHERE jobname = 'agingos-scheduler' AND active" 2>/dev/null)
	if [ -n "$paused" ]; then
		Q -tA -v jobid="$paused" <<<"SELECT cron.alter_job((:'jobid')::bigint, active := false)" >/dev/null || die "could not pause the pg_cron scheduler job"
		say "pg_cron job agingos-scheduler paused for the time warp"
	fi
	say "simulating $HOMES homes × $DAYS days from $START (db time warp, seed $SEED)"
	# every connection setting explicit: the simulator must reach this cluster,
	# not whatever PGPORT/PGHOST the caller's environment holds
	AGINGOS_PGHOST="$RUN/sock" AGINGOS_PGPORT="$AGINGOS_PGPORT" AGINGOS_PGUSER=agingos AGINGOS_PGDATABASE=agingos \
		"$SIM" --mode db "${args[@]}" --tick-minutes "$TICK_MINUTES"
	rc=$?
else
	curl -fsS "http://127.0.0.1:$AGINGOS_HTTP_PORT/health" >/dev/null 2>&1 ||
		die "agingos-http does not answer on port $AGINGOS_HTTP_PORT: run make up first"
	if [ "$AGINGOS_AUTH_MODE" = api_key ]; then
		KEYFILE=$(mktemp /tmp/agingos-sim-keys.XXXXXX) && chmod 600 "$KEYFILE"
		for i in $(seq 1 "$HOMES"); do
			printf '%s %s\n' "$PREFIX$i" "$(echo "SELECT agingos.agingos_create_api_key(:'h', 'ingest')" | Q -tA -v h="$PREFIX$i")"
		done >"$KEYFILE"
		args+=(--api-key-file "$KEYFILE")
	fi
	say "simulating $HOMES homes × $DAYS days from $START over HTTP at speed $SPEED (seed $SEED)"
	"$SIM" --mode http "${args[@]}" --speed "$SPEED" --url "http://127.0.0.1:$AGINGOS_HTTP_PORT"
	rc=$?
fi

echo
echo "== events of the simulated homes"
Q -v homes="$homes" <<'SQL'
SELECT home_id, count(*) AS events, agingos.agingos_iso(min("timestamp")) AS first, agingos.agingos_iso(max("timestamp")) AS last
FROM agingos.events WHERE home_id = ANY (:'homes'::text[]) GROUP BY home_id ORDER BY home_id;
SQL
echo "== deviations per rule (all statuses)"
Q -v homes="$homes" <<'SQL'
SELECT home_id, rule_id, count(*) AS episodes, count(*) FILTER (WHERE status <> 'CLOSED') AS active,
       (ARRAY['LOW', 'MEDIUM', 'HIGH'])[max(array_position(ARRAY['LOW', 'MEDIUM', 'HIGH'], severity))] AS max_severity,
       agingos.agingos_iso(max(started_at)) AS last_started
FROM agingos.deviations WHERE home_id = ANY (:'homes'::text[]) GROUP BY home_id, rule_id ORDER BY home_id, rule_id;
SQL
exit "$rc"
