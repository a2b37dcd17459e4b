#!/usr/bin/env bash
# scripts/demo.sh — make demo: make up, then post the example events of
# test/fixtures/events over HTTP (as a sensor integration would) and show
# what was stored.  The simulator replaces these fixtures later.
. "$(dirname "$0")/lib.sh"
"$AG_ROOT/scripts/up.sh" || exit 1
BASE="http://127.0.0.1:$AGINGOS_HTTP_PORT"
KEYHDR=()
[ "$AGINGOS_AUTH_MODE" = api_key ] && KEYHDR=(-H "X-API-Key: ${AGINGOS_API_KEY:?set AGINGOS_API_KEY for api_key mode}")
echo
echo "== POST $BASE/event, one request per file in test/fixtures/events"
for f in "$AG_ROOT"/test/fixtures/events/*.json; do
	code=$(curl -sS -o /tmp/agingos-demo.$$ -w '%{http_code}' -X POST "${KEYHDR[@]}" \
		-H 'Content-Type: application/json' --data-binary "@$f" "$BASE/event")
	printf '%-45s %s %s\n' "$(basename "$f")" "$code" "$(cat /tmp/agingos-demo.$$)"
done
rm -f /tmp/agingos-demo.$$
echo
echo "== one bad event (no UTC offset) is refused with a clear error"
curl -sS -X POST "${KEYHDR[@]}" -H 'Content-Type: application/json' \
	-d '{"id":"demo-naive","timestamp":"2025-12-14T20:00:00","category":"motion"}' "$BASE/event" | jq .
echo
echo "== make psql SQL=\"select count(*) from events;\""
"$AG_ROOT/scripts/psql.sh" -c "select count(*) from events;"
echo "== the stored events, oldest first"
"$AG_ROOT/scripts/psql.sh" -c "select event_id, agingos_iso(\"timestamp\") as timestamp, category, room_id, payload from events order by \"timestamp\", event_id;"
echo "== GET $BASE/events?limit=3"
curl -sS "${KEYHDR[@]}" "$BASE/events?limit=3" | jq -c '.[]'
echo
echo "agingos is up: http://127.0.0.1:$AGINGOS_HTTP_PORT  (make psql, make logs, make down)"
