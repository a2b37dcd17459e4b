-- access_control: key roles, multi-home keys, revocation, the fail-closed
-- auth mode, row-level security under the routes' role, readers, the audit
-- that outlives deviations, export and deletion of a home
-- (contract.md section 12; docs/security.md).
SET search_path = agingos, public;
SET client_min_messages = warning;
DELETE FROM events; DELETE FROM deviation_history; DELETE FROM deviations; DELETE FROM api_keys; DELETE FROM homes;
SELECT coalesce(max(version), 0) AS config_before FROM config \gset
SELECT agingos_ingest(format('{"id": "a-%s", "timestamp": "2025-12-23T12:0%s:00Z", "category": "motion", "payload": {"room": "stue"}}', i, i), 'home-a')
  FROM generate_series(1, 3) i \g /dev/null
SELECT agingos_ingest(format('{"id": "b-%s", "timestamp": "2025-12-23T12:0%s:00Z", "category": "motion"}', i, i), 'home-b')
  FROM generate_series(1, 2) i \g /dev/null
SELECT agingos_ingest('{"id": "c-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', 'home-c') \g /dev/null
INSERT INTO deviations (home_id, rule_id, subject_key, status, severity, title, explanation, window_since, window_until,
						"timestamp", started_at, last_seen_at)
SELECT h, 'R-001', 'default', 'OPEN', 'HIGH', 't', 'e', '2025-12-23T10:00:00Z', '2025-12-23T12:00:00Z',
	   '2025-12-23T12:00:00Z', '2025-12-23T12:00:00Z', '2025-12-23T12:00:00Z'
  FROM unnest(ARRAY['home-a', 'home-b']) h;
SELECT deviation_id AS dev_a FROM deviations WHERE home_id = 'home-a' \gset
SELECT deviation_id AS dev_b FROM deviations WHERE home_id = 'home-b' \gset
UPDATE settings SET value = 'api_key' WHERE name = 'auth_mode';

-- case: keys for one home and for several; roles ingest, read, carer, admin
SELECT agingos_create_api_key('home-a', 'ingest') AS ingest_a \gset
SELECT agingos_create_api_key('home-a', 'read', 'tablet') AS read_a \gset
SELECT agingos_create_api_key(ARRAY['home-b', 'home-a'], 'carer', 'night nurse') AS carer_ab \gset
SELECT agingos_create_api_key(ARRAY['home-a', 'home-b'], 'admin') AS admin_ab \gset
SELECT k.role, k.label, array_agg(h.home_id ORDER BY h.home_id) AS homes, length(k.key_prefix) AS prefix_chars,
	   k.key_prefix = left(:'carer_ab', 8) OR k.role <> 'carer' AS prefix_is_first_8
  FROM api_keys k JOIN api_key_homes h USING (key_id) GROUP BY k.key_id ORDER BY k.key_id;
