-- engine_evaluate: agingos_evaluate, agingos_persist, agingos_rule_truth (contract.md 4; rules.md 1.1, 2, 4).
SET search_path = agingos, public;
-- helpers z(), ev(), run(): schema regress_helpers, made once by setup.sql
-- gating(): the gating keys of rules.md 2.3 out of an evidence object
CREATE FUNCTION pg_temp.gating(e jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_object_agg(k, e -> k) FROM unnest(ARRAY['evaluation_truth', 'gating_reason', 'evaluation_mode',
		'requires_baseline', 'requires_profile', 'profile_mode', 'uses_default_profile', 'days_with_data', 'min_days_required']) k $$;

-- config: R-001 needs 4 days of history and is in the scheduler (lookback 180);
-- R-002 may fall back to the default profile; R-003 needs a profile it cannot
-- have; R-004 counts history but needs none; R-009 in the scheduler (lookback 60)
SELECT agingos_load_config($$
rules:
  R-001:
    enabled_in_scheduler: true
    lookback_minutes: 180
    evaluation_mode: baseline_dependent
    min_days_with_data: 4
    params: {liveness_gate: false}
  R-002:
    evaluation_mode: profile_dependent
    profile_mode: default_window
    uses_default_profile_when_missing: true
  R-003:
    enabled_in_scheduler: true
    evaluation_mode: profile_dependent
  R-004:
    requires_baseline: true
  R-006:
    params: {liveness_gate: false}
  R-009:
    enabled_in_scheduler: true
$$) IS NOT NULL AS loaded;

-- events of home eng (CEST = UTC+2) and of another home on every day (D1)
SELECT sum(regress_helpers.ev('eng', id, ts::timestamptz, c, p::jsonb, s)) AS stored
  FROM (VALUES ('g1', '2026-04-12T09:59:59Z', 'heartbeat', '{}', 'prod'),	-- before [until - 28 d, until)
			   ('g2', '2026-04-12T10:00:00Z', 'heartbeat', '{}', 'prod'),	-- local date 04-12
			   ('g3', '2026-05-01T22:30:00Z', 'heartbeat', '{}', 'prod'),	-- local 05-02 00:30 (UTC date 05-01)
			   ('g5', '2026-05-02T12:00:00Z', 'heartbeat', '{}', 'prod'),	-- local 05-02
			   ('g4', '2026-05-05T12:00:00Z', 'ha_snapshot', '{}', 'test'),	-- local 05-05, any category and stream
			   ('d1', '2026-05-10T00:00:00Z', 'door', '{"state": "open", "door": "front"}', 'prod'),	-- 02:00 local 05-10
			   ('b1', '2026-05-10T08:00:00Z', 'presence', '{"state": "on", "room": "baderom"}', 'prod'),
			   ('b2', '2026-05-10T08:50:00Z', 'presence', '{"state": "off", "room": "baderom"}', 'prod'),
			   ('x1', '2026-05-10T10:00:00Z', 'motion', '{"state": "on"}', 'prod')) v(id, ts, c, p, s);	-- at until = now
SELECT sum(regress_helpers.ev('eng-other', 'o' || n, '2026-04-15T09:30:00Z'::timestamptz + n * interval '1 day', 'motion', '{"state": "on", "room": "stue"}')) AS stored
  FROM generate_series(0, 25) n;

-- case: window mode: every rule, gating applies, rows in rule-id order, timestamp = now
SELECT rule_id, home_id, severity, regress_helpers.z("timestamp") AS ts, regress_helpers.z(window_since) AS since, regress_helpers.z(window_until) AS until
  FROM agingos_evaluate('2026-05-09T22:00:00Z', '2026-05-10T10:00:00Z', '2026-05-10T10:00:00Z', 'eng');
-- gating keys merged into each evidence (local dates 04-12, 05-02, 05-05, 05-10: 4 days)
SELECT rule_id, pg_temp.gating(evidence) AS gating
  FROM agingos_evaluate('2026-05-09T22:00:00Z', '2026-05-10T10:00:00Z', '2026-05-10T10:00:00Z', 'eng')
 ORDER BY rule_id;
SELECT * FROM regress_helpers.run('2026-05-09T22:00:00Z', '2026-05-10T10:00:00Z', '2026-05-10T10:00:00Z', 'eng', '{R-002,R-004,R-006}');
-- the evaluation truth per rule at the same instant (until = now)
SELECT * FROM agingos_rule_truth('eng', '2026-05-10T10:00:00Z') ORDER BY rule_id;

-- case: too little history: until 2026-05-02T10:00Z sees local dates 04-12 and 05-02 only
SELECT * FROM agingos_rule_truth('eng', '2026-05-02T10:00:00Z') ORDER BY rule_id;
SELECT rule_id, severity
  FROM agingos_evaluate('2026-05-02T08:00:00Z', '2026-05-02T10:00:00Z', '2026-05-02T10:00:00Z', 'eng', '{R-001,R-004}');
-- a home without events
SELECT rule_id, evaluation_truth, gating_reason, days_with_data, min_days_required
  FROM agingos_rule_truth('nobody', '2026-05-10T10:00:00Z') WHERE rule_id IN ('R-001', 'R-004') ORDER BY rule_id;

-- case: scheduler mode (no since/until): enabled rules over [now - lookback_minutes, now)
SELECT rule_id, severity, regress_helpers.z(window_since) AS since, regress_helpers.z(window_until) AS until
  FROM agingos_evaluate(now => '2026-05-10T10:00:00Z', home_id => 'eng');
SELECT rule_id FROM agingos_evaluate(now => '2026-05-10T10:00:00Z', home_id => 'eng', rule_ids => '{R-009,R-002}');

-- case: rule_ids: a filter in window mode; duplicates are harmless; '{}' means no rules
SELECT rule_id FROM agingos_evaluate('2026-05-09T22:00:00Z', '2026-05-10T10:00:00Z', '2026-05-10T10:00:00Z', 'eng', '{R-009,R-004,R-009}');
SELECT count(*) AS deviations FROM agingos_evaluate('2026-05-09T22:00:00Z', '2026-05-10T10:00:00Z', '2026-05-10T10:00:00Z', 'eng', '{}');

-- case: deviation_id is a random version 4 UUID, new on every call
SELECT count(*) AS n, count(DISTINCT deviation_id) AS distinct_ids,
	   bool_and(substr(deviation_id::text, 15, 1) = '4' AND substr(deviation_id::text, 20, 1) IN ('8', '9', 'a', 'b')) AS v4
  FROM (SELECT * FROM agingos_evaluate('2026-05-09T22:00:00Z', '2026-05-10T10:00:00Z', '2026-05-10T10:00:00Z', 'eng')
		UNION ALL
		SELECT * FROM agingos_evaluate('2026-05-09T22:00:00Z', '2026-05-10T10:00:00Z', '2026-05-10T10:00:00Z', 'eng')) d;

-- case: argument errors (22023)
SELECT * FROM agingos_evaluate(since => '2026-05-10T08:00:00Z', now => '2026-05-10T10:00:00Z', home_id => 'eng');
SELECT * FROM agingos_evaluate(until => '2026-05-10T08:00:00Z', now => '2026-05-10T10:00:00Z', home_id => 'eng');
SELECT * FROM agingos_evaluate('2026-05-10T08:00:00Z', '2026-05-10T08:00:00Z', '2026-05-10T10:00:00Z', 'eng');
SELECT * FROM agingos_evaluate('2026-05-10T08:00:00Z', '2026-05-10T10:00:00.5Z', '2026-05-10T10:00:00Z', 'eng');
SELECT * FROM agingos_evaluate('-infinity', '2026-05-10T08:00:00Z', '2026-05-10T10:00:00Z', 'eng');
SELECT * FROM agingos_evaluate('2026-05-10T08:00:00Z', '2026-05-10T09:00:00Z', NULL, 'eng');
SELECT * FROM agingos_evaluate('2026-05-10T08:00:00Z', '2026-05-10T09:00:00Z', '2026-05-10T10:00:00Z', NULL);
SELECT * FROM agingos_evaluate('2026-05-10T08:00:00Z', '2026-05-10T09:00:00Z', '2026-05-10T10:00:00Z', 'eng', '{R-001,r-002}');
SELECT * FROM agingos_evaluate('2026-05-10T08:00:00Z', '2026-05-10T09:00:00Z', '2026-05-10T10:00:00Z', 'eng', '{R-011}');
SELECT * FROM agingos_evaluate('2026-05-10T08:00:00Z', '2026-05-10T09:00:00Z', '2026-05-10T10:00:00Z', 'eng', ARRAY['R-001', NULL]);
SELECT * FROM agingos_rule_truth(NULL, '2026-05-10T10:00:00Z');
SELECT * FROM agingos_rule_truth('eng', 'infinity');

-- case: agingos_persist keeps each (home, rule, window) once
SELECT agingos_persist('2026-05-09T22:00:00Z', '2026-05-10T10:00:00Z', '2026-05-10T10:00:00Z', 'eng') AS added;
SELECT agingos_persist('2026-05-09T22:00:00Z', '2026-05-10T10:00:00Z', '2026-05-10T10:00:00Z', 'eng') AS added;
SELECT agingos_persist('2026-05-09T22:00:00Z', '2026-05-10T10:00:00Z', '2026-05-10T11:00:00Z', 'eng') AS added_later_now;
SELECT rule_id, home_id, severity, title, regress_helpers.z("timestamp") AS ts, regress_helpers.z(window_since) AS since, regress_helpers.z(window_until) AS until,
	   evidence->'event_ids' AS event_ids
  FROM agingos.deviations_v1 WHERE home_id = 'eng' ORDER BY rule_id;
-- a new window adds rows for R-001 and R-009; R-006 reports the same day window again: skipped
SELECT agingos_persist('2026-05-10T09:00:00Z', '2026-05-10T10:00:00Z', '2026-05-10T10:00:00Z', 'eng') AS added;
SELECT agingos_persist(NULL, '2026-05-10T10:00:00Z', '2026-05-10T10:00:00Z', 'eng');
SELECT agingos_persist('2026-05-10T10:00:00Z', '2026-05-10T09:00:00Z', '2026-05-10T10:00:00Z', 'eng');

-- cleanup
DELETE FROM agingos.deviations_v1 WHERE home_id = 'eng';
DELETE FROM agingos.events WHERE home_id IN ('eng', 'eng-other');
DELETE FROM agingos.homes WHERE home_id IN ('eng', 'eng-other');
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
