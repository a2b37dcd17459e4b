#!/usr/bin/env bash
# 80_import_ha: Home Assistant onboarding (docs/home-assistant.md, contract.md 13)
# against the throwaway cluster:
#   a. make import-ha of the example export: exact summary line, payload shape,
#      the map's vocabulary stored; a re-import adds nothing
#   b. bad input, each: not CSV (binary, broken quoting), a header without the
#      three columns, a naive time (bad row by line, rest imported), an explicit
#      offset (accepted, converted), an unknown entity (unmapped), states with
#      commas/quotes/newlines (CSV quoting; line numbers stay right), extra
#      columns, a short row, a map with an unknown key / a bad category /
#      broken YAML, an invalid home id
#   c. bounded memory: a 12 MB export under a 30 MB address-space limit, and
#      the same peak RSS for a 4 MB and a 12 MB file
#   d. make backtest: report.md + PNGs with what would have opened; the live
#      deviations, their history and scheduler_runs are unchanged; a second run
#      with another CONFIG= shows the difference side by side
. "$(dirname "$0")/lib.sh"
IMP="$AG_ROOT/bin/agingos-import-ha"
HA="$FIX/ha"
W=$(mktemp -d /tmp/agingos-e2e-ha.XXXXXX)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT
export AGINGOS_PGHOST="$PGHOST" AGINGOS_PGPORT="$PGPORT"

if [ ! -x "$IMP" ]; then
	nok "importer built" "$IMP missing"
	exit 0
fi

# a rerun starts clean: forget the homes of earlier runs of this file
sql "DELETE FROM events WHERE home_id LIKE 't80-%'; DELETE FROM home_vocabulary WHERE home_id LIKE 't80-%'" >/dev/null

# imp HOME FILE [MAP]: run the importer; stdout+stderr in $W/out, exit status in $rc
imp() {
	"$IMP" --file "$2" --map "${3:-$HA/entities.yaml}" --home "$1" --progress off >"$W/out" 2>&1
	rc=$?
}
last() { tail -1 "$W/out"; }

# ------------------------------------------------------------- a. example
make -s -C "$AG_ROOT" import-ha FILE="$HA/history.csv" MAP="$HA/entities.yaml" HOME=t80-demo >"$W/out" 2>&1
check "make import-ha: summary line" "$(last)" "imported 1510, skipped 51 (unmapped 49, unavailable 2), bad 0"
check "import: events stored by category" \
	"$(sql "SELECT string_agg(category || '=' || n, ' ' ORDER BY category) FROM (SELECT category, count(*) n FROM events WHERE home_id = 't80-demo' GROUP BY 1) x")" \
	"door=18 ha_snapshot=1152 motion=57 presence=283"
check "import: payload {state, room, entity_id, door}" \
	"$(sql "SELECT payload::text || ' ' || room_id || ' ' || agingos_iso(\"timestamp\") FROM events WHERE home_id = 't80-demo' AND category = 'door' ORDER BY \"timestamp\" LIMIT 1")" \
	'{"door": "front", "room": "hall", "state": "on", "entity_id": "binary_sensor.hall_door"} hall 2026-11-02T09:00:00.900000Z'
