
-- agingos install script, part 60: operator functions — ACK and close,
-- pg_cron scheduling, retention, health, reset (contract.md section 4).

-- agingos_ack(deviation_id bigint, home_id text DEFAULT NULL, actor text DEFAULT NULL,
--             note text DEFAULT NULL, now timestamptz DEFAULT now()) → deviations row
-- OPEN → ACK (acked_at = now); an ACK row comes back unchanged; a CLOSED
-- row raises 22023; an id not in home_id (any home when NULL; the caller's
-- homes under row-level security) raises P0002.  actor: key:<key_id>,
-- contact:<contact_id>, sql:<role> or scheduler; NULL means
-- sql:<session_user> (contract.md section 12); note: at most 1000
-- characters, kept in deviation_history.  22023 for a bad actor or note.
-- The row is found by its key (home_id, deviation_id); without home_id (an
-- operator in psql) the home is first looked up by the id alone, the one
-- such lookup (index deviations_deviation_id_idx, docs/scale.md).
CREATE OR REPLACE FUNCTION agingos.agingos_ack(deviation_id bigint, home_id text DEFAULT NULL, actor text DEFAULT NULL,
	note text DEFAULT NULL, now timestamptz DEFAULT pg_catalog.now())
RETURNS agingos.deviations
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	d agingos.deviations;
	v_actor CONSTANT text := agingos.agingos_check_actor(agingos_ack.actor);
	v_note CONSTANT text := agingos.agingos_check_note(agingos_ack.note);
	v_now CONSTANT timestamptz := coalesce(agingos_ack.now, pg_catalog.now());
BEGIN
	SELECT x.* INTO d FROM agingos.deviations x
	 WHERE x.home_id = coalesce(agingos_ack.home_id, (SELECT y.home_id FROM agingos.deviations y WHERE y.deviation_id = agingos_ack.deviation_id))
	   AND x.deviation_id = agingos_ack.deviation_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'deviation % not found', coalesce(agingos_ack.deviation_id::text, 'NULL') USING ERRCODE = 'P0002',
			DETAIL = CASE WHEN agingos_ack.home_id IS NULL THEN 'No deviation with this id is visible.'
						  ELSE format('Home %s has no deviation with this id.', to_json(agingos_ack.home_id)) END,
			HINT = 'List the home''s deviations with GET /deviations or select from deviations.';
	END IF;
	IF d.status = 'CLOSED' THEN
		RAISE EXCEPTION 'deviation % is closed', d.deviation_id USING ERRCODE = '22023',
			DETAIL = 'A closed deviation cannot be acknowledged; if the rule fires again, a new episode opens.',
			HINT = 'Acknowledge the active deviation of this rule instead (status OPEN).';
	END IF;
	IF d.status = 'ACK' THEN
		RETURN d;
	END IF;
	UPDATE agingos.deviations x SET status = 'ACK', acked_at = v_now
	 WHERE x.home_id = d.home_id AND x.deviation_id = d.deviation_id RETURNING x.* INTO d;
	PERFORM agingos.agingos_deviation_event(d, 'ack', 'OPEN', d.acked_at, v_actor, v_note);
	RETURN d;
END
$$;
COMMENT ON FUNCTION agingos.agingos_ack(bigint, text, text, text, timestamptz) IS
'Acknowledge a deviation: OPEN -> ACK, recording actor and note; ACK is returned unchanged; CLOSED raises 22023; unknown id P0002.';

-- agingos_close(deviation_id bigint, home_id text DEFAULT NULL, actor text DEFAULT NULL,
--               note text DEFAULT NULL, now timestamptz DEFAULT now()) → deviations row
-- Manual close: active row → CLOSED (closed_at = now, history reason
-- manual, with actor and note as for agingos_ack); a CLOSED row comes back
-- unchanged; unknown id P0002.  The row is found as in agingos_ack.
CREATE OR REPLACE FUNCTION agingos.agingos_close(deviation_id bigint, home_id text DEFAULT NULL, actor text DEFAULT NULL,
	note text DEFAULT NULL, now timestamptz DEFAULT pg_catalog.now())
