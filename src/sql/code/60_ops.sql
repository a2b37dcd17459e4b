
-- agingos install script, part 60: operator functions — ACK and close,
-- pg_cron scheduling, retention, health, reset (contract.md section 4).

-- agingos_actor(actor text) → text: the actor recorded in deviation_history
-- (contract.md section 10): NULL → sql:<session_user>; else one of
-- scheduler | key:<key_id> | contact:<contact_id> | sql:<role>, or 22023.
CREATE OR REPLACE FUNCTION agingos.agingos_actor(actor text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	IF actor IS NULL THEN
		RETURN 'sql:' || session_user;
	END IF;
	IF actor !~ '^(scheduler|key:[^[:space:][:cntrl:]]{1,128}|contact:[0-9]{1,19}|sql:[^[:space:][:cntrl:]]{1,128})$' THEN
		RAISE EXCEPTION 'argument "actor": % is not an actor', to_json(left(actor, 64)) USING ERRCODE = '22023',
			DETAIL = 'An actor is scheduler, key:<key_id>, contact:<contact_id> or sql:<role>.',
			HINT = 'Pass NULL to record the session user as sql:<role>.';
	END IF;
	RETURN actor;
END
$$;
COMMENT ON FUNCTION agingos.agingos_actor(text) IS
'Internal: validate a deviation_history actor (contract section 10); NULL means sql:<session_user>; 22023 otherwise.';

-- agingos_lock_deviation(p_id, p_home, p_hint) → deviations row, locked
-- The row by id (and home when p_home is not NULL) FOR UPDATE; P0002 (with
-- p_hint) when absent, 22023 for a NULL id.
CREATE OR REPLACE FUNCTION agingos.agingos_lock_deviation(p_id bigint, p_home text, p_hint text)
RETURNS agingos.deviations
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	d agingos.deviations;
BEGIN
	IF p_id IS NULL THEN
		RAISE EXCEPTION 'argument "deviation_id" must not be null' USING ERRCODE = '22023',
			HINT = 'Pass the deviation_id of a row of deviations.';
	END IF;
	SELECT x.* INTO d FROM agingos.deviations x
	 WHERE x.deviation_id = p_id AND (p_home IS NULL OR x.home_id = p_home) FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'deviation % not found', p_id USING ERRCODE = 'P0002',
			DETAIL = CASE WHEN p_home IS NULL THEN 'No home has a deviation with this id.'
						  ELSE format('Home %s has no deviation with this id.', to_json(p_home)) END,
			HINT = p_hint;
	END IF;
	RETURN d;
END
$$;
COMMENT ON FUNCTION agingos.agingos_lock_deviation(bigint, text, text) IS
'Internal: lock a deviation by id (and home unless NULL); P0002 when absent.';

-- agingos_ack(deviation_id bigint, home_id text DEFAULT NULL, actor text
-- DEFAULT NULL, note text DEFAULT NULL, now timestamptz DEFAULT now())
-- → deviations row.  OPEN → ACK (acked_at = now); an ACK row comes back
-- unchanged; a CLOSED row raises 22023; an id not in the home (any home
-- when home_id is NULL) raises P0002; a bad actor 22023 (agingos_actor).
-- The history row records actor and note; the outbox gets "acked" for
-- every contact already told (docs/notifications.md).
CREATE OR REPLACE FUNCTION agingos.agingos_ack(deviation_id bigint, home_id text DEFAULT NULL, actor text DEFAULT NULL,
	note text DEFAULT NULL, now timestamptz DEFAULT pg_catalog.now())
RETURNS agingos.deviations
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	d agingos.deviations;
	who CONSTANT text := agingos.agingos_actor(agingos_ack.actor);
BEGIN
	IF agingos_ack.now IS NULL THEN
		RAISE EXCEPTION 'argument "now" must not be null' USING ERRCODE = '22023',
			HINT = 'Leave it out for the current time.';
	END IF;
	d := agingos.agingos_lock_deviation(agingos_ack.deviation_id, agingos_ack.home_id,
		'List the home''s deviations with GET /deviations or select from deviations.');
	IF d.status = 'CLOSED' THEN
		RAISE EXCEPTION 'deviation % is closed', d.deviation_id USING ERRCODE = '22023',
			DETAIL = 'A closed deviation cannot be acknowledged; if the rule fires again, a new episode opens.',
			HINT = 'Acknowledge the active deviation of this rule instead (status OPEN).';
	END IF;
	IF d.status = 'ACK' THEN
		RETURN d;
	END IF;
	UPDATE agingos.deviations x SET status = 'ACK', acked_at = agingos_ack.now
	 WHERE x.deviation_id = d.deviation_id RETURNING x.* INTO d;
	PERFORM agingos.agingos_deviation_event(d, 'ack', 'OPEN', d.acked_at, who, agingos_ack.note);
	RETURN d;
END
$$;
COMMENT ON FUNCTION agingos.agingos_ack(bigint, text, text, text, timestamptz) IS
'Acknowledge a deviation: OPEN -> ACK, recording actor (NULL: sql:<session_user>) and note; ACK is returned unchanged; CLOSED raises 22023; unknown id P0002.';

-- agingos_close(deviation_id bigint, home_id text DEFAULT NULL, actor text
-- DEFAULT NULL, note text DEFAULT NULL, now timestamptz DEFAULT now())
-- → deviations row.  Manual close by an admin: active row → CLOSED
-- (closed_at = now, history reason manual with actor and note); a CLOSED
-- row comes back unchanged; unknown id P0002; bad actor 22023.  The outbox
-- gets "closed" for every contact already told.
CREATE OR REPLACE FUNCTION agingos.agingos_close(deviation_id bigint, home_id text DEFAULT NULL, actor text DEFAULT NULL,
	note text DEFAULT NULL, now timestamptz DEFAULT pg_catalog.now())
RETURNS agingos.deviations
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	d agingos.deviations;
	prev text;
	who CONSTANT text := agingos.agingos_actor(agingos_close.actor);
BEGIN
	IF agingos_close.now IS NULL THEN
		RAISE EXCEPTION 'argument "now" must not be null' USING ERRCODE = '22023',
			HINT = 'Leave it out for the current time.';
	END IF;
	d := agingos.agingos_lock_deviation(agingos_close.deviation_id, agingos_close.home_id,
		'List the home''s deviations with GET /deviations?status=ALL.');
	IF d.status = 'CLOSED' THEN
		RETURN d;
	END IF;
	prev := d.status;
	UPDATE agingos.deviations x SET status = 'CLOSED', closed_at = agingos_close.now
	 WHERE x.deviation_id = d.deviation_id RETURNING x.* INTO d;
	PERFORM agingos.agingos_deviation_event(d, 'manual', prev, d.closed_at, who, agingos_close.note);
	RETURN d;
END
$$;
COMMENT ON FUNCTION agingos.agingos_close(bigint, text, text, text, timestamptz) IS
'Close an active deviation by hand (admin), recording actor and note; history reason manual; a CLOSED row is returned unchanged.';

-- agingos_cron_expression(interval_minutes int) → text
-- The exact cron schedule of scheduler.interval_minutes: a divisor of 60 →
-- '*/N * * * *' ('* * * * *' for 1, '0 * * * *' for 60); a multiple of 60
-- dividing 1440 → '0 */H * * *' ('0 0 * * *' for 1440).  The config loader
-- admits no other value; 22023 here otherwise.
CREATE OR REPLACE FUNCTION agingos.agingos_cron_expression(interval_minutes integer)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	IF interval_minutes = 1 THEN RETURN '* * * * *'; END IF;
	IF interval_minutes = 60 THEN RETURN '0 * * * *'; END IF;
	IF interval_minutes = 1440 THEN RETURN '0 0 * * *'; END IF;
	IF interval_minutes BETWEEN 2 AND 59 AND 60 % interval_minutes = 0 THEN
		RETURN format('*/%s * * * *', interval_minutes);
	END IF;
	IF interval_minutes BETWEEN 120 AND 720 AND interval_minutes % 60 = 0 AND 1440 % interval_minutes = 0 THEN
		RETURN format('0 */%s * * *', interval_minutes / 60);
	END IF;
	RAISE EXCEPTION 'scheduler.interval_minutes: % cannot be expressed exactly as a cron schedule', interval_minutes
		USING ERRCODE = '22023',
			  HINT = 'Use one of 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720 or 1440.';
END
$$;
COMMENT ON FUNCTION agingos.agingos_cron_expression(integer) IS
'The exact cron schedule for scheduler.interval_minutes (UTC minutes/hours, pg_cron 1.4).';

-- agingos_schedule() → bigint job id
-- Create or replace the pg_cron job agingos-scheduler (every
-- scheduler.interval_minutes, running agingos_scheduler_tick()) and the
-- daily job agingos-retention (03:17 UTC, agingos_retention()).  Jobs run
-- in cron.database_name as the caller.
CREATE OR REPLACE FUNCTION agingos.agingos_schedule()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	job bigint;
BEGIN
	job := cron.schedule('agingos-scheduler',
		agingos.agingos_cron_expression((agingos.agingos_config() -> 'scheduler' ->> 'interval_minutes')::int),
		'SELECT agingos.agingos_scheduler_tick()');
	PERFORM cron.schedule('agingos-retention', '17 3 * * *', 'SELECT agingos.agingos_retention()');
	RETURN job;
END
$$;
COMMENT ON FUNCTION agingos.agingos_schedule() IS
'Create or replace the pg_cron jobs agingos-scheduler (scheduler.interval_minutes) and agingos-retention (daily); returns the scheduler job id.';

-- agingos_unschedule() → boolean: remove both jobs; true if the scheduler job existed.
CREATE OR REPLACE FUNCTION agingos.agingos_unschedule()
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	existed boolean;
BEGIN
	existed := EXISTS (SELECT 1 FROM cron.job WHERE jobname = 'agingos-scheduler');
	IF existed THEN
		PERFORM cron.unschedule('agingos-scheduler');
	END IF;
	IF EXISTS (SELECT 1 FROM cron.job WHERE jobname = 'agingos-retention') THEN
		PERFORM cron.unschedule('agingos-retention');
	END IF;
	RETURN existed;
END
$$;
COMMENT ON FUNCTION agingos.agingos_unschedule() IS
'Remove the pg_cron jobs agingos-scheduler and agingos-retention; true if the scheduler job existed.';

-- agingos_retention(now timestamptz DEFAULT now()) → jsonb
-- {events_deleted, deviations_deleted, bookkeeping_deleted}: events with
-- "timestamp" before now - retention.events_days; CLOSED deviations with
-- closed_at before now - retention.deviations_days (their history goes
-- with them); OPEN and ACK never; homes never.  Logs one line.
CREATE OR REPLACE FUNCTION agingos.agingos_retention(now timestamptz DEFAULT pg_catalog.now())
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	cfg jsonb := agingos.agingos_config();
	v_now CONSTANT timestamptz := agingos_retention.now;
	ev integer;
	dv integer;
	bk integer;
	t0 CONSTANT timestamptz := clock_timestamp();
BEGIN
	DELETE FROM agingos.events e
	 WHERE e."timestamp" < v_now - make_interval(days => (cfg -> 'retention' ->> 'events_days')::int);
	GET DIAGNOSTICS ev = ROW_COUNT;
	DELETE FROM agingos.deviations d
	 WHERE d.status = 'CLOSED' AND d.closed_at < v_now - make_interval(days => (cfg -> 'retention' ->> 'deviations_days')::int);
	GET DIAGNOSTICS dv = ROW_COUNT;
	-- the outbox rows of deleted deviations (notifications has no foreign key)
	DELETE FROM agingos.notifications n
	 WHERE n.status <> 'pending'
	   AND NOT EXISTS (SELECT 1 FROM agingos.deviations d WHERE d.deviation_id = n.deviation_id);
	bk := agingos.agingos_prune_bookkeeping(v_now);
	PERFORM agingos.agingos_log(format('agingos retention events_deleted=%s deviations_deleted=%s bookkeeping_deleted=%s duration_ms=%s',
		ev, dv, bk, round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 3)));
	RETURN jsonb_build_object('events_deleted', ev, 'deviations_deleted', dv, 'bookkeeping_deleted', bk);
