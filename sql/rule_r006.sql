-- rule_r006: R-006 no living-room activity in daytime (rules.md 3.6, 2.4, D20, D23, D26).
SET search_path = agingos, public;
-- helpers z(), ev(), run(): schema regress_helpers, made once by setup.sql

-- config: defaults (Europe/Oslo, day 8-20, stue, inngang, grace 120) without the liveness gate
SELECT agingos_load_config($$
rules:
  R-006:
    params:
      liveness_gate: false
$$) IS NOT NULL AS loaded;

-- case: no rows at all: LOW over the full day window W = [08:00, 20:00) local = [07:00Z, 19:00Z)
SELECT * FROM regress_helpers.run('2026-03-10T09:59:00Z', '2026-03-10T10:00:00Z', '2026-03-10T10:00:00Z', 'r006-a', '{R-006}');
SELECT title, explanation
  FROM agingos_evaluate('2026-03-10T09:59:00Z', '2026-03-10T10:00:00Z', '2026-03-10T10:00:00Z', 'r006-a', '{R-006}');

-- case: judged only when now is in W and at least grace_minutes past its start (D23)
SELECT w.label, d.severity, d.since, d.until
  FROM (VALUES (1, '07:59:59 local (before W)', '2026-03-10T06:59:59Z'::timestamptz),
			   (2, '09:59:59 local (in grace)', '2026-03-10T08:59:59Z'),
			   (3, '10:00:00 local (grace over)', '2026-03-10T09:00:00Z'),
			   (4, '19:59:59 local', '2026-03-10T18:59:59Z'),
			   (5, '20:00:00 local (after W)', '2026-03-10T19:00:00Z')) w(n, label, u)
  LEFT JOIN LATERAL regress_helpers.run(w.u - interval '1 hour', w.u, w.u, 'r006-a', '{R-006}') d ON true
 ORDER BY w.n;
-- until decides the day, now must lie in it: until in the window, now the next morning
SELECT count(*) AS deviations
  FROM regress_helpers.run('2026-03-10T09:00:00Z', '2026-03-10T10:00:00Z', '2026-03-11T09:30:00Z', 'r006-a', '{R-006}');

