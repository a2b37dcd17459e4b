#!/usr/bin/env bash
# test/longrun/longrun_check.sh REPORT_DIR — the verdict of a longrun: checks the
# runbook's stop criteria (docs/ops/longrun.md) on what test/longrun/longrun.sh
# collected in REPORT_DIR (meta.env, samples.tsv, ticks.tsv, evals.tsv,
# probes.tsv, sim-stats.json, logs/) and on the database it drove, writes
# checks.tsv, figures.tsv, the PNG plots and report.md, prints one line per
# check and exits 1 naming the first criterion broken (0 when all hold).
#
# Thresholds (environment, defaults in brackets; the runbook explains them):
#   LONGRUN_LAG_MAX_S [30]            an event may reach the database at most this late
#                                     against the pace RATE sets (p99)
#   LONGRUN_CADENCE_TOLERANCE [0.10]  tick gaps within ±10 % of the interval
#   LONGRUN_FRONT_RSS_MAX_KB [20480]  agingos-http VmRSS growth after warm-up
#   LONGRUN_PG_ANON_MAX_KB [65536]    Σ RssAnon growth after warm-up of the cluster's processes
#                                     that live through the whole judged span
#   LONGRUN_DB_SLACK_BYTES [16777216] database growth not tied to events
#   LONGRUN_DB_BYTES_PER_EVENT [2000] database growth allowed per stored event
. "$(dirname "$0")/../../scripts/lib.sh"
REPORT=$(cd "${1:?usage: longrun_check.sh REPORT_DIR}" && pwd) || exit 2
. "$REPORT/meta.env"
LAG_MAX=${LONGRUN_LAG_MAX_S:-30}
TOL=${LONGRUN_CADENCE_TOLERANCE:-0.10}
FRONT_MAX=${LONGRUN_FRONT_RSS_MAX_KB:-20480}
ANON_MAX=${LONGRUN_PG_ANON_MAX_KB:-65536}
DB_SLACK=${LONGRUN_DB_SLACK_BYTES:-16777216}
DB_PER_EVENT=${LONGRUN_DB_BYTES_PER_EVENT:-2000}
BASE="http://127.0.0.1:$HTTP_PORT_L"
# Q SQL [-v name=value ...]: SQL on stdin, so values reach it as psql
# variables (:'name'), never pasted into the text; the run's fixed values are
# always set: event_id0, dev_id0, rate, sim_start, sim_end.
Q() {
	local sql=$1; shift
	psql_at "$SOCK" "$PGPORT_L" agingos -tA -F $'\t' -v event_id0="${EVENT_ID0:-}" -v dev_id0="${DEV_ID0:-}" \
		-v rate="${RATE:-}" -v sim_start="${SIM_START:-}" -v sim_end="${SIM_END:-}" "$@" <<<"$sql"
}
S="$REPORT/samples.tsv"
T="$REPORT/ticks.tsv"
: >"$REPORT/checks.tsv"
: >"$REPORT/figures.tsv"