-- bad arguments
SELECT agingos_create_api_key(ARRAY['home-a', 'home-b'], 'ingest');
SELECT agingos_create_api_key(ARRAY[]::text[], 'read');
SELECT agingos_create_api_key(ARRAY['home-a', 'home-a'], 'read');
SELECT agingos_create_api_key(ARRAY['home-a', NULL], 'read');
SELECT agingos_create_api_key('home-a', 'reader');
SELECT agingos_create_api_key('home-a', 'read', repeat('x', 201));
-- a prefix longer than 8 characters cannot be stored
\set VERBOSITY terse
INSERT INTO api_keys (key_hash, key_prefix, role) VALUES ('\x00', 'agk_12345', 'read');
\set VERBOSITY default
-- operator-chosen keys (make up's AGINGOS_API_KEY): at least 24 characters
SELECT agingos_register_api_key('short-key-1234567890123', ARRAY['default'], 'admin');
SELECT agingos_register_api_key('a key with spaces in it!!', ARRAY['default'], 'admin');
SELECT agingos_register_api_key('operator-key-0123456789abcdef', ARRAY['default'], 'admin') AS op_id \gset
SELECT agingos_register_api_key('operator-key-0123456789abcdef', ARRAY['default'], 'admin') = :op_id AS same_id_again;
SELECT key_prefix FROM api_keys WHERE key_id = :op_id;

-- case: the auth mode fails closed: exactly none or api_key, anything else is 401
SELECT status, body::jsonb ->> 'code' AS code FROM http_events('{}', NULL, :'read_a');
UPDATE settings SET value = 'api_key ' WHERE name = 'auth_mode';
SELECT status, body::jsonb ->> 'code' AS code, body::jsonb ->> 'message' AS message FROM http_events('{}', NULL, :'read_a');
SELECT status, body::jsonb ->> 'code' AS code FROM http_event('{}', '{"id": "x-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', :'ingest_a');
UPDATE settings SET value = 'NONE' WHERE name = 'auth_mode';
SELECT status, body::jsonb ->> 'code' AS code FROM http_events('{}', NULL, NULL);
DELETE FROM settings WHERE name = 'auth_mode';
SELECT status, body::jsonb ->> 'code' AS code FROM http_events('{}', NULL, NULL);
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviations('{}', NULL, :'admin_ab');
SELECT count(*) AS stored_while_misconfigured FROM events WHERE event_id = 'x-1';
INSERT INTO settings (name, value) VALUES ('auth_mode', 'none');
SELECT status, jsonb_array_length(body::jsonb) AS n FROM http_events('{}', NULL, NULL);
UPDATE settings SET value = 'api_key' WHERE name = 'auth_mode';

-- case: roles per route
SELECT status, body::jsonb ->> 'code' AS code FROM http_events('{}', NULL, :'ingest_a');
SELECT status, body::jsonb ->> 'code' AS code FROM http_event('{}', '{"id": "a-9", "timestamp": "2025-12-23T12:09:00Z", "category": "motion"}', :'read_a');
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev_a), '{"status": "ACK"}', :'read_a');
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviations_persist('{"since": "2025-12-23T10:00:00Z", "until": "2025-12-23T12:00:00Z", "home_id": "home-a"}', NULL, :'carer_ab');
SELECT status, body::jsonb ->> 'code' AS code FROM http_event('{}', '{"id": "a-9", "timestamp": "2025-12-23T12:09:00Z", "category": "motion"}', :'carer_ab');

-- case: a key of several homes lists them all; home_id= narrows; another home is 404, never 403
SELECT status, jsonb_path_query_array(body::jsonb, '$[*].id') AS ids FROM http_events('{}', NULL, :'carer_ab');
SELECT status, jsonb_path_query_array(body::jsonb, '$[*].id') AS ids FROM http_events('{"home_id": "home-b"}', NULL, :'carer_ab');
SELECT status, body::jsonb ->> 'code' AS code FROM http_events('{"home_id": "home-c"}', NULL, :'carer_ab');
SELECT status, body::jsonb ->> 'code' AS code FROM http_events('{"home_id": "home-b"}', NULL, :'read_a');
SELECT status, body::jsonb ->> 'code' AS code FROM http_events('{"home_id": "nowhere"}', NULL, :'read_a');
SELECT status, jsonb_path_query_array(body::jsonb, '$[*].home_id') AS homes FROM http_deviations('{}', NULL, :'carer_ab');
SELECT status, jsonb_path_query_array(body::jsonb, '$[*].home_id') AS homes FROM http_deviations('{"home_id": "home-a"}', NULL, :'carer_ab');
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviations('{"home_id": "home-c"}', NULL, :'admin_ab');
-- a route for one home needs home_id with a key of several
SELECT status, body::jsonb ->> 'code' AS code, body::jsonb ->> 'message' AS message FROM http_rules('{}', NULL, :'carer_ab');
SELECT status, jsonb_array_length(body::jsonb) AS rules FROM http_rules('{"home_id": "home-b"}', NULL, :'carer_ab');
SELECT status, body::jsonb ->> 'code' AS code FROM http_event('{}', '{"id": "ab-1", "timestamp": "2025-12-23T12:09:00Z", "category": "motion"}', :'admin_ab');
SELECT status, body::jsonb ->> 'code' AS code FROM http_event('{"home_id": "home-b"}', '{"id": "ab-1", "timestamp": "2025-12-23T12:09:00Z", "category": "motion"}', :'admin_ab');
SELECT home_id FROM events WHERE event_id = 'ab-1';
SELECT status, body::jsonb ->> 'code' AS code FROM http_events_batch('{"home_id": "home-c"}', '[]', :'admin_ab');

