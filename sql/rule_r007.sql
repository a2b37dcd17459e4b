-- rule_r007: R-007 night wandering (rules.md 3.7, D15).
SET search_path = agingos, public;
-- helpers z(), ev(), run(): schema regress_helpers, made once by setup.sql

-- config: defaults (Europe/Oslo, night 22-7, gap 10, threshold 6, inngang, [presence, motion]); CET = UTC+1
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;

-- case: 7 active entries one minute apart in alternating rooms: 6 switches, MEDIUM;
-- the same with an entrance door event in the night: HIGH; a door elsewhere: MEDIUM
SELECT sum(regress_helpers.ev(h, h || '-' || n, '2026-03-03T22:00:00Z'::timestamptz + n * interval '1 minute', 'presence',
					  jsonb_build_object('state', 'on', 'room', CASE WHEN n % 2 = 0 THEN 'soverom' ELSE 'kjokken' END))) AS stored
  FROM generate_series(0, 6) n, (VALUES ('r007-a'), ('r007-b'), ('r007-c')) v(h);
SELECT regress_helpers.ev('r007-b', 'r007-b-door', '2026-03-03T22:30:00Z', 'door', '{"state": "closed", "room": "inngang"}')
	   + regress_helpers.ev('r007-c', 'r007-c-door', '2026-03-03T22:30:00Z', 'door', '{"state": "open", "room": "bod"}') AS stored;
SELECT * FROM regress_helpers.run('2026-03-03T22:00:00Z', '2026-03-03T23:00:00Z', '2026-03-03T23:00:00Z', 'r007-a', '{R-007}');
SELECT h.home, d.severity, d.evidence->'door_involved' AS door_involved, d.evidence->'room_switches' AS switches
  FROM (VALUES ('r007-a'), ('r007-b'), ('r007-c')) h(home)
  LEFT JOIN LATERAL regress_helpers.run('2026-03-03T22:00:00Z', '2026-03-03T23:00:00Z', '2026-03-03T23:00:00Z', h.home, '{R-007}') d ON true
 ORDER BY h.home;
SELECT title, explanation
  FROM agingos_evaluate('2026-03-03T22:00:00Z', '2026-03-03T23:00:00Z', '2026-03-03T23:00:00Z', 'r007-a', '{R-007}');

-- case: the night window containing until (D15); until exclusive, rows visible before now
SELECT w.label, d.severity, d.since, d.until
  FROM (VALUES (1, 'until 07:00:00 local: daytime', '2026-03-04T06:00:00Z'::timestamptz, '2026-03-04T06:00:00Z'::timestamptz),
			   (2, 'until 06:59:59 local', '2026-03-04T05:59:59Z', '2026-03-04T05:59:59Z'),
			   (3, 'until 22:30 local, now 23:30 local', '2026-03-03T21:30:00Z', '2026-03-03T22:30:00Z'),
			   (4, 'until 22:30 local, now before the rows', '2026-03-03T21:30:00Z', '2026-03-03T21:30:00Z'),
			   (5, 'until 21:59:59 local: daytime', '2026-03-03T20:59:59Z', '2026-03-04T06:00:00Z')) w(n, label, u, now)
  LEFT JOIN LATERAL regress_helpers.run(w.u - interval '1 minute', w.u, w.now, 'r007-a', '{R-007}') d ON true
 ORDER BY w.n;

