#!/usr/bin/env bash
# test/bench/bench_notify.sh — "-- 7. notifications" of make bench: figures, never pass/fail.
# Run by test/bench/bench.sh with RUN, PORT and HPORT of its throwaway cluster
# (docs/notifications.md, "Tests and figures").
#   1,000 homes ntf-0001 … ntf-1000 with two webhook contacts each; 1,000 deviations
#   opened in one transaction through the tick's own upsert (agingos_upsert_deviation,
#   which writes the 2,000 "opened" rows), a receiver (test/notify_receiver.py) answering
#   every POST after 200 ms; agingos-notify with its defaults (64 in parallel).
#   Figures: time from the commit until all 2,000 messages are sent (target <= 30 s),
#   messages/s, the relay's peak RSS (VmHWM).  Everything it adds is removed afterwards.
# Port: AGINGOS_BENCH_NOTIFY_PORT (default 58095) for the receiver.
. "$(dirname "$0")/../../scripts/lib.sh"
: "${RUN:?RUN (cluster dir) is required; run through make bench}" "${PORT:?PORT is required}" "${HPORT:?HPORT is required}"
cd "$AG_ROOT" || exit 1
RPORT=${AGINGOS_BENCH_NOTIFY_PORT:-58095}
N=${BENCH_NOTIFY_HOMES:-1000}
export PGOPTIONS='-c client_min_messages=warning'
Q() { psql_at "$RUN/sock" "$PORT" agingos -tA "$@"; }
T=$(mktemp -d /tmp/agingos-bench-notify.XXXXXX)
cleanup() {
	[ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
	notify_stop "$RUN"
	Q >/dev/null <<'SQL'
DELETE FROM agingos.notifications WHERE home_id LIKE 'ntf-%';
DELETE FROM agingos.contacts WHERE home_id LIKE 'ntf-%';
DELETE FROM agingos.deviation_history WHERE home_id LIKE 'ntf-%';
DELETE FROM agingos.deviations WHERE home_id LIKE 'ntf-%';
DELETE FROM agingos.homes WHERE home_id LIKE 'ntf-%';
SQL
	rm -rf "$T"
}
trap cleanup EXIT

echo "-- 7. notifications: $N deviations in one transaction, $N homes x 2 webhook contacts, receiver answering in 200 ms"
echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores; the machine is shared)"
echo "delay=0.2" >"$T/mode"
python3 test/notify_receiver.py --port "$RPORT" --log "$T/recv.log" --mode-file "$T/mode" 2>/dev/null &
RPID=$!
for _ in $(seq 1 50); do port_busy "$RPORT" && break; sleep 0.1; done
Q -v n="$N" -v rport="$RPORT" >/dev/null <<'SQL'
SELECT count(agingos.agingos_add_contact(h, c, 'webhook', 'http://127.0.0.1:' || :'rport' || '/' || h || '/' || c))
  FROM (SELECT format('ntf-%s', lpad(i::text, 4, '0')) AS h FROM generate_series(1, :n) i) homes,
	   unnest(ARRAY['a', 'b']) c;
SQL
AGINGOS_LOG_LEVEL=warn notify_start "$RUN" "$RUN/sock" "$PORT" "$HPORT"
pid=$(cat "$RUN/notify.pid")
echo "   command: SELECT agingos_upsert_deviation('ntf-NNNN', 'R-002', …, now(), 'HIGH', …) for $N homes in one statement;"
echo "            then poll SELECT count(*) … status = 'sent' every 0.2 s; relay RSS from /proc/<pid>/status"
t0=$(date +%s%N)
Q -v n="$N" >/dev/null <<'SQL'
SELECT count(agingos.agingos_upsert_deviation(format('ntf-%s', lpad(i::text, 4, '0')), 'R-002', 'default', now(), 'HIGH',
	'Ytterdør åpnet om natten', 'Benchmark.', '{"event_ids": []}', now() - interval '1 hour', now()))
  FROM generate_series(1, :n) i;
SQL
t1=$(date +%s%N)
want=$((N * 2))
sent=0
for _ in $(seq 1 600); do
	sent=$(Q -c "SELECT count(*) FROM agingos.notifications WHERE home_id LIKE 'ntf-%' AND status = 'sent'")
	[ "$sent" -ge "$want" ] && break
	sleep 0.2
done
t2=$(date +%s%N)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
awk -v a=$((t1 - t0)) -v b=$((t2 - t1)) -v s="$sent" -v w="$want" 'BEGIN {
	printf "   the transaction (1,000 upserts + %d outbox rows): %.2f s\n", w, a / 1e9
	printf "   all %d messages sent %.2f s after the commit (target <= 30 s): %d sent, %.0f messages/s\n", w, b / 1e9, s, s / (b / 1e9) }'
echo "   receiver got $(grep -c '"status": 200' "$T/recv.log") POSTs ($(jq -r .notification_id "$T/recv.log" | sort -u | wc -l) distinct notification ids)"
echo "   agingos-notify memory: peak RSS (VmHWM) ${hwm:-?} kB, RSS at the end ${rss:-?} kB"