-- case: a carer acknowledges with a note; the history names the key; another home's id is 404
SELECT key_id AS carer_id FROM api_keys WHERE role = 'carer' \gset
SELECT status, body::jsonb ->> 'status' AS dev_status FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev_a), '{"status": "ACK", "note": "called her, all fine"}', :'carer_ab');
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev_b), '{"status": "CLOSED"}', :'read_a');
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviation_patch(format('{"deviation_id": "%s", "home_id": "home-a"}', :dev_b), '{"status": "CLOSED"}', :'carer_ab');
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev_a), '{"status": "ACK", "note": 5}', :'carer_ab');
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev_a), format('{"status": "ACK", "note": "%s"}', repeat('n', 1001)), :'carer_ab');
SELECT reason, actor = 'key:' || :carer_id AS actor_is_carer_key, note FROM deviation_history WHERE deviation_id = :dev_a ORDER BY history_id;
-- in SQL: actor null is sql:<session_user>, a given actor is checked, now is injectable
SELECT status, closed_at FROM agingos_close(:dev_b, NULL, NULL, 'closed by the operator', '2025-12-24T08:00:00Z');
SELECT reason, actor = 'sql:' || session_user AS actor_is_session_user, note, at FROM deviation_history WHERE deviation_id = :dev_b ORDER BY history_id;
SELECT agingos_ack(:dev_a, NULL, 'somebody');
SELECT agingos_ack(:dev_a, 'home-b');

-- case: revoking a key: 401 from the next request on
SELECT key_id AS read_id FROM api_keys WHERE label = 'tablet' \gset
SELECT status FROM http_events('{}', NULL, :'read_a');
SELECT agingos_revoke_api_key(:read_id) AS revoked, agingos_revoke_api_key(:read_id) AS again;
SELECT status, body::jsonb ->> 'code' AS code FROM http_events('{}', NULL, :'read_a');
SELECT agingos_revoke_api_key(999999);
SELECT action, key_id = :read_id AS same_key, home_id, actor = 'sql:' || session_user AS by_operator
  FROM audit_log WHERE action = 'revoke_key';

