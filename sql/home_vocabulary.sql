-- home_vocabulary: per-home names of the rule roles (issue 18;
-- docs/home-assistant.md "Per-home vocabulary"): two homes with different
-- room names, entity ids, liveness categories and time zones, one config,
-- both judged correctly; strict validation of agingos_set_home_vocabulary.
SET search_path = agingos, public;
CREATE FUNCTION pg_temp.ev(h text, id text, ts timestamptz, cat text, p jsonb DEFAULT '{}')
RETURNS integer LANGUAGE sql AS $$
	SELECT (agingos.agingos_ingest(jsonb_build_object('id', id, 'timestamp', ts, 'category', cat, 'payload', p), h) ->> 'received')::boolean::int $$;
CREATE FUNCTION pg_temp.run(s timestamptz, u timestamptz, n timestamptz, h text, ids text[] DEFAULT NULL)
RETURNS TABLE (rule_id text, severity text, evidence jsonb) LANGUAGE sql AS $$
	SELECT d.rule_id, d.severity,
		   d.evidence - '{evaluation_truth,gating_reason,evaluation_mode,requires_baseline,requires_profile,profile_mode,uses_default_profile,days_with_data,min_days_required}'::text[]
	  FROM agingos.agingos_evaluate(s, u, n, h, ids) d ORDER BY d.rule_id $$;

-- config: one for both homes: the shipped names (baderom, stue, inngang,
-- soverom, binary_sensor.inngangsdor_contact, ha_snapshot, Europe/Oslo)
SELECT agingos_load_config($$
rules:
  R-002:
    params:
      allowed_entity_ids: [binary_sensor.inngangsdor_contact]
  R-009:
    params:
      liveness_categories: [ha_snapshot]
      max_age_minutes: 75
$$) IS NOT NULL AS loaded;

-- case: a home without a vocabulary follows the config
SELECT agingos_home_vocabulary('voc-a');

-- case: home voc-b names everything its own way
SELECT agingos_set_home_vocabulary('voc-b', '{"bathroom": "bathroom", "living_room": "lounge", "bedroom": "bedroom",
	"front_door_room": "hall", "front_door_entity_ids": ["binary_sensor.front_door"], "front_door_name": "main",
	"liveness_categories": ["heartbeat"], "timezone": "Europe/London"}');
SELECT home_id, vocabulary ? 'bathroom' AS stored FROM home_vocabulary ORDER BY 1;

-- case: the config the rules see for each home (only the role params differ)
SELECT r.key AS rule, a.value AS "voc-a", b.value AS "voc-b"
  FROM jsonb_each(agingos_home_config('voc-a') -> 'rules') r,
	   LATERAL jsonb_each(r.value -> 'params') a
  JOIN LATERAL jsonb_each(agingos_home_config('voc-b') -> 'rules' -> r.key -> 'params') b ON b.key = a.key
 WHERE a.value <> b.value ORDER BY 1, a.key;
SELECT agingos_home_config('voc-b') ->> 'timezone' AS tz_b, agingos_config() ->> 'timezone' AS tz_config;