RETURNS agingos.deviations
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	d agingos.deviations;
	prev text;
	v_actor CONSTANT text := agingos.agingos_check_actor(agingos_close.actor);
	v_note CONSTANT text := agingos.agingos_check_note(agingos_close.note);
	v_now CONSTANT timestamptz := coalesce(agingos_close.now, pg_catalog.now());
BEGIN
	SELECT x.* INTO d FROM agingos.deviations x
	 WHERE x.home_id = coalesce(agingos_close.home_id, (SELECT y.home_id FROM agingos.deviations y WHERE y.deviation_id = agingos_close.deviation_id))
	   AND x.deviation_id = agingos_close.deviation_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'deviation % not found', coalesce(agingos_close.deviation_id::text, 'NULL') USING ERRCODE = 'P0002',
			DETAIL = CASE WHEN agingos_close.home_id IS NULL THEN 'No deviation with this id is visible.'
						  ELSE format('Home %s has no deviation with this id.', to_json(agingos_close.home_id)) END,
			HINT = 'List the home''s deviations with GET /deviations?status=ALL.';
	END IF;
	IF d.status = 'CLOSED' THEN
		RETURN d;
	END IF;
	prev := d.status;
	UPDATE agingos.deviations x SET status = 'CLOSED', closed_at = v_now
	 WHERE x.home_id = d.home_id AND x.deviation_id = d.deviation_id RETURNING x.* INTO d;
	PERFORM agingos.agingos_deviation_event(d, 'manual', prev, d.closed_at, v_actor, v_note);
	RETURN d;
END
$$;
COMMENT ON FUNCTION agingos.agingos_close(bigint, text, text, text, timestamptz) IS
'Close an active deviation by hand, recording actor and note; history reason manual; a CLOSED row is returned unchanged.';

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
-- scheduler.interval_minutes), the daily job agingos-retention (03:17
-- UTC, agingos_retention()) and the hourly job agingos-partitions (minute
-- 7, agingos_partition_maintenance(): the day partitions of events).  With scheduler.workers = 1 the scheduler job
-- runs agingos_scheduler_tick(); with n > 1 it runs bucket 0 of n and the
-- jobs agingos-scheduler-1 … agingos-scheduler-<n-1> run the other buckets
-- at the same cadence (agingos_scheduler_tick_bucket, docs/scheduler.md);
-- bucket jobs beyond n from an earlier call are removed.  Jobs run in
-- cron.database_name as the caller.  Call it again after changing
-- scheduler.interval_minutes or scheduler.workers.
CREATE OR REPLACE FUNCTION agingos.agingos_schedule()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	job bigint;
	cfg jsonb := agingos.agingos_config();
	cadence text := agingos.agingos_cron_expression((cfg -> 'scheduler' ->> 'interval_minutes')::int);
	n integer := coalesce((cfg -> 'scheduler' ->> 'workers')::int, 1);
	old text;
BEGIN
	IF n = 1 THEN
		job := cron.schedule('agingos-scheduler', cadence, 'SELECT agingos.agingos_scheduler_tick()');
	ELSE
		job := cron.schedule('agingos-scheduler', cadence, format('SELECT agingos.agingos_scheduler_tick_bucket(0, %s)', n));
		FOR b IN 1 .. n - 1 LOOP
			PERFORM cron.schedule(format('agingos-scheduler-%s', b), cadence,
				format('SELECT agingos.agingos_scheduler_tick_bucket(%s, %s)', b, n));
		END LOOP;
	END IF;
	FOR old IN SELECT j.jobname FROM cron.job j
				WHERE j.jobname ~ '^agingos-scheduler-[0-9]+$'
				  AND substr(j.jobname, 19)::int >= n LOOP
		PERFORM cron.unschedule(old);
	END LOOP;
	PERFORM cron.schedule('agingos-retention', '17 3 * * *', 'SELECT agingos.agingos_retention()');
	PERFORM cron.schedule('agingos-partitions', '7 * * * *', 'SELECT agingos.agingos_partition_maintenance()');
	RETURN job;
