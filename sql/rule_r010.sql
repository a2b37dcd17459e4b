-- rule_r010: R-010 presence sensor stuck (rules.md 3.10, 2.4, D16, D24, D25, D29).
SET search_path = agingos, public;
-- helpers z(), ev(), run(): schema regress_helpers, made once by setup.sql

-- config: defaults (stuck 240, scan 300 minutes; medium rooms [baderom, inngang];
-- the gate follows R-009: 15 minutes, [presence, motion, door, heartbeat])
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;

-- until = now = 2026-04-10T12:00Z: W = [07:00Z, 12:00Z), cutoff = 08:00Z; every home
-- below has a heartbeat at 11:55Z, so the liveness gate is open
SELECT sum(regress_helpers.ev(h, h || '-hb', '2026-04-10T11:55:00Z', 'heartbeat')) AS stored
  FROM (VALUES ('r010-a'), ('r010-b'), ('r010-c'), ('r010-d'), ('r010-e'), ('r010-f'), ('r010-g'), ('r010-h'),
			   ('r010-i'), ('r010-j'), ('r010-k'), ('r010-l'), ('r010-m'), ('r010-n')) v(h);

-- case: several rooms: stuck ones sorted bytewise, event_ids in that order (D24),
-- severity the maximum (MEDIUM for a medium room, LOW for others, D29)
SELECT sum(regress_helpers.ev('r010-a', id, ts::timestamptz, 'presence', p::jsonb)) AS stored
  FROM (VALUES ('gang-on', '2026-04-10T06:59:59Z', '{"state": "on", "room": "gang"}'),	-- before W
			   ('inn-on', '2026-04-10T07:10:00Z', '{"state": "on", "room": "inngang"}'),
			   ('inn-off', '2026-04-10T07:20:00Z', '{"state": "off", "room": "inngang"}'),
			   ('bad-on', '2026-04-10T07:30:00Z', '{"state": "on", "room": "baderom"}'),
			   ('stue-on', '2026-04-10T07:50:00Z', '{"state": "on", "room": "stue"}'),
			   ('kj-on', '2026-04-10T08:00:00Z', '{"state": "on", "room": "kjokken"}'),	-- at cutoff: stuck
			   ('sov-on', '2026-04-10T08:00:00.000001Z', '{"state": "on", "room": "soverom"}')) v(id, ts, p);
SELECT * FROM regress_helpers.run('2026-04-10T11:00:00Z', '2026-04-10T12:00:00Z', '2026-04-10T12:00:00Z', 'r010-a', '{R-010}');
SELECT title, explanation
  FROM agingos_evaluate('2026-04-10T11:00:00Z', '2026-04-10T12:00:00Z', '2026-04-10T12:00:00Z', 'r010-a', '{R-010}');

