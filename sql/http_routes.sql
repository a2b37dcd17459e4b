-- http_routes: the route functions agingos-http calls (contract section 6):
-- status codes, error bodies, API keys and roles.
SET search_path = agingos, public;

-- case: POST /event: 200, 400, 409 and the error body shape
SELECT status, body::jsonb FROM http_event('{}', '{"id": "h-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', NULL);
SELECT status, body::jsonb FROM http_event('{}', '{"id": "h-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', NULL);
SELECT status, body::jsonb FROM http_event('{}', '{"id": "h-1", "timestamp": "2025-12-23T12:00:00Z", "category": "door"}', NULL);
SELECT status, body::jsonb FROM http_event('{}', '{"id": "h-2", "timestamp": "2025-12-23T12:00:00", "category": "motion"}', NULL);
SELECT status, body::jsonb FROM http_event('{}', NULL, NULL);
SELECT status, body::jsonb FROM http_event('{}', '[]', NULL);

-- case: POST /events/batch: 200 with results, 400 for a whole-call error
SELECT status, body::jsonb - 'results' FROM http_events_batch('{}', '[{"id": "h-3", "timestamp": "2025-12-23T12:05:00Z", "category": "motion"}, {}]', NULL);
SELECT status, body::jsonb FROM http_events_batch('{}', '{}', NULL);

-- case: GET /events: newest first, [since, until), category, limit
SELECT status, jsonb_path_query_array(body::jsonb, '$[*].id') FROM http_events('{}', NULL, NULL);
SELECT status, jsonb_array_length(body::jsonb) AS n, (body::jsonb -> 0) - 'received_at' AS first,
	   (body::jsonb -> 0 ->> 'received_at') ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$' AS received_at_iso
  FROM http_events('{"since": "2025-12-23T12:00:00Z", "until": "2025-12-23T12:05:00Z"}', NULL, NULL);
SELECT status, jsonb_path_query_array(body::jsonb, '$[*].id') FROM http_events('{"since": "2025-12-23T12:00:01Z"}', NULL, NULL);
SELECT status, jsonb_path_query_array(body::jsonb, '$[*].id') FROM http_events('{"category": "door"}', NULL, NULL);
SELECT status, jsonb_array_length(body::jsonb) FROM http_events('{"limit": "1"}', NULL, NULL);
SELECT status, body::jsonb FROM http_events('{"limit": "1001"}', NULL, NULL);
SELECT status, body::jsonb FROM http_events('{"limit": "abc"}', NULL, NULL);
SELECT status, body::jsonb FROM http_events('{"since": "2025-12-23T12:00:00"}', NULL, NULL);

-- case: API keys: stored as a hash only; roles ingest / read / admin
UPDATE settings SET value = 'api_key' WHERE name = 'auth_mode';
SELECT agingos_create_api_key('home-k', 'ingest') AS ingest_key \gset
SELECT agingos_create_api_key('home-k', 'read') AS read_key \gset
SELECT agingos_create_api_key('home-k', 'admin') AS admin_key \gset
SELECT length(:'ingest_key') AS key_length, left(:'ingest_key', 4) AS prefix;
SELECT count(*) AS keys_stored_in_clear FROM api_keys WHERE encode(key_hash, 'escape') LIKE 'agk_%';
SELECT h.home_id, k.role, octet_length(k.key_hash) AS hash_bytes, length(k.key_prefix) AS prefix_chars
  FROM api_keys k JOIN api_key_homes h USING (key_id) ORDER BY role;
SELECT agingos_create_api_key('home-k', 'superuser');
-- missing key 401, unknown key 401
SELECT status, body::jsonb FROM http_event('{}', '{"id": "k-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', NULL);
SELECT status, body::jsonb->>'code' FROM http_event('{}', '{"id": "k-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', 'agk_wrong');
-- ingest key may post, into its own home; may not GET /events (403)
SELECT status, body::jsonb FROM http_event('{}', '{"id": "k-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', :'ingest_key');
SELECT home_id FROM events WHERE event_id = 'k-1';
SELECT status, body::jsonb FROM http_events('{}', NULL, :'ingest_key');
-- read key may GET (only its home), may not post (403)
SELECT status, jsonb_path_query_array(body::jsonb, '$[*].id') FROM http_events('{}', NULL, :'read_key');
SELECT status, body::jsonb->>'code' FROM http_event('{}', '{"id": "k-2", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', :'read_key');
-- admin may do both
SELECT status FROM http_events_batch('{}', '[{"id": "k-3", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}]', :'admin_key');
SELECT status, jsonb_path_query_array(body::jsonb, '$[*].id') FROM http_events('{}', NULL, :'admin_key');
UPDATE settings SET value = 'none' WHERE name = 'auth_mode';

-- case: the error body of an internal failure hides internals
SELECT status, body::jsonb FROM agingos_http_error('XX000', 'cache lookup failed for relation 1234', 'secret detail', NULL);
SELECT status, body::jsonb FROM agingos_http_error('23505', 'dup', NULL, NULL);

-- cleanup
DELETE FROM events; DELETE FROM api_keys; DELETE FROM homes;
