-- rules_alarm_quality: the options of docs/alarm-quality.md (issue 17): the home state
-- (away from home), R-011, NOT_APPLICABLE (rules.md D32), the ingest-gap gate
-- (D35), R-001's awake_whole_window and held_presence_counts, R-007's
-- switch_span_minutes, R-010's require_activity_elsewhere, and bad config.
-- Europe/Oslo in January is UTC+1: local 07:00 is 06:00Z.
SET search_path = agingos, public;
CREATE FUNCTION pg_temp.z(t timestamptz) RETURNS text LANGUAGE sql AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || 'Z' $$;
CREATE FUNCTION pg_temp.ev(h text, id text, ts timestamptz, cat text, p jsonb DEFAULT '{}', stream text DEFAULT 'prod')
RETURNS integer LANGUAGE sql AS $$
	INSERT INTO agingos.homes (home_id) VALUES (h) ON CONFLICT DO NOTHING;
	INSERT INTO agingos.events (home_id, event_id, "timestamp", category, payload, room_id, stream_id)
	VALUES (h, id, ts, cat, p, coalesce(nullif(p ->> 'room_id', ''), nullif(p ->> 'room', '')), stream) RETURNING 1 $$;
-- snapshots(h, from, to): an ha_snapshot every 15 minutes in [from, to)
CREATE FUNCTION pg_temp.snapshots(h text, f timestamptz, t timestamptz) RETURNS bigint LANGUAGE sql AS $$
	SELECT sum(pg_temp.ev(h, 'snap-' || pg_temp.z(g), g, 'ha_snapshot', '{}'))
	  FROM generate_series(f, t - interval '1 second', interval '15 minutes') g $$;
CREATE FUNCTION pg_temp.run(s timestamptz, u timestamptz, n timestamptz, h text, ids text[] DEFAULT NULL)
RETURNS TABLE (rule_id text, severity text, since text, until text) LANGUAGE sql AS $$
	SELECT d.rule_id, d.severity, pg_temp.z(d.window_since), pg_temp.z(d.window_until)
	  FROM agingos.agingos_evaluate(s, u, n, h, ids) d ORDER BY d.rule_id $$;
-- cfg(on): the test config with every new option on (true) or off (false)
CREATE FUNCTION pg_temp.cfg(o boolean) RETURNS boolean LANGUAGE sql AS $$
	SELECT agingos.agingos_load_config(format($y$
timezone: Europe/Oslo
locale: en
home_state: {departure_minutes: 10, settle_seconds: 60, state_lookback_minutes: 720}
rules:
  R-001:
    requires_sensors: %1$s
    params: {motion_categories: [presence, motion], liveness_gate: false, awake_whole_window: %1$s,
             held_presence_counts: %1$s, away_gate: %1$s, gap_gate: %1$s}
  R-003:
    params: {away_aware: %1$s}
  R-005:
    params: {away_gate: %1$s, gap_gate: %1$s}
  R-006:
    requires_sensors: %1$s
    params: {liveness_gate: false, grace_minutes: 120, away_gate: %1$s, gap_gate: %1$s}
  R-007:
    params: {switch_span_minutes: %2$s}
  R-009:
    params: {liveness_categories: [ha_snapshot], max_age_minutes: 75}
  R-010:
    params: {require_activity_elsewhere: %1$s}
  R-011:
    requires_sensors: %1$s
    params: {max_away_minutes: 360, night_grace_minutes: 60}
$y$, CASE WHEN o THEN 'true' ELSE 'false' END, CASE WHEN o THEN 60 ELSE 0 END)) IS NOT NULL $$;
-- both(...): run() with the options off, then on (the config is loaded in between)
CREATE FUNCTION pg_temp.both(s timestamptz, u timestamptz, n timestamptz, h text, ids text[])
RETURNS TABLE (options boolean, rule_id text, severity text, since text, until text) LANGUAGE plpgsql AS $$
BEGIN
	FOREACH options IN ARRAY ARRAY[false, true] LOOP
		PERFORM pg_temp.cfg(options);
		RETURN QUERY SELECT options, r.* FROM pg_temp.run(s, u, n, h, ids) r;
	END LOOP;
END $$;

-- case: R-001 at 07:00 local after a still night: the 3-hour window covers only
-- the night.  Off: MEDIUM (rules.md 3.1).  awake_whole_window: no deviation
-- until the window lies in the awake hours; at 10:00 with no motion it fires.
SELECT pg_temp.snapshots('aq-r001', '2026-01-20T00:00:00Z', '2026-01-20T12:00:00Z') AS snapshots;
SELECT pg_temp.ev('aq-r001', 'bed-off', '2026-01-20T01:00:00Z', 'presence', '{"state": "off", "room": "soverom"}') AS stored;
SELECT * FROM pg_temp.both('2026-01-20T03:00:00Z', '2026-01-20T06:00:00Z', '2026-01-20T06:00:00Z', 'aq-r001', '{R-001}');
SELECT pg_temp.cfg(true) AS loaded;
SELECT * FROM pg_temp.run('2026-01-20T06:00:00Z', '2026-01-20T09:00:00Z', '2026-01-20T09:00:00Z', 'aq-r001', '{R-001}');

