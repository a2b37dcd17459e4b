-- agingos install script, part 80: personal baselines (docs/alarm-quality.md,
-- rules.md D33): learn agingos.home_profile from a home's own events.

-- agingos_profile_refresh(home_id, now): recompute the home's profile from its
-- events of the 28 local days before the local date of now (top-level
-- timezone): wake_minute = quantile 0.9 over those days of the first local
-- minute in [04:00, 12:00) with an ACTIVE presence/motion event such that the
-- hour from it has ACTIVE events in at least 3 rooms (a night bathroom visit,
-- bedroom - bathroom - bedroom, is not a wake-up);
-- sensor_on_minutes per room = quantile 0.99 of the minutes from a presence
-- "on" to the room's next "off".  Returns the rows written.  home_id and now
-- must not be null (22023).
CREATE OR REPLACE FUNCTION agingos.agingos_profile_refresh(home_id text, now timestamptz DEFAULT pg_catalog.now())
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_home text := home_id;
	tz text := agingos.agingos_config() ->> 'timezone';
	today date;
	d_end timestamptz;
	d_start timestamptz;
	n_days integer;
	n integer;
BEGIN
	IF v_home IS NULL OR now IS NULL THEN
		RAISE EXCEPTION '% must not be null', CASE WHEN v_home IS NULL THEN 'home_id' ELSE 'now' END
			USING ERRCODE = '22023', DETAIL = 'The profile is learned for one home up to one instant.',
				  HINT = 'Pass a home id and an instant, or omit now for the current time.';
	END IF;
	today := (now AT TIME ZONE tz)::date;
	d_end := today::timestamp AT TIME ZONE tz;
	d_start := (today - 28)::timestamp AT TIME ZONE tz;
	SELECT count(DISTINCT (e."timestamp" AT TIME ZONE tz)::date) INTO n_days
	  FROM agingos.events e WHERE e.home_id = v_home AND e."timestamp" >= d_start AND e."timestamp" < d_end;
	DELETE FROM agingos.home_profile p WHERE p.home_id = v_home;
	WITH act AS (
		SELECT e."timestamp" AS ts, (e."timestamp" AT TIME ZONE tz) AS lt, e.room_id AS room
		  FROM agingos.events e
		 WHERE e.home_id = v_home AND e."timestamp" >= d_start AND e."timestamp" < d_end
		   AND e.category IN ('presence', 'motion')
		   AND lower(coalesce(e.payload ->> 'state', e.payload ->> 'value', 'on')) = 'on'),
	-- per room, its ACTIVE instants in order: the rooms active in [t, t + 60 min)
	-- are those with an instant >= t and < t + 60 min, i.e. whose counts of
	-- instants <= t + 60 min - 1 us and <= t - 1 us (width_bucket, a binary
	-- search) differ: the same as count(DISTINCT room) over that hour, in
	-- O(log n) per room instead of a scan of every event (docs/bench.md)
	rooms AS MATERIALIZED (
		SELECT array_agg(b.ts ORDER BY b.ts) AS tss FROM act b WHERE b.room IS NOT NULL GROUP BY b.room),
	firsts AS (
		SELECT a.lt::date AS d, min(extract(hour FROM a.lt)::int * 60 + extract(minute FROM a.lt)::int) AS m
		  FROM act a
		 WHERE a.lt::time >= '04:00' AND a.lt::time < '12:00'
		   AND (SELECT count(*) FROM rooms r
				 WHERE width_bucket(a.ts + interval '60 minutes' - interval '1 microsecond', r.tss)
					   > width_bucket(a.ts - interval '1 microsecond', r.tss)) >= 3
		 GROUP BY 1)
	INSERT INTO agingos.home_profile (home_id, metric, key, value, samples, days, quantile, updated_for)
	SELECT v_home, 'wake_minute', '', percentile_disc(0.9) WITHIN GROUP (ORDER BY f.m), count(*), n_days, 0.9, today
	  FROM firsts f HAVING count(*) > 0;
	WITH p AS (
		SELECT e.room_id, e."timestamp" AS ts, lower(coalesce(e.payload ->> 'state', e.payload ->> 'value')) AS s
		  FROM agingos.events e
		 WHERE e.home_id = v_home AND e."timestamp" >= d_start AND e."timestamp" < d_end
		   AND e.category = 'presence' AND e.room_id IS NOT NULL),
	seq AS (
		SELECT p.room_id, p.ts, p.s, lead(p.ts) OVER w AS next_ts, lead(p.s) OVER w AS next_s
		  FROM p WHERE p.s IN ('on', 'off') WINDOW w AS (PARTITION BY p.room_id ORDER BY p.ts)),
	segs AS (
		SELECT s.room_id, floor(extract(epoch FROM s.next_ts - s.ts) / 60)::int AS minutes
		  FROM seq s WHERE s.s = 'on' AND s.next_s = 'off')
	INSERT INTO agingos.home_profile (home_id, metric, key, value, samples, days, quantile, updated_for)
	SELECT v_home, 'sensor_on_minutes', g.room_id, percentile_disc(0.99) WITHIN GROUP (ORDER BY g.minutes), count(*), n_days, 0.99, today
	  FROM segs g GROUP BY g.room_id;
	SELECT count(*) INTO n FROM agingos.home_profile p WHERE p.home_id = v_home;
	RETURN n;
END
$$;
COMMENT ON FUNCTION agingos.agingos_profile_refresh(text, timestamptz) IS
'Recompute agingos.home_profile for one home from its events of the 28 local days before now''s local date (docs/alarm-quality.md).';

-- agingos_profile_maybe_refresh(home_id, now): the incremental step the
-- scheduler tick takes per home: refresh once per local day (when the stored
-- profile covers a date before now's), only if some rule has baseline personal.
CREATE OR REPLACE FUNCTION agingos.agingos_profile_maybe_refresh(home_id text, now timestamptz)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	cfg jsonb := agingos.agingos_config();
	v_home text := home_id;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM jsonb_each(cfg -> 'rules') r WHERE r.value ->> 'baseline' = 'personal') THEN
		RETURN false;
	END IF;
	IF EXISTS (SELECT 1 FROM agingos.home_profile p
				WHERE p.home_id = v_home AND p.updated_for >= (now AT TIME ZONE (cfg ->> 'timezone'))::date) THEN
		RETURN false;
	END IF;
	PERFORM agingos.agingos_profile_refresh(v_home, now);
	-- a home with nothing to learn yet still records that today was looked at
	IF NOT EXISTS (SELECT 1 FROM agingos.home_profile p WHERE p.home_id = v_home) THEN
		INSERT INTO agingos.home_profile (home_id, metric, key, value, samples, days, quantile, updated_for)
		VALUES (v_home, 'wake_minute', '', -1, 0, 0, 0.9, (now AT TIME ZONE (cfg ->> 'timezone'))::date);
	END IF;
	RETURN true;
END
$$;
COMMENT ON FUNCTION agingos.agingos_profile_maybe_refresh(text, timestamptz) IS
'Internal: the scheduler tick''s once-per-local-day profile refresh of one home (docs/alarm-quality.md).';
