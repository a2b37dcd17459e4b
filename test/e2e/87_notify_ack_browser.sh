#!/usr/bin/env bash
# 87_notify_ack_browser: the ACK link in a real browser.  A deviation is
# delivered to a webhook receiver; headless Chromium (Debian chromium,
# driven by chromedriver over its WebDriver HTTP API with curl) opens the
# message's ack_url, sees what/where/since, presses the button, and the
# deviation is ACK with actor contact:<id> (the page in the shipped config's
# locale, nb).  Forged and expired links give
# the 404 and 410 pages and change nothing.
# Ports: AGINGOS_TEST_NOTIFY_RECEIVER_PORT (default 58091) and
# AGINGOS_TEST_CHROMEDRIVER_PORT (default 58093).
. "$(dirname "$0")/lib.sh"
. "$AG_ROOT/scripts/lib.sh"
RPORT=${AGINGOS_TEST_NOTIFY_RECEIVER_PORT:-58091}
CDPORT=${AGINGOS_TEST_CHROMEDRIVER_PORT:-58093}
RUN=$AG_E2E_RUN
T=$(mktemp -d /tmp/agingos-ack-e2e.XXXXXX)
CD=$(command -v chromedriver)
BROWSER=$(command -v chromium)
[ -n "$CD" ] && [ -n "$BROWSER" ] || { nok "chromium and chromedriver installed" "missing (scripts/deps.sh installs chromium chromium-driver)"; exit 0; }
export AGINGOS_NOTIFY_POLL_MS=200
cleanup() {
	[ -n "${SID:-}" ] && curl -s -X DELETE "http://127.0.0.1:$CDPORT/session/$SID" >/dev/null
	[ -n "${CDPID:-}" ] && kill "$CDPID" 2>/dev/null && wait "$CDPID" 2>/dev/null
	[ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
	notify_stop "$RUN"
	sql "SELECT count(agingos.agingos_remove_contact(contact_id)) FROM agingos.contacts WHERE home_id = 'e2e-ack' AND active" >/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
wait_sh() { local n=$(($1 * 10)); shift; for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done; return 1; }
wd() { # wd METHOD PATH [JSON]: one WebDriver call, prints the JSON answer
	curl -sS -X "$1" "http://127.0.0.1:$CDPORT$2" -H 'Content-Type: application/json' ${3:+-d "$3"}
}
python3 "$AG_ROOT/test/notify_receiver.py" --port "$RPORT" --log "$T/recv.log" 2>/dev/null &
RPID=$!
notify_start "$RUN" "$RUN/sock" "$PGPORT" "$AGINGOS_HTTP_PORT"
C=$(sql "SELECT agingos.agingos_add_contact('e2e-ack', 'Kari Nordmann', 'webhook', 'http://127.0.0.1:$RPORT/kari')")
sql "SELECT agingos.agingos_upsert_deviation('e2e-ack', 'R-004', 'default', now(), 'MEDIUM', 'Lenge på badet',
	'100 minutter på badet uten bevegelse.', '{\"event_ids\": [\"b1\"], \"room_id\": \"bad\"}', now() - interval '2 hours', now())" >/dev/null
D=$(sql "SELECT max(deviation_id) FROM agingos.deviations WHERE home_id = 'e2e-ack'")
got_url() { [ -n "$(jq -r 'select(.path == "/kari") | .body.ack_url' "$T/recv.log" 2>/dev/null | head -1)" ]; }
wait_sh 20 got_url
URL=$(jq -r 'select(.path == "/kari") | .body.ack_url' "$T/recv.log" | head -1)
check "ack_url delivered" "$(echo "$URL" | grep -c "^$BASE/ack/$D\\.$C\\.")" 1

"$CD" --port="$CDPORT" >"$T/chromedriver.log" 2>&1 &
CDPID=$!
wait_sh 10 curl -fs -o /dev/null "http://127.0.0.1:$CDPORT/status"
caps=$(jq -nc --arg bin "$BROWSER" --arg dir "$T/profile" '{capabilities: {alwaysMatch: {"goog:chromeOptions": {binary: $bin,
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
		   "--disable-sync", "--no-first-run", "--user-data-dir=\($dir)"]}}}}')
SID=$(wd POST /session "$caps" | jq -r '.value.sessionId // empty')
if [ -n "$SID" ]; then ok "headless chromium session"; else nok "headless chromium session" "$(tail -5 "$T/chromedriver.log")"; exit 0; fi
wd POST "/session/$SID/url" "$(jq -nc --arg u "$URL" '{url: $u}')" >/dev/null
elem() { wd POST "/session/$SID/element" "{\"using\":\"css selector\",\"value\":\"$1\"}" | jq -r '.value | to_entries[0].value // empty'; }
text_of() { local e; e=$(elem "$1"); [ -n "$e" ] && wd GET "/session/$SID/element/$e/text" | jq -r .value; }
check "page title" "$(wd GET "/session/$SID/title" | jq -r .value)" "Lenge på badet"
check "page: what, where, since" "$(text_of dl | tr '\n' '|' | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}/<time>/')" \
	"Hva|Lenge på badet (MEDIUM)|100 minutter på badet uten bevegelse.|Hvor|hjem e2e-ack, rom bad|Siden|<time> (Europe/Oslo)|Status|OPEN|"
check "still OPEN before the button" "$(sql "SELECT status FROM agingos.deviations WHERE deviation_id = $D")" OPEN
B=$(elem '#ack')
wd POST "/session/$SID/element/$B/click" '{}' >/dev/null
has_result() { [ -n "$(elem '#result')" ]; }
wait_sh 10 has_result
check "page after the button" "$(text_of '#result' | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}/<time>/')" "Kvittert av Kari Nordmann <time> (Europe/Oslo)."
check "deviation ACK" "$(sql "SELECT status FROM agingos.deviations WHERE deviation_id = $D")" ACK
check "history actor contact:<id>" "$(sql "SELECT actor FROM agingos.deviation_history WHERE deviation_id = $D AND reason = 'ack'")" "contact:$C"
acked() { jq -se '[.[] | select(.path == "/kari" and .body.kind == "acked")] | length == 1' "$T/recv.log" >/dev/null 2>&1; }
if wait_sh 20 acked; then ok "the acked message went out"; else nok "the acked message went out" "none"; fi

# forged and expired links: clear pages, nothing changes
s=$(curl -s -o "$T/forged.html" -w '%{http_code} %{content_type}' "${URL%?}$( [ "${URL: -1}" = 0 ] && echo 1 || echo 0)")
check "forged link 404 HTML" "$s" "404 text/html; charset=utf-8"
check "forged page says nothing changed" "$(grep -c 'Ingenting ble endret' "$T/forged.html")" 1
sql "SELECT agingos.agingos_upsert_deviation('e2e-ack', 'R-005', 'default', now(), 'LOW', 't', 'e', '{}', now() - interval '1 hour', now())" >/dev/null
D2=$(sql "SELECT max(deviation_id) FROM agingos.deviations WHERE home_id = 'e2e-ack' AND rule_id = 'R-005'")
OLD=$(sql "SELECT agingos.agingos_ack_token($D2, $C, now() - interval '1 minute')")
check "expired link 410" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/ack/$OLD")" 410
check "expired link changed nothing" "$(sql "SELECT status FROM agingos.deviations WHERE deviation_id = $D2")" OPEN
check "a JSON body on POST /ack is 415" "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "$URL")" 415
