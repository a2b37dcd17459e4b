#!/usr/bin/env bash
# test/bench/bench_tick10k.sh — "-- 14. scheduler at scale" of make bench: figures, never pass/fail.
# Run by test/bench/bench.sh with RUN, PORT and HPORT of its throwaway cluster, shipped
# config/rules.yaml loaded (docs/bench.md section 14, docs/scheduler.md "Buckets").
#   - generates 10,000 homes t10k-00001 … t10k-10000 with BENCH_10K_EVENTS (2000) events each
#     in the 24 h before T, in SQL (agingos_bench.load_scale: INSERT … SELECT over
#     generate_series, 500 homes a statement), and prints how long that took;
#   - one warm-up tick (the first tick of a local day also refreshes every home's profile);
#   - a tick over 1,000 of them and over all 10,000 with agingos_scheduler_tick(now), one
#     session: median of BENCH_10K_RUNS (3) runs;
#   - the same 10,000 homes as pg_cron runs them with scheduler.workers: 2: the two buckets
#     agingos_scheduler_tick_bucket(b, 2, now) in two sessions at once; wall time from the
#     start of both to the end of the slower one; median of the runs.
# While it runs only the homes it ticks stay in agingos.homes (the others are parked in
# agingos_bench.homes_stash and put back on exit); agingos.deviations and their history are
# emptied first.
. "$(dirname "$0")/../../scripts/lib.sh"
: "${RUN:?RUN (cluster dir) is required; run through make bench}" "${PORT:?PORT is required}"
cd "$AG_ROOT" || exit 1
export PGOPTIONS='-c client_min_messages=warning'
Q() { psql_at "$RUN/sock" "$PORT" agingos -tA "$@"; }
# The instant: the current UTC hour, so the rows land in the day partitions that
# pg_partman keeps around now (docs/scale.md), as a live system's do; BENCH_10K_T
# overrides it (an instant before the days made puts every row in events_default).
T=${BENCH_10K_T:-$(date -u +'%Y-%m-%d %H:00:00+00')}
PER_DAY=${BENCH_10K_EVENTS:-2000}
RUNS=${BENCH_10K_RUNS:-3}
NHOMES=10000

Q -f test/bench/helpers.sql >/dev/null || exit 1
Q -c "CREATE TABLE IF NOT EXISTS agingos_bench.homes_stash (LIKE agingos.homes INCLUDING ALL)" >/dev/null || exit 1
# only_homes LO HI: agingos.homes holds just t10k-<LO> … t10k-<HI> (others parked in the stash;
# homes with API keys or readers cannot leave and stay).
only_homes() {
	Q -v lo="$1" -v hi="$2" >/dev/null <<'SQL'
CREATE TEMP VIEW keep AS SELECT 't10k-' || lpad(g::text, 5, '0') AS home_id FROM generate_series(:lo, :hi) g;
INSERT INTO agingos_bench.homes_stash SELECT * FROM agingos.homes WHERE home_id NOT IN (SELECT home_id FROM keep) ON CONFLICT DO NOTHING;
DELETE FROM agingos.homes h WHERE h.home_id NOT IN (SELECT home_id FROM keep)
   AND NOT EXISTS (SELECT 1 FROM agingos.api_key_homes k WHERE k.home_id = h.home_id)
   AND NOT EXISTS (SELECT 1 FROM agingos.reader_homes r WHERE r.home_id = h.home_id);
INSERT INTO agingos.homes SELECT * FROM agingos_bench.homes_stash WHERE home_id IN (SELECT home_id FROM keep) ON CONFLICT DO NOTHING;
SQL
}
restore_homes() { Q -c "INSERT INTO agingos.homes SELECT * FROM agingos_bench.homes_stash ON CONFLICT DO NOTHING" >/dev/null; }
trap restore_homes EXIT
# median: the middle of the numbers on stdin (lower middle for an even count)
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ms() { echo $((($(date +%s%N) - $1) / 1000000)); }