END
$$;
COMMENT ON FUNCTION agingos.agingos_schedule() IS
'Create or replace the pg_cron jobs agingos-scheduler (plus agingos-scheduler-<i> per extra bucket of scheduler.workers), agingos-retention (daily) and agingos-partitions (hourly); returns the scheduler job id.';

-- agingos_unschedule() → boolean: remove the scheduler job, its bucket jobs,
-- the retention and the partitions jobs; true if the scheduler job existed.
CREATE OR REPLACE FUNCTION agingos.agingos_unschedule()
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	existed boolean;
	old text;
BEGIN
	existed := EXISTS (SELECT 1 FROM cron.job WHERE jobname = 'agingos-scheduler');
	IF existed THEN
		PERFORM cron.unschedule('agingos-scheduler');
	END IF;
	FOR old IN SELECT j.jobname FROM cron.job j WHERE j.jobname ~ '^agingos-scheduler-[0-9]+$' LOOP
		PERFORM cron.unschedule(old);
	END LOOP;
	IF EXISTS (SELECT 1 FROM cron.job WHERE jobname = 'agingos-retention') THEN
		PERFORM cron.unschedule('agingos-retention');
	END IF;
	IF EXISTS (SELECT 1 FROM cron.job WHERE jobname = 'agingos-partitions') THEN
		PERFORM cron.unschedule('agingos-partitions');
	END IF;
	RETURN existed;
END
$$;
COMMENT ON FUNCTION agingos.agingos_unschedule() IS
'Remove the pg_cron jobs agingos-scheduler, agingos-scheduler-<i>, agingos-retention and agingos-partitions; true if the scheduler job existed.';

-- agingos_retention(now timestamptz DEFAULT now()) → jsonb
-- {events_deleted, deviations_deleted, audit_deleted, bookkeeping_deleted}:
-- events with "timestamp" before now - retention.events_days (day
-- partitions past it dropped whole, agingos_events_expire); CLOSED
-- deviations with closed_at before now - retention.deviations_days; OPEN
-- and ACK never; homes never.  The audit (deviation_history, audit_log)
-- outlives the deviations it describes and goes after its own
-- retention.audit_days (by "at").  Logs one line.
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
	au integer;
	au2 integer;
	bk integer;
	t0 CONSTANT timestamptz := clock_timestamp();
BEGIN
	-- whole day partitions dropped, the rest deleted (docs/scale.md)
	ev := agingos.agingos_events_expire(v_now - make_interval(days => (cfg -> 'retention' ->> 'events_days')::int));
	DELETE FROM agingos.deviations d
	 WHERE d.status = 'CLOSED' AND d.closed_at < v_now - make_interval(days => (cfg -> 'retention' ->> 'deviations_days')::int);
	GET DIAGNOSTICS dv = ROW_COUNT;
	-- the outbox rows of deleted deviations (notifications has no foreign key)
	DELETE FROM agingos.notifications n
	 WHERE n.status <> 'pending'
	   AND NOT EXISTS (SELECT 1 FROM agingos.deviations d WHERE d.home_id = n.home_id AND d.deviation_id = n.deviation_id);
	DELETE FROM agingos.deviation_history h
	 WHERE h.at < v_now - make_interval(days => coalesce((cfg -> 'retention' ->> 'audit_days')::int, 730))
	   AND NOT EXISTS (SELECT 1 FROM agingos.deviations d
						WHERE d.home_id = h.home_id AND d.deviation_id = h.deviation_id AND d.status IN ('OPEN', 'ACK'));
	GET DIAGNOSTICS au = ROW_COUNT;
	DELETE FROM agingos.audit_log a
	 WHERE a.at < v_now - make_interval(days => coalesce((cfg -> 'retention' ->> 'audit_days')::int, 730));
	GET DIAGNOSTICS au2 = ROW_COUNT;
	au := au + au2;
	bk := agingos.agingos_prune_bookkeeping(v_now);
	PERFORM agingos.agingos_log(format('agingos retention events_deleted=%s deviations_deleted=%s audit_deleted=%s bookkeeping_deleted=%s duration_ms=%s',
		ev, dv, au, bk, round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 3)));
	RETURN jsonb_build_object('events_deleted', ev, 'deviations_deleted', dv, 'audit_deleted', au, 'bookkeeping_deleted', bk);
