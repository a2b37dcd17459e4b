#!/usr/bin/env bash
# test/bench/bench_engine.sh — "-- 4. rule engine" of make bench: figures, never pass/fail.
# Run by test/bench/bench.sh after the ingest part with RUN (cluster dir, socket $RUN/sock),
# PORT and HPORT of its throwaway cluster, shipped config/rules.yaml loaded. Touches
# nothing else. Data (bypassing agingos_ingest, fine for a read benchmark):
#   b1k-0001…b1k-1000  5,000 events each in [T - 24 h, T) (test/bench/helpers.sql day_pattern)
#                      + 3 earlier ha_snapshot rows, so the baseline rules are judged
#   b60-0001           60 days × the same 5,000 events/day (300,000 rows)
#   b01-0001           the same last 24 h only (baseline rules gated: WEAK_BASIS)
# Every figure is printed next to the SQL that reproduces it; timings are server-side
# (agingos_bench.run_ms / pair_ms: clock_timestamp() around EXECUTE).
. "$(dirname "$0")/../../scripts/lib.sh"
: "${RUN:?RUN (cluster dir) is required; run through make bench}" "${PORT:?PORT is required}"
cd "$AG_ROOT" || exit 1
export PGOPTIONS='-c client_min_messages=warning'
Q() { psql_at "$RUN/sock" "$PORT" agingos -tA "$@"; }
T='2026-01-14 12:00:00+00'    # the evaluation instant: a Wednesday, 13:00 in Europe/Oslo
RUNS=${BENCH_ENGINE_RUNS:-25}

Q -f test/bench/helpers.sql >/dev/null || exit 1

echo "-- 4. rule engine: agingos_evaluate, shipped config/rules.yaml, now = $T"
t0=$(date +%s%N)
added=0
for lo in $(seq 1 100 1000); do
	n=$(Q -v t="$T" -v hi="$((lo + 99))" -v lo="$lo" <<<"SELECT agingos_bench.load_b1k((:'lo')::int, (:'hi')::int, :'t')") || exit 1
	added=$((added + n))
done
n=$(Q -v t="$T" <<<"SELECT CASE WHEN EXISTS (SELECT 1 FROM agingos.events WHERE home_id = 'b60-0001') THEN 0 ELSE agingos_bench.load_days('b60-0001', :'t', 60) END") || exit 1
added=$((added + n))
n=$(Q -v t="$T" <<<"SELECT CASE WHEN EXISTS (SELECT 1 FROM agingos.events WHERE home_id = 'b01-0001') THEN 0 ELSE agingos_bench.load_days('b01-0001', :'t', 1) END") || exit 1
added=$((added + n))
Q -c "ANALYZE agingos.events" >/dev/null
t1=$(date +%s%N)
awk -v n="$added" -v ns=$((t1 - t0)) 'BEGIN { printf "   data: %d rows added by INSERT ... SELECT in %.0f s (%.0f rows/s, ANALYZE included)\n", n, ns / 1e9, n / (ns / 1e9) }'
Q -c "SELECT '   events table now: ' || count(*) || ' rows, table+indexes ' || pg_size_pretty((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('agingos.events') WHERE isleaf)) FROM agingos.events"
echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores; the machine is shared)"

# run STMT RUNS WARMUP → "median|min|max|n" in ms
run() { echo "SELECT median_ms, min_ms, max_ms, n FROM agingos_bench.run_ms(:'s', $2, $3)" | Q -v s="$1"; }
# pair A B RUNS WARMUP → "a_median|b_median|ratio|a_all|b_all" in ms
pair() { echo "SELECT a_median_ms, b_median_ms, ratio, a_all, b_all FROM agingos_bench.pair_ms(:'a', :'b', $3, $4)" | Q -v a="$1" -v b="$2"; }
fmt() { awk -F'|' -v what="$1" -v tgt="$2" '{ printf "   %s: median %.2f ms (min %.2f, max %.2f, %d runs)%s\n", what, $1, $2, $3, $4, tgt }'; }

echo
echo "   a) one home (b1k-0001), 24 h with 5,000 events (presence, door, ha_snapshot every 30 min); $RUNS runs after 1 warm-up"
s_sched="SELECT count(*) FROM agingos.agingos_evaluate(now => '$T', home_id => 'b1k-0001')"
s_win="SELECT count(*) FROM agingos.agingos_evaluate(since => timestamptz '$T' - interval '24 hours', until => '$T', now => '$T', home_id => 'b1k-0001')"
s_fetch="SELECT count(*), sum(pg_column_size(payload)) FROM agingos.events WHERE home_id = 'b1k-0001' AND \"timestamp\" >= timestamptz '$T' - interval '24 hours' AND \"timestamp\" < '$T'"
echo "   deviations: scheduler mode $(Q -v t="$T" <<<"SELECT coalesce(string_agg(rule_id || ' ' || severity, ', '), 'none') FROM agingos.agingos_evaluate(now => :'t', home_id => 'b1k-0001')"); window mode $(Q -v t="$T" <<<"SELECT coalesce(string_agg(rule_id || ' ' || severity, ', '), 'none') FROM agingos.agingos_evaluate((:'t')::timestamptz - interval '24 hours', :'t', :'t', 'b1k-0001')")"
run "$s_sched" "$RUNS" 1 | fmt "scheduler mode (no since/until)" " (target < 5 ms)"
echo "      SQL: $s_sched"
run "$s_win" "$RUNS" 1 | fmt "window mode, [now - 24 h, now)" " (target < 5 ms)"
echo "      SQL: $s_win"
run "$s_fetch" "$RUNS" 1 | fmt "for scale: bare range scan of the same 5,000 rows" ""
echo "      SQL: $s_fetch"
run "SELECT 1" "$RUNS" 1 | awk -F'|' '{ printf "   for scale: timer overhead (EXECUTE '"'"'SELECT 1'"'"'): median %.3f ms\n", $1 }'

