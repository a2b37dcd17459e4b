#!/usr/bin/env bash
# e2e 62_partition_race: agingos_partition_maintenance() moving DEFAULT rows of
# a day while another session stores a late event of that same day
# (docs/scale.md "Partitions and retention").  Before the fix pg_partman's
# partition_data_time had already deleted the day's rows from events_default
# when the other session's row arrived there, and its ATTACH then failed
# ("updated partition constraint for default partition would be violated"):
# the whole run, the days ahead included, was rolled back.  Now the move
# waits for that session and takes both rows.  Ordering is by lock waits seen
# in pg_stat_activity, not by sleeping.
. "$(dirname "$0")/lib.sh"

day=$(sql "SELECT to_char((now() AT TIME ZONE 'UTC') - interval '10 days', 'YYYY-MM-DD')")
ev() { printf '{"id":"%s","timestamp":"%sT%s:00:00Z","category":"motion"}' "$1" "$day" "$2"; }

sql "SELECT agingos.agingos_partition_maintenance()" >/dev/null
sql "SELECT agingos.agingos_ingest('$(ev race-0 08)', 'race-home')" >/dev/null
check "race: the late row waits in events_default" \
	"$(sql "SELECT tableoid::regclass FROM agingos.events WHERE event_id = 'race-0'")" "events_default"

# session A: stores race-1 of the same day and keeps its transaction open
fifo=$(mktemp -u /tmp/ag_race.XXXX)
mkfifo "$fifo"
"$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -c "SET application_name = 'race-a'" -f "$fifo" >/dev/null 2>&1 &
apid=$!
exec 7>"$fifo"
echo "BEGIN; SELECT agingos.agingos_ingest('$(ev race-1 12)', 'race-home');" >&7
wait_session sql race-a "state = 'idle in transaction'"

# session B: the maintenance, which must wait for A
out=$(mktemp /tmp/ag_race_out.XXXX)
PGAPPNAME=race-b "$PGBIN/psql" -X -qtA -c "SELECT agingos.agingos_partition_maintenance() ->> 'moved'" >"$out" 2>&1 &
bpid=$!
wait_session sql race-b "wait_event_type = 'Lock'"
echo "COMMIT;" >&7
exec 7>&-
wait "$apid"
wait "$bpid"
rm -f "$fifo"

check "race: the maintenance ran and moved both rows of the day" "$(cat "$out")" "2"
rm -f "$out"
check "race: both rows in the day's partition, nothing in events_default" \
	"$(sql "SELECT string_agg(event_id || ' ' || (tableoid = 'agingos.events_default'::regclass)::text, ',' ORDER BY event_id) FROM agingos.events WHERE home_id = 'race-home'")" \
	"race-0 false,race-1 false"
check "race: a repeat still dedupes after the move" \
	"$(sql "SELECT agingos.agingos_ingest('$(ev race-1 12)', 'race-home') ->> 'deduped'")" "true"
sql "DELETE FROM agingos.events WHERE home_id = 'race-home'" >/dev/null