-- events: each home in its own words; a 50-minute bathroom stay by day
-- (R-004), two front doors opened at night (R-002), and a liveness event
-- (voc-a: ha_snapshot 30 min old; voc-b: heartbeat 2 h old, ha_snapshot 15 min old).
SELECT sum(pg_temp.ev(h, id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES
	('voc-a', 'a1', '2026-03-02T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('voc-a', 'a2', '2026-03-02T10:50:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('voc-a', 'a3', '2026-03-02T11:30:00Z', 'presence', '{"state": "on", "room": "bathroom"}'),
	('voc-a', 'a4', '2026-03-02T12:30:00Z', 'presence', '{"state": "off", "room": "bathroom"}'),
	('voc-a', 'a5', '2026-03-02T01:00:00Z', 'door', '{"state": "open", "room": "inngang", "entity_id": "binary_sensor.inngangsdor_contact"}'),
	('voc-a', 'a6', '2026-03-02T01:10:00Z', 'door', '{"state": "open", "room": "hall", "entity_id": "binary_sensor.front_door"}'),
	('voc-a', 'a7', '2026-03-02T12:30:00Z', 'ha_snapshot', '{}'),
	('voc-b', 'b1', '2026-03-02T10:00:00Z', 'presence', '{"state": "on", "room": "bathroom"}'),
	('voc-b', 'b2', '2026-03-02T10:50:00Z', 'presence', '{"state": "off", "room": "bathroom"}'),
	('voc-b', 'b3', '2026-03-02T11:30:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('voc-b', 'b4', '2026-03-02T12:30:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('voc-b', 'b5', '2026-03-02T01:00:00Z', 'door', '{"state": "open", "room": "inngang", "entity_id": "binary_sensor.inngangsdor_contact"}'),
	('voc-b', 'b6', '2026-03-02T01:10:00Z', 'door', '{"state": "open", "room": "hall", "entity_id": "binary_sensor.front_door"}'),
	('voc-b', 'b7', '2026-03-02T11:00:00Z', 'heartbeat', '{}'),
	('voc-b', 'b8', '2026-03-02T12:45:00Z', 'ha_snapshot', '{}'),
	-- 05:30Z is 06:30 in Oslo (after the night window 23-06) but 05:30 in London
	('voc-a', 'a9', '2026-03-02T05:30:00Z', 'door', '{"state": "open", "room": "inngang", "entity_id": "binary_sensor.inngangsdor_contact"}'),
	('voc-b', 'b9', '2026-03-02T05:30:00Z', 'door', '{"state": "open", "room": "hall", "entity_id": "binary_sensor.front_door"}')
  ) v(h, id, ts, c, p);

-- case: R-004 judges each home's own bathroom (baderom 10:00-10:50 for
-- voc-a, bathroom 10:00-10:50 for voc-b; the other room's hour is ignored)
SELECT 'voc-a' AS home, * FROM pg_temp.run('2026-03-02T09:00:00Z', '2026-03-02T13:00:00Z', '2026-03-02T13:00:00Z', 'voc-a', '{R-004}')
UNION ALL
SELECT 'voc-b', * FROM pg_temp.run('2026-03-02T09:00:00Z', '2026-03-02T13:00:00Z', '2026-03-02T13:00:00Z', 'voc-b', '{R-004}');

-- case: R-002 counts only the home's own front-door entity
SELECT 'voc-a' AS home, rule_id, severity, evidence -> 'event_ids' AS event_ids, evidence ->> 'timezone' AS tz
  FROM pg_temp.run('2026-03-02T00:00:00Z', '2026-03-02T06:00:00Z', '2026-03-02T13:00:00Z', 'voc-a', '{R-002}')
UNION ALL
SELECT 'voc-b', rule_id, severity, evidence -> 'event_ids', evidence ->> 'timezone'
  FROM pg_temp.run('2026-03-02T00:00:00Z', '2026-03-02T06:00:00Z', '2026-03-02T13:00:00Z', 'voc-b', '{R-002}');

-- case: R-002's night window is local to each home's own time zone
SELECT 'voc-a' AS home, rule_id, severity, evidence -> 'event_ids' AS event_ids
  FROM pg_temp.run('2026-03-02T05:00:00Z', '2026-03-02T06:00:00Z', '2026-03-02T13:00:00Z', 'voc-a', '{R-002}')
UNION ALL
SELECT 'voc-b', rule_id, severity, evidence -> 'event_ids'
  FROM pg_temp.run('2026-03-02T05:00:00Z', '2026-03-02T06:00:00Z', '2026-03-02T13:00:00Z', 'voc-b', '{R-002}');

-- case: R-009 reads each home's own liveness category: voc-a's ha_snapshot is
-- 30 min old (no deviation), voc-b's heartbeat 2 h old (its ha_snapshot does not count)
SELECT 'voc-a' AS home, rule_id, severity, evidence -> 'categories' AS cats, evidence ->> 'lag_minutes' AS lag
  FROM pg_temp.run('2026-03-02T12:00:00Z', '2026-03-02T13:00:00Z', '2026-03-02T13:00:00Z', 'voc-a', '{R-009}')
UNION ALL
SELECT 'voc-b', rule_id, severity, evidence -> 'categories', evidence ->> 'lag_minutes'
  FROM pg_temp.run('2026-03-02T12:00:00Z', '2026-03-02T13:00:00Z', '2026-03-02T13:00:00Z', 'voc-b', '{R-009}');

-- case: a partial vocabulary replaces the whole one; unset roles follow the config
SELECT agingos_set_home_vocabulary('voc-b', '{"bathroom": "wc"}') - 'home_id';
-- case: {} returns the home to the config's names and removes the row
SELECT agingos_set_home_vocabulary('voc-b', '{}') ->> 'bathroom' AS bathroom;
SELECT count(*) AS rows FROM home_vocabulary WHERE home_id = 'voc-b';
-- case: a new home id is added to homes
SELECT agingos_set_home_vocabulary('voc-new', '{"timezone": "UTC"}') ->> 'timezone' AS tz;
SELECT EXISTS (SELECT 1 FROM homes WHERE home_id = 'voc-new') AS in_homes;

-- Invalid input: each raises 22023 naming the member, nothing stored
\set VERBOSITY default
SELECT agingos_set_home_vocabulary('voc-c', '{"bathrom": "bad"}');
SELECT agingos_set_home_vocabulary('voc-c', '{"bathroom": ""}');
SELECT agingos_set_home_vocabulary('voc-c', '{"living_room": 7}');
SELECT agingos_set_home_vocabulary('voc-c', '{"timezone": "Mars/Olympus"}');
SELECT agingos_set_home_vocabulary('voc-c', '{"liveness_categories": []}');
SELECT agingos_set_home_vocabulary('voc-c', '{"liveness_categories": ["Heart-Beat"]}');
SELECT agingos_set_home_vocabulary('voc-c', '{"front_door_entity_ids": "binary_sensor.x"}');
SELECT agingos_set_home_vocabulary('voc-c', '{"front_door_entity_ids": [1]}');
SELECT agingos_set_home_vocabulary('voc-c', '[]');
SELECT agingos_set_home_vocabulary('', '{}');
SELECT agingos_set_home_vocabulary(repeat('h', 129), '{}');
SELECT agingos_set_home_vocabulary(NULL, '{}');
SELECT agingos_home_vocabulary(NULL);
SELECT count(*) AS stored_for_voc_c FROM home_vocabulary WHERE home_id = 'voc-c';
SELECT count(*) AS home_voc_c FROM homes WHERE home_id = 'voc-c';

-- cleanup: later files count the homes
DELETE FROM events WHERE home_id LIKE 'voc-%';
DELETE FROM homes WHERE home_id LIKE 'voc-%';
SELECT count(*) AS voc_rows_left FROM home_vocabulary;
