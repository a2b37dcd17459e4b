#!/usr/bin/env bash
# test/bench/bench.sh — make bench: figures, never pass/fail.
# Runs on its own throwaway cluster (ports AGINGOS_BENCH_PGPORT=55450,
# AGINGOS_BENCH_HTTP_PORT=58090) so `make up` data is never touched.
#   ingest: POST /event at 32 connections (wrk + Lua body generator) next to
#           pgbench single-row INSERT into the same table; batch 100,000 events
#           via /events/batch next to COPY of the same rows; bytes per event.
. "$(dirname "$0")/../../scripts/lib.sh"
"$AG_ROOT/scripts/deps.sh" || exit 1
"$AG_ROOT/scripts/build.sh" || exit 1
cd "$AG_ROOT" || exit 1
PORT=${AGINGOS_BENCH_PGPORT:-55450}
HPORT=${AGINGOS_BENCH_HTTP_PORT:-58090}
DUR=${BENCH_SECONDS:-15}
W=$(mktemp -d /tmp/agingos-bench.XXXXXX); chmod 755 "$W"
RUN="$W/run"; run_prepare "$RUN"
# On failure show the end of the logs before $W (and with it the logs) is removed.
trap 'rc=$?; if [ "$rc" -ne 0 ]; then for f in "$RUN"/log/*.log; do [ -s "$f" ] && { echo "--- tail $f" >&2; tail -n 15 "$f" >&2; }; done; fi
	http_stop "$RUN"; pg_stop "$RUN/data"; rm -rf "$W"' EXIT
pg_ready "$RUN/data" "$PORT" "$RUN/sock" "$RUN/log/postgres.log"
db_setup "$RUN/sock" "$PORT"; AGINGOS_AUTH_MODE=none db_auth "$RUN/sock" "$PORT"
(db_load_config "$RUN/sock" "$PORT" config/rules.yaml) 2>"$W/config.err" || { cat "$W/config.err" >&2; exit 1; }
AGINGOS_HTTP_THREADS=${AGINGOS_HTTP_THREADS:-32} http_start "$RUN" "$RUN/sock" "$PORT" "$HPORT"
Q() { psql_at "$RUN/sock" "$PORT" agingos -tA -c "$1"; }

echo "== agingos make bench ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'))"
echo
echo "-- 1. HTTP ingest, POST /event, unique ids, 32 connections, ${DUR}s"
echo "   command: wrk -t2 -c32 -d${DUR}s --latency -s test/bench/ingest_post.lua http://127.0.0.1:$HPORT"
wrk -t2 -c32 -d"${DUR}s" --latency -s test/bench/ingest_post.lua "http://127.0.0.1:$HPORT" -- 1 >"$W/wrk.txt" 2>&1
http_rps=$(awk '/Requests\/sec/ {print $2}' "$W/wrk.txt")
p50=$(awk '$1=="50%" {print $2}' "$W/wrk.txt"); p99=$(awk '$1=="99%" {print $2}' "$W/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$W/wrk.txt")
stored=$(Q "select count(*) from agingos.events where event_id like 'wrk-%'")
echo "   POST /event: ${http_rps} events/s, p50 ${p50}, p99 ${p99}, non-2xx ${non2xx:-0}, rows stored ${stored}"
echo "   command: pgbench -n -c32 -j2 -T${DUR} -f test/bench/insert.sql (same table, same indexes)"
cp "$AG_ROOT/test/bench/insert.sql" "$W/insert.sql" && chmod 644 "$W/insert.sql"
as_pg "$PGBIN/pgbench" -n -h "$RUN/sock" -p "$PORT" -U agingos -c32 -j2 -T"$DUR" -f "$W/insert.sql" agingos >"$W/pgb.txt" 2>&1
raw_tps=$(awk '/^tps/ {print $3; exit}' "$W/pgb.txt")
echo "   raw INSERT (pgbench): ${raw_tps} rows/s"
awk -v a="$http_rps" -v b="$raw_tps" 'BEGIN { if (b > 0) printf "   ratio HTTP / raw INSERT: %.2f (target >= 0.9); p99 target < 10 ms\n", a / b }'
echo
echo "-- 2. batch: 100,000 events via POST /events/batch (10 x 10,000) vs COPY of the same rows"
for b in $(seq 0 9); do
	awk -v b="$b" 'BEGIN { printf "["; for (i = 0; i < 10000; i++) printf "%s{\"id\":\"bat-%d-%d\",\"timestamp\":\"2025-12-23T12:%02d:%02dZ\",\"category\":\"presence\",\"payload\":{\"state\":\"on\",\"room\":\"stue\"}}", (i ? "," : ""), b, i, (i / 60) % 60, i % 60; printf "]" }' >"$W/batch$b.json"
done
t0=$(date +%s%N)
for b in $(seq 0 9); do
	curl -sS -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' --data-binary "@$W/batch$b.json" "http://127.0.0.1:$HPORT/events/batch"
done >"$W/batch.codes"
t1=$(date +%s%N)
batch_rate=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", 100000 / (ns / 1e9) }')
echo "   /events/batch: ${batch_rate} events/s (HTTP codes: $(sort "$W/batch.codes" | uniq -c | tr -s ' ' | tr '\n' ' '))"
Q "CREATE TABLE agingos.bench_copy_src AS SELECT 'copy-' || event_id AS event_id, \"timestamp\", category, payload, room_id FROM agingos.events WHERE event_id LIKE 'bat-%'" >/dev/null
Q "COPY (SELECT 'bench-copy', event_id, \"timestamp\", category, payload, room_id, 'prod' FROM agingos.bench_copy_src) TO STDOUT" >"$W/copy.tsv"
t0=$(date +%s%N)
psql_at "$RUN/sock" "$PORT" agingos -c "\\copy agingos.events (home_id, event_id, \"timestamp\", category, payload, room_id, stream_id) FROM '$W/copy.tsv'" >/dev/null
t1=$(date +%s%N)
copy_rate=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", 100000 / (ns / 1e9) }')
echo "   COPY (psql \\copy, same table): ${copy_rate} rows/s"
awk -v a="$batch_rate" -v b="$copy_rate" 'BEGIN { printf "   ratio batch / COPY: %.2f (target >= 0.7)\n", a / b }'
Q "DROP TABLE agingos.bench_copy_src" >/dev/null
echo
echo "-- 3. storage"
Q "VACUUM ANALYZE agingos.events" >/dev/null
# agingos.events is partitioned (docs/scale.md): its size is the sum over its partitions
Q "WITH s AS (SELECT sum(pg_total_relation_size(relid)) AS b FROM pg_partition_tree('agingos.events') WHERE isleaf) SELECT '   events: ' || count(*) || ' rows, table+indexes ' || pg_size_pretty((SELECT b FROM s)) || ', ' || round((SELECT b FROM s)::numeric / count(*)) || ' bytes per stored event (short ids bat-N; 36-character ids: scale section)' FROM agingos.events"
# BENCH_INGEST_ONLY=1: sections 1-3 only (the ingest profile of docs/bench.md section 15)
for extra in test/bench/bench_*.sh; do
	[ -f "$extra" ] && [ "${BENCH_INGEST_ONLY:-0}" != 1 ] || continue
	echo
	RUN="$RUN" PORT="$PORT" HPORT="$HPORT" bash "$extra" || echo "   ($extra stopped with status $?; figures above are still valid)"
done
exit 0	# figures only: a benchmark never fails on speed
