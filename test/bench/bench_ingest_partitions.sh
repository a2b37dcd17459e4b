#!/usr/bin/env bash
# test/bench/bench_ingest_partitions.sh — "-- ingest and partitions" of make bench (issue 14):
# figures, never pass/fail.  What the dedupe probe across the day partitions of agingos.events
# costs (docs/scale.md "Dedupe and 409 across partitions"): BENCH_INGEST_N (2,000) single
# agingos_ingest calls in one DO block and the same number of plain INSERTs, with the
# partitions there are, then with every day of retention made (26 past days more), then one
# agingos_ingest_batch of the same size.  Run by test/bench/bench.sh with RUN and PORT of its
# throwaway cluster, or alone: RUN=<dir with sock/> PORT=<port> test/bench/bench_ingest_partitions.sh
# It writes to agingos.events of that database (home bench-partitions only; its rows and the
# partitions it made are removed at the end): never point it at a database you care about.
. "$(dirname "$0")/../../scripts/lib.sh"
: "${RUN:?RUN (cluster dir) is required; run through make bench}" "${PORT:?PORT is required}"
cd "$AG_ROOT" || exit 1
export PGOPTIONS='-c client_min_messages=warning'
N=${BENCH_INGEST_N:-2000}
DB=${BENCH_SCALE_DB:-agingos}
Q() { psql_at "$RUN/sock" "$PORT" "$DB" -v ON_ERROR_STOP=1 -tA "$@"; }
ms() { awk '/^Time:/ {print $2}' | tail -1; }

echo
echo "-- ingest and partitions (issue 14): $N single agingos_ingest vs $N plain INSERT, by number of partitions"
echo "   command: RUN=$RUN PORT=$PORT test/bench/bench_ingest_partitions.sh; load: $(uptime | sed 's/.*load average: //')"
Q -c "SELECT agingos.agingos_partition_maintenance() IS NOT NULL" >/dev/null || exit 1
run() { # $1 label, $2 id prefix
	local parts one raw
	parts=$(Q -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'agingos.events'::regclass")
	one=$(Q <<SQL | ms
\\timing on
DO \$\$ BEGIN FOR i IN 1 .. $N LOOP PERFORM agingos.agingos_ingest(format('{"id": "$2-%s", "timestamp": "%s", "category": "motion", "payload": {"room": "kitchen"}}', i, to_char((now() - interval '1 hour' + i * interval '100 ms') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), 'bench-partitions'); END LOOP; END \$\$;
SQL
)
	raw=$(Q <<SQL | ms
\\timing on
DO \$\$ BEGIN FOR i IN 1 .. $N LOOP INSERT INTO agingos.events (home_id, event_id, "timestamp", category, payload) VALUES ('bench-partitions', '$2-raw-' || i, now() - interval '1 hour', 'motion', '{"room": "kitchen"}'); END LOOP; END \$\$;
SQL
)
	awk -v l="$1" -v p="$parts" -v a="$one" -v b="$raw" -v n="$N" 'BEGIN { printf "   %s (%d partitions incl. DEFAULT): agingos_ingest %.0f us/event, plain INSERT %.0f us/event, ratio %.1f\n", l, p, a * 1000 / n, b * 1000 / n, a / b }'
}
run "as made by maintenance" a
made=$(Q <<'SQL'
SET TimeZone = 'UTC';
SELECT string_agg(d::date::text, ',') FROM generate_series(date_trunc('day', now()) - interval '30 days', date_trunc('day', now()) - interval '5 days', interval '1 day') d
 WHERE NOT EXISTS (SELECT 1 FROM agingos.agingos_event_partitions() p WHERE p.starts = d);
SELECT partman.create_partition_time('agingos.events', (SELECT array_agg(d) FROM generate_series(date_trunc('day', now()) - interval '30 days', date_trunc('day', now()) - interval '5 days', interval '1 day') d), false);
SQL
)
run "every day of 30 days' retention" b
batch=$(Q -v n="$N" <<'SQL' | ms
\timing on
SELECT length(agingos.agingos_ingest_batch((SELECT json_agg(json_build_object('id', 'c-' || i, 'timestamp', to_char((now() - interval '2 hours' + i * interval '100 ms') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'category', 'motion'))::text FROM generate_series(1, :n) i), 'bench-partitions')::text) > 0;
SQL
)
awk -v a="$batch" -v n="$N" 'BEGIN { printf "   one agingos_ingest_batch of %d events, same partitions: %.0f us/event\n", n, a * 1000 / n }'
# clean up: this home's rows, and the days this script made (empty again)
Q -v made="$(echo "$made" | head -1)" >/dev/null <<'SQL'
DELETE FROM agingos.events WHERE home_id = 'bench-partitions';
DO $$ BEGIN DELETE FROM agingos.homes h WHERE h.home_id = 'bench-partitions'; EXCEPTION WHEN foreign_key_violation THEN NULL; END $$;
SELECT format('DROP TABLE %s', p.partition) FROM agingos.agingos_event_partitions() p
 WHERE p.starts::date::text = ANY (string_to_array(:'made', ','))
\gexec
SQL
