#!/usr/bin/env bash
# 30_auth_http: AGINGOS_AUTH_MODE=api_key over HTTP: keys decide the home,
# roles ingest / read / admin (contract section 6).
. "$(dirname "$0")/lib.sh"

sql "UPDATE agingos.settings SET value = 'api_key' WHERE name = 'auth_mode'" >/dev/null
ingest=$(sql "SELECT agingos_create_api_key('home-auth', 'ingest')")
read=$(sql "SELECT agingos_create_api_key('home-auth', 'read')")
admin=$(sql "SELECT agingos_create_api_key('home-auth', 'admin')")
EV='{"id": "auth-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}'

r=$(post /event "$EV")
check "no key: 401" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "401 28000"
r=$(AG_KEY=agk_wrong post /event "$EV")
check "wrong key: 401" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "401 28000"
r=$(AG_KEY=$ingest post /event "$EV")
check "ingest key posts: 200" "$(status_of "$r")" 200
check "event stored in the key's home" "$(sql "select home_id from events where event_id = 'auth-1'")" home-auth
r=$(AG_KEY=$ingest get /events)
check "ingest key on GET /events: 403" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "403 42501"
r=$(AG_KEY=$read get /events)
check "read key GETs its home's events" "$(status_of "$r") $(body_of "$r" | jq -c '[.[].id]')" '200 ["auth-1"]'
r=$(AG_KEY=$read post /event "$EV")
check "read key may not post: 403" "$(status_of "$r")" 403
r=$(AG_KEY=$admin post /events/batch '[]')
check "admin key posts batch" "$(status_of "$r")" 200
r=$(get /health)
check "/health needs no key" "$(status_of "$r") $(body_of "$r")" '200 {"status":"ok"}'
if grep -rqF "$ingest" "$AG_E2E_RUN/log/" 2>/dev/null; then nok "keys never logged" "found in logs"; else ok "keys never logged"; fi

sql "UPDATE agingos.settings SET value = 'none' WHERE name = 'auth_mode'" >/dev/null
