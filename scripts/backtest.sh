#!/usr/bin/env bash
# scripts/backtest.sh — make backtest HOME=<home_id> [SINCE= UNTIL=] [CONFIG=rules.yaml]
# (docs/home-assistant.md "Backtest", contract.md 13).
#
# Replays the scheduler over a home's stored history in simulated time and
# writes backtest-report/report.md with PNG plots.  It never touches the
# live system's deviations: the live cluster (`make up`, AGINGOS_PGPORT) is
# only READ (the home's events, its vocabulary, the active config); the
# replay runs on a throwaway cluster of its own (BACKTEST_PGPORT, a temp
# data directory deleted at the end) loaded with those rows.
#
#   HOME_ID   the home (required)
#   SINCE/UNTIL  instants with an offset (e.g. 2026-11-02T00:00:00Z); default:
#             the home's first event, and its last event + one tick
#   CONFIG    a rules.yaml to replay with; default the live active config
#   BACKTEST_PGPORT   port of the throwaway cluster (default 55496)
#   BACKTEST_OUT      report folder (default backtest-report)
#   AGINGOS_PGHOST    socket dir / host of the live cluster (default .run/sock)
#
# Running it again (same home and window) with another CONFIG= adds a
# side-by-side comparison with the previous run to the report.
. "$(dirname "$0")/lib.sh"
set -e
cd "$AG_ROOT"
[ -n "${HOME_ID:-}" ] || die "HOME= is required: make backtest HOME=<home_id> [SINCE= UNTIL=] [CONFIG=rules.yaml]"
BT_PORT=${BACKTEST_PGPORT:-55496}
OUT=${BACKTEST_OUT:-backtest-report}
if [ -z "${AGINGOS_PGHOST:-}" ]; then
	[ -e "$AG_ROOT/.run" ] || die "no .run/ yet: run make up (and make import-ha) first, or set AGINGOS_PGHOST"
	AGINGOS_PGHOST="$(run_dir)/sock"
