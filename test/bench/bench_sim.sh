#!/usr/bin/env bash
# test/bench/bench_sim.sh — "-- 6. simulator" of make bench: figures, never pass/fail.
# Run by test/bench/bench.sh with RUN and PORT of its throwaway cluster (shipped
# config/rules.yaml loaded).  While it runs, the homes it does not simulate are
# parked in agingos_bench.homes_stash (put back on exit), so the ticks visit
# only the simulated homes.
#   a) agingos-sim --mode db, BENCH_SIM_DAYS (30) days × 10 homes, a tick every
#      5 simulated minutes (8,640 ticks): wall time, split into the ticks'
#      own duration_ms and the rest (ingest, round trips); target < 60 s
#   b) the same with --tick-minutes 15 (a third of the ticks)
#   c) deviations per rule over those normal days (docs/sim.md explains them)
#   d) a) again with scheduler.workers: 2 (the sim then ticks the two buckets side
#      by side on two sessions, as two pg_cron bucket jobs would); the shipped
#      config is loaded back afterwards
. "$(dirname "$0")/../../scripts/lib.sh"
: "${RUN:?RUN (cluster dir) is required; run through make bench}" "${PORT:?PORT is required}"
cd "$AG_ROOT" || exit 1
Q() { psql_at "$RUN/sock" "$PORT" agingos -tA "$@"; }
DAYS=${BENCH_SIM_DAYS:-30}
W=$(mktemp -d /tmp/agingos-bench-sim.XXXXXX)
[ -x bin/agingos-sim ] || { echo "-- 6. simulator: bin/agingos-sim missing, skipped"; exit 0; }

Q >/dev/null <<'SQL' || exit 1
CREATE SCHEMA IF NOT EXISTS agingos_bench;
CREATE TABLE IF NOT EXISTS agingos_bench.homes_stash (LIKE agingos.homes INCLUDING ALL);
SQL
# only_homes PATTERN: agingos.homes keeps just the homes LIKE PATTERN (homes with keys stay)
only_homes() {
	Q -v p="$1" >/dev/null <<'SQL'
INSERT INTO agingos_bench.homes_stash SELECT * FROM agingos.homes WHERE home_id NOT LIKE :'p' ON CONFLICT DO NOTHING;
DELETE FROM agingos.homes h WHERE h.home_id NOT LIKE :'p'
   AND NOT EXISTS (SELECT 1 FROM agingos.api_key_homes k WHERE k.home_id = h.home_id)
   AND NOT EXISTS (SELECT 1 FROM agingos.reader_homes r WHERE r.home_id = h.home_id);
SQL
}
restore() {
	Q -c "INSERT INTO agingos.homes SELECT * FROM agingos_bench.homes_stash ON CONFLICT DO NOTHING" >/dev/null
	[ -f "$W/workers2.yaml" ] && (db_load_config "$RUN/sock" "$PORT" config/rules.yaml) >/dev/null 2>&1
	rm -rf "$W"
}
trap restore EXIT

# sim PREFIX TICK_MINUTES: one time warp; prints its figures
sim() {
	local prefix=$1 tm=$2 cmd
	only_homes "$prefix%"
	cmd=(bin/agingos-sim --mode db --homes 10 --days "$DAYS" --seed 1 --home-prefix "$prefix" --tick-minutes "$tm" --stats-file "$W/$prefix.json")
	echo "   command: ${cmd[*]/#$W\//}"
	AGINGOS_PGHOST="$RUN/sock" AGINGOS_PGPORT="$PORT" AGINGOS_PGUSER=agingos AGINGOS_PGDATABASE=agingos \
		"${cmd[@]}" 2>"$W/$prefix.log" || { echo "   failed: $(tail -1 "$W/$prefix.log")"; return; }
	jq -r '"   \(.wall_seconds) s wall for \(.ticks) ticks and \(.events_sent) events: ticks (their own duration_ms) \(.tick_seconds) s = \(.tick_seconds / .ticks * 1000 * 100 | round / 100) ms per tick, ingest and round trips \(.ingest_seconds) s"' "$W/$prefix.json"
}

echo "-- 6. simulator: agingos-sim --mode db, $DAYS days × 10 homes, shipped config (target < 60 s)"
echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores; the machine is shared)"
echo "   a) a tick every 5 simulated minutes (scheduler.interval_minutes)"
sim bsim5- 5
echo "   b) a tick every 15 simulated minutes"
sim bsim15- 15
echo "   c) deviations per rule over the normal days of a) (no anomaly injected; docs/sim.md):"
Q -c "SELECT '      ' || string_agg(r || ' ' || (SELECT count(*) FROM agingos.deviations d WHERE d.home_id LIKE 'bsim5-%' AND d.rule_id = r), ', ' ORDER BY r)
      FROM unnest(ARRAY['R-001','R-002','R-003','R-004','R-005','R-006','R-007','R-008','R-009','R-010']) AS r"
echo "   d) as a), scheduler.workers: 2 (two bucket runs per tick on two sessions; duration_ms: the longer run)"
sed 's/^  interval_minutes: 5$/  interval_minutes: 5\n  workers: 2/' config/rules.yaml >"$W/workers2.yaml"
if (db_load_config "$RUN/sock" "$PORT" "$W/workers2.yaml") >/dev/null 2>"$W/workers2.err"; then
	sim bsim5w- 5
	(db_load_config "$RUN/sock" "$PORT" config/rules.yaml) >/dev/null 2>&1
else
	echo "   skipped: $(tail -1 "$W/workers2.err")"
fi
exit 0
