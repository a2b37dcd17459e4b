#!/usr/bin/env bash
# test/bench/bench_scheduler.sh — "-- 5. scheduler" of make bench: figures, never pass/fail.
# Run by test/bench/bench.sh (after bench_engine.sh) with RUN, PORT and HPORT of its throwaway
# cluster, shipped config/rules.yaml loaded. Touches nothing else; inside that cluster it
# empties agingos.deviations / deviation_history and, while a part runs, parks the homes it
# does not tick in agingos_bench.homes_stash (put back on exit).
#   a) agingos_scheduler_tick over the 1,000 homes b1k-* of bench_engine.sh (loaded here if
#      missing): the first tick (it inserts the deviations), then 3 ticks at the same now.
#   b) growth of agingos.deviations: 100 homes sch-* whose events make R-003, R-008 and R-009
#      fire at every tick; 1,000 ticks with now advancing 1 minute (the same situation all
#      along); size after 10 and after 1,000 ticks, HOT share, autovacuum; then the same on a
#      fresh table with fillfactor 100 instead of 70.
. "$(dirname "$0")/../../scripts/lib.sh"
: "${RUN:?RUN (cluster dir) is required; run through make bench}" "${PORT:?PORT is required}"
cd "$AG_ROOT" || exit 1
export PGOPTIONS='-c client_min_messages=warning'
Q() { psql_at "$RUN/sock" "$PORT" agingos -tA "$@"; }
T='2026-01-14 12:00:00+00'    # bench_engine.sh's instant (13:00 Europe/Oslo)
T0='2026-01-20 06:00:00+00'   # part b: first tick at 07:00 Europe/Oslo, the last at 22:39
NTICKS=${BENCH_SCHED_TICKS:-1000}

Q -f test/bench/helpers.sql >/dev/null || exit 1
Q -c "CREATE TABLE IF NOT EXISTS agingos_bench.homes_stash (LIKE agingos.homes INCLUDING ALL)" >/dev/null || exit 1
# only_homes PATTERN: agingos.homes holds just the homes LIKE PATTERN (others parked in the stash;
# homes with API keys cannot leave and stay).
only_homes() {
	Q -v p="$1" >/dev/null <<'SQL'
INSERT INTO agingos_bench.homes_stash SELECT * FROM agingos.homes WHERE home_id NOT LIKE :'p' ON CONFLICT DO NOTHING;
DELETE FROM agingos.homes h WHERE h.home_id NOT LIKE :'p'
   AND NOT EXISTS (SELECT 1 FROM agingos.api_key_homes k WHERE k.home_id = h.home_id)
   AND NOT EXISTS (SELECT 1 FROM agingos.reader_homes r WHERE r.home_id = h.home_id);
INSERT INTO agingos.homes SELECT * FROM agingos_bench.homes_stash WHERE home_id LIKE :'p' ON CONFLICT DO NOTHING;
SQL
}
restore_homes() { Q -c "INSERT INTO agingos.homes SELECT * FROM agingos_bench.homes_stash ON CONFLICT DO NOTHING" >/dev/null; }
trap restore_homes EXIT
# ticks FROM TO: one psql session, one statement (= one transaction, like pg_cron) per tick at
# now = T0 + i minutes, i = FROM … TO.
ticks() {
	awk -v a="$1" -v b="$2" -v t0="$T0" 'BEGIN { for (i = a; i <= b; i++)
		printf "SELECT agingos.agingos_scheduler_tick(timestamptz '"'"'%s'"'"' + %d * interval '"'"'1 minute'"'"') IS NOT NULL;\n", t0, i }' |
		Q >/dev/null
}

echo "-- 5. scheduler: agingos_scheduler_tick, shipped config/rules.yaml"
echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores; the machine is shared)"
t0=$(date +%s%N)
added=0
for lo in $(seq 1 100 1000); do
	n=$(Q -v t="$T" -v hi="$((lo + 99))" -v lo="$lo" <<<"SELECT agingos_bench.load_b1k((:'lo')::int, (:'hi')::int, :'t')") || exit 1
	added=$((added + n))