-- case: counting switches (threshold 1 to see the count): gap in whole minutes, ACTIVE,
-- rooms compared exactly, door rows only mark door_involved, W edges
SELECT agingos_load_config($$
rules:
  R-007:
    params:
      switch_threshold: 1
$$) IS NOT NULL AS loaded;
SELECT sum(regress_helpers.ev('r007-count', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('t00', '2026-03-05T20:59:59Z', 'presence', '{"state": "on", "room": "kjokken"}'),	-- before W
			   ('t01', '2026-03-05T21:00:00Z', 'presence', '{"state": "on", "room": "soverom"}'),	-- at W start
			   ('t02', '2026-03-05T21:05:00Z', 'presence', '{"state": "on", "room": "kjokken"}'),	-- switch
			   ('t03', '2026-03-05T21:15:59Z', 'presence', '{"state": "on", "room": "soverom"}'),	-- 10 min 59 s: switch
			   ('t04', '2026-03-05T21:27:00Z', 'motion', '{"room": "stue"}'),	-- 11 min: no switch
			   ('t05', '2026-03-05T21:28:00Z', 'presence', '{"state": "off", "room": "kjokken"}'),	-- not active
			   ('t06', '2026-03-05T21:29:00Z', 'presence', '{"state": "on", "room": ""}'),	-- no room
			   ('t07', '2026-03-05T21:30:00Z', 'motion', '{"state": "on", "room": "stue"}'),	-- same room
			   ('t08', '2026-03-05T21:31:00Z', 'door', '{"state": "on", "room": "inngang"}'),	-- door: not on the timeline
			   ('t09', '2026-03-05T21:32:00Z', 'heartbeat', '{"room": "kjokken"}'),
			   ('t10', '2026-03-05T21:33:00Z', 'motion', '{"state": "on", "room": "Stue"}'),	-- switch
			   ('t11', '2026-03-05T21:40:00Z', 'presence', '{"state": {"on": 1}, "room": "kjokken"}'),
			   ('t12', '2026-03-05T21:41:00Z', 'presence', '[{"state": "on", "room": "kjokken"}]'),
			   ('t13', '2026-03-06T06:00:00Z', 'presence', '{"state": "on", "room": "kjokken"}')) v(id, ts, c, p);	-- at W end
SELECT * FROM regress_helpers.run('2026-03-06T05:00:00Z', '2026-03-06T05:59:59Z', '2026-03-06T07:00:00Z', 'r007-count', '{R-007}');

-- case: event_ids are the first 100 switch ids
SELECT sum(regress_helpers.ev('r007-many', 'm' || lpad(n::text, 3, '0'), '2026-03-05T21:00:00Z'::timestamptz + n * interval '1 minute', 'motion',
					  jsonb_build_object('state', 'on', 'room', CASE WHEN n % 2 = 0 THEN 'soverom' ELSE 'kjokken' END))) AS stored
  FROM generate_series(0, 109) n;
SELECT evidence->'room_switches' AS switches, jsonb_array_length(evidence->'event_ids') AS n_ids,
	   evidence->'event_ids'->0 AS first_id, evidence->'event_ids'->99 AS last_id
  FROM regress_helpers.run('2026-03-06T05:00:00Z', '2026-03-06T05:59:59Z', '2026-03-06T07:00:00Z', 'r007-many', '{R-007}');

-- case: DST nights: 2026-03-28/29 lasts 8 hours, 2026-10-24/25 lasts 10 hours (rules.md 1.6)
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
SELECT sum(regress_helpers.ev('r007-dst', 's' || n, '2026-03-29T04:53:00Z'::timestamptz + n * interval '1 minute', 'presence',
					  jsonb_build_object('state', 'on', 'room', CASE WHEN n % 2 = 0 THEN 'soverom' ELSE 'kjokken' END))) AS stored
  FROM generate_series(0, 7) n;	-- s7 at 05:00Z = 07:00 CEST is outside
SELECT sum(regress_helpers.ev('r007-dst', 'f' || n, '2026-10-24T20:00:00Z'::timestamptz + n * interval '1 minute', 'presence',
					  jsonb_build_object('state', 'on', 'room', CASE WHEN n % 2 = 0 THEN 'soverom' ELSE 'kjokken' END))) AS stored
  FROM generate_series(-1, 6) n;	-- f-1 at 19:59Z = 21:59 CEST is outside
SELECT rule_id, severity, since, until, evidence->'event_ids' AS event_ids
  FROM regress_helpers.run('2026-03-29T04:00:00Z', '2026-03-29T04:59:59Z', '2026-03-29T06:00:00Z', 'r007-dst', '{R-007}');
SELECT count(*) AS deviations
  FROM regress_helpers.run('2026-03-29T04:00:00Z', '2026-03-29T05:00:00Z', '2026-03-29T06:00:00Z', 'r007-dst', '{R-007}');
SELECT rule_id, severity, since, until, evidence->'event_ids' AS event_ids
  FROM regress_helpers.run('2026-10-25T05:00:00Z', '2026-10-25T05:59:59Z', '2026-10-25T06:00:00Z', 'r007-dst', '{R-007}');

-- case: own params: zone, a night without midnight, gap 0, threshold 2, entrance room, activity [motion]; en
SELECT agingos_load_config($$
locale: en
rules:
  R-007:
    params:
      tz: UTC
      night_start_hour: 1
      night_end_hour: 5
      switch_gap_max_min: 0
      switch_threshold: 2
      front_door_room_id: hall
      activity_categories: [motion]
$$) IS NOT NULL AS loaded;
SELECT sum(regress_helpers.ev('r007-cfg', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('c1', '2026-03-07T01:00:00Z', 'motion', '{"state": "on", "room": "a"}'),
			   ('c2', '2026-03-07T01:00:59Z', 'motion', '{"state": "on", "room": "b"}'),
			   ('c3', '2026-03-07T01:01:00Z', 'motion', '{"state": "on", "room": "a"}'),
			   ('c4', '2026-03-07T01:01:30Z', 'presence', '{"state": "on", "room": "b"}'),
			   ('c5', '2026-03-07T01:02:30Z', 'motion', '{"state": "on", "room": "b"}')) v(id, ts, c, p);
SELECT w.label, d.severity, d.since, d.until, d.evidence
  FROM (VALUES (1, 'until 00:59:59', '2026-03-07T00:59:59Z'::timestamptz),
			   (2, 'until 03:00', '2026-03-07T03:00:00Z'),
			   (3, 'until 05:00', '2026-03-07T05:00:00Z')) w(n, label, u)
  LEFT JOIN LATERAL regress_helpers.run(w.u - interval '1 minute', w.u, '2026-03-07T06:00:00Z', 'r007-cfg', '{R-007}') d ON true
 ORDER BY w.n;
SELECT regress_helpers.ev('r007-cfg', 'c6', '2026-03-07T04:00:00Z', 'door', '{"room": "hall"}') AS stored;
SELECT rule_id, severity, title FROM agingos_evaluate('2026-03-07T02:00:00Z', '2026-03-07T03:00:00Z', '2026-03-07T06:00:00Z', 'r007-cfg', '{R-007}');

-- cleanup
DELETE FROM agingos.events WHERE home_id LIKE 'r007-%';
DELETE FROM agingos.homes WHERE home_id LIKE 'r007-%';
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
