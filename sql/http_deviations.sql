-- http_deviations: the route functions over deviations, rules and health
-- (contract sections 6 and 7): evaluate, persist, list, PATCH, rules.
SET search_path = agingos, public;

SELECT agingos_load_config($$
rules:
  R-002: {enabled_in_scheduler: true, params: {allowed_entity_ids: []}}
  R-003: {enabled_in_scheduler: true}
$$) IS NOT NULL AS loaded;
SELECT agingos_ingest('{"id": "hd-1", "timestamp": "2025-12-23T23:10:00Z", "category": "door", "payload": {"state": "open", "door": "front"}}') ->> 'event_id';

-- case: GET /deviations/evaluate: DeviationV1 array in rule-id order
SELECT status, jsonb_path_query_array(body::jsonb, '$[*].rule_id') AS rules,
	   jsonb_path_query_array(body::jsonb, '$[*].severity') AS severities,
	   body::jsonb -> 0 -> 'window' AS window, body::jsonb -> 0 ->> 'timestamp' AS ts,
	   (body::jsonb -> 0 ->> 'deviation_id') ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' AS uuid_v4
  FROM http_deviations_evaluate('{"since": "2025-12-23T23:00:00Z", "until": "2025-12-24T00:00:00Z", "now": "2025-12-24T00:00:00Z", "rule_id": "R-002,R-003"}', NULL, NULL);
SELECT status, body::jsonb FROM http_deviations_evaluate('{"since": "2025-12-23T23:00:00Z", "until": "2025-12-24T00:00:00Z", "now": "2025-12-24T00:00:00Z", "rule_id": ""}', NULL, NULL);
-- errors: missing until, naive instant, unknown rule id, until after now
SELECT status, body::jsonb ->> 'code' AS code, body::jsonb ->> 'message' AS message FROM http_deviations_evaluate('{"since": "2025-12-23T23:00:00Z"}', NULL, NULL);
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviations_evaluate('{"since": "2025-12-23T23:00:00", "until": "2025-12-24T00:00:00Z"}', NULL, NULL);
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviations_evaluate('{"since": "2025-12-23T23:00:00Z", "until": "2025-12-24T00:00:00Z", "rule_id": "R-012"}', NULL, NULL);
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviations_evaluate('{"since": "2025-12-23T23:00:00Z", "until": "2025-12-24T00:00:00Z", "now": "2025-12-23T23:30:00Z"}', NULL, NULL);

-- case: POST /deviations/persist is idempotent per (rule, window)
SELECT status, body::jsonb FROM http_deviations_persist('{"since": "2025-12-23T23:00:00Z", "until": "2025-12-24T00:00:00Z", "now": "2025-12-24T00:00:00Z"}', NULL, NULL);
SELECT status, body::jsonb FROM http_deviations_persist('{"since": "2025-12-23T23:00:00Z", "until": "2025-12-24T00:00:00Z", "now": "2025-12-24T00:00:00Z"}', NULL, NULL);
SELECT rule_id, severity FROM deviations_v1 ORDER BY rule_id;

-- case: GET /deviations: active by default, severity desc then last_seen_at desc
SELECT agingos_scheduler_tick('2025-12-24T00:00:00Z') ->> 'deviations_opened' AS opened;
SELECT status, jsonb_path_query_array(body::jsonb, '$[*].rule_id') AS rules,
	   jsonb_path_query_array(body::jsonb, '$[*].severity') AS severities,
	   (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(body::jsonb -> 0) k) AS members
  FROM http_deviations('{}', NULL, NULL);
SELECT status, jsonb_array_length(body::jsonb) FROM http_deviations('{"status": "CLOSED"}', NULL, NULL);
SELECT status, jsonb_path_query_array(body::jsonb, '$[*].rule_id') FROM http_deviations('{"rule_id": "R-003"}', NULL, NULL);
SELECT status, jsonb_array_length(body::jsonb) FROM http_deviations('{"subject_key": "nobody"}', NULL, NULL);
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviations('{"status": "GONE"}', NULL, NULL);
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviations('{"limit": "0"}', NULL, NULL);

