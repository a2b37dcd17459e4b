#!/usr/bin/env bash
# 40_scenarios: every scenario file of test/scenarios/ (contract.md section 8)
# through the scenario runner (test/tools/scenario.py, Debian's python3 with
# python3-yaml) against the test front and database: one line per scenario,
# "ok scenario <id>" or "not ok scenario <id> - why". The runner reloads the
# config that was active before; at the end config/rules.yaml is loaded again.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
PSQL="$PGBIN/psql"
cfg_md5() { sql "SELECT md5(source) FROM agingos.config ORDER BY version DESC LIMIT 1"; }

if ! "$PY" -c 'import yaml' 2>/dev/null; then
	nok "scenario runner" "$PY cannot import yaml (install python3-yaml: scripts/deps.sh)"
	exit 0
fi

before=$(cfg_md5)
out=$("$PY" "$AG_ROOT/test/tools/scenario.py" --tap --url "$BASE" --psql "$PSQL" "$AG_ROOT/test/scenarios" 2>&1)
rc=$?
echo "$out" | grep -E '^(ok|not ok) scenario '
n=$(echo "$out" | grep -cE '^(ok|not ok) scenario ')
if [ "$rc" -ge 2 ] || [ "$n" -eq 0 ]; then
	nok "scenario runner" "exit status $rc: $(echo "$out" | grep -vE '^(ok|not ok) ' | tr '\n' ' ' | cut -c1-300)"
fi
check "runner restores the previous config" "$(cfg_md5)" "$before"

# leave the project's default config active for the tests that follow
if echo "SELECT agingos.agingos_load_config(:'cfg') IS NOT NULL" |
	"$PSQL" -X -qtA -v ON_ERROR_STOP=1 -v cfg="$(cat "$AG_ROOT/config/rules.yaml")" >/dev/null; then
	ok "config/rules.yaml reloaded after the scenarios"
else
	nok "config/rules.yaml reloaded after the scenarios" "agingos_load_config failed"
fi
