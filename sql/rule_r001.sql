-- rule_r001: R-001 no motion in window (rules.md 3.1, D4, D20, D22, D26, D27).
SET search_path = agingos, public;
-- helpers z(), ev(), run(): schema regress_helpers, made once by setup.sql

-- config: defaults, but no liveness gate for R-001 (the scenario setting, D20)
SELECT agingos_load_config($$
rules:
  R-001:
    params:
      liveness_gate: false
$$) IS NOT NULL AS loaded;

-- case: empty window ending 22:59:59 local (D22 example): MEDIUM, event_ids [], no liveness_gated_by
SELECT * FROM regress_helpers.run('2025-12-23T19:00:00Z', '2025-12-23T21:59:59Z', '2025-12-23T22:00:00Z', 'r001', '{R-001}');
-- title, explanation (nb), timestamp = now (D7)
SELECT rule_id, title, explanation, regress_helpers.z("timestamp") AS ts
  FROM agingos_evaluate('2025-12-23T19:00:00Z', '2025-12-23T21:59:59Z', '2025-12-23T22:00:00Z', 'r001', '{R-001}');

-- case: awake gate on the time of LOCAL(until), until exclusive (D22)
SELECT w.label, d.severity, d.since, d.until
  FROM (VALUES (1, '23:00:00 local', '2025-12-23T19:00:00Z'::timestamptz, '2025-12-23T22:00:00Z'::timestamptz),
			   (2, '06:59:59 local', '2025-12-24T03:00:00Z', '2025-12-24T05:59:59Z'),
			   (3, '07:00:00 local', '2025-12-24T03:00:00Z', '2025-12-24T06:00:00Z')) w(n, label, s, u)
  LEFT JOIN LATERAL regress_helpers.run(w.s, w.u, w.u, 'r001', '{R-001}') d ON true
 ORDER BY w.n;

-- case: window edges: an event at since is inside, one at until is outside
SELECT regress_helpers.ev('r001', 'edge-1', '2026-01-05T10:00:00Z', 'motion', '{"state": "on"}') AS stored;
SELECT w.label, d.severity, d.since, d.until
  FROM (VALUES (1, 'event inside', '2026-01-05T09:00:00Z'::timestamptz, '2026-01-05T11:00:00Z'::timestamptz),
			   (2, 'event at since', '2026-01-05T10:00:00Z', '2026-01-05T11:00:00Z'),
			   (3, 'event at until', '2026-01-05T09:00:00Z', '2026-01-05T10:00:00Z'),
			   (4, 'event 1us before since', '2026-01-05T10:00:00.000001Z', '2026-01-05T11:00:00Z')) w(n, label, s, u)
  LEFT JOIN LATERAL regress_helpers.run(w.s, w.u, w.u, 'r001', '{R-001}') d ON true
 ORDER BY w.n;

-- case: ACTIVE (rules.md 1.4, D4, D5) and payload values of every JSON type;
-- each event sits alone in its own 30-minute window (null severity = no deviation)
SELECT sum(regress_helpers.ev('r001', 'st-' || n, '2026-01-05T22:00:00Z'::timestamptz + n * interval '1 hour', c, p::jsonb)) AS stored
  FROM (VALUES (8, 'motion', '{"state": "off"}'), (9, 'motion', '{"state": "ON"}'), (10, 'motion', '{"state": "on "}'),
			   (11, 'motion', '{"room": "stue"}'), (12, 'motion', '{"state": null, "value": "off"}'),
			   (13, 'motion', '{"state": "", "value": "on"}'), (14, 'motion', '{"state": 1}'),
			   (15, 'motion', '{"state": {"on": true}}'), (16, 'motion', '{"state": ["on"]}'),
			   (17, 'motion', '"on"'), (18, 'motion', '[1, 2]'), (19, 'motion', '42'), (20, 'motion', 'null'),
			   (21, 'presence', '{"state": "on"}'), (22, 'motion', '{"state": true}'),
			   (23, 'motion', '{"State": "off", "value": "on"}')) v(n, c, p);
SELECT e.event_id, e.category, e.payload, d.severity
  FROM agingos.events e
  LEFT JOIN LATERAL regress_helpers.run(e."timestamp", e."timestamp" + interval '30 min', e."timestamp" + interval '30 min', 'r001', '{R-001}') d ON true
 WHERE e.home_id = 'r001' AND e.event_id LIKE 'st-%'
 ORDER BY e."timestamp";

