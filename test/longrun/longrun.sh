#!/usr/bin/env bash
# test/longrun/longrun.sh — make longrun / make longrun-fast: the longrun runbook
# (docs/ops/longrun.md) as code.
#
#   make longrun HOURS=1 HOMES=5 [RATE=1] [MODE=A|B]   real time, pg_cron or manual evaluate
#   make longrun-fast DAYS=30 [HOMES=5]                simulated time (agingos-sim --mode db)
#
# It drives a system (by default its own throwaway cluster + agingos-http on
# LONGRUN_PGPORT / LONGRUN_HTTP_PORT; LONGRUN_TARGET=<run dir> drives an
# existing one), feeds it with bin/agingos-sim, samples it every
# SAMPLE_SECONDS (test/longrun/longrun_sample.sh), then checks the runbook's
# healthy expectations and stop criteria (test/longrun/longrun_check.sh), writes
# $LONGRUN_REPORT/report.md with PNG plots (test/longrun/longrun_plot.gp) and exits
# non-zero naming the first criterion broken.
#
# Settings (environment or make variables; docs/ops/longrun.md has the full table):
#   HOURS=1 | LONGRUN_SECONDS=N   length of the real-time phase
#   HOMES=5  SEED=1  RATE=1       RATE = simulated seconds per wall second (agingos-sim --speed)
#   MODE=A|B                      A: pg_cron scheduler on; B: SCHEDULER_ENABLED=0, manual
#                                 GET /deviations/evaluate + POST /deviations/persist
#   DAYS=30                       simulated days of the fast run
#   BACKFILL_DAYS=3               history laid (fast, over HTTP) before the real-time phase
#   SAMPLE_SECONDS=30 (fast: 2)   sampling period
#   INJECT=RULE@INSTANT[:HOME],…  anomalies (default: two, at 25 % and 55 % of the run)
#   LONGRUN_FAST=1                the same as make longrun-fast
#   LONGRUN_TARGET=<run dir>      drive an existing system laid out like .run/ (data/, sock/,
#                                 log/postgres.log, log/http.log, http.pid); ports from
#                                 LONGRUN_PGPORT / LONGRUN_HTTP_PORT (default PGPORT /
#                                 AGINGOS_HTTP_PORT)
#   LONGRUN_PGPORT=55460 LONGRUN_HTTP_PORT=58100   ports of the own throwaway cluster
#   LONGRUN_INTERVAL_MINUTES=1    scheduler.interval_minutes loaded into the own cluster
#   LONGRUN_REPORT=longrun-report LONGRUN_KEEP=0 LONGRUN_NO_BUILD=0 AGINGOS_SIM=bin/agingos-sim
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$AG_ROOT" || exit 1

FAST=${LONGRUN_FAST:-0}
[ "${1:-}" = --fast ] && FAST=1
MODE=${MODE:-A}
HOMES=${HOMES:-5}
SEED=${SEED:-1}
RATE=${RATE:-1}
DAYS=${DAYS:-30}
HOURS=${HOURS:-1}
BACKFILL_DAYS=${BACKFILL_DAYS:-3}
if [ "$FAST" = 1 ]; then SAMPLE_SECONDS=${SAMPLE_SECONDS:-2}; else SAMPLE_SECONDS=${SAMPLE_SECONDS:-30}; fi
SECONDS_RUN=${LONGRUN_SECONDS:-$(awk -v h="$HOURS" 'BEGIN { printf "%d", h * 3600 }')}
REPORT=${LONGRUN_REPORT:-$AG_ROOT/longrun-report}
SIM=${AGINGOS_SIM:-$AG_ROOT/bin/agingos-sim}
PREFIX=${LONGRUN_HOME_PREFIX:-sim-}
FAST_TICK=${LONGRUN_FAST_TICK_MINUTES:-5}
INTERVAL_MIN=${LONGRUN_INTERVAL_MINUTES:-1}

case "$MODE" in A|B) ;; *) die "MODE must be A (scheduler on) or B (SCHEDULER_ENABLED=0, manual evaluate), not '$MODE'";; esac
for v in HOMES SEED DAYS SAMPLE_SECONDS SECONDS_RUN BACKFILL_DAYS INTERVAL_MIN FAST_TICK; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, not '${!v}'"
done
[[ $RATE =~ ^[0-9]+([.][0-9]+)?$ ]] && awk -v r="$RATE" 'BEGIN { exit !(r > 0) }' ||
	die "RATE must be a positive number (simulated seconds per wall second), not '$RATE'"
