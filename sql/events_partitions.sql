-- events_partitions: agingos.events by UTC day (docs/scale.md "Partitions
-- and retention"): registration with pg_partman, the DEFAULT partition,
-- dedupe and 409 across partitions (contract.md section 5, docs/scale.md
-- "Dedupe and 409 across partitions"), the maintenance move out of the
-- DEFAULT partition, and retention dropping whole days.  Leaves no events.
SET search_path = agingos, public;
SET client_min_messages = warning;
-- pg_partman names and cuts days in the session's time zone; agingos's own
-- calls set UTC, the direct calls below need it too
SET TimeZone = 'UTC';

-- case: before registration every event lands in events_default
SELECT agingos_ingest('{"id": "pt-0", "timestamp": "2025-03-01T08:00:00Z", "category": "motion"}', 'pt-home') ->> 'deduped' AS deduped;
SELECT tableoid::regclass AS part, event_id FROM events WHERE home_id = 'pt-home';

-- case: the first maintenance registers events with pg_partman (UTC days,
-- no pg_partman retention); the row already stored is kept with its id
SELECT id AS id_before FROM events WHERE home_id = 'pt-home' \gset
SELECT m ->> 'registered' AS registered, (m ->> 'partitions')::int >= 9 AS days_made FROM agingos_partition_maintenance() m;
SELECT partition_interval, premake, infinite_time_partitions, retention, datetime_string FROM partman.part_config
 WHERE parent_table = 'agingos.events';
SELECT tableoid::regclass AS part, event_id, id = :id_before AS same_id FROM events WHERE home_id = 'pt-home';
-- the DEFAULT partition is still the extension's member with dumped rows
SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound,
	   EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') AS member,
	   c.oid = ANY ((SELECT extconfig FROM pg_extension WHERE extname = 'agingos')::oid[]) AS dumped
  FROM pg_class c WHERE c.oid = 'agingos.events_default'::regclass;
-- a second call registers nothing more; the caller's search_path is its own
SELECT m ->> 'registered' AS registered FROM agingos_partition_maintenance() m;
SHOW search_path;
-- the day partitions are no extension members (pg_dump keeps them) and have the two indexes (primary key, category)
SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.partition AND d.deptype = 'e')) AS members,
	   bool_and((SELECT count(*) FROM pg_index i WHERE i.indrelid = p.partition) = 2) AS two_indexes,
	   bool_and(p.ends = p.starts + interval '1 day') AS one_day_each
  FROM agingos_event_partitions() p;

-- two days of March 2025 as pg_partman makes them: partition_data_time
-- creates 2025-03-01 and moves pt-0 there (id kept); 2025-03-02 is empty
SELECT partman.partition_data_time('agingos.events', p_batch_count => 1, p_analyze => false) AS moved;
SELECT partman.create_partition_time('agingos.events', ARRAY['2025-03-02T00:00:00Z']::timestamptz[], false) AS created;
SELECT partition::text, regress_helpers.z(starts) AS starts, regress_helpers.z(ends) AS ends
  FROM agingos_event_partitions() WHERE starts < '2026-01-01';
SELECT tableoid::regclass AS part, event_id, id = :id_before AS same_id FROM events WHERE home_id = 'pt-home';

-- case: an identical repeat is deduped; the same id with another day's
-- timestamp is 23505 (its row is in another partition), and so is an id
-- stored in the DEFAULT partition sent with a day that has a partition
SELECT agingos_ingest('{"id": "pt-0", "timestamp": "2025-03-01T08:00:00Z", "category": "motion"}', 'pt-home') ->> 'deduped' AS deduped;
SELECT agingos_ingest('{"id": "pt-0", "timestamp": "2025-03-02T08:00:00Z", "category": "motion"}', 'pt-home');
SELECT agingos_ingest('{"id": "pt-0", "timestamp": "2025-06-01T08:00:00Z", "category": "motion"}', 'pt-home');
SELECT agingos_ingest('{"id": "pt-d", "timestamp": "2025-06-01T08:00:00Z", "category": "door"}', 'pt-home') ->> 'deduped' AS deduped;
SELECT agingos_ingest('{"id": "pt-d", "timestamp": "2025-03-02T09:00:00Z", "category": "door"}', 'pt-home');
SELECT agingos_ingest('{"id": "pt-d", "timestamp": "2025-06-01T08:00:00Z", "category": "door"}', 'pt-home') ->> 'deduped' AS deduped;
-- the same id in another home is another event
SELECT agingos_ingest('{"id": "pt-0", "timestamp": "2025-03-02T08:00:00Z", "category": "motion"}', 'pt-other') ->> 'deduped' AS deduped;
SELECT home_id, tableoid::regclass AS part, event_id, regress_helpers.z("timestamp") AS ts FROM events
 WHERE home_id IN ('pt-home', 'pt-other') ORDER BY home_id, event_id;

