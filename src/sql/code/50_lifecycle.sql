-- agingos install script, part 50: deviation lifecycle and the scheduler tick
-- (tables in src/sql/schema/50_lifecycle_tables.sql).

-- agingos_tick_evaluate(home_id, now): the scheduler-enabled rules of one
-- home, each isolated in a subtransaction, as the tick's home loop
-- evaluates them; writes nothing (src/tick.c).  Internal, for inspection.
CREATE OR REPLACE FUNCTION agingos.agingos_tick_evaluate(home_id text, now timestamptz,
	OUT rule_id text, OUT outcome text, OUT severity text, OUT title text, OUT explanation text,
	OUT evidence jsonb, OUT window_since timestamptz, OUT window_until timestamptz,
	OUT error_sqlstate text, OUT error_message text, OUT expire_after_minutes integer)
RETURNS SETOF record
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_tick_evaluate';
COMMENT ON FUNCTION agingos.agingos_tick_evaluate(text, timestamptz) IS
'Internal: evaluate the scheduler-enabled rules of one home at now; a failing rule is reported as a row (outcome failed), not raised.';

-- agingos_log(message): one LOG line without CONTEXT (contract section 9; src/log.c).
CREATE OR REPLACE FUNCTION agingos.agingos_log(message text)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_log';
COMMENT ON FUNCTION agingos.agingos_log(text) IS 'Internal: write one LOG line to the server log.';

-- agingos_rules(): rule_id, title (config locale), description, in rule-id order
-- (src/rules/catalog.c).
CREATE OR REPLACE FUNCTION agingos.agingos_rules(OUT rule_id text, OUT title text, OUT description text)
RETURNS SETOF record
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'agingos_rules';
COMMENT ON FUNCTION agingos.agingos_rules() IS 'The registered rules R-001..R-011 with title (config locale) and purpose.';

