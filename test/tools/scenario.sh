#!/usr/bin/env bash
# test/tools/scenario.sh — make scenario: run every scenario file (contract.md
# section 8) of test/scenarios/, or of SCENARIOS=dir (or file).  Each
# scenario starts with agingos_reset(), so by default the run uses its own
# throwaway cluster + front (ports AGINGOS_SCENARIO_PGPORT=55435,
# AGINGOS_SCENARIO_HTTP_PORT=58082) and never touches `make up` data; with
# SCENARIO_LIVE=1 it runs against the running `make up` system instead and
# EMPTIES its events and deviations.  The runner is test/tools/scenario.py under Debian's python3
# with python3-yaml; it prints PASS/FAIL per file and a summary, exits
# non-zero on any FAIL, and reloads the previously active config at the end.
. "$(dirname "$0")/../../scripts/lib.sh"
PY=/usr/bin/python3
if ! [ -x "$PY" ] || ! "$PY" -c 'import yaml' 2>/dev/null; then
	"$AG_ROOT/scripts/deps.sh" || exit 1
	"$PY" -c 'import yaml' 2>/dev/null || die "python3-yaml is not usable by $PY"
fi
SCEN=${SCENARIOS:-$AG_ROOT/test/scenarios}
if [ "${SCENARIO_LIVE:-0}" = 1 ]; then
	[ -e "$AGINGOS_RUN_DIR" ] || die "no .run/ yet: run make up first (or leave SCENARIO_LIVE unset)"
	RUN=$(run_dir)
	say "SCENARIO_LIVE=1: running against the make up system; its events and deviations are emptied"
	export PGHOST="$RUN/sock" PGPORT="$AGINGOS_PGPORT" PGUSER=agingos PGDATABASE=agingos PGBIN
	exec "$PY" "$AG_ROOT/test/tools/scenario.py" --url "http://127.0.0.1:$AGINGOS_HTTP_PORT" --psql "$PGBIN/psql" "$SCEN"
fi
"$AG_ROOT/scripts/build.sh" || exit 1
PGP=${AGINGOS_SCENARIO_PGPORT:-55435}
HP=${AGINGOS_SCENARIO_HTTP_PORT:-58082}
W=$(mktemp -d /tmp/agingos-scenario.XXXXXX); chmod 755 "$W"
trap 'throwaway_down "$W/run"; rm -rf "$W"' EXIT
throwaway_up "$W/run" "$PGP" "$HP"
export PGHOST="$W/run/sock" PGPORT="$PGP" PGUSER=agingos PGDATABASE=agingos PGBIN
"$PY" "$AG_ROOT/test/tools/scenario.py" --url "http://127.0.0.1:$HP" --psql "$PGBIN/psql" "$SCEN"
