-- rule_r009: R-009 ingest stopped (rules.md 3.9, 2.4).
SET search_path = agingos, public;
-- helpers z(), ev(), run(): schema regress_helpers, made once by setup.sql

-- config: defaults (max age 15 minutes; [presence, motion, door, heartbeat]; any stream)
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;

-- case: no event at all: HIGH, last_event_ts and lag_minutes null; window [since, until)
SELECT * FROM regress_helpers.run('2026-04-01T11:00:00Z', '2026-04-01T12:00:00Z', '2026-04-01T12:00:00Z', 'r009-none', '{R-009}');
SELECT title, explanation
  FROM agingos_evaluate('2026-04-01T11:00:00Z', '2026-04-01T12:00:00Z', '2026-04-01T12:00:00Z', 'r009-none', '{R-009}');

-- case: lag = MINUTES(last.ts, now), floored; fires when lag > max age; one home per row, now = 2026-04-01T12:00Z
SELECT sum(regress_helpers.ev(h, h || '-' || n, ts::timestamptz, c)) AS stored
  FROM (VALUES ('r009-15', 1, '2026-04-01T11:45:00Z', 'heartbeat'),
			   ('r009-15b', 1, '2026-04-01T11:44:00.000001Z', 'presence'),
			   ('r009-16', 1, '2026-04-01T11:44:00Z', 'door'),
			   ('r009-now', 1, '2026-04-01T12:00:00Z', 'motion'),	-- ts = now: not visible
			   ('r009-now', 2, '2026-04-01T12:30:00Z', 'motion'),	-- stored "future" event: not visible
			   ('r009-cat', 1, '2026-04-01T11:59:00Z', 'ha_snapshot'),
			   ('r009-cat', 2, '2026-04-01T11:59:00Z', 'Heartbeat'),
			   ('r009-old', 1, '2025-01-01T00:00:00Z', 'motion'),
			   ('r009-multi', 1, '2026-04-01T11:30:00Z', 'door'),
			   ('r009-multi', 2, '2026-04-01T11:50:00Z', 'motion'),
			   ('r009-multi', 3, '2026-04-01T11:40:00Z', 'heartbeat')) v(h, n, ts, c);
SELECT h.home, d.severity, d.evidence->'last_event_ts' AS last_event_ts, d.evidence->'lag_minutes' AS lag
  FROM (VALUES ('r009-15'), ('r009-15b'), ('r009-16'), ('r009-now'), ('r009-cat'), ('r009-old'), ('r009-multi')) h(home)
  LEFT JOIN LATERAL regress_helpers.run('2026-04-01T11:00:00Z', '2026-04-01T12:00:00Z', '2026-04-01T12:00:00Z', h.home, '{R-009}') d ON true
 ORDER BY h.home;
-- since and until do not affect the check, only the reported window
SELECT * FROM regress_helpers.run('2026-03-01T00:00:00Z', '2026-03-01T00:00:00.5Z', '2026-04-01T12:06:00Z', 'r009-multi', '{R-009}');

-- case: stream filter, own categories and max age (the scenario setting): only prod
-- ha_snapshot events count, even when newer rows of another stream exist
SELECT agingos_load_config($$
locale: en
rules:
  R-009:
    params:
      stream_id: prod
      liveness_categories: [ha_snapshot]
      max_age_minutes: 75
$$) IS NOT NULL AS loaded;
SELECT regress_helpers.ev('r009-s', 'prod-1', '2026-04-01T10:00:00Z', 'ha_snapshot', '{}', 'prod')
	   + regress_helpers.ev('r009-s', 'hb-1', '2026-04-01T11:58:00Z', 'heartbeat', '{}', 'prod') AS stored;
SELECT sum(regress_helpers.ev('r009-s', 'test-' || n, '2026-04-01T11:00:00Z'::timestamptz + n * interval '1 minute', 'ha_snapshot', '{}', 'test')) AS stored
  FROM generate_series(0, 59) n;
SELECT * FROM regress_helpers.run('2026-04-01T11:00:00Z', '2026-04-01T12:00:00Z', '2026-04-01T12:00:00Z', 'r009-s', '{R-009}');
SELECT count(*) AS deviations
  FROM regress_helpers.run('2026-04-01T11:00:00Z', '2026-04-01T11:15:00Z', '2026-04-01T11:15:00Z', 'r009-s', '{R-009}');
SELECT title, explanation
  FROM agingos_evaluate('2026-04-01T11:00:00Z', '2026-04-01T12:00:00Z', '2026-04-01T12:00:00Z', 'r009-s', '{R-009}');

-- case: max age 0: any whole minute of silence fires; scheduler mode reports [now - lookback, now)
SELECT agingos_load_config($$
rules:
  R-009:
    enabled_in_scheduler: true
    lookback_minutes: 45
    params:
      max_age_minutes: 0
$$) IS NOT NULL AS loaded;
SELECT regress_helpers.ev('r009-zero', 'z1', '2026-04-01T11:59:00Z', 'heartbeat') AS stored;
SELECT regress_helpers.z(w.now) AS now, d.severity, d.since, d.until, d.evidence->'lag_minutes' AS lag
  FROM (VALUES ('2026-04-01T11:59:59.999999Z'::timestamptz), ('2026-04-01T12:00:00Z')) w(now)
  LEFT JOIN LATERAL (SELECT e.severity, regress_helpers.z(e.window_since) AS since, regress_helpers.z(e.window_until) AS until, e.evidence
					   FROM agingos_evaluate(now => w.now, home_id => 'r009-zero') e) d ON true
 ORDER BY w.now;

-- cleanup
DELETE FROM agingos.events WHERE home_id LIKE 'r009-%';
DELETE FROM agingos.homes WHERE home_id LIKE 'r009-%';
SELECT agingos_load_config('rules: {R-001: {}}  # schema defaults (D31: a rules block is required)') IS NOT NULL AS loaded;