done
[ "$added" -gt 0 ] && { Q -c "ANALYZE agingos.events" >/dev/null; echo "   (loaded the 1,000 homes b1k-*: $added rows in $((($(date +%s%N) - t0) / 1000000000)) s)"; }

echo
echo "   a) one tick over the 1,000 homes b1k-* (5,000 events each in the last 24 h), now = $T"
only_homes 'b1k-%'
Q -c "TRUNCATE agingos.deviation_history, agingos.deviations" >/dev/null
tick="SELECT agingos.agingos_scheduler_tick(:'t')"
Q -v t="$T" <<<"$tick" | jq -r '"   first tick (inserts the deviations): \(.duration_ms / 1000 * 100 | round / 100) s; homes \(.homes), rules \(.rules_total) (ok \(.rules_ok), failed \(.rules_failed)), deviations opened \(.deviations_opened)"'
for i in 1 2 3; do Q -v t="$T" <<<"$tick" | jq -r '.duration_ms'; done | sort -n | tr '\n' ' ' |
	awk '{ sub(/ +$/, ""); printf "   next 3 ticks at the same now (update the same rows): median %.2f s (runs, sorted: %s ms; for scale: scheduler.interval_minutes is 5 min)\n", $2 / 1000, $0 }'
echo "      SQL: $tick with t = '$T'   (figure: duration_ms of its summary, measured inside with clock_timestamp())"
Q -c "SELECT '   deviations per rule: ' || string_agg(rule_id || ' ' || n, ', ' ORDER BY rule_id) FROM (SELECT rule_id, count(*) n FROM agingos.deviations WHERE status = 'OPEN' GROUP BY rule_id) s"

# size_run FILLFACTOR: part b on an empty deviations table with that fillfactor.
size_run() {
	local ff=$1 s10 s1000
	Q -v ff="$ff" >/dev/null <<'SQL'
TRUNCATE agingos.deviation_history, agingos.deviations;
SELECT format('ALTER TABLE agingos.deviations SET (fillfactor = %s)', (:'ff')::int) \gexec
SELECT pg_stat_reset_single_table_counters('agingos.deviations'::regclass);
SQL
	local r0
	r0=$(Q -c "SELECT coalesce(max(run_id), 0) FROM agingos.scheduler_runs")
	ticks 0 9
	s10=$(Q -c "SELECT pg_total_relation_size('agingos.deviations')")
	Q -v ff="$ff" <<<"SELECT '   fillfactor ' || :'ff' || ', after 10 ticks: table+indexes ' || pg_size_pretty(pg_total_relation_size('agingos.deviations')) || ' (heap ' || pg_size_pretty(pg_relation_size('agingos.deviations')) || ', indexes ' || pg_size_pretty(pg_indexes_size('agingos.deviations')) || '), ' || count(*) || ' rows' FROM agingos.deviations"
	ticks 10 $((NTICKS - 1))
	sleep 1   # let the stats of the finished sessions arrive
	s1000=$(Q -c "SELECT pg_total_relation_size('agingos.deviations')")
	Q -v ff="$ff" -v nticks="$NTICKS" <<<"SELECT '   fillfactor ' || :'ff' || ', after ' || :'nticks' || ' ticks: table+indexes ' || pg_size_pretty(pg_total_relation_size('agingos.deviations')) || ' (heap ' || pg_size_pretty(pg_relation_size('agingos.deviations')) || ', indexes ' || pg_size_pretty(pg_indexes_size('agingos.deviations')) || '), ' || count(*) || ' rows (' || count(*) FILTER (WHERE status = 'OPEN') || ' OPEN)' FROM agingos.deviations"
	awk -v a="$s1000" -v b="$s10" -v ff="$ff" -v n="$NTICKS" 'BEGIN { printf "   fillfactor %s: size after %d ticks / after 10 ticks = %.2f (target <= 2)\n", ff, n, a / b }'
	Q -v ff="$ff" <<<"SELECT '   fillfactor ' || :'ff' || ', pg_stat_user_tables: n_tup_upd ' || n_tup_upd || ', n_tup_hot_upd ' || n_tup_hot_upd || ' (HOT ' || CASE WHEN n_tup_upd > 0 THEN round(100.0 * n_tup_hot_upd / n_tup_upd, 1) || ' %' ELSE '-' END || '), n_live_tup ' || n_live_tup || ', n_dead_tup ' || n_dead_tup || ', autovacuum_count ' || autovacuum_count || ', last_autovacuum ' || coalesce(to_char(last_autovacuum, 'HH24:MI:SS'), 'never') || ', autoanalyze_count ' || autoanalyze_count FROM pg_stat_user_tables WHERE relid = 'agingos.deviations'::regclass"
	Q -v ff="$ff" <<<"SELECT '   fillfactor ' || :'ff' || ', ticks: median ' || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)) || ' ms (max ' || round(max(duration_ms)) || ' ms), ' || sum(deviations_upserted) || ' upserts, ' || sum(deviations_opened) || ' opened, ' || sum(deviations_closed) || ' closed, ' || (SELECT count(*) FROM agingos.deviation_history) || ' history rows (' || (SELECT count(*) FILTER (WHERE reason = 'escalation') FROM agingos.deviation_history) || ' escalations: R-008 turns HIGH at 22:00 local)' FROM agingos.scheduler_runs WHERE run_id > $r0"
}

