#!/usr/bin/env bash
# 85_notify_relay: agingos-notify against a real receiver (test/notify_receiver.py):
#   - webhook body, X-Agingos-Notification-Id and the HMAC signature
#   - a receiver answering 500, then timing out (1 s relay timeout), then
#     refusing connections:
#     retried with back-off, delivered once, same notification id on every try,
#     no URL secret in any log or last_error
#   - one contact's messages arrive in created_at order
#   - apprise (Debian's apprise command, json:// to the receiver): carer text
#   - dead after notify.max_attempts with one LOG line in the server log
#   - kill -9 of the relay with messages pending: the make-up start
#     (notify_start) brings it back and they are delivered
#   - the database restarting while the relay runs
# Ports: AGINGOS_TEST_NOTIFY_RECEIVER_PORT (default 58091).  The phases are
# seconds long (not the issue's 60 s) to keep make test short; the back-off
# itself is checked in sql/notify.sql.
. "$(dirname "$0")/lib.sh"
. "$AG_ROOT/scripts/lib.sh"
RPORT=${AGINGOS_TEST_NOTIFY_RECEIVER_PORT:-58091}
T=$(mktemp -d /tmp/agingos-notify-e2e.XXXXXX)
RUN=$AG_E2E_RUN
SECRET=e2e-webhook-secret-0123456789
export AGINGOS_WEBHOOK_SECRET=$SECRET AGINGOS_NOTIFY_TIMEOUT_MS=1000 AGINGOS_NOTIFY_POLL_MS=200
RPID=
recv_start() {
	python3 "$AG_ROOT/test/notify_receiver.py" --port "$RPORT" --log "$T/recv.log" --mode-file "$T/mode" \
		--secret "$SECRET" 2>>"$T/recv.err" &
	RPID=$!
	for _ in $(seq 1 50); do port_busy "$RPORT" && return 0; sleep 0.1; done
	echo "# receiver did not start"; cat "$T/recv.err"
}
recv_stop() { [ -n "$RPID" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null; RPID=; }
cleanup() {
	recv_stop
	notify_stop "$RUN"
	sql "SELECT count(agingos.agingos_remove_contact(contact_id)) FROM agingos.contacts WHERE home_id LIKE 'e2e-n%' AND active" >/dev/null
	(cd "$AG_ROOT" && db_load_config "$RUN/sock" "$PGPORT" config/rules.yaml) 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
# wait_sql QUERY SECONDS: until QUERY returns t
wait_sql() {
	local i
	for i in $(seq 1 $(($2 * 10))); do [ "$(sql "$1" 2>/dev/null)" = t ] && return 0; sleep 0.1; done
	return 1
}
open_dev() { # open_dev HOME RULE SEVERITY → deviation_id
	sql "SELECT agingos.agingos_upsert_deviation('$1', '$2', 'default', now(), '$3', 'Ytterdør åpnet om natten',
		'Døren ble åpnet 02:10 og ingen bevegelse etterpå.', '{\"event_ids\": [\"e1\"], \"room_id\": \"gang\"}',
		now() - interval '1 hour', now())" >/dev/null
	sql "SELECT max(deviation_id) FROM agingos.deviations WHERE home_id = '$1' AND rule_id = '$2'"
}
delivered() { jq -s "[.[] | select(.status == 200 and .notification_id == \"$1\")] | length" "$T/recv.log"; }

echo ok >"$T/mode"
recv_start
notify_start "$RUN" "$RUN/sock" "$PGPORT" "$AGINGOS_HTTP_PORT"
C1=$(sql "SELECT agingos.agingos_add_contact('e2e-n1', 'Kari', 'webhook', 'http://127.0.0.1:$RPORT/hook?token=s3cret-in-url')")

# 1. a plain delivery: body, headers, signature
D1=$(open_dev e2e-n1 R-002 HIGH)
N1=$(sql "SELECT notification_id FROM agingos.notifications WHERE deviation_id = $D1 AND contact_id = $C1")
if wait_sql "SELECT status = 'sent' FROM agingos.notifications WHERE notification_id = $N1" 10; then ok "webhook delivered"; else nok "webhook delivered" "$(sql "SELECT status, attempts, last_error FROM agingos.notifications WHERE notification_id = $N1")"; fi
rec=$(jq -c "select(.notification_id == \"$N1\")" "$T/recv.log" | head -1)
check "webhook body: version, kind, ids" "$(echo "$rec" | jq -r '[.body.version, .body.kind, .body.notification_id, .body.home_id, .body.contact.contact_id, .body.deviation.deviation_id] | map(tostring) | join(" ")')" "1 opened $N1 e2e-n1 $C1 $D1"
check "webhook body: section 7 deviation" "$(echo "$rec" | jq -r '.body.deviation | [.rule_id, .severity, .status, .subject_key, (.window | has("since")), (.evidence.event_ids[0])] | map(tostring) | join(" ")')" "R-002 HIGH OPEN default true e1"
check "webhook ack_url" "$(echo "$rec" | jq -r '.body.ack_url | test("^http://127.0.0.1:'"$AGINGOS_HTTP_PORT"'/ack/[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9a-f]{32}$")')" true
check "X-Agingos-Signature is the HMAC of the body" "$(echo "$rec" | jq -r .signature_ok)" true
check "target secret not in the body" "$(echo "$rec" | jq -c .body | grep -c s3cret)" 0

# 2. 500, then timeouts, then refused connections: retried, then delivered once
echo 500 >"$T/mode"
D2=$(open_dev e2e-n1 R-003 MEDIUM)
N2=$(sql "SELECT notification_id FROM agingos.notifications WHERE deviation_id = $D2 AND contact_id = $C1")
wait_sql "SELECT attempts >= 1 FROM agingos.notifications WHERE notification_id = $N2" 15
echo timeout >"$T/mode"
wait_sql "SELECT last_error = 'Timeout was reached' FROM agingos.notifications WHERE notification_id = $N2" 20
recv_stop
wait_sql "SELECT last_error = 'Couldn''t connect to server' FROM agingos.notifications WHERE notification_id = $N2" 30
echo ok >"$T/mode"
recv_start
if wait_sql "SELECT status = 'sent' FROM agingos.notifications WHERE notification_id = $N2" 40; then ok "delivered after 500, timeout and refused"; else nok "delivered after 500, timeout and refused" "$(sql "SELECT status, attempts, last_error FROM agingos.notifications WHERE notification_id = $N2")"; fi
check "the 500 answer was an attempt of the same id" "$(jq -s "[.[] | select(.status == 500 and .notification_id == \"$N2\")] | length >= 1" "$T/recv.log")" true
check "the timeout answers were attempts of the same id" "$(jq -s "[.[] | select(.status == \"timeout\") | .notification_id] | unique == [\"$N2\"]" "$T/recv.log")" true
check "delivered exactly once (2xx)" "$(delivered "$N2")" 1
check "attempts >= 4 (500, timeout, refused, ok)" "$(sql "SELECT attempts >= 4 FROM agingos.notifications WHERE notification_id = $N2")" t
check "every try had X-Agingos-Notification-Id = body.notification_id" \
	"$(jq -s '[.[] | select(.body | type == "object" and has("notification_id")) | (.notification_id == (.body.notification_id | tostring))] | all' "$T/recv.log")" true
check "no URL secret in notify.log, last_error or the server log" \
	"$(cat "$RUN/log/notify.log" "$RUN/log/postgres.log" | grep -c 's3cret'; sql "SELECT count(*) FROM agingos.notifications WHERE last_error LIKE '%s3cret%' OR last_error LIKE '%$RPORT%'")" "0
0"
grep -q "event=retry notification_id=$N2 home_id=\"e2e-n1\" contact_id=$C1 kind=opened" "$RUN/log/notify.log" && ok "retry logged" || nok "retry logged" "no event=retry line"

# 3. order per contact: five messages queued while the receiver is down arrive in order
recv_stop
for r in R-004 R-005 R-006 R-007 R-008; do open_dev e2e-n1 "$r" LOW >/dev/null; done
sleep 1
recv_start
wait_sql "SELECT count(*) = 0 FROM agingos.notifications WHERE contact_id = $C1 AND status = 'pending'" 60
want=$(sql "SELECT string_agg(notification_id::text, ' ' ORDER BY created_at, notification_id) FROM agingos.notifications WHERE contact_id = $C1")
got=$(jq -rs "[.[] | select(.status == 200 and .path == \"/hook?token=s3cret-in-url\") | .notification_id] | join(\" \")" "$T/recv.log")
check "one contact's messages arrive in created_at order" "$got" "$want"

# 4. apprise: json:// to the receiver, title and body in plain words
C2=$(sql "SELECT agingos.agingos_add_contact('e2e-n2', 'Ola', 'apprise', 'json://127.0.0.1:$RPORT/apprise')")
D4=$(open_dev e2e-n2 R-002 HIGH)
if wait_sql "SELECT status = 'sent' FROM agingos.notifications WHERE contact_id = $C2" 30; then ok "apprise delivered"; else nok "apprise delivered" "$(sql "SELECT status, attempts, last_error FROM agingos.notifications WHERE contact_id = $C2")"; fi
rec=$(jq -c 'select(.path == "/apprise")' "$T/recv.log" | head -1)
# the shipped config has locale nb: the frame is Norwegian like the rule texts
check "apprise title" "$(echo "$rec" | jq -r .body.title)" "Ny: Ytterdør åpnet om natten (e2e-n2)"
check "apprise body: what, where, since, link" \
	"$(echo "$rec" | jq -r '.body.message' | sed -E 's/^Siden: .*/Siden: <local time>/; s#/ack/[^ ]+#/ack/<token>#')" \
	"Hva: Ytterdør åpnet om natten (HIGH)
Døren ble åpnet 02:10 og ingen bevegelse etterpå.
Hvor: hjem e2e-n2, rom gang
Siden: <local time>
Kvitter: http://127.0.0.1:$AGINGOS_HTTP_PORT/ack/<token>"

# 5. dead after notify.max_attempts (2 here): one LOG line naming notification and contact
sed 's/^\( *max_attempts:\).*/\1 2/' "$AG_ROOT/config/rules.yaml" >"$T/rules.yaml"
(cd "$AG_ROOT" && db_load_config "$RUN/sock" "$PGPORT" "$T/rules.yaml") 2>/dev/null
check "config with max_attempts 2" "$(sql "SELECT agingos.agingos_config() -> 'notify' ->> 'max_attempts'")" 2
echo 500 >"$T/mode"
D5=$(open_dev e2e-n1 R-009 HIGH)
N5=$(sql "SELECT notification_id FROM agingos.notifications WHERE deviation_id = $D5 AND contact_id = $C1")
if wait_sql "SELECT status = 'dead' FROM agingos.notifications WHERE notification_id = $N5" 20; then ok "dead after max_attempts"; else nok "dead after max_attempts" "$(sql "SELECT status, attempts FROM agingos.notifications WHERE notification_id = $N5")"; fi
check "dead: attempts and last_error" "$(sql "SELECT attempts || ' ' || last_error FROM agingos.notifications WHERE notification_id = $N5")" "2 HTTP 500"
sleep 0.5
check "one server LOG line for the dead message" "$(grep -c "LOG:  agingos notify dead notification_id=$N5 home_id=\"e2e-n1\" contact_id=$C1 " "$RUN/log/postgres.log")" 1
check "one relay line for the dead message" "$(grep -c "event=dead notification_id=$N5 " "$RUN/log/notify.log")" 1
(cd "$AG_ROOT" && db_load_config "$RUN/sock" "$PGPORT" config/rules.yaml) 2>/dev/null
echo ok >"$T/mode"

# 6. kill -9 of the relay with messages pending; notify_start (what make up runs) restarts it
pid=$(cat "$RUN/notify.pid")
{ kill -9 "$pid"; wait "$pid"; } 2>/dev/null
for r in R-001 R-010; do open_dev e2e-n1 "$r" MEDIUM >/dev/null; done
check "messages pending while the relay is dead" "$(sql "SELECT count(*) FROM agingos.notifications WHERE contact_id = $C1 AND status = 'pending'")" 2
notify_start "$RUN" "$RUN/sock" "$PGPORT" "$AGINGOS_HTTP_PORT"
if wait_sql "SELECT count(*) = 0 FROM agingos.notifications WHERE contact_id = $C1 AND status = 'pending'" 20; then ok "pending messages delivered after kill -9 and restart"; else nok "pending messages delivered after kill -9 and restart" "still pending"; fi
check "each delivered once" "$(jq -s '[.[] | select(.status == 200 and .path == "/hook?token=s3cret-in-url") | .notification_id] | (length == (unique | length))' "$T/recv.log")" true

# 7. the database restarts while the relay runs: it reconnects and goes on
db_stop
sleep 1.5
db_start
for _ in $(seq 1 50); do sql "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
D7=$(open_dev e2e-n1 R-004 HIGH)
if wait_sql "SELECT bool_and(status = 'sent') FROM agingos.notifications WHERE deviation_id = $D7" 20; then ok "delivered after a database restart"; else nok "delivered after a database restart" "$(sql "SELECT status FROM agingos.notifications WHERE deviation_id = $D7")"; fi
grep -q 'event=db_lost' "$RUN/log/notify.log" && grep -c 'event=db_connected' "$RUN/log/notify.log" | grep -qv '^1$' && ok "relay logged db_lost and reconnected" || nok "relay logged db_lost and reconnected" "$(tail -5 "$RUN/log/notify.log")"
kill -0 "$(cat "$RUN/notify.pid")" 2>/dev/null && ok "relay still running" || nok "relay still running" "it exited"