-- case: row-level security is enabled and forced on every table holding a home's data
SELECT c.relname, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
	   (SELECT string_agg(p.polname, ', ' ORDER BY p.polname) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
  FROM agingos_home_tables() t JOIN pg_class c ON c.oid = t ORDER BY 1;
-- the routes' owner is neither a superuser nor exempt from RLS, and nobody can become it
SELECT rolsuper, rolbypassrls, rolcanlogin, (SELECT count(*) FROM pg_auth_members m WHERE m.roleid = r.oid) AS members
  FROM pg_roles r WHERE rolname = 'agingos_routes';
SELECT p.proname, p.proowner = 'agingos_routes'::regrole AS owned_by_routes, p.prosecdef AS security_definer
  FROM pg_proc p WHERE p.pronamespace = 'agingos'::regnamespace AND p.proname LIKE 'http\_%' ORDER BY 1;
-- the front's role may not read the caller context functions' inputs, nor become the owner
SELECT has_function_privilege('agingos_api', 'agingos.agingos_caller_set(text[], text)', 'EXECUTE') AS api_may_set,
	   has_function_privilege('agingos_routes', 'agingos.agingos_caller_set(text[], text)', 'EXECUTE') AS routes_may_set,
	   pg_has_role('agingos_api', 'agingos_routes', 'USAGE') AS api_becomes_routes,
	   has_table_privilege('agingos_routes', 'agingos.api_keys', 'SELECT') AS routes_read_keys,
	   has_table_privilege('agingos_routes', 'agingos.settings', 'SELECT') AS routes_read_settings;

-- case: a deliberately wrong route-like query under the routes' role sees only the caller's home
CREATE FUNCTION pg_temp.buggy_route(api_key text) RETURNS TABLE (home_id text, n bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, agingos AS $$
BEGIN
	PERFORM agingos.agingos_auth(api_key, 'read');
	-- the bug: no WHERE home_id = … at all
	RETURN QUERY SELECT e.home_id, count(*) FROM agingos.events e GROUP BY e.home_id ORDER BY 1;
END $$;
ALTER FUNCTION pg_temp.buggy_route(text) OWNER TO agingos_routes;
SELECT agingos_create_api_key('home-b', 'read') AS read_b \gset
SELECT * FROM pg_temp.buggy_route(:'read_b');
BEGIN;
SET LOCAL ROLE agingos_routes;
-- nothing authenticated: nothing visible
SELECT count(*) AS events_before_auth, (SELECT count(*) FROM homes) AS homes_before_auth FROM events;
SELECT agingos_auth(:'read_b', 'read');
SELECT agingos_caller_homes();
SELECT count(*) AS events_of_home_a FROM events WHERE home_id = 'home-a';
SELECT home_id, count(*) FROM events GROUP BY 1 ORDER BY 1;
SELECT count(*) AS deviations_seen, count(*) FILTER (WHERE home_id <> 'home-b') AS other_homes FROM deviations;
SELECT count(*) AS history_seen_elsewhere FROM deviation_history WHERE home_id <> 'home-b';
UPDATE deviations SET title = 'hacked' WHERE home_id = 'home-a';
SAVEPOINT s;
INSERT INTO events (home_id, event_id, "timestamp", category) VALUES ('home-a', 'planted', now(), 'motion');
ROLLBACK TO s;
-- an ACK of another home's deviation from inside a route: not found
SAVEPOINT s2;
SELECT agingos_ack(:dev_a);
ROLLBACK TO s2;
-- the caller context cannot be forged from SQL
SAVEPOINT s3;
SELECT agingos_caller_set(ARRAY['home-a']);
ROLLBACK TO s3;
SAVEPOINT s4;
SELECT set_config('agingos.caller_homes', '{home-a}', true);
ROLLBACK TO s4;
SAVEPOINT s5;
SELECT * FROM api_keys;
ROLLBACK TO s5;
ROLLBACK;
SELECT count(*) AS titles_changed FROM deviations WHERE title = 'hacked';
-- the context ends with its transaction
BEGIN;
SET LOCAL ROLE agingos_routes;
SELECT agingos_caller_homes() AS homes_in_a_new_transaction, count(*) AS events_seen FROM events;
ROLLBACK;
-- the operator (the extension owner, a superuser) sees every home
SELECT home_id, count(*) FROM events GROUP BY 1 ORDER BY 1;

-- case: a reader role selects exactly its homes' data and nothing else
SELECT agingos_create_reader('grafana_ab', ARRAY['home-a', 'home-b']);
SELECT agingos_create_reader('grafana_ab', ARRAY['home-a']);
SELECT agingos_create_reader('Bad Name', ARRAY['home-a']);
SELECT agingos_create_reader('pg_reader', ARRAY['home-a']);
SELECT agingos_create_reader('reader_x', ARRAY[]::text[]);
SELECT agingos_create_reader('reader_x', ARRAY['home-a'], 'short');
SELECT agingos_create_reader('reader_c', ARRAY['home-c']);
SELECT rolcanlogin, rolsuper, rolbypassrls, rolpassword IS NULL AS no_password, pg_has_role('grafana_ab', 'agingos_reader', 'USAGE') AS member
  FROM pg_authid WHERE rolname = 'grafana_ab';
BEGIN;
SET LOCAL ROLE grafana_ab;
SELECT home_id, count(*) FROM events GROUP BY 1 ORDER BY 1;
SELECT home_id, status FROM deviations ORDER BY 1;
SELECT home_id FROM homes ORDER BY 1;
SELECT home_id, role_name FROM reader_homes ORDER BY 1;
SAVEPOINT s;
SELECT * FROM api_keys;
ROLLBACK TO s;
SELECT * FROM settings;
ROLLBACK TO s;
SELECT count(*) FROM config;
ROLLBACK TO s;
INSERT INTO events (home_id, event_id, "timestamp", category) VALUES ('home-a', 'r-1', now(), 'motion');
ROLLBACK TO s;
SELECT agingos_ingest('{"id": "r-2", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', 'home-a');
ROLLBACK TO s;
SELECT agingos_auth(:'read_b', 'read');
ROLLBACK;
BEGIN;
SET LOCAL ROLE reader_c;
SELECT home_id, count(*) FROM events GROUP BY 1 ORDER BY 1;
SELECT count(*) AS others_readers_rows FROM reader_homes WHERE role_name <> 'reader_c';
ROLLBACK;

-- case: export of a home: all its data as one document, no key hashes
SELECT agingos_export_home('home-b') AS doc \gset
SELECT jsonb_object_keys(:'doc'::jsonb) ORDER BY 1;
SELECT t.key, jsonb_array_length(t.value) AS n FROM jsonb_each((:'doc'::jsonb) -> 'tables') t ORDER BY 1;
SELECT jsonb_path_query_array(:'doc'::jsonb, '$.tables.events[*].event_id') AS events,
	   jsonb_path_query_array(:'doc'::jsonb, '$.api_keys[*].role') AS key_roles,
	   strpos(:'doc', 'key_hash') AS hash_mentioned,
	   strpos(:'doc', 'home-a') AS other_home_mentioned;
SELECT agingos_export_home('nowhere');

-- case: deleting a home removes its data and its single-home keys, keeps others, and is recorded without the id
SELECT agingos_delete_home('home-b') AS res \gset
SELECT (:'res'::jsonb) -> 'deleted' AS deleted;
SELECT (SELECT count(*) FROM events WHERE home_id = 'home-b') AS events_b, (SELECT count(*) FROM homes WHERE home_id = 'home-b') AS homes_b,
	   (SELECT count(*) FROM deviation_history WHERE home_id = 'home-b') AS history_b,
	   (SELECT count(*) FROM reader_homes WHERE home_id = 'home-b') AS reader_b,
	   (SELECT count(*) FROM events WHERE home_id = 'home-a') AS events_a;
SELECT k.role, array_agg(h.home_id ORDER BY h.home_id) AS homes FROM api_keys k JOIN api_key_homes h USING (key_id)
 WHERE k.revoked_at IS NULL GROUP BY k.key_id ORDER BY k.key_id;
SELECT status, body::jsonb ->> 'code' AS code FROM http_events('{}', NULL, :'read_b');
SELECT action, home_id, subject = 'sha256:' || encode(sha256('home-b'), 'hex') AS subject_is_hash, actor = 'sql:' || session_user AS by_operator,
	   strpos(details::text, 'home-b') AS id_in_details
  FROM audit_log WHERE action = 'delete_home';
SELECT count(*) AS audit_rows_naming_home_b FROM audit_log WHERE home_id = 'home-b' OR details::text LIKE '%home-b%';
SELECT agingos_delete_home('home-b');

-- case: the audit outlives the deviations it describes, for retention.audit_days
SELECT status FROM agingos_close(:dev_a, 'home-a', NULL, 'resolved', '2025-12-24T09:00:00Z');
SELECT agingos_load_config(E'retention:\n  deviations_days: 1\n  audit_days: 400\nrules:\n  R-001:\n    enabled_in_scheduler: true\n') -> 'retention' AS retention;
SELECT agingos_retention('2026-01-10T00:00:00Z') ->> 'deviations_deleted' AS deviations_deleted;
SELECT count(*) AS deviations_left FROM deviations;
SELECT reason, actor = 'key:' || :carer_id AS by_carer_key, note FROM deviation_history h
 WHERE deviation_id = :dev_a ORDER BY history_id;
SELECT agingos_retention('2027-02-10T00:00:00Z') ->> 'audit_deleted' AS audit_deleted;
SELECT count(*) AS history_of_dev_a FROM deviation_history WHERE deviation_id = :dev_a;
SELECT agingos_load_config(E'retention:\n  audit_days: 0\nrules:\n  R-001:\n    enabled_in_scheduler: true\n');

-- clean up for the tests after this one
DELETE FROM config WHERE version > :config_before;
DROP ROLE grafana_ab;
DROP ROLE reader_c;
TRUNCATE reader_homes, audit_log, events, deviation_history, deviations, deviations_v1, notifications, contacts, home_profile, home_vocabulary, api_key_homes, api_keys, homes RESTART IDENTITY;
UPDATE settings SET value = 'none' WHERE name = 'auth_mode';