END
$$;
COMMENT ON FUNCTION agingos.agingos_retention(timestamptz) IS
'Daily retention: old events, old CLOSED deviations and bookkeeping rows go; OPEN/ACK deviations and homes never.';

-- agingos_reset() → void: what `make scenario-reset` does — empty events,
-- deviations (with their history and notifications) and deviations_v1, and
-- the profile learned from the events (home_profile and its days and
-- samples, docs/alarm-quality.md §8).  Homes, keys, contacts and config stay.
CREATE OR REPLACE FUNCTION agingos.agingos_reset()
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	TRUNCATE agingos.deviation_history, agingos.deviations, agingos.deviations_v1, agingos.events,
		agingos.notifications, agingos.home_profile, agingos.home_profile_days, agingos.home_profile_samples;
END
$$;
COMMENT ON FUNCTION agingos.agingos_reset() IS
'Empty events, deviations, deviation_history, notifications, deviations_v1 and the learned profile (make scenario-reset); homes, keys, contacts and config stay.';

-- agingos_health(home_ids text[] DEFAULT NULL) → jsonb
-- {status ok|degraded|error, reasons[], database{}, config{}, scheduler{},
--  ingest[{home_id, last_event_at, lag_seconds}], counts{}}.  Scheduler lag is
-- the time since the last tick started, against scheduler.interval_minutes:
-- degraded past 2 intervals, error past 5 (and degraded when no job exists).
-- Degraded, too, while the active config enables no rule in the scheduler
-- (decision D31, docs/spec/decisions.md; config.rules_enabled_in_scheduler).
-- home_ids: the homes the caller may see (docs/spec/contract.md §12; GET
-- /health/detail passes the key's homes): NULL means every home.  ingest
-- lists only those homes; counts cover every home (homes, events_estimate =
-- planner estimate summed over the partitions, deviations_active, deviations_v1; counts.scope "all")
-- only when home_ids is NULL or holds every row of homes, else only those
-- homes (homes, events = exact count, deviations_active, deviations_v1;
-- counts.scope "homes").  Bounded: one index probe per home listed.
CREATE OR REPLACE FUNCTION agingos.agingos_health(home_ids text[] DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	cfg jsonb := agingos.agingos_config();
	interval_min integer := (cfg -> 'scheduler' ->> 'interval_minutes')::int;
	n_enabled integer := (SELECT count(*) FROM jsonb_each(cfg -> 'rules') r
						   WHERE (r.value ->> 'enabled_in_scheduler')::boolean);
	ids text[] := agingos_health.home_ids;
	covers_all boolean;
	job record;
	last record;
	lag_s numeric;
	reasons jsonb := '[]';
	status text := 'ok';
	c record;
	counts jsonb;
	ingest jsonb;
BEGIN
	-- ids IS NULL only for the operator (psql): a route passes the caller's homes, and under
	-- row-level security it could not tell whether they are all (docs/security.md).
	covers_all := ids IS NULL;
	SELECT j.jobid, j.schedule, j.active INTO job FROM agingos.agingos_scheduler_job() j;
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
	IF n_enabled = 0 THEN
		IF status = 'ok' THEN
			status := 'degraded';
		END IF;
		reasons := reasons || to_jsonb('no rule is enabled in the scheduler (every rules.<id>.enabled_in_scheduler is false): scheduler ticks judge nothing'::text);
	END IF;
	SELECT coalesce(jsonb_agg(jsonb_build_object('home_id', h.home_id,
			'last_event_at', agingos.agingos_iso(l.ts),
			'lag_seconds', round(extract(epoch FROM pg_catalog.now() - l.ts)::numeric, 3)) ORDER BY h.home_id), '[]')
	  INTO ingest
	  FROM agingos.homes h
	  LEFT JOIN LATERAL (SELECT e."timestamp" AS ts FROM agingos.events e
						  WHERE e.home_id = h.home_id ORDER BY e."timestamp" DESC LIMIT 1) l ON true
	 WHERE ids IS NULL OR h.home_id = ANY (ids);
	IF covers_all THEN
		SELECT (SELECT count(*) FROM agingos.homes) AS homes,
			   (SELECT coalesce(sum(greatest(pc.reltuples, 0)), 0)::bigint FROM pg_partition_tree('agingos.events') t
				 JOIN pg_class pc ON pc.oid = t.relid WHERE t.isleaf) AS events_estimate,
			   (SELECT count(*) FROM agingos.deviations WHERE deviations.status IN ('OPEN', 'ACK')) AS active,
			   (SELECT count(*) FROM agingos.deviations_v1) AS v1
		  INTO c;
		counts := jsonb_build_object('scope', 'all', 'homes', c.homes, 'events_estimate', c.events_estimate,
									 'deviations_active', c.active, 'deviations_v1', c.v1);
	ELSE
		SELECT (SELECT count(*) FROM agingos.homes h WHERE h.home_id = ANY (ids)) AS homes,
			   (SELECT count(*) FROM agingos.events e WHERE e.home_id = ANY (ids)) AS events,
			   (SELECT count(*) FROM agingos.deviations d WHERE d.home_id = ANY (ids) AND d.status IN ('OPEN', 'ACK')) AS active,
			   (SELECT count(*) FROM agingos.deviations_v1 v WHERE v.home_id = ANY (ids)) AS v1
		  INTO c;
		counts := jsonb_build_object('scope', 'homes', 'homes', c.homes, 'events', c.events,
									 'deviations_active', c.active, 'deviations_v1', c.v1);
	END IF;
	RETURN jsonb_build_object(
		'status', status,
		'reasons', reasons,
		'database', jsonb_build_object('ok', true, 'size_bytes', pg_database_size(current_database()),
									   'server_version', current_setting('server_version')),
		'config', coalesce((SELECT jsonb_build_object('version', k.version, 'loaded_at', agingos.agingos_iso(k.loaded_at))
							  FROM agingos.config k ORDER BY k.version DESC LIMIT 1), '{"version": 0, "loaded_at": null}')
				  || jsonb_build_object('rules_enabled_in_scheduler', n_enabled),
		'scheduler', jsonb_build_object(
			'job_present', job.jobid IS NOT NULL, 'job_active', coalesce(job.active, false),
			'schedule', job.schedule, 'interval_minutes', interval_min,
			'last_run', CASE WHEN last.run_id IS NULL THEN NULL ELSE jsonb_build_object(
				'run_id', last.run_id, 'started_at', agingos.agingos_iso(last.started_at),
				'now', agingos.agingos_iso(last.now), 'status', last.status,
				'duration_ms', last.duration_ms, 'rules_failed', last.rules_failed, 'error', last.error) END,
			'lag_seconds', lag_s),
		'ingest', ingest,
		'counts', counts);
END
$$;
COMMENT ON FUNCTION agingos.agingos_health(text[]) IS
'Health report: database, config version and rules enabled in the scheduler, scheduler job and lag against its cadence, ingest lag per home (only home_ids when given), counts (over every home only when home_ids is NULL or covers them all); status ok/degraded/error with reasons.';
