-- agingos install script, part 80: personal baselines (docs/alarm-quality.md
-- "Personal baselines", rules.md D33): learn agingos.home_profile from a
-- home's own events, one local day at a time.
--
-- Each local date D (in the home's timezone, agingos_home_config()) is
-- learned once, after it has ended, into agingos.home_profile_samples; the
-- profile is then the quantile of each metric's samples of the 28 local days
-- before today.  The tick's daily step (agingos_profile_maybe_refresh) learns
-- only the days not learned yet (normally one) and the days for which events
-- arrived after they were learned (an import of history), so its cost does
-- not grow with the 28 days.

-- agingos_profile_outings(home_id, from, to, cfg): the home's outings whose
-- return lies in [from, to), by the home state of docs/alarm-quality.md
-- section 4 (src/rules/homestate.c) with config cfg (agingos_home_config):
-- a front-door opening d (R-003's door_category, door_name_keys,
-- required_door_name, door_open_value over payload_state_keys) at most one
-- day before from; a = the last front-door event in [d, d +
-- departure_minutes); the return r = the first ACTIVE event of
-- home_state.activity_categories at or after a + settle_seconds.  It is an
-- outing if r comes at or after a + departure_minutes and no sensor
-- (activity category, room) held "on" at a + departure_minutes (its last
-- on/off within state_lookback_minutes); otherwise the resident stayed in.
-- Openings before a belong to the same departure.  Returns (left_at = d,
-- back_at = r).  Internal (no argument checks).
CREATE OR REPLACE FUNCTION agingos.agingos_profile_outings(home_id text, from_ts timestamptz, to_ts timestamptz, cfg jsonb)
RETURNS TABLE (left_at timestamptz, back_at timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_home CONSTANT text := home_id;
	r003 CONSTANT jsonb := cfg -> 'rules' -> 'R-003' -> 'params';
	hs CONSTANT jsonb := cfg -> 'home_state';
	dep CONSTANT interval := make_interval(mins => (hs ->> 'departure_minutes')::int);
	settle CONSTANT interval := make_interval(secs => (hs ->> 'settle_seconds')::int);
	look CONSTANT interval := make_interval(mins => (hs ->> 'state_lookback_minutes')::int);
	cats CONSTANT text[] := ARRAY(SELECT jsonb_array_elements_text(hs -> 'activity_categories'));
	d record;
	a timestamptz;
	r timestamptz;
	busy_until timestamptz := '-infinity';
BEGIN
	FOR d IN
		SELECT e."timestamp" AS ts
		  FROM agingos.events e
		 WHERE e.home_id = v_home AND e.category = r003 ->> 'door_category'
		   AND e."timestamp" >= from_ts - interval '1 day' AND e."timestamp" < to_ts
		   AND lower((SELECT e.payload ->> k FROM jsonb_array_elements_text(r003 -> 'door_name_keys') WITH ORDINALITY x(k, o)
					   WHERE jsonb_typeof(e.payload -> k) IS DISTINCT FROM 'null' AND e.payload ? k ORDER BY x.o LIMIT 1))
			   = lower(r003 ->> 'required_door_name')
		   AND lower((SELECT e.payload ->> k FROM jsonb_array_elements_text(r003 -> 'payload_state_keys') WITH ORDINALITY x(k, o)
					   WHERE jsonb_typeof(e.payload -> k) IS DISTINCT FROM 'null' AND e.payload ? k ORDER BY x.o LIMIT 1))
			   IN (SELECT lower(v) FROM jsonb_array_elements_text(r003 -> 'door_open_value') v)
		 ORDER BY e."timestamp"
	LOOP
		CONTINUE WHEN d.ts <= busy_until;
		SELECT max(e."timestamp") INTO a
		  FROM agingos.events e
		 WHERE e.home_id = v_home AND e.category = r003 ->> 'door_category'
		   AND e."timestamp" >= d.ts AND e."timestamp" < d.ts + dep
		   AND lower((SELECT e.payload ->> k FROM jsonb_array_elements_text(r003 -> 'door_name_keys') WITH ORDINALITY x(k, o)
					   WHERE jsonb_typeof(e.payload -> k) IS DISTINCT FROM 'null' AND e.payload ? k ORDER BY x.o LIMIT 1))
			   = lower(r003 ->> 'required_door_name');
		busy_until := a;
		SELECT min(e."timestamp") INTO r
		  FROM agingos.events e
		 WHERE e.home_id = v_home AND e.category = ANY (cats)
		   AND e."timestamp" >= a + settle AND e."timestamp" < to_ts
		   AND lower(coalesce(e.payload ->> 'state', e.payload ->> 'value', 'on')) = 'on';
		CONTINUE WHEN r IS NULL OR r < a + dep OR r < from_ts;
		CONTINUE WHEN EXISTS (
			SELECT 1 FROM (
				SELECT DISTINCT ON (e.category, e.room_id) lower(coalesce(e.payload ->> 'state', e.payload ->> 'value')) AS s
				  FROM agingos.events e
				 WHERE e.home_id = v_home AND e.category = ANY (cats) AND coalesce(e.room_id, '') <> ''
				   AND e."timestamp" >= a + dep - look AND e."timestamp" < a + dep
				   AND lower(coalesce(e.payload ->> 'state', e.payload ->> 'value')) IN ('on', 'off')
				 ORDER BY e.category, e.room_id, e."timestamp" DESC) last
			 WHERE last.s = 'on');
		left_at := d.ts;
		back_at := r;
		busy_until := r;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION agingos.agingos_profile_outings(text, timestamptz, timestamptz, jsonb) IS
'Internal: a home''s outings (front-door departure to return) whose return lies in a range (docs/alarm-quality.md).';

-- agingos_profile_learn_day(home_id, day): (re)learn the samples of local
-- date day for one home from its events, with the home's effective config
-- (agingos_home_config(home_id): rooms and hours of R-001, R-004, R-006,
-- R-007).  Samples, all integers (docs/alarm-quality.md has the table):
--   wake_minute ''          the first local minute in [04:00, 12:00) of day
--                           with an ACTIVE presence/motion event such that
--                           the hour from it has ACTIVE events in >= 3 rooms;
--   sensor_on_minutes room  minutes from a presence "on" to the room's next
--                           "off", for each "off" on day;
--   bathroom_minutes day|night  R-004's stays (first "on" to the next "off"
--                           of its bathroom_room_id) ending on day and shorter
--                           than sensor_stuck_min, keyed by whether the stay
--                           began in R-004's night hours;
--   living_first_minute ''  the local minute of the first ACTIVE presence in
--                           R-006's living_room_id within its day window;
--   night_switches ''       R-007's count for the night window ending on day
--                           (the most switches within switch_span_minutes,
--                           or the whole night's when that is 0);
--   stillness_minutes 'W-HH'  for each local hour HH of day (ISO weekday W):
--                           the longest time without an ACTIVE event of
--                           R-001's motion_categories reached in that hour;
--   outing_minutes ''       for each outing whose return lies on day
--                           (agingos_profile_outings): minutes from the
--                           front-door opening to the return.
-- ACTIVE as rules.md 1.4 with keys [state, value] and "on".  Writes the
-- day's row of home_profile_days.  Returns the samples written.  Internal
-- (no argument checks; callers pass non-null values).
CREATE OR REPLACE FUNCTION agingos.agingos_profile_learn_day(home_id text, day date)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_home CONSTANT text := home_id;
	v_day CONSTANT date := day;
	cfg CONSTANT jsonb := agingos.agingos_home_config(home_id);
	tz CONSTANT text := cfg ->> 'timezone';
	d0 CONSTANT timestamptz := v_day::timestamp AT TIME ZONE tz;
	d1 CONSTANT timestamptz := (v_day + 1)::timestamp AT TIME ZONE tz;
	r001 CONSTANT jsonb := cfg -> 'rules' -> 'R-001' -> 'params';
	r004 CONSTANT jsonb := cfg -> 'rules' -> 'R-004' -> 'params';
	r006 CONSTANT jsonb := cfg -> 'rules' -> 'R-006' -> 'params';
	r007 CONSTANT jsonb := cfg -> 'rules' -> 'R-007' -> 'params';
	n_events integer;
	n integer := 0;
	k integer;
	ns integer;
	ne integer;
	nw_from timestamptz;
	nw_to timestamptz;
BEGIN
	DELETE FROM agingos.home_profile_samples s WHERE s.home_id = v_home AND s.day = v_day;
	SELECT count(*) INTO n_events FROM agingos.events e
	 WHERE e.home_id = v_home AND e."timestamp" >= d0 AND e."timestamp" < d1;
	INSERT INTO agingos.home_profile_days AS p (home_id, day, events, learned_at)
	VALUES (v_home, v_day, n_events, pg_catalog.now())
	ON CONFLICT ON CONSTRAINT home_profile_days_pkey DO UPDATE SET events = EXCLUDED.events, learned_at = EXCLUDED.learned_at;
	IF n_events = 0 THEN
		RETURN 0;
	END IF;

	-- wake_minute
	WITH act AS (
		SELECT e."timestamp" AS ts, (e."timestamp" AT TIME ZONE tz) AS lt, e.room_id AS room
		  FROM agingos.events e
		 WHERE e.home_id = v_home AND e."timestamp" >= d0 AND e."timestamp" < d1 + interval '1 hour'
		   AND e.category IN ('presence', 'motion')
		   AND lower(coalesce(e.payload ->> 'state', e.payload ->> 'value', 'on')) = 'on')
	INSERT INTO agingos.home_profile_samples (home_id, day, metric, key, value)
	SELECT v_home, v_day, 'wake_minute', '', m
	  FROM (SELECT min(extract(hour FROM a.lt)::int * 60 + extract(minute FROM a.lt)::int) AS m
			  FROM act a
			 WHERE a.ts < d1 AND a.lt::time >= '04:00' AND a.lt::time < '12:00'
			   AND (SELECT count(DISTINCT b.room) FROM act b WHERE b.ts >= a.ts AND b.ts < a.ts + interval '60 minutes') >= 3) f
	 WHERE m IS NOT NULL;
	GET DIAGNOSTICS k = ROW_COUNT;
	n := n + k;

	-- sensor_on_minutes and bathroom_minutes: presence on/off of the day and the day before
	WITH p AS (
		SELECT e.room_id, e."timestamp" AS ts, lower(coalesce(e.payload ->> 'state', e.payload ->> 'value')) AS s
		  FROM agingos.events e
		 WHERE e.home_id = v_home AND e."timestamp" >= d0 - interval '1 day' AND e."timestamp" < d1
		   AND e.category = 'presence' AND e.room_id IS NOT NULL),
	seq AS (
		SELECT p.room_id, p.ts, p.s, lead(p.ts) OVER w AS next_ts, lead(p.s) OVER w AS next_s
		  FROM p WHERE p.s IN ('on', 'off') WINDOW w AS (PARTITION BY p.room_id ORDER BY p.ts))
	INSERT INTO agingos.home_profile_samples (home_id, day, metric, key, value)
	SELECT v_home, v_day, 'sensor_on_minutes', s.room_id, floor(extract(epoch FROM s.next_ts - s.ts) / 60)::int
	  FROM seq s WHERE s.s = 'on' AND s.next_s = 'off' AND s.next_ts >= d0 AND s.next_ts < d1;
	GET DIAGNOSTICS k = ROW_COUNT;
	n := n + k;

	ns := (r004 ->> 'night_start_hour')::int;
	ne := (r004 ->> 'night_end_hour')::int;
	WITH p AS (
		SELECT e."timestamp" AS ts, lower(coalesce(e.payload ->> 'state', e.payload ->> 'value')) AS s
		  FROM agingos.events e
		 WHERE e.home_id = v_home AND e."timestamp" >= d0 - interval '1 day' AND e."timestamp" < d1
		   AND e.category = 'presence' AND e.room_id = r004 ->> 'bathroom_room_id'),
	-- a stay (rules.md 3.4): the first "on" after an "off", up to the next "off"
	g AS (
		SELECT p.ts, p.s, coalesce(count(*) FILTER (WHERE p.s = 'off') OVER (ORDER BY p.ts ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS grp
		  FROM p WHERE p.s IN ('on', 'off')),
	stays AS (
		SELECT min(g.ts) FILTER (WHERE g.s = 'on') AS t_on, max(g.ts) FILTER (WHERE g.s = 'off') AS t_off
		  FROM g GROUP BY g.grp)
	INSERT INTO agingos.home_profile_samples (home_id, day, metric, key, value)
	SELECT v_home, v_day, 'bathroom_minutes',
		   CASE WHEN CASE WHEN ns < ne THEN h >= ns AND h < ne ELSE h >= ns OR h < ne END THEN 'night' ELSE 'day' END, m
	  FROM (SELECT floor(extract(epoch FROM st.t_off - st.t_on) / 60)::int AS m,
				   extract(hour FROM st.t_on AT TIME ZONE (r004 ->> 'tz'))::int AS h
			  FROM stays st
			 WHERE st.t_on IS NOT NULL AND st.t_off IS NOT NULL AND st.t_off >= d0 AND st.t_off < d1) x
	 WHERE m < (r004 ->> 'sensor_stuck_min')::int;
	GET DIAGNOSTICS k = ROW_COUNT;
	n := n + k;

	-- living_first_minute: R-006's day window of day
	INSERT INTO agingos.home_profile_samples (home_id, day, metric, key, value)
	SELECT v_home, v_day, 'living_first_minute', '', m
	  FROM (SELECT min(extract(hour FROM lt)::int * 60 + extract(minute FROM lt)::int) AS m
			  FROM (SELECT e."timestamp" AT TIME ZONE (r006 ->> 'tz') AS lt
					  FROM agingos.events e
					 WHERE e.home_id = v_home AND e.category = 'presence' AND e.room_id = r006 ->> 'living_room_id'
					   AND e."timestamp" >= (v_day::timestamp + make_interval(hours => (r006 ->> 'day_start_hour')::int)) AT TIME ZONE (r006 ->> 'tz')
					   AND e."timestamp" < (v_day::timestamp + make_interval(hours => (r006 ->> 'day_end_hour')::int)) AT TIME ZONE (r006 ->> 'tz')
					   AND lower(coalesce(e.payload ->> 'state', e.payload ->> 'value', 'on')) = 'on') x) f
	 WHERE m IS NOT NULL;
	GET DIAGNOSTICS k = ROW_COUNT;
	n := n + k;

	-- night_switches: the night window of rules.md 3.7 that ends on day
	ns := (r007 ->> 'night_start_hour')::int;
	ne := (r007 ->> 'night_end_hour')::int;
	nw_from := (CASE WHEN ns > ne THEN v_day - 1 ELSE v_day END)::timestamp + make_interval(hours => ns);
	nw_from := nw_from::timestamp AT TIME ZONE (r007 ->> 'tz');
	nw_to := (v_day::timestamp + make_interval(hours => ne)) AT TIME ZONE (r007 ->> 'tz');
	IF EXISTS (SELECT 1 FROM agingos.events e WHERE e.home_id = v_home AND e."timestamp" >= nw_from AND e."timestamp" < nw_to) THEN
		WITH tl AS (
			SELECT e."timestamp" AS ts, e.room_id AS room, e.id
			  FROM agingos.events e
			 WHERE e.home_id = v_home AND e."timestamp" >= nw_from AND e."timestamp" < nw_to
			   AND e.category IN (SELECT jsonb_array_elements_text(r007 -> 'activity_categories'))
			   AND coalesce(e.room_id, '') <> ''
			   AND lower(coalesce(e.payload ->> 'state', e.payload ->> 'value', 'on')) = 'on'),
		sw AS (
			SELECT tl.ts, tl.room, lag(tl.room) OVER w AS prev_room, lag(tl.ts) OVER w AS prev_ts
			  FROM tl WINDOW w AS (ORDER BY tl.ts, tl.id)),
		s AS (
			SELECT sw.ts FROM sw
			 WHERE sw.prev_room IS NOT NULL AND sw.room <> sw.prev_room
			   AND floor(extract(epoch FROM sw.ts - sw.prev_ts) / 60) <= (r007 ->> 'switch_gap_max_min')::int),
		c AS (
			SELECT count(*) OVER (ORDER BY s.ts RANGE BETWEEN make_interval(mins => (r007 ->> 'switch_span_minutes')::int) PRECEDING AND CURRENT ROW) AS n_in
			  FROM s)
		INSERT INTO agingos.home_profile_samples (home_id, day, metric, key, value)
		SELECT v_home, v_day, 'night_switches', '',
			   CASE WHEN (r007 ->> 'switch_span_minutes')::int > 0 THEN coalesce((SELECT max(c.n_in) FROM c), 0)
					ELSE (SELECT count(*) FROM s) END;
		n := n + 1;
	END IF;

	-- outing_minutes: the outings that ended on day (R-011's personal baseline)
	INSERT INTO agingos.home_profile_samples (home_id, day, metric, key, value)
	SELECT v_home, v_day, 'outing_minutes', '', floor(extract(epoch FROM o.back_at - o.left_at) / 60)::int
	  FROM agingos.agingos_profile_outings(v_home, d0, d1, cfg) o;
	GET DIAGNOSTICS k = ROW_COUNT;
	n := n + k;

	-- stillness_minutes: per local hour of day
	WITH act AS (
		SELECT e."timestamp" AS ts
		  FROM agingos.events e
		 WHERE e.home_id = v_home AND e."timestamp" >= d0 - interval '1 day' AND e."timestamp" < d1
		   AND e.category IN (SELECT jsonb_array_elements_text(r001 -> 'motion_categories'))
		   AND lower(coalesce(e.payload ->> 'state', e.payload ->> 'value', 'on')) = 'on'),
	gaps AS (
		SELECT a.ts AS b, lag(a.ts) OVER (ORDER BY a.ts) AS a FROM act a),
	hrs AS (
		SELECT h, (v_day::timestamp + make_interval(hours => h)) AT TIME ZONE tz AS h0,
			   least((v_day::timestamp + make_interval(hours => h + 1)) AT TIME ZONE tz, d1) AS h1
		  FROM generate_series(0, 23) h),
	v AS (
		SELECT hrs.h,
			   greatest((SELECT floor(extract(epoch FROM hrs.h1 - max(a.ts)) / 60)::int FROM act a WHERE a.ts < hrs.h1),
						(SELECT max(floor(extract(epoch FROM g.b - g.a) / 60))::int FROM gaps g
						  WHERE g.a IS NOT NULL AND g.b >= hrs.h0 AND g.b < hrs.h1)) AS m
		  FROM hrs WHERE hrs.h0 < hrs.h1)
	INSERT INTO agingos.home_profile_samples (home_id, day, metric, key, value)
	SELECT v_home, v_day, 'stillness_minutes', extract(isodow FROM v_day)::int || '-' || lpad(v.h::text, 2, '0'), v.m
	  FROM v WHERE v.m IS NOT NULL;
	GET DIAGNOSTICS k = ROW_COUNT;
	n := n + k;
	RETURN n;
END
$$;
COMMENT ON FUNCTION agingos.agingos_profile_learn_day(text, date) IS
'Internal: learn one local day of a home into agingos.home_profile_samples (docs/alarm-quality.md).';

-- agingos_profile_aggregate(home_id, today): rewrite the home's rows of
-- agingos.home_profile from its samples of the 28 local days before today
-- (percentile_disc; quantile per metric: wake_minute 0.9, sensor_on_minutes
-- 0.99, bathroom_minutes 0.95, living_first_minute 0.9, night_switches 0.95,
-- stillness_minutes 0.9, outing_minutes 0.95); days = learned days with events.  Returns the rows
-- written.  Internal.
CREATE OR REPLACE FUNCTION agingos.agingos_profile_aggregate(home_id text, today date)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_home CONSTANT text := home_id;
	n_days integer;
	n integer;
BEGIN
	SELECT count(*) INTO n_days FROM agingos.home_profile_days d
	 WHERE d.home_id = v_home AND d.day >= today - 28 AND d.day < today AND d.events > 0;
	DELETE FROM agingos.home_profile p WHERE p.home_id = v_home;
	INSERT INTO agingos.home_profile (home_id, metric, key, value, samples, days, quantile, updated_for)
	SELECT v_home, s.metric, s.key, percentile_disc(q.q) WITHIN GROUP (ORDER BY s.value), count(*), n_days, q.q, today
	  FROM agingos.home_profile_samples s
	  JOIN (VALUES ('wake_minute', 0.9), ('sensor_on_minutes', 0.99), ('bathroom_minutes', 0.95),
				   ('living_first_minute', 0.9), ('night_switches', 0.95), ('stillness_minutes', 0.9), ('outing_minutes', 0.95)) q(metric, q)
		ON q.metric = s.metric
	 WHERE s.home_id = v_home AND s.day >= today - 28 AND s.day < today
	 GROUP BY s.metric, s.key, q.q;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION agingos.agingos_profile_aggregate(text, date) IS
'Internal: agingos.home_profile of one home as quantiles of its samples of the 28 local days before today (docs/alarm-quality.md).';

-- agingos_profile_refresh(home_id, now): learn the home's profile from
-- scratch: the 28 local days before the local date of now (the home's
-- timezone) are learned again and home_profile rewritten.  Returns the
-- home_profile rows written.  home_id and now must not be null (22023).
CREATE OR REPLACE FUNCTION agingos.agingos_profile_refresh(home_id text, now timestamptz DEFAULT pg_catalog.now())
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_home text := home_id;
	today date;
BEGIN
	IF v_home IS NULL OR now IS NULL THEN
		RAISE EXCEPTION '% must not be null', CASE WHEN v_home IS NULL THEN 'home_id' ELSE 'now' END
			USING ERRCODE = '22023', DETAIL = 'The profile is learned for one home up to one instant.',
				  HINT = 'Pass a home id and an instant, or omit now for the current time.';
	END IF;
	today := (now AT TIME ZONE (agingos.agingos_home_config(v_home) ->> 'timezone'))::date;
	DELETE FROM agingos.home_profile_samples s WHERE s.home_id = v_home;
	DELETE FROM agingos.home_profile_days d WHERE d.home_id = v_home;
	PERFORM agingos.agingos_profile_learn_day(v_home, d::date)
	   FROM generate_series(today - 28, today - 1, interval '1 day') d;
	RETURN agingos.agingos_profile_aggregate(v_home, today);
END
$$;
COMMENT ON FUNCTION agingos.agingos_profile_refresh(text, timestamptz) IS
'Learn agingos.home_profile of one home again from its events of the 28 local days before now''s local date (docs/alarm-quality.md).';

-- agingos_profile_maybe_refresh(home_id, now): the incremental step the
-- scheduler tick takes per home, only if some rule has baseline personal:
-- once per local day (the first tick whose local date is after the last
-- learned day + 1) it learns the days not learned yet within the 28 before
-- today (normally just yesterday), learns again those of the last three
-- learned days for which events were received after the last learning (a
-- late batch; history imported further back needs agingos_profile_refresh),
-- drops samples older than 28 days and rewrites home_profile from the
-- samples.  Other ticks cost one index probe; the tick's home loop
-- (src/tick.c, profile_due) does not even call it when no rule has baseline
-- personal or the last learned day is yesterday in the config's timezone
-- (read by its homes query).  A home learned up to or past
-- now's local date (the clock went back: a replay) is learned again from
-- scratch.  Returns whether it learned.
CREATE OR REPLACE FUNCTION agingos.agingos_profile_maybe_refresh(home_id text, now timestamptz)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	cfg jsonb := agingos.agingos_config();
	v_home text := home_id;
	today date;
	last_day date;
	last_at timestamptz;
	tz text;
	d date;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM jsonb_each(cfg -> 'rules') r WHERE r.value ->> 'baseline' = 'personal') THEN
		RETURN false;
	END IF;
	today := (now AT TIME ZONE (cfg ->> 'timezone'))::date;
	SELECT max(p.day) INTO last_day FROM agingos.home_profile_days p WHERE p.home_id = v_home;
	IF last_day = today - 1 THEN
		RETURN false;
	END IF;
	tz := agingos.agingos_home_config(v_home) ->> 'timezone';
	today := (now AT TIME ZONE tz)::date;
	IF last_day = today - 1 THEN
		RETURN false;
	END IF;
	IF last_day >= today THEN
		-- learned past now: the clock went back (a replay, a test run); learn again
		DELETE FROM agingos.home_profile_samples s WHERE s.home_id = v_home;
		DELETE FROM agingos.home_profile_days p WHERE p.home_id = v_home;
		last_day := NULL;
	END IF;
	IF last_day IS NOT NULL THEN
		SELECT max(p.learned_at) INTO last_at FROM agingos.home_profile_days p WHERE p.home_id = v_home;
		-- the last three learned days, learned before some of their events
		-- arrived (a late batch); older imported history: agingos_profile_refresh
		FOR d IN SELECT DISTINCT (e."timestamp" AT TIME ZONE tz)::date
				   FROM agingos.events e
				  WHERE e.home_id = v_home AND e."timestamp" >= (greatest(today - 28, last_day - 2))::timestamp AT TIME ZONE tz
					AND e."timestamp" < (last_day + 1)::timestamp AT TIME ZONE tz AND e.received_at > last_at LOOP
			PERFORM agingos.agingos_profile_learn_day(v_home, d);
		END LOOP;
	END IF;
	FOR d IN SELECT g::date FROM generate_series(greatest(coalesce(last_day + 1, today - 28), today - 28), today - 1, interval '1 day') g LOOP
		PERFORM agingos.agingos_profile_learn_day(v_home, d);
	END LOOP;
	DELETE FROM agingos.home_profile_samples s WHERE s.home_id = v_home AND s.day < today - 28;
	DELETE FROM agingos.home_profile_days p WHERE p.home_id = v_home AND p.day < today - 28;
	PERFORM agingos.agingos_profile_aggregate(v_home, today);
	RETURN true;
END
$$;
COMMENT ON FUNCTION agingos.agingos_profile_maybe_refresh(text, timestamptz) IS
'Internal: the scheduler tick''s once-per-local-day incremental profile step of one home (docs/alarm-quality.md).';
