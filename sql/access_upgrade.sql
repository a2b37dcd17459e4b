-- access_upgrade: ALTER EXTENSION agingos UPDATE from 0.1.0 carries keys and
-- history into the access model of 0.2.0 (docs/security.md): key ids, the
-- homes of each key, 8-character prefixes, actors, no cascade, row-level
-- security and the routes' owner, exactly as a fresh install has them.
SET client_min_messages = warning;
DROP EXTENSION agingos;
CREATE EXTENSION agingos VERSION '0.1.0';
SET search_path = agingos, public;
SELECT agingos_create_api_key('old-home', 'read') AS old_key \gset
SELECT agingos_ingest('{"id": "u-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', 'old-home') \g /dev/null
-- this library on the 0.1.0 schema (no event_keys yet) dedupes and conflicts
-- through 0.1.0's unique (home_id, event_id) index
SELECT agingos_ingest('{"id": "u-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', 'old-home') ->> 'deduped' AS old_schema_deduped;
SELECT agingos_ingest_batch('[{"id": "u-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}, {"id": "u-1", "timestamp": "2025-12-23T12:05:00Z", "category": "motion"}]', 'old-home') #>> '{results}' AS old_schema_batch;
INSERT INTO deviations (home_id, rule_id, subject_key, status, severity, title, explanation, window_since, window_until,
						"timestamp", started_at, last_seen_at)
VALUES ('old-home', 'R-001', 'default', 'OPEN', 'HIGH', 't', 'e', '2025-12-23T10:00:00Z', '2025-12-23T12:00:00Z',
		'2025-12-23T12:00:00Z', '2025-12-23T12:00:00Z', '2025-12-23T12:00:00Z');
SELECT status FROM agingos_ack((SELECT deviation_id FROM deviations), 'old-home');
UPDATE settings SET value = 'api_key' WHERE name = 'auth_mode';
SELECT length(key_prefix) AS old_prefix_chars FROM api_keys;

ALTER EXTENSION agingos UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'agingos';
-- case: the update fills agingos.event_keys from the events it converts
SELECT count(*) AS upgraded_keys FROM event_keys
 WHERE key_hash = hashtextextended('old-home' || chr(31) || 'u-1', 0) AND "timestamp" = '2025-12-23T12:00:00Z';
SELECT agingos_ingest('{"id": "u-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', 'old-home') ->> 'deduped' AS upgraded_deduped;
SELECT agingos_ingest_batch('[{"id": "u-1", "timestamp": "2025-12-24T12:00:00Z", "category": "motion"}]', 'old-home') #>> '{results,0,error,code}' AS upgraded_conflict;

-- case: the key keeps working, with an id, its home and an 8-character prefix
SELECT k.key_id, k.role, h.home_id, k.key_prefix = left(:'old_key', 8) AS prefix_8, k.revoked_at IS NULL AS active
  FROM api_keys k JOIN api_key_homes h USING (key_id);
SELECT status, jsonb_path_query_array(body::jsonb, '$[*].id') AS ids FROM http_events('{}', NULL, :'old_key');
SELECT agingos_revoke_api_key(1);
SELECT status FROM http_events('{}', NULL, :'old_key');
-- case: the keys carry home_id after the update (issue 14 item 2,
-- docs/scale.md); the rows are kept and found by their home
SELECT conrelid::regclass AS home_table, conname, pg_get_constraintdef(oid) AS key FROM pg_constraint
 WHERE conname IN ('deviations_pkey', 'deviations_v1_pkey', 'deviation_history_pkey') ORDER BY conname;
SELECT d.home_id, d.status, h.reason FROM deviations d JOIN deviation_history h USING (home_id, deviation_id);
SELECT reason, actor, note FROM deviation_history;
DELETE FROM deviations;
SELECT count(*) AS history_left FROM deviation_history;
-- case: row-level security, routes' owner and the extension's config tables as on a fresh install
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM agingos_home_tables() t JOIN pg_class c ON c.oid = t ORDER BY 1;
SELECT count(*) FILTER (WHERE p.proowner = 'agingos_routes'::regrole) AS routes_owned, count(*) AS http_functions
  FROM pg_proc p WHERE p.pronamespace = 'agingos'::regnamespace AND p.proname LIKE 'http\_%';
SELECT array_agg(c::regclass::text ORDER BY c::regclass::text) AS config_tables
  FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'agingos';
SELECT count(*) AS tables_left_over FROM pg_class WHERE relnamespace = 'agingos'::regnamespace AND relname LIKE '%0_1%';

-- back to a fresh 0.2.0 for the tests after this one
DROP EXTENSION agingos;
CREATE EXTENSION agingos;