echo
echo "   b) 1,000 homes (b1k-*) × 24 h = 5 M events: scheduler-mode evaluation of every home vs a bare fetch of the same rows;"
echo "      warmed by one run each, then 3 runs each, alternating (engine, fetch, engine, ...)"
d_eng="DO \$\$DECLARE n bigint; BEGIN FOR g IN 1 .. 1000 LOOP SELECT count(*) INTO n FROM agingos.agingos_evaluate(now => '$T', home_id => 'b1k-' || lpad(g::text, 4, '0')); END LOOP; END\$\$"
d_fetch="DO \$\$DECLARE n bigint; b bigint; BEGIN FOR g IN 1 .. 1000 LOOP SELECT count(*), sum(pg_column_size(payload)) INTO n, b FROM agingos.events WHERE home_id = 'b1k-' || lpad(g::text, 4, '0') AND \"timestamp\" >= timestamptz '$T' - interval '24 hours' AND \"timestamp\" < '$T'; END LOOP; END\$\$"
d_sorted="DO \$\$DECLARE n bigint; b bigint; BEGIN FOR g IN 1 .. 1000 LOOP SELECT count(*), sum(pg_column_size(payload)) INTO n, b FROM (SELECT event_id, \"timestamp\", category, payload, room_id, stream_id FROM agingos.events WHERE home_id = 'b1k-' || lpad(g::text, 4, '0') AND \"timestamp\" >= timestamptz '$T' - interval '24 hours' AND \"timestamp\" < '$T' ORDER BY \"timestamp\", event_id COLLATE \"C\") s; END LOOP; END\$\$"
pair "$d_eng" "$d_fetch" 3 1 | awk -F'|' '{
	printf "   engine, every home:   median %.2f s (runs: %s ms)\n", $1 / 1000, $4
	printf "   bare fetch, per home: median %.2f s (runs: %s ms)\n", $2 / 1000, $5
	printf "   ratio engine / bare fetch: %.2f (median of the per-round ratios; target <= 2)\n", $3 }'
echo "      engine SQL: $d_eng"
echo "      fetch SQL:  $d_fetch"
run "$d_sorted" 3 1 | awk -F'|' '{ printf "   for scale: the engine'"'"'s own fetch query (6 columns, ORDER BY \"timestamp\", event_id COLLATE \"C\") per home: median %.2f s (min %.2f, max %.2f)\n", $1 / 1000, $2 / 1000, $3 / 1000 }'
echo "      SQL: $d_sorted"

echo
echo "   c) the same 24 h window with 60 days of history behind it vs 1 day; scheduler mode at now; $RUNS rounds, alternating"
s60="SELECT count(*) FROM agingos.agingos_evaluate(now => '$T', home_id => 'b60-0001')"
s01="SELECT count(*) FROM agingos.agingos_evaluate(now => '$T', home_id => 'b01-0001')"
Q -v t="$T" <<<"SELECT '   days_with_data at now: b60-0001 ' || (SELECT days_with_data FROM agingos.agingos_rule_truth('b60-0001', :'t') WHERE rule_id = 'R-001') || ', b1k-0001 ' || (SELECT days_with_data FROM agingos.agingos_rule_truth('b1k-0001', :'t') WHERE rule_id = 'R-001') || ', b01-0001 ' || (SELECT days_with_data FROM agingos.agingos_rule_truth('b01-0001', :'t') WHERE rule_id = 'R-001') || ' (min_days_with_data 3)'"
pair "$s60" "$s_sched" "$RUNS" 1 | awk -F'|' '{
	printf "   60 days (b60-0001, 300,000 rows): median %.2f ms\n", $1
	printf "   1 day + 3 snapshot days (b1k-0001, same rules judged): median %.2f ms\n", $2
	printf "   ratio 60 days / 1 day: %.2f (target <= 1.2)\n", $3 }'
echo "      SQL: $s60"
echo "      SQL: $s_sched"
run "$s01" "$RUNS" 1 | fmt "1 day only (b01-0001: R-001, R-005, R-006, R-007 WEAK_BASIS, not judged)" ""
echo "      SQL: $s01"
echo "   (each run: agingos_bench.run_ms(<SQL>, runs, warmup) / pair_ms(<SQL a>, <SQL b>, runs, warmup) from test/bench/helpers.sql)"
