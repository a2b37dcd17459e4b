#!/usr/bin/env bash
# 35_access_http: access control over HTTP (contract.md section 12,
# docs/security.md): the stored auth mode fails closed, make up keeps it and
# refuses weak keys, carer and multi-home keys, home_id narrowing (404),
# revocation, wrong keys logged and held, the per-key rate limit (429 AG429).
. "$(dirname "$0")/lib.sh"
LOG="$AG_E2E_RUN/log/http.log"
GUARD_PORT=${AGINGOS_TEST_GUARD_HTTP_PORT:-58086}

# curl_patch PATH BODY: PATCH, prints "STATUS BODY".
curl_patch() {
	curl -sS -o /tmp/ag_e2e_body.$$ -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' \
		${AG_KEY:+-H "X-API-Key: $AG_KEY"} --data-binary "$2" "$BASE$1"
	printf ' %s' "$(tr -d '\n' </tmp/ag_e2e_body.$$)"
	rm -f /tmp/ag_e2e_body.$$
}

sql "UPDATE agingos.settings SET value = 'api_key' WHERE name = 'auth_mode'" >/dev/null
carer=$(sql "SELECT agingos_create_api_key(ARRAY['acc-a', 'acc-b'], 'carer', 'e2e carer')")
ingest_b=$(sql "SELECT agingos_create_api_key('acc-b', 'ingest')")
read_a=$(sql "SELECT agingos_create_api_key('acc-a', 'read')")
EV='{"id": "acc-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}'

# 1. the stored mode fails closed; /health never needs a key
sql "UPDATE agingos.settings SET value = 'api_key ' WHERE name = 'auth_mode'" >/dev/null
r=$(AG_KEY=$read_a get /events)
check "stored mode 'api_key ' (trailing space): 401" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "401 28000"
sql "DELETE FROM agingos.settings WHERE name = 'auth_mode'" >/dev/null
r=$(get /events)
check "no stored mode: 401 without a key" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "401 28000"
r=$(post /event "$EV")
check "no stored mode: POST /event 401, nothing stored" "$(status_of "$r") $(sql "select count(*) from events where event_id = 'acc-1'")" "401 0"
r=$(get /health)
check "no stored mode: GET /health still 200" "$(status_of "$r")" 200
# make up (db_auth) without AGINGOS_AUTH_MODE leaves the stored value alone, with a warning
out=$(cd "$AG_ROOT" && AGINGOS_AUTH_MODE= AGINGOS_API_KEY= bash -c '. scripts/lib.sh; db_auth "$PGHOST" "$PGPORT"' 2>&1)
check "make up without AGINGOS_AUTH_MODE keeps a missing mode missing" "$(sql "select count(*) from agingos.settings where name = 'auth_mode'")" 0
case "$out" in *"every route but GET /health answers 401"*) ok "make up warns about a bad stored mode" ;; *) nok "make up warns about a bad stored mode" "got: $out" ;; esac
(cd "$AG_ROOT" && AGINGOS_AUTH_MODE=api_key AGINGOS_API_KEY= bash -c '. scripts/lib.sh; db_auth "$PGHOST" "$PGPORT"') >/dev/null 2>&1
(cd "$AG_ROOT" && AGINGOS_AUTH_MODE= AGINGOS_API_KEY= bash -c '. scripts/lib.sh; db_auth "$PGHOST" "$PGPORT"') >/dev/null 2>&1
check "make up without AGINGOS_AUTH_MODE keeps api_key" "$(sql "select value from agingos.settings where name = 'auth_mode'")" api_key
# weak keys are refused before anything starts; a good one is registered from the environment
out=$(cd "$AG_ROOT" && AGINGOS_PGPORT=1 AGINGOS_API_KEY=1 bash scripts/up.sh 2>&1); rc=$?
case "$rc $out" in "1 "*"AGINGOS_API_KEY has 1 characters; a key needs at least 24"*) ok "make up refuses a 1-character key" ;; *) nok "make up refuses a 1-character key" "rc=$rc: $out" ;; esac
KEY24=e2e-operator-key-$(date +%s%N | sha256sum | cut -c1-16)
(cd "$AG_ROOT" && AGINGOS_AUTH_MODE= AGINGOS_API_KEY=$KEY24 bash -c '. scripts/lib.sh; db_auth "$PGHOST" "$PGPORT"') >/dev/null 2>&1
check "make up registers AGINGOS_API_KEY (admin, home default, 8-character prefix)" \
	"$(sql "select k.role || ' ' || h.home_id || ' ' || k.key_prefix from api_keys k join api_key_homes h using (key_id) where k.key_hash = sha256(convert_to('$KEY24', 'UTF8'))")" \
	"admin default ${KEY24:0:8}"
