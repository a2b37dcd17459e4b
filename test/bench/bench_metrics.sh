#!/usr/bin/env bash
# test/bench/bench_metrics.sh — "-- 7. metrics" of make bench: figures, never pass/fail.
# Run by test/bench/bench.sh with RUN, PORT and HPORT of its throwaway cluster.
#   a) the front's counters on the hot path: ns per request of ag_metrics_observe +
#      ag_metrics_ingest (test/bench/metrics_observe.c, 1 and 2 threads), and POST /event
#      with wrk against the front built with and without them (METRICS=0), in turn.
#      With valgrind: instructions per request in the front's callbacks, with and without
#      (test/bench/front_callgrind.sh).
#   b) agingos_metrics() at 10,000 homes (mbench-*, 10 events each, 2,000 active
#      deviations): median server time, output size, and GET /metrics over HTTP.
#      The homes are removed again at the end.
. "$(dirname "$0")/../../scripts/lib.sh"
: "${RUN:?RUN (cluster dir) is required; run through make bench}" "${PORT:?PORT is required}" "${HPORT:?HPORT is required}"
cd "$AG_ROOT" || exit 1
export PGOPTIONS='-c client_min_messages=warning'
Q() { psql_at "$RUN/sock" "$PORT" agingos -tA "$@"; }
DUR=${BENCH_METRICS_SECONDS:-10}
NH=${BENCH_METRICS_HOMES:-10000}
B=$(mktemp -d /tmp/agingos-bench-metrics.XXXXXX)
NMPORT=${AGINGOS_BENCH_NOMETRICS_HTTP_PORT:-58091}
nmpid=
trap '[ -n "$nmpid" ] && kill "$nmpid" 2>/dev/null; Q -c "DELETE FROM agingos.deviations WHERE home_id LIKE '"'mbench-%'"'; DELETE FROM agingos.events WHERE home_id LIKE '"'mbench-%'"'; DELETE FROM agingos.homes WHERE home_id LIKE '"'mbench-%'"'" >/dev/null 2>&1; rm -rf "$B"' EXIT
Q -f test/bench/helpers.sql >/dev/null || exit 1

echo "-- 7. metrics (GET /metrics, docs/ops/monitoring.md)"
echo "   a) the front's counters per request (4 relaxed atomic adds: request, bucket, sum, outcome)"
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Isrc/http -Isrc/common -I"$("$PG_CONFIG" --includedir)" $(pkg-config --cflags libmicrohttpd) \
	-o "$B/metrics_observe" test/bench/metrics_observe.c src/http/metrics.c src/http/routes.c src/http/json.c src/common/utf8.c -lpthread || exit 1
for t in 1 2; do
	echo "   command: metrics_observe $t 10000000  ->  $("$B/metrics_observe" "$t" 10000000)"
done
# the outcome column reads a 200 body of http_event back as jsonb: that parse, per event
A="SELECT count(r.body) FROM generate_series(1, 100000) g, LATERAL (SELECT '{\"received\":true,\"deduped\":' || (g % 2 = 0) || ',\"event_id\":\"mb-' || g || '\"}' AS body) r"
Bq="SELECT count(r.body::jsonb ->> 'deduped') FROM generate_series(1, 100000) g, LATERAL (SELECT '{\"received\":true,\"deduped\":' || (g % 2 = 0) || ',\"event_id\":\"mb-' || g || '\"}' AS body) r"
echo "   the outcome column of the ingest statement (db.c route_sql) parses each 200 body of /event as jsonb:"
echo "   SQL: SELECT * FROM agingos_bench.pair_ms('$A', '$Bq', 9, 1)"
Q -v a="$A" -v b="$Bq" <<<"SELECT '   100,000 bodies: ' || a_median_ms || ' ms built, ' || b_median_ms || ' ms built and parsed: '
	|| round((b_median_ms - a_median_ms) * 1000 / 100000, 2) || ' us per event'
	FROM agingos_bench.pair_ms(:'a', :'b', 9, 1)"
mkdir -p "$B/src" && cp -r src/http "$B/src/http-nometrics" && cp -r src/common src/programs.mk "$B/src/" &&
	make -s -C "$B/src/http-nometrics" clean >/dev/null &&
	make -s -C "$B/src/http-nometrics" PG_CONFIG="$PG_CONFIG" METRICS=0 BIN="$B/agingos-http-nometrics" >/dev/null || exit 1
AGINGOS_HTTP_PORT=$NMPORT AGINGOS_PGHOST="$RUN/sock" AGINGOS_PGPORT=$PORT AGINGOS_PGUSER=agingos_http AGINGOS_PGDATABASE=agingos \
	AGINGOS_HTTP_THREADS=${AGINGOS_HTTP_THREADS:-32} "$B/agingos-http-nometrics" >>"$RUN/log/http-nometrics.log" 2>&1 &