# check NAME OK(0/1) DETAIL
check() { printf '%s\t%s\t%s\n' "$1" "$([ "$2" = 0 ] && echo ok || echo FAIL)" "$3" >>"$REPORT/checks.tsv"; }
fig() { printf '%s\t%s\n' "$1" "$2" >>"$REPORT/figures.tsv"; }
# col NAME: the column of samples.tsv, one value a line
col() { awk -F'\t' -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$S"; }
# pct P: P-th percentile (nearest rank) of the numbers on stdin
pct() { sort -g | awk -v p="$1" '{ a[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } i = int((NR - 1) * p / 100 + 0.5) + 1; print a[i] }'; }
first() { sed -n 1p; }
last() { tail -1; }
NS=$(($(wc -l <"$S") - 1))
RUN_S=$((T_END - T_START))
# warm-up: the first 10 % of the run, at least two samples, at most 5 minutes
WARM=$(awk -v r="$RUN_S" -v s="$SAMPLE_SECONDS" 'BEGIN { w = r / 10; if (w < 2 * s) w = 2 * s; if (w > 300) w = 300; printf "%d", w }')
INJECTS=$(echo "$INJECT" | tr ',' '\n' | sed '/^$/d')

# what agingos-sim sent (sent.tsv: home_id, event id, timestamp as sent) against what is stored
SENT_N=; SENT_MISSING=; SENT_DIFF=; SENT_FIRST_MISSING=; SENT_FIRST_DIFF=
if [ -s "$REPORT/sent.tsv" ]; then
	# with auth off every event is stored under the caller's home "default"
	authoff=0; [ "$AUTH" = api_key ] || authoff=1
	read -r SENT_N SENT_MISSING SENT_DIFF SENT_FIRST_MISSING SENT_FIRST_DIFF < <(psql_at "$SOCK" "$PGPORT_L" agingos -tA -F ' ' -v authoff="$authoff" <<SQL
CREATE TEMP TABLE sent (home_id text, event_id text, ts text);
\copy sent FROM '$REPORT/sent.tsv'
SELECT count(*), count(*) FILTER (WHERE e.id IS NULL),
       count(*) FILTER (WHERE e.id IS NOT NULL AND e."timestamp" <> s.ts::timestamptz),
       coalesce(min(s.event_id) FILTER (WHERE e.id IS NULL), '-'),
       coalesce(min(s.event_id || '=' || s.ts || '/stored=' || agingos.agingos_iso(e."timestamp"))
                FILTER (WHERE e.id IS NOT NULL AND e."timestamp" <> s.ts::timestamptz), '-')
  FROM sent s LEFT JOIN agingos.events e ON e.home_id = CASE WHEN (:'authoff')::int = 1 THEN 'default' ELSE s.home_id END AND e.event_id = s.event_id;
SQL
)
fi

# ------------------------------------------------------------ 1. health
bad=$(awk -F'\t' -v t0="$T_START" 'NR > 1 && $2 != 200 { printf "at +%ds /health answered %s (%s ms)\n", $1 - t0, $2, $3 }' "$S")
if [ "$NS" -lt 1 ]; then check health 1 "no samples were taken"
elif [ -n "$bad" ]; then check health 1 "$(echo "$bad" | wc -l) of $NS samples not 200; first: $(echo "$bad" | first)"
else check health 0 "$NS of $NS samples 200"; fi
fig "health latency p50 / p99 / max" "$(col health_ms | pct 50) / $(col health_ms | pct 99) / $(col health_ms | pct 100) ms"

# ------------------------------------------------------------ 2. event growth
stored=$(Q "SELECT count(*) FROM agingos.events WHERE id > (:'event_id0')::bigint AND category <> 'longrun_probe'")
ev0=$(col events | first); ev1=$(col events | last)
accepted=$(jq -r '.events_accepted // empty' "$REPORT/sim-stats.json" 2>/dev/null)
rejected=$(jq -r '(.events_rejected // 0) + (.http_errors // 0)' "$REPORT/sim-stats.json" 2>/dev/null)
why=
if [ "${SIM_RC:-1}" != 0 ]; then why="agingos-sim exited $SIM_RC (see sim.log)"
elif [ -z "$accepted" ]; then why="agingos-sim wrote no events_accepted in sim-stats.json"
elif [ "${rejected:-0}" != 0 ]; then why="agingos-sim reports $rejected rejected events or HTTP errors"
elif [ "$stored" != "$accepted" ]; then why="stored $stored new events, agingos-sim reports $accepted accepted"
elif [ -n "$SENT_N" ] && [ "$SENT_MISSING" != 0 ]; then why="$SENT_MISSING of the $SENT_N events agingos-sim sent are not stored (first: $SENT_FIRST_MISSING)"
fi
if [ -z "$why" ]; then
	dec=$(col events | awk 'NR > 1 && $1 < p { print NR; exit } { p = $1 }')
	[ -n "$dec" ] && why="the events count went down at sample $dec"
fi
if [ -z "$why" ] && [ "$FAST" = 0 ]; then
	# pace: d = received_at - timestamp / RATE is constant when events arrive
	# exactly when RATE says; lag = d - (1st percentile of d)
	read -r lag50 lag99 lagmax late < <(Q "
		WITH d AS (SELECT extract(epoch FROM received_at) - extract(epoch FROM \"timestamp\") / (:'rate')::numeric AS d
		             FROM agingos.events WHERE id > (:'event_id0')::bigint AND category <> 'longrun_probe'),
		     r AS (SELECT percentile_disc(0.01) WITHIN GROUP (ORDER BY d) AS ref FROM d)
		SELECT round(percentile_disc(0.5) WITHIN GROUP (ORDER BY d - ref)::numeric, 1),
		       round(percentile_disc(0.99) WITHIN GROUP (ORDER BY d - ref)::numeric, 1),
		       round(max(d - ref)::numeric, 1), count(*) FILTER (WHERE d - ref > (:'lag_max')::numeric)
		  FROM d, r" -v lag_max="$LAG_MAX" | tr '\t' ' ')
	fig "event lag against the pace (p50 / p99 / max)" "${lag50:-n/a} / ${lag99:-n/a} / ${lagmax:-n/a} s"
	if [ -n "$lag99" ] && awk -v a="$lag99" -v m="$LAG_MAX" 'BEGIN { exit !(a > m) }'; then
		why="$late events reached the database more than ${LAG_MAX}s behind the pace RATE=$RATE sets (p99 lag ${lag99}s)"
	fi
fi
if [ -z "$why" ] && [ "$FAST" = 1 ]; then
	days=$(Q "SELECT to_char(date_trunc('day', \"timestamp\" AT TIME ZONE 'UTC'), 'YYYY-MM-DD'), count(*)
	            FROM agingos.events WHERE id > (:'event_id0')::bigint AND category <> 'longrun_probe' AND \"timestamp\" >= to_timestamp((:'sim_start')::double precision) AND \"timestamp\" < to_timestamp((:'sim_end')::double precision)
	           GROUP BY 1 ORDER BY 1")
	med=$(echo "$days" | cut -f2 | pct 50)
	odd=$(echo "$days" | awk -F'\t' -v m="$med" '$2 < 0.5 * m || $2 > 1.5 * m { printf "%s has %d events (median day %d)\n", $1, $2, m }' | first)
	ndays=$(echo "$days" | grep -c .)
	[ "$ndays" -ne "$DAYS" ] && why="events cover $ndays simulated days, expected $DAYS"
	[ -z "$why" ] && [ -n "$odd" ] && why="events per simulated day not steady: $odd"
	fig "events per simulated day (median, min, max)" "$med, $(echo "$days" | cut -f2 | pct 0), $(echo "$days" | cut -f2 | pct 100)"
fi
if [ -n "$why" ]; then check event_growth 1 "$why"
else check event_growth 0 "$stored new events stored = accepted by agingos-sim${SENT_N:+, every one of the $SENT_N it sent is stored}; count never went down"; fi
NPROBE=$(($(wc -l <"$REPORT/probes.tsv") - 1))
fig "events stored during the run" "$stored (+ $NPROBE UTC probes)"
fig "events per wall second" "$(awk -v n="$stored" -v s="$RUN_S" 'BEGIN { printf "%.2f", (s > 0 ? n / s : 0) }')"
[ -f "$REPORT/sim-stats.json" ] && fig "agingos-sim summary" "$(jq -c 'del(.homes, .per_home, .injected)' "$REPORT/sim-stats.json" 2>/dev/null)"

# ------------------------------------------------------------ 3. deviation growth
why=
grow=$(awk -F'\t' -v t0="$T_START" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	NR > 2 && $c["deviations"] - pd > $c["opens"] - po { printf "at +%ds deviations grew by %d rows with %d new episodes in deviation_history\n", $1 - t0, $c["deviations"] - pd, $c["opens"] - po; exit }
	{ pd = $c["deviations"]; po = $c["opens"] }' "$S")
[ -n "$grow" ] && why=$grow
read -r rows_new opens_new < <(Q "SELECT (SELECT count(*) FROM agingos.deviations WHERE deviation_id > (:'dev_id0')::bigint),
	(SELECT count(*) FROM agingos.deviation_history WHERE deviation_id > (:'dev_id0')::bigint AND reason IN ('open', 'reopen'))" | tr '\t' ' ')
ticks_opened=$(awk -F'\t' 'NR > 1 { s += $10 } END { print s + 0 }' "$T")
if [ "$MODE" = B ]; then
	v1_0=$V1_0; v1_1=$(Q "SELECT count(*) FROM agingos.deviations_v1")
	persisted=$(awk -F'\t' 'NR > 1 && $7 > 0 { s += $7 } END { print s + 0 }' "$REPORT/evals.tsv")
	again=$(awk -F'\t' 'NR > 1 { k = $2 "@" $8; if ((k in seen) && $7 > 0) { printf "%s window until %s persisted %d rows again\n", $2, $8, $7; exit } seen[k] = 1 }' "$REPORT/evals.tsv")
	[ -z "$why" ] && [ "$rows_new" != 0 ] && why="$rows_new deviations rows appeared in mode B (the scheduler is supposed to be off)"
	[ -z "$why" ] && [ -n "$again" ] && why="persisting the same window twice added rows: $again"
	[ -z "$why" ] && [ $((v1_1 - v1_0)) -gt "$persisted" ] && why="deviations_v1 grew by $((v1_1 - v1_0)) rows but persist calls report $persisted"
	detail="deviations_v1 +$((v1_1 - v1_0)) rows, all from persist calls of new windows; deviations unchanged"
else
	[ -z "$why" ] && [ "$rows_new" != "$opens_new" ] && why="$rows_new new deviations rows but $opens_new open/reopen entries in deviation_history"
	[ -z "$why" ] && [ "$rows_new" != "$ticks_opened" ] && why="$rows_new new deviations rows but the ticks report $ticks_opened opened"
	detail="$rows_new new rows = $opens_new open/reopen episodes in deviation_history = $ticks_opened opened by ticks"
fi
if [ -n "$why" ]; then check deviation_growth 1 "$why"; else check deviation_growth 0 "$detail"; fi
fig "deviations: new rows / active at end / deviations_v1 rows" "$rows_new / $(col active | last) / $(col v1 | last)"
byrule=$(Q "SELECT string_agg(rule_id || ' ' || n, ', ' ORDER BY rule_id) FROM (SELECT rule_id, count(*) AS n FROM agingos.deviations
             WHERE deviation_id > (:'dev_id0')::bigint GROUP BY 1) x")
fig "new deviations by rule" "${byrule:-none}"

# ------------------------------------------------------------ 4. tick cadence
why=
ntick=$(($(wc -l <"$T") - 1))
if [ "$MODE" = B ]; then
	[ "$ntick" -gt 0 ] && why="$ntick scheduler ticks ran although the scheduler is off (MODE=B)"
	if [ -z "$why" ]; then
		why=$(awk -F'\t' 'NR > 1 && ($3 != 200 || $6 != 200) { printf "evaluate/persist for %s answered %s/%s\n", $2, $3, $6; exit }' "$REPORT/evals.tsv")
	fi
	if [ -z "$why" ]; then
		why=$(awk -F'\t' -v iv="$INTERVAL_S" -v tol="$TOL" 'NR > 1 && !($1 in seen) { seen[$1] = 1; t[++n] = $1 }
			END { for (i = 2; i <= n; i++) { g = t[i] - t[i-1]; if (g > iv * (1 + tol) || g < iv * (1 - tol)) { printf "manual evaluation rounds %d and %d started %.1f s apart (interval %d s)", i - 1, i, g, iv; exit } } }' "$REPORT/evals.tsv")
	fi
	detail="no scheduler ticks; $(awk 'END { print NR - 1 }' "$REPORT/evals.tsv") manual evaluate+persist calls, all 200, on a ${INTERVAL_S}s cadence"
	fig "manual evaluate latency p50 / p99 / max" "$(awk -F'\t' 'NR > 1 { print $4 }' "$REPORT/evals.tsv" | pct 50) / $(awk -F'\t' 'NR > 1 { print $4 }' "$REPORT/evals.tsv" | pct 99) / $(awk -F'\t' 'NR > 1 { print $4 }' "$REPORT/evals.tsv" | pct 100) ms"
else
	# FAST: the simulated clock (now) must step by the tick interval; real: started_at
	xcol=2; [ "$FAST" = 1 ] && xcol=3
	why=$(awk -F'\t' -v x="$xcol" -v iv="$INTERVAL_S" -v tol="$TOL" '
		NR == 1 { next }
		$12 != "ok" { printf "tick run_id=%s has status %s%s", $1, $12, ($12 == "skipped" ? " (another tick held the lock: overlap)" : ""); exit }
		n > 0 && $2 < ps + pd / 1000 - 0.001 { printf "tick run_id=%s started before run_id=%s ended (overlap)", $1, pr; exit }
		n > 0 { g = $x - px; if (g > iv * (1 + tol) || g < iv * (1 - tol)) { printf "ticks run_id=%s and %s are %.1f s apart (interval %d s, tolerance %d %%)", pr, $1, g, iv, tol * 100; exit } }
		{ n++; px = $x; ps = $2; pd = $4; pr = $1 }' "$T")
	if [ -z "$why" ] && [ "$ntick" -lt 1 ]; then why="no scheduler tick ran"; fi
	if [ -z "$why" ] && [ "$FAST" = 0 ]; then
		f=$(awk -F'\t' 'NR == 2 { print int($2) }' "$T"); l=$(awk -F'\t' 'END { print int($2) }' "$T")
		lim=$(awk -v iv="$INTERVAL_S" -v tol="$TOL" 'BEGIN { printf "%d", iv * (1 + tol) + 1 }')
		[ $((f - T_START)) -gt "$lim" ] && why="the first tick came $((f - T_START)) s after the start (interval $INTERVAL_S s)"
		[ -z "$why" ] && [ $((T_END - l)) -gt "$lim" ] && why="no tick in the last $((T_END - l)) s of the run (interval $INTERVAL_S s)"
	fi
	if [ -z "$why" ] && [ "$FAST" = 1 ]; then
		want=$((DAYS * 86400 / INTERVAL_S))
		[ "$ntick" -ne "$want" ] && why="$ntick ticks for $DAYS simulated days, expected $want"
	fi
	gaps=$(awk -F'\t' -v x="$xcol" 'NR > 2 { print $x - p } NR > 1 { p = $x }' "$T")
	detail="$ntick ticks, all ok, gaps $(echo "$gaps" | pct 0)–$(echo "$gaps" | pct 100) s for a ${INTERVAL_S}s interval, none overlapping"
	fig "tick duration median / p95 / max" "$(awk -F'\t' 'NR > 1 { print $4 }' "$T" | pct 50) / $(awk -F'\t' 'NR > 1 { print $4 }' "$T" | pct 95) / $(awk -F'\t' 'NR > 1 { print $4 }' "$T" | pct 100) ms"
	fig "rule evaluations failed in ticks" "$(awk -F'\t' 'NR > 1 { s += $8 } END { print s + 0 }' "$T")"
fi
if [ -n "$why" ]; then check tick_cadence 1 "$why"; else check tick_cadence 0 "$detail"; fi

# ------------------------------------------------------------ 5. ERROR lines
PGL="$REPORT/logs/postgres.log"; HL="$REPORT/logs/http.log"
e1=$(grep -E '(ERROR|FATAL|PANIC):|rule_engine error|scheduler tick .*status=error' "$PGL" 2>/dev/null | first)
e2=$(grep -E 'level=error' "$HL" 2>/dev/null | first)
nw=$(grep -cE 'WARNING:' "$PGL" 2>/dev/null); hw=$(grep -cE 'level=warn' "$HL" 2>/dev/null)
if [ -n "$e1" ]; then check error_lines 1 "server log: $(echo "$e1" | cut -c1-240)"
elif [ -n "$e2" ]; then check error_lines 1 "agingos-http log: $(echo "$e2" | cut -c1-240)"
else check error_lines 0 "no ERROR/FATAL/PANIC lines; WARNING lines: server ${nw:-0}, front ${hw:-0}"; fi
fig "WARNING lines (server / front)" "${nw:-0} / ${hw:-0}"

# ------------------------------------------------------------ 6. RSS growth
# median of the first 3 samples after warm-up against the median of the last 3
med3() { awk -F'\t' -v c="$1" -v w="$(($T_START + WARM))" -v end="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } $1 >= w { v[++n] = $k }
	END { if (n < 4) { print "n/a"; exit } s = (end ? n - 2 : 1); a = v[s]; b = v[s+1]; c3 = v[s+2];
	      m = (a <= b ? (b <= c3 ? b : (a <= c3 ? c3 : a)) : (a <= c3 ? a : (b <= c3 ? c3 : b))); print m }' "$S"; }
f0=$(med3 front_rss_kb 0); f1=$(med3 front_rss_kb 1); a0=$(med3 pg_anon_kb 0); a1=$(med3 pg_anon_kb 1)
r0=$(med3 pg_rss_kb 0); r1=$(med3 pg_rss_kb 1)
# database processes: RssAnon growth of the processes that live through the whole
# judged span (a connection opened later, or pg_cron's per-job backend, is load, not a leak)
read -r kept kept0 kept1 worst < <(awk -F'\t' -v w="$(($T_START + WARM))" 'NR > 1 && $1 >= w { if (!($1 in seen)) { seen[$1] = 1; ts[++n] = $1 } v[$1, $2] = $4; cmd[$2] = $5 }
	END { if (n < 4) { print "n/a n/a n/a -"; exit }
	      for (k in v) { split(k, a, SUBSEP); pid[a[2]] = 1 }
	      for (p in pid) { ok = 1; for (i = 1; i <= 3; i++) if (!((ts[i], p) in v) || !((ts[n - 3 + i], p) in v)) ok = 0; if (!ok) continue
	        x = med(v[ts[1], p], v[ts[2], p], v[ts[3], p]); y = med(v[ts[n-2], p], v[ts[n-1], p], v[ts[n], p])
	        c++; s0 += x; s1 += y; if (y - x > wg) { wg = y - x; wp = p } }
	      printf "%d %d %d %s\n", c, s0, s1, (wp == "" ? "-" : wp ":" wg "kB") }
	function med(a, b, c) { return (a <= b ? (b <= c ? b : (a <= c ? c : a)) : (a <= c ? a : (b <= c ? c : b))) }' "$REPORT/procs.tsv" 2>/dev/null)
if [ "$f0" = n/a ] || [ "${kept:-n/a}" = n/a ]; then check rss_growth 0 "fewer than 4 samples after the ${WARM}s warm-up: not judged"
elif [ $((f1 - f0)) -gt "$FRONT_MAX" ]; then check rss_growth 1 "agingos-http VmRSS grew $(((f1 - f0) / 1024)) MiB after warm-up ($((f0 / 1024)) → $((f1 / 1024)) MiB; bound $((FRONT_MAX / 1024)) MiB)"
elif [ $((kept1 - kept0)) -gt "$ANON_MAX" ]; then check rss_growth 1 "the $kept database processes alive throughout grew $(((kept1 - kept0) / 1024)) MiB of private memory (RssAnon) after warm-up ($((kept0 / 1024)) → $((kept1 / 1024)) MiB; bound $((ANON_MAX / 1024)) MiB; most: pid $worst)"
else check rss_growth 0 "after warm-up: agingos-http $f0 → $f1 kB VmRSS; the $kept database processes alive throughout $kept0 → $kept1 kB RssAnon"; fi
fig "agingos-http VmRSS (after warm-up → end)" "$f0 → $f1 kB"
fig "database processes Σ RssAnon / Σ VmRSS, all of them (after warm-up → end)" "$a0 → $a1 kB / $r0 → $r1 kB"
fig "database processes alive throughout: Σ RssAnon (after warm-up → end), most growth" "${kept:-n/a} processes, ${kept0:-n/a} → ${kept1:-n/a} kB, pid ${worst:--}"

# ------------------------------------------------------------ 7. database growth
d0=$(col db_bytes | first); d1=$(col db_bytes | last)
dev_=$((ev1 - ev0)); ddb=$((d1 - d0))
allowed=$((DB_SLACK + dev_ * DB_PER_EVENT))
per=$(awk -v d="$ddb" -v n="$dev_" 'BEGIN { if (n > 0) printf "%.0f", d / n; else print "n/a" }')
evb=$(Q "SELECT CASE WHEN count(*) > 0 THEN round(pg_total_relation_size('agingos.events')::numeric / count(*)) END FROM agingos.events")
if [ "$ddb" -gt "$allowed" ]; then check db_growth 1 "database grew $((ddb / 1024)) kB for $dev_ events (${per} B/event); bound $((allowed / 1024)) kB = $((DB_SLACK / 1048576)) MiB + $DB_PER_EVENT B/event"
else check db_growth 0 "database grew $((ddb / 1024)) kB for $dev_ events (bound $((allowed / 1024)) kB)"; fi
fig "database size start → end" "$((d0 / 1024)) → $((d1 / 1024)) kB"
fig "database growth per stored event" "$per B"
fig "events table (heap + indexes) per stored event" "${evb:-n/a} B"

# ------------------------------------------------------------ 8. UTC
why=
H1=${HOME_IDS%% *}
declare -A AKEY
if [ "$AUTH" = api_key ]; then
	# keys are not kept on disk: read keys are made for these checks
	for h in $HOME_IDS; do AKEY[$h]=$(Q "SELECT agingos.agingos_create_api_key(:'h', 'read')" -v h="$h"); done
fi
hdr() { [ -n "${AKEY[$1]:-}" ] && printf 'X-API-Key: %s' "${AKEY[$1]}" || printf 'X-Longrun: 1'; }
if [ -n "$SENT_N" ] && [ "$SENT_DIFF" != 0 ]; then
	why="$SENT_DIFF stored events differ from the instant agingos-sim sent (first: $SENT_FIRST_DIFF)"
fi
if [ -z "$why" ] && [ "$(awk 'END { print NR }' "$REPORT/probes.tsv")" -gt 1 ]; then
	why=$(awk -F'\t' 'NR > 1 && $5 != 200 { printf "probe %s (%s) answered %s", $1, $3, $5; exit }' "$REPORT/probes.tsv")
	if [ -z "$why" ]; then
		while IFS=$'\t' read -r id h sent exp code; do
			[ "$id" = event_id ] && continue
			got=$(Q "SELECT extract(epoch FROM \"timestamp\") FROM agingos.events WHERE home_id = :'h' AND event_id = :'id'" -v h="$h" -v id="$id")
			if [ -z "$got" ] || ! awk -v a="$got" -v b="$exp" 'BEGIN { exit !((a - b) ^ 2 < 1e-12) }'; then
				why="event $id sent as $sent is stored as epoch ${got:-nothing}, expected $exp"; break
			fi
			want=$(date -u -d "@${exp%.*}" +%Y-%m-%dT%H:%M:%S)$( [ "$exp" != "${exp%.*}" ] && printf '.%-6s' "${exp#*.}" | tr ' ' 0)Z
			api=$(curl -s -H "$(hdr "$h")" "$BASE/events?category=longrun_probe&limit=100" | jq -r --arg id "$id" '.[] | select(.id == $id) | .timestamp')
			[ "$api" != "$want" ] && { why="GET /events returns $id (sent as $sent) with timestamp '${api}', expected '$want'"; break; }
		done <"$REPORT/probes.tsv"
	fi
fi
if [ -z "$why" ]; then
	re_inst='^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}'
	re_utc='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{6})?Z$'
	ninst=0
	for h in $HOME_IDS; do
		now=$(date +%s)
		for path in "/events?limit=1000" "/deviations?status=ALL&limit=1000" "/health/detail" \
			"/deviations/evaluate?since=$(date -u -d "@$((now - 3600))" +%FT%TZ)&until=$(date -u -d "@$now" +%FT%TZ)"; do
			body=$(curl -s -H "$(hdr "$h")" "$BASE$path")
			vals=$(echo "$body" | jq -r --arg re "$re_inst" '(if type == "array" then map(del(.payload)) else . end) | .. | strings | select(test($re))' 2>/dev/null)
			ninst=$((ninst + $(echo "$vals" | grep -c .)))
			badv=$(echo "$vals" | grep -vE "$re_utc" | first)
			[ -n "$badv" ] && { why="GET $path (home $h) returns the instant '$badv', not UTC with Z"; break 2; }
		done
	done
fi
if [ -z "$why" ] && [ "$FAST" = 0 ] && [ "$RATE" = 1 ]; then
	off=$(Q "SELECT round(percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - \"timestamp\"))::numeric, 1)
	           FROM agingos.events WHERE id > (:'event_id0')::bigint AND category <> 'longrun_probe'")
	[ -n "$off" ] && awk -v o="$off" 'BEGIN { exit !(o > 300 || o < -300) }' &&
		why="real-time events are stored a median ${off}s away from their arrival: a time-zone offset taken as UTC?"
	fig "median received_at - timestamp (real time)" "${off:-n/a} s"
fi
if [ -z "$why" ] && [ "$FAST" = 1 ]; then
	read -r mn mx < <(Q "SELECT extract(epoch FROM min(\"timestamp\"))::bigint, extract(epoch FROM max(\"timestamp\"))::bigint FROM agingos.events WHERE id > (:'event_id0')::bigint AND category <> 'longrun_probe'" | tr '\t' ' ')
	if [ -n "$mn" ] && { [ "$mn" -lt "$SIM_START" ] || [ "$mx" -ge "$SIM_END" ]; }; then
		why="simulated events span $(date -u -d "@$mn" +%FT%TZ)–$(date -u -d "@$mx" +%FT%TZ), outside the simulated period $(date -u -d "@$SIM_START" +%FT%TZ)–$(date -u -d "@$SIM_END" +%FT%TZ)"
	fi
fi
if [ -n "$why" ]; then check utc_timestamps 1 "$why"
else check utc_timestamps 0 "${SENT_N:+all $SENT_N simulated events stored at the instant sent; }$NPROBE probes with offsets Z/+01:00/-0330/+05/+02:00 stored and returned as the instant sent; ${ninst:-0} instants from /events, /deviations, /deviations/evaluate, /health/detail all end in Z"; fi

# ------------------------------------------------------------ injected anomalies (information)
: >"$REPORT/injected.tsv"
for inj in $INJECTS; do
	rule=${inj%%@*}; rest=${inj#*@}
	hidx=; at=$rest
	[[ $rest =~ ^(.*Z):([0-9]+)$ ]] && { at=${BASH_REMATCH[1]}; hidx=${BASH_REMATCH[2]}; }
	hid=default; [ "$AUTH" = api_key ] && hid=$PREFIX${hidx:-1}
	if [ "$MODE" = B ]; then
		seen=$(Q "SELECT 'deviations_v1 window ' || agingos.agingos_iso(window_since) || ' – ' || agingos.agingos_iso(window_until) FROM agingos.deviations_v1
		           WHERE home_id = :'hid' AND rule_id = :'rule' AND window_until > (:'at')::timestamptz ORDER BY window_until LIMIT 1" \
		           -v hid="$hid" -v rule="$rule" -v at="$at")
	else
		seen=$(Q "SELECT agingos.agingos_iso(started_at) FROM agingos.deviations
		           WHERE deviation_id > (:'dev_id0')::bigint AND home_id = :'hid' AND rule_id = :'rule' AND started_at >= (:'at')::timestamptz ORDER BY started_at LIMIT 1" \
		           -v hid="$hid" -v rule="$rule" -v at="$at")
	fi
	printf '%s\t%s\t%s\t%s\n' "$rule" "$at" "$hid" "${seen:-none}" >>"$REPORT/injected.tsv"
done

# ------------------------------------------------------------ plots
bash "$AG_ROOT/test/longrun/longrun_plot.sh" "$REPORT" >"$REPORT/plot.log" 2>&1 ||
	say "plots failed; see $REPORT/plot.log"

# ------------------------------------------------------------ report
firstbad=$(awk -F'\t' '$2 == "FAIL" { print $1 ": " $3; exit }' "$REPORT/checks.tsv")
{
	echo "# agingos longrun report"
	echo
	if [ -n "$firstbad" ]; then echo "**RED — first criterion broken: $firstbad**"; else echo "**GREEN — every stop criterion held.**"; fi
	echo
	echo "| setting | value |"
	echo "| --- | --- |"
	if [ "$FAST" = 1 ]; then
		echo "| run | longrun-fast: $DAYS simulated days ($(date -u -d "@$SIM_START" +%FT%TZ) – $(date -u -d "@$SIM_END" +%FT%TZ)), ticks every $((INTERVAL_S / 60)) simulated min |"
	else
		echo "| run | longrun mode $MODE ($([ "$MODE" = A ] && echo "pg_cron scheduler every $((INTERVAL_S / 60)) min" || echo "SCHEDULER_ENABLED=0, manual evaluate + persist every $((INTERVAL_S / 60)) min")), RATE=$RATE, backfill $BACKFILL_DAYS days |"
	fi
	echo "| wall clock | $(date -u -d "@$T_START" +%FT%TZ) – $(date -u -d "@$T_END" +%FT%TZ) ($RUN_S s) |"
	echo "| homes | $HOMES (seed $SEED, auth $AUTH) |"
	echo "| samples | $NS, every $SAMPLE_SECONDS s (warm-up ${WARM}s) |"
	echo "| simulator | \`$(cat "$REPORT/sim-command.txt" 2>/dev/null)\` |"
	echo "| system | $([ "$OWN" = 1 ] && echo "own throwaway cluster 127.0.0.1:$PGPORT_L, agingos-http :$HTTP_PORT_L" || echo "existing system $RUN (127.0.0.1:$PGPORT_L, HTTP :$HTTP_PORT_L)") |"
	echo
	echo "## Stop criteria"
	echo
	echo "| check | result | detail |"
	echo "| --- | --- | --- |"
	awk -F'\t' '{ gsub(/\|/, "\\|", $3); printf "| %s | %s | %s |\n", $1, $2, $3 }' "$REPORT/checks.tsv"
	echo
	echo "## Figures"
	echo
	echo "| figure | value |"
	echo "| --- | --- |"
	awk -F'\t' '{ gsub(/\|/, "\\|", $2); printf "| %s | %s |\n", $1, $2 }' "$REPORT/figures.tsv"
	echo
	echo "## Injected anomalies"
	echo
	if [ -s "$REPORT/injected.tsv" ]; then
		echo "| rule | injected at | home | first deviation of that rule for that home opened at or after it (started_at) |"
		echo "| --- | --- | --- | --- |"
		awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$REPORT/injected.tsv"
	else
		echo "none"
	fi
	echo
	echo "## Log lines"
	echo
	echo '```'
	[ "$OWN" = 1 ] && head -2 "$HTTP_LOG" 2>/dev/null
	grep 'agingos scheduler tick' "$PGL" 2>/dev/null | awk '{ l[NR] = $0 } END { for (i = 1; i <= NR; i++) if (i <= 2 || i == NR) print l[i] }'
	grep -m1 -E 'WARNING:' "$PGL" 2>/dev/null
	grep -m1 -E 'level=warn' "$HL" 2>/dev/null
	echo '```'
	echo
	echo "## Plots"
	echo
	for p in events deviations db_size tick_duration health_latency rss; do
		[ -f "$REPORT/$p.png" ] && echo "![$p]($p.png)"
	done
	# plots drawn without data say so (test/longrun/longrun_plot.gp)
	grep '^longrun_plot: ' "$REPORT/plot.log" 2>/dev/null | sed "s|^longrun_plot: $REPORT/|- |"
	echo
	echo "Raw data: samples.tsv (every sample), ticks.tsv (every scheduler run), evals.tsv (mode B), probes.tsv, sim-stats.json, logs/."
} >"$REPORT/report.md"

awk -F'\t' '{ printf "%-4s %-16s %s\n", ($2 == "ok" ? "ok" : "FAIL"), $1, $3 }' "$REPORT/checks.tsv"
if [ -n "$firstbad" ]; then
	echo "longrun: RED — first criterion broken: $firstbad (report: $REPORT/report.md)"
	exit 1
fi
echo "longrun: GREEN — every stop criterion held (report: $REPORT/report.md)"
exit 0