END
$$;
COMMENT ON FUNCTION agingos.agingos_retention(timestamptz) IS
'Daily retention: old events, old CLOSED deviations and bookkeeping rows go; OPEN/ACK deviations and homes never.';

-- agingos_reset() → void: what `make scenario-reset` does — empty events,
-- deviations (with their history and notifications) and deviations_v1.
-- Homes, keys, contacts and config stay.
CREATE OR REPLACE FUNCTION agingos.agingos_reset()
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	TRUNCATE agingos.deviation_history, agingos.deviations, agingos.deviations_v1, agingos.events,
		agingos.notifications;
END
$$;
COMMENT ON FUNCTION agingos.agingos_reset() IS
'Empty events, deviations, deviation_history, notifications and deviations_v1 (make scenario-reset); homes, keys, contacts and config stay.';

-- agingos_health() → jsonb
-- {status ok|degraded|error, reasons[], database{}, config{}, scheduler{},
--  ingest[{home_id, last_event_at, lag_seconds}], counts{}}.  Scheduler lag is
-- the time since the last tick started, against scheduler.interval_minutes:
-- degraded past 2 intervals, error past 5 (and degraded when no job exists).
-- Bounded: one index probe per home; the events count is the planner estimate.
CREATE OR REPLACE FUNCTION agingos.agingos_health()
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	cfg jsonb := agingos.agingos_config();
	interval_min integer := (cfg -> 'scheduler' ->> 'interval_minutes')::int;
	job record;
	last record;
	lag_s numeric;
	reasons jsonb := '[]';
	status text := 'ok';
	c record;
	ingest jsonb;
