-- tick_profile: the tick's daily profile step (docs/alarm-quality.md "Kept
-- incrementally"): the home loop (src/tick.c, profile_due) skips
-- agingos_profile_maybe_refresh when no rule has baseline personal or the
-- home's last learned day is yesterday in the config's timezone, and leaves
-- every other case to the function.  So a home learns on the first tick of
-- each of its own local days and at no other tick, a home with its own
-- timezone on its own midnight, and a clock gone back learns from scratch.
SET search_path = agingos, public;
CREATE FUNCTION pg_temp.ev(h text, id text, ts timestamptz, cat text, p jsonb DEFAULT '{}')
RETURNS integer LANGUAGE sql AS $$
	INSERT INTO agingos.homes (home_id) VALUES (h) ON CONFLICT DO NOTHING;
	INSERT INTO agingos.events (home_id, event_id, "timestamp", category, payload, room_id, stream_id)
	VALUES (h, id, ts, cat, p, nullif(p ->> 'room', ''), 'prod') RETURNING 1 $$;
-- step(now): one whole tick at now, then per tp- home: the learned days, the
-- last one, and whether this tick learned (learned_at is the transaction's now())
CREATE FUNCTION pg_temp.step(n timestamptz)
RETURNS TABLE (home_id text, status text, days bigint, last_day date, learned_now boolean) LANGUAGE plpgsql AS $$
DECLARE
	st text := agingos.agingos_scheduler_tick(n) ->> 'status';
BEGIN
	RETURN QUERY SELECT p.home_id, st, count(*), max(p.day), max(p.learned_at) = pg_catalog.now()
	  FROM agingos.home_profile_days p WHERE p.home_id LIKE 'tp-%' GROUP BY p.home_id ORDER BY 1;
END $$;

-- config: Europe/Oslo, R-001 with baseline personal
SELECT agingos_load_config($$
timezone: Europe/Oslo
rules:
  R-001:
    baseline: personal
    params: {liveness_gate: false}
$$) IS NOT NULL AS loaded;
-- tp-oslo (the config's zone) and tp-ny (America/New_York): a motion at
-- 12:00 UTC on each of the 10 days up to 2026-03-10
SELECT agingos_set_home_vocabulary('tp-ny', '{"timezone": "America/New_York"}') ->> 'timezone' AS tz;
SELECT sum(pg_temp.ev(h, 'm' || d, '2026-03-10T12:00:00Z'::timestamptz - d * interval '1 day', 'motion', '{"state": "on", "room": "stue"}')) AS stored
  FROM unnest(ARRAY['tp-oslo', 'tp-ny']) h, generate_series(0, 9) d;

-- case: the first tick learns the 28 days before each home's local date
SELECT * FROM pg_temp.step('2026-03-10T12:00:00Z');
SELECT p.home_id, count(*) FILTER (WHERE p.events > 0) AS days_with_events
  FROM home_profile_days p WHERE p.home_id LIKE 'tp-%' GROUP BY 1 ORDER BY 1;
-- case: later the same day (21:00 Oslo, 15:00 New York): nobody learns
SELECT * FROM pg_temp.step('2026-03-10T20:00:00Z');
-- case: 00:30 in Oslo (19:30 in New York): tp-oslo learns 03-10, tp-ny
-- (the function judges it: its own zone) does not
SELECT * FROM pg_temp.step('2026-03-10T23:30:00Z');
-- case: 00:30 in New York (06:30 in Oslo): tp-ny learns 03-10, tp-oslo not again
SELECT * FROM pg_temp.step('2026-03-11T05:30:00Z');
SELECT * FROM pg_temp.step('2026-03-11T06:00:00Z');
-- case: the clock went back (a replay): both learn again from scratch
SELECT * FROM pg_temp.step('2026-03-05T12:00:00Z');
-- case: a home that never learned learns at its first tick
SELECT sum(pg_temp.ev('tp-late', 'm' || d, '2026-03-05T11:00:00Z'::timestamptz - d * interval '1 day', 'motion', '{"state": "on", "room": "stue"}')) AS stored
  FROM generate_series(0, 2) d;
SELECT * FROM pg_temp.step('2026-03-05T12:05:00Z');

-- case: no rule with baseline personal: no home learns, even one never learned
SELECT agingos_load_config($$
timezone: Europe/Oslo
rules:
  R-001:
    params: {liveness_gate: false}
$$) IS NOT NULL AS loaded;
SELECT pg_temp.ev('tp-fixed', 'm1', '2026-03-06T11:00:00Z', 'motion', '{"state": "on", "room": "stue"}') AS stored;
SELECT * FROM pg_temp.step('2026-03-07T12:00:00Z');
SELECT count(*) AS tp_fixed_days FROM home_profile_days WHERE home_id = 'tp-fixed';

DELETE FROM home_profile_samples WHERE home_id LIKE 'tp-%';
DELETE FROM home_profile_days WHERE home_id LIKE 'tp-%';
DELETE FROM home_profile WHERE home_id LIKE 'tp-%';
DELETE FROM deviation_history WHERE home_id LIKE 'tp-%';
DELETE FROM deviations WHERE home_id LIKE 'tp-%';
DELETE FROM events WHERE home_id LIKE 'tp-%';
DELETE FROM home_vocabulary WHERE home_id LIKE 'tp-%';
DELETE FROM homes WHERE home_id LIKE 'tp-%';
