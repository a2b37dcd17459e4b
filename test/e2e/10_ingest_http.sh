#!/usr/bin/env bash
# 10_ingest_http: POST /event and /events/batch over HTTP with the fixture
# events and every bad input of the foundation issue (400 and nothing stored
# unless said).  Prints ok / not ok lines.
. "$(dirname "$0")/lib.sh"

sql "DELETE FROM events; DELETE FROM homes;" >/dev/null

# fixtures: every file is accepted, then visible in the database
n=0
for f in "$FIX"/events/*.json; do
	r=$(post /event "$(cat "$f")")
	check "fixture $(basename "$f") 200" "$(status_of "$r")" 200
	n=$((n + 1))
done
check "fixtures stored" "$(sql 'select count(*) from events')" "$n"
r=$(post /event "$(cat "$FIX/events/01_motion_hall_on.json")")
check "fixture repeat 200 deduped" "$(status_of "$r") $(body_of "$r" | jq -r .deduped)" "200 true"
r=$(post /v1/event "$(cat "$FIX/events/02_motion_kitchen_on.json")")
check "POST /v1/event alias" "$(status_of "$r") $(body_of "$r" | jq -r .deduped)" "200 true"

before=$(sql 'select count(*) from events')
bad() { # bad NAME BODY EXPECTED_STATUS EXPECTED_CODE
	local r
	r=$(post /event "$2")
	check "$1" "$(status_of "$r") $(body_of "$r" | jq -r .code 2>/dev/null)" "$3 $4"
}
ev() { printf '{"id": "%s", "timestamp": %s, "category": %s%s}' "$1" "$2" "$3" "${4:+, \"payload\": $4}"; }
bad "naive timestamp" "$(ev e1 '"2025-12-23T12:00:00"' '"motion"')" 400 22007
bad "date only" "$(ev e2 '"2025-12-23"' '"motion"')" 400 22007
bad "month 13" "$(ev e3 '"2025-13-01T00:00:00Z"' '"motion"')" 400 22007
bad "hour 25" "$(ev e4 '"2025-12-23T25:00:00Z"' '"motion"')" 400 22007
bad "timestamp as number" "$(ev e5 '1766491200' '"motion"')" 400 22023
future=$(date -u -d '+10 minutes' +%Y-%m-%dT%H:%M:%SZ)
bad "10 minutes in the future" "$(ev e6 "\"$future\"" '"motion"')" 400 22023
bad "empty id" "$(ev '' '"2025-12-23T12:00:00Z"' '"motion"')" 400 22023
bad "200-char id" "$(ev "$(printf 'x%.0s' $(seq 200))" '"2025-12-23T12:00:00Z"' '"motion"')" 400 22023
bad "category Motion" "$(ev e7 '"2025-12-23T12:00:00Z"' '"Motion"')" 400 22023
bad "category door-front" "$(ev e8 '"2025-12-23T12:00:00Z"' '"door-front"')" 400 22023
bad "category 65 chars" "$(ev e9 '"2025-12-23T12:00:00Z"' "\"$(printf 'a%.0s' $(seq 65))\"")" 400 22023
bad "payload []" "$(ev e10 '"2025-12-23T12:00:00Z"' '"motion"' '[]')" 400 22023
bad "payload \"x\"" "$(ev e11 '"2025-12-23T12:00:00Z"' '"motion"' '"x"')" 400 22023
bad "payload null" "$(ev e12 '"2025-12-23T12:00:00Z"' '"motion"' 'null')" 400 22023
bad "body []" '[]' 400 22023
bad "body null" 'null' 400 22023
bad "body \"x\"" '"x"' 400 22023
bad "invalid JSON" '{"id": "e13", "timestamp": ' 400 22P02
bad "empty body" '' 400 22P02
bad "\\u0000 in payload string" "$(ev e14 '"2025-12-23T12:00:00Z"' '"motion"' '{"s": "a\u0000b"}')" 400 22P05
bad "unknown member room" '{"id": "e15", "timestamp": "2025-12-23T12:00:00Z", "category": "motion", "room": "stue"}' 400 22023
bad "duplicate member" '{"id": "e16", "id": "e17", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}' 400 22030
check "nothing stored by bad inputs" "$(sql 'select count(*) from events')" "$before"

r=$(post /event "$(ev e18 '"2025-12-23T12:00:00+01:00"' '"motion"')")
check "+01:00 accepted" "$(status_of "$r")" 200
check "+01:00 stored as 11:00Z" "$(sql "select agingos_iso(\"timestamp\") from events where event_id = 'e18'")" "2025-12-23T11:00:00Z"

r=$(post /event "$(ev same-1 '"2025-12-23T12:00:00Z"' '"motion"' '{"state": "on"}')")
r=$(post /event "$(ev same-1 '"2025-12-23T12:00:00Z"' '"motion"' '{"state": "on"}')")
check "same id identical: 200 deduped" "$(status_of "$r") $(body_of "$r" | jq -r .deduped)" "200 true"
r=$(post /event "$(ev same-1 '"2025-12-23T12:00:00Z"' '"motion"' '{"state": "off"}')")
check "same id other content: 409" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "409 23505"
check "409 changed nothing" "$(sql "select payload->>'state' from events where event_id = 'same-1'")" "on"

# the payload is never echoed, not in the response, not in the server log
r=$(post /event "$(ev secret-1 '"2025-12-23T12:00:00Z"' '"motion"' '{"pin": "SECRET-4711\u0000"}')")
if echo "$r" | grep -q SECRET-4711; then nok "error does not echo payload" "response contains it"; else ok "error does not echo payload"; fi
if grep -rq SECRET-4711 "$AG_E2E_RUN/log/" 2>/dev/null; then nok "logs do not echo payload" "found in $AG_E2E_RUN/log"; else ok "logs do not echo payload"; fi

# 2 MiB body → 413; text/plain → 415
big=$(head -c 2097152 /dev/zero | tr '\0' 'a')
r=$(post /event "{\"id\": \"big\", \"timestamp\": \"2025-12-23T12:00:00Z\", \"category\": \"x\", \"payload\": {\"s\": \"$big\"}}")
check "2 MiB body 413" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "413 AG413"
r=$(post /event "$(ev ct-1 '"2025-12-23T12:00:00Z"' '"motion"')" text/plain)
check "text/plain 415" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "415 AG415"
check "415 hint names content_type" "$(body_of "$r" | jq -r .hint | grep -c 'content_type: application/json')" 1

# batch over HTTP
r=$(post /events/batch '[{"id": "hb-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}, {"id": "hb-2", "timestamp": "2025-12-23T12:00:00", "category": "motion"}]')
check "batch 200 counts" "$(status_of "$r") $(body_of "$r" | jq -c '[.accepted, .deduped, .rejected]')" "200 [1,0,1]"
check "batch item error code" "$(body_of "$r" | jq -r '.results[1].error.code')" 22007
many=$(seq 1 10001 | awk 'BEGIN{printf "["} {printf "%s{\"id\":\"m%d\",\"timestamp\":\"2025-12-23T12:00:00Z\",\"category\":\"x\"}", (NR>1?",":""), $1} END{printf "]"}')
r=$(post /events/batch "$many")
check "batch 10001 items: 400" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "400 22023"
check "batch 10001 stored nothing" "$(sql "select count(*) from events where event_id like 'm%'")" 0

# GET /events
r=$(get '/events?limit=2')
check "GET /events limit" "$(status_of "$r") $(body_of "$r" | jq length)" "200 2"
r=$(get '/events?since=2025-12-23T12:00:00')
check "GET /events naive since: 400" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "400 22007"
