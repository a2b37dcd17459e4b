-- rule_r003: R-003 door opened, then no motion (rules.md 3.3, D11, D12, D21).
SET search_path = agingos, public;
-- helpers z(), ev(), run(): schema regress_helpers, made once by setup.sql

-- config: defaults (door, [motion], [state, value], door names [door, name] = front,
-- openings [open, on], motion on, follow-up 10 minutes)
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;

-- case: a front-door opening with no motion after it; pending until the follow-up has elapsed (D11)
SELECT regress_helpers.ev('r003', 'A1', '2026-01-20T10:00:00Z', 'door', '{"state": "open", "door": "front"}') AS stored;
SELECT count(*) AS deviations
  FROM regress_helpers.run('2026-01-20T09:00:00Z', '2026-01-20T10:05:00Z', '2026-01-20T10:09:59.999999Z', 'r003', '{R-003}');
SELECT * FROM regress_helpers.run('2026-01-20T09:00:00Z', '2026-01-20T10:05:00Z', '2026-01-20T10:10:00Z', 'r003', '{R-003}');
SELECT rule_id, title, explanation
  FROM agingos_evaluate('2026-01-20T09:00:00Z', '2026-01-20T10:05:00Z', '2026-01-20T10:10:00Z', 'r003', '{R-003}');

