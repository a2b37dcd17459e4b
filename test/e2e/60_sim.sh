#!/usr/bin/env bash
# 60_sim: agingos-sim (docs/sim.md) against the throwaway cluster and front.
#   a. one db-mode run per rule R-001 … R-011: 3 quiet days, then the rule's
#      anomaly on day 4; that rule opens a deviation for the home, starting
#      within the time the anomaly needs to show
#   b. AGINGOS_SIM_TEST_DAYS (default 30) normal days × 5 homes with the
#      shipped config: no deviation from R-002, R-003, R-004, R-008, R-009;
#      the counts of the other rules are reported in an ok line
#   c. --dry-run: same seed → byte-identical output, another seed → different
#   d. bad command lines exit 2 with a message
#   e. http mode: posts, a rerun is deduplicated, SIGTERM stops cleanly (exit 0)
#   f. scheduler.workers: 2 (the tick as two bucket runs on two sessions):
#      the same deviations as with workers: 1, every home ticked once a tick;
#      a bucket whose slot lock another session holds is repeated, not lost
# About 80 s, most of it the 30 simulated days (8,640 scheduler ticks).
. "$(dirname "$0")/lib.sh"
SIM="$AG_ROOT/bin/agingos-sim"
W=$(mktemp -d /tmp/agingos-e2e-sim.XXXXXX)
trap 'rm -rf "$W"' EXIT
# db mode must reach this cluster, whatever the caller's environment says
export AGINGOS_PGHOST="$PGHOST" AGINGOS_PGPORT="$PGPORT" AGINGOS_PGUSER="$PGUSER" AGINGOS_PGDATABASE="$PGDATABASE"
unset AGINGOS_API_KEY AGINGOS_LOG_LEVEL
NORMAL_DAYS=${AGINGOS_SIM_TEST_DAYS:-30}

if [ ! -x "$SIM" ]; then
	nok "sim built" "$SIM missing"
	exit 0
fi

# fresh: empty events and deviations; forget the homes of earlier sim runs
fresh() {
	sql "SELECT agingos_reset()" >/dev/null
	sql "DELETE FROM agingos.homes WHERE home_id LIKE 't60-%'" >/dev/null
}

# jnum FILE KEY: a number from the stats file (-1 if missing)
jnum() { jq -r ".$2 // -1" "$1" 2>/dev/null || echo -1; }

# ---------------------------------------------------------------- d. usage
usage_case() { # NAME EXPECTED-MESSAGE-PART ARGS…
	local name=$1 want=$2 rc
	shift 2
	"$SIM" "$@" >/dev/null 2>"$W/err"
	rc=$?
	if [ "$rc" = 2 ] && grep -q "event=usage_error.*$want" "$W/err"; then ok "sim usage: $name"
	else nok "sim usage: $name" "exit $rc, stderr: $(head -c 300 "$W/err")"; fi
}
usage_case "required options" "are required" --homes 1
usage_case "unknown rule" "R-001 ... R-011" --homes 1 --days 1 --seed 1 --inject R-012@2026-01-05T01:00:00Z
usage_case "naive instant" "bad instant" --homes 1 --days 1 --seed 1 --inject R-002@2026-01-05T01:00:00
usage_case "instant outside the run" "outside the simulated period" --mode db --homes 1 --days 1 --seed 1 --inject R-002@2026-02-01T01:00:00Z
usage_case "home out of range" "does not exist" --mode db --homes 2 --days 1 --seed 1 --inject R-002@2026-01-05T01:00:00Z:3
usage_case "bad mode" "--mode must be" --mode ftp --homes 1 --days 1 --seed 1
usage_case "bad homes" "--homes must be" --homes 0 --days 1 --seed 1
usage_case "unknown option" "unknown option" --homes 1 --days 1 --seed 1 --bogus
"$SIM" --help >"$W/help" 2>&1
if [ $? = 0 ] && grep -q "exit codes" "$W/help" && grep -q AGINGOS_PGHOST "$W/help"; then ok "sim --help documents environment and exit codes"
else nok "sim --help documents environment and exit codes" "$(head -3 "$W/help")"; fi