-- case: a batch with repeats across days, against stored rows and inside itself
SELECT b ->> 'accepted' AS accepted, b ->> 'deduped' AS deduped, b ->> 'rejected' AS rejected,
	   jsonb_path_query_array(b, '$.results[*].status') AS statuses,
	   jsonb_path_query_array(b, '$.results[*].error.code') AS sqlstates
  FROM agingos_ingest_batch('[
	{"id": "pt-b1", "timestamp": "2025-03-01T10:00:00Z", "category": "motion"},
	{"id": "pt-b1", "timestamp": "2025-03-02T10:00:00Z", "category": "motion"},
	{"id": "pt-0", "timestamp": "2025-03-01T08:00:00Z", "category": "motion"},
	{"id": "pt-0", "timestamp": "2025-07-01T08:00:00Z", "category": "motion"},
	{"id": "pt-b2", "timestamp": "2025-07-01T10:00:00Z", "category": "door"},
	{"id": "pt-b2", "timestamp": "2025-07-01T10:00:00Z", "category": "door"},
	{"id": "pt-b1", "timestamp": "2025-03-01T10:00:00Z", "category": "motion"},
	{"id": "pt-d", "timestamp": "2025-03-01T23:59:59Z", "category": "door"}
  ]', 'pt-home') b;
SELECT tableoid::regclass AS part, event_id, regress_helpers.z("timestamp") AS ts FROM events
 WHERE home_id = 'pt-home' ORDER BY event_id;
-- the 409 text of a cross-partition conflict is today's
SELECT b -> 'results' -> 1 -> 'error' AS error FROM agingos_ingest_batch('[
	{"id": "pt-b3", "timestamp": "2025-03-02T11:00:00Z", "category": "motion"},
	{"id": "pt-b1", "timestamp": "2025-07-02T10:00:00Z", "category": "motion"}]', 'pt-home') b;

