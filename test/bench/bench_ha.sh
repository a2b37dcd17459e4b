#!/usr/bin/env bash
# test/bench/bench_ha.sh — "-- 7. Home Assistant import and backtest" of make bench:
# figures, never pass/fail.  Run by test/bench/bench.sh with RUN and PORT of its
# throwaway cluster (docs/home-assistant.md).
#   a) agingos-import-ha of a generated export of 1,000,000 rows (~60 MB; 9 in
#      10 rows mapped, the rest a numeric sensor's statistics rows): rows/s
#      (target >= 20,000) and peak RSS, next to the peak RSS of a 100,000-row
#      file (target: the same, i.e. independent of the file's size)
#   b) make backtest of 30 days of one home (test/fixtures/ha/gen_history.py 30):
#      seconds in total and for the replay alone (target <= 10 s)
. "$(dirname "$0")/../../scripts/lib.sh"
: "${RUN:?RUN (cluster dir) is required; run through make bench}" "${PORT:?PORT is required}"
cd "$AG_ROOT" || exit 1
IMP=bin/agingos-import-ha
[ -x "$IMP" ] || { echo "-- 7. Home Assistant import: $IMP missing, skipped"; exit 0; }
W=$(mktemp -d /tmp/agingos-bench-ha.XXXXXX)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT
ROWS=${BENCH_HA_ROWS:-1000000}
Q() { psql_at "$RUN/sock" "$PORT" agingos -tA "$@"; }

# gen N FILE: N rows in the shape of a Home Assistant history download
gen() {
	python3 - "$1" "$2" <<'PY'
import sys, time
n, path = int(sys.argv[1]), sys.argv[2]
ents = ['binary_sensor.bad_presence', 'binary_sensor.lounge_motion', 'binary_sensor.kjokken_motion',
        'binary_sensor.sov_motion', 'binary_sensor.hall_motion', 'binary_sensor.hall_door']
with open(path, 'w') as f:
    f.write('entity_id,state,last_changed\n')
    for i in range(n):
        s = 1767225600 + i * 2          # one row every 2 s from 2026-01-01, ~23 days per million rows
        if i % 10 == 9:
            e, st = 'sensor.lounge_temperature_statistics_mean', '%.1f' % (20 + (i % 7) / 10)
        else:
            e, st = ents[i % 6], 'on' if i % 4 < 2 else 'off'
        f.write('%s,%s,%s.%03dZ\n' % (e, st, time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(s)), i % 1000))
PY
}
echo "-- 7. Home Assistant import (make import-ha) and backtest (make backtest)"
echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores; the machine is shared)"
gen "$ROWS" "$W/big.csv"
gen 100000 "$W/small.csv"
size=$(stat -c %s "$W/big.csv")
echo "   a) generated export: $ROWS rows, $((size / 1000000)) MB (9 in 10 rows mapped: 6 binary sensors; 1 in 10 a numeric sensor's statistics, unmapped)"
echo "   command: /usr/bin/time -f '%e s %M KB' bin/agingos-import-ha --file big.csv --map test/fixtures/ha/entities.yaml --home bha-import --progress off"
PGHOST="$RUN/sock" PGPORT=$PORT PGUSER=agingos PGDATABASE=agingos \
	/usr/bin/time -f '%e %M' -o "$W/time.big" "$IMP" --file "$W/big.csv" --map test/fixtures/ha/entities.yaml --home bha-import --progress off >"$W/out.big" 2>&1
read -r secs rss_big <"$W/time.big"
echo "   $(tail -1 "$W/out.big")"
awk -v n="$ROWS" -v s="$secs" -v r="$rss_big" 'BEGIN { printf "   import: %.1f s, %.0f rows/s (target >= 20,000), peak RSS %d KB\n", s, n / s, r }'
PGHOST="$RUN/sock" PGPORT=$PORT PGUSER=agingos PGDATABASE=agingos \
	/usr/bin/time -f '%e %M' -o "$W/time.small" "$IMP" --file "$W/small.csv" --map test/fixtures/ha/entities.yaml --home bha-small --progress off >"$W/out.small" 2>&1
read -r secs_s rss_small <"$W/time.small"
echo "   same command, 100,000 rows ($(($(stat -c %s "$W/small.csv") / 1000000)) MB): peak RSS $rss_small KB (vs $rss_big KB for $ROWS rows: independent of the size)"
PGHOST="$RUN/sock" PGPORT=$PORT PGUSER=agingos PGDATABASE=agingos \
	/usr/bin/time -f '%e %M' -o "$W/time.re" "$IMP" --file "$W/small.csv" --map test/fixtures/ha/entities.yaml --home bha-small --progress off >"$W/out.re" 2>&1
read -r secs_r _ <"$W/time.re"
awk -v s="$secs_r" 'BEGIN { printf "   re-import of the 100,000-row file (every row deduplicated): %.1f s, %.0f rows/s\n", s, 100000 / s }'
# for scale: the server side alone, one agingos_ingest_batch call of 5,000 such events
head -5001 "$W/big.csv" | tail -5000 | awk -F, 'BEGIN { printf "[" } { printf "%s{\"id\":\"scale-%d\",\"timestamp\":\"%s\",\"category\":\"motion\",\"payload\":{\"state\":\"%s\",\"room\":\"bad\",\"entity_id\":\"%s\"}}", (NR > 1 ? "," : ""), NR, $3, $2, $1 } END { printf "]" }' >"$W/chunk.json"
chmod 644 "$W/chunk.json"
ms=$(Q -v f="$W/chunk.json" <<'SQL' | tail -1
SELECT pg_read_file(:'f') AS j \gset
SELECT clock_timestamp() AS t0 \gset
SELECT agingos.agingos_ingest_batch(:'j', 'bha-scale') IS NOT NULL;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000);
SQL
)
awk -v ms="$ms" 'BEGIN { printf "   for scale, the server alone: one agingos_ingest_batch of 5,000 events in %d ms = %.0f events/s\n", ms, 5000000 / ms }'

echo
python3 test/fixtures/ha/gen_history.py 30 >"$W/h30.csv"
PGHOST="$RUN/sock" PGPORT=$PORT PGUSER=agingos PGDATABASE=agingos \
	"$IMP" --file "$W/h30.csv" --map test/fixtures/ha/entities.yaml --home bha-30d --progress off >"$W/out.30" 2>&1
echo "   b) 30 days of one home (test/fixtures/ha/gen_history.py 30, $(tail -1 "$W/out.30"))"
echo "   command: make backtest HOME=bha-30d (AGINGOS_PGHOST=<bench cluster>, BACKTEST_PGPORT=${AGINGOS_BENCH_BACKTEST_PGPORT:-55498})"
t0=$(date +%s.%N)
AGINGOS_PGHOST="$RUN/sock" AGINGOS_PGPORT=$PORT BACKTEST_PGPORT=${AGINGOS_BENCH_BACKTEST_PGPORT:-55498} \
	BACKTEST_OUT="$W/report" HOME_ID=bha-30d scripts/backtest.sh >"$W/bt.log" 2>&1
t1=$(date +%s.%N)
line=$(grep 'ticks in' "$W/bt.log" | sed 's/^agingos: backtest: //')
awk -v a="$t0" -v b="$t1" -v l="$line" 'BEGIN { printf "   backtest: %.1f s in total (throwaway cluster, copy, replay, report, plots); %s (target <= 10 s)\n", b - a, l }'
Q -c "DELETE FROM agingos.events WHERE home_id IN ('bha-import', 'bha-small', 'bha-30d', 'bha-scale')" >/dev/null
exit 0