nmpid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$NMPORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
echo "   POST /event, 32 connections, ${DUR}s per run, the two fronts in turn (same cluster):"
for round in 1 2; do
	order="with without"; [ "$round" = 2 ] && order="without with"
	for which in $order; do
		port=$HPORT; [ "$which" = without ] && port=$NMPORT
		wrk -t2 -c32 -d"${DUR}s" -s test/bench/ingest_post.lua "http://127.0.0.1:$port" -- "$((round * 10 + ${#which}))$$" >"$B/wrk.txt" 2>&1
		rps=$(awk '/Requests\/sec/ {print $2}' "$B/wrk.txt")
		echo "$which $rps" >>"$B/rps"
		echo "   command: wrk -t2 -c32 -d${DUR}s -s test/bench/ingest_post.lua http://127.0.0.1:$port  ->  ${which} counters: ${rps} events/s"
	done
done
awk '$1 == "with" { w += $2; nw++ } $1 == "without" { o += $2; no++ }
	END { if (nw && no && o > 0) printf "   mean with / without counters: %.0f / %.0f events/s, ratio %.3f (on a loaded machine the run-to-run noise is larger than this difference)\n", w / nw, o / no, (w / nw) / (o / no) }' "$B/rps"
kill "$nmpid" 2>/dev/null; nmpid=
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
	echo "   instructions per POST /event in the front (callgrind, one worker, 300 requests each):"
	for which in with without; do
		bin="$AG_ROOT/bin/agingos-http"; [ "$which" = without ] && bin="$B/agingos-http-nometrics"
		echo "   command: test/bench/front_callgrind.sh $bin $which … 300  ->  $(bash test/bench/front_callgrind.sh "$bin" "$which" "$B" "$RUN/sock" "$PORT" "$NMPORT" 300)"
	done
fi
Q -c "DELETE FROM agingos.events WHERE event_id LIKE 'wrk-%' AND home_id = 'default'" >/dev/null

echo "   b) agingos_metrics() at $NH homes"
Q -v nh="$NH" -v step="$((NH / 2000 > 0 ? NH / 2000 : 1))" >/dev/null <<'SQL'
INSERT INTO agingos.homes (home_id) SELECT 'mbench-' || i FROM generate_series(1, (:'nh')::int) i ON CONFLICT DO NOTHING;
INSERT INTO agingos.events (home_id, event_id, "timestamp", category, payload)
SELECT 'mbench-' || i, 'mb-' || j, timestamptz '2026-01-14 12:00:00+00' - make_interval(mins => j * 7 + i % 60), 'motion', '{"state": "on"}'
  FROM generate_series(1, (:'nh')::int) i, generate_series(1, 10) j;
INSERT INTO agingos.deviations (home_id, rule_id, subject_key, status, severity, title, explanation, window_since, window_until,
								"timestamp", started_at, last_seen_at)
SELECT 'mbench-' || i, 'R-00' || (1 + i % 9), 'default', CASE WHEN i % 3 = 0 THEN 'ACK' ELSE 'OPEN' END,
	   (ARRAY['LOW', 'MEDIUM', 'HIGH'])[1 + i % 3], 't', 'e', now() - interval '1 hour', now(), now(), now(), now()
  FROM generate_series(1, (:'nh')::int, (:'step')::int) i;
ANALYZE agingos.homes; ANALYZE agingos.events; ANALYZE agingos.deviations;
SQL
homes=$(Q -c "SELECT count(*) FROM agingos.homes")
echo "   $homes homes in the cluster ($NH mbench-* with 10 events each), $(Q -c "SELECT count(*) FROM agingos.events") events, $(Q -c "SELECT count(*) FROM agingos.deviations WHERE status IN ('OPEN', 'ACK')") active deviations"
echo "   SQL: SELECT * FROM agingos_bench.run_ms('SELECT length(agingos.agingos_metrics())', 11, 2)"
Q -c "SELECT '   agingos_metrics(), every home: median ' || round(median_ms::numeric, 1) || ' ms (min ' || round(min_ms::numeric, 1) || ', max ' || round(max_ms::numeric, 1) || ')' FROM agingos_bench.run_ms('SELECT length(agingos.agingos_metrics())', 11, 2)"
echo "   SQL: SELECT * FROM agingos_bench.run_ms('SELECT length(agingos.agingos_metrics(ARRAY[''mbench-1'']))', 11, 2)"
Q -c "SELECT '   agingos_metrics(ARRAY[''mbench-1'']), one home (an admin key): median ' || round(median_ms::numeric, 2) || ' ms' FROM agingos_bench.run_ms('SELECT length(agingos.agingos_metrics(ARRAY[''mbench-1'']))', 11, 2)"
Q -c "SELECT '   output: ' || length(agingos.agingos_metrics()) || ' bytes, ' || (length(agingos.agingos_metrics()) - length(replace(agingos.agingos_metrics(), E'\n', ''))) || ' lines'"
for i in 1 2 3 4 5; do curl -sS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$HPORT/metrics"; done | sort -n >"$B/curl.txt"
echo "   command: curl -w '%{time_total}' http://127.0.0.1:$HPORT/metrics (5 runs)  ->  median $(awk 'NR == 3 { printf "%.0f ms", $1 * 1000 }' "$B/curl.txt") (auth none: every home)"
exit 0
