#!/usr/bin/env bash
# 70_longrun: the longrun runbook (test/longrun/longrun.sh, docs/ops/longrun.md)
# against the test system: a short real-time run (3 homes, 3 days of
# history, 3 minutes with the pg_cron scheduler every minute, mode A) and a
# 7-day fast run (agingos-sim --mode db).  Each run must end green; every
# stop criterion is one check here.  About 5 minutes.
. "$(dirname "$0")/lib.sh"

SIM=${AGINGOS_SIM:-$AG_ROOT/bin/agingos-sim}
if [ ! -x "$SIM" ]; then
	nok "longrun simulator built" "$SIM is missing (make sim)"
	exit 0
fi
W=$(mktemp -d /tmp/agingos-e2e-longrun.XXXXXX)
prev_auth=$(sql "SELECT value FROM agingos.settings WHERE name = 'auth_mode'")
restore() {
	sql "SELECT agingos_unschedule()" >/dev/null
	"$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -v cfg="$(cat "$AG_ROOT/config/rules.yaml")" >/dev/null <<'SQL'
SELECT agingos_load_config(:'cfg') IS NOT NULL;
SQL
	sql "UPDATE agingos.settings SET value = '$prev_auth' WHERE name = 'auth_mode'" >/dev/null
	sql "SELECT agingos_reset()" >/dev/null
	rm -rf "$W"
}
trap restore EXIT

# run_longrun NAME ENV…: test/longrun/longrun.sh against this system; one check per criterion
run_longrun() {
	local name=$1 rep="$W/$1" rc p; shift
	env "$@" LONGRUN_TARGET="$AG_E2E_RUN" LONGRUN_PGPORT="$PGPORT" LONGRUN_HTTP_PORT="$AGINGOS_HTTP_PORT" \
		LONGRUN_REPORT="$rep" AGINGOS_SIM="$SIM" bash "$AG_ROOT/test/longrun/longrun.sh" >"$W/$name.out" 2>&1
	rc=$?
	if [ -s "$rep/checks.tsv" ]; then
		while IFS=$'\t' read -r check res detail; do
			if [ "$res" = ok ]; then ok "$name $check"; else nok "$name $check" "$detail"; fi
		done <"$rep/checks.tsv"
	else
		nok "$name checks ran" "no checks.tsv; last lines: $(tail -3 "$W/$name.out" | tr '\n' ' ')"
	fi
	check "$name exit status" "$rc" 0
	if grep -q '^\*\*GREEN' "$rep/report.md" 2>/dev/null; then ok "$name report.md says GREEN"
	else nok "$name report.md says GREEN" "$(sed -n 3p "$rep/report.md" 2>/dev/null)"; fi
	for p in events deviations db_size tick_duration health_latency; do
		if [ "$(head -c 8 "$rep/$p.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then ok "$name $p.png"
		else nok "$name $p.png" "missing or not a PNG"; fi
	done
}

sql "SELECT agingos_reset()" >/dev/null
sql "UPDATE agingos.settings SET value = 'api_key' WHERE name = 'auth_mode'" >/dev/null

# short real-time run: the scheduler every minute (the shipped config with interval_minutes: 1)
cfg=$(sed 's/^  interval_minutes: .*/  interval_minutes: 1/' "$AG_ROOT/config/rules.yaml")
"$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -v cfg="$cfg" >/dev/null <<'SQL'
SELECT agingos_load_config(:'cfg') IS NOT NULL;
SQL
sql "SELECT agingos_schedule()" >/dev/null
run_longrun longrun-short LONGRUN_SECONDS=180 HOMES=3 SAMPLE_SECONDS=10 BACKFILL_DAYS=3 MODE=A

# 7 simulated days, ticks driven by the simulator (scheduler off)
sql "SELECT agingos_unschedule()" >/dev/null
sql "SELECT agingos_reset()" >/dev/null
run_longrun longrun-fast LONGRUN_FAST=1 DAYS=7 HOMES=3 SAMPLE_SECONDS=5 LONGRUN_HOME_PREFIX=fast-
