-- rule_r004: R-004 prolonged bathroom presence (rules.md 3.4, D7, D13, D14, D25, D28).
SET search_path = agingos, public;
-- helpers z(), ev(), run(): schema regress_helpers, made once by setup.sql

-- config: defaults (baderom; day 45, night 25, stuck 240, silence 30 minutes;
-- night 22-7 Europe/Oslo; [state, value]; activity [presence, motion]); CET = UTC+1
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;

SELECT sum(regress_helpers.ev('r004', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES
	-- a/b: 50-minute day stay, nothing after it
	('a-on', '2026-02-02T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('a-off', '2026-02-02T10:50:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	-- c: active motion in the kitchen within the silence window
	('c-on', '2026-02-03T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('c-off', '2026-02-03T10:50:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('c-act', '2026-02-03T11:05:00Z', 'motion', '{"state": "on", "room": "kjokken"}'),
	-- d: active motion, but in the bathroom itself (D14)
	('d-on', '2026-02-04T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('d-off', '2026-02-04T10:50:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('d-act', '2026-02-04T11:05:00Z', 'motion', '{"state": "on", "room": "baderom"}'),
	-- e: active motion with no room counts as elsewhere
	('e-on', '2026-02-05T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('e-off', '2026-02-05T10:50:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('e-act', '2026-02-05T11:05:00Z', 'motion', '{"room": ""}'),
	-- f: inactive motion elsewhere does not break the silence
	('f-on', '2026-02-06T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('f-off', '2026-02-06T10:50:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('f-act', '2026-02-06T11:05:00Z', 'motion', '{"state": "off", "room": "kjokken"}'),
	-- g: activity exactly at end + 30 min is outside the silence window
	('g-on', '2026-02-07T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('g-off', '2026-02-07T10:50:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('g-act', '2026-02-07T11:20:00Z', 'presence', '{"state": "on", "room": "kjokken"}'),
	-- h: activity exactly at end is inside it
	('h-on', '2026-02-08T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('h-off', '2026-02-08T10:50:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('h-act', '2026-02-08T10:50:00Z', 'motion', '{"state": "on", "room": "stue"}'),
	-- i: 90 minutes by day is HIGH; j: 89 is MEDIUM
	('i-on', '2026-02-09T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('i-off', '2026-02-09T11:30:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('j-on', '2026-02-10T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('j-off', '2026-02-10T11:29:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	-- k: 44:59.999999 floors to 44 < 45; l: exactly 45
	('k-on', '2026-02-11T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('k-off', '2026-02-11T10:44:59.999999Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('l-on', '2026-02-12T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('l-off', '2026-02-12T10:45:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	-- m: night (23:00 local) 25 minutes is HIGH; n: 24 is nothing
	('m-on', '2026-02-12T22:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('m-off', '2026-02-12T22:25:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('n-on', '2026-02-13T22:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('n-off', '2026-02-13T22:24:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	-- o: starts 21:50 local, runs past 22:00: day threshold; p: starts 22:00 local: night
	('o-on', '2026-02-14T20:50:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('o-off', '2026-02-14T21:20:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('p-on', '2026-02-15T21:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('p-off', '2026-02-15T21:30:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	-- q: a stay that never ends
	('q-on', '2026-02-16T06:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	-- r: two MEDIUM stays: the longer one wins
	('r1-on', '2026-02-17T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('r1-off', '2026-02-17T10:50:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('r1-act', '2026-02-17T10:55:00Z', 'motion', '{"state": "on", "room": "kjokken"}'),
	('r2-on', '2026-02-17T11:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('r2-off', '2026-02-17T12:00:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('r2-act', '2026-02-17T12:05:00Z', 'motion', '{"state": "on", "room": "kjokken"}'),
	-- s: two equal MEDIUM stays: the earlier one wins
	('s1-on', '2026-02-18T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('s1-off', '2026-02-18T10:50:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('s1-act', '2026-02-18T10:55:00Z', 'motion', '{"state": "on", "room": "kjokken"}'),
	('s2-on', '2026-02-18T11:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('s2-off', '2026-02-18T11:50:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('s2-act', '2026-02-18T11:55:00Z', 'motion', '{"state": "on", "room": "kjokken"}'),
	-- t: MEDIUM beats a longer LOW sensor fault
	('t1-on', '2026-02-19T06:10:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('t1-off', '2026-02-19T07:00:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('t1-act', '2026-02-19T07:05:00Z', 'motion', '{"state": "on", "room": "kjokken"}'),
	('t2-on', '2026-02-19T07:10:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	-- u: segmentation (D25): ignored off, unknown and stateless events, repeated on, OFF closes
	('u0', '2026-02-20T09:55:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
	('u1', '2026-02-20T10:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('u2', '2026-02-20T10:10:00Z', 'presence', '{"state": "unknown", "room": "baderom"}'),
	('u3', '2026-02-20T10:20:00Z', 'presence', '{"room": "baderom"}'),
	('u4', '2026-02-20T10:25:00Z', 'presence', '{"state": 1, "room": "baderom"}'),
	('u5', '2026-02-20T10:26:00Z', 'presence', '{"state": ["off"], "room": "baderom"}'),
	('u6', '2026-02-20T10:30:00Z', 'presence', '{"value": "On", "room": "baderom"}'),
	('u7', '2026-02-20T10:35:00Z', 'presence', '{"state": "off", "room": "stue"}'),
	('u8', '2026-02-20T10:40:00Z', 'motion', '{"state": "off", "room": "baderom"}'),
	('u9', '2026-02-20T10:50:00Z', 'presence', '{"state": "OFF", "room_id": "baderom", "room": "x"}'),
	('u10', '2026-02-20T11:00:00Z', 'presence', '{"state": "on", "room": "Baderom"}'),
	-- v: a stay that began before since is not seen
	('v-on', '2026-02-21T09:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),
	('v-off', '2026-02-21T10:00:00Z', 'presence', '{"state": "off", "room": "baderom"}')
  ) v(id, ts, c, p);

-- case: severities (nothing = null); each row evaluates its own window at its own now
SELECT w.label, d.severity, d.evidence->>'start_ts' AS start_ts, d.evidence->>'end_ts' AS end_ts,
	   d.evidence->'observed_minutes' AS minutes, d.evidence->'sensor_fault' AS fault, d.evidence->'event_ids' AS event_ids
  FROM (VALUES
	(1, 'a: 50 min day, silence pending', '2026-02-02T09:00:00Z'::timestamptz, '2026-02-02T11:00:00Z'::timestamptz, '2026-02-02T11:19:59Z'::timestamptz),
	(2, 'b: 50 min day, silence judged', '2026-02-02T09:00:00Z', '2026-02-02T11:00:00Z', '2026-02-02T11:20:00Z'),
	(3, 'c: kitchen motion after', '2026-02-03T09:00:00Z', '2026-02-03T11:00:00Z', '2026-02-03T11:30:00Z'),
	(4, 'd: bathroom motion after', '2026-02-04T09:00:00Z', '2026-02-04T11:00:00Z', '2026-02-04T11:30:00Z'),
	(5, 'e: roomless motion after', '2026-02-05T09:00:00Z', '2026-02-05T11:00:00Z', '2026-02-05T11:30:00Z'),
	(6, 'f: inactive motion after', '2026-02-06T09:00:00Z', '2026-02-06T11:00:00Z', '2026-02-06T11:30:00Z'),
	(7, 'g: activity at end + 30', '2026-02-07T09:00:00Z', '2026-02-07T11:00:00Z', '2026-02-07T11:30:00Z'),
	(8, 'h: activity at end', '2026-02-08T09:00:00Z', '2026-02-08T11:00:00Z', '2026-02-08T11:30:00Z'),
	(9, 'i: 90 min day', '2026-02-09T09:00:00Z', '2026-02-09T12:00:00Z', '2026-02-09T12:00:00Z'),
	(10, 'j: 89 min day, pending', '2026-02-10T09:00:00Z', '2026-02-10T11:30:00Z', '2026-02-10T11:30:00Z'),
	(11, 'k: 44.99 min day', '2026-02-11T09:00:00Z', '2026-02-11T12:00:00Z', '2026-02-11T12:00:00Z'),
	(12, 'l: 45 min day, pending', '2026-02-12T09:00:00Z', '2026-02-12T11:00:00Z', '2026-02-12T11:00:00Z'),
	(13, 'm: 25 min night', '2026-02-12T21:00:00Z', '2026-02-12T23:00:00Z', '2026-02-12T23:00:00Z'),
	(14, 'n: 24 min night', '2026-02-13T21:00:00Z', '2026-02-13T23:00:00Z', '2026-02-13T23:00:00Z'),
	(15, 'o: 30 min from 21:50', '2026-02-14T20:00:00Z', '2026-02-14T22:00:00Z', '2026-02-14T22:00:00Z'),
	(16, 'p: 30 min from 22:00', '2026-02-15T20:00:00Z', '2026-02-15T22:00:00Z', '2026-02-15T22:00:00Z'),
	(17, 'q: open 239 min', '2026-02-16T05:00:00Z', '2026-02-16T09:59:59Z', '2026-02-16T10:00:00Z'),
	(18, 'q: open 240 min', '2026-02-16T05:00:00Z', '2026-02-16T10:00:00Z', '2026-02-16T10:00:00Z'),
	(19, 'r: 50 vs 60 min', '2026-02-17T09:00:00Z', '2026-02-17T13:00:00Z', '2026-02-17T13:00:00Z'),
	(20, 's: 50 vs 50 min', '2026-02-18T09:00:00Z', '2026-02-18T13:00:00Z', '2026-02-18T13:00:00Z'),
	(21, 't: MEDIUM vs LOW', '2026-02-19T06:00:00Z', '2026-02-19T11:10:00Z', '2026-02-19T11:10:00Z'),
	(22, 'u: segmentation', '2026-02-20T09:00:00Z', '2026-02-20T11:10:00Z', '2026-02-20T11:10:00Z'),
	(23, 'v: began before since', '2026-02-21T09:30:00Z', '2026-02-21T11:00:00Z', '2026-02-21T11:00:00Z'),
	(24, 'v: off at until is outside', '2026-02-21T08:00:00Z', '2026-02-21T10:00:00Z', '2026-02-21T10:00:00Z')
  ) w(n, label, s, u, now)
  LEFT JOIN LATERAL regress_helpers.run(w.s, w.u, w.now, 'r004', '{R-004}') d ON true
 ORDER BY w.n;

-- case: full evidence, title and explanation, timestamp = now (D7), window [since, until)
SELECT * FROM regress_helpers.run('2026-02-02T09:00:00Z', '2026-02-02T11:00:00Z', '2026-02-02T11:20:00Z', 'r004', '{R-004}');
SELECT * FROM regress_helpers.run('2026-02-16T05:00:00Z', '2026-02-16T10:00:00Z', '2026-02-16T10:00:00Z', 'r004', '{R-004}');
SELECT title, explanation, regress_helpers.z("timestamp") AS ts
  FROM agingos_evaluate('2026-02-02T09:00:00Z', '2026-02-02T11:00:00Z', '2026-02-02T11:20:00Z', 'r004', '{R-004}');

-- case: DST days: night is decided by the local time of the stay's start
SELECT sum(regress_helpers.ev('r004-dst', id, ts::timestamptz, 'presence', p::jsonb)) AS stored
  FROM (VALUES ('w1-on', '2026-03-28T21:00:00Z', '{"state": "on", "room": "baderom"}'),	-- 22:00 CET
			   ('w1-off', '2026-03-28T21:30:00Z', '{"state": "off", "room": "baderom"}'),
			   ('w2-on', '2026-03-29T04:59:00Z', '{"state": "on", "room": "baderom"}'),	-- 06:59 CEST
			   ('w2-off', '2026-03-29T05:29:00Z', '{"state": "off", "room": "baderom"}'),
			   ('w3-on', '2026-03-29T05:30:00Z', '{"state": "on", "room": "baderom"}'),	-- 07:30 CEST
			   ('w3-off', '2026-03-29T06:00:00Z', '{"state": "off", "room": "baderom"}'),
			   ('x1-on', '2026-10-25T01:30:00Z', '{"state": "on", "room": "baderom"}'),	-- 02:30 CET (second)
			   ('x1-off', '2026-10-25T02:00:00Z', '{"state": "off", "room": "baderom"}'),
			   ('x2-on', '2026-10-25T05:59:00Z', '{"state": "on", "room": "baderom"}'),	-- 06:59 CET
			   ('x2-off', '2026-10-25T06:29:00Z', '{"state": "off", "room": "baderom"}'),
			   ('x3-on', '2026-10-25T06:30:00Z', '{"state": "on", "room": "baderom"}'),	-- 07:30 CET
			   ('x3-off', '2026-10-25T07:00:00Z', '{"state": "off", "room": "baderom"}')) v(id, ts, p);
SELECT e.event_id, d.severity, d.evidence->'observed_minutes' AS minutes
  FROM agingos.events e
  LEFT JOIN LATERAL regress_helpers.run(e."timestamp", e."timestamp" + interval '31 min', e."timestamp" + interval '31 min', 'r004-dst', '{R-004}') d ON true
 WHERE e.home_id = 'r004-dst' AND e.event_id LIKE '%-on'
 ORDER BY e."timestamp";

-- case: own params: room id, thresholds, silence, state keys, activity categories, zone, night without midnight
SELECT agingos_load_config($$
rules:
  R-004:
    params:
      bathroom_room_id: bad
      day_threshold_min: 10
      silence_after_min: 5
      payload_state_keys: [occ]
      activity_categories: [motion]
      tz: UTC
      night_start_hour: 0
      night_end_hour: 6
$$) IS NOT NULL AS loaded;
SELECT sum(regress_helpers.ev('r004-cfg', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('y-on', '2026-02-22T12:00:00Z', 'presence', '{"occ": "on", "state": "off", "room": "bad"}'),
			   ('y-off', '2026-02-22T12:15:00Z', 'presence', '{"occ": "off", "state": "on", "room": "bad"}'),
			   ('y-act', '2026-02-22T12:16:00Z', 'presence', '{"occ": "on", "room": "kjokken"}')) v(id, ts, c, p);
SELECT * FROM regress_helpers.run('2026-02-22T11:00:00Z', '2026-02-22T13:00:00Z', '2026-02-22T13:00:00Z', 'r004-cfg', '{R-004}');

-- cleanup
DELETE FROM agingos.events WHERE home_id IN ('r004', 'r004-dst', 'r004-cfg');
DELETE FROM agingos.homes WHERE home_id IN ('r004', 'r004-dst', 'r004-cfg');
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