-- case: two sessions storing the same id on different days: the second
-- waits for the first's home lock, then sees its row (23505, not a second row)
CREATE EXTENSION IF NOT EXISTS dblink SCHEMA public;
SELECT dblink_connect('pt1', 'dbname=' || current_database()) AS c1, dblink_connect('pt2', 'dbname=' || current_database()) AS c2;
SELECT dblink_exec('pt1', 'BEGIN') AS begun;
SELECT r FROM dblink('pt1', $$SELECT agingos.agingos_ingest('{"id": "pt-race", "timestamp": "2025-03-01T12:00:00Z", "category": "motion"}', 'pt-home') ->> 'deduped'$$) AS t(r text);
SELECT dblink_send_query('pt2', $$SELECT agingos.agingos_ingest_batch('[{"id": "pt-race", "timestamp": "2025-03-02T12:00:00Z", "category": "motion"}]', 'pt-home') -> 'results' -> 0 -> 'error' ->> 'code'$$) AS sent;
SELECT dblink_exec('pt1', 'COMMIT') AS committed;
SELECT r AS second_sqlstate FROM dblink_get_result('pt2') AS t(r text);
SELECT count(*) AS race_rows FROM events WHERE home_id = 'pt-home' AND event_id = 'pt-race';
-- under REPEATABLE READ the probe still sees a row committed after the
-- transaction's snapshot was taken (it probes on the latest snapshot)
SELECT dblink_connect('pt3', 'dbname=' || current_database()) AS c3;
SELECT dblink_exec('pt3', 'BEGIN ISOLATION LEVEL REPEATABLE READ') AS begun;
SELECT n >= 0 AS snapshot_taken FROM dblink('pt3', 'SELECT count(*) FROM agingos.events') AS t(n bigint);
SELECT r FROM dblink('pt1', $$SELECT agingos.agingos_ingest('{"id": "pt-rr", "timestamp": "2025-03-01T13:00:00Z", "category": "motion"}', 'pt-home') ->> 'deduped'$$) AS t(r text);
SELECT r AS rr_code FROM dblink('pt3', $$SELECT (agingos.agingos_ingest_batch('[{"id": "pt-rr", "timestamp": "2025-03-02T13:00:00Z", "category": "motion"}]', 'pt-home') #>> '{results,0,error,code}') || ' ' || (agingos.agingos_ingest_batch('[{"id": "pt-rr", "timestamp": "2025-03-01T13:00:00Z", "category": "motion"}]', 'pt-home') #>> '{results,0,status}')$$) AS t(r text);
SELECT dblink_exec('pt3', 'COMMIT') AS committed;
SELECT count(*) AS rr_rows FROM events WHERE home_id = 'pt-home' AND event_id = 'pt-rr';
SELECT dblink_disconnect('pt1') AS d1, dblink_disconnect('pt2') AS d2, dblink_disconnect('pt3') AS d3;
DROP EXTENSION dblink; -- tick_buckets creates it again

-- case: maintenance moves DEFAULT rows within retention into new day
-- partitions (ids kept); older rows stay in the default for retention
SELECT agingos_ingest(jsonb_build_object('id', 'pt-recent', 'timestamp', to_char((now() - interval '10 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	   'category', 'motion'), 'pt-home') ->> 'deduped' AS deduped;
SELECT id AS recent_id FROM events WHERE event_id = 'pt-recent' \gset
SELECT tableoid = 'agingos.events_default'::regclass AS in_default FROM events WHERE event_id = 'pt-recent';
SELECT (m ->> 'moved')::int AS moved FROM agingos_partition_maintenance() m;
SELECT tableoid <> 'agingos.events_default'::regclass AS in_day_partition, id = :recent_id AS same_id,
	   (SELECT count(*) FROM agingos_event_partitions() p WHERE p.partition = e.tableoid AND e."timestamp" >= p.starts AND e."timestamp" < p.ends) AS its_day
  FROM events e WHERE event_id = 'pt-recent';
SELECT count(*) AS still_in_default FROM ONLY events_default WHERE home_id = 'pt-home';
-- and the moved row still dedupes and conflicts
SELECT agingos_ingest((SELECT jsonb_build_object('id', event_id, 'timestamp', regress_helpers.z("timestamp"), 'category', category)
						 FROM events WHERE event_id = 'pt-recent'), 'pt-home') ->> 'deduped' AS deduped;
SELECT agingos_ingest('{"id": "pt-recent", "timestamp": "2025-03-02T12:00:00Z", "category": "motion"}', 'pt-home');

-- case: retention drops the whole days before the cutoff, deletes the rows
-- before it in the day holding it and in the DEFAULT partition
SELECT (agingos_config() -> 'retention' ->> 'events_days') AS events_days;
SELECT count(*) FILTER (WHERE "timestamp" < '2025-03-02T10:30:00Z') AS before_cutoff FROM events;
SELECT agingos_retention('2025-04-01T10:30:00Z') ->> 'events_deleted' AS events_deleted; -- events_days 30: cutoff 2025-03-02T10:30Z
SELECT partition::text FROM agingos_event_partitions() WHERE starts < '2026-01-01';
SELECT tableoid::regclass AS part, event_id, regress_helpers.z("timestamp") AS ts FROM events
 WHERE home_id = 'pt-home' AND "timestamp" < '2026-01-01' ORDER BY event_id;

-- case: the routes see events through the parent's row-level security,
-- and cannot read a day partition directly
SELECT has_table_privilege('agingos_routes', p.partition, 'SELECT') AS routes_read_day,
	   has_table_privilege('agingos_reader', p.partition, 'SELECT') AS reader_read_day
  FROM agingos_event_partitions() p LIMIT 1;
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'agingos.events'::regclass;

-- case: a day's bounds do not follow the session's TimeZone: 2025-03-30,
-- the spring-forward day of Europe/Oslo, still ends at 2025-03-31T00:00Z,
-- and retention with its cutoff in that day's last UTC hour keeps the
-- events of that hour (the day was dropped whole before)
SELECT partman.create_partition_time('agingos.events', ARRAY['2025-03-30T00:00:00Z']::timestamptz[], false) AS created;
SELECT agingos_ingest('{"id": "pt-dst", "timestamp": "2025-03-30T23:45:00Z", "category": "motion"}', 'pt-home') ->> 'deduped' AS deduped;
BEGIN;
SET LOCAL TimeZone = 'Europe/Oslo';
SELECT regress_helpers.z(ends) AS ends FROM agingos_event_partitions() WHERE partition = 'agingos.events_p2025_03_30'::regclass;
SELECT agingos_retention('2025-04-29T23:30:00Z') IS NOT NULL AS retention_ran; -- cutoff 2025-03-30T23:30Z
COMMIT;
SELECT tableoid::regclass AS part, event_id, regress_helpers.z("timestamp") AS ts FROM events WHERE event_id = 'pt-dst';

-- case: agingos.event_keys, the dedupe probe's table (docs/scale.md "Dedupe
-- and 409 across partitions"): one row per event, hash and instant, through
-- every way in and out (single, batch, a plain INSERT, COPY, DELETE,
-- TRUNCATE elsewhere in these tests); the maintenance's first registration
-- and its moves keep the rows' instants and add no key
SELECT (SELECT count(*) FROM events) AS events,
	   (SELECT count(*) FROM event_keys) AS keys,
	   (SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_keys k
		 WHERE k.key_hash = hashtextextended(e.home_id || chr(31) || e.event_id, 0) AND k."timestamp" = e."timestamp")) AS events_without_key;
INSERT INTO events (home_id, event_id, "timestamp", category) VALUES ('pt-other', 'pt-k1', '2025-06-01T10:00:00Z', 'motion');
COPY events (home_id, event_id, "timestamp", category) FROM STDIN;
pt-other	pt-k2	2025-06-01T11:00:00Z	motion
\.
SELECT agingos_ingest('{"id": "pt-k1", "timestamp": "2025-06-01T10:00:00Z", "category": "motion"}', 'pt-other') ->> 'deduped' AS insert_row_deduped;
SELECT agingos_ingest('{"id": "pt-k2", "timestamp": "2025-06-02T11:00:00Z", "category": "motion"}', 'pt-other');
SELECT agingos_ingest_batch('[{"id": "pt-k2", "timestamp": "2025-06-01T11:00:00Z", "category": "motion"}]', 'pt-other') ->> 'deduped' AS copy_row_deduped;
-- the same id in another home is another event
SELECT agingos_ingest('{"id": "pt-k1", "timestamp": "2025-06-03T10:00:00Z", "category": "door"}', 'pt-home') ->> 'deduped' AS other_home_deduped;
SELECT count(*) AS keys_of_pt_k1 FROM event_keys WHERE key_hash IN (hashtextextended('pt-other' || chr(31) || 'pt-k1', 0), hashtextextended('pt-home' || chr(31) || 'pt-k1', 0));
-- a DELETE takes the key with it, and the id can be stored again
DELETE FROM events WHERE home_id = 'pt-other' AND event_id = 'pt-k1';
SELECT count(*) AS pt_k1_keys_left FROM event_keys WHERE key_hash = hashtextextended('pt-other' || chr(31) || 'pt-k1', 0);
SELECT agingos_ingest('{"id": "pt-k1", "timestamp": "2025-06-04T10:00:00Z", "category": "door"}', 'pt-other') ->> 'deduped' AS stored_after_delete;
-- a stale key (its event gone with the triggers disabled) only costs a
-- recheck: the id is stored again, with a key of its own
ALTER TABLE events DISABLE TRIGGER events_keys_delete;
DELETE FROM events WHERE home_id = 'pt-other' AND event_id = 'pt-k1';
ALTER TABLE events ENABLE TRIGGER events_keys_delete;
SELECT count(*) AS stale_keys FROM event_keys WHERE key_hash = hashtextextended('pt-other' || chr(31) || 'pt-k1', 0);
SELECT agingos_ingest('{"id": "pt-k1", "timestamp": "2025-06-05T10:00:00Z", "category": "door"}', 'pt-other') ->> 'deduped' AS stale_key_deduped;
SELECT regress_helpers.z("timestamp") AS stored_again FROM events WHERE home_id = 'pt-other' AND event_id = 'pt-k1';
-- and a batch over a stale key and a live one
SELECT jsonb_path_query_array(b, '$.results[*].status') AS statuses FROM agingos_ingest_batch('[
	{"id": "pt-k1", "timestamp": "2025-06-05T10:00:00Z", "category": "door"},
	{"id": "pt-k2", "timestamp": "2025-06-09T11:00:00Z", "category": "motion"}]', 'pt-other') b;
-- a hash collision is rechecked, not trusted: a key row with pt-k3's hash
-- at an instant where no such event is
INSERT INTO event_keys VALUES (hashtextextended('pt-other' || chr(31) || 'pt-k3', 0), '2025-06-01T10:00:00Z');
SELECT agingos_ingest('{"id": "pt-k3", "timestamp": "2025-06-06T10:00:00Z", "category": "motion"}', 'pt-other') ->> 'deduped' AS collision_deduped;
SELECT agingos_ingest_batch('[{"id": "pt-k3", "timestamp": "2025-06-07T10:00:00Z", "category": "motion"}]', 'pt-other') #>> '{results,0,error,code}' AS collision_then_409;
-- rebuild: one row per event again (the stale and planted rows gone)
SELECT agingos_event_keys_rebuild() = (SELECT count(*) FROM events) AS rebuilt_all;
SELECT count(*) = (SELECT count(*) FROM events) AS one_key_per_event FROM event_keys;
-- a hand UPDATE moves the keys: a new instant (another day partition), a
-- new id, a payload fix (no key moves); after each, every event has its key
-- and no key is left over
CREATE TEMP VIEW key_check AS
SELECT (SELECT count(*) FROM events) - (SELECT count(*) FROM event_keys) AS extra_events,
	   (SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_keys k
		 WHERE k.key_hash = hashtextextended(e.home_id || chr(31) || e.event_id, 0) AND k."timestamp" = e."timestamp")) AS events_without_key;
CREATE TABLE events_p2025_06_10 PARTITION OF events FOR VALUES FROM ('2025-06-10T00:00:00Z') TO ('2025-06-11T00:00:00Z');
UPDATE events SET "timestamp" = '2025-06-10T09:00:00Z' WHERE home_id = 'pt-other' AND event_id = 'pt-k3';
SELECT tableoid::regclass AS moved_to FROM events WHERE home_id = 'pt-other' AND event_id = 'pt-k3';
SELECT * FROM key_check;
UPDATE events SET "timestamp" = '2025-06-08T09:00:00Z' WHERE home_id = 'pt-other' AND event_id = 'pt-k3';
SELECT tableoid::regclass AS moved_back_to FROM events WHERE home_id = 'pt-other' AND event_id = 'pt-k3';
SELECT * FROM key_check;
DROP TABLE events_p2025_06_10;
SELECT agingos_ingest('{"id": "pt-k3", "timestamp": "2025-06-08T09:00:00Z", "category": "motion"}', 'pt-other') ->> 'deduped' AS moved_deduped;
SELECT agingos_ingest_batch('[{"id": "pt-k3", "timestamp": "2025-06-06T10:00:00Z", "category": "motion"}]', 'pt-other') #>> '{results,0,error,code}' AS old_instant_409;
UPDATE events SET event_id = 'pt-k3b' WHERE home_id = 'pt-other' AND event_id = 'pt-k3';
SELECT * FROM key_check;
SELECT agingos_ingest('{"id": "pt-k3b", "timestamp": "2025-06-08T09:00:00Z", "category": "motion"}', 'pt-other') ->> 'deduped' AS renamed_deduped;
SELECT agingos_ingest('{"id": "pt-k3", "timestamp": "2025-06-08T09:00:00Z", "category": "motion"}', 'pt-other') ->> 'deduped' AS old_id_stored_again;
SELECT count(*) AS keys_before_payload_fix FROM event_keys \gset
UPDATE events SET payload = '{"fixed": true}' WHERE home_id = 'pt-other';
SELECT count(*) = :keys_before_payload_fix AS payload_fix_keys_unchanged FROM event_keys;
SELECT * FROM key_check;
-- retention removes the keys before its cutoff with the events
SELECT agingos_retention('2025-07-01T12:00:00Z') ->> 'events_deleted' AS events_deleted; -- cutoff 2025-06-01T12:00Z
SELECT count(*) AS keys_before_cutoff FROM event_keys WHERE "timestamp" < '2025-06-01T12:00:00Z';
SELECT (SELECT count(*) FROM events) = (SELECT count(*) FROM event_keys) AS keys_match_events;
-- agingos_delete_home removes the home's keys, not another home's
SELECT (SELECT count(*) FROM event_keys) - (SELECT count(*) FROM events WHERE home_id = 'pt-other') AS keys_left_expected \gset
SELECT agingos_delete_home('pt-other') -> 'deleted' ->> 'events' AS deleted_events;
SELECT count(*) = :keys_left_expected AS other_keys_kept FROM event_keys;
-- the routes may probe and add keys; readers see none of them
SELECT has_table_privilege('agingos_routes', 'agingos.event_keys', 'SELECT') AS routes_select,
	   has_table_privilege('agingos_routes', 'agingos.event_keys', 'INSERT') AS routes_insert,
	   has_table_privilege('agingos_reader', 'agingos.event_keys', 'SELECT') AS reader_select;

-- leave no events behind (later tests count retention deletions)
DELETE FROM events WHERE home_id IN ('pt-home', 'pt-other');
SELECT (SELECT count(*) FROM events) = (SELECT count(*) FROM event_keys) AS keys_match_events;