[ "$HOMES" -ge 1 ] || die "HOMES must be at least 1"
[ "$FAST" = 1 ] && [ "$MODE" = B ] && die "longrun-fast drives the ticks itself (agingos-sim --mode db); MODE=B applies to make longrun only"
[ "$FAST" = 1 ] && [ "$DAYS" -lt 1 ] && die "DAYS must be at least 1"
[ "$FAST" = 0 ] && [ "$SECONDS_RUN" -lt 60 ] && die "the real-time phase must last at least 60 s (HOURS or LONGRUN_SECONDS)"
command -v jq >/dev/null && command -v gnuplot >/dev/null && command -v curl >/dev/null ||
	{ "$AG_ROOT/scripts/deps.sh" || exit 1; }

# ---------------------------------------------------------------- the system
OWN=1
[ -n "${LONGRUN_TARGET:-}" ] && OWN=0
if [ "$OWN" = 1 ]; then
	PGPORT_L=${LONGRUN_PGPORT:-55460}
	HTTP_PORT_L=${LONGRUN_HTTP_PORT:-58100}
	RUN=${LONGRUN_DIR:-/tmp/agingos-longrun-$PGPORT_L}
else
	RUN=$(cd "$LONGRUN_TARGET" && pwd) || die "LONGRUN_TARGET '$LONGRUN_TARGET' is not a directory"
	PGPORT_L=${LONGRUN_PGPORT:-${PGPORT:-$AGINGOS_PGPORT}}
	HTTP_PORT_L=${LONGRUN_HTTP_PORT:-$AGINGOS_HTTP_PORT}
fi
SOCK=${LONGRUN_PGHOST:-$RUN/sock}
PG_LOG=${LONGRUN_PG_LOG:-$RUN/log/postgres.log}
HTTP_LOG=${LONGRUN_HTTP_LOG:-$RUN/log/http.log}
BASE="http://127.0.0.1:$HTTP_PORT_L"
# Q SQL [-v name=value ...]: SQL on stdin; values reach it as psql variables.
Q() {
	local sql=$1; shift
	psql_at "$SOCK" "$PGPORT_L" agingos -tA "$@" <<<"$sql"
}

bg_pids=()
cleanup() {
	local p
	[ -n "${PRIV:-}" ] && rm -rf "$PRIV"
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${bg_pids[@]}"; do wait "$p" 2>/dev/null; done
	if [ "$OWN" = 1 ] && [ -n "${STARTED:-}" ]; then
		if [ "${LONGRUN_KEEP:-0}" = 1 ]; then
			say "kept the longrun cluster: $RUN (PostgreSQL 127.0.0.1:$PGPORT_L, HTTP $BASE); stop it with: PGBIN=$PGBIN bash -c '. scripts/lib.sh; http_stop $RUN; pg_stop $RUN/data'"
		else
			http_stop "$RUN"; pg_stop "$RUN/data"; rm -rf "$RUN"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$OWN" = 1 ]; then
	if [ "${LONGRUN_NO_BUILD:-0}" != 1 ]; then
		"$AG_ROOT/scripts/deps.sh" || exit 1
		"$AG_ROOT/scripts/build.sh" || exit 1
	fi
	if [ -f "$RUN/data/postmaster.pid" ] || http_pid "$RUN" >/dev/null; then
		die "$RUN is in use (another longrun on port $PGPORT_L?); stop it or set LONGRUN_PGPORT/LONGRUN_HTTP_PORT"
	fi
	port_busy "$PGPORT_L" && die "port $PGPORT_L on 127.0.0.1 is used by another process; set LONGRUN_PGPORT to a free port"
	port_busy "$HTTP_PORT_L" && die "port $HTTP_PORT_L on 127.0.0.1 is used by another process; set LONGRUN_HTTP_PORT to a free port"
	rm -rf "$RUN"; run_prepare "$RUN"
	STARTED=1
	pg_init "$RUN/data"
	pg_conf "$RUN/data" "$PGPORT_L" "$RUN/sock"
	pg_start "$RUN/data" "$PGPORT_L" "$PG_LOG"
	db_setup "$RUN/sock" "$PGPORT_L"
	AGINGOS_AUTH_MODE=api_key AGINGOS_API_KEY= db_auth "$RUN/sock" "$PGPORT_L"
	# the shipped config with the scheduler cadence replaced, so that a short run sees ticks
	cfg_file=${AGINGOS_CONFIG:-config/rules.yaml}
	[ -f "$cfg_file" ] || die "config file '$cfg_file' not found (AGINGOS_CONFIG)"
	sed "s/^  interval_minutes: .*/  interval_minutes: $INTERVAL_MIN/" "$cfg_file" >"$RUN/rules.yaml"
	grep -q "^  interval_minutes: $INTERVAL_MIN\$" "$RUN/rules.yaml" || die "no scheduler.interval_minutes line in $cfg_file to replace"
	db_load_config "$RUN/sock" "$PGPORT_L" "$RUN/rules.yaml"
	Q "SELECT agingos.agingos_unschedule()" >/dev/null
	http_start "$RUN" "$RUN/sock" "$PGPORT_L" "$HTTP_PORT_L"
else
	Q "SELECT 1" >/dev/null 2>&1 || die "cannot reach the database of LONGRUN_TARGET ($SOCK port $PGPORT_L)"
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health")" = 200 ] || die "$BASE/health does not answer 200 (LONGRUN_HTTP_PORT)"
fi
[ -x "$SIM" ] || die "simulator $SIM not found: build it with make (src/sim/) or set AGINGOS_SIM"
# a private copy, so that a rebuild during a long run changes nothing
PRIV=$(mktemp -d /tmp/agingos-longrun-priv.XXXXXX)
cp "$SIM" "$PRIV/agingos-sim" || die "cannot copy $SIM"
SIM_ORIG=$SIM; SIM="$PRIV/agingos-sim"