-- agingos_deviation_event(d, event, from_status, at, actor, note): history
-- row + the outbox rows of the change (agingos_notify_lifecycle, part 80) +
-- NOTIFY agingos_deviation with a small JSON payload (no evidence), all in
-- the caller's transaction.  event: open | reopen | escalation |
-- deescalation | ack | stale | manual.  actor: scheduler (the default),
-- key:<key_id>, contact:<contact_id> or sql:<role> (contract.md section 12);
-- note: text given with ACK/CLOSE.
CREATE OR REPLACE FUNCTION agingos.agingos_deviation_event(d agingos.deviations, event text, from_status text, at timestamptz,
	actor text DEFAULT 'scheduler', note text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	INSERT INTO agingos.deviation_history (deviation_id, home_id, rule_id, at, from_status, to_status, severity, reason, actor, note)
	VALUES (d.deviation_id, d.home_id, d.rule_id, at, from_status, d.status, d.severity, event, actor, note);
	PERFORM agingos.agingos_notify_lifecycle(d, event, at);
	PERFORM pg_notify('agingos_deviation', json_build_object(
		'event', CASE event WHEN 'stale' THEN 'close' WHEN 'manual' THEN 'close' ELSE event END,
		'reason', event, 'deviation_id', d.deviation_id, 'home_id', d.home_id, 'rule_id', d.rule_id,
		'status', d.status, 'severity', d.severity, 'at', agingos.agingos_iso(at), 'actor', actor)::text);
END
$$;
COMMENT ON FUNCTION agingos.agingos_deviation_event(agingos.deviations, text, text, timestamptz, text, text) IS
'Internal: record a lifecycle change (with its actor and note) in deviation_history, write its notifications and NOTIFY agingos_deviation.';

-- agingos_upsert_deviation(home_id, rule_id, subject_key, now, severity, title,
-- explanation, evidence, since, until) → 'inserted' | 'updated'
-- rules.md section 5 step 2: update the active row for (home, rule,
-- subject_key) — last_seen_at = now, replace severity, evidence, window,
-- texts, timestamp; keep status and started_at — or insert a new OPEN row
-- (a new episode: 'reopen' in the history when the key had one before).
CREATE OR REPLACE FUNCTION agingos.agingos_upsert_deviation(home_id text, rule_id text, subject_key text, now timestamptz,
	severity text, title text, explanation text, evidence jsonb,
	since timestamptz, until timestamptz)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	d agingos.deviations;
	old_severity text;
	rank CONSTANT jsonb := '{"LOW": 1, "MEDIUM": 2, "HIGH": 3}';
BEGIN
	SELECT x.severity INTO old_severity FROM agingos.deviations x
	 WHERE x.home_id = agingos_upsert_deviation.home_id AND x.rule_id = agingos_upsert_deviation.rule_id
	   AND x.subject_key = agingos_upsert_deviation.subject_key
	   AND x.status IN ('OPEN', 'ACK')
	   FOR UPDATE;
	IF FOUND THEN
		UPDATE agingos.deviations x
		   SET last_seen_at = agingos_upsert_deviation.now, severity = agingos_upsert_deviation.severity,
			   evidence = agingos_upsert_deviation.evidence, window_since = agingos_upsert_deviation.since,
			   window_until = agingos_upsert_deviation.until, title = agingos_upsert_deviation.title,
			   explanation = agingos_upsert_deviation.explanation, "timestamp" = agingos_upsert_deviation.now
		 WHERE x.home_id = agingos_upsert_deviation.home_id AND x.rule_id = agingos_upsert_deviation.rule_id
	   AND x.subject_key = agingos_upsert_deviation.subject_key
		   AND x.status IN ('OPEN', 'ACK')
		RETURNING x.* INTO d;
		IF old_severity <> agingos_upsert_deviation.severity THEN
			PERFORM agingos.agingos_deviation_event(d,
				CASE WHEN (rank ->> agingos_upsert_deviation.severity)::int > (rank ->> old_severity)::int THEN 'escalation' ELSE 'deescalation' END,
				d.status, agingos_upsert_deviation.now, 'scheduler');
		END IF;
		RETURN 'updated';
	END IF;
	INSERT INTO agingos.deviations AS x (home_id, rule_id, subject_key, status, severity, title, explanation,
										 evidence, window_since, window_until, "timestamp", started_at, last_seen_at)
	VALUES (agingos_upsert_deviation.home_id, agingos_upsert_deviation.rule_id, agingos_upsert_deviation.subject_key, 'OPEN',
			agingos_upsert_deviation.severity, agingos_upsert_deviation.title, agingos_upsert_deviation.explanation,
			agingos_upsert_deviation.evidence, agingos_upsert_deviation.since, agingos_upsert_deviation.until,
			agingos_upsert_deviation.now, agingos_upsert_deviation.now, agingos_upsert_deviation.now)
	RETURNING x.* INTO d;
	PERFORM agingos.agingos_deviation_event(d,
		CASE WHEN EXISTS (SELECT 1 FROM agingos.deviations y
						   WHERE y.home_id = agingos_upsert_deviation.home_id AND y.rule_id = agingos_upsert_deviation.rule_id
							 AND y.subject_key = agingos_upsert_deviation.subject_key
							 AND y.status = 'CLOSED') THEN 'reopen' ELSE 'open' END,
		NULL, agingos_upsert_deviation.now, 'scheduler');
	RETURN 'inserted';
END
$$;
COMMENT ON FUNCTION agingos.agingos_upsert_deviation(text, text, text, timestamptz, text, text, text, jsonb, timestamptz, timestamptz) IS
'Internal: rules.md section 5 step 2 for one produced deviation; returns inserted or updated.';

-- agingos_close_stale(home_id, now, failed_rules) → integer rows closed
-- rules.md section 5 step 3: every active row of the home (any subject_key,
-- D30) with last_seen_at < now - expire_after_minutes(rule) becomes CLOSED,
-- except rows of rules that failed in this tick (D18).
CREATE OR REPLACE FUNCTION agingos.agingos_close_stale(home_id text, now timestamptz, failed_rules text[])
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	cfg jsonb := agingos.agingos_config();
	d agingos.deviations;
	c record;
	n integer := 0;
BEGIN
	FOR c IN
		WITH stale AS (
			SELECT x.deviation_id, x.status AS prev
			  FROM agingos.deviations x
			 WHERE x.home_id = agingos_close_stale.home_id AND x.status IN ('OPEN', 'ACK')
			   AND x.rule_id <> ALL (agingos_close_stale.failed_rules)
			   AND x.last_seen_at < agingos_close_stale.now - make_interval(mins => coalesce(
					   (cfg -> 'rules' -> x.rule_id ->> 'expire_after_minutes')::int,
					   (cfg -> 'defaults' ->> 'expire_after_minutes')::int))
			   FOR UPDATE)
		UPDATE agingos.deviations x SET status = 'CLOSED', closed_at = agingos_close_stale.now
		  FROM stale WHERE x.home_id = agingos_close_stale.home_id AND x.deviation_id = stale.deviation_id
		RETURNING x.deviation_id, stale.prev
	LOOP
		SELECT x.* INTO d FROM agingos.deviations x
		 WHERE x.home_id = agingos_close_stale.home_id AND x.deviation_id = c.deviation_id;
		PERFORM agingos.agingos_deviation_event(d, 'stale', c.prev, agingos_close_stale.now, 'scheduler');
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION agingos.agingos_close_stale(text, timestamptz, text[]) IS
'Internal: rules.md section 5 step 3 for one home; rows of failed rules are kept.';

-- agingos_tick_slot(home_id) → integer in [0, 48): the home's lock slot.
-- A scheduler run over bucket b of n visits the homes whose slot % n = b
-- and holds the advisory locks of exactly those slots (docs/scheduler.md
-- "Buckets"); 48 is divisible by 1, 2, 3, 4, 6, 8, 12 and 16.
CREATE OR REPLACE FUNCTION agingos.agingos_tick_slot(home_id text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN (pg_catalog.hashtext(home_id) & 2147483647) % 48;
COMMENT ON FUNCTION agingos.agingos_tick_slot(text) IS
'Internal: the scheduler lock slot of a home, 0..47; its bucket of n is slot % n.';

-- agingos_tick_homes(now, run_id, bucket, buckets, home_ids) → the counters
-- of one run's home loop (src/tick.c): per home, profile refresh,
-- evaluation with rule isolation, upserts, close stale and notifications
-- (rules.md section 5).  bucket NULL: every home; home_ids not NULL: only
-- those homes.  Internal: agingos_scheduler_run takes the locks first.
CREATE OR REPLACE FUNCTION agingos.agingos_tick_homes(now timestamptz, run_id bigint, bucket integer, buckets integer,
	home_ids text[],
	OUT homes integer, OUT rules_total integer, OUT rules_ok integer, OUT rules_failed integer,
	OUT deviations_upserted integer, OUT deviations_opened integer, OUT deviations_closed integer)
RETURNS record
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_tick_homes';
COMMENT ON FUNCTION agingos.agingos_tick_homes(timestamptz, bigint, integer, integer, text[]) IS
'Internal: the home loop of one scheduler run (every home, one bucket, or named homes); the caller holds the slot locks.';

-- agingos_scheduler_run(now, bucket, buckets, home_ids DEFAULT NULL) → jsonb
-- One scheduler run (rules.md section 5) over every home (bucket NULL) or
-- over bucket `bucket` of `buckets` (agingos_tick_slot(home_id) % buckets
-- = bucket); with home_ids, only over those of them that are in homes (a
-- run over named homes, agingos_scheduler_tick_homes).  It first takes,
-- without waiting, the transaction advisory locks
-- (hashtext('agingos.scheduler_tick'), slot) of every slot it covers (with
-- home_ids: only the slots of those homes): if any is held by another run (a slow previous run of the same
-- bucket, a whole tick, a run under another bucket count) it evaluates
-- nothing and returns status skipped, so no home is evaluated by two runs
-- at once.  Then the home loop (agingos_tick_homes, C), one scheduler_runs
-- row (with bucket and buckets) and one LOG line (contract section 9); the
-- whole tick and bucket 0 also prune the bookkeeping older than
-- retention.bookkeeping_days.  Summary: contract section 4, plus bucket and
-- buckets for a bucket run.  Raises 22023 for a NULL now or a bucket
-- outside [0, buckets) with buckets in 1..16.
CREATE OR REPLACE FUNCTION agingos.agingos_scheduler_run(now timestamptz, bucket integer, buckets integer, home_ids text[] DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_now CONSTANT timestamptz := agingos_scheduler_run.now;
	v_bucket CONSTANT integer := agingos_scheduler_run.bucket;
	v_buckets CONSTANT integer := agingos_scheduler_run.buckets;
	v_homes CONSTANT text[] := agingos_scheduler_run.home_ids;
	t0 CONSTANT timestamptz := clock_timestamp();
	run CONSTANT bigint := nextval(pg_get_serial_sequence('agingos.scheduler_runs', 'run_id'));
	n_homes int := 0; n_total int := 0; n_ok int := 0; n_failed int := 0;
	n_upserted int := 0; n_opened int := 0; n_closed int := 0;
	v_status text := 'ok';
	v_error text;
	ms numeric;
	s jsonb;
BEGIN
	IF v_now IS NULL OR NOT isfinite(v_now) THEN	-- (±infinity: no window can end there)
		RAISE EXCEPTION 'argument "now" must %', CASE WHEN v_now IS NULL THEN 'not be null' ELSE 'be a finite instant, not ' || v_now END USING ERRCODE = '22023',
			HINT = 'Call agingos_scheduler_tick() for the current time, or pass an instant.';
	END IF;
	IF v_bucket IS NOT NULL AND (v_buckets IS NULL OR v_buckets NOT BETWEEN 1 AND 16 OR v_bucket NOT BETWEEN 0 AND v_buckets - 1) THEN
		RAISE EXCEPTION 'bucket must be in [0, buckets) with buckets in 1..16'
			USING ERRCODE = '22023', DETAIL = format('bucket = %s, buckets = %s.', v_bucket, coalesce(v_buckets::text, 'NULL')),
			HINT = 'agingos_schedule() creates one job per bucket from scheduler.workers; call agingos_scheduler_tick() for every home.';
	END IF;
	FOR slot IN 0 .. 47 LOOP
		CONTINUE WHEN v_bucket IS NOT NULL AND slot % v_buckets <> v_bucket;
		CONTINUE WHEN v_homes IS NOT NULL AND NOT EXISTS (SELECT 1 FROM unnest(v_homes) h WHERE agingos.agingos_tick_slot(h) = slot);
		IF NOT pg_try_advisory_xact_lock(hashtext('agingos.scheduler_tick'), slot) THEN
			v_status := 'skipped';
			EXIT;
		END IF;
	END LOOP;
	IF v_status = 'ok' THEN
		BEGIN
			SELECT t.homes, t.rules_total, t.rules_ok, t.rules_failed, t.deviations_upserted, t.deviations_opened, t.deviations_closed
			  INTO n_homes, n_total, n_ok, n_failed, n_upserted, n_opened, n_closed
			  FROM agingos.agingos_tick_homes(v_now, run, v_bucket, v_buckets, v_homes) t;
		EXCEPTION WHEN OTHERS THEN
			-- the run as a whole failed (e.g. the config could not be read)
			v_status := 'error';
			GET STACKED DIAGNOSTICS v_error = MESSAGE_TEXT;
		END;
	END IF;
	ms := round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 3);
	INSERT INTO agingos.scheduler_runs (run_id, started_at, now, duration_ms, homes, rules_total, rules_ok, rules_failed,
										deviations_upserted, deviations_opened, deviations_closed, status, error, bucket, buckets)
	OVERRIDING SYSTEM VALUE
	VALUES (run, t0, v_now, ms, n_homes, n_total, n_ok, n_failed, n_upserted, n_opened, n_closed,
			v_status, v_error, v_bucket, CASE WHEN v_bucket IS NOT NULL THEN v_buckets END);
	-- one run prunes (concurrent bucket runs deleting the same rows would wait on each other)
	IF v_status <> 'skipped' AND coalesce(v_bucket, 0) = 0 THEN
		PERFORM agingos.agingos_prune_bookkeeping(v_now);
	END IF;
	s := jsonb_build_object('status', v_status, 'homes', n_homes, 'rules_total', n_total, 'rules_ok', n_ok,
		'rules_failed', n_failed, 'deviations_upserted', n_upserted, 'deviations_opened', n_opened,
		'deviations_closed', n_closed, 'run_id', run, 'duration_ms', ms);
	IF v_bucket IS NOT NULL THEN
		s := s || jsonb_build_object('bucket', v_bucket, 'buckets', v_buckets);
	END IF;
	PERFORM agingos.agingos_log(format('agingos scheduler tick run_id=%s homes=%s rules_total=%s rules_ok=%s rules_failed=%s deviations_upserted=%s deviations_opened=%s deviations_closed=%s duration_ms=%s status=%s%s%s',
		run, n_homes, n_total, n_ok, n_failed, n_upserted, n_opened, n_closed, ms, v_status,
		CASE WHEN v_bucket IS NOT NULL THEN format(' bucket=%s buckets=%s', v_bucket, v_buckets) ELSE '' END,
		CASE WHEN v_error IS NOT NULL THEN ' error=' || to_json(v_error)::text ELSE '' END));
	RETURN s;
END
$$;
COMMENT ON FUNCTION agingos.agingos_scheduler_run(timestamptz, integer, integer, text[]) IS
'Internal: one scheduler run over every home, one bucket or named homes, under the slot locks; returns the contract section 4 summary.';

-- agingos_scheduler_tick(now timestamptz DEFAULT now()) → jsonb summary
-- One scheduler run over every row of homes (rules.md section 5): per home,
-- evaluate the scheduler-enabled rules at now (each isolated), upsert what
-- they produced (each upsert in its own subtransaction), then close stale
-- rows.  Holds every slot lock, so a concurrent tick or bucket run makes it
-- return at once with status skipped (and it makes them skip).  Writes one
-- scheduler_runs row and one LOG line (contract section 9), and prunes its
-- bookkeeping older than retention.bookkeeping_days.  Summary: contract
-- section 4.  The home loop is agingos_tick_homes (src/tick.c).
CREATE OR REPLACE FUNCTION agingos.agingos_scheduler_tick(now timestamptz DEFAULT pg_catalog.now())
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	IF agingos_scheduler_tick.now IS NULL THEN
		RAISE EXCEPTION 'argument "now" must not be null' USING ERRCODE = '22023',
			HINT = 'Call agingos_scheduler_tick() for the current time, or pass an instant.';
	END IF;
	RETURN agingos.agingos_scheduler_run(agingos_scheduler_tick.now, NULL, NULL);
END
$$;
COMMENT ON FUNCTION agingos.agingos_scheduler_tick(timestamptz) IS
'One scheduler run over every home at now: evaluate, upsert, close stale (rules.md section 5); returns the summary of contract section 4 and logs one line.';

-- agingos_scheduler_tick_bucket(bucket, buckets, now DEFAULT now()) → jsonb
-- The same run over one bucket of homes (agingos_tick_slot(home_id) %
-- buckets = bucket), as the pg_cron jobs of scheduler.workers > 1 call it
-- (agingos_schedule); a run whose bucket is still being ticked by its
-- previous run is skipped.  Summary: contract section 4 plus bucket and
-- buckets.  22023 for bucket outside [0, buckets) or buckets outside 1..16.
CREATE OR REPLACE FUNCTION agingos.agingos_scheduler_tick_bucket(bucket integer, buckets integer, now timestamptz DEFAULT pg_catalog.now())
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	IF bucket IS NULL THEN
		RAISE EXCEPTION 'argument "bucket" must not be null' USING ERRCODE = '22023',
			HINT = 'Pass a bucket in [0, buckets), or call agingos_scheduler_tick() for every home.';
	END IF;
	RETURN agingos.agingos_scheduler_run(agingos_scheduler_tick_bucket.now, bucket, buckets);
END
$$;
COMMENT ON FUNCTION agingos.agingos_scheduler_tick_bucket(integer, integer, timestamptz) IS
'One scheduler run over bucket `bucket` of `buckets` (homes by agingos_tick_slot); skipped while its slots are locked by another run.';

-- agingos_scheduler_tick_homes(home_ids text[], now DEFAULT now()) → jsonb
-- The same run over the named homes only (those of them in homes; ids not
-- there are ignored): what a replay at past instants needs, such as
-- agingos-sim --mode db and make demo, so that a time warp never evaluates
-- a real home at a simulated instant (docs/scheduler.md "Runs over named
-- homes", docs/sim.md).  Locks only those homes' slots: a concurrent tick
-- or a bucket run covering one of them makes it return skipped, and the
-- other way round.  Writes a scheduler_runs row and the LOG line like every
-- run.  22023 for NULL or empty home_ids, or NULL now.
CREATE OR REPLACE FUNCTION agingos.agingos_scheduler_tick_homes(home_ids text[], now timestamptz DEFAULT pg_catalog.now())
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	IF home_ids IS NULL OR cardinality(home_ids) = 0 OR array_position(home_ids, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'argument "home_ids" must name at least one home and hold no null'
			USING ERRCODE = '22023', DETAIL = format('home_ids = %s.', coalesce(home_ids::text, 'NULL')),
				  HINT = 'Pass an array of home ids, e.g. ARRAY[''sim-1'', ''sim-2''], or call agingos_scheduler_tick() for every home.';
	END IF;
	IF agingos_scheduler_tick_homes.now IS NULL THEN
		RAISE EXCEPTION 'argument "now" must not be null' USING ERRCODE = '22023',
			HINT = 'Call agingos_scheduler_tick_homes(home_ids) for the current time, or pass an instant.';
	END IF;
	RETURN agingos.agingos_scheduler_run(agingos_scheduler_tick_homes.now, NULL, NULL, home_ids);
END
$$;
COMMENT ON FUNCTION agingos.agingos_scheduler_tick_homes(text[], timestamptz) IS
'One scheduler run over the named homes only (a replay such as agingos-sim): evaluate, upsert, close stale; skipped while one of their slots is locked.';

-- agingos_prune_bookkeeping(now) → integer rows deleted
-- scheduler_runs with "now" older than retention.bookkeeping_days before
-- now, and our jobs' rows of cron.job_run_details older than that by the
-- real clock (pg_cron never purges them itself).
CREATE OR REPLACE FUNCTION agingos.agingos_prune_bookkeeping(p_now timestamptz)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	keep interval := make_interval(days => coalesce((agingos.agingos_config() -> 'retention' ->> 'bookkeeping_days')::int, 7));
	cutoff timestamptz := p_now - keep;
	n integer := 0;
	m integer := 0;
BEGIN
	-- min() reads one entry of scheduler_runs_now_idx; the DELETE runs only
	-- when a row is due, planned for this cutoff (EXECUTE) so that it uses
	-- the same index: a generic plan scans the whole table (docs/bench.md)
	IF (SELECT min(r.now) FROM agingos.scheduler_runs r) < cutoff THEN
		EXECUTE 'DELETE FROM agingos.scheduler_runs r WHERE r.now < $1' USING cutoff;
		GET DIAGNOSTICS n = ROW_COUNT;
	END IF;
	IF to_regclass('cron.job_run_details') IS NOT NULL THEN
		DELETE FROM cron.job_run_details d
		 USING cron.job j
		 WHERE d.jobid = j.jobid AND (j.jobname IN ('agingos-scheduler', 'agingos-retention') OR j.jobname LIKE 'agingos-scheduler-%')
		   AND d.end_time < pg_catalog.now() - keep;
		GET DIAGNOSTICS m = ROW_COUNT;
	END IF;
	RETURN n + m;
END
$$;
COMMENT ON FUNCTION agingos.agingos_prune_bookkeeping(timestamptz) IS
'Internal: delete scheduler_runs and our cron.job_run_details rows older than retention.bookkeeping_days.';
