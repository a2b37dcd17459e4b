-- test/bench/helpers.sql — helpers of test/bench/bench_engine.sh and test/bench/bench_scheduler.sh.
-- Loaded into the throwaway cluster of `make bench` only (schema agingos_bench); never into
-- a cluster with real data.  Idempotent.

CREATE SCHEMA IF NOT EXISTS agingos_bench;

-- run_ms(stmt, runs, warmup): execute stmt warmup times unmeasured, then runs times, each timed
-- on the server with clock_timestamp(); median, min and max in milliseconds.  The figures
-- include parsing and planning stmt (EXECUTE), which costs a few hundredths of a millisecond.
CREATE OR REPLACE FUNCTION agingos_bench.run_ms(stmt text, runs int DEFAULT 20, warmup int DEFAULT 1,
	OUT median_ms numeric, OUT min_ms numeric, OUT max_ms numeric, OUT n int)
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	d float8[] := '{}';
BEGIN
	FOR i IN 1 .. warmup LOOP
		EXECUTE stmt;
	END LOOP;
	FOR i IN 1 .. runs LOOP
		t0 := clock_timestamp();
		EXECUTE stmt;
		d := d || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
	END LOOP;
	SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 3), round(min(x)::numeric, 3),
		   round(max(x)::numeric, 3), count(*)
	  INTO median_ms, min_ms, max_ms, n
	  FROM unnest(d) AS x;
END
$$;

-- pair_ms(a, b, runs, warmup): like run_ms for two statements, executed alternately (a, b, a,
-- b, …) so that both see the same background load; medians and the median of the per-round
-- ratios a / b.
CREATE OR REPLACE FUNCTION agingos_bench.pair_ms(a text, b text, runs int DEFAULT 3, warmup int DEFAULT 1,
	OUT a_median_ms numeric, OUT b_median_ms numeric, OUT ratio numeric, OUT a_all text, OUT b_all text)
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	da float8[] := '{}';
	db float8[] := '{}';
BEGIN
	FOR i IN 1 .. warmup LOOP
		EXECUTE a;
		EXECUTE b;
	END LOOP;
	FOR i IN 1 .. runs LOOP
		t0 := clock_timestamp();
		EXECUTE a;
		da := da || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
		t0 := clock_timestamp();
		EXECUTE b;
		db := db || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
	END LOOP;
	SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 3), string_agg(round(x::numeric, 1)::text, ' ')
	  INTO a_median_ms, a_all FROM unnest(da) AS x;
	SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 3), string_agg(round(x::numeric, 1)::text, ' ')
	  INTO b_median_ms, b_all FROM unnest(db) AS x;
	SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x / y)::numeric, 2)
	  INTO ratio FROM unnest(da, db) AS u(x, y);
END
$$;

-- day_pattern: one home's day of 5,000 events, as offsets from the start of the day.
-- One event every 17.28 s; every 104th is an ha_snapshot (≈ every 30 min, 49 a day); every 50th
-- (offset 25) a door event at inngang (front door, on/off alternately, ≈ every 14 min); the
-- rest presence on/off pairs cycling through soverom, baderom, kjokken, stue, inngang.
-- room_id is ROOM(payload) as agingos_ingest stores it.
CREATE TABLE IF NOT EXISTS agingos_bench.day_pattern AS
SELECT j, j * interval '17.28 seconds' AS off, x.cat AS category, x.p AS payload,
	   coalesce(nullif(x.p ->> 'room_id', ''), nullif(x.p ->> 'room', '')) AS room_id
  FROM generate_series(0, 4999) AS j,
  LATERAL (SELECT (ARRAY['soverom', 'baderom', 'kjokken', 'stue', 'inngang'])[1 + (j / 2) % 5] AS room) r,
  LATERAL (SELECT CASE WHEN j % 104 = 0 THEN 'ha_snapshot' WHEN j % 50 = 25 THEN 'door' ELSE 'presence' END AS cat,
				  CASE WHEN j % 104 = 0 THEN jsonb_build_object('source', 'home_assistant', 'entities', 37)
					   WHEN j % 50 = 25 THEN jsonb_build_object('entity_id', 'binary_sensor.inngangsdor_contact',
							'room', 'inngang', 'door', 'front', 'state', CASE WHEN (j / 50) % 2 = 0 THEN 'on' ELSE 'off' END)
					   ELSE jsonb_build_object('entity_id', 'binary_sensor.' || r.room || '_presence', 'room', r.room,
							'state', CASE WHEN j % 2 = 0 THEN 'on' ELSE 'off' END)
				  END AS p) x;

-- load_days(home, t_end, days): days × the day pattern for one home, ending just before t_end
-- (event ids d<day>-<j>), directly into agingos.events (a read benchmark needs no ingest
-- validation), and the home in agingos.homes.  Returns the rows added.
CREATE OR REPLACE FUNCTION agingos_bench.load_days(p_home text, t_end timestamptz, days int)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	INSERT INTO agingos.homes (home_id) VALUES (p_home) ON CONFLICT DO NOTHING;
	INSERT INTO agingos.events (home_id, event_id, "timestamp", category, payload, room_id, stream_id)
	SELECT p_home, 'd' || d || '-' || p.j, t_end - (days - d) * interval '1 day' + p.off,
		   p.category, p.payload, p.room_id, 'prod'
	  FROM generate_series(0, days - 1) AS d, agingos_bench.day_pattern p
	 ORDER BY d, p.j;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

