#!/usr/bin/env bash
# 85_upgrade: every release has an upgrade path (contract.md §12).  Installs
# the frozen 0.1.0 release (src/sql/release/agingos--0.1.0.sql) with data,
# runs ALTER EXTENSION agingos UPDATE and compares the catalog (catalog.sql:
# members, tables, columns, types, defaults, constraints, indexes, sequences,
# functions with their whole definition, views, triggers, policies, grants,
# config_dump entries, comments) with a fresh install of the current version
# in a second database of the same private cluster (pg_cron lives in
# cron.database_name only, so the cluster restarts between the two).
# Port: AGINGOS_UPGRADE_PGPORT (default 55480).  About 15 s.
. "$(dirname "$0")/lib.sh"
PORT=${AGINGOS_UPGRADE_PGPORT:-55480}
T=$(mktemp -d /tmp/ag_e2e_upgrade.XXXXXX)
chmod 755 "$T"
trap 'cluster_down "$T/run"; rm -rf "$T"' EXIT
Q() { "$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -h "$T/run/sock" -p "$PORT" -U agingos "$@"; }
VERSION=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$AG_ROOT/agingos.control")

if ! cluster_up "$T/run" "$PORT" >"$T/up.log" 2>&1; then
	nok "upgrade: private cluster" "$(tail -3 "$T/up.log")"; exit 0
fi
# 1. the previous release, with rows in it, then the update
out=$(Q -d agingos 2>&1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pg_cron;
CREATE SCHEMA partman;
CREATE EXTENSION pg_partman SCHEMA partman;
CREATE EXTENSION agingos VERSION '0.1.0';
SELECT agingos.agingos_ingest('{"id": "up-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion", "payload": {"room": "kitchen"}}'::jsonb) IS NOT NULL;
SELECT agingos.agingos_ingest(format('{"id": "up-m%s", "timestamp": "%s", "category": "motion"}', i,
	  to_char(timestamptz '2025-12-20 06:00Z' + i * interval '7 hours', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))::jsonb) IS NOT NULL
  FROM generate_series(1, 20) i;
-- one event of yesterday: a day partition takes it after the update
SELECT agingos.agingos_ingest(format('{"id": "up-recent", "timestamp": "%s", "category": "door"}',
	  to_char((now() - interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))::jsonb) IS NOT NULL;
SQL
)
check "upgrade: 0.1.0 installs and ingests" "$?" 0
[ -n "$out" ] && echo "$out" | grep -v '^t$' | sed 's/^/# /'
out=$(Q -d agingos -c "SET client_min_messages = warning" -c "ALTER EXTENSION agingos UPDATE" -c "SELECT extversion FROM pg_extension WHERE extname = 'agingos'" 2>&1)
check "upgrade: ALTER EXTENSION agingos UPDATE reaches $VERSION" "$out" "$VERSION"
check "upgrade: rows kept" "$(Q -d agingos -c "SELECT count(*) FROM agingos.events WHERE event_id = 'up-1'")" 1
# every row, id and content survives the conversion to the partitioned table
check "upgrade: every event kept, with its id, in events_default" \
	"$(Q -d agingos -c "SELECT count(*), count(DISTINCT id), min(id), max(id), bool_and(tableoid = 'agingos.events_default'::regclass) FROM agingos.events")" "22|22|1|22|t"
check "upgrade: events is partitioned" "$(Q -d agingos -c "SELECT pg_get_partkeydef('agingos.events'::regclass)")" 'RANGE ("timestamp")'
check "upgrade: the 0.1.0 table is gone" "$(Q -d agingos -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'agingos'::regnamespace AND relname LIKE 'events_0_1%'")" 0
# dedupe and 409 of contract §5 on the converted rows; new ids follow the old sequence
out=$(Q -d agingos -c "SELECT agingos.agingos_ingest('{\"id\": \"up-m3\", \"timestamp\": \"2025-12-21T03:00:00Z\", \"category\": \"motion\"}'::jsonb) ->> 'deduped'" 2>&1)
check "upgrade: an identical repeat of a converted event is deduped" "$out" true
out=$(Q -d agingos -c "SELECT agingos.agingos_ingest('{\"id\": \"up-m3\", \"timestamp\": \"2025-12-22T03:00:00Z\", \"category\": \"motion\"}'::jsonb)" 2>&1)
check "upgrade: the same id on another day is 23505" "$(echo "$out" | grep -c 'event id already stored with different content')" 1
out=$(Q -d agingos -c "SELECT agingos.agingos_ingest('{\"id\": \"up-2\", \"timestamp\": \"2025-12-23T12:01:00Z\", \"category\": \"motion\"}'::jsonb) IS NOT NULL" -c "SELECT agingos.agingos_scheduler_tick('2025-12-23T13:00:00Z') ->> 'status'" 2>&1)
check "upgrade: ingest and tick after the update" "$(echo "$out" | tr '\n' ' ')" "t ok "
check "upgrade: the new event's id follows the old sequence" "$(Q -d agingos -c "SELECT id FROM agingos.events WHERE event_id = 'up-2'")" 23
Q -d agingos -f "$AG_ROOT/test/e2e/catalog.sql" >"$T/upgraded.txt" 2>"$T/upgraded.err"
# after the snapshot (day partitions are relations of schema agingos): the
# first maintenance registers events with pg_partman and puts yesterday's
# event into its day partition (older ones stay in events_default); it still dedupes
# Meanwhile another session stores an event of today and commits only once
# the maintenance waits for it (before the fix the registration had already
# set events_default aside, the event stayed in it, and its ATTACH as
# DEFAULT failed: "partition constraint of relation events_default is violated")
Qa() { Q -d agingos -c "$1"; }
fifo="$T/live.fifo"
mkfifo "$fifo"
"$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -h "$T/run/sock" -p "$PORT" -U agingos -d agingos \
	-c "SET application_name = 'up-live'" -f "$fifo" >"$T/live.out" 2>&1 &
livepid=$!
exec 7>"$fifo"
echo "BEGIN; SELECT agingos.agingos_ingest(format('{\"id\": \"up-live\", \"timestamp\": \"%s\", \"category\": \"motion\"}', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))::jsonb) IS NOT NULL;" >&7
wait_session Qa up-live "state = 'idle in transaction'"
PGAPPNAME=up-maint Q -d agingos -c "SELECT agingos.agingos_partition_maintenance() ->> 'registered'" >"$T/maint.out" 2>&1 &
maintpid=$!
wait_session Qa up-maint "wait_event_type = 'Lock'"
echo "COMMIT;" >&7
exec 7>&-
wait "$livepid"
wait "$maintpid"
check "upgrade: the first maintenance registers while an event is being stored" "$(cat "$T/maint.out")" true
out=$(Q -d agingos -c "SELECT count(*) FILTER (WHERE tableoid <> 'agingos.events_default'::regclass) || ' ' || bool_or(tableoid <> 'agingos.events_default'::regclass AND event_id = 'up-recent') || ' ' || bool_or(tableoid <> 'agingos.events_default'::regclass AND event_id = 'up-live') FROM agingos.events" 2>&1)
check "upgrade: maintenance puts the recent events into their day partitions" "$out" "2 true true"
out=$(Q -d agingos -c "SELECT agingos.agingos_ingest(jsonb_build_object('id', event_id, 'timestamp', to_char(\"timestamp\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'category', category)) ->> 'deduped' FROM agingos.events WHERE event_id = 'up-recent'" 2>&1)
check "upgrade: the moved event still dedupes" "$out" true

# 2. a fresh install of the current version in database fresh
Q -d postgres -c "CREATE DATABASE fresh OWNER agingos" -c "ALTER SYSTEM SET cron.database_name = 'fresh'" >/dev/null
( . "$AG_ROOT/scripts/lib.sh"; pg_stop "$T/run/data"; pg_start "$T/run/data" "$PORT" "$T/run/log/postgres.log" )
out=$(Q -d fresh -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_cron" -c "CREATE SCHEMA partman" -c "CREATE EXTENSION pg_partman SCHEMA partman" -c "CREATE EXTENSION agingos" 2>&1)
check "upgrade: fresh $VERSION installs" "$out" ""
Q -d fresh -f "$AG_ROOT/test/e2e/catalog.sql" >"$T/fresh.txt" 2>"$T/fresh.err"
if [ -s "$T/upgraded.err" ] || [ -s "$T/fresh.err" ] || [ ! -s "$T/fresh.txt" ]; then
	nok "upgrade: catalog snapshots" "$(cat "$T/upgraded.err" "$T/fresh.err" | head -3)"
	exit 0
fi
check "upgrade: snapshot has functions" "$(grep -c '^function | ' "$T/fresh.txt" | awk '{ print ($1 > 50) }')" 1

# 3. the comparison
if diff -u --label "upgraded (0.1.0 + ALTER EXTENSION UPDATE)" --label "fresh $VERSION install" \
	"$T/upgraded.txt" "$T/fresh.txt" >"$T/diff.txt"; then
	ok "upgrade: catalog after ALTER EXTENSION agingos UPDATE equals a fresh $VERSION install ($(wc -l <"$T/fresh.txt") facts)"
else
	n=$(grep -c '^[-+][^-+]' "$T/diff.txt")
	nok "upgrade: catalog after ALTER EXTENSION agingos UPDATE equals a fresh $VERSION install" "$n lines differ (diff below)"
	echo "# Lines '-' exist only after the upgrade, lines '+' only in a fresh install."
	echo "# '+' lines: add the DDL to src/sql/upgrade/0.1.0--$VERSION.sql under '-- issue N: ...'"
	echo "#   (a new table/column/index/constraint/sequence/config_dump/role; new columns go at the END"
	echo "#   of CREATE TABLE in src/sql/schema/, since ALTER TABLE ADD COLUMN appends; pos= shows it)."
	echo "# '-' lines: something the new version dropped or renamed: DROP it in the upgrade delta"
	echo "#   (a changed function signature or return type needs DROP FUNCTION IF EXISTS old(args))."
	echo "# Reproduce: AGINGOS_UPGRADE_PGPORT=... bash test/e2e/85_upgrade.sh (via make test)."
	grep '^[-+@]' "$T/diff.txt" | grep -v '^\(---\|+++\) ' | head -150 | sed 's/^/# /'
	[ "$(grep -c '^[-+]' "$T/diff.txt")" -gt 150 ] && echo "# ... (diff cut at 150 lines)"
fi