-- case: one home per row (nothing = null)
SELECT sum(regress_helpers.ev(h, id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('r010-b', 'b1', '2026-04-10T07:30:00Z', 'presence', '{"state": "on", "room": "stue"}'),
			   ('r010-b', 'b2', '2026-04-10T09:00:00Z', 'presence', '{"state": "on", "room": "stue"}'),	-- later on: not stuck
			   ('r010-c', 'c1-on', '2026-04-10T07:30:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
			   ('r010-c', 'c0-off', '2026-04-10T07:30:00Z', 'presence', '{"state": "off", "room": "baderom"}'),	-- same ts, earlier id: still ts >= last_on.ts
			   ('r010-d', 'd1', '2026-04-10T07:30:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
			   ('r010-d', 'd2', '2026-04-10T08:00:00Z', 'presence', '{"state": "unknown", "room": "baderom"}'),
			   ('r010-d', 'd3', '2026-04-10T08:10:00Z', 'presence', '{"room": "baderom"}'),	-- no state: ignored (D25)
			   ('r010-d', 'd4', '2026-04-10T08:20:00Z', 'presence', '{"state": ["off"], "room": "baderom"}'),
			   ('r010-e', 'e1', '2026-04-10T07:30:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
			   ('r010-e', 'e2', '2026-04-10T08:00:00Z', 'motion', '{"state": "off", "room": "baderom"}'),
			   ('r010-f', 'f1', '2026-04-10T07:30:00Z', 'presence', '{"state": "on", "room": ""}'),
			   ('r010-g', 'g1', '2026-04-10T07:30:00Z', 'presence', '{"state": "ON", "room": "stue"}'),
			   ('r010-h', 'h1', '2026-04-10T07:30:00Z', 'presence', '{"state": "on", "room": "stue"}'),
			   ('r010-h', 'h2', '2026-04-10T08:00:00Z', 'presence', '{"state": "off", "room": "Stue"}'),
			   ('r010-i', 'i1', '2026-04-10T07:30:00Z', 'presence', '{"state": 1, "room": "stue"}'),
			   ('r010-i', 'i2', '2026-04-10T07:31:00Z', 'presence', '["on"]'),
			   ('r010-j', 'j1', '2026-04-10T07:30:00Z', 'presence', '{"state": "on", "room": "Baderom"}'),
			   ('r010-k', 'k1', '2026-04-10T07:00:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
			   ('r010-k', 'k2', '2026-04-10T07:30:00Z', 'presence', '{"value": "on", "room": "baderom"}'),
			   ('r010-l', 'l1', '2026-04-10T07:30:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
			   ('r010-l', 'l2', '2026-04-10T11:59:59Z', 'presence', '{"state": "OFF", "room": "baderom"}'),
			   ('r010-m', 'm1', '2026-04-10T07:00:00Z', 'presence', '{"state": "on", "room_id": "inngang"}'),
			   ('r010-n', 'n1', '2026-04-10T07:30:00Z', 'presence', '{"state": "on", "room": 12}')) v(h, id, ts, c, p);
SELECT h.home, d.severity, d.evidence->'stuck_rooms' AS stuck_rooms, d.evidence->'event_ids' AS event_ids
  FROM (VALUES ('r010-b'), ('r010-c'), ('r010-d'), ('r010-e'), ('r010-f'), ('r010-g'), ('r010-h'), ('r010-i'),
			   ('r010-j'), ('r010-k'), ('r010-l'), ('r010-m'), ('r010-n')) h(home)
  LEFT JOIN LATERAL regress_helpers.run('2026-04-10T11:00:00Z', '2026-04-10T12:00:00Z', '2026-04-10T12:00:00Z', h.home, '{R-010}') d ON true
 ORDER BY h.home;

-- case: the liveness gate: the last liveness event is the 07:30 presence, 270 minutes old
SELECT regress_helpers.ev('r010-dead', 'x1', '2026-04-10T07:30:00Z', 'presence', '{"state": "on", "room": "baderom"}') AS stored;
SELECT rule_id, severity FROM regress_helpers.run('2026-04-10T11:00:00Z', '2026-04-10T12:00:00Z', '2026-04-10T12:00:00Z', 'r010-dead', '{R-009,R-010}');

-- case: own liveness overrides, thresholds, rooms; en
SELECT agingos_load_config($$
locale: en
rules:
  R-010:
    params:
      liveness_categories: [ha_snapshot]
      liveness_max_age_minutes: 60
      stuck_minutes: 60
      lookback_minutes: 90
      medium_rooms: [stue]
$$) IS NOT NULL AS loaded;
SELECT regress_helpers.ev('r010-dead', 'x2', '2026-04-10T11:00:00Z', 'ha_snapshot')
	   + regress_helpers.ev('r010-dead', 'x3', '2026-04-10T10:45:00Z', 'presence', '{"state": "on", "room": "stue"}') AS stored;
SELECT * FROM regress_helpers.run('2026-04-10T11:00:00Z', '2026-04-10T12:00:00Z', '2026-04-10T12:00:00Z', 'r010-dead', '{R-009,R-010}');
SELECT title, explanation
  FROM agingos_evaluate('2026-04-10T11:00:00Z', '2026-04-10T12:00:00Z', '2026-04-10T12:00:00Z', 'r010-dead', '{R-010}');
-- 61 minutes after the snapshot the gate closes
SELECT rule_id, severity FROM regress_helpers.run('2026-04-10T11:00:00Z', '2026-04-10T12:00:00Z', '2026-04-10T12:01:00Z', 'r010-dead', '{R-009,R-010}');

-- cleanup
DELETE FROM agingos.events WHERE home_id LIKE 'r010-%';
DELETE FROM agingos.homes WHERE home_id LIKE 'r010-%';
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
