#!/usr/bin/env bash
# 86_backup_restore: pg_dump / pg_restore into a fresh cluster gives the same
# rows, the same auth mode and keys, and ingestion and ticks go on without an
# error (contract.md §12).  Source and target are private clusters; the
# backup is db_backup / db_restore of scripts/lib.sh (make backup / make
# restore).  Ports: AGINGOS_RESTORE_SRC_PGPORT (55481),
# AGINGOS_RESTORE_PGPORT (55482).  About 20 s.
. "$(dirname "$0")/lib.sh"
SRC_PORT=${AGINGOS_RESTORE_SRC_PGPORT:-55481}
DST_PORT=${AGINGOS_RESTORE_PGPORT:-55482}
T=$(mktemp -d /tmp/ag_e2e_restore.XXXXXX)
chmod 755 "$T"
trap 'cluster_down "$T/src"; cluster_down "$T/dst"; rm -rf "$T"' EXIT
QS() { "$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -h "$T/src/sock" -p "$SRC_PORT" -U agingos -d agingos "$@"; }
QD() { "$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -h "$T/dst/sock" -p "$DST_PORT" -U agingos -d agingos "$@"; }
KEY=restore-test-key-0123456789abcdef

# the source: auth on, a key, a config, events, a tick with a deviation, a pg_cron job
if ! ( . "$AG_ROOT/scripts/lib.sh"
	   cd "$AG_ROOT"
	   run_prepare "$T/src"; pg_ready "$T/src/data" "$SRC_PORT" "$T/src/sock" "$T/src/log/postgres.log"
	   db_setup "$T/src/sock" "$SRC_PORT"
	   AGINGOS_AUTH_MODE=api_key AGINGOS_API_KEY=$KEY db_auth "$T/src/sock" "$SRC_PORT"
	   db_load_config "$T/src/sock" "$SRC_PORT" config/rules.yaml
	   psql_at "$T/src/sock" "$SRC_PORT" agingos -tA -c "SELECT agingos.agingos_schedule()" ) >"$T/src.log" 2>&1; then
	nok "restore: source cluster" "$(tail -3 "$T/src.log")"; exit 0
fi
QS >/dev/null <<'SQL'
SELECT agingos.agingos_ingest(format('{"id": "r-%s", "timestamp": "%s", "category": "motion", "payload": {"room": "kitchen"}}',
	  i, to_char(timestamptz '2025-12-23 06:00Z' + i * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))::jsonb)
  FROM generate_series(1, 50) i;
SELECT agingos.agingos_ingest('{"id": "r-door", "timestamp": "2025-12-23T07:00:00Z", "category": "door", "payload": {"door": "front", "state": "open"}}'::jsonb);
-- two events of today and yesterday: they go to day partitions, which are no
-- extension members (pg_dump keeps each table with its rows, docs/scale.md)
SELECT agingos.agingos_ingest(format('{"id": "r-day-%s", "timestamp": "%s", "category": "motion"}', d,
	  to_char((now() - d * interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))::jsonb)
  FROM generate_series(0, 1) d;
SELECT agingos.agingos_scheduler_tick('2025-12-23T07:20:00Z');
SELECT agingos.agingos_scheduler_tick('2025-12-23T07:30:00Z');
SQL
# the job is paused while the copies are compared, so a minute boundary on a
# slow machine cannot add a real-time tick to one side only; it is switched
# back on in the restored cluster below
QS -c "SELECT cron.alter_job(jobid, active := false) FROM cron.job WHERE jobname = 'agingos-scheduler'" >/dev/null
check "restore: source auth mode api_key" "$(QS -c "SELECT value FROM settings WHERE name = 'auth_mode'")" api_key

# backup, then restore into a new cluster
if ! ( . "$AG_ROOT/scripts/lib.sh"; db_backup "$T/src/sock" "$SRC_PORT" "$T/backup" ) >"$T/backup.log" 2>&1; then
	nok "restore: make backup" "$(tail -3 "$T/backup.log")"; exit 0
fi
ok "restore: backup written"
check "restore: backup is private" "$(stat -c %a "$T/backup") $(stat -c %a "$T/backup/roles.sql") $(stat -c %a "$T/backup/agingos.dump")" "700 600 600"
if ! ( . "$AG_ROOT/scripts/lib.sh"
	   run_prepare "$T/dst"; pg_ready "$T/dst/data" "$DST_PORT" "$T/dst/sock" "$T/dst/log/postgres.log"
	   db_restore "$T/dst/sock" "$DST_PORT" "$T/backup"
	   db_setup "$T/dst/sock" "$DST_PORT" ) >"$T/restore.log" 2>&1; then
	nok "restore: pg_restore into a fresh cluster" "$(grep -v '^agingos: ' "$T/restore.log" | head -5 | tr '\n' ' ')"; exit 0
fi
ok "restore: pg_restore into a fresh cluster without an error"
grep -i 'error' "$T/restore.log" | head -3 | sed 's/^/# /'

# same rows in every extension table, same sequences
tables=$(QS -c "SELECT string_agg(c::regclass::text, ' ' ORDER BY 1) FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'agingos' AND (SELECT relkind FROM pg_class WHERE oid = c) = 'r'")
for t in $tables; do
	a=$(QS -c "SELECT count(*) || ' ' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM $t x")
	b=$(QD -c "SELECT count(*) || ' ' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM $t x" 2>&1)
	check "restore: $t has the same rows (${a%% *})" "$b" "$a"
done
# every event, in the same partition, and the day partitions with pg_partman's config
q="SELECT count(*) || ' ' || md5(string_agg(tableoid::regclass::text || ':' || x::text, '|' ORDER BY x.id)) FROM agingos.events x"
check "restore: agingos.events has the same rows in the same partitions" "$(QD -c "$q" 2>&1)" "$(QS -c "$q")"
check "restore: the recent events are in day partitions" \
	"$(QD -c "SELECT count(*) FROM agingos.events WHERE event_id LIKE 'r-day-%' AND tableoid <> 'agingos.events_default'::regclass")" 2
q="SELECT string_agg(partition::text, ',' ORDER BY starts) FROM agingos.agingos_event_partitions()"
check "restore: the same day partitions" "$(QD -c "$q" 2>&1)" "$(QS -c "$q")"
check "restore: pg_partman still manages events" \
	"$(QD -c "SELECT partition_interval || ' ' || premake FROM partman.part_config WHERE parent_table = 'agingos.events'")" "1 day 4"
check "restore: the day partitions are no extension members" \
	"$(QD -c "SELECT count(*) FROM agingos.agingos_event_partitions() p JOIN pg_depend d ON d.objid = p.partition AND d.deptype = 'e'")" 0
check "restore: every day partition has the two indexes of events" \
	"$(QD -c "SELECT bool_and((SELECT count(*) FROM pg_index i WHERE i.indrelid = p.partition) = 2) FROM agingos.agingos_event_partitions() p")" t
check "restore: agingos.event_keys holds one key per restored event (docs/scale.md)" \
	"$(QD -c "SELECT (SELECT count(*) FROM agingos.event_keys) || ' ' || count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM agingos.event_keys k WHERE k.key_hash = hashtextextended(e.home_id || chr(31) || e.event_id, 0) AND k.\"timestamp\" = e.\"timestamp\")) FROM agingos.events e")" \
	"$(QS -c "SELECT count(*) FROM agingos.events") 0"
check "restore: a restored day partition's event still dedupes" \
	"$(QD -c "SELECT agingos.agingos_ingest(jsonb_build_object('id', e.event_id, 'timestamp', to_char(e.\"timestamp\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'category', e.category, 'payload', e.payload), e.home_id) ->> 'deduped' FROM agingos.events e WHERE e.event_id LIKE 'r-day-%' ORDER BY e.id LIMIT 1" 2>&1)" true
check "restore: maintenance runs on the restored set" "$(QD -c "SELECT agingos.agingos_partition_maintenance() ->> 'registered'" 2>&1)" false
check "restore: auth mode api_key kept" "$(QD -c "SELECT value FROM settings WHERE name = 'auth_mode'")" api_key
check "restore: the key works" "$(QD -c "SELECT status FROM http_event('{}', '{\"id\": \"after-key\", \"timestamp\": \"2025-12-23T08:00:00Z\", \"category\": \"motion\"}', '$KEY')")" 200
check "restore: no key is 401" "$(QD -c "SELECT status FROM http_event('{}', '{\"id\": \"after-nokey\", \"timestamp\": \"2025-12-23T08:00:00Z\", \"category\": \"motion\"}', NULL)")" 401
check "restore: the roles came along" "$(QD -c "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('agingos_api', 'agingos_http')")" "agingos_api,agingos_http"
check "restore: pg_cron job kept (paused as dumped)" "$(QD -c "SELECT count(*) || ' ' || bool_or(active) FROM cron.job WHERE jobname = 'agingos-scheduler'")" "1 false"
QD -c "SELECT cron.alter_job(jobid, active := true) FROM cron.job WHERE jobname = 'agingos-scheduler'" >/dev/null
check "restore: pg_cron job runs again in the restored cluster" "$(QD -c "SELECT bool_and(active) FROM cron.job WHERE jobname = 'agingos-scheduler'")" t
check "restore: search_path kept" "$(QD -c "SHOW search_path")" "agingos, public"

# ingest and ticks go on: identity sequences continue
out=$(QD -c "SELECT agingos.agingos_ingest('{\"id\": \"after-1\", \"timestamp\": \"2025-12-23T08:01:00Z\", \"category\": \"motion\"}'::jsonb) IS NOT NULL" 2>&1)
check "restore: ingest after restore" "$out" t
check "restore: new event id continues the sequence" \
	"$(QD -c "SELECT (SELECT id FROM events WHERE event_id = 'after-1') > (SELECT max(id) FROM events WHERE event_id <> 'after-1')")" t
out=$(QD -c "SELECT agingos.agingos_scheduler_tick('2025-12-23T09:00:00Z') ->> 'status'" 2>&1)
check "restore: tick after restore" "$out" ok
out=$(QD -c "SELECT agingos.agingos_scheduler_tick('2025-12-24T09:00:00Z') ->> 'status'" 2>&1)
check "restore: second tick after restore" "$out" ok
out=$( (cd "$AG_ROOT" && . scripts/lib.sh && db_load_config "$T/dst/sock" "$DST_PORT" config/rules.yaml) 2>&1)
check "restore: config loads again (config version continues)" "$(QD -c "SELECT count(DISTINCT version) = count(*) FROM config")" t
check "restore: no ERROR in the target's server log" "$(grep -c ' ERROR: ' "$T/dst/log/postgres.log")" 0
# the restored cluster has its own passwords, not the source's
check "restore: TCP login with the target's own password file" \
	"$(PGPASSFILE="$T/dst/secrets/pgpass" "$PGBIN/psql" -X -w -tA -h 127.0.0.1 -p "$DST_PORT" -U agingos -d agingos -c "SELECT 1" 2>&1)" 1
