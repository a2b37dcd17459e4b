#!/usr/bin/env bash
# scripts/demo.sh — make demo: make up, then three simulated homes (demo-1,
# demo-2, demo-3) live through 3 quiet days and a fourth day with one
# anomaly each, in the database's time warp (agingos-sim --mode db, one
# scheduler tick per 5 simulated minutes, the last one at the end of the
# period), then the active deviations: a psql query and GET /deviations,
# and the messages carers would have received (agingos-notify delivering to
# a local receiver, printed).
#
# The period ends at the wall clock (rounded down to 5 minutes), so the live
# system carries on from there.  Gated rules need 3 days of history, hence
# the quiet days.  The anomalies are placed so their deviations are still
# active at the end:
#   demo-1  R-002 the front door opened at night (23:00-06:00 local); when
#           no such night lies in the last 15 hours: R-003 door, then no
#           motion, 90 minutes before the end
#   demo-2  R-004 100 minutes in the bathroom, from 150 minutes before the end
#   demo-3  R-008 the door opened and closed four times, 45 minutes before the end
. "$(dirname "$0")/lib.sh"
"$AG_ROOT/scripts/up.sh" || exit 1
BASE="http://127.0.0.1:$AGINGOS_HTTP_PORT"
RUN=$(run_dir)
Q() { psql_at "$RUN/sock" "$AGINGOS_PGPORT" agingos "$@"; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

end=$(($(date +%s) / 300 * 300))
night=$((end - 20 * 60))
hm=$(TZ=Europe/Oslo date -d "@$night" +%H%M)
if [ "$hm" -ge 2300 ] || [ "$hm" -lt 0600 ]; then
	first="R-002@$(iso "$night"):1"
else
	# 05:40 local of the end's date: the latest night instant before it
	night=$(TZ=Europe/Oslo date -d "$(TZ=Europe/Oslo date -d "@$end" +%F) 05:40" +%s)
	if [ $((end - night)) -le $((15 * 3600)) ]; then
		first="R-002@$(iso "$night"):1"
	else
		first="R-003@$(iso $((end - 90 * 60))):1"
	fi
fi
INJECT="$first,R-004@$(iso $((end - 150 * 60))):2,R-008@$(iso $((end - 45 * 60))):3"

echo
echo "== 3 homes, 4 simulated days ending now, one anomaly each: $INJECT"
HOMES=3 DAYS=4 SEED=1 MODE=db PREFIX=demo- START="$(iso $((end - 4 * 86400)))" INJECT="$INJECT" \
	"$AG_ROOT/scripts/sim.sh" || exit 1

echo
echo "== active deviations (psql)"
Q <<'SQL'
SELECT home_id, rule_id, severity, status, agingos_iso(started_at) AS started_at, title
FROM agingos.deviations
WHERE home_id LIKE 'demo-%' AND status IN ('OPEN', 'ACK')
ORDER BY home_id, array_position(ARRAY['HIGH', 'MEDIUM', 'LOW'], severity), rule_id;
SQL
echo "== GET $BASE/deviations"
if [ "$AGINGOS_AUTH_MODE" = api_key ]; then
	for h in demo-1 demo-2 demo-3; do
		key=$(echo "SELECT agingos.agingos_create_api_key(:'h', 'read')" | Q -tA -v h="$h")
		echo "-- $h (a read key for this home)"
		curl -sS -H "X-API-Key: $key" "$BASE/deviations" |
			jq -c '.[] | {rule_id, severity, status, started_at, title}'
	done
else
	echo "(auth is off: every caller is home \"default\", so the demo homes are not visible over HTTP;"
	echo " with AGINGOS_AUTH_MODE=api_key the demo asks with a read key per home)"
	curl -sS "$BASE/deviations" | jq -c '.[] | {home_id, rule_id, severity, status, started_at}'
fi

# What the carers would have received (docs/notifications.md): two contacts
# per demo home — a daughter on a webhook (level 0) and a neighbour through
# Apprise (level 1, told after notify.escalate_after_minutes without an ACK)
# — both pointing at a local receiver that prints each message.  The
# contacts are added now, so the active deviations reach them as late first
# messages (agingos_notify_due at the wall clock), and removed again after.
RPORT=${AGINGOS_DEMO_RECEIVER_PORT:-8025}
echo
echo "== what the carers would have received (agingos-notify -> local receiver on 127.0.0.1:$RPORT)"
if port_busy "$RPORT"; then
	echo "(port $RPORT is busy: set AGINGOS_DEMO_RECEIVER_PORT to a free port to see the messages)"
else
	RT=$(mktemp -d /tmp/agingos-demo-recv.XXXXXX)
	python3 "$AG_ROOT/test/notify_receiver.py" --port "$RPORT" --log "$RT/log" --print >"$RT/out" 2>/dev/null &
	rpid=$!
	for _ in $(seq 1 30); do port_busy "$RPORT" && break; sleep 0.1; done
	Q -tA -v rport="$RPORT" >/dev/null <<'SQL'
SELECT agingos.agingos_add_contact(h, 'Kari (daughter)', 'webhook', 'http://127.0.0.1:' || :'rport' || '/kari'),
	   agingos.agingos_add_contact(h, 'Ola (neighbour)', 'apprise', 'json://127.0.0.1:' || :'rport' || '/ola', 1)
  FROM unnest(ARRAY['demo-1', 'demo-2', 'demo-3']) h;
SELECT agingos.agingos_notify_due(h, now()) FROM unnest(ARRAY['demo-1', 'demo-2', 'demo-3']) h;
SQL
	for _ in $(seq 1 300); do
		left=$(Q -tA -c "SELECT count(*) FROM agingos.notifications n JOIN agingos.contacts c USING (home_id, contact_id)
			WHERE c.home_id LIKE 'demo-%' AND c.active AND n.status = 'pending'")
		[ "$left" = 0 ] && break
		sleep 0.1
	done
	[ "$left" = 0 ] || echo "($left messages still pending: is agingos-notify running? see .run/log/notify.log)"
	cat "$RT/out"
	Q -tA -c "SELECT count(agingos.agingos_remove_contact(contact_id)) FROM agingos.contacts WHERE home_id LIKE 'demo-%' AND active" >/dev/null
	kill "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null
	rm -rf "$RT"
	echo "(the demo contacts are removed again; add your own with agingos_add_contact, docs/notifications.md)"
fi
echo
echo "agingos is up: $BASE  (make psql, make logs, make down).  The demo homes stop sending now;"
echo "in 76 minutes R-009 (ingest stopped) reports each of them."