-- case: DST days in Europe/Oslo: the awake gate follows the local clock (D6)
SELECT w.label, d.severity
  FROM (VALUES (1, '2026-03-29 06:59:59 CEST', '2026-03-29T04:59:59Z'::timestamptz),
			   (2, '2026-03-29 07:00:00 CEST', '2026-03-29T05:00:00Z'),
			   (3, '2026-10-25 06:59:59 CET', '2026-10-25T05:59:59Z'),
			   (4, '2026-10-25 07:00:00 CET', '2026-10-25T06:00:00Z'),
			   (5, '2026-10-25 22:59:59 CET', '2026-10-25T21:59:59Z'),
			   (6, '2026-10-25 23:00:00 CET', '2026-10-25T22:00:00Z')) w(n, label, u)
  LEFT JOIN LATERAL regress_helpers.run(w.u - interval '1 hour', w.u, w.u, 'r001', '{R-001}') d ON true
 ORDER BY w.n;

-- case: own timezone, own awake window crossing midnight, own state keys and categories
SELECT agingos_load_config($$
rules:
  R-001:
    params:
      liveness_gate: false
      timezone: America/New_York
      awake_window: {start_local_time: "22:00", end_local_time: "02:00"}
      motion_categories: [motion, presence]
      payload_state_keys: [status]
      motion_on_value: Detected
$$) IS NOT NULL AS loaded;
SELECT w.label, d.severity
  FROM (VALUES (1, '21:59:59 New York', '2026-01-08T02:59:59Z'::timestamptz),
			   (2, '22:00:00 New York', '2026-01-08T03:00:00Z'),
			   (3, '01:59:59 New York', '2026-01-08T06:59:59Z'),
			   (4, '02:00:00 New York', '2026-01-08T07:00:00Z')) w(n, label, u)
  LEFT JOIN LATERAL regress_helpers.run(w.u - interval '1 hour', w.u, w.u, 'r001', '{R-001}') d ON true
 ORDER BY w.n;
SELECT regress_helpers.ev('r001', 'keys-1', '2026-01-09T04:00:00Z', 'presence', '{"status": "DETECTED", "state": "off"}')
	   + regress_helpers.ev('r001', 'keys-2', '2026-01-09T05:00:00Z', 'motion', '{"status": "clear", "state": "on"}')
	   + regress_helpers.ev('r001', 'keys-3', '2026-01-09T06:00:00Z', 'motion', '{"state": "off"}') AS stored;
SELECT e.event_id, d.severity
  FROM agingos.events e
  LEFT JOIN LATERAL regress_helpers.run(e."timestamp", e."timestamp" + interval '30 min', e."timestamp" + interval '30 min', 'r001', '{R-001}') d ON true
 WHERE e.home_id = 'r001' AND e.event_id LIKE 'keys-%'
 ORDER BY e."timestamp";

-- case: awake_gate false judges every window (D27); en locale
SELECT agingos_load_config($$
locale: en
rules:
  R-001:
    params:
      liveness_gate: false
      awake_gate: false
$$) IS NOT NULL AS loaded;
SELECT rule_id, severity, title, explanation
  FROM agingos_evaluate('2025-12-23T19:00:00Z', '2025-12-23T22:00:00Z', '2025-12-23T22:00:00Z', 'r001', '{R-001}');

-- case: the liveness gate (rules.md 2.4, D20) with R-009's defaults (15 minutes;
-- presence, motion, door, heartbeat; any stream): silenced while R-009 would fire
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
SELECT rule_id, severity FROM regress_helpers.run('2026-01-10T10:00:00Z', '2026-01-10T11:00:00Z', '2026-01-10T11:00:00Z', 'r001-live', '{R-001,R-009}');
SELECT regress_helpers.ev('r001-live', 'hb-1', '2026-01-10T10:50:00Z', 'heartbeat') AS stored;
SELECT rule_id, severity, evidence FROM regress_helpers.run('2026-01-10T10:00:00Z', '2026-01-10T11:00:00Z', '2026-01-10T11:00:00Z', 'r001-live', '{R-001,R-009}');
-- 16 minutes after the heartbeat R-009 fires and R-001 is silent again
SELECT rule_id, severity FROM regress_helpers.run('2026-01-10T10:00:00Z', '2026-01-10T11:00:00Z', '2026-01-10T11:06:00Z', 'r001-live', '{R-001,R-009}');

-- cleanup
DELETE FROM agingos.events WHERE home_id IN ('r001', 'r001-live');
DELETE FROM agingos.homes WHERE home_id IN ('r001', 'r001-live');
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