echo "-- 14. scheduler at scale: 10,000 homes × 24 h, shipped config/rules.yaml"
echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores; the machine is shared)"
t0=$(date +%s%N)
added=0
for lo in $(seq 1 500 $NHOMES); do
	n=$(Q -c "SELECT agingos_bench.load_scale('t10k-', $lo, $((lo + 499)), '$T', $PER_DAY)") || exit 1
	added=$((added + n))
done
if [ "$added" -gt 0 ]; then
	Q -c "ANALYZE agingos.events" >/dev/null
	echo "   generated $NHOMES homes × $PER_DAY events in the 24 h before $T: $added rows in $(($(ms "$t0") / 1000)) s"
	echo "      SQL: SELECT agingos_bench.load_scale('t10k-', lo, lo + 499, '$T', $PER_DAY) for lo = 1, 501, …   (test/bench/helpers.sql), then ANALYZE"
fi
Q -c "SELECT '   rows of t10k-00001 by partition: ' || string_agg(p || ' ' || n, ', ' ORDER BY p) FROM (SELECT tableoid::regclass::text AS p, count(*) AS n FROM agingos.events WHERE home_id = 't10k-00001' GROUP BY 1) s"
Q -c "TRUNCATE agingos.deviation_history, agingos.deviations" >/dev/null
only_homes 1 $NHOMES
tick="SELECT agingos.agingos_scheduler_tick('$T')"
t0=$(date +%s%N)
Q -c "SELECT agingos.agingos_scheduler_tick_bucket(0, 2, '$T')" >/dev/null &
Q -c "SELECT agingos.agingos_scheduler_tick_bucket(1, 2, '$T')" >/dev/null &
wait
echo "   warm-up, 2 buckets at once (the first tick of a local day learns every home's profile, docs/alarm-quality.md): $(($(ms "$t0") / 1000)) s"

only_homes 1 1000
m=$(for i in $(seq "$RUNS"); do Q -c "$tick" | jq -r '.duration_ms'; done | median)
awk -v m="$m" -v r="$RUNS" -v t="$tick" 'BEGIN { printf "   tick over 1,000 homes × 24 h (%s, one session, %d runs): median %.2f s\n", t, r, m / 1000 }'
only_homes 1 $NHOMES
m=$(for i in $(seq "$RUNS"); do Q -c "$tick" | jq -r '.duration_ms'; done | median)
awk -v m="$m" -v r="$RUNS" -v t="$tick" 'BEGIN { printf "   tick over 10,000 homes × 24 h (%s, one session, %d runs): median %.2f s\n", t, r, m / 1000 }'
par="SELECT agingos.agingos_scheduler_tick_bucket(b, 2, '$T') for b = 0, 1 in 2 sessions at once"
m=$(for i in $(seq "$RUNS"); do
	t0=$(date +%s%N)
	Q -c "SELECT agingos.agingos_scheduler_tick_bucket(0, 2, '$T')" >/dev/null &
	Q -c "SELECT agingos.agingos_scheduler_tick_bucket(1, 2, '$T')" >/dev/null &
	wait
	ms "$t0"
done | median)
awk -v m="$m" -v r="$RUNS" -v t="$par" 'BEGIN { printf "   tick over 10,000 homes × 24 h (%s, as pg_cron runs scheduler.workers: 2; %d runs, wall time): median %.2f s\n", t, r, m / 1000 }'
Q -c "SELECT '   last bucket runs: ' || string_agg(format('bucket %s/%s %s homes %s ms', bucket, buckets, homes, round(duration_ms)), ', ' ORDER BY bucket) FROM (SELECT * FROM agingos.scheduler_runs WHERE bucket IS NOT NULL ORDER BY run_id DESC LIMIT 2) r"
echo "   (for scale: scheduler.interval_minutes is 5 min in config/rules.yaml; target ≤ 30 s on 2 cores, issue 14)"
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