-- load_b1k(lo, hi, t_end): homes b1k-<lo>…b1k-<hi> (4 digits), each with one day of the pattern
-- in [t_end - 24 h, t_end) plus one ha_snapshot at t_end - 24 h - k days (k = 1, 2, 3), so that
-- days_with_data is 5 and the baseline rules (R-001, R-005, R-006, R-007) are judged, as in a
-- home with history.  Homes that already have events are skipped.  Returns the rows added.
CREATE OR REPLACE FUNCTION agingos_bench.load_b1k(lo int, hi int, t_end timestamptz)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	h text;
	n bigint := 0;
BEGIN
	FOR g IN lo .. hi LOOP
		h := 'b1k-' || lpad(g::text, 4, '0');
		CONTINUE WHEN EXISTS (SELECT 1 FROM agingos.events e WHERE e.home_id = h);
		n := n + agingos_bench.load_days(h, t_end, 1);
		INSERT INTO agingos.events (home_id, event_id, "timestamp", category, payload, room_id, stream_id)
		SELECT h, 'hist-' || k, t_end - interval '1 day' - k * interval '1 day', 'ha_snapshot',
			   '{"source": "home_assistant", "entities": 37}', NULL, 'prod'
		  FROM generate_series(1, 3) AS k;
		n := n + 3;
	END LOOP;
	RETURN n;
END
$$;

-- load_scale(prefix, lo, hi, t_end, per_day): homes <prefix><lo>…<prefix><hi> (5 digits), each with
-- per_day events evenly spread over [t_end - 24 h, t_end) in the pattern of day_pattern (every
-- 104th an ha_snapshot, every 50th at offset 25 a front-door event at inngang, the rest presence
-- on/off pairs cycling through five rooms) plus one ha_snapshot at t_end - 24 h - k days
-- (k = 1, 2, 3), so days_with_data is 4 and the baseline rules are judged.  One INSERT … SELECT
-- over generate_series for the whole range (no per-home round trip); homes that already have
-- events are skipped.  Returns the rows added.  Used by test/bench/bench_tick10k.sh.
CREATE OR REPLACE FUNCTION agingos_bench.load_scale(prefix text, lo int, hi int, t_end timestamptz, per_day int)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
	m bigint;
	step interval := make_interval(secs => 86400.0 / per_day);
BEGIN
	CREATE TEMP TABLE IF NOT EXISTS load_scale_homes (home_id text PRIMARY KEY) ON COMMIT DROP;
	INSERT INTO load_scale_homes
	SELECT prefix || lpad(g::text, 5, '0') FROM generate_series(lo, hi) g
	 WHERE NOT EXISTS (SELECT 1 FROM agingos.events e WHERE e.home_id = prefix || lpad(g::text, 5, '0'));
	INSERT INTO agingos.homes (home_id) SELECT home_id FROM load_scale_homes ON CONFLICT DO NOTHING;
	INSERT INTO agingos.events (home_id, event_id, "timestamp", category, payload, room_id, stream_id)
	SELECT h.home_id, 's-' || j, t_end - interval '1 day' + j * step, x.cat, x.p,
		   CASE WHEN x.cat = 'ha_snapshot' THEN NULL ELSE r.room END, 'prod'
	  FROM load_scale_homes h, generate_series(0, per_day - 1) AS j,
	  LATERAL (SELECT (ARRAY['soverom', 'baderom', 'kjokken', 'stue', 'inngang'])[1 + (j / 2) % 5] AS room) r0,
	  LATERAL (SELECT CASE WHEN j % 50 = 25 THEN 'inngang' ELSE r0.room END AS room) r,
	  LATERAL (SELECT CASE WHEN j % 104 = 0 THEN 'ha_snapshot' WHEN j % 50 = 25 THEN 'door' ELSE 'presence' END AS cat,
					  CASE WHEN j % 104 = 0 THEN '{"source": "home_assistant", "entities": 37}'::jsonb
						   WHEN j % 50 = 25 THEN jsonb_build_object('entity_id', 'binary_sensor.inngangsdor_contact',
								'room', 'inngang', 'door', 'front', 'state', CASE WHEN (j / 50) % 2 = 0 THEN 'on' ELSE 'off' END)
						   ELSE jsonb_build_object('entity_id', 'binary_sensor.' || r0.room || '_presence', 'room', r0.room,
								'state', CASE WHEN j % 2 = 0 THEN 'on' ELSE 'off' END)
					  END AS p) x
	 ORDER BY h.home_id, j;
	GET DIAGNOSTICS n = ROW_COUNT;
	INSERT INTO agingos.events (home_id, event_id, "timestamp", category, payload, room_id, stream_id)
	SELECT h.home_id, 'hist-' || k, t_end - interval '1 day' - k * interval '1 day', 'ha_snapshot',
		   '{"source": "home_assistant", "entities": 37}', NULL, 'prod'
	  FROM load_scale_homes h, generate_series(1, 3) AS k;
	GET DIAGNOSTICS m = ROW_COUNT;
	DROP TABLE load_scale_homes;
	RETURN n + m;
END
$$;