-- case: held_presence_counts: a living-room PIR said "on" at 08:00 and has not
-- re-sent since (someone is there); off: no event in the window, MEDIUM
SELECT pg_temp.snapshots('aq-held', '2026-01-20T00:00:00Z', '2026-01-20T12:00:00Z') AS snapshots;
SELECT pg_temp.ev('aq-held', 'stue-on', '2026-01-20T07:00:00Z', 'presence', '{"state": "on", "room": "stue"}') AS stored;
SELECT * FROM pg_temp.both('2026-01-20T08:00:00Z', '2026-01-20T11:00:00Z', '2026-01-20T11:00:00Z', 'aq-held', '{R-001}');
-- ... and once it reports "off", stillness counts again
SELECT pg_temp.ev('aq-held', 'stue-off', '2026-01-20T07:30:00Z', 'presence', '{"state": "off", "room": "stue"}') AS stored;
SELECT pg_temp.cfg(true) AS loaded;
SELECT * FROM pg_temp.run('2026-01-20T08:00:00Z', '2026-01-20T11:00:00Z', '2026-01-20T11:00:00Z', 'aq-held', '{R-001}');

-- case: a departure with the hall PIR already "on": the door opens, nothing new,
-- the PIR goes "off" 90 s later.  Off: R-003 fires (no motion after the door) and
-- R-001 fires 3 h later.  On: the resident is away: neither; R-011 fires once the
-- resident has been out 360 minutes (MEDIUM), not at 359.
SELECT pg_temp.snapshots('aq-out', '2026-01-20T00:00:00Z', '2026-01-21T12:00:00Z') AS snapshots;
SELECT sum(pg_temp.ev('aq-out', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('hall-on', '2026-01-20T08:57:00Z', 'motion', '{"state": "on", "room": "inngang"}'),
			   ('d-open', '2026-01-20T09:00:00Z', 'door', '{"state": "open", "door": "front", "room": "inngang"}'),
			   ('d-close', '2026-01-20T09:00:10Z', 'door', '{"state": "closed", "door": "front", "room": "inngang"}'),
			   ('hall-off', '2026-01-20T09:01:30Z', 'motion', '{"state": "off", "room": "inngang"}')) v(id, ts, c, p);
SELECT * FROM pg_temp.both('2026-01-20T09:00:00Z', '2026-01-20T12:00:00Z', '2026-01-20T12:00:00Z', 'aq-out', '{R-001,R-003}');
SELECT pg_temp.cfg(true) AS loaded;
SELECT pg_temp.z(n) AS now, r.*
  FROM (VALUES ('2026-01-20T14:59:00Z'::timestamptz), ('2026-01-20T15:00:00Z')) v(n)
  LEFT JOIN LATERAL pg_temp.run(n - interval '1 hour', n, n, 'aq-out', '{R-011}') r ON true
 ORDER BY 1;
SELECT title, explanation, evidence - '{evaluation_truth,gating_reason,evaluation_mode,requires_baseline,requires_profile,profile_mode,uses_default_profile,days_with_data,min_days_required}'::text[] AS evidence
  FROM agingos_evaluate('2026-01-20T14:00:00Z', '2026-01-20T15:00:00Z', '2026-01-20T15:00:00Z', 'aq-out', '{R-011}');
-- D34: window mode without rule_ids does not run R-011
SELECT count(*) AS r011_unnamed
  FROM agingos_evaluate('2026-01-20T14:00:00Z', '2026-01-20T15:00:00Z', '2026-01-20T15:00:00Z', 'aq-out') d
 WHERE d.rule_id = 'R-011';
-- at night: HIGH
SELECT * FROM pg_temp.run('2026-01-20T21:00:00Z', '2026-01-20T22:00:00Z', '2026-01-20T22:00:00Z', 'aq-out', '{R-011}');
-- the return: the door, then motion: nothing
SELECT sum(pg_temp.ev('aq-out', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('r-open', '2026-01-20T22:10:00Z', 'door', '{"state": "open", "door": "front", "room": "inngang"}'),
			   ('r-close', '2026-01-20T22:10:08Z', 'door', '{"state": "closed", "door": "front", "room": "inngang"}'),
			   ('r-hall', '2026-01-20T22:10:03Z', 'motion', '{"state": "on", "room": "inngang"}'),
			   ('r-kitchen', '2026-01-20T22:12:00Z', 'presence', '{"state": "on", "room": "kjokken"}')) v(id, ts, c, p);
SELECT count(*) AS deviations
  FROM pg_temp.run('2026-01-20T21:30:00Z', '2026-01-20T22:30:00Z', '2026-01-20T22:30:00Z', 'aq-out', '{R-003,R-011}');

-- case: a fall in the hall seen by a hall presence sensor (mmWave) that holds "on":
-- not a departure, so R-003 fires with the options on too, once departure_minutes
-- have passed after the last door event (09:10:20), not at the follow-up's end
SELECT pg_temp.snapshots('aq-fall', '2026-01-20T00:00:00Z', '2026-01-20T12:00:00Z') AS snapshots;
SELECT sum(pg_temp.ev('aq-fall', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('hall-p-on', '2026-01-20T08:58:00Z', 'presence', '{"state": "on", "room": "inngang"}'),
			   ('d-open', '2026-01-20T09:00:00Z', 'door', '{"state": "open", "door": "front", "room": "inngang"}'),
			   ('d-close', '2026-01-20T09:00:20Z', 'door', '{"state": "closed", "door": "front", "room": "inngang"}')) v(id, ts, c, p);
SELECT pg_temp.z(n) AS now, r.*
  FROM (VALUES ('2026-01-20T09:10:00Z'::timestamptz), ('2026-01-20T09:10:20Z')) v(n)
  LEFT JOIN LATERAL pg_temp.run('2026-01-20T08:30:00Z', '2026-01-20T09:05:00Z', n, 'aq-fall', '{R-003}') r ON true
 ORDER BY 1;

-- case: D35: a 2-hour ingest gap (no ha_snapshot, 08:00-10:00Z) inside the window:
-- R-001, R-005 and R-006 do not judge it as stillness; off: all three fire
SELECT pg_temp.snapshots('aq-gap', '2026-01-19T00:00:00Z', '2026-01-20T08:00:00Z')
	 + pg_temp.snapshots('aq-gap', '2026-01-20T10:00:00Z', '2026-01-20T14:00:00Z') AS snapshots;
SELECT pg_temp.ev('aq-gap', 'stue-seen', '2026-01-01T09:00:00Z', 'presence', '{"state": "off", "room": "stue"}') AS stored;
SELECT * FROM pg_temp.both('2026-01-20T09:30:00Z', '2026-01-20T12:30:00Z', '2026-01-20T12:30:00Z', 'aq-gap', '{R-001,R-005,R-006}');
-- once the gap has left R-001's window, R-001 judges again (R-005's 24 h and R-006's day still hold it)
SELECT pg_temp.cfg(true) AS loaded;
SELECT * FROM pg_temp.run('2026-01-20T10:30:00Z', '2026-01-20T13:30:00Z', '2026-01-20T13:30:00Z', 'aq-gap', '{R-001,R-005,R-006}');

-- case: NOT_APPLICABLE (D32): a home that never sent living-room presence (motion
-- only) gets no R-006 and says why; one stue presence event makes it applicable
SELECT pg_temp.cfg(true) AS loaded;
SELECT pg_temp.snapshots('aq-nostue', '2026-01-20T00:00:00Z', '2026-01-20T12:00:00Z') AS snapshots;
SELECT pg_temp.ev('aq-nostue', 'stue-m', '2026-01-20T07:30:00Z', 'motion', '{"state": "on", "room": "stue"}') AS stored;
SELECT rule_id, evaluation_truth, gating_reason, missing_sensor
  FROM agingos_rule_truth('aq-nostue', '2026-01-20T10:00:00Z') WHERE rule_id IN ('R-001', 'R-006', 'R-009', 'R-011') ORDER BY 1;
SELECT count(*) AS deviations FROM pg_temp.run('2026-01-20T07:00:00Z', '2026-01-20T10:00:00Z', '2026-01-20T10:00:00Z', 'aq-nostue', '{R-006}');
SELECT pg_temp.ev('aq-nostue', 'stue-p', '2026-01-19T12:00:00Z', 'presence', '{"state": "off", "room": "stue"}') AS stored;
SELECT rule_id, evaluation_truth, gating_reason, missing_sensor
  FROM agingos_rule_truth('aq-nostue', '2026-01-20T10:00:00Z') WHERE rule_id = 'R-006';
SELECT * FROM pg_temp.run('2026-01-20T07:00:00Z', '2026-01-20T10:00:00Z', '2026-01-20T10:00:00Z', 'aq-nostue', '{R-006}');

-- case: R-007 switch_span_minutes: 6 ordinary switches spread over the night (one
-- every 25 minutes from 22:00, gaps under 10 minutes) do not fire with a 60-minute
-- span; 6 switches within 20 minutes do
SELECT sum(pg_temp.ev('aq-night', 'n' || k || r, '2026-01-20T21:00:00Z'::timestamptz + k * interval '25 minutes' + (r - 1) * interval '5 minutes',
					   'presence', jsonb_build_object('state', 'on', 'room', CASE r WHEN 1 THEN 'soverom' ELSE 'baderom' END)))
		   AS stored
  FROM generate_series(0, 5) k, generate_series(1, 2) r;
SELECT * FROM pg_temp.both('2026-01-21T04:00:00Z', '2026-01-21T05:00:00Z', '2026-01-21T05:00:00Z', 'aq-night', '{R-007}');
SELECT sum(pg_temp.ev('aq-night', 'w' || k, '2026-01-21T02:00:00Z'::timestamptz + k * interval '3 minutes', 'presence',
					   jsonb_build_object('state', 'on', 'room', CASE k % 2 WHEN 0 THEN 'kjokken' ELSE 'stue' END))) AS stored
  FROM generate_series(0, 6) k;
SELECT pg_temp.cfg(true) AS loaded;
SELECT * FROM pg_temp.run('2026-01-21T04:00:00Z', '2026-01-21T05:00:00Z', '2026-01-21T05:00:00Z', 'aq-night', '{R-007}');

-- case: R-010 require_activity_elsewhere: a bedroom mmWave "on" all night with
-- nobody elsewhere is a sleeper, not a stuck sensor; a kitchen sensor "on" while
-- the resident moves in other rooms is stuck
SELECT pg_temp.snapshots('aq-stuck', '2026-01-20T20:00:00Z', '2026-01-21T12:00:00Z') AS snapshots;
SELECT pg_temp.ev('aq-stuck', 'bed-on', '2026-01-20T21:30:00Z', 'presence', '{"state": "on", "room": "soverom"}') AS stored;
SELECT * FROM pg_temp.both('2026-01-21T04:00:00Z', '2026-01-21T05:00:00Z', '2026-01-21T05:00:00Z', 'aq-stuck', '{R-010}');
SELECT sum(pg_temp.ev('aq-stuck', id, ts::timestamptz, 'presence', p::jsonb)) AS stored
  FROM (VALUES ('bed-off', '2026-01-21T06:00:00Z', '{"state": "off", "room": "soverom"}'),
			   ('kit-on', '2026-01-21T06:30:00Z', '{"state": "on", "room": "kjokken"}'),
			   ('stue-on', '2026-01-21T07:00:00Z', '{"state": "on", "room": "stue"}')) v(id, ts, p);
SELECT pg_temp.cfg(true) AS loaded;
SELECT * FROM pg_temp.run('2026-01-21T10:00:00Z', '2026-01-21T11:00:00Z', '2026-01-21T11:00:00Z', 'aq-stuck', '{R-010}');

-- case: bad config: each is F0000 and names the key; the previous config stays
\set VERBOSITY default
SELECT agingos_load_config($$
rules:
  R-011: {params: {night_start_hour: 6, night_end_hour: 6}}
$$);
SELECT agingos_load_config($$
home_state: {departure_minutes: 0}
rules: {R-011: {enabled_in_scheduler: true}}
$$);
SELECT agingos_load_config($$
home_state: {arrival_minutes: 5}
rules: {R-011: {enabled_in_scheduler: true}}
$$);
SELECT agingos_load_config($$
rules: {R-006: {requires_sensors: yes}}
$$);
SELECT agingos_load_config($$
rules: {R-012: {enabled_in_scheduler: true}}
$$);
SELECT agingos_config() -> 'home_state' AS home_state_kept;
SELECT count(*) AS unknown_rule FROM agingos_evaluate('2026-01-20T09:00:00Z', '2026-01-20T10:00:00Z', '2026-01-20T10:00:00Z', 'aq-out', '{R-012}');

-- case: personal baselines (rules.md D33): 8 days of a late riser (up at 09:00
-- local, 08:00Z: bedroom, bathroom, kitchen within the hour) whose bedroom sensor
-- says "on" from 22:00 to 08:59 local (659 minutes) every night
SELECT sum(pg_temp.ev('aq-prof', 'd' || d || '-' || k, t, 'presence', jsonb_build_object('state', st, 'room', room))) AS stored
  FROM generate_series(0, 7) d,
	   LATERAL (VALUES (1, '2026-01-10T21:00:00Z'::timestamptz + d * interval '1 day', 'on', 'soverom'),
					   (2, '2026-01-11T07:59:00Z'::timestamptz + d * interval '1 day', 'off', 'soverom'),
					   (3, '2026-01-11T08:00:00Z'::timestamptz + d * interval '1 day', 'on', 'baderom'),
					   (4, '2026-01-11T08:20:00Z'::timestamptz + d * interval '1 day', 'on', 'kjokken'),
					   (5, '2026-01-11T08:40:00Z'::timestamptz + d * interval '1 day', 'on', 'stue')) v(k, t, st, room);
SELECT agingos_load_config($y$
timezone: Europe/Oslo
rules:
  R-001:
    baseline: personal
    params: {motion_categories: [presence, motion], liveness_gate: false, awake_whole_window: true}
  R-010:
    baseline: personal
    params: {liveness_categories: [ha_snapshot]}
$y$) IS NOT NULL AS loaded;
-- before any refresh: no profile, the fixed thresholds apply (evidence says so)
SELECT rule_id, severity, evidence ->> 'baseline' AS baseline, evidence ->> 'usual_wake_time' AS usual_wake_time
  FROM agingos_evaluate('2026-01-19T06:00:00Z', '2026-01-19T09:00:00Z', '2026-01-19T09:00:00Z', 'aq-prof', '{R-001}');
-- learn: the 28 local days before 2026-01-19
SELECT agingos_profile_refresh('aq-prof', '2026-01-19T12:00:00Z') AS rows;
SELECT metric, key, value, samples, days, quantile, updated_for FROM home_profile
 WHERE home_id = 'aq-prof' AND (metric <> 'stillness_minutes' OR key IN ('1-08', '1-10')) ORDER BY 1, 2;
SELECT count(*) AS stillness_keys FROM home_profile WHERE home_id = 'aq-prof' AND metric = 'stillness_minutes';
-- the tick's daily step refreshes once per local day
SELECT agingos_profile_maybe_refresh('aq-prof', '2026-01-19T13:00:00Z') AS refreshed_same_day,
	   agingos_profile_maybe_refresh('aq-prof', '2026-01-20T00:30:00Z') AS refreshed_next_day;
SELECT agingos_profile_refresh('aq-prof', '2026-01-19T12:00:00Z') AS rows;
-- R-001: 07:00-10:00 local with no motion: the resident is usually up at 09:00
-- (+30 min margin), so not judged yet; 09:30-12:30 local is, and says what was usual
SELECT count(*) AS deviations FROM agingos_evaluate('2026-01-19T06:00:00Z', '2026-01-19T09:00:00Z', '2026-01-19T09:00:00Z', 'aq-prof', '{R-001}');
SELECT rule_id, severity, evidence ->> 'baseline' AS baseline, evidence ->> 'usual_wake_time' AS usual_wake_time,
	   evidence ->> 'awake_start_used' AS awake_start_used
  FROM agingos_evaluate('2026-01-19T08:30:00Z', '2026-01-19T11:30:00Z', '2026-01-19T11:30:00Z', 'aq-prof', '{R-001}');
-- R-010: the bedroom "on" since 21:00Z is this sleeper's normal (659 min usual):
-- not stuck at 300 minutes (the fixed 240 would say stuck), stuck at 719 = 659 + 60
SELECT pg_temp.ev('aq-prof', 'night-on', '2026-01-19T21:00:00Z', 'presence', '{"state": "on", "room": "soverom"}') AS stored;
SELECT pg_temp.snapshots('aq-prof', '2026-01-19T20:00:00Z', '2026-01-20T10:00:00Z') AS snapshots;
SELECT pg_temp.z(n) AS now, d.severity, d.evidence -> 'per_room' -> 'soverom' ->> 'stuck_minutes_used' AS used,
	   d.evidence -> 'per_room' -> 'soverom' ->> 'usual_on_minutes' AS usual, d.evidence ->> 'baseline' AS baseline
  FROM (VALUES ('2026-01-20T02:00:00Z'::timestamptz), ('2026-01-20T08:58:00Z'), ('2026-01-20T08:59:00Z')) v(n)
  LEFT JOIN LATERAL agingos_evaluate(n - interval '1 hour', n, n, 'aq-prof', '{R-010}') d ON true
 ORDER BY 1;
-- a profile of fewer than 7 days: fixed
SELECT agingos_profile_refresh('aq-prof', '2026-01-14T12:00:00Z') AS rows;
SELECT d.severity, d.evidence ->> 'baseline' AS baseline
  FROM agingos_evaluate('2026-01-20T01:00:00Z', '2026-01-20T02:00:00Z', '2026-01-20T02:00:00Z', 'aq-prof', '{R-010}') d;
-- bad input
\set VERBOSITY default
SELECT agingos_profile_refresh(NULL, '2026-01-19T12:00:00Z');
SELECT agingos_load_config($y$
rules: {R-001: {baseline: learned}}
$y$);
SELECT agingos_load_config($y$
rules: {R-002: {baseline: personal}}
$y$);

-- case: personal baselines of R-004, R-006, R-007 and R-001's stillness
-- (docs/alarm-quality.md "Personal baselines").  8 days (Mon 2026-02-02 ...
-- Mon 02-09) of a resident with 50-minute baths at 11:00 local, the living
-- room first used at 13:30 local and 7 room switches at 02:00 local every night.
SELECT sum(pg_temp.ev('aq-pers', 'p' || d || '-' || k, t, 'presence', jsonb_build_object('state', st, 'room', room))) AS stored
  FROM generate_series(0, 7) d,
	   LATERAL (VALUES (1, '2026-02-02T10:00:00Z'::timestamptz + d * interval '1 day', 'on', 'baderom'),
					   (2, '2026-02-02T10:50:00Z'::timestamptz + d * interval '1 day', 'off', 'baderom'),
					   (3, '2026-02-02T12:30:00Z'::timestamptz + d * interval '1 day', 'on', 'stue')) v(k, t, st, room);
SELECT sum(pg_temp.ev('aq-pers', 'n' || d || '-' || i, '2026-02-02T01:00:00Z'::timestamptz + d * interval '1 day' + i * interval '2 minutes',
					  'presence', jsonb_build_object('state', 'on', 'room', CASE WHEN i % 2 = 0 THEN 'soverom' ELSE 'kjokken' END))) AS stored
  FROM generate_series(0, 7) d, generate_series(0, 7) i;
SELECT agingos_load_config($y$
timezone: Europe/Oslo
rules:
  R-001: {baseline: personal, params: {motion_categories: [presence, motion], liveness_gate: false}}
  R-004: {baseline: personal}
  R-006: {baseline: personal, params: {liveness_gate: false}}
  R-007: {baseline: personal}
$y$) IS NOT NULL AS loaded;
SELECT agingos_profile_refresh('aq-pers', '2026-02-10T12:00:00Z') > 0 AS learned;
SELECT metric, key, value, samples, days, quantile FROM home_profile
 WHERE home_id = 'aq-pers' AND (metric <> 'stillness_minutes' OR key IN ('2-10', '2-18', '2-19')) ORDER BY 1, 2;
-- the days after the learning: Tue 02-10 a 55-minute bath at 11:00 local, no
-- living room before 14:40 local, a night of 7 switches; Wed 02-11 a 70-minute
-- bath and a night of 10 switches
SELECT sum(pg_temp.ev('aq-pers', 't-' || k, t, 'presence', jsonb_build_object('state', st, 'room', room))) AS stored
  FROM (VALUES (1, '2026-02-10T10:00:00Z'::timestamptz, 'on', 'baderom'), (2, '2026-02-10T10:55:00Z', 'off', 'baderom'),
			   (3, '2026-02-10T13:40:00Z', 'on', 'stue'),
			   (4, '2026-02-11T10:00:00Z', 'on', 'baderom'), (5, '2026-02-11T11:10:00Z', 'off', 'baderom')) v(k, t, st, room);
SELECT sum(pg_temp.ev('aq-pers', 'tn' || n || '-' || i, (n || 'T01:00:00Z')::timestamptz + i * interval '2 minutes',
					  'presence', jsonb_build_object('state', 'on', 'room', CASE WHEN i % 2 = 0 THEN 'soverom' ELSE 'kjokken' END))) AS stored
  FROM (VALUES ('2026-02-10', 7), ('2026-02-11', 10)) v(n, k), generate_series(0, k) i;
CREATE TEMP TABLE pers_cases (c int, rule text, s timestamptz, u timestamptz);
INSERT INTO pers_cases VALUES
	(1, 'R-004', '2026-02-10T06:00:00Z', '2026-02-10T12:00:00Z'),	-- 55 min: usual 50 + 15 = 65 not reached
	(2, 'R-004', '2026-02-11T09:00:00Z', '2026-02-11T12:00:00Z'),	-- 70 min
	(3, 'R-006', '2026-02-10T10:00:00Z', '2026-02-10T11:00:00Z'),	-- 12:00 local: judged from 13:00 local
	(4, 'R-006', '2026-02-10T11:30:00Z', '2026-02-10T12:30:00Z'),	-- 13:30 local
	(5, 'R-007', '2026-02-10T04:00:00Z', '2026-02-10T05:00:00Z'),	-- 7 switches: usual 7 + 2 = 9 not reached
	(6, 'R-007', '2026-02-11T04:00:00Z', '2026-02-11T05:00:00Z'),	-- 10 switches
	(7, 'R-001', '2026-02-10T14:00:00Z', '2026-02-10T17:00:00Z'),	-- 3 h still, but activity 200 min ago
	(8, 'R-001', '2026-02-10T15:00:00Z', '2026-02-10T18:00:00Z');	-- still for 260 min
SELECT c.c, c.rule, d.severity, d.evidence ->> 'baseline' AS baseline,
	   coalesce(d.evidence ->> 'day_threshold_used', d.evidence ->> 'switch_threshold_used', d.evidence ->> 'stillness_minutes_used',
				d.evidence ->> 'judged_from') AS used,
	   coalesce(d.evidence ->> 'usual_day_minutes', d.evidence ->> 'usual_night_switches', d.evidence ->> 'usual_stillness_minutes',
				d.evidence ->> 'usual_first_living_time') AS usual,
	   coalesce(d.evidence ->> 'observed_minutes', d.evidence ->> 'room_switches') AS observed
  FROM pers_cases c LEFT JOIN LATERAL agingos_evaluate(c.s, c.u, c.u, 'aq-pers', ARRAY[c.rule]) d ON true ORDER BY c.c;
-- the same with baseline fixed (rules.md section 3): every case fires
SELECT agingos_load_config($y$
timezone: Europe/Oslo
rules:
  R-001: {params: {motion_categories: [presence, motion], liveness_gate: false}}
  R-006: {params: {liveness_gate: false}}
$y$) IS NOT NULL AS loaded;
SELECT c.c, c.rule, d.severity, d.evidence ? 'baseline' AS has_baseline
  FROM pers_cases c LEFT JOIN LATERAL agingos_evaluate(c.s, c.u, c.u, 'aq-pers', ARRAY[c.rule]) d ON true ORDER BY c.c;

-- case: the profile kept incrementally.  The tick's step learns only the day
-- that ended (02-10), drops the oldest, and learns again a learned day for
-- which an event arrived later (02-09)
SELECT agingos_load_config($y$
rules: {R-004: {baseline: personal}}
$y$) IS NOT NULL AS loaded;
SELECT agingos_profile_maybe_refresh('aq-pers', '2026-02-10T13:00:00Z') AS same_day,
	   agingos_profile_maybe_refresh('aq-pers', '2026-02-11T00:30:00Z') AS next_day;
SELECT count(*) AS days, min(day) AS first, max(day) AS last FROM home_profile_days WHERE home_id = 'aq-pers';
SELECT value, samples FROM home_profile WHERE home_id = 'aq-pers' AND metric = 'bathroom_minutes';
SELECT pg_temp.ev('aq-pers', 'late', '2026-02-09T15:00:00Z', 'presence', '{"state": "on", "room": "kjokken"}') AS stored;
SELECT day, events FROM home_profile_days WHERE home_id = 'aq-pers' AND day >= '2026-02-08' ORDER BY 1;
SELECT agingos_profile_maybe_refresh('aq-pers', '2026-02-12T00:30:00Z') AS next_day;
SELECT day, events FROM home_profile_days WHERE home_id = 'aq-pers' AND day >= '2026-02-08' ORDER BY 1;
SELECT value, samples, days FROM home_profile WHERE home_id = 'aq-pers' AND metric = 'bathroom_minutes';

-- case: R-011 with baseline personal (docs/alarm-quality.md section 8): 8 days
-- (2026-01-10 ... 01-17) of a resident who goes out at 10:00Z for 60, 70, 80, 90
-- minutes (door, hall PIR "off" 90 s later; back: door, hall, kitchen) and
-- lets a visitor in at 14:00Z (door, then the kitchen: not an outing)
SELECT sum(pg_temp.ev('aq-trip', 'o' || d || '-' || k, t, c, p::jsonb)) AS stored
  FROM generate_series(0, 7) d,
	   LATERAL (SELECT '2026-01-10T10:00:00Z'::timestamptz + d * interval '1 day' AS t0,
					   make_interval(mins => 60 + 10 * (d % 4)) AS len) b,
	   LATERAL (VALUES (1, b.t0 - interval '1 minute', 'motion', '{"state": "on", "room": "inngang"}'),
					   (2, b.t0, 'door', '{"state": "open", "door": "front", "room": "inngang"}'),
					   (3, b.t0 + interval '10 seconds', 'door', '{"state": "closed", "door": "front", "room": "inngang"}'),
					   (4, b.t0 + interval '90 seconds', 'motion', '{"state": "off", "room": "inngang"}'),
					   (5, b.t0 + b.len, 'door', '{"state": "open", "door": "front", "room": "inngang"}'),
					   (6, b.t0 + b.len + interval '3 seconds', 'motion', '{"state": "on", "room": "inngang"}'),
					   (7, b.t0 + b.len + interval '8 seconds', 'door', '{"state": "closed", "door": "front", "room": "inngang"}'),
					   (8, b.t0 + b.len + interval '2 minutes', 'presence', '{"state": "on", "room": "kjokken"}'),
					   (9, b.t0 + interval '4 hours', 'door', '{"state": "open", "door": "front", "room": "inngang"}'),
					   (10, b.t0 + interval '4 hours 5 seconds', 'door', '{"state": "closed", "door": "front", "room": "inngang"}'),
					   (11, b.t0 + interval '4 hours 2 minutes', 'presence', '{"state": "on", "room": "kjokken"}')) v(k, t, c, p);
-- 2026-01-19: out at 10:00Z and not back
SELECT sum(pg_temp.ev('aq-trip', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('x-hall', '2026-01-19T09:59:00Z', 'motion', '{"state": "on", "room": "inngang"}'),
			   ('x-open', '2026-01-19T10:00:00Z', 'door', '{"state": "open", "door": "front", "room": "inngang"}'),
			   ('x-close', '2026-01-19T10:00:10Z', 'door', '{"state": "closed", "door": "front", "room": "inngang"}'),
			   ('x-hall-off', '2026-01-19T10:01:30Z', 'motion', '{"state": "off", "room": "inngang"}')) v(id, ts, c, p);
CREATE FUNCTION pg_temp.trip(yaml_params text) RETURNS boolean LANGUAGE sql AS $$
	SELECT agingos.agingos_load_config(format($y$
timezone: Europe/Oslo
locale: en
home_state: {departure_minutes: 10, settle_seconds: 60, state_lookback_minutes: 720}
rules:
  R-011:
    baseline: personal
    params: {max_away_minutes: 360, night_grace_minutes: 60%s}
$y$, yaml_params)) IS NOT NULL $$;
-- trip_at(now...): R-011 at each instant: severity, baseline, usual outing, limit used
CREATE FUNCTION pg_temp.trip_at(VARIADIC ns timestamptz[])
RETURNS TABLE (now text, severity text, baseline text, usual text, used text, outings text) LANGUAGE sql AS $$
	SELECT pg_temp.z(n), d.severity, d.evidence ->> 'baseline', d.evidence ->> 'usual_outing_minutes',
		   d.evidence ->> 'away_minutes_used', d.evidence ->> 'outings_learned'
	  FROM unnest(ns) n
	  LEFT JOIN LATERAL agingos.agingos_evaluate(n - interval '1 hour', n, n, 'aq-trip', '{R-011}') d ON true
	 ORDER BY 1 $$;
SELECT pg_temp.trip('') AS loaded;
-- no profile yet: the fixed 360 minutes
SELECT * FROM pg_temp.trip_at('2026-01-19T12:30:00Z', '2026-01-19T16:00:00Z');
-- a young profile (4 days, 01-10 ... 01-13): still fixed
SELECT agingos_profile_refresh('aq-trip', '2026-01-14T12:00:00Z') > 0 AS learned;
SELECT value, samples, days FROM home_profile WHERE home_id = 'aq-trip' AND metric = 'outing_minutes';
SELECT * FROM pg_temp.trip_at('2026-01-19T12:30:00Z', '2026-01-19T16:00:00Z');
-- the learned profile (8 days, 8 outings; the visitor's door is not one):
-- usual 90 minutes (quantile 0.95), limit max(120, min(90 + 60, 360)) = 150
SELECT agingos_profile_refresh('aq-trip', '2026-01-19T12:00:00Z') > 0 AS learned;
SELECT value, samples, days, quantile FROM home_profile WHERE home_id = 'aq-trip' AND metric = 'outing_minutes';
SELECT * FROM pg_temp.trip_at('2026-01-19T12:29:00Z', '2026-01-19T12:30:00Z');
SELECT explanation FROM agingos_evaluate('2026-01-19T11:30:00Z', '2026-01-19T12:30:00Z', '2026-01-19T12:30:00Z', 'aq-trip', '{R-011}');
-- bounds: the floor (personal_min_minutes 200), the cap (usual 90 + 400 > 360),
-- too few outings (personal_min_outings 9 > 8: fixed)
SELECT pg_temp.trip(', personal_min_minutes: 200') AS loaded;
SELECT * FROM pg_temp.trip_at('2026-01-19T13:19:00Z', '2026-01-19T13:20:00Z');
SELECT pg_temp.trip(', personal_margin_minutes: 400') AS loaded;
SELECT * FROM pg_temp.trip_at('2026-01-19T15:59:00Z', '2026-01-19T16:00:00Z');
SELECT pg_temp.trip(', personal_min_outings: 9') AS loaded;
SELECT * FROM pg_temp.trip_at('2026-01-19T12:30:00Z', '2026-01-19T16:00:00Z');
-- the night keeps its own grace: out at 21:30 local (20:30Z), back home from the
-- morning's outing since 18:00 local: HIGH once out night_grace_minutes (60) at
-- night, before the personal 150 minutes
SELECT pg_temp.trip('') AS loaded;
SELECT sum(pg_temp.ev('aq-trip', id, ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('y-back', '2026-01-19T17:00:00Z', 'presence', '{"state": "on", "room": "kjokken"}'),
			   ('y-back-off', '2026-01-19T17:02:00Z', 'presence', '{"state": "off", "room": "kjokken"}'),
			   ('y-open', '2026-01-19T20:30:00Z', 'door', '{"state": "open", "door": "front", "room": "inngang"}')) v(id, ts, c, p);
SELECT * FROM pg_temp.trip_at('2026-01-19T21:29:00Z', '2026-01-19T21:30:00Z');
-- bad config: the floor above the fixed limit; a negative margin
\set VERBOSITY default
SELECT pg_temp.trip(', personal_min_minutes: 400');
SELECT agingos_load_config($y$
rules: {R-011: {params: {personal_margin_minutes: -1}}}
$y$);
-- with baseline fixed the same floor loads (it is not used)
SELECT agingos_load_config($y$
rules: {R-011: {params: {personal_min_minutes: 400}}}
$y$) #> '{rules,R-011,params,personal_min_minutes}' AS personal_min_minutes;

-- case: bad config for the personal-baseline keys
\set VERBOSITY default
SELECT agingos_load_config($y$
rules: {R-004: {params: {personal_margin_min: -1}}}
$y$);
SELECT agingos_load_config($y$
rules: {R-006: {params: {personal_max_delay_minutes: soon}}}
$y$);
SELECT agingos_load_config($y$
rules: {R-001: {params: {max_stillness_minutes: 0}}}
$y$);
SELECT agingos_load_config($y$
rules: {R-007: {baseline: personal, params: {switch_threshold: 20}}}
$y$);
SELECT agingos_load_config($y$
rules: {R-007: {params: {personal_margin: 1001}}}
$y$);
-- with baseline fixed the same threshold loads (personal_max_threshold is not used)
SELECT agingos_load_config($y$
rules: {R-007: {params: {switch_threshold: 20}}}
$y$) #> '{rules,R-007,params,personal_max_threshold}' AS personal_max_threshold;
DELETE FROM agingos.home_profile WHERE home_id LIKE 'aq-%';
DELETE FROM agingos.home_profile_days WHERE home_id LIKE 'aq-%';
DELETE FROM agingos.home_profile_samples WHERE home_id LIKE 'aq-%';

-- clean up: later files count homes
DELETE FROM agingos.events WHERE home_id LIKE 'aq-%';
DELETE FROM agingos.homes WHERE home_id LIKE 'aq-%';
