#!/usr/bin/env bash
# scripts/scenario.sh — make scenario: run every scenario file (contract.md
# section 8) of test/scenarios/, or of SCENARIOS=dir (or file), against the
# running `make up` system (HTTP on AGINGOS_HTTP_PORT, psql on .run/sock,
# AGINGOS_PGPORT).  The runner is scripts/scenario.py under Debian's python3
# with python3-yaml; it prints PASS/FAIL per file and a summary, exits
# non-zero on any FAIL, and reloads the previously active config at the end.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! [ -x "$PY" ] || ! "$PY" -c 'import yaml' 2>/dev/null; then
	"$AG_ROOT/scripts/deps.sh" || exit 1
	"$PY" -c 'import yaml' 2>/dev/null || die "python3-yaml is not usable by $PY"
fi
[ -e "$AG_ROOT/.run" ] || die "no .run/ yet: run make up first"
RUN=$(run_dir)
export PGHOST="$RUN/sock" PGPORT="$AGINGOS_PGPORT" PGUSER=agingos PGDATABASE=agingos PGBIN
SCEN=${SCENARIOS:-$AG_ROOT/test/scenarios}
exec "$PY" "$AG_ROOT/scripts/scenario.py" --url "http://127.0.0.1:$AGINGOS_HTTP_PORT" --psql "$PGBIN/psql" "$SCEN"