-- case: PATCH /deviations/{id}: ACK, then CLOSED; bad bodies and ids
SELECT min(deviation_id) AS dev FROM deviations \gset
SELECT status, body::jsonb ->> 'status' AS st, body::jsonb ->> 'acked_at' IS NOT NULL AS acked
  FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev), '{"status": "ACK"}', NULL);
SELECT status, body::jsonb ->> 'status' AS st FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev), '{"status": "ACK"}', NULL);
SELECT status, body::jsonb ->> 'code' AS code, body::jsonb ->> 'message' AS message FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev), '{"status": "OPEN"}', NULL);
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev), '{"status": "ACK", "extra": "x"}', NULL);
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev), 'not json', NULL);
-- a member given twice and an unknown member are named; a string jsonb cannot hold is 22P05; nothing changes
SELECT status, body::jsonb ->> 'code' AS code, body::jsonb ->> 'message' AS message FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev), '{"status": "ACK", "status": "CLOSED"}', NULL);
SELECT status, body::jsonb ->> 'code' AS code, body::jsonb ->> 'message' AS message FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev), '{"status": "ACK", "extra": 1}', NULL);
SELECT status, body::jsonb ->> 'code' AS code, body::jsonb ->> 'message' AS message FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev), '{"status": "ACK", "note": "x\u0000y"}', NULL);
SELECT status FROM deviations WHERE deviation_id = :dev;
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev), NULL, NULL);
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviation_patch('{"deviation_id": "abc"}', '{"status": "ACK"}', NULL);
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviation_patch('{"deviation_id": "999999"}', '{"status": "ACK"}', NULL);
-- a path id with more than 18 digits: 400 that says it is too large
SELECT status, body::jsonb ->> 'code' AS code, body::jsonb ->> 'details' AS details FROM http_deviation_patch('{"deviation_id": "99999999999999999999"}', '{"status": "ACK"}', NULL);
SELECT status, body::jsonb ->> 'details' AS details FROM http_deviation_patch('{"deviation_id": "-1"}', '{"status": "ACK"}', NULL);
SELECT status, body::jsonb ->> 'status' AS st FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev), '{"status": "CLOSED"}', NULL);
SELECT status, body::jsonb ->> 'code' AS code, body::jsonb ->> 'message' AS message FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev), '{"status": "ACK"}', NULL);

-- case: GET /rules: ten rules with config and truth
SELECT status, jsonb_array_length(body::jsonb) AS n,
	   body::jsonb -> 1 ->> 'rule_id' AS rule, body::jsonb -> 1 ->> 'title' AS title,
	   body::jsonb -> 1 -> 'enabled_in_scheduler' AS enabled, body::jsonb -> 1 -> 'truth' AS truth,
	   body::jsonb -> 1 -> 'config' -> 'params' -> 'allowed_entity_ids' AS allowlist
  FROM http_rules('{}', NULL, NULL);

-- case: GET /health/detail: status with reasons (no pg_cron job here)
SELECT status, body::jsonb ->> 'status' AS health, body::jsonb -> 'reasons' AS reasons,
	   body::jsonb -> 'scheduler' -> 'job_present' AS job, body::jsonb -> 'counts' -> 'homes' AS homes
  FROM http_health_detail('{}', NULL, NULL);

-- case: read keys may not PATCH or persist (contract 6: read may only GET)
UPDATE settings SET value = 'api_key' WHERE name = 'auth_mode';
SELECT agingos_create_api_key('default', 'read') AS read_key \gset
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev), '{"status": "ACK"}', :'read_key');
SELECT status, body::jsonb ->> 'code' AS code FROM http_deviations_persist('{"since": "2025-12-23T23:00:00Z", "until": "2025-12-24T00:00:00Z"}', NULL, :'read_key');
SELECT status FROM http_deviations('{}', NULL, :'read_key');
UPDATE settings SET value = 'none' WHERE name = 'auth_mode';

-- cleanup
DELETE FROM api_keys; DELETE FROM deviations; DELETE FROM deviations_v1; DELETE FROM events;
DELETE FROM scheduler_runs; DELETE FROM homes; DELETE FROM config;