check "import: event ids are UUIDs derived from entity and instant" \
	"$(sql "SELECT count(*) FILTER (WHERE event_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$') || '/' || count(*) FROM events WHERE home_id = 't80-demo'")" "1510/1510"
check "import: the map's vocabulary is the home's" \
	"$(sql "SELECT agingos_home_vocabulary('t80-demo') ->> 'bathroom' || ',' || (agingos_home_config('t80-demo') #>> '{rules,R-006,params,living_room_id}')")" "bad,lounge"
make -s -C "$AG_ROOT" import-ha FILE="$HA/history.csv" MAP="$HA/entities.yaml" HOME=t80-demo >"$W/out" 2>&1
check "re-import: adds nothing" "$(last) / $(sql "SELECT count(*) FROM events WHERE home_id = 't80-demo'")" \
	"imported 0, skipped 51 (unmapped 49, unavailable 2), bad 0 / 1510"
check "re-import: says the rows were already stored" "$(grep -c '^already stored 1510 ' "$W/out")" 1

# ------------------------------------------------------------- b. bad input
gzip -c "$HA/history.csv" >"$W/gz.csv"
imp t80-b "$W/gz.csv"
check "not CSV (a gzip file): exit 1, says so" "$rc $(grep -c 'gz.csv:1: not CSV: a NUL byte' "$W/out")" "1 1"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$W/bin.csv"
imp t80-b "$W/bin.csv"
check "not CSV (a PNG file): exit 1, says so" "$rc $(grep -c 'bin.csv:1: the header lacks the column(s) entity_id, state, last_changed (it has 1 column(s)); is it CSV?' "$W/out")" "1 1"
printf 'entity_id,state,last_changed\nbinary_sensor.bad_presence,o"n,2026-11-02T06:10:00Z\n' >"$W/quote.csv"
imp t80-b "$W/quote.csv"
check "not CSV (quote inside an unquoted field): exit 1 with the line" "$rc $(grep -c 'quote.csv:2: not CSV: a quote' "$W/out")" "1 1"
printf 'entity_id,value,time\nbinary_sensor.bad_presence,on,2026-11-02T06:10:00Z\n' >"$W/hdr.csv"
imp t80-b "$W/hdr.csv"
check "header without state, last_changed: exit 1 naming them" \
	"$rc $(grep -c 'hdr.csv:1: the header lacks the column(s) state, last_changed' "$W/out")" "1 1"
: >"$W/empty.csv"
imp t80-b "$W/empty.csv"
check "empty file: exit 1" "$rc $(grep -c 'empty file' "$W/out")" "1 1"
check "bad files stored nothing" "$(sql "SELECT count(*) FROM events WHERE home_id = 't80-b'")" 0

cat >"$W/rows.csv" <<'CSV'
entity_id,state,last_changed
binary_sensor.bad_presence,on,2026-11-02T06:10:00.250
binary_sensor.bad_presence,off,2026-11-02T07:25:00.250+01:00
binary_sensor.no_such_thing,on,2026-11-02T06:11:00Z
binary_sensor.bad_presence,"on, ""really""
two lines",2026-11-02T06:12:00Z
binary_sensor.bad_presence,on
binary_sensor.bad_presence,unknown,2026-11-02T06:13:00Z
binary_sensor.bad_presence,off,2026-11-02 06:14:00Z
binary_sensor.bad_presence,off,yesterday
CSV
imp t80-rows "$W/rows.csv"
check "rows: summary (naive time, short row, bad time are bad; the rest imported)" "$rc $(last)" \
	"3 imported 3, skipped 2 (unmapped 1, unavailable 1), bad 3"
check "naive time: reported with its line and 22007" "$(grep -c '^.*rows.csv:2: .*22007' "$W/out")" 1
check "short row: reported with its line (after a quoted newline)" "$(grep -c 'rows.csv:7: too few fields' "$W/out")" 1
check "unparsable time: reported with its line" "$(grep -c 'rows.csv:10: .*22007' "$W/out")" 1
check "explicit offset: accepted and converted to UTC" \
	"$(sql "SELECT agingos_iso(\"timestamp\") FROM events WHERE home_id = 't80-rows' AND payload ->> 'state' = 'off' ORDER BY 1 LIMIT 1")" \
	"2026-11-02T06:14:00Z"
check "explicit offset +01:00 stored as UTC" \
	"$(sql "SELECT count(*) FROM events WHERE home_id = 't80-rows' AND \"timestamp\" = '2026-11-02T06:25:00.25Z'")" 1
check "state with comma, quotes and a newline kept exactly" \
	"$(sql "SELECT payload ->> 'state' FROM events WHERE home_id = 't80-rows' AND \"timestamp\" = '2026-11-02T06:12:00Z'")" \
	"on, \"really\"