fi
[ -z "${CONFIG:-}" ] || [ -f "$CONFIG" ] || die "CONFIG '$CONFIG' not found"
live() { "$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -h "$AGINGOS_PGHOST" -p "$AGINGOS_PGPORT" -U agingos -d agingos "$@"; }
live -c "SELECT 1" >/dev/null || die "cannot reach the live cluster at $AGINGOS_PGHOST:$AGINGOS_PGPORT (make up first)"

W=$(mktemp -d /tmp/agingos-backtest.XXXXXX)
chmod 755 "$W"
cleanup() { [ -f "$W/bt/data/PG_VERSION" ] && pg_stop "$W/bt/data"; rm -rf "$W"; }
trap cleanup EXIT
t_start=$(date +%s.%N)

# 1. read the live system: window, events (with 30 days before SINCE for
#    the baselines, rules.md 2.1), vocabulary, config
win=$(live -v home="$HOME_ID" -v since="${SINCE:-}" -v until="${UNTIL:-}" -F ' ' <<'SQL'
SELECT agingos.agingos_iso(coalesce(agingos.agingos_parse_instant(nullif(:'since', ''), 'SINCE'), min("timestamp"))),
	   agingos.agingos_iso(coalesce(agingos.agingos_parse_instant(nullif(:'until', ''), 'UNTIL'), max("timestamp") + interval '5 minutes')),
	   count(*)
  FROM agingos.events WHERE home_id = :'home'
SQL
) || die "SINCE/UNTIL must be instants with an offset, e.g. SINCE=2026-11-02T00:00:00Z"
read -r BT_SINCE BT_UNTIL n_all <<<"$win"
[ "${n_all:-0}" -gt 0 ] || die "home '$HOME_ID' has no stored events on the live system (import them first: make import-ha)"
live -v home="$HOME_ID" -v since="$BT_SINCE" -v until="$BT_UNTIL" >"$W/events.copy" <<'SQL'
COPY (SELECT home_id, event_id, "timestamp", category, payload, room_id, stream_id, received_at
		FROM agingos.events
	   WHERE home_id = :'home' AND "timestamp" >= :'since'::timestamptz - interval '30 days'
		 AND "timestamp" < :'until'::timestamptz) TO STDOUT
SQL
n_events=$(wc -l <"$W/events.copy")
vocab=$(live -v home="$HOME_ID" <<<"SELECT vocabulary FROM agingos.home_vocabulary WHERE home_id = :'home'" 2>/dev/null || true)
if [ -n "${CONFIG:-}" ]; then
	cp "$CONFIG" "$W/config.yaml"
	CONFIG_LABEL="$CONFIG"
else
	live -c "SELECT source FROM agingos.config ORDER BY version DESC LIMIT 1" >"$W/config.yaml"
	CONFIG_LABEL="the live system's active config (version $(live -c "SELECT coalesce(max(version), 0) FROM agingos.config"))"
fi

# 2. the throwaway cluster (no pg_cron job, no front; fsync off: it is thrown away)
say "backtest: home $HOME_ID, [$BT_SINCE, $BT_UNTIL), $n_events events copied; throwaway cluster on port $BT_PORT"
mkdir -p "$W/bt/log" "$W/bt/sock"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$W"
pg_ready "$W/bt/data" "$BT_PORT" "$W/bt/sock" "$W/bt/log/postgres.log" || die "the throwaway cluster did not start"
db_setup "$W/bt/sock" "$BT_PORT" >/dev/null
bt() { "$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -h "$W/bt/sock" -p "$BT_PORT" -U agingos -d agingos "$@"; }
bt -c "ALTER SYSTEM SET fsync = off" -c "ALTER SYSTEM SET synchronous_commit = off" -c "SELECT pg_reload_conf()" >/dev/null
echo "SELECT agingos.agingos_load_config(:'cfg') IS NOT NULL" | bt -v cfg="$(cat "$W/config.yaml")" >/dev/null ||
	die "the config was rejected (see the error above)"
bt -v home="$HOME_ID" <<<"INSERT INTO agingos.homes (home_id) VALUES (:'home')" >/dev/null
bt -c 'COPY agingos.events (home_id, event_id, "timestamp", category, payload, room_id, stream_id, received_at) FROM STDIN' <"$W/events.copy" >/dev/null
bt -c "ANALYZE agingos.events" >/dev/null
if [ -n "$vocab" ]; then
	bt -v home="$HOME_ID" -v voc="$vocab" <<<"SELECT agingos.agingos_set_home_vocabulary(:'home', :'voc'::jsonb) IS NOT NULL" >/dev/null
fi

# 3. replay: one scheduler tick every scheduler.interval_minutes, in order
t_replay=$(date +%s.%N)
ticks=$(bt -v since="$BT_SINCE" -v until="$BT_UNTIL" <<'SQL'
SELECT count(*) FROM generate_series(
	date_bin(make_interval(mins => (agingos.agingos_config() -> 'scheduler' ->> 'interval_minutes')::int), :'since'::timestamptz, '2000-01-01') + make_interval(mins => (agingos.agingos_config() -> 'scheduler' ->> 'interval_minutes')::int),
	:'until'::timestamptz, make_interval(mins => (agingos.agingos_config() -> 'scheduler' ->> 'interval_minutes')::int))
SQL
)
bt -v since="$BT_SINCE" -v until="$BT_UNTIL" <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE TEMP TABLE bt_args AS SELECT :'since'::timestamptz AS since, :'until'::timestamptz AS until;
DO $$
DECLARE
	iv interval := make_interval(mins => (agingos.agingos_config() -> 'scheduler' ->> 'interval_minutes')::int);
	a record;
	t timestamptz;
	s jsonb;
BEGIN
	SELECT * INTO a FROM bt_args;
	FOR t IN SELECT g FROM generate_series(date_bin(iv, a.since, '2000-01-01') + iv, a.until, iv) g ORDER BY g LOOP
		s := agingos.agingos_scheduler_tick(t);
		IF s ->> 'status' = 'error' THEN
			RAISE EXCEPTION 'tick at % failed: %', t, s;
		END IF;
	END LOOP;
END
$$;
SQL
t_done=$(date +%s.%N)
replay_s=$(awk -v a="$t_replay" -v b="$t_done" 'BEGIN { printf "%.2f", b - a }')

# 4. results: per local day and rule, totals, activity per hour; previous run
mkdir -p "$OUT"
OUT_ABS=$(cd "$OUT" && pwd)
[ -f "$OUT/summary.tsv" ] && cp "$OUT/summary.tsv" "$W/previous.tsv" && cp "$OUT/meta.txt" "$W/previous-meta.txt" 2>/dev/null || true
TZ_HOME=$(bt -v home="$HOME_ID" <<<"SELECT agingos.agingos_home_vocabulary(:'home') ->> 'timezone'")
bt -v home="$HOME_ID" -v tz="$TZ_HOME" -F $'\t' >"$OUT/summary.tsv" <<'SQL'
SELECT to_char(d.started_at AT TIME ZONE :'tz', 'YYYY-MM-DD'), d.rule_id, count(*),
	   (array_agg(d.severity ORDER BY CASE d.severity WHEN 'HIGH' THEN 3 WHEN 'MEDIUM' THEN 2 ELSE 1 END DESC))[1],
	   replace(replace((array_agg(d.explanation ORDER BY d.started_at))[1], '|', '\|'), E'\n', ' ')
  FROM agingos.deviations d WHERE d.home_id = :'home'
 GROUP BY 1, 2 ORDER BY 1, 2
SQL
bt -v home="$HOME_ID" -v tz="$TZ_HOME" -v since="$BT_SINCE" -v until="$BT_UNTIL" -F $'\t' >"$W/hours.tsv" <<'SQL'
SELECT h, coalesce(round(n::numeric / greatest(1, extract(epoch FROM (:'until'::timestamptz - :'since'::timestamptz)) / 86400), 2), 0)
  FROM generate_series(0, 23) h
  LEFT JOIN (SELECT extract(hour FROM e."timestamp" AT TIME ZONE :'tz')::int AS hr, count(*) AS n
			   FROM agingos.events e
			  WHERE e.home_id = :'home' AND e."timestamp" >= :'since' AND e."timestamp" < :'until'
				AND NOT e.category = ANY (SELECT jsonb_array_elements_text(agingos.agingos_home_vocabulary(:'home') -> 'liveness_categories'))
			  GROUP BY 1) x ON x.hr = h
 ORDER BY h
SQL
totals=$(bt -v home="$HOME_ID" -F ' | ' <<'SQL'
SELECT '| ' || r.rule_id, r.title, count(d.*), count(*) FILTER (WHERE d.severity = 'HIGH'),
	   count(*) FILTER (WHERE d.severity = 'MEDIUM'), count(*) FILTER (WHERE d.severity = 'LOW') || ' |'
  FROM agingos.agingos_rules() r LEFT JOIN agingos.deviations d ON d.rule_id = r.rule_id AND d.home_id = :'home'
 GROUP BY r.rule_id, r.title ORDER BY r.rule_id
SQL
)
n_window=$(bt -v home="$HOME_ID" -v since="$BT_SINCE" -v until="$BT_UNTIL" <<<"SELECT count(*) FROM agingos.events WHERE home_id = :'home' AND \"timestamp\" >= :'since' AND \"timestamp\" < :'until'")
printf 'home=%s since=%s until=%s config=%s\n' "$HOME_ID" "$BT_SINCE" "$BT_UNTIL" "$CONFIG_LABEL" >"$OUT/meta.txt"

# 5. plots (gnuplot, PNG)
bt -v home="$HOME_ID" -v tz="$TZ_HOME" -v since="$BT_SINCE" -v until="$BT_UNTIL" -F $'\t' -P footer=off >"$W/days.tsv" <<'SQL'
-- one row per local day of the window, one column per rule that opened anything
CREATE TEMP TABLE bt_days AS
SELECT to_char(d.started_at AT TIME ZONE :'tz', 'YYYY-MM-DD') AS day, d.rule_id, count(*) AS n
  FROM agingos.deviations d WHERE d.home_id = :'home' GROUP BY 1, 2;
SELECT 'day' || coalesce(string_agg(E'\t' || r, '' ORDER BY r), '')
  FROM (SELECT DISTINCT rule_id AS r FROM bt_days) x;
SELECT g.day || coalesce((SELECT string_agg(E'\t' || coalesce(b.n, 0), '' ORDER BY r.r)
							FROM (SELECT DISTINCT rule_id AS r FROM bt_days) r
							LEFT JOIN bt_days b ON b.rule_id = r.r AND b.day = g.day), '')
  FROM (SELECT to_char(x, 'YYYY-MM-DD') AS day
		  FROM generate_series((:'since'::timestamptz AT TIME ZONE :'tz')::date,
							   ((:'until'::timestamptz - interval '1 microsecond') AT TIME ZONE :'tz')::date, interval '1 day') x) g
 ORDER BY g.day;
SQL
ncols=$(head -1 "$W/days.tsv" | awk -F'\t' '{ print NF }')
if [ "$ncols" -gt 1 ]; then
	gnuplot <<GP
set terminal pngcairo size 1000,500 noenhanced
set output '$OUT/deviations-per-day.png'
set title 'Deviations opened per day and rule, home $HOME_ID ($TZ_HOME)'
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.8
set datafile separator '\t'
set key outside right
set xtics rotate by -45
set ylabel 'deviations opened'
set yrange [0:*]
plot for [i=2:$ncols] '$W/days.tsv' using i:xtic(1) title columnheader(i)
GP
else
	gnuplot <<GP
set terminal pngcairo size 1000,500 noenhanced
set output '$OUT/deviations-per-day.png'
set title 'No deviation would have opened, home $HOME_ID'
unset xtics; unset ytics; unset border
plot [0:1][0:1] 2 notitle
GP
fi
gnuplot <<GP
set terminal pngcairo size 1000,400 noenhanced
set output '$OUT/activity-per-hour.png'
set title 'Activity per hour of day (events per day, liveness categories excluded), home $HOME_ID ($TZ_HOME)'
set style fill solid 0.7
set boxwidth 0.8
set datafile separator '\t'
set xrange [-0.5:23.5]
set xtics 0,1,23
set xlabel 'local hour'
set ylabel 'events per day'
set yrange [0:*]
plot '$W/hours.tsv' using 1:2 with boxes notitle
GP

# 6. the report
{
	echo "# Backtest of home \`$HOME_ID\`"
	echo
	echo "What the scheduler would have opened had this home been live: one tick every"
	echo "\`scheduler.interval_minutes\` over the stored history, in simulated time, on a throwaway"
	echo "copy (the live deviations were not touched). See docs/home-assistant.md."
	echo
	echo "| | |"
	echo "| --- | --- |"
	echo "| window | \`[$BT_SINCE, $BT_UNTIL)\` |"
	echo "| config | $CONFIG_LABEL |"
	echo "| time zone (home) | $TZ_HOME |"
	echo "| events in the window | $n_window ($n_events copied incl. 30 days before for baselines) |"
	echo "| ticks | $ticks (replay $replay_s s) |"
	echo
	echo "## Totals per rule"
	echo
	echo "| rule | title | opened | HIGH | MEDIUM | LOW |"
	echo "| --- | --- | ---: | ---: | ---: | ---: |"
	echo "$totals"
	echo
	echo "## Per day and rule"
	echo
	echo "Day is the home's local date of the opening tick; severity is the highest at opening; the"
	echo "explanation is that of the day's first opening."
	echo
	if [ -s "$OUT/summary.tsv" ]; then
		echo "| day | rule | opened | severity | explanation |"
		echo "| --- | --- | ---: | --- | --- |"
		awk -F'\t' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }' "$OUT/summary.tsv"
	else
		echo "No deviation would have opened."
	fi
	if [ -f "$W/previous.tsv" ]; then
		echo
		echo "## Compared with the previous run"
		echo
		echo "Previous: $(cat "$W/previous-meta.txt" 2>/dev/null)"
		echo
		echo "This run: $(cat "$OUT/meta.txt")"
		echo
		bt -F ' | ' <<SQL
CREATE TEMP TABLE prev (day text, rule_id text, n int, severity text, explanation text);
CREATE TEMP TABLE cur (LIKE prev);
\\copy prev FROM '$W/previous.tsv'
\\copy cur FROM '$OUT_ABS/summary.tsv'
SELECT '| day | rule | previous | this run | change |';
SELECT '| --- | --- | ---: | ---: | ---: |';
SELECT '| ' || coalesce(p.day, c.day), coalesce(p.rule_id, c.rule_id), coalesce(p.n, 0), coalesce(c.n, 0),
	   to_char(coalesce(c.n, 0) - coalesce(p.n, 0), 'FMSG99990') || ' |'
  FROM prev p FULL JOIN cur c ON c.day = p.day AND c.rule_id = p.rule_id
 ORDER BY 1, 2;
SELECT '';
SELECT '| rule | previous total | this run | change |';
SELECT '| --- | ---: | ---: | ---: |';
SELECT '| ' || r.rule_id, coalesce((SELECT sum(n) FROM prev WHERE rule_id = r.rule_id), 0),
	   coalesce((SELECT sum(n) FROM cur WHERE rule_id = r.rule_id), 0),
	   to_char(coalesce((SELECT sum(n) FROM cur WHERE rule_id = r.rule_id), 0) - coalesce((SELECT sum(n) FROM prev WHERE rule_id = r.rule_id), 0), 'FMSG99990') || ' |'
  FROM agingos.agingos_rules() r ORDER BY 1;
SQL
	fi
	echo
	echo "## Plots"
	echo
	echo "![deviations per day and rule](deviations-per-day.png)"
	echo
	echo "![activity per hour of day](activity-per-hour.png)"
} >"$OUT/report.md"
total_s=$(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
opened=$(awk -F'\t' '{ s += $3 } END { print s + 0 }' "$OUT/summary.tsv")
say "backtest: $ticks ticks in $replay_s s (total $total_s s); $opened deviations would have opened; report: $OUT/report.md"