# ---------------------------------------------------------- c. determinism
dry() { "$SIM" --mode db --homes 2 --days 3 --inject R-004@2026-01-07T12:00:00Z:2,R-009@2026-01-06T10:00:00Z --dry-run "$@" 2>/dev/null; }
dry --seed 42 >"$W/a.jsonl"
dry --seed 42 >"$W/b.jsonl"
dry --seed 43 >"$W/c.jsonl"
if [ -s "$W/a.jsonl" ] && cmp -s "$W/a.jsonl" "$W/b.jsonl"; then ok "sim dry-run: same seed, byte-identical ($(wc -l <"$W/a.jsonl") events)"
else nok "sim dry-run: same seed, byte-identical" "outputs differ or are empty"; fi
if cmp -s "$W/a.jsonl" "$W/c.jsonl"; then nok "sim dry-run: another seed differs" "identical"; else ok "sim dry-run: another seed differs"; fi
check "sim dry-run: event ids unique" "$(jq -r '.event.id' "$W/a.jsonl" | sort | uniq -d | wc -l)" 0
check "sim dry-run: timestamps in [start, end), UTC with Z" \
	"$(jq -r '.event.timestamp' "$W/a.jsonl" | awk '$0 < "2026-01-05T00:00:00Z" || $0 >= "2026-01-08T00:00:00Z" || $0 !~ /Z$/' | wc -l)" 0