two lines"

printf 'last_updated,state,attributes,entity_id,last_changed\nx,on,"{""a"": 1}",binary_sensor.hall_door,2026-11-02T06:15:00Z\n' >"$W/extra.csv"
imp t80-extra "$W/extra.csv"
check "extra columns ignored, columns found by name" "$(last) $(sql "SELECT payload ->> 'state' FROM events WHERE home_id = 't80-extra'")" \
	"imported 1, skipped 0 (unmapped 0, unavailable 0), bad 0 on"

printf 'entities:\n  binary_sensor.a: {category: motion, room: bad}\n  binary_sensor.b:\n    category: motion\n    rom: bad\n' >"$W/m1.yaml"
imp t80-m "$HA/history.csv" "$W/m1.yaml"
check "map: unknown key named with its line" "$rc $(grep -c 'm1.yaml:5: entities.binary_sensor.b.rom: unknown key' "$W/out")" "1 1"
printf 'entities:\n  binary_sensor.a: {category: Motion-Sensor, room: bad}\n' >"$W/m2.yaml"
imp t80-m "$HA/history.csv" "$W/m2.yaml"
check "map: category failing the event pattern, with its line" \
	"$rc $(grep -c 'm2.yaml:2: entities.binary_sensor.a.category: "Motion-Sensor" does not match' "$W/out")" "1 1"
printf 'entities:\n  binary_sensor.a: {category: motion, room: bad}\nvocabulary:\n  bathrom: bad\n' >"$W/m3.yaml"
imp t80-m "$HA/history.csv" "$W/m3.yaml"
check "map: unknown vocabulary key with its line" "$rc $(grep -c 'm3.yaml:4: vocabulary.bathrom: unknown key' "$W/out")" "1 1"
printf 'entities:\n  binary_sensor.a: {category: motion}\n' >"$W/m4.yaml"
imp t80-m "$HA/history.csv" "$W/m4.yaml"
check "map: missing room" "$rc $(grep -c 'm4.yaml:2: entities.binary_sensor.a.room: required' "$W/out")" "1 1"
printf 'entities:\n  binary_sensor.a: {category: motion, room: bad}\nhomes: [x]\n' >"$W/m7.yaml"
imp t80-m "$HA/history.csv" "$W/m7.yaml"
check "map: unknown top-level key" "$rc $(grep -c 'm7.yaml:3: homes: unknown key (allowed: entities, vocabulary)' "$W/out")" "1 1"
printf 'entities: [a, b\n' >"$W/m5.yaml"
imp t80-m "$HA/history.csv" "$W/m5.yaml"
check "map: not YAML" "$rc $(grep -c 'm5.yaml:.*not valid YAML' "$W/out")" "1 1"
printf 'entities:\n  binary_sensor.a: {category: motion, room: bad}\nvocabulary:\n  timezone: Mars/Olympus\n' >"$W/m6.yaml"
imp t80-m "$HA/history.csv" "$W/m6.yaml"
check "map: a vocabulary the server rejects (22023), nothing imported" \
	"$rc $(grep -c 'vocabulary.timezone: unknown time zone' "$W/out") $(sql "SELECT count(*) FROM events WHERE home_id = 't80-m'")" "1 1 0"
imp "$(printf 'h%.0s' $(seq 1 129))" "$HA/history.csv"
check "invalid home id (129 characters): exit 1 with 22023" "$rc $(grep -c 'SQLSTATE 22023' "$W/out")" "1 1"
imp "" "$HA/history.csv"
check "invalid home id (empty): exit 1 with 22023" "$rc $(grep -c 'SQLSTATE 22023' "$W/out")" "1 1"

