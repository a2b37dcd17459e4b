#!/usr/bin/env bash
# 72_longrun_env: issue 9 item 1.
#   a. make longrun-fast on its own throwaway cluster while the caller's
#      environment points AGINGOS_PGHOST/AGINGOS_PGPORT/AGINGOS_HTTP_PORT (and
#      PGHOST/PGPORT) at another live system (this test system): every process
#      the run starts talks to the run's own cluster, the run ends GREEN and
#      the other system gets no event.
#   b. test/longrun/longrun_plot.sh over a report without data (no sample, no tick,
#      no event): every PNG is written and says "no data" in words; gnuplot's
#      "x range is invalid" never appears.
# Ports of a.: AGINGOS_TEST_LONGRUN_PGPORT (55470), AGINGOS_TEST_LONGRUN_HTTP_PORT (58110).
# About 40 s.
. "$(dirname "$0")/lib.sh"

SIM=${AGINGOS_SIM:-$AG_ROOT/bin/agingos-sim}
if [ ! -x "$SIM" ]; then
	nok "longrun env: simulator built" "$SIM is missing (make sim)"
	exit 0
fi
LPG=${AGINGOS_TEST_LONGRUN_PGPORT:-55470}
LHTTP=${AGINGOS_TEST_LONGRUN_HTTP_PORT:-58110}
W=$(mktemp -d /tmp/agingos-e2e-lrenv.XXXXXX)
chmod 755 "$W"
trap 'sql "DELETE FROM agingos.events WHERE home_id LIKE '"'"'lrenv-%'"'"'" >/dev/null; sql "DELETE FROM agingos.homes WHERE home_id LIKE '"'"'lrenv-%'"'"'" >/dev/null; rm -rf "$W"' EXIT

# ------------------------------------------------ a. a hostile environment
before=$(sql "SELECT count(*) FROM agingos.events")
env AGINGOS_PGHOST="$PGHOST" AGINGOS_PGPORT="$PGPORT" AGINGOS_HTTP_PORT="$AGINGOS_HTTP_PORT" \
	AGINGOS_PGUSER=agingos AGINGOS_PGDATABASE=agingos PGHOST="$PGHOST" PGPORT="$PGPORT" \
	LONGRUN_FAST=1 DAYS=2 HOMES=1 SAMPLE_SECONDS=5 LONGRUN_HOME_PREFIX=lrenv- LONGRUN_NO_BUILD=1 \
	LONGRUN_PGPORT="$LPG" LONGRUN_HTTP_PORT="$LHTTP" LONGRUN_DIR="$W/run" LONGRUN_REPORT="$W/rep" \
	AGINGOS_SIM="$SIM" bash "$AG_ROOT/test/longrun/longrun.sh" >"$W/out" 2>&1
rc=$?
check "longrun env: longrun-fast with a foreign AGINGOS_PGPORT/AGINGOS_HTTP_PORT exits 0" "$rc" 0
if grep -q '^\*\*GREEN' "$W/rep/report.md" 2>/dev/null; then ok "longrun env: report.md says GREEN"
else nok "longrun env: report.md says GREEN" "$(sed -n 3p "$W/rep/report.md" 2>/dev/null) / $(tail -3 "$W/out" | tr '\n' ' ') / sim.log: $(tail -2 "$W/rep/sim.log" 2>/dev/null | tr '\n' ' ')"; fi
check "longrun env: the simulator's events went to the run's own cluster, none to the system the environment named" \
	"$(sql "SELECT count(*) FROM agingos.events WHERE home_id LIKE 'lrenv-%'") $(sql "SELECT count(*) FROM agingos.events")" "0 $before"
if grep -q "database unreachable" "$W/rep/sim.log" 2>/dev/null; then nok "longrun env: sim.log without connection failures" "$(grep -m1 unreachable "$W/rep/sim.log")"
else ok "longrun env: sim.log without connection failures"; fi
if [ -e "$W/run" ]; then nok "longrun env: own cluster removed at the end" "$W/run still exists"
else ok "longrun env: own cluster removed at the end"; fi

# ------------------------------------------------ b. plots without data
plot_empty() { # NAME FAST MODE PLOTS-THAT-HAVE-NO-DATA…
	local name=$1 rep="$W/empty-$1" p bad= fast=$2 mode=$3
	shift 3
	mkdir -p "$rep"
	cat >"$rep/meta.env" <<META
FAST=$fast
MODE=$mode
HOMES=1
RATE=1
DAYS=1
INTERVAL_S=300
INJECT=''
SOCK='$PGHOST'
PGPORT_L=$PGPORT
EVENT_ID0=9223372036854775806
DEV_ID0=9223372036854775806
T_START=$(date +%s)
T_END=$(( $(date +%s) + 60 ))
SIM_START=$(( $(date +%s) - 86400 ))
SIM_END=$(date +%s)
META
	printf 'sample_clock\tsim_clock\tevents\tdeviations\tactive\tv1\tdb_bytes\thealth_ms\tfront_rss_kb\tpg_anon_kb\tpg_rss_kb\n' >"$rep/samples.tsv"
	printf 'run_id\tstarted\tsim_clock\tduration_ms\n' >"$rep/ticks.tsv"
	[ "$mode" = B ] && printf 'round_start\thome_id\teval_code\teval_ms\teval_rows\tpersist_code\tpersisted\twindow_until\n' >"$rep/evals.tsv"
	bash "$AG_ROOT/test/longrun/longrun_plot.sh" "$rep" >"$rep/plot.log" 2>&1
	check "longrun plot without data ($name): exit status" "$?" 0
	if grep -qi "range is invalid" "$rep/plot.log"; then nok "longrun plot without data ($name): no gnuplot range error" "$(grep -m1 -i invalid "$rep/plot.log")"
	else ok "longrun plot without data ($name): no gnuplot range error"; fi
	for p in events deviations db_size tick_duration health_latency rss; do
		[ "$(head -c 8 "$rep/$p.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || bad="$bad $p.png(missing)"
	done
	for p in "$@"; do
		grep -q "^longrun_plot: $rep/$p.png: no data: " "$rep/plot.log" || bad="$bad $p.png(no 'no data' line)"
	done
	if [ -z "$bad" ]; then ok "longrun plot without data ($name): every PNG written, each empty one says 'no data' in words"
	else nok "longrun plot without data ($name): every PNG written, each empty one says 'no data' in words" "$bad; $(head -c 300 "$rep/plot.log")"; fi
}
# fast: events and deviations come from the database as hourly series (zeros, not empty)
plot_empty fast 1 A db_size tick_duration health_latency rss
plot_empty real-time 0 A events deviations db_size tick_duration health_latency rss
plot_empty mode-B 0 B events deviations db_size tick_duration health_latency rss