if grep -q -- "-v key=" "$AG_ROOT/scripts/lib.sh"; then nok "the key is never on psql's command line" "lib.sh passes -v key="; else ok "the key is never on psql's command line"; fi
r=$(AG_KEY=$KEY24 get /events)
check "the registered key works" "$(status_of "$r")" 200

# 2. carer and multi-home keys, home_id narrowing, revocation
r=$(AG_KEY=$ingest_b post /event "$EV")
check "ingest key of acc-b posts" "$(status_of "$r")" 200
dev=$(sql "INSERT INTO deviations (home_id, rule_id, subject_key, status, severity, title, explanation, window_since, window_until, \"timestamp\", started_at, last_seen_at)
	VALUES ('acc-b', 'R-002', 'default', 'OPEN', 'HIGH', 't', 'e', now() - interval '1 hour', now(), now(), now(), now()) RETURNING deviation_id")
r=$(AG_KEY=$carer get /events)
check "carer key of two homes lists both homes' events" "$(status_of "$r") $(body_of "$r" | jq -c '[.[].home_id] | unique')" '200 ["acc-b"]'
r=$(AG_KEY=$carer get '/events?home_id=acc-a')
check "home_id= narrows to one of the key's homes" "$(status_of "$r") $(body_of "$r")" '200 []'
r=$(AG_KEY=$read_a get '/events?home_id=acc-b')
check "another home is 404, never 403" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "404 P0002"
r=$(AG_KEY=$read_a curl_patch "/deviations/$dev" '{"status":"ACK"}')
check "read key may not ACK: 403" "$(status_of "$r")" 403
r=$(AG_KEY=$carer curl_patch "/deviations/$dev" '{"status":"ACK","note":"on my way"}')
check "carer ACKs with a note" "$(status_of "$r") $(body_of "$r" | jq -r .status)" "200 ACK"
kid=$(sql "select key_id from api_keys where key_hash = sha256(convert_to('$carer', 'UTF8'))")
check "history names the carer's key and the note" "$(sql "select actor || ' ' || note from deviation_history where deviation_id = $dev and reason = 'ack'")" \
	"key:$kid on my way"
sql "select agingos_revoke_api_key($kid)" >/dev/null
r=$(AG_KEY=$carer get /events)
check "revoked key: 401 on the next request" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "401 28000"

# 3. and 4. on a front of its own: rate 1/s with bursts of 3, wrong keys held 250 ms doubling up to 2 s,
# 127.0.0.3 a trusted proxy
AGINGOS_HTTP_PORT=$GUARD_PORT AGINGOS_PGHOST=$PGHOST AGINGOS_PGPORT=$PGPORT AGINGOS_PGUSER=agingos_http \
	AGINGOS_HTTP_RATE=1 AGINGOS_HTTP_BURST=3 AGINGOS_HTTP_AUTH_DELAY_MS=250 AGINGOS_HTTP_AUTH_DELAY_MAX_MS=2000 \
	AGINGOS_HTTP_THREADS=1 AGINGOS_TRUSTED_PROXIES=127.0.0.3 "$AG_ROOT/bin/agingos-http" >>"$AG_E2E_RUN/log/http-guard.log" 2>&1 &
gpid=$!
trap 'kill "$gpid" 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$GUARD_PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
G="http://127.0.0.1:$GUARD_PORT"
LOG="$AG_E2E_RUN/log/http-guard.log"
read_a2=$(sql "SELECT agingos_create_api_key('acc-a', 'read')")
# codes URL COUNT [curl args…]: the status codes of COUNT requests on one connection
codes() {
	local url=$1 n=$2 args=(); shift 2
	for _ in $(seq 1 "$n"); do args+=(-o /dev/null "$url"); done
	curl -s -w '%{http_code} ' "$@" "${args[@]}"
}

# 3. wrong keys: logged with prefix and address (never the key) and held, doubling per failure (one thread only)
WRONG=zzwrong-$(date +%s%N | sha256sum | cut -c1-30)
for _ in 1 2 3; do curl -s -o /dev/null -H "X-API-Key: $WRONG" "$G/events"; done
lines=$(grep 'event=auth_failed' "$LOG" | grep -F 'key_prefix="zzwrong-"')
check "three log lines for three wrong keys" "$(echo "$lines" | grep -c .)" 3
check "log line: client address and key length" "$(echo "$lines" | tail -1 | grep -o 'client=[^ ]* key=given' | head -1)" "client=127.0.0.1 key=given"
delays=$(echo "$lines" | sed -n 's/.*delay_ms=\([0-9]*\).*/\1/p' | tr '\n' ' ')
read -r d1 d2 d3 <<<"$delays"
check "answers to wrong keys are held 250, 500, 1000 ms" "$delays" "250 500 1000 "
if grep -qF "${WRONG:0:9}" "$LOG"; then nok "wrong keys never logged beyond 8 characters" "found 9"; else ok "wrong keys never logged beyond 8 characters"; fi
# a held answer does not hold up other clients: a good request answers while it waits
curl -s -o /dev/null -H "X-API-Key: $WRONG" "$G/events" & held=$!
sleep 0.2 # let it reach the front; it is then held 2 s
r=$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $read_a2" "$G/events")
if kill -0 "$held" 2>/dev/null; then ok "a good request is answered while a wrong key's answer is held"
else nok "a good request is answered while a wrong key's answer is held" "the held request finished first"; fi
check "  ... and it is 200" "$r" 200
check "the held answer is a 401 logged with the longest hold" "$(grep 'event=auth_failed' "$LOG" | tail -1 | grep -o 'delay_ms=[0-9]*')" "delay_ms=2000"
wait "$held"
# behind a trusted proxy the hold counts per X-Forwarded-For client, not for the proxy as a whole
WRONG2=zzproxy-$(date +%s%N | sha256sum | cut -c1-30)
for c in 198.51.100.7 198.51.100.7 198.51.100.8; do
	curl -s -o /dev/null --interface 127.0.0.3 -H "X-Forwarded-For: $c" -H "X-API-Key: $WRONG2" "$G/events"
done
check "behind a trusted proxy: each forwarded client has its own hold (250, 500; another client 250)" \
	"$(grep 'event=auth_failed' "$LOG" | grep -F 'key_prefix="zzproxy-"' | sed -n 's/.*client=\([^ ]*\) .*delay_ms=\([0-9]*\).*/\1:\2/p' | tr '\n' ' ')" \
	"198.51.100.7:250 198.51.100.7:500 198.51.100.8:250 "

# 4. per-key rate limit: 429 AG429 with Retry-After, nothing stored; auth mode none has none
burst=$(codes "$G/events" 4 -H "X-API-Key: $read_a")
check "rate 1/s, burst 3: the 4th request at once is 429" "$burst" "200 200 200 429 "
codes "$G/event" 3 -X POST -H 'Content-Type: application/json' -H "X-API-Key: $ingest_b" \
	--data-binary '{"id": "acc-429-0", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}' >/dev/null
hdr=$(curl -s -D - -o /tmp/ag_e2e_429.$$ -X POST -H 'Content-Type: application/json' -H "X-API-Key: $ingest_b" \
	--data-binary '{"id": "acc-429-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}' "$G/event")
check "429 carries Retry-After and code AG429" "$(echo "$hdr" | head -1 | cut -d' ' -f2) $(echo "$hdr" | grep -i '^retry-after:' | tr -d '\r' | cut -d' ' -f2) $(jq -r .code /tmp/ag_e2e_429.$$)" "429 1 AG429"
rm -f /tmp/ag_e2e_429.$$
check "nothing stored for a 429" "$(sql "select count(*) from events where event_id = 'acc-429-1'")" 0
burst=$(codes "$G/events" 3 -H "X-API-Key: $KEY24")
check "another key has its own bucket" "$burst" "200 200 200 "
sql "UPDATE agingos.settings SET value = 'none' WHERE name = 'auth_mode'" >/dev/null
sleep 1.2 # the front asks for the auth mode at most once a second
check "auth mode none: no per-key limit" "$(codes "$G/events" 8 -H "X-API-Key: $read_a")" "$(printf '200 %.0s' $(seq 1 8))"
kill "$gpid"; wait "$gpid" 2>/dev/null
if grep -rqF "$read_a" "$AG_E2E_RUN/log/" || grep -rqF "$WRONG" "$AG_E2E_RUN/log/" || grep -rqF "$WRONG2" "$AG_E2E_RUN/log/"; then nok "keys never logged" "found in logs"; else ok "keys never logged"; fi

sql "UPDATE agingos.settings SET value = 'none' WHERE name = 'auth_mode'" >/dev/null
