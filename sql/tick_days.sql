-- tick_days (runs last: its tick advances the deviations sequence): days_with_data (rules.md 2.1) as the gates and the evidence see it.
-- The gates probe the local dates latest first and stop at the largest
-- min_days_with_data (docs/bench.md "days_with_data"); a deviation's evidence
-- and agingos_rule_truth still report the exact count of the 28 days.
SET search_path = agingos, public;
CREATE FUNCTION pg_temp.ev(h text, id text, ts timestamptz, cat text, p jsonb DEFAULT '{}')
RETURNS integer LANGUAGE sql AS $$
	INSERT INTO agingos.homes (home_id) VALUES (h) ON CONFLICT DO NOTHING;
	INSERT INTO agingos.events (home_id, event_id, "timestamp", category, payload, room_id, stream_id)
	VALUES (h, id, ts, cat, p, nullif(p ->> 'room', ''), 'prod') RETURNING 1 $$;
-- days(): the days_with_data of each deviation agingos_evaluate produces at now (scheduler mode)
CREATE FUNCTION pg_temp.days(h text, n timestamptz)
RETURNS TABLE (rule_id text, days_with_data jsonb, min_days_required jsonb) LANGUAGE sql AS $$
	SELECT d.rule_id, d.evidence -> 'days_with_data', d.evidence -> 'min_days_required'
	  FROM agingos.agingos_evaluate(now => n, home_id => h) d ORDER BY d.rule_id $$;

-- config: R-001 (no motion) needs 3 days, R-004 counts days but needs none
SELECT agingos_load_config($$
rules:
  R-001:
    enabled_in_scheduler: true
    lookback_minutes: 180
    evaluation_mode: baseline_dependent
    min_days_with_data: 3
    params: {liveness_gate: false}
  R-004:
    requires_baseline: true
$$) IS NOT NULL AS loaded;

-- home d12: one heartbeat at 12:00 UTC on each of the 12 days before 2026-05-10,
-- home d03: the same on 2 days (+ the motion of 05-10 = 3 local dates),
-- home d02: 1 day (+ 05-10 = 2); each ends with a motion at 06:00 UTC on 05-10
SELECT sum(pg_temp.ev(h, 'hb' || n, '2026-05-10T12:00:00Z'::timestamptz - n * interval '1 day', 'heartbeat'))
  FROM (VALUES ('d12', 12), ('d03', 2), ('d02', 1)) v(h, k), generate_series(1, k) n;
SELECT sum(pg_temp.ev(h, 'm', '2026-05-10T06:00:00Z', 'motion', '{"state": "on", "room": "stue"}'))
  FROM unnest(ARRAY['d12', 'd03', 'd02']) h;

-- case: the gate stops at 3 dates, the evidence has all 13 (12 + 05-10)
SELECT * FROM pg_temp.days('d12', '2026-05-10T10:00:00Z');
SELECT rule_id, evaluation_truth, days_with_data, min_days_required
  FROM agingos_rule_truth('d12', '2026-05-10T10:00:00Z') WHERE rule_id IN ('R-001', 'R-004') ORDER BY rule_id;
-- case: exactly min_days_with_data dates: judged, 3 reported
SELECT * FROM pg_temp.days('d03', '2026-05-10T10:00:00Z');
-- case: fewer: R-001 is WEAK_BASIS (no deviation) with 2 days
SELECT * FROM pg_temp.days('d02', '2026-05-10T10:00:00Z');
SELECT rule_id, evaluation_truth, gating_reason, days_with_data
  FROM agingos_rule_truth('d02', '2026-05-10T10:00:00Z') WHERE rule_id = 'R-001';
-- case: a late event on an older date counts at the next evaluation
SELECT pg_temp.ev('d12', 'late', '2026-04-20T08:00:00Z', 'heartbeat');
SELECT * FROM pg_temp.days('d12', '2026-05-10T10:00:00Z');
-- case: the scheduler tick stores the same figure in the deviation's evidence
SELECT s ->> 'status' AS status, (s ->> 'deviations_opened')::int AS opened
  FROM agingos_scheduler_tick('2026-05-10T10:00:00Z') s;
SELECT home_id, rule_id, evidence -> 'days_with_data' AS days_with_data
  FROM agingos.deviations WHERE home_id IN ('d12', 'd03', 'd02') ORDER BY home_id, rule_id;
-- case: every baseline rule needs 0 days: one probe decides, the evidence is still exact
SELECT agingos_load_config($$
rules:
  R-001:
    enabled_in_scheduler: true
    lookback_minutes: 180
    evaluation_mode: baseline_dependent
    min_days_with_data: 0
    params: {liveness_gate: false}
$$) IS NOT NULL AS loaded;
SELECT * FROM pg_temp.days('d12', '2026-05-10T10:00:00Z');

-- cleanup
DELETE FROM agingos.deviation_history WHERE home_id IN ('d12', 'd03', 'd02');
DELETE FROM agingos.deviations WHERE home_id IN ('d12', 'd03', 'd02');
DELETE FROM agingos.events WHERE home_id IN ('d12', 'd03', 'd02');
DELETE FROM agingos.homes WHERE home_id IN ('d12', 'd03', 'd02');
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