# bad rows in the third chunk of 5,000 keep their own line numbers
python3 - "$W/chunks.csv" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('entity_id,state,last_changed\n')
    for i in range(12000):
        line = i + 2
        naive = line in (7503, 11999)
        f.write('binary_sensor.sov_motion,%s,2026-09-%02dT%02d:%02d:%02d%s\n' % ('on' if i % 2 else 'off', 1 + i // 1440, i // 60 % 24, i % 60, 0, '' if naive else 'Z'))
PY
imp t80-chunks "$W/chunks.csv"
check "bad rows across chunks: each with its own line" \
	"$rc $(last) $(grep -o 'chunks.csv:[0-9]*' "$W/out" | paste -sd,)" \
	"3 imported 11998, skipped 0 (unmapped 0, unavailable 0), bad 2 chunks.csv:7503,chunks.csv:11999"

# ------------------------------------------------------------- c. bounded memory
python3 - "$W" <<'PY'
import sys
w = sys.argv[1]
def gen(path, n):
    with open(path, 'w') as f:
        f.write('entity_id,state,last_changed\n')
        for i in range(n):
            # mostly statistics rows of a numeric sensor (unmapped), one mapped row in 5
            ent = 'binary_sensor.bad_presence' if i % 5 == 0 else 'sensor.lounge_temperature_statistics_mean'
            f.write('%s,%s,2026-10-%02dT%02d:%02d:%02d.%03dZ\n' % (ent, 'on' if i % 40 == 0 else '21.4', 1 + (i // 86400) % 28,
                    (i // 3600) % 24, (i // 60) % 60, i % 60, i % 1000))
gen(w + '/small.csv', 60000)
gen(w + '/big.csv', 190000)
PY
size=$(stat -c %s "$W/big.csv")
(ulimit -v 30000; "$IMP" --file "$W/big.csv" --map "$HA/entities.yaml" --home t80-mem --progress off >"$W/out" 2>&1)
rc=$?
check "bounded memory: a $((size / 1000000)) MB file under a 30 MB address-space limit" "$rc $(last)" \
	"0 imported 38000, skipped 152000 (unmapped 152000, unavailable 0), bad 0"
rss() { /usr/bin/time -f '%M' -o "$W/rss" "$IMP" --file "$1" --map "$HA/entities.yaml" --home t80-mem2 --progress off >/dev/null 2>&1; cat "$W/rss"; }
r_small=$(rss "$W/small.csv")
r_big=$(rss "$W/big.csv")
if [ "$r_big" -le $((r_small + 2048)) ]; then ok "bounded memory: peak RSS $r_big KB for 12 MB vs $r_small KB for 4 MB"; else nok "bounded memory: peak RSS" "$r_big KB for 12 MB vs $r_small KB for 4 MB"; fi

# ------------------------------------------------------------- d. backtest
snap() { sql "SELECT (SELECT count(*) FROM deviations) || '/' || (SELECT coalesce(max(deviation_id), 0) FROM deviations) || '/' || (SELECT count(*) FROM deviation_history) || '/' || (SELECT count(*) FROM scheduler_runs) || '/' || (SELECT count(*) FROM deviations_v1)"; }
before=$(snap)
OUT="$W/report"
BACKTEST_OUT="$OUT" BACKTEST_PGPORT="${AGINGOS_TEST_BACKTEST_PGPORT:-55497}" \
	make -s -C "$AG_ROOT" backtest HOME=t80-demo >"$W/bt.log" 2>&1
rc=$?
check "backtest: exit 0 and a report" "$rc $([ -s "$OUT/report.md" ] && echo yes)" "0 yes"
check "backtest: per-day rows (R-004 MEDIUM on day 3; the night after, R-002 HIGH for the door and R-011 HIGH: she went out at night and is not back)" \
	"$(grep -E '^\| 2026-11-0[0-9] \| R-' "$OUT/report.md" | awk -F' [|] ' '{ print $1 " " $2 " " $3 " " $4 }' | tr -d '|' | tr -s ' ' | paste -sd';')" \
	" 2026-11-04 R-004 1 MEDIUM; 2026-11-05 R-002 1 HIGH; 2026-11-05 R-011 1 HIGH"
check "backtest: totals per rule" "$(grep -cE '^\| R-0(0[1-9]|10) \| ' "$OUT/report.md")" 10
check "backtest: explanation in the day table" "$(grep -c 'R-002 | 1 | HIGH | Nattlig åpning av ytterdøren' "$OUT/report.md")" 1
png() { head -c 8 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n'; }
check "backtest: PNG plots" "$(png "$OUT/deviations-per-day.png") $(png "$OUT/activity-per-hour.png")" "89504e470d0a1a0a 89504e470d0a1a0a"
check "backtest: live deviations, history, scheduler_runs, deviations_v1 untouched" "$(snap)" "$before"
check "backtest: the throwaway cluster is gone" "$(port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }; port_free "${AGINGOS_TEST_BACKTEST_PGPORT:-55497}" && echo free)" free
sed 's/^      day_threshold_min: 45/      day_threshold_min: 90/' "$AG_ROOT/config/rules.yaml" >"$W/tuned.yaml"
BACKTEST_OUT="$OUT" BACKTEST_PGPORT="${AGINGOS_TEST_BACKTEST_PGPORT:-55497}" \
	make -s -C "$AG_ROOT" backtest HOME=t80-demo CONFIG="$W/tuned.yaml" >"$W/bt.log" 2>&1
check "backtest with another CONFIG=: side by side with the previous run" \
	"$(grep -c '^| 2026-11-04 | R-004 | 1 | 0 | -1 |$' "$OUT/report.md") $(grep -c '^| R-004 | 1 | 0 | -1 |$' "$OUT/report.md")" "1 1"
check "backtest: SINCE/UNTIL must carry an offset" \
	"$(BACKTEST_OUT="$OUT" make -s -C "$AG_ROOT" backtest HOME=t80-demo SINCE=2026-11-03T00:00:00 UNTIL=2026-11-04T00:00:00Z >"$W/bt.log" 2>&1; echo $?) $(grep -c 'invalid instant in "SINCE"' "$W/bt.log")" "2 1"
check "backtest: unknown home" "$(BACKTEST_OUT="$OUT" make -s -C "$AG_ROOT" backtest HOME=t80-nobody >"$W/bt.log" 2>&1; echo $?) $(grep -c 'no stored events' "$W/bt.log")" "2 1"
check "backtest: live tables still untouched" "$(snap)" "$before"

# ------------------------------------------------------------- e. GET /rules shows the caller's vocabulary
# (auth mode none: every caller is home "default"; its vocabulary is removed again)
sql "SELECT agingos_set_home_vocabulary('default', '{\"bathroom\": \"wc-e2e\", \"front_door_entity_ids\": [\"binary_sensor.e2e_door\"]}') IS NOT NULL" >/dev/null
r=$(get /rules)
check "GET /rules: 200 with the home's names in config and vocabulary" \
	"$(status_of "$r") $(body_of "$r" | jq -r '[.[] | select(.rule_id == "R-004") | .config.params.bathroom_room_id, .vocabulary.bathroom] + [.[] | select(.rule_id == "R-002") | .config.params.allowed_entity_ids[0]] | join(",")')" \
	"200 wc-e2e,wc-e2e,binary_sensor.e2e_door"
sql "SELECT agingos_set_home_vocabulary('default', '{}') IS NOT NULL" >/dev/null
r=$(get /rules)
check "GET /rules: back to the config's names" \
	"$(body_of "$r" | jq -r '[.[] | select(.rule_id == "R-004") | .config.params.bathroom_room_id, (.vocabulary.set_by_home | length | tostring)] | join(",")')" "baderom,0"
