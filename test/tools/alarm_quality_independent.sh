#!/usr/bin/env bash
# alarm_quality_independent.sh: false alarms and detection on lives modelled
# independently of agingos-sim (test/alarm_quality/independent_lives.py,
# docs/alarm-quality.md section 10).  Starts a throwaway cluster
# (AGINGOS_AQ_PGPORT, default 55478; AQ_EXISTING=1: the caller's PGHOST/PGPORT),
# loads AQ_CONFIG (config/rules.yaml), and
#   1. normal lives: for each seed of AQI_SEEDS (101 102 103), AQI_HOMES homes (10)
#      × AQI_DAYS days (14), homes AQI_COUPLE (9,10) with two residents: the
#      events go in through agingos_ingest_batch, then the scheduler is replayed
#      (one agingos_scheduler_tick per scheduler.interval_minutes, as
#      scripts/backtest.sh does); every deviation opened is a false alarm;
#      couple homes are counted apart (the rules assume one resident);
#   2. anomalies: one home (seed 111) per line of AQI_ANOMALIES (kind, instant
#      as a local day offset and time, rules accepted, limit in minutes) after
#      AQI_ANOMALY_DAY (10) days of normal life: detected or missed, and after
#      how many minutes.
# Writes AQI_OUT (alarm-quality-independent/): normal.tsv, anomalies.tsv,
# report.md.  AQ_ASSERT=1: exit 1 when a single-resident home's rate exceeds
# AQ_MAX_FALSE (0.02) or an anomaly is missed.
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$AG_ROOT" || exit 1
GEN="$AG_ROOT/test/alarm_quality/independent_lives.py"
PGPORT_AQ=${AGINGOS_AQ_PGPORT:-55478}
CONFIG=${AQ_CONFIG:-config/rules.yaml}
SEEDS=${AQI_SEEDS:-101 102 103}
HOMES=${AQI_HOMES:-10}
DAYS=${AQI_DAYS:-14}
COUPLE=${AQI_COUPLE-9,10}
OUT=${AQI_OUT:-alarm-quality-independent}
MAX_FALSE=${AQ_MAX_FALSE:-0.02}
ADAY=${AQI_ANOMALY_DAY:-10}
RULES="R-001 R-002 R-003 R-004 R-005 R-006 R-007 R-008 R-009 R-010 R-011"
ANOMALIES=${AQI_ANOMALIES:-"no-wakeup 05:30 R-001 420
bath-fall 10:00 R-004 120
hall-fall 10:30 R-003,R-011 480
not-back 11:00 R-011 480
night-door 02:30 R-002 30
night-wander 01:30 R-007 90
silent 12:00 R-009 120"}
START=2026-01-05

command -v python3 >/dev/null || die "python3 missing"
W=$(mktemp -d /tmp/agingos-aqi.XXXXXX)
chmod 755 "$W"
if [ "${AQ_EXISTING:-0}" = 1 ]; then
	SOCK=$PGHOST PORT=$PGPORT
	trap 'rm -rf "$W"' EXIT
else
	SOCK=$W/sock PORT=$PGPORT_AQ
	trap 'throwaway_down "$W"; rm -rf "$W"' EXIT
	mkdir -p "$W/log" "$W/sock"
	[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$W"
	pg_ready "$W/data" "$PORT" "$SOCK" "$W/log/postgres.log" || die "cluster did not start"
	db_setup "$SOCK" "$PORT" || die "database setup failed"
fi
db_load_config "$SOCK" "$PORT" "$CONFIG" >/dev/null 2>&1 || die "config $CONFIG did not load"
q() { psql_at "$SOCK" "$PORT" agingos -tA -c "$1"; }
fresh() { q "SELECT agingos.agingos_reset(); DELETE FROM agingos.homes WHERE home_id LIKE 'ind-%';" >/dev/null; }
# load DIR: every chunk file through agingos_ingest_batch (rejected items are an error)
load() {
	local f home bad
	for f in "$1"/ind-*.json; do
		home=$(basename "$f" | sed 's/\.[0-9]*\.json$//')
		bad=$(psql_at "$SOCK" "$PORT" agingos -tA -v home="$home" -v f="$f" <<'SQL'
\set content `cat :f`
SELECT count(*) FROM jsonb_array_elements(agingos.agingos_ingest_batch(:'content', :'home', 'prod') -> 'results') r
 WHERE r ->> 'status' = 'rejected';
SQL
)
		[ "$bad" = 0 ] || die "ingest of $f: $bad events rejected"
	done
}
# replay FROM TO: the scheduler, one tick per interval
replay() {
	psql_at "$SOCK" "$PORT" agingos -tA -v since="$1" -v until="$2" <<'SQL' >/dev/null || die "replay failed"
SET client_min_messages = warning;
CREATE TEMP TABLE r_args AS SELECT :'since'::timestamptz AS since, :'until'::timestamptz AS until;
DO $$
DECLARE
	iv interval := make_interval(mins => (agingos.agingos_config() -> 'scheduler' ->> 'interval_minutes')::int);
	a record;
	t timestamptz;
	s jsonb;
BEGIN
	SELECT * INTO a FROM r_args;
	FOR t IN SELECT g FROM generate_series(a.since + iv, a.until, iv) g LOOP
		s := agingos.agingos_scheduler_tick(t);
		IF s ->> 'status' = 'error' THEN
			RAISE EXCEPTION 'tick at % failed: %', t, s;
		END IF;
	END LOOP;
END
$$;
SQL
}
utc() { date -u -d "TZ=\"Europe/Oslo\" $1" +%Y-%m-%dT%H:%M:%SZ; }
mkdir -p "$OUT"
since=$(utc "$START 00:00")
until=$(utc "$(date -d "$START + $DAYS days" +%F) 00:00")

# ------------------------------------------------------------ 1. normal lives
printf 'seed\thome\tkind\thome_days\t%s\n' "$(echo $RULES | tr ' ' '\t')" >"$OUT/normal.tsv"
: >"$OUT/episodes.tsv"
for seed in $SEEDS; do
	fresh
	rm -rf "$W/gen"
	python3 "$GEN" --homes "$HOMES" --days "$DAYS" --seed "$seed" --start "$START" --couple "$COUPLE" --out "$W/gen" ||
		die "generator failed (seed $seed)"
	load "$W/gen"
	replay "$since" "$until"
	while IFS=$'\t' read -r home kind _n; do
		row=$(q "SELECT string_agg((SELECT count(*) FROM agingos.deviations d WHERE d.home_id = '$home' AND d.rule_id = r)::text, E'\t' ORDER BY r)
			FROM unnest(string_to_array('$RULES', ' ')) r")
		printf '%s\t%s\t%s\t%s\t%s\n' "$seed" "$home" "$kind" "$DAYS" "$row" >>"$OUT/normal.tsv"
	done <"$W/gen/homes.tsv"
	q "SELECT $seed, home_id, rule_id, severity, started_at, left(explanation, 120) FROM agingos.deviations WHERE home_id LIKE 'ind-%' ORDER BY started_at" |
		tr '|' '\t' >>"$OUT/episodes.tsv"
done
rates() { # single|couple -> per rule: rate, episodes; then all
	awk -F'\t' -v want="$1" '
		NR == 1 { for (i = 5; i <= NF; i++) name[i] = $i; n = NF; next }
		{ c2 = ($3 ~ /^couple/); if ((want == "couple") != c2) next
		  days += $4; for (i = 5; i <= NF; i++) c[i] += $i }
		END { tot = 0; for (i = 5; i <= n; i++) { printf "%s\t%.4f\t%d\n", name[i], days ? c[i] / days : 0, c[i]; tot += c[i] }
			  printf "all\t%.4f\t%d\t%d\n", days ? tot / days : 0, tot, days }' "$OUT/normal.tsv"
}
rates single >"$OUT/rates_single.tsv"
rates couple >"$OUT/rates_couple.tsv"
echo "independent lives: false episodes per home-day (seeds $SEEDS, $HOMES homes × $DAYS days; couple homes: ${COUPLE:-none})"
printf '%-6s %10s %6s %10s %6s\n' rule single n couple n
paste "$OUT/rates_single.tsv" "$OUT/rates_couple.tsv" | awk -F'\t' '{ c = ($1 == "all") ? 5 : 4; printf "%-6s %10s %6s %10s %6s\n", $1, $2, $3, $(c + 1), $(c + 2) }'

# ---------------------------------------------------------------- 2. anomalies
printf 'anomaly\tinjected_at\tdetected_by\tdetected\tminutes\n' >"$OUT/anomalies.tsv"
missed=0
aday=$(date -d "$START + $ADAY days" +%F)
while read -r kind at accept within; do
	[ -n "$kind" ] || continue
	fresh
	rm -rf "$W/gen"
	inst=$(utc "$aday $at")
	python3 "$GEN" --homes 1 --days $((ADAY + 2)) --seed 111 --start "$START" --inject "$kind@$inst" --out "$W/gen" ||
		die "generator failed ($kind)"
	load "$W/gen"
	replay "$since" "$(utc "$(date -d "$START + $((ADAY + 2)) days" +%F) 00:00")"
	got=$(q "SELECT coalesce(rule_id || E'\t' || round(extract(epoch FROM started_at - '$inst'::timestamptz) / 60), '')
		FROM agingos.deviations WHERE home_id = 'ind-1' AND rule_id = ANY (string_to_array('$accept', ','))
		AND started_at >= '$inst'::timestamptz AND started_at < '$inst'::timestamptz + interval '$within minutes'
		ORDER BY started_at, rule_id LIMIT 1")
	if [ -n "$got" ]; then
		printf '%s\t%s\t%s\n' "$kind" "$inst" "$(echo "$got" | awk -F'\t' '{ print $1 "\tyes\t" $2 }')" >>"$OUT/anomalies.tsv"
	else
		printf '%s\t%s\t-\tmissed\t-\n' "$kind" "$inst" >>"$OUT/anomalies.tsv"
		missed=$((missed + 1))
	fi
done <<<"$ANOMALIES"
echo
echo "independent lives: injected anomalies (seed 111, day $ADAY of the home's life)"
column -t -s $'\t' "$OUT/anomalies.tsv"
single_all=$(awk -F'\t' '$1 == "all" { print $2 }' "$OUT/rates_single.tsv")
{
	echo "# Alarm quality on independently modelled lives ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
	echo
	echo "Config \`$CONFIG\`; generator \`test/alarm_quality/independent_lives.py\`; seeds $SEEDS; $HOMES homes × $DAYS days; couple homes: ${COUPLE:-none}."
	echo
	echo "| rule | single: false/home-day | episodes | couple: false/home-day | episodes |"
	echo "| --- | --- | --- | --- | --- |"
	paste "$OUT/rates_single.tsv" "$OUT/rates_couple.tsv" | awk -F'\t' '{ c = ($1 == "all") ? 5 : 4; printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $(c + 1), $(c + 2) }'
	echo
	echo "| anomaly | injected at | detected by | detected | after (min) |"
	echo "| --- | --- | --- | --- | --- |"
	tail -n +2 "$OUT/anomalies.tsv" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }'
} >"$OUT/report.md"
echo
echo "independent lives: single-resident false episodes per home-day: $single_all (target ≤ $MAX_FALSE); anomalies missed: $missed"
echo "report: $OUT/report.md"
if [ "${AQ_ASSERT:-0}" = 1 ]; then
	awk -v a="$single_all" -v m="$MAX_FALSE" 'BEGIN { exit !(a <= m) }' || exit 1
	[ "$missed" = 0 ] || exit 1
fi
exit 0