# ------------------------------------------------- a. one anomaly per rule
# rule, instant (day 4 unless the rule needs the day before), minutes within
# which the deviation must start, resident kind (--residents): Europe/Oslo is
# UTC+1 in January.  R-003 needs a hall presence sensor that sees a person lying
# still (hall-mmwave): with door contact and PIRs only a fall in the hall looks
# like a departure and R-011 reports it after max_away_minutes (docs/alarm-quality.md).
anomalies="
R-001 2026-01-08T09:00:00Z 215 classic
R-002 2026-01-08T01:30:00Z 15 classic
R-003 2026-01-08T10:00:00Z 25 hall-mmwave
R-004 2026-01-08T13:00:00Z 60 classic
R-005 2026-01-07T12:00:00Z 1580 classic
R-006 2026-01-08T07:00:00Z 130 classic
R-007 2026-01-08T01:00:00Z 45 classic
R-008 2026-01-08T11:00:00Z 15 classic
R-009 2026-01-08T12:00:00Z 90 classic
R-010 2026-01-08T08:00:00Z 250 classic
R-011 2026-01-08T09:00:00Z 370 classic"
n=0
while read -r rule at within kind; do
	[ -n "$rule" ] || continue
	n=$((n + 1))
	fresh
	home="t60-a$n-1"
	"$SIM" --mode db --homes 1 --days 4 --seed 11 --home-prefix "t60-a$n-" --inject "$rule@$at" --residents "$kind" \
		--stats-file "$W/a$n.json" >/dev/null 2>"$W/a$n.log"
	rc=$?
	got=$(sql "SELECT coalesce(round(extract(epoch FROM min(started_at) - '$at'::timestamptz) / 60), -1)
		FROM agingos.deviations WHERE home_id = '$home' AND rule_id = '$rule'
		AND started_at >= '$at'::timestamptz AND started_at < '$at'::timestamptz + interval '$within minutes'")
	if [ "$rc" = 0 ] && [ "$got" != -1 ] && [ "$(jnum "$W/a$n.json" events_rejected)" = 0 ]; then
		ok "sim $rule anomaly at $at ($kind) opens $rule (after $got min)"
	else
		nok "sim $rule anomaly at $at opens $rule" "exit $rc; deviations: $(sql "SELECT string_agg(rule_id || ' ' || agingos_iso(started_at), ', ') FROM agingos.deviations WHERE home_id = '$home'"); $(tail -2 "$W/a$n.log")"
	fi
done <<<"$anomalies"

# ------------------------------------------------------ b. normal days
fresh
t0=$(date +%s.%N)
"$SIM" --mode db --homes 5 --days "$NORMAL_DAYS" --seed 1 --home-prefix t60-n- --stats-file "$W/n.json" >/dev/null 2>"$W/n.log"
rc=$?
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if [ "$rc" = 0 ] && [ "$(jnum "$W/n.json" events_rejected)" = 0 ] && [ "$(jnum "$W/n.json" ticks)" = $((NORMAL_DAYS * 288)) ]; then
	ok "sim $NORMAL_DAYS normal days × 5 homes ran ($(jnum "$W/n.json" events_sent) events, $(jnum "$W/n.json" ticks) ticks, $secs s)"
else
	nok "sim $NORMAL_DAYS normal days × 5 homes ran" "exit $rc; $(tail -2 "$W/n.log")"
fi
for rule in R-002 R-003 R-004 R-008 R-009; do
	check "sim normal days: no $rule" "$(sql "SELECT count(*) FROM agingos.deviations WHERE home_id LIKE 't60-n-%' AND rule_id = '$rule'")" 0
done
# the other rules may fire for a realistic resident (docs/sim.md says why): report
ok "sim normal days, deviations per rule (report; docs/sim.md): $(sql "
	SELECT string_agg(r || '=' || (SELECT count(*) FROM agingos.deviations d WHERE d.home_id LIKE 't60-n-%' AND d.rule_id = r), ' ' ORDER BY r)
	FROM unnest(ARRAY['R-001','R-005','R-006','R-007','R-010','R-011']) AS r")"

# ------------------------------------------------- f. scheduler.workers: 2
# loadcfg FILE: make FILE the active config
loadcfg() { echo "SELECT agingos.agingos_load_config(:'cfg') IS NOT NULL" | "$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -v cfg="$(cat "$1")" >/dev/null; }
# homes 1-3 fall in bucket 0 of 2, home 4 in bucket 1 (agingos_tick_slot); one anomaly in each
# devs PREFIX: the deviations of the homes PREFIX*, home number, rule and start
devs() { sql "SELECT string_agg(substr(home_id, length('$1') + 1) || ' ' || rule_id || ' ' || agingos_iso(started_at), ', ' ORDER BY home_id, rule_id, started_at)
	FROM agingos.deviations WHERE home_id LIKE '$1%'"; }
fresh
wrun() { "$SIM" --mode db --homes 4 --days 4 --seed 3 --home-prefix "$1" --inject R-002@2026-01-08T01:30:00Z:2,R-008@2026-01-08T11:00:00Z:4 \
	--stats-file "$W/$1.json" >/dev/null 2>"$W/$1.log"; }
wrun t60-w1-
rc1=$?
w1=$(devs t60-w1-)
sql "DELETE FROM agingos.homes WHERE home_id LIKE 't60-w1-%'" >/dev/null	# only t60-w2-* ticked next
sed 's/^  interval_minutes: 5$/  interval_minutes: 5\n  workers: 2/' "$AG_ROOT/config/rules.yaml" >"$W/workers2.yaml"
loadcfg "$W/workers2.yaml"
check "sim workers: config says 2" "$(sql "SELECT agingos_config() -> 'scheduler' ->> 'workers'")" 2
sql "DELETE FROM agingos.scheduler_runs" >/dev/null
wrun t60-w2-
rc2=$?
check "sim workers 1 and 2: both ran, same ticks" "$rc1/$rc2/$(jnum "$W/t60-w1-.json" ticks)/$(jnum "$W/t60-w2-.json" ticks)" "0/0/1152/1152"
grep -q 'event=db_workers workers=2' "$W/t60-w2-.log" && ok "sim workers 2: logs its bucket sessions" || nok "sim workers 2: logs its bucket sessions" "$(head -3 "$W/t60-w2-.log")"
w2=$(devs t60-w2-)
if [ -n "$w1" ] && [ "$w1" = "$w2" ] && grep -q '2 R-002' <<<"$w1" && grep -q '4 R-008' <<<"$w1"; then ok "sim workers 2: the same deviations as workers 1 ($w1)"
else nok "sim workers 2: the same deviations as workers 1" "workers 1: $w1; workers 2: $w2"; fi
# every tick: two ok bucket runs, together over the 4 homes
check "sim workers 2: per tick 2 bucket runs over every home once" "$(sql "SELECT count(*) FROM (SELECT now FROM agingos.scheduler_runs
	GROUP BY now HAVING count(*) <> 2 OR sum(homes) <> 4 OR bool_or(status <> 'ok') OR bool_or(buckets IS DISTINCT FROM 2)
	OR count(DISTINCT bucket) <> 2 OR bool_or(homes = 0)) x")/$(sql "SELECT count(DISTINCT now) FROM agingos.scheduler_runs")" "0/1152"

# a bucket whose slot another session holds is skipped and run again, not lost.
# The simulator's runs lock only the slots of its own homes
# (agingos_scheduler_tick_homes, agingos_scheduler_run with home_ids): hold the
# slot of the first of its homes in bucket 1 of 2 (t60-ws-1: slot 11)
sql "DELETE FROM agingos.homes WHERE home_id LIKE 't60-w2-%'; DELETE FROM agingos.scheduler_runs" >/dev/null
held=$(sql "SELECT agingos.agingos_tick_slot('t60-ws-' || g) FROM generate_series(1, 4) g WHERE agingos.agingos_tick_slot('t60-ws-' || g) % 2 = 1 ORDER BY g LIMIT 1")
# a home the simulator does not own, with one event at the start of its days
# (R-009 would open for it at every simulated tick if the time warp judged it)
sql "SELECT agingos.agingos_ingest('{\"id\": \"t60-by-1\", \"timestamp\": \"2026-01-05T00:01:00Z\", \"category\": \"motion\", \"payload\": {\"state\": \"on\", \"room\": \"stue\"}}', 't60-bystander') ->> 'received'" >/dev/null
sql "SELECT pg_advisory_lock(hashtext('agingos.scheduler_tick'), ${held:-1}), pg_sleep(1.5)" >/dev/null &
hold=$!
sleep 0.3
"$SIM" --mode db --homes 4 --days 1 --seed 3 --home-prefix t60-ws- --stats-file "$W/ws.json" >/dev/null 2>"$W/ws.log"
rc3=$?
wait "$hold"
loadcfg "$AG_ROOT/config/rules.yaml"
check "sim workers 2: a held bucket is repeated (exit, ticks, ticks with one ok run of each bucket)" "$rc3/$(jnum "$W/ws.json" ticks)/$(sql "SELECT count(*) FROM
	(SELECT now FROM agingos.scheduler_runs WHERE status = 'ok' GROUP BY now HAVING count(*) = 2 AND count(DISTINCT bucket) = 2) x")" "0/288/288"
check "sim workers 2: the held bucket was skipped at least once" "$(sql "SELECT count(*) > 0 FROM agingos.scheduler_runs WHERE status = 'skipped' AND bucket = 1")" t
check "sim: a home it does not own is never judged at a simulated instant (deviations, runs over it)" \
	"$(sql "SELECT count(*) FROM agingos.deviations WHERE home_id = 't60-bystander'")/$(sql "SELECT count(*) FROM agingos.scheduler_runs WHERE homes > 4")" "0/0"
sql "DELETE FROM agingos.events WHERE home_id = 't60-bystander'; DELETE FROM agingos.homes WHERE home_id = 't60-bystander'" >/dev/null

# ------------------------------------------------------------ e. http mode
fresh
start=$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:00Z)
http_run() { "$SIM" --homes 1 --days 0.1 --seed 5 --speed 1000000 --home-prefix t60-h- --start "$start" --url "$BASE" --stats-file "$1" 2>"$1.log"; }
http_run "$W/h1.json"
rc=$?
sent=$(jnum "$W/h1.json" events_sent)
if [ "$rc" = 0 ] && [ "$sent" -gt 0 ] && [ "$(jnum "$W/h1.json" events_accepted)" = "$sent" ]; then ok "sim http: $sent events accepted"
else nok "sim http: events accepted" "exit $rc, sent $sent, accepted $(jnum "$W/h1.json" events_accepted); $(tail -2 "$W/h1.json.log")"; fi
check "sim http: stored for the caller's home (auth off)" "$(sql "SELECT count(*) FROM agingos.events WHERE home_id = 'default' AND event_id LIKE 'sim-5-%'")" "$sent"
http_run "$W/h2.json"
check "sim http: a rerun is deduplicated" "$?/$(jnum "$W/h2.json" events_deduped)/$(jnum "$W/h2.json" events_accepted)" "0/$sent/0"
"$SIM" --homes 1 --days 1 --seed 5 --realtime --home-prefix t60-h- --url "$BASE" --stats-file "$W/h3.json" 2>/dev/null &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
check "sim http: SIGTERM stops cleanly with totals" "$?/$(jq -r .final "$W/h3.json" 2>/dev/null)" "0/true"

fresh
