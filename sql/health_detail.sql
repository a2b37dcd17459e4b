-- health_detail: agingos_health() and GET /health/detail (issue 9):
-- degraded while no rule is enabled in the scheduler (decision D31), and
-- a key sees only its own homes (docs/spec/contract.md section 12).
SET search_path = agingos, public;
SELECT coalesce(max(version), 0) AS first_version FROM config \gset
SELECT value AS auth_before FROM settings WHERE name = 'auth_mode' \gset

-- case: a config that enables no rule in the scheduler loads, but health says degraded
SELECT agingos_load_config(E'rules:\n  R-001: {enabled_in_scheduler: false}\n') IS NOT NULL AS loaded;
SELECT h ->> 'status' AS status,
	   h -> 'reasons' @> '["no rule is enabled in the scheduler (every rules.<id>.enabled_in_scheduler is false): scheduler ticks judge nothing"]' AS reason,
	   h -> 'config' -> 'rules_enabled_in_scheduler' AS enabled
  FROM agingos_health() h;
-- one rule enabled: that reason is gone
SELECT agingos_load_config(E'rules:\n  R-002: {enabled_in_scheduler: true}\n') IS NOT NULL AS loaded;
SELECT h -> 'reasons' @> '["no rule is enabled in the scheduler (every rules.<id>.enabled_in_scheduler is false): scheduler ticks judge nothing"]' AS reason,
	   h -> 'config' -> 'rules_enabled_in_scheduler' AS enabled
  FROM agingos_health() h;

-- case: two homes with events; their keys
INSERT INTO homes (home_id) VALUES ('hd9-a'), ('hd9-b') ON CONFLICT DO NOTHING;
SELECT agingos_ingest('{"id": "hd9-a1", "timestamp": "2025-12-23T10:00:00Z", "category": "motion"}', 'hd9-a') ->> 'event_id' AS a;
SELECT agingos_ingest('{"id": "hd9-b1", "timestamp": "2025-12-23T11:00:00Z", "category": "motion"}', 'hd9-b') ->> 'event_id' AS b;
SELECT agingos_ingest('{"id": "hd9-b2", "timestamp": "2025-12-23T11:05:00Z", "category": "motion"}', 'hd9-b') ->> 'event_id' AS b;
SELECT agingos_create_api_key('hd9-b', 'read') AS b_read \gset
SELECT agingos_create_api_key('hd9-a', 'admin') AS a_admin \gset

-- case: auth mode none: every home, counts over all
UPDATE settings SET value = 'none' WHERE name = 'auth_mode';
SELECT status, b::jsonb -> 'ingest' @> '[{"home_id": "hd9-a"}, {"home_id": "hd9-b"}]' AS both_listed,
	   b::jsonb -> 'counts' ->> 'scope' AS scope, b::jsonb -> 'counts' ? 'events_estimate' AS estimate,
	   (b::jsonb -> 'counts' ->> 'homes')::int = (SELECT count(*) FROM homes) AS all_homes
  FROM http_health_detail('{}', NULL, NULL) AS r(status, b);

-- case: api_key mode: B's read key sees B only; A's admin key sees A only
UPDATE settings SET value = 'api_key' WHERE name = 'auth_mode';
SELECT status, jsonb_path_query_array(b::jsonb, '$.ingest[*].home_id') AS homes_listed,
	   b::jsonb -> 'ingest' -> 0 ->> 'last_event_at' AS last_event_at,
	   b::jsonb -> 'counts' AS counts, strpos(b, 'hd9-a') = 0 AS a_not_mentioned
  FROM http_health_detail('{}', NULL, :'b_read') AS r(status, b);
SELECT status, jsonb_path_query_array(b::jsonb, '$.ingest[*].home_id') AS homes_listed,
	   b::jsonb -> 'counts' AS counts, strpos(b, 'hd9-b') = 0 AS b_not_mentioned
  FROM http_health_detail('{}', NULL, :'a_admin') AS r(status, b);
-- no key, a wrong key: 401 as every route but /health
SELECT status, b::jsonb ->> 'code' AS code FROM http_health_detail('{}', NULL, NULL) AS r(status, b);
SELECT status, b::jsonb ->> 'code' AS code FROM http_health_detail('{}', NULL, 'not-a-key') AS r(status, b);

-- case: home_ids that cover every home give the counts over all
SELECT h -> 'counts' ->> 'scope' AS scope, (h -> 'counts' ->> 'homes')::int = (SELECT count(*) FROM homes) AS all_homes
  FROM agingos_health((SELECT array_agg(home_id) FROM homes)) h;
SELECT h -> 'counts' ->> 'scope' AS scope, h -> 'counts' -> 'homes' AS homes
  FROM agingos_health(ARRAY['hd9-b', 'no-such-home']) h;

-- cleanup
UPDATE settings SET value = :'auth_before' WHERE name = 'auth_mode';
DELETE FROM api_keys k USING api_key_homes h WHERE h.key_id = k.key_id AND h.home_id IN ('hd9-a', 'hd9-b');
DELETE FROM events WHERE home_id IN ('hd9-a', 'hd9-b');
DELETE FROM homes WHERE home_id IN ('hd9-a', 'hd9-b');
DELETE FROM config WHERE version > :first_version;
