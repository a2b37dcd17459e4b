#!/usr/bin/env bash
# 90_health_db_restart: /health answers 503 within 2 s while the database is
# stopped and 200 again within 5 s after it is back, without restarting the
# front.  Runs last: it stops the test cluster for a moment.
. "$(dirname "$0")/lib.sh"

r=$(get /health)
check "health 200 before" "$(status_of "$r")" 200
db_stop
t0=$(date +%s%N)
r=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' "$BASE/health")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "health 503 while db stopped" "$r" 503
if [ "$ms" -le 2000 ]; then ok "503 within 2 s (${ms} ms)"; else nok "503 within 2 s" "took ${ms} ms"; fi
r=$(post /event '{"id": "down-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}')
check "POST /event 503 code 08006 while db stopped" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "503 08006"
db_start
t0=$(date +%s%N)
st=000
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 5000 ]; do
	st=$(curl -sS -m 2 -o /dev/null -w '%{http_code}' "$BASE/health")
	[ "$st" = 200 ] && break
	sleep 0.1
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "health 200 again within 5 s of db start (${ms} ms)" "$st" 200
# every worker reconnects on its own (back-off at most 1 s): allow the same 5 s
t0=$(date +%s%N)
while :; do
	r=$(post /event '{"id": "up-again-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}')
	[ "$(status_of "$r")" = 200 ] && break
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 5000 ] && break
	sleep 0.2
done
check "POST /event works again within 5 s" "$(status_of "$r")" 200