-- case: what answers a door: ACTIVE motion in [d.ts, d.ts + 10 min), even after until;
-- each door is evaluated alone over [d.ts, d.ts + 1 min) at now = d.ts + 30 min
SELECT sum(regress_helpers.ev('r003', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('B1', '2026-01-20T11:00:00Z', 'door', '{"state": "open", "door": "front"}'),
			   ('B1m', '2026-01-20T11:00:00Z', 'motion', '{"state": "on"}'),	-- same instant: answers
			   ('B2', '2026-01-20T12:00:00Z', 'door', '{"state": "open", "door": "front"}'),
			   ('B2m', '2026-01-20T12:10:00Z', 'motion', '{"state": "on"}'),	-- at d.ts + 10 min: too late
			   ('B3', '2026-01-20T13:00:00Z', 'door', '{"state": "open", "door": "front"}'),
			   ('B3m', '2026-01-20T13:09:59.999999Z', 'motion', '{"state": "on"}'),	-- answers
			   ('B4', '2026-01-20T14:00:00Z', 'door', '{"state": "open", "door": "front"}'),
			   ('B4m', '2026-01-20T14:05:00Z', 'motion', '{"state": "off"}'),	-- not active
			   ('B5', '2026-01-20T15:00:00Z', 'door', '{"state": "open", "door": "front"}'),
			   ('B5m', '2026-01-20T15:05:00Z', 'motion', '{"room": "stue"}'),	-- no state: active (D4)
			   ('B6', '2026-01-20T16:00:00Z', 'door', '{"state": "open", "door": "front"}'),
			   ('B6m', '2026-01-20T16:05:00Z', 'presence', '{"state": "on"}'),	-- not a motion category
			   ('B7', '2026-01-20T17:00:00Z', 'door', '{"state": "open", "door": "front"}'),
			   ('B7m', '2026-01-20T16:59:59Z', 'motion', '{"state": "on"}'),	-- before the door
			   ('B8', '2026-01-20T18:00:00Z', 'door', '{"state": "open", "door": "front"}'),
			   ('B8m', '2026-01-20T18:01:00Z', 'motion', '{"state": 1}')) v(id, ts, c, p);	-- "1": not active
SELECT e.event_id, d.severity, d.evidence
  FROM agingos.events e
  LEFT JOIN LATERAL regress_helpers.run(e."timestamp", e."timestamp" + interval '1 min', e."timestamp" + interval '30 min', 'r003', '{R-003}') d ON true
 WHERE e.home_id = 'r003' AND e.category = 'door' AND e.event_id LIKE 'B%'
 ORDER BY e."timestamp";

-- case: what makes a candidate: door category, opening state, door name (exact);
-- payload values of other JSON types never match and never fail
SELECT sum(regress_helpers.ev('r003', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('C1', '2026-01-21T10:00:00Z', 'door', '{"state": "open", "door": "back"}'),
			   ('C2', '2026-01-21T11:00:00Z', 'door', '{"state": "on", "name": "front"}'),
			   ('C3', '2026-01-21T12:00:00Z', 'door', '{"state": "open", "door": "Front"}'),
			   ('C4', '2026-01-21T13:00:00Z', 'door', '{"state": "OPEN", "door": null, "name": "front"}'),
			   ('C5', '2026-01-21T14:00:00Z', 'door', '{"state": "closed", "door": "front"}'),
			   ('C6', '2026-01-21T15:00:00Z', 'door', '{"state": "open", "door": 5}'),
			   ('C7', '2026-01-21T16:00:00Z', 'door', '{"state": "open"}'),
			   ('C8', '2026-01-21T17:00:00Z', 'door', '[1]'),
			   ('C9', '2026-01-21T18:00:00Z', 'door', '{"state": {"x": 1}, "door": "front"}'),
			   ('C10', '2026-01-21T19:00:00Z', 'Door', '{"state": "open", "door": "front"}'),
			   ('C11', '2026-01-21T20:00:00Z', 'door', '{"state": "open", "door": ["front"]}'),
			   ('C12', '2026-01-22T02:00:00Z', 'door', '{"state": "open", "door": "front"}')) v(id, ts, c, p);	-- 03:00 local: still MEDIUM (D12)
SELECT e.event_id, e.category, e.payload, d.severity
  FROM agingos.events e
  LEFT JOIN LATERAL regress_helpers.run(e."timestamp", e."timestamp" + interval '1 min', e."timestamp" + interval '30 min', 'r003', '{R-003}') d ON true
 WHERE e.home_id = 'r003' AND e.event_id LIKE 'C%'
 ORDER BY e."timestamp";

-- case: only the first triggering door is reported; answered and pending doors are skipped
SELECT sum(regress_helpers.ev('r003-first', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('D1', '2026-01-22T10:00:00Z', 'door', '{"state": "open", "door": "front"}'),
			   ('D1m', '2026-01-22T10:03:00Z', 'motion', '{"state": "on"}'),
			   ('D2', '2026-01-22T10:20:00Z', 'door', '{"state": "open", "door": "front"}'),
			   ('D3', '2026-01-22T10:40:00Z', 'door', '{"state": "open", "door": "front"}')) v(id, ts, c, p);
SELECT rule_id, severity, evidence->'event_ids' AS event_ids
  FROM regress_helpers.run('2026-01-22T10:00:00Z', '2026-01-22T11:00:00Z', '2026-01-22T11:00:00Z', 'r003-first', '{R-003}');
-- D2 still pending at 10:29:59: nothing
SELECT count(*) AS deviations
  FROM regress_helpers.run('2026-01-22T10:00:00Z', '2026-01-22T10:25:00Z', '2026-01-22T10:29:59Z', 'r003-first', '{R-003}');
-- D2 exactly at until is outside; D1 is answered: nothing
SELECT count(*) AS deviations
  FROM regress_helpers.run('2026-01-22T09:00:00Z', '2026-01-22T10:20:00Z', '2026-01-22T11:00:00Z', 'r003-first', '{R-003}');
-- D3's follow-up ends exactly at now: judged
SELECT rule_id, severity, evidence->'event_ids' AS event_ids
  FROM regress_helpers.run('2026-01-22T10:30:00Z', '2026-01-22T10:45:00Z', '2026-01-22T10:50:00Z', 'r003-first', '{R-003}');

-- case: own params (motion_category alias, string door_open_value, door_name_keys,
-- follow-up 15 substituted into the explanation), en locale
SELECT agingos_load_config($$
locale: en
rules:
  R-003:
    params:
      motion_category: presence
      door_open_value: opened
      door_name_keys: [entity]
      required_door_name: binary_sensor.front
      followup_minutes: 15
$$) IS NOT NULL AS loaded;
SELECT sum(regress_helpers.ev('r003-cfg', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('E1', '2026-01-24T10:00:00Z', 'door', '{"state": "Opened", "entity": "binary_sensor.front"}'),
			   ('E1m', '2026-01-24T10:14:59Z', 'presence', '{"state": "on"}'),
			   ('E2', '2026-01-24T11:00:00Z', 'door', '{"state": "opened", "entity": "binary_sensor.front"}'),
			   ('E2m', '2026-01-24T11:15:00Z', 'presence', '{"state": "on"}'),
			   ('E3', '2026-01-24T11:30:00Z', 'door', '{"state": "open", "entity": "binary_sensor.front"}')) v(id, ts, c, p);
SELECT * FROM regress_helpers.run('2026-01-24T10:00:00Z', '2026-01-24T12:00:00Z', '2026-01-24T12:00:00Z', 'r003-cfg', '{R-003}');
SELECT title, explanation
  FROM agingos_evaluate('2026-01-24T10:00:00Z', '2026-01-24T12:00:00Z', '2026-01-24T12:00:00Z', 'r003-cfg', '{R-003}');

-- cleanup
DELETE FROM agingos.events WHERE home_id IN ('r003', 'r003-first', 'r003-cfg');
DELETE FROM agingos.homes WHERE home_id IN ('r003', 'r003-first', 'r003-cfg');
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
