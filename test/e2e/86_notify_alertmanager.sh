#!/usr/bin/env bash
# 86_notify_alertmanager: a real Alertmanager (Debian prometheus-alertmanager,
# own port and storage under the test's tmp dir, no cluster) as a contact:
# agingos-notify posts the deviations to /api/v2/alerts with the labels and
# annotations of contract.md section 10, Alertmanager groups the two alerts
# of one home into one notification to its webhook receiver, and the CLOSE
# (endsAt) resolves the alert there.
# Ports: AGINGOS_TEST_ALERTMANAGER_PORT (default 58092) and
# AGINGOS_TEST_AM_RECEIVER_PORT (default 58094) for Alertmanager's own receiver.
. "$(dirname "$0")/lib.sh"
. "$AG_ROOT/scripts/lib.sh"
AMPORT=${AGINGOS_TEST_ALERTMANAGER_PORT:-58092}
RPORT=${AGINGOS_TEST_AM_RECEIVER_PORT:-58094}
RUN=$AG_E2E_RUN
T=$(mktemp -d /tmp/agingos-am-e2e.XXXXXX)
AM=$(command -v prometheus-alertmanager || command -v alertmanager)
[ -n "$AM" ] || { nok "alertmanager installed" "prometheus-alertmanager not found (scripts/deps.sh installs it)"; exit 0; }
export AGINGOS_NOTIFY_POLL_MS=200 AGINGOS_NOTIFY_AM_RESEND_S=5
cleanup() {
	[ -n "${AMPID:-}" ] && kill "$AMPID" 2>/dev/null && wait "$AMPID" 2>/dev/null
	[ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
	notify_stop "$RUN"
	sql "SELECT count(agingos.agingos_remove_contact(contact_id)) FROM agingos.contacts WHERE home_id = 'e2e-am' AND active" >/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
wait_sh() { # wait_sh SECONDS CMD…: until CMD succeeds
	local n=$(($1 * 10)); shift
	for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}
cat >"$T/am.yml" <<YML
route:
  receiver: carers
  group_by: [home_id]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: carers
    webhook_configs:
      - url: http://127.0.0.1:$RPORT/am
        send_resolved: true
YML
python3 "$AG_ROOT/test/notify_receiver.py" --port "$RPORT" --log "$T/am.log" 2>/dev/null &
RPID=$!
"$AM" --config.file="$T/am.yml" --storage.path="$T/data" --web.listen-address="127.0.0.1:$AMPORT" \
	--cluster.listen-address= --log.level=warn >"$T/am.out" 2>&1 &
AMPID=$!
if wait_sh 20 curl -fs -o /dev/null "http://127.0.0.1:$AMPORT/-/ready"; then ok "alertmanager ready"; else nok "alertmanager ready" "$(tail -3 "$T/am.out")"; exit 0; fi
notify_start "$RUN" "$RUN/sock" "$PGPORT" "$AGINGOS_HTTP_PORT"
C=$(sql "SELECT agingos.agingos_add_contact('e2e-am', 'Vakt', 'alertmanager', 'http://127.0.0.1:$AMPORT')")
open_dev() {
	sql "SELECT agingos.agingos_upsert_deviation('e2e-am', '$1', 'default', now(), '$2', '$3', 'Forklaring $1.', '{}',
		now() - interval '1 hour', now())" >/dev/null
	sql "SELECT max(deviation_id) FROM agingos.deviations WHERE home_id = 'e2e-am' AND rule_id = '$1'"
}
D1=$(open_dev R-002 HIGH "Ytterdør åpnet om natten")
D2=$(open_dev R-008 MEDIUM "Døren åpnet mange ganger")
alerts() { curl -fsS "http://127.0.0.1:$AMPORT/api/v2/alerts?active=true&filter=home_id%3D%22e2e-am%22"; }
have2() { [ "$(alerts | jq length)" = 2 ]; }
if wait_sh 20 have2; then ok "two alerts active in alertmanager"; else nok "two alerts active in alertmanager" "$(alerts)"; fi
check "labels of the HIGH alert" "$(alerts | jq -c ".[] | select(.labels.deviation_id == \"$D1\") | .labels")" \
	"{\"alertname\":\"R-002\",\"deviation_id\":\"$D1\",\"home_id\":\"e2e-am\",\"rule_id\":\"R-002\",\"severity\":\"high\",\"subject_key\":\"default\"}"
check "annotations" "$(alerts | jq -r ".[] | select(.labels.deviation_id == \"$D1\") | .annotations | [.title, .explanation, .status, (.ack_url | test(\"/ack/$D1\\\\.$C\\\\.\"))] | map(tostring) | join(\"|\")")" \
	"Ytterdør åpnet om natten|Forklaring R-002.|OPEN|true"
grouped() { jq -se '[.[] | select(.body.status == "firing" and (.body.alerts | length) == 2)] | length >= 1' "$T/am.log" >/dev/null 2>&1; }
if wait_sh 20 grouped; then ok "alertmanager grouped both alerts of the home into one notification"; else nok "grouped notification" "$(cat "$T/am.log" 2>/dev/null | head -3)"; fi
check "group key is the home" "$(jq -rs '[.[] | .body.groupLabels.home_id] | unique | join(",")' "$T/am.log")" e2e-am
sql "SELECT (agingos.agingos_close($D1, 'e2e-am')).status" >/dev/null
one_left() { [ "$(alerts | jq -r '[.[].labels.rule_id] | join(",")')" = R-008 ]; }
if wait_sh 20 one_left; then ok "CLOSE resolves the alert (endsAt)"; else nok "CLOSE resolves the alert" "$(alerts | jq -c '[.[].labels.rule_id]')"; fi
resolved() { jq -se "[.[] | .body.alerts[]? | select(.labels.deviation_id == \"$D1\" and .status == \"resolved\")] | length >= 1" "$T/am.log" >/dev/null 2>&1; }
if wait_sh 20 resolved; then ok "alertmanager sent the resolved notification"; else nok "resolved notification" "none"; fi
# re-sent while active: the relay posts the active alert again (every AGINGOS_NOTIFY_AM_RESEND_S)
ends1=$(alerts | jq -r '.[0].endsAt')
sleep 6
ends2=$(alerts | jq -r '.[0].endsAt')
if [ "$ends2" \> "$ends1" ]; then ok "active alert re-sent (endsAt moved on)"; else nok "active alert re-sent" "endsAt $ends1 then $ends2"; fi
check "all outbox rows sent" "$(sql "SELECT string_agg(DISTINCT status, ',') FROM agingos.notifications WHERE contact_id = $C")" sent
