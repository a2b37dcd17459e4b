-- rule_r008: R-008 door burst at the entrance (rules.md 3.8, D13, D16).
SET search_path = agingos, public;
-- helpers z(), ev(), run(): schema regress_helpers, made once by setup.sql

-- config: defaults (inngang, burst window 30 minutes, threshold 6, Europe/Oslo,
-- night 22-7, quiet_after_minutes 0, quiet [presence, motion]); CET = UTC+1
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;

-- case: six entrance door events of any state in 30 minutes by day: MEDIUM
SELECT sum(regress_helpers.ev('r008-a', 'a' || n, '2026-03-16T10:00:00Z'::timestamptz + n * interval '2 minutes', 'door', p::jsonb)) AS stored
  FROM (VALUES (0, '{"state": "open", "room": "inngang"}'), (1, '{"state": "closed", "room": "inngang"}'),
			   (2, '{"room": "inngang"}'), (3, '{"state": 1, "room": "inngang"}'),
			   (4, '{"state": {"x": [1]}, "room": "inngang"}'), (5, '{"state": null, "room_id": "inngang"}')) v(n, p);
SELECT * FROM regress_helpers.run('2026-03-16T10:29:00Z', '2026-03-16T10:30:00Z', '2026-03-16T10:30:00Z', 'r008-a', '{R-008}');
SELECT title, explanation
  FROM agingos_evaluate('2026-03-16T10:29:00Z', '2026-03-16T10:30:00Z', '2026-03-16T10:30:00Z', 'r008-a', '{R-008}');
-- W edges: the first door at W's start counts, the last one at until does not
SELECT w.label, d.severity, d.since, d.until, d.evidence->'door_event_count' AS n
  FROM (VALUES (1, 'W starts 1us after the first door', '2026-03-16T10:30:00.000001Z'::timestamptz),
			   (2, 'last door at until', '2026-03-16T10:10:00Z'),
			   (3, 'last door 1us before until', '2026-03-16T10:10:00.000001Z')) w(n, label, u)
  LEFT JOIN LATERAL regress_helpers.run(w.u - interval '1 minute', w.u, '2026-03-16T11:00:00Z', 'r008-a', '{R-008}') d ON true
 ORDER BY w.n;

-- case: only category door with ROOM = inngang counts
SELECT sum(regress_helpers.ev('r008-b', 'b' || n, '2026-03-16T10:00:00Z'::timestamptz + n * interval '1 minute', c, p::jsonb)) AS stored
  FROM (VALUES (0, 'door', '{"room": "inngang"}'), (1, 'door', '{"room": "inngang"}'), (2, 'door', '{"room": "inngang"}'),
			   (3, 'door', '{"room": "inngang"}'), (4, 'door', '{"room": "inngang"}'), (5, 'door', '{"room": "bod"}'),
			   (6, 'door', '{"room": "Inngang"}'), (7, 'door', '{}'), (8, 'motion', '{"room": "inngang"}'),
			   (9, 'door', '"inngang"')) v(n, c, p);
SELECT count(*) AS deviations
  FROM regress_helpers.run('2026-03-16T10:29:00Z', '2026-03-16T10:30:00Z', '2026-03-16T10:30:00Z', 'r008-b', '{R-008}');

-- case: night is decided by the local time of until, with DST (bump to HIGH)
SELECT sum(regress_helpers.ev('r008-n', k || '-' || n, ts + n * interval '1 minute', 'door', '{"state": "open", "room": "inngang"}')) AS stored
  FROM generate_series(0, 5) n,
	   (VALUES ('a', '2026-03-16T21:00:00Z'::timestamptz), ('b', '2026-03-29T04:40:00Z'), ('c', '2026-10-25T05:40:00Z')) v(k, ts);
SELECT w.label, d.severity, d.evidence->'night' AS night, d.evidence->'door_event_count' AS n
  FROM (VALUES (1, '2026-03-16 22:30 CET', '2026-03-16T21:30:00Z'::timestamptz),
			   (3, '2026-03-29 06:59:59 CEST', '2026-03-29T04:59:59Z'),
			   (4, '2026-03-29 07:00:00 CEST', '2026-03-29T05:00:00Z'),
			   (5, '2026-10-25 06:59:59 CET', '2026-10-25T05:59:59Z'),
			   (6, '2026-10-25 07:00:00 CET', '2026-10-25T06:00:00Z')) w(n, label, u)
  LEFT JOIN LATERAL regress_helpers.run(w.u - interval '1 minute', w.u, w.u, 'r008-n', '{R-008}') d ON true
 ORDER BY w.n;

-- case: door_event_ids and event_ids are the first 200 door ids
SELECT sum(regress_helpers.ev('r008-many', 'm' || lpad(n::text, 3, '0'), '2026-03-16T10:00:00Z'::timestamptz + n * interval '5 seconds', 'door', '{"room": "inngang"}')) AS stored
  FROM generate_series(0, 204) n;
