#!/usr/bin/env bash
# 15_ingest_escapes: issue 9 item 2 over HTTP.  A string that cannot be
# decoded is a 400 whose message names its member (contract.md section 5):
# \u0000 is 22P05, a lone surrogate 22P02 (as PostgreSQL's own JSON input);
# in a batch only that item is rejected, with the same code and message;
# nothing is stored and the value is never echoed.
. "$(dirname "$0")/lib.sh"

sql "DELETE FROM events WHERE event_id LIKE 'esc-%'" >/dev/null
before=$(sql 'select count(*) from events')

# one NAME BODY STATUS CODE MESSAGE: POST /event and compare status, code, message
one() {
	local r
	r=$(post /event "$2")
	check "escapes: $1" "$(status_of "$r") $(body_of "$r" | jq -r '[.code, .message] | join(" ")' 2>/dev/null)" "$3 $4 $5"
}
ts='"timestamp": "2025-12-23T12:00:00Z", "category": "motion"'
one "\\u0000 in id" '{"id": "esc-\u0000", '"$ts"'}' 400 22P05 'event member "id" contains \u0000'
one "\\u0000 in payload.room" '{"id": "esc-1", '"$ts"', "payload": {"room": "SECRET-9\u0000"}}' 400 22P05 'event member "payload.room" contains \u0000'
one "\\u0000 in a nested array" '{"id": "esc-2", '"$ts"', "payload": {"o": {"l": ["a", "\u0000"]}}}' 400 22P05 'event member "payload.o.l[1]" contains \u0000'
one "\\ud800 in id" '{"id": "\ud800", '"$ts"'}' 400 22P02 'event member "id" contains an invalid Unicode escape'
one "\\ud800 in payload.room" '{"id": "esc-3", '"$ts"', "payload": {"room": "SECRET-9\ud800"}}' 400 22P02 'event member "payload.room" contains an invalid Unicode escape'
one "lone low surrogate \\udc00" '{"id": "esc-4", '"$ts"', "payload": {"room": "\udc00"}}' 400 22P02 'event member "payload.room" contains an invalid Unicode escape'
r=$(post /event '{"id": "esc-1", '"$ts"', "payload": {"room": "SECRET-9\u0000"}}')
if echo "$r" | grep -q SECRET-9; then nok "escapes: the value is not echoed" "$r"; else ok "escapes: the value is not echoed"; fi

r=$(post /events/batch '[{"id": "esc-b1", '"$ts"', "payload": {"room": "\u0000"}},
	{"id": "\ud800", '"$ts"'},
	{"id": "esc-b2", '"$ts"', "payload": {"room": "\ud83d\ude00"}}]')
check "escapes: batch 200 with one accepted, two rejected" "$(status_of "$r") $(body_of "$r" | jq -c '[.accepted, .rejected]')" "200 [1,2]"
check "escapes: batch item 0 names payload.room (22P05)" "$(body_of "$r" | jq -r '.results[0] | [.status, .error.code, .error.message] | join(" ")')" \
	'rejected 22P05 event member "payload.room" contains \u0000'
check "escapes: batch item 1 names id (22P02)" "$(body_of "$r" | jq -r '.results[1] | [.status, .error.code, .error.message] | join(" ")')" \
	'rejected 22P02 event member "id" contains an invalid Unicode escape'
check "escapes: only the valid item stored, the surrogate pair decoded" \
	"$(sql "select count(*), min(payload->>'room') = U&'\\+01F600' from events where event_id LIKE 'esc-%'") $(sql 'select count(*) from events')" \
	"1|t $((before + 1))"
sql "DELETE FROM events WHERE event_id LIKE 'esc-%'" >/dev/null
