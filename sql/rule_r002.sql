-- rule_r002: R-002 front door opened at night (rules.md 3.2, D10, D21).
SET search_path = agingos, public;
-- helpers z(), ev(), run(): schema regress_helpers, made once by setup.sql

-- config: defaults (door, [open, on], no allowlist, Europe/Oslo, night 23:00:00-06:00:00)
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;

-- case: qualifying events by state, category and local clock time (CET = UTC+1)
SELECT sum(regress_helpers.ev('r002', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('d1', '2026-01-12T21:59:59Z', 'door', '{"state": "open"}'),
			   ('d2', '2026-01-12T22:00:00Z', 'door', '{"state": "open"}'),
			   ('d3', '2026-01-13T04:59:59Z', 'door', '{"state": "ON"}'),
			   ('d4', '2026-01-13T05:00:00Z', 'door', '{"state": "open"}'),
			   ('d5', '2026-01-12T23:00:00Z', 'door', '{"state": "closed"}'),
			   ('d6', '2026-01-12T23:10:00Z', 'door', '{"state": "off"}'),
			   ('d7', '2026-01-12T23:20:00Z', 'Door', '{"state": "open"}'),
			   ('d8', '2026-01-12T23:30:00Z', 'door', '{"state": null, "value": "open"}'),
			   ('d9', '2026-01-12T23:40:00Z', 'door', '{"state": 1}'),
			   ('d10', '2026-01-12T23:41:00Z', 'door', '{"state": true}'),
			   ('d11', '2026-01-12T23:42:00Z', 'door', '{"state": {"open": true}}'),
			   ('d12', '2026-01-12T23:43:00Z', 'door', '{"state": ["open"]}'),
			   ('d13', '2026-01-12T23:44:00Z', 'door', '"open"'),
			   ('d14', '2026-01-12T23:45:00Z', 'door', '7'),
			   ('d15', '2026-01-12T23:46:00Z', 'door', '{"state": "open "}'),
			   ('b-tie', '2026-01-13T01:00:00Z', 'door', '{"state": "open"}'),
			   ('a-tie', '2026-01-13T01:00:00Z', 'door', '{"state": "open"}'),
			   ('B-tie', '2026-01-13T01:00:00Z', 'door', '{"state": "open"}')) v(id, ts, c, p);
-- event_ids: every qualifying id in EVENT ORDER (ties by id, bytewise)
SELECT * FROM regress_helpers.run('2026-01-12T20:00:00Z', '2026-01-13T06:00:00Z', '2026-01-13T06:00:00Z', 'r002', '{R-002}');
SELECT rule_id, title, explanation
  FROM agingos_evaluate('2026-01-12T20:00:00Z', '2026-01-13T06:00:00Z', '2026-01-13T06:00:00Z', 'r002', '{R-002}');

-- case: window edges: an opening at since counts, one at until does not
SELECT rule_id, severity, evidence->'event_ids' AS event_ids
  FROM regress_helpers.run('2026-01-12T22:00:00Z', '2026-01-12T23:00:00Z', '2026-01-13T06:00:00Z', 'r002', '{R-002}');
SELECT count(*) AS deviations
  FROM regress_helpers.run('2026-01-12T21:00:00Z', '2026-01-12T22:00:00Z', '2026-01-13T06:00:00Z', 'r002', '{R-002}');
-- only a 06:00:00 opening in the window: nothing
SELECT count(*) AS deviations
  FROM regress_helpers.run('2026-01-13T05:00:00Z', '2026-01-13T06:00:00Z', '2026-01-13T06:00:00Z', 'r002', '{R-002}');

-- case: DST nights in Europe/Oslo (2026-03-29: 02:00 CET -> 03:00 CEST; 2026-10-25: 03:00 CEST -> 02:00 CET)
SELECT sum(regress_helpers.ev('r002-dst', id, ts::timestamptz, 'door', '{"state": "open"}')) AS stored
  FROM (VALUES ('s1', '2026-03-28T21:59:59Z'),	-- 22:59:59 CET: no
			   ('s2', '2026-03-28T22:00:00Z'),	-- 23:00:00 CET: yes
			   ('s5', '2026-03-29T00:30:00Z'),	-- 01:30:00 CET: yes
			   ('s3', '2026-03-29T03:59:59Z'),	-- 05:59:59 CEST: yes
			   ('s4', '2026-03-29T04:00:00Z'),	-- 06:00:00 CEST: no
			   ('f5', '2026-10-24T20:59:59Z'),	-- 22:59:59 CEST: no
			   ('f6', '2026-10-24T21:00:00Z'),	-- 23:00:00 CEST: yes
			   ('f1', '2026-10-25T00:30:00Z'),	-- 02:30:00 CEST (first): yes
			   ('f2', '2026-10-25T01:30:00Z'),	-- 02:30:00 CET (second): yes
			   ('f3', '2026-10-25T04:59:59Z'),	-- 05:59:59 CET: yes
			   ('f4', '2026-10-25T05:00:00Z')) v(id, ts);	-- 06:00:00 CET: no
SELECT rule_id, severity, since, until, evidence->'event_ids' AS event_ids
  FROM regress_helpers.run('2026-03-28T20:00:00Z', '2026-03-29T06:00:00Z', '2026-03-29T06:00:00Z', 'r002-dst', '{R-002}');
SELECT rule_id, severity, since, until, evidence->'event_ids' AS event_ids
  FROM regress_helpers.run('2026-10-24T20:00:00Z', '2026-10-25T06:00:00Z', '2026-10-25T06:00:00Z', 'r002-dst', '{R-002}');

-- case: allowlist (exact entity_id), string trigger_value (D21), own night without
-- midnight crossing, own timezone, en locale
SELECT agingos_load_config($$
locale: en
rules:
  R-002:
    params:
      allowed_entity_ids: [binary_sensor.front_door]
      trigger_value: opened
      timezone: UTC
      night_window: {start_local_time: "22:00", end_local_time: "23:30:00"}
$$) IS NOT NULL AS loaded;
SELECT sum(regress_helpers.ev('r002-allow', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('a1', '2026-01-14T22:10:00Z', 'door', '{"state": "OPENED", "entity_id": "binary_sensor.front_door"}'),
			   ('a2', '2026-01-14T22:20:00Z', 'door', '{"state": "opened", "entity_id": "binary_sensor.back_door"}'),
			   ('a3', '2026-01-14T22:30:00Z', 'door', '{"state": "opened"}'),
			   ('a4', '2026-01-14T22:40:00Z', 'door', '{"state": "opened", "entity_id": "Binary_sensor.front_door"}'),
			   ('a6', '2026-01-14T22:50:00Z', 'door', '{"state": "open", "entity_id": "binary_sensor.front_door"}'),
			   ('a7', '2026-01-14T23:00:00Z', 'door', '{"value": "opened", "entity_id": "binary_sensor.front_door"}'),
			   ('a8', '2026-01-14T23:10:00Z', 'door', '{"state": "opened", "entity_id": ["binary_sensor.front_door"]}'),
			   ('a5', '2026-01-14T23:30:00Z', 'door', '{"state": "opened", "entity_id": "binary_sensor.front_door"}'),
			   ('a9', '2026-01-14T21:59:59Z', 'door', '{"state": "opened", "entity_id": "binary_sensor.front_door"}')) v(id, ts, c, p);
SELECT * FROM regress_helpers.run('2026-01-14T20:00:00Z', '2026-01-15T00:00:00Z', '2026-01-15T00:00:00Z', 'r002-allow', '{R-002}');
SELECT title, explanation
  FROM agingos_evaluate('2026-01-14T20:00:00Z', '2026-01-15T00:00:00Z', '2026-01-15T00:00:00Z', 'r002-allow', '{R-002}');

-- cleanup
DELETE FROM agingos.events WHERE home_id IN ('r002', 'r002-dst', 'r002-allow');
DELETE FROM agingos.homes WHERE home_id IN ('r002', 'r002-dst', 'r002-allow');
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