SELECT evidence->'door_event_count' AS n, jsonb_array_length(evidence->'door_event_ids') AS n_door_ids,
	   evidence->'door_event_ids'->199 AS last_door_id, evidence->'event_ids' = evidence->'door_event_ids' AS same_lists,
	   evidence->>'last_door_ts' AS last_door_ts
  FROM regress_helpers.run('2026-03-16T10:29:00Z', '2026-03-16T10:30:00Z', '2026-03-16T10:30:00Z', 'r008-many', '{R-008}');

-- case: quiet after the burst (quiet_after_minutes 10, D13): pending, judged, broken;
-- one home per row: the six doors of 10:00-10:10 plus at most one other event
SELECT agingos_load_config($$
locale: en
rules:
  R-008:
    params:
      quiet_after_minutes: 10
$$) IS NOT NULL AS loaded;
SELECT sum(regress_helpers.ev(h, h || '-d' || n, '2026-03-16T10:00:00Z'::timestamptz + n * interval '2 minutes', 'door', '{"state": "open", "room": "inngang"}')) AS stored
  FROM generate_series(0, 5) n,
	   (VALUES ('r008-q1'), ('r008-q2'), ('r008-q3'), ('r008-q4'), ('r008-q5'), ('r008-q6'), ('r008-q7'), ('r008-q8'), ('r008-q9'), ('r008-q10')) v(h);
SELECT sum(regress_helpers.ev(h, h || '-x', ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('r008-q2', '2026-03-16T10:15:00Z', 'motion', '{"state": "on", "room": "stue"}'),
			   ('r008-q3', '2026-03-16T10:15:00Z', 'motion', '{"state": "off", "room": "stue"}'),
			   ('r008-q4', '2026-03-16T10:15:00Z', 'motion', '{"state": "TRUE"}'),
			   ('r008-q5', '2026-03-16T10:15:00Z', 'presence', '{"value": "Open"}'),
			   ('r008-q6', '2026-03-16T10:15:00Z', 'presence', '{"room": "stue"}'),
			   ('r008-q7', '2026-03-16T10:15:00Z', 'heartbeat', '{"state": "on"}'),
			   ('r008-q8', '2026-03-16T10:20:00Z', 'motion', '{"state": "on"}'),
			   ('r008-q9', '2026-03-16T10:15:00Z', 'motion', '{"state": 1}'),
			   ('r008-q10', '2026-03-16T10:10:00Z', 'motion', '{"state": "on"}')) v(h, ts, c, p);
SELECT w.home, regress_helpers.z(w.now) AS now, d.severity, d.evidence->'quiet_after' AS quiet_after, d.evidence->'quiet_after_pending' AS pending
  FROM (VALUES (1, 'r008-q1', '2026-03-16T10:19:59Z'::timestamptz), (2, 'r008-q1', '2026-03-16T10:20:00Z'),
			   (3, 'r008-q2', '2026-03-16T10:30:00Z'), (4, 'r008-q3', '2026-03-16T10:30:00Z'),
			   (5, 'r008-q4', '2026-03-16T10:30:00Z'), (6, 'r008-q5', '2026-03-16T10:30:00Z'),
			   (7, 'r008-q6', '2026-03-16T10:30:00Z'), (8, 'r008-q7', '2026-03-16T10:30:00Z'),
			   (9, 'r008-q8', '2026-03-16T10:30:00Z'), (10, 'r008-q9', '2026-03-16T10:30:00Z'),
			   (11, 'r008-q10', '2026-03-16T10:30:00Z')) w(n, home, now)
  LEFT JOIN LATERAL regress_helpers.run('2026-03-16T10:14:00Z', '2026-03-16T10:15:00Z', w.now, w.home, '{R-008}') d ON true
 ORDER BY w.n;
SELECT * FROM regress_helpers.run('2026-03-16T10:14:00Z', '2026-03-16T10:15:00Z', '2026-03-16T10:20:00Z', 'r008-q1', '{R-008}');
SELECT title, explanation
  FROM agingos_evaluate('2026-03-16T10:14:00Z', '2026-03-16T10:15:00Z', '2026-03-16T10:20:00Z', 'r008-q1', '{R-008}');
-- night and quiet: two bumps stop at HIGH
SELECT rule_id, severity, evidence->'night' AS night, evidence->'quiet_after' AS quiet_after
  FROM regress_helpers.run('2026-03-16T21:20:00Z', '2026-03-16T21:30:00Z', '2026-03-16T21:30:00Z', 'r008-n', '{R-008}');

-- cleanup
DELETE FROM agingos.events WHERE home_id LIKE 'r008-%';
DELETE FROM agingos.homes WHERE home_id LIKE 'r008-%';
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