AUTH=$(Q "SELECT value FROM agingos.settings WHERE name = 'auth_mode'")
DATA_DIR=$(Q "SHOW data_directory")
SCHED_JOB=$(Q "SELECT count(*) FROM cron.job WHERE jobname = 'agingos-scheduler' AND active")
INTERVAL_CFG=$(Q "SELECT agingos.agingos_config() -> 'scheduler' ->> 'interval_minutes'")
if [ "$OWN" = 0 ]; then
	if [ "$FAST" = 1 ] || [ "$MODE" = B ]; then
		[ "$SCHED_JOB" = 0 ] || die "the target runs the pg_cron job agingos-scheduler; longrun-fast and MODE=B need it off (SELECT agingos_unschedule())"
	else
		[ "$SCHED_JOB" = 1 ] || die "MODE=A needs the pg_cron job agingos-scheduler on the target (SELECT agingos_schedule())"
	fi
fi

# ------------------------------------------------------------ report folder
mkdir -p "$REPORT" || die "cannot create $REPORT"
REPORT=$(cd "$REPORT" && pwd)
rm -f "$REPORT"/*.tsv "$REPORT"/*.png "$REPORT"/*.json "$REPORT"/*.log "$REPORT"/*.txt "$REPORT"/report.md "$REPORT"/meta.env
rm -rf "$REPORT/logs"; mkdir -p "$REPORT/logs"

# homes and keys: with auth_mode api_key every simulated home gets its own
# ingest key (for the simulator) and admin key (probes, reads, mode B);
# with auth none every event lands in home "default".
HOME_IDS=()
for i in $(seq 1 "$HOMES"); do HOME_IDS+=("$PREFIX$i"); done
KEYS="$PRIV/keys.txt"; : >"$KEYS"; chmod 600 "$KEYS"
declare -A ADMIN_KEY
if [ "$AUTH" = api_key ]; then
	for h in "${HOME_IDS[@]}"; do
		k=$(Q "SELECT agingos.agingos_create_api_key(:'h', 'ingest')" -v h="$h") || die "cannot create an API key for $h"
		echo "$h $k" >>"$KEYS"
		ADMIN_KEY[$h]=$(Q "SELECT agingos.agingos_create_api_key(:'h', 'admin')" -v h="$h")
	done
	KEYARGS=(--api-key-file "$KEYS")
else
	say "auth_mode is '$AUTH' on the target: every event goes to home 'default' (HOMES=$HOMES residents share it)"
	HOME_IDS=(default); KEYARGS=()
fi
key_hdr() { [ -n "${ADMIN_KEY[$1]:-}" ] && printf 'X-API-Key: %s' "${ADMIN_KEY[$1]}" || printf 'X-Longrun: 1'; }

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
log_size() { [ -f "$1" ] && stat -c %s "$1" || echo 0; }

# ------------------------------------------------------- history (backfill)
SIM_COMMON=(--homes "$HOMES" --seed "$SEED" --home-prefix "$PREFIX" --no-progress)
if [ "$FAST" = 0 ] && [ "$BACKFILL_DAYS" -gt 0 ]; then
	# the history ends where the run's simulated period begins (now, or earlier with RATE > 1)
	bf_end=$(awk -v n="$(date +%s)" -v s="$SECONDS_RUN" -v r="$RATE" 'BEGIN { printf "%d", n + s - s * r }')
	say "backfill: $BACKFILL_DAYS simulated days for $HOMES homes over HTTP, ending $(iso "$bf_end")"
	env -u AGINGOS_API_KEY "$SIM" --mode http "${SIM_COMMON[@]}" --start "$(iso $((bf_end - BACKFILL_DAYS * 86400)))" --days "$BACKFILL_DAYS" \
		--speed 1000000 --url "$BASE" "${KEYARGS[@]}" \
		--stats-file "$REPORT/backfill-stats.json" >"$REPORT/backfill.log" 2>&1 ||
		die "the backfill run of $SIM failed (exit $?); see $REPORT/backfill.log"
fi

if [ "$OWN" = 1 ] && [ "$FAST" = 0 ] && [ "$MODE" = A ]; then
	Q "SELECT agingos.agingos_schedule()" >/dev/null
	SCHED_JOB=1
fi
INTERVAL_S=$(( ${INTERVAL_CFG:-5} * 60 ))
[ "$FAST" = 1 ] && INTERVAL_S=$((FAST_TICK * 60))

# ------------------------------------------------------------ baseline
T_START=$(date +%s)
PG_LOG_OFF=$(log_size "$PG_LOG")
HTTP_LOG_OFF=$(log_size "$HTTP_LOG")
RUN_ID0=$(Q "SELECT coalesce(max(run_id), 0) FROM agingos.scheduler_runs")
EVENT_ID0=$(Q "SELECT coalesce(max(id), 0) FROM agingos.events")
DEV_ID0=$(Q "SELECT coalesce(max(deviation_id), 0) FROM agingos.deviations")
V1_0=$(Q "SELECT count(*) FROM agingos.deviations_v1")
if [ "$FAST" = 1 ]; then
	SIM_START=$(date -u -d "$(date -u +%Y-%m-%d) - $DAYS days" +%s)
	SIM_END=$((SIM_START + DAYS * 86400))
	DEFAULT_INJECT="R-008@$(iso $((SIM_START + DAYS * 86400 / 4 + 43200))):1,R-003@$(iso $((SIM_START + DAYS * 86400 * 11 / 20 + 36000))):$(( HOMES > 1 ? 2 : 1 ))"
else
	SIM_END=$((T_START + SECONDS_RUN))
	SIM_START=$(awk -v e="$SIM_END" -v s="$SECONDS_RUN" -v r="$RATE" 'BEGIN { printf "%d", e - s * r }')
	DEFAULT_INJECT="R-008@$(iso $((T_START + SECONDS_RUN / 4))):1,R-003@$(iso $((T_START + SECONDS_RUN * 11 / 20))):$(( HOMES > 1 ? 2 : 1 ))"
fi
INJECT=${INJECT-$DEFAULT_INJECT}

cat >"$REPORT/meta.env" <<META
FAST=$FAST
MODE=$MODE
HOMES=$HOMES
SEED=$SEED
RATE=$RATE
DAYS=$DAYS
SECONDS_RUN=$SECONDS_RUN
BACKFILL_DAYS=$BACKFILL_DAYS
SAMPLE_SECONDS=$SAMPLE_SECONDS
INTERVAL_S=$INTERVAL_S
INJECT='$INJECT'
AUTH=$AUTH
OWN=$OWN
RUN='$RUN'
SOCK='$SOCK'
PGPORT_L=$PGPORT_L
HTTP_PORT_L=$HTTP_PORT_L
DATA_DIR='$DATA_DIR'
PG_LOG='$PG_LOG'
HTTP_LOG='$HTTP_LOG'
PG_LOG_OFF=$PG_LOG_OFF
HTTP_LOG_OFF=$HTTP_LOG_OFF
RUN_ID0=$RUN_ID0
EVENT_ID0=$EVENT_ID0
DEV_ID0=$DEV_ID0
V1_0=$V1_0
T_START=$T_START
SIM_START=$SIM_START
SIM_END=$SIM_END
HOME_IDS='${HOME_IDS[*]}'
PREFIX='$PREFIX'
SIM='$SIM_ORIG'
META
export REPORT
. "$AG_ROOT/test/longrun/longrun_sample.sh"

# UTC probes: the same kind of instant written with different offsets; the
# check compares what is stored and returned with the instant sent.
probe() { # probe TAG: post 5 probe events into the first home, record id and expected epoch
	local tag=$1 base i ts body code h=${HOME_IDS[0]}
	base=$(( $(date +%s) - 3600 ))
	local -a forms=(
		"$(date -u -d "@$base" +%Y-%m-%dT%H:%M:%SZ)|$base"
		"$(date -u -d "@$((base + 3600))" +%Y-%m-%dT%H:%M:%S)+01:00|$base"
		"$(date -u -d "@$((base - 12600))" +%Y-%m-%dT%H:%M:%S)-0330|$base"
		"$(date -u -d "@$((base + 18000))" +%Y-%m-%d\ %H:%M:%S)+05|$base"
		"$(date -u -d "@$((base + 7200))" +%Y-%m-%dT%H:%M:%S).25+02:00|$base.25"
	)
	for i in "${!forms[@]}"; do
		ts=${forms[$i]%|*}
		body="{\"id\":\"longrun-probe-$tag-$i\",\"timestamp\":\"$ts\",\"category\":\"longrun_probe\",\"payload\":{\"probe\":$i}}"
		code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "$(key_hdr "$h")" \
			--data-binary "$body" "$BASE/event")
		printf '%s\t%s\t%s\t%s\t%s\n' "longrun-probe-$tag-$i" "$h" "$ts" "${forms[$i]#*|}" "$code" >>"$REPORT/probes.tsv"
	done
}
printf 'event_id\thome_id\tsent\texpected_epoch\thttp_code\n' >"$REPORT/probes.tsv"

# ------------------------------------------------------------ sampler
sampler() {
	local next=$T_START
	while :; do
		sample_once
		next=$((next + SAMPLE_SECONDS))
		local now; now=$(date +%s)
		[ "$next" -gt "$now" ] && sleep $((next - now))
	done
}
probe start
sample_header
sampler &
bg_pids+=($!)

# -------------------------------------------------- mode B: manual evaluate
evaluator() {
	local next=$T_START now h t0 code ms n pcode pn until_h since_h r
	printf 'round_start\thome_id\teval_code\teval_ms\teval_rows\tpersist_code\tpersisted\twindow_until\n' >"$REPORT/evals.tsv"
	while :; do
		t0=$(date +%s.%N)
		now=${t0%.*}
		until_h=$(( now / 3600 * 3600 )); since_h=$((until_h - 3600))
		for h in "${HOME_IDS[@]}"; do
			r=$(curl -s -o "$REPORT/.eval.json" -w '%{http_code} %{time_total}' -H "$(key_hdr "$h")" \
				"$BASE/deviations/evaluate?since=$(iso $((now - 3600)))&until=$(iso "$now")&now=$(iso "$now")")
			code=${r% *}; ms=$(awk -v s="${r#* }" 'BEGIN { printf "%.1f", s * 1000 }')
			n=$(jq 'if type == "array" then length else -1 end' "$REPORT/.eval.json" 2>/dev/null || echo -1)
			r=$(curl -s -o "$REPORT/.persist.json" -w '%{http_code}' -X POST -H "$(key_hdr "$h")" \
				"$BASE/deviations/persist?since=$(iso "$since_h")&until=$(iso "$until_h")")
			pcode=$r; pn=$(jq '.persisted // -1' "$REPORT/.persist.json" 2>/dev/null || echo -1)
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t0" "$h" "$code" "$ms" "$n" "$pcode" "$pn" "$until_h" >>"$REPORT/evals.tsv"
		done
		next=$((next + INTERVAL_S))
		now=$(date +%s)
		[ "$next" -gt "$now" ] && sleep $((next - now))
	done
}
if [ "$FAST" = 0 ] && [ "$MODE" = B ]; then
	evaluator &
	bg_pids+=($!)
fi

# ------------------------------------------------------------ the load
INJ=(); [ -n "$INJECT" ] && INJ=(--inject "$INJECT")
if [ "$FAST" = 1 ]; then
	say "longrun-fast: $DAYS simulated days, $HOMES homes, ticks every $FAST_TICK simulated minutes (agingos-sim --mode db); report in $REPORT"
	SIM_CMD=("$SIM" --mode db "${SIM_COMMON[@]}" --days "$DAYS" --start "$(iso "$SIM_START")" --tick-minutes "$FAST_TICK"
		"${INJ[@]}" --stats-file "$REPORT/sim-stats.json")
	SIM_DRY=("$SIM" --mode http "${SIM_COMMON[@]}" --days "$DAYS" --start "$(iso "$SIM_START")" "${INJ[@]}" --dry-run)
	export PGHOST=$SOCK PGPORT=$PGPORT_L PGUSER=agingos PGDATABASE=agingos
	# agingos-sim prefers AGINGOS_PG* over libpq's PG*: set both, so the
	# simulator talks to this run's cluster whatever the caller's environment holds
	export AGINGOS_PGHOST=$SOCK AGINGOS_PGPORT=$PGPORT_L AGINGOS_PGUSER=agingos AGINGOS_PGDATABASE=agingos
else
	say "longrun: mode $MODE, $SECONDS_RUN s real time, $HOMES homes, RATE=$RATE, sample every $SAMPLE_SECONDS s; report in $REPORT"
	days=$(awk -v s="$SECONDS_RUN" -v r="$RATE" 'BEGIN { printf "%.6f", s * r / 86400 }')
	speed=(--speed "$RATE"); [ "$RATE" = 1 ] && speed=(--realtime)
	SIM_CMD=("$SIM" --mode http "${SIM_COMMON[@]}" --start "$(iso "$SIM_START")" --days "$days" "${speed[@]}" --url "$BASE"
		"${KEYARGS[@]}" "${INJ[@]}" --stats-file "$REPORT/sim-stats.json")
	SIM_DRY=("$SIM" --mode http "${SIM_COMMON[@]}" --start "$(iso "$SIM_START")" --days "$days" "${INJ[@]}" --dry-run)
fi
printf '%q ' "${SIM_CMD[@]}" | sed "s|$PRIV/agingos-sim|$SIM_ORIG|; s|$REPORT/||g; s|$PRIV/||g" >"$REPORT/sim-command.txt"
# keys come from the key file (or none with auth off), never from the caller's AGINGOS_API_KEY
env -u AGINGOS_API_KEY "${SIM_CMD[@]}" >"$REPORT/sim.log" 2>&1 &
sim_pid=$!
bg_pids+=("$sim_pid")
# the simulator ends by itself; past the planned end plus a grace it is stopped
limit=$(( FAST == 1 ? 6 * 3600 : SECONDS_RUN + 300 ))
while kill -0 "$sim_pid" 2>/dev/null; do
	[ $(( $(date +%s) - T_START )) -gt "$limit" ] && { say "the simulator is past its planned end by 5 min; stopping it"; kill "$sim_pid"; }
	sleep 1
done
wait "$sim_pid"; SIM_RC=$?
# let the scheduler see the last minute of events: one more interval
[ "$FAST" = 0 ] && [ "$MODE" = A ] && sleep "$(( INTERVAL_S > 90 ? 90 : INTERVAL_S ))"
for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
bg_pids=()
sleep 1
sample_once
T_END=$(date +%s)
probe end
collect_ticks
{ echo "T_END=$T_END"; echo "SIM_RC=$SIM_RC"; } >>"$REPORT/meta.env"
# what the simulator sent: the same seed, start and injections give the same
# events and ids (--dry-run), for the completeness and UTC checks
"${SIM_DRY[@]}" 2>/dev/null | jq -r '[.home_id, .event.id, .event.timestamp] | @tsv' >"$REPORT/sent.tsv" ||
	say "agingos-sim --dry-run failed: the sent-events comparison is skipped"

# logs of the run, for the report and the runbook
tail -c +"$((PG_LOG_OFF + 1))" "$PG_LOG" >"$REPORT/logs/postgres.log" 2>/dev/null
tail -c +"$((HTTP_LOG_OFF + 1))" "$HTTP_LOG" >"$REPORT/logs/http.log" 2>/dev/null

# ------------------------------------------------------------ verdict
bash "$AG_ROOT/test/longrun/longrun_check.sh" "$REPORT"
rc=$?
exit "$rc"
