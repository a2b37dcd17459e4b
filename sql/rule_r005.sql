-- rule_r005: R-005 no bathroom activity for a long time (rules.md 3.5, 2.4, D9, D20, D26).
SET search_path = agingos, public;
-- helpers z(), ev(), run(): schema regress_helpers, made once by setup.sql

-- config: defaults (baderom, 24 hours; the gate follows R-009: 15 minutes,
-- [presence, motion, door, heartbeat], any stream)
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;

-- case: one home per row, each with a heartbeat 5 minutes before now = until =
-- 2026-03-02T12:00Z (so the liveness gate is open) and at most one other event
SELECT sum(regress_helpers.ev(h, h || '-hb', '2026-03-02T11:55:00Z', 'heartbeat')) AS stored
  FROM (VALUES ('r005-a'), ('r005-b'), ('r005-c'), ('r005-d'), ('r005-e'), ('r005-f'), ('r005-g'), ('r005-h'), ('r005-i'), ('r005-j')) v(h);
SELECT sum(regress_helpers.ev(h, h || '-1', ts::timestamptz, c, p::jsonb)) AS stored
  FROM (VALUES ('r005-b', '2026-03-01T12:00:00Z', 'presence', '{"state": "on", "room": "baderom"}'),	-- at W's start
			   ('r005-c', '2026-03-01T11:59:59Z', 'presence', '{"state": "on", "room": "baderom"}'),	-- before W
			   ('r005-d', '2026-03-02T08:00:00Z', 'presence', '{"state": "off", "room": "baderom"}'),
			   ('r005-e', '2026-03-02T08:00:00Z', 'presence', '{"room": "baderom"}'),	-- no state: active (D4)
			   ('r005-f', '2026-03-02T08:00:00Z', 'presence', '{"state": "on", "room": "stue"}'),
			   ('r005-g', '2026-03-02T08:00:00Z', 'motion', '{"state": "on", "room": "baderom"}'),
			   ('r005-h', '2026-03-02T08:00:00Z', 'presence', '{"state": "ON", "room_id": "baderom", "room": "stue"}'),
			   ('r005-i', '2026-03-02T08:00:00Z', 'presence', '{"state": 1, "room": "baderom"}'),
			   ('r005-j', '2026-03-02T08:00:00Z', 'presence', '{"state": null, "value": {"on": 1}, "room": "baderom"}')) v(h, ts, c, p);
SELECT h.home, d.severity, d.since, d.until
  FROM (VALUES ('r005-a'), ('r005-b'), ('r005-c'), ('r005-d'), ('r005-e'), ('r005-f'), ('r005-g'), ('r005-h'), ('r005-i'), ('r005-j')) h(home)
  LEFT JOIN LATERAL regress_helpers.run('2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z', '2026-03-02T12:00:00Z', h.home, '{R-005}') d ON true
 ORDER BY h.home;
-- full evidence; the window is W, not [since, until)
SELECT * FROM regress_helpers.run('2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z', '2026-03-02T12:00:00Z', 'r005-a', '{R-005}');
SELECT title, explanation
  FROM agingos_evaluate('2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z', '2026-03-02T12:00:00Z', 'r005-a', '{R-005}');
-- an event exactly at until is outside W (now is later here)
SELECT regress_helpers.ev('r005-a', 'r005-a-at-until', '2026-03-02T12:00:00Z', 'presence', '{"state": "on", "room": "baderom"}') AS stored;
SELECT rule_id, severity, since, until
  FROM regress_helpers.run('2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z', '2026-03-02T12:05:00Z', 'r005-a', '{R-005}');

-- case: the liveness gate (rules.md 2.4): no events, or the last one 16 minutes old
SELECT regress_helpers.ev('r005-old', 'old-hb', '2026-03-02T11:44:00Z', 'heartbeat') AS stored;
SELECT h.home, d.rule_id, d.severity
  FROM (VALUES ('r005-none'), ('r005-old')) h(home)
  LEFT JOIN LATERAL regress_helpers.run('2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z', '2026-03-02T12:00:00Z', h.home, '{R-005,R-009}') d ON true
 ORDER BY h.home, d.rule_id;

-- case: the rule's own liveness overrides (D9): R-009 fires on its own categories,
-- but R-005's gate looks at ha_snapshot with 60 minutes
SELECT agingos_load_config($$
locale: en
rules:
  R-005:
    params:
      liveness_max_age_minutes: 60
      liveness_categories: [ha_snapshot]
      lookback_hours: 2
$$) IS NOT NULL AS loaded;
SELECT regress_helpers.ev('r005-ovr', 'snap', '2026-03-02T11:30:00Z', 'ha_snapshot') AS stored;
SELECT regress_helpers.ev('r005-ovr', 'bath', '2026-03-02T09:59:59Z', 'presence', '{"state": "on", "room": "baderom"}') AS stored;
SELECT * FROM regress_helpers.run('2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z', '2026-03-02T12:00:00Z', 'r005-ovr', '{R-005,R-009}');
SELECT title, explanation
  FROM agingos_evaluate('2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z', '2026-03-02T12:00:00Z', 'r005-ovr', '{R-005}');
-- r005-a has a fresh heartbeat but no ha_snapshot: gated now
SELECT count(*) AS deviations
  FROM regress_helpers.run('2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z', '2026-03-02T12:00:00Z', 'r005-a', '{R-005}');

-- case: R-009's stream filter applies to the gate; a newer event of another stream does not count
SELECT agingos_load_config($$
rules:
  R-009:
    params:
      stream_id: prod
      max_age_minutes: 75
$$) IS NOT NULL AS loaded;
SELECT regress_helpers.ev('r005-stream', 'prod-hb', '2026-03-02T10:45:00Z', 'heartbeat', '{}', 'prod')
	   + regress_helpers.ev('r005-stream', 'test-hb', '2026-03-02T11:59:00Z', 'heartbeat', '{}', 'test') AS stored;
SELECT rule_id, severity FROM regress_helpers.run('2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z', '2026-03-02T12:00:00Z', 'r005-stream', '{R-005,R-009}');
SELECT rule_id, severity FROM regress_helpers.run('2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z', '2026-03-02T12:01:00Z', 'r005-stream', '{R-005,R-009}');

-- cleanup
DELETE FROM agingos.events WHERE home_id LIKE 'r005-%';
DELETE FROM agingos.homes WHERE home_id LIKE 'r005-%';
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