-- case: what keeps it quiet: living-room presence (not motion), or door + presence elsewhere;
-- one home per row, evaluated at now = until = 2026-03-10T10:00Z (11:00 local)
SELECT sum(regress_helpers.ev(h, id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('r006-b', 'b1', '2026-03-10T09:30:00Z', 'presence', '{"state": "on", "room": "stue"}'),
			   ('r006-c', 'c1', '2026-03-10T09:30:00Z', 'motion', '{"state": "on", "room": "stue"}'),
			   ('r006-d', 'd1', '2026-03-10T09:00:00Z', 'door', '{"state": "closed", "room": "inngang"}'),
			   ('r006-d', 'd2', '2026-03-10T09:10:00Z', 'presence', '{"state": "on", "room": "soverom"}'),
			   ('r006-e', 'e1', '2026-03-10T09:00:00Z', 'door', '{"state": "open", "room": "inngang"}'),
			   ('r006-f', 'f1', '2026-03-10T09:10:00Z', 'presence', '{"room": "soverom"}'),
			   ('r006-g', 'g1', '2026-03-10T09:00:00Z', 'door', '{"room": "inngang"}'),
			   ('r006-g', 'g2', '2026-03-10T09:10:00Z', 'presence', '{"state": "on", "room": ""}'),
			   ('r006-g', 'g3', '2026-03-10T09:20:00Z', 'presence', '{"state": "off", "room": "stue"}'),
			   ('r006-g', 'g4', '2026-03-10T09:30:00Z', 'presence', '{"state": "off", "room": "soverom"}'),
			   ('r006-h', 'h1', '2026-03-10T09:00:00Z', 'door', '{"state": "open", "room": "bod"}'),
			   ('r006-h', 'h2', '2026-03-10T09:10:00Z', 'presence', '{"state": "on", "room": "soverom"}'),
			   ('r006-i', 'i1', '2026-03-10T06:59:59Z', 'presence', '{"state": "on", "room": "stue"}'),
			   ('r006-i', 'i2', '2026-03-10T07:00:00Z', 'heartbeat', '{"room": "stue"}'),
			   ('r006-i', 'i3', '2026-03-10T10:00:00Z', 'presence', '{"state": "on", "room": "stue"}'),
			   ('r006-j', 'j1', '2026-03-10T07:00:00Z', 'presence', '{"state": "on", "room": "stue"}'),
			   ('r006-k', 'k1', '2026-03-10T09:00:00Z', 'presence', '{"state": {"on": true}, "room": "stue"}'),
			   ('r006-k', 'k2', '2026-03-10T09:01:00Z', 'presence', '[{"state": "on"}]'),
			   ('r006-k', 'k3', '2026-03-10T09:02:00Z', 'presence', '{"state": "on", "room": 7}'),
			   ('r006-k', 'k4', '2026-03-10T09:03:00Z', 'presence', '{"state": "on ", "room": "stue"}')) v(h, id, ts, c, p);
SELECT h.home, d.severity, d.evidence->'door_seen' AS door_seen, d.evidence->'other_presence' AS other_presence,
	   d.evidence->'event_ids' AS event_ids
  FROM (VALUES ('r006-b'), ('r006-c'), ('r006-d'), ('r006-e'), ('r006-f'), ('r006-g'), ('r006-h'), ('r006-i'), ('r006-j'), ('r006-k')) h(home)
  LEFT JOIN LATERAL regress_helpers.run('2026-03-10T09:00:00Z', '2026-03-10T10:00:00Z', '2026-03-10T10:00:00Z', h.home, '{R-006}') d ON true
 ORDER BY h.home;

-- case: event_ids are the first 50 rows in EVENT ORDER
SELECT sum(regress_helpers.ev('r006-many', 'm' || lpad(n::text, 2, '0'), '2026-03-10T07:00:00Z'::timestamptz + n * interval '1 minute', 'motion', '{"state": "on", "room": "kjokken"}')) AS stored
  FROM generate_series(0, 54) n;
SELECT jsonb_array_length(evidence->'event_ids') AS n_ids, evidence->'event_ids'->0 AS first_id, evidence->'event_ids'->49 AS last_id
  FROM regress_helpers.run('2026-03-10T09:00:00Z', '2026-03-10T10:00:00Z', '2026-03-10T10:00:00Z', 'r006-many', '{R-006}');

-- case: DST days: W follows the local clock; 2026-03-29 (CEST) [06:00Z, 18:00Z), 2026-10-25 (CET) [07:00Z, 19:00Z)
SELECT w.label, d.severity, d.since, d.until
  FROM (VALUES (1, '2026-03-29 09:59:59 CEST', '2026-03-29T07:59:59Z'::timestamptz),
			   (2, '2026-03-29 10:00:00 CEST', '2026-03-29T08:00:00Z'),
			   (3, '2026-03-29 19:59:59 CEST', '2026-03-29T17:59:59Z'),
			   (4, '2026-03-29 20:00:00 CEST', '2026-03-29T18:00:00Z'),
			   (5, '2026-10-24 10:00:00 CEST', '2026-10-24T08:00:00Z'),
			   (6, '2026-10-25 09:59:59 CET', '2026-10-25T08:59:59Z'),
			   (7, '2026-10-25 10:00:00 CET', '2026-10-25T09:00:00Z'),
			   (8, '2026-10-25 19:59:59 CET', '2026-10-25T18:59:59Z')) w(n, label, u)
  LEFT JOIN LATERAL regress_helpers.run(w.u - interval '1 hour', w.u, w.u, 'r006-dst', '{R-006}') d ON true
 ORDER BY w.n;

-- case: the liveness gate (default true, R-009 defaults): silenced while R-009 would fire
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
SELECT rule_id, severity FROM regress_helpers.run('2026-03-10T09:00:00Z', '2026-03-10T10:00:00Z', '2026-03-10T10:00:00Z', 'r006-a', '{R-006,R-009}');
SELECT regress_helpers.ev('r006-a', 'a-hb', '2026-03-10T09:55:00Z', 'heartbeat') AS stored;
SELECT rule_id, severity, evidence ? 'liveness_gated_by' AS has_gated_by
  FROM regress_helpers.run('2026-03-10T09:00:00Z', '2026-03-10T10:00:00Z', '2026-03-10T10:00:00Z', 'r006-a', '{R-006,R-009}');

-- case: own params (zone, hours, rooms, grace 0), en locale
SELECT agingos_load_config($$
locale: en
rules:
  R-006:
    params:
      liveness_gate: false
      tz: UTC
      day_start_hour: 6
      day_end_hour: 9
      living_room_id: lounge
      front_door_room_id: hall
      grace_minutes: 0
$$) IS NOT NULL AS loaded;
SELECT * FROM regress_helpers.run('2026-03-12T05:00:00Z', '2026-03-12T06:00:00Z', '2026-03-12T06:00:00Z', 'r006-cfg', '{R-006}');
SELECT title, explanation
  FROM agingos_evaluate('2026-03-12T05:00:00Z', '2026-03-12T06:00:00Z', '2026-03-12T06:00:00Z', 'r006-cfg', '{R-006}');
SELECT regress_helpers.ev('r006-cfg', 'x1', '2026-03-12T06:10:00Z', 'door', '{"room": "hall"}')
	   + regress_helpers.ev('r006-cfg', 'x2', '2026-03-12T06:20:00Z', 'presence', '{"state": "on", "room": "stue"}') AS stored;
SELECT count(*) AS deviations
  FROM regress_helpers.run('2026-03-12T06:00:00Z', '2026-03-12T06:30:00Z', '2026-03-12T06:30:00Z', 'r006-cfg', '{R-006}');

-- cleanup
DELETE FROM agingos.events WHERE home_id LIKE 'r006-%';
DELETE FROM agingos.homes WHERE home_id LIKE 'r006-%';
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