BEGIN
	IF to_regclass('cron.job') IS NOT NULL THEN
		SELECT j.jobid, j.schedule, j.active INTO job FROM cron.job j WHERE j.jobname = 'agingos-scheduler';
	END IF;
	SELECT r.* INTO last FROM agingos.scheduler_runs r WHERE r.status <> 'skipped' ORDER BY r.run_id DESC LIMIT 1;
	IF last.run_id IS NOT NULL THEN
		lag_s := round(extract(epoch FROM pg_catalog.now() - last.started_at)::numeric, 3);
	END IF;
	IF job.jobid IS NULL OR NOT job.active THEN
		status := 'degraded';
		reasons := reasons || to_jsonb('scheduler job agingos-scheduler is not scheduled or not active'::text);
	ELSIF lag_s IS NULL OR lag_s > 5 * 60 * interval_min THEN
		status := 'error';
		reasons := reasons || to_jsonb(format('scheduler has not run for more than 5 intervals (%s min)', 5 * interval_min));
	ELSIF lag_s > 2 * 60 * interval_min THEN
		status := 'degraded';
		reasons := reasons || to_jsonb(format('scheduler lags more than 2 intervals (%s min)', 2 * interval_min));
	END IF;
	IF last.status = 'error' THEN
		status := 'error';
		reasons := reasons || to_jsonb('the last scheduler tick failed'::text);
	ELSIF coalesce(last.rules_failed, 0) > 0 AND status = 'ok' THEN
		status := 'degraded';
		reasons := reasons || to_jsonb(format('%s rule evaluations failed in the last tick', last.rules_failed));
	END IF;
	SELECT coalesce(jsonb_agg(jsonb_build_object('home_id', h.home_id,
			'last_event_at', agingos.agingos_iso(l.ts),
			'lag_seconds', round(extract(epoch FROM pg_catalog.now() - l.ts)::numeric, 3)) ORDER BY h.home_id), '[]')
	  INTO ingest
	  FROM agingos.homes h
	  LEFT JOIN LATERAL (SELECT e."timestamp" AS ts FROM agingos.events e
						  WHERE e.home_id = h.home_id ORDER BY e."timestamp" DESC LIMIT 1) l ON true;
	SELECT (SELECT count(*) FROM agingos.homes) AS homes,
		   (SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'agingos.events'::regclass) AS events_estimate,
		   (SELECT count(*) FROM agingos.deviations WHERE deviations.status IN ('OPEN', 'ACK')) AS active,
		   (SELECT count(*) FROM agingos.deviations_v1) AS v1
	  INTO c;
	RETURN jsonb_build_object(
		'status', status,
		'reasons', reasons,
		'database', jsonb_build_object('ok', true, 'size_bytes', pg_database_size(current_database()),
									   'server_version', current_setting('server_version')),
		'config', (SELECT jsonb_build_object('version', k.version, 'loaded_at', agingos.agingos_iso(k.loaded_at))
					 FROM agingos.config k ORDER BY k.version DESC LIMIT 1),
		'scheduler', jsonb_build_object(
			'job_present', job.jobid IS NOT NULL, 'job_active', coalesce(job.active, false),
			'schedule', job.schedule, 'interval_minutes', interval_min,
			'last_run', CASE WHEN last.run_id IS NULL THEN NULL ELSE jsonb_build_object(
				'run_id', last.run_id, 'started_at', agingos.agingos_iso(last.started_at),
				'now', agingos.agingos_iso(last.now), 'status', last.status,
				'duration_ms', last.duration_ms, 'rules_failed', last.rules_failed, 'error', last.error) END,
			'lag_seconds', lag_s),
		'ingest', ingest,
		'counts', jsonb_build_object('homes', c.homes, 'events_estimate', c.events_estimate,
									 'deviations_active', c.active, 'deviations_v1', c.v1));
END
$$;
COMMENT ON FUNCTION agingos.agingos_health() IS
'Health report: database, config version, scheduler job and lag against its cadence, ingest lag per home, counts; status ok/degraded/error with reasons.';