echo
echo "   b) growth of agingos.deviations: 100 homes sch-*, door events at inngang every 4 min, no ha_snapshot"
echo "      (R-003, R-008 and R-009 fire at every tick: 300 active rows updated per tick), $NTICKS ticks,"
echo "      now = $T0 + i minutes, one transaction per tick"
Q -c "SELECT 1 FROM agingos.homes WHERE home_id = 'sch-001' UNION ALL SELECT 1 FROM agingos_bench.homes_stash WHERE home_id = 'sch-001'" | grep -q 1 ||
	Q -v t0="$T0" -v n="$NTICKS" >/dev/null <<'SQL' || exit 1
INSERT INTO agingos.homes (home_id) SELECT 'sch-' || lpad(g::text, 3, '0') FROM generate_series(1, 100) AS g ON CONFLICT DO NOTHING;
INSERT INTO agingos.events (home_id, event_id, "timestamp", category, payload, room_id, stream_id)
SELECT 'sch-' || lpad(g::text, 3, '0'), 'door-' || i, timestamptz :'t0' - interval '300 minutes' + i * interval '4 minutes',
	   'door', '{"room": "inngang", "door": "front", "state": "on"}', 'inngang', 'prod'
  FROM generate_series(1, 100) AS g, generate_series(0, (300 + :n + 10) / 4) AS i;
ANALYZE agingos.events;
SQL
only_homes 'sch-%'
echo "      SQL per tick: SELECT agingos.agingos_scheduler_tick(timestamptz '$T0' + i * interval '1 minute');   (i = 0 … $((NTICKS - 1)))"
echo "      sizes: pg_total_relation_size('agingos.deviations'); stats: pg_stat_user_tables, reset before each run"
size_run 70
echo "   same on a fresh table (TRUNCATE) with fillfactor 100:"
size_run 100
Q -c "ALTER TABLE agingos.deviations SET (fillfactor = 70)" >/dev/null
echo "   autovacuum settings: naptime $(Q -c "SHOW autovacuum_naptime"), vacuum threshold $(Q -c "SHOW autovacuum_vacuum_threshold") + scale factor $(Q -c "SHOW autovacuum_vacuum_scale_factor") × rows"
