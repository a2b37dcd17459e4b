#!/usr/bin/env bash
# 35_health_detail: issue 9 items 4 and 5 over HTTP.
#   - an empty or comment-only config, or one with only timezone:, is F0000
#     "rules: required" and the previous config stays (decision D31)
#   - a config that enables no rule in the scheduler loads, but GET
#     /health/detail says degraded with that reason
#   - with auth api_key, GET /health/detail shows only the calling key's home
#     (docs/spec/contract.md section 12): home B's read key never sees home A
. "$(dirname "$0")/lib.sh"
W=$(mktemp -d /tmp/agingos-e2e-health.XXXXXX)
prev_auth=$(sql "SELECT value FROM agingos.settings WHERE name = 'auth_mode'")
load() { echo "SELECT agingos_load_config(:'cfg') IS NOT NULL" | "$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -v cfg="$1" 2>&1; }
restore() {
	load "$(cat "$AG_ROOT/config/rules.yaml")" >/dev/null
	sql "UPDATE agingos.settings SET value = '$prev_auth' WHERE name = 'auth_mode'" >/dev/null
	sql "DELETE FROM agingos.api_keys WHERE home_id IN ('e35-a', 'e35-b'); DELETE FROM agingos.events WHERE home_id IN ('e35-a', 'e35-b'); DELETE FROM agingos.homes WHERE home_id IN ('e35-a', 'e35-b')" >/dev/null
	rm -rf "$W"
}
trap restore EXIT
REASON='no rule is enabled in the scheduler (every rules.<id>.enabled_in_scheduler is false): scheduler ticks judge nothing'

load "$(cat "$AG_ROOT/config/rules.yaml")" >/dev/null
v0=$(sql "SELECT max(version) FROM agingos.config")
r=$(get /health/detail)
check "shipped config: no 'no rule enabled' reason, ten rules enabled" \
	"$(body_of "$r" | jq -c --arg r "$REASON" '[(.reasons | index($r)), .config.rules_enabled_in_scheduler]')" "[null,10]"

# D31: rules: required, the previous config stays
printf '' >"$W/empty.yaml"
printf '# only a comment\n# and another\n' >"$W/comments.yaml"
printf 'timezone: Europe/Oslo\n' >"$W/tz.yaml"
for f in empty comments tz; do
	out=$(load "$(cat "$W/$f.yaml")")
	if echo "$out" | grep -q 'ERROR:  rules: required'; then ok "config $f.yaml: rules: required"
	else nok "config $f.yaml: rules: required" "$out"; fi
done
check "after the rejected configs the previous one is active" \
	"$(sql "SELECT max(version) FROM agingos.config") $(sql "SELECT agingos_config() -> 'scheduler' ->> 'interval_minutes'")" "$v0 5"

# a config that enables no rule in the scheduler: loads, /health/detail degraded
out=$(load "$(printf 'rules:\n  R-001: {enabled_in_scheduler: false}\n')")
check "config enabling no rule in the scheduler loads" "$out" t
r=$(get /health/detail)
check "/health/detail degraded with the reason" \
	"$(status_of "$r") $(body_of "$r" | jq -c --arg r "$REASON" '[.status, (.reasons | index($r) != null), .config.rules_enabled_in_scheduler]')" \
	'200 ["degraded",true,0]'
load "$(cat "$AG_ROOT/config/rules.yaml")" >/dev/null

# per-key homes
sql "UPDATE agingos.settings SET value = 'api_key' WHERE name = 'auth_mode'" >/dev/null
ka=$(sql "SELECT agingos_create_api_key('e35-a', 'ingest')")
kb=$(sql "SELECT agingos_create_api_key('e35-b', 'ingest')")
rb=$(sql "SELECT agingos_create_api_key('e35-b', 'read')")
aa=$(sql "SELECT agingos_create_api_key('e35-a', 'admin')")
AG_KEY=$ka post /event '{"id": "e35-a1", "timestamp": "2025-12-23T10:00:00Z", "category": "motion"}' >/dev/null
AG_KEY=$kb post /event '{"id": "e35-b1", "timestamp": "2025-12-23T11:00:00Z", "category": "motion"}' >/dev/null
r=$(AG_KEY=$rb get /health/detail)
check "B's read key: /health/detail lists only home B" "$(status_of "$r") $(body_of "$r" | jq -c '[.ingest[].home_id]')" '200 ["e35-b"]'
if body_of "$r" | grep -q 'e35-a'; then nok "B's read key: home A not mentioned anywhere" "$(body_of "$r" | head -c 300)"
else ok "B's read key: home A not mentioned anywhere"; fi
check "B's read key: counts over B only" "$(body_of "$r" | jq -c '.counts | [.scope, .homes, .events]')" '["homes",1,1]'
r=$(AG_KEY=$aa get /health/detail)
check "A's admin key: only home A" "$(status_of "$r") $(body_of "$r" | jq -c '[[.ingest[].home_id], .counts.scope]')" '200 [["e35-a"],"homes"]'
r=$(get /health/detail)
check "no key: 401" "$(status_of "$r") $(body_of "$r" | jq -r .code)" "401 28000"
sql "UPDATE agingos.settings SET value = 'none' WHERE name = 'auth_mode'" >/dev/null
r=$(get /health/detail)
check "auth none: every home, counts over all" \
	"$(body_of "$r" | jq -c '[([.ingest[].home_id] | index("e35-a") != null and index("e35-b") != null), .counts.scope]')" '[true,"all"]'
