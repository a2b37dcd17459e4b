
-- agingos install script, part 80: observability — the database series of
-- GET /metrics (docs/spec/contract.md §11), the route function behind it, and
-- the operator views homes_status and scheduler_status (docs/ops/monitoring.md).

-- agingos_scheduler_totals_add() → trigger
-- AFTER INSERT on scheduler_runs: adds the tick to scheduler_totals (one
-- row update per tick, in the tick's own transaction, so a rolled-back tick
-- counts nothing).
CREATE OR REPLACE FUNCTION agingos.agingos_scheduler_totals_add()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	UPDATE agingos.scheduler_totals t
	   SET ticks = t.ticks + 1,
		   rules_failed = t.rules_failed + NEW.rules_failed,
		   duration_ms = t.duration_ms + NEW.duration_ms
	 WHERE t.status = NEW.status;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION agingos.agingos_scheduler_totals_add() IS
'Trigger: count every scheduler_runs row in scheduler_totals (the counters of agingos_metrics()).';

CREATE OR REPLACE TRIGGER scheduler_runs_totals
	AFTER INSERT ON agingos.scheduler_runs
	FOR EACH ROW EXECUTE FUNCTION agingos.agingos_scheduler_totals_add();

-- agingos_prom_label(value text) → text
-- A label value for the Prometheus text format 0.0.4: backslash, double
-- quote and line feed escaped as \\, \" and \n (the only escapes the
-- format has).  NULL stays NULL.
CREATE OR REPLACE FUNCTION agingos.agingos_prom_label(value text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(value, E'\\', E'\\\\'), '"', E'\\"'), E'\n', E'\\n');
COMMENT ON FUNCTION agingos.agingos_prom_label(text) IS
'Escape a label value for the Prometheus text exposition format 0.0.4 (\\, \", \n).';

-- agingos_prom_family(name text, type text, help text, samples text) → text
-- One metric family: "# HELP", "# TYPE" and the sample lines (samples ends
-- each line with a line feed; NULL or '' gives the two comment lines only).
CREATE OR REPLACE FUNCTION agingos.agingos_prom_family(name text, type text, help text, samples text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '# HELP ' || name || ' ' || help || E'\n# TYPE ' || name || ' ' || type || E'\n' || coalesce(samples, '');
COMMENT ON FUNCTION agingos.agingos_prom_family(text, text, text, text) IS
'One metric family in the Prometheus text format: HELP and TYPE lines, then the given sample lines.';

-- agingos_metrics(home_ids text[] DEFAULT NULL) → text
-- The database's Prometheus series (text format 0.0.4, one family after the
-- other, every line ending in a line feed), for the homes in home_ids, or
-- every home when NULL.  Per-home series (last event, active deviations,
-- notifications) cover only those homes; scheduler series are global.
-- The front adds agingos_up and its own series (docs/ops/monitoring.md).
-- Cost: one primary-key probe for the last tick, one index probe per home
-- on events (home_id, "timestamp") for the last event, the active rows of
-- deviations through their partial unique index, and a count of the
-- notifications outbox when that table exists; see make bench for 10,000
-- homes.  Read-only; raises nothing of its own.
CREATE OR REPLACE FUNCTION agingos.agingos_metrics(home_ids text[] DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	all_homes CONSTANT boolean := home_ids IS NULL;
	interval_min integer := (agingos.agingos_config() -> 'scheduler' ->> 'interval_minutes')::int;
	last record;
	job_active integer;
	n_homes bigint;
	out text := '';
	s text;
BEGIN
	SELECT count(*) INTO n_homes FROM agingos.homes h WHERE all_homes OR h.home_id = ANY (home_ids);
	out := out || agingos.agingos_prom_family('agingos_homes', 'gauge',
		'Homes the caller may see (rows of homes).', format(E'agingos_homes %s\n', n_homes));

	SELECT string_agg(format(E'agingos_home_last_event_timestamp_seconds{home_id="%s"} %s\n',
							 agingos.agingos_prom_label(h.home_id), extract(epoch FROM l.ts)), '' ORDER BY h.home_id)
	  INTO s
	  FROM agingos.homes h
	  CROSS JOIN LATERAL (SELECT e."timestamp" AS ts FROM agingos.events e
						   WHERE e.home_id = h.home_id ORDER BY e."timestamp" DESC LIMIT 1) l
	 WHERE all_homes OR h.home_id = ANY (home_ids);
	out := out || agingos.agingos_prom_family('agingos_home_last_event_timestamp_seconds', 'gauge',
		'Instant of the newest stored event of the home (Unix seconds, the event''s own timestamp); homes without events have no sample.', s);

	SELECT string_agg(format(E'agingos_deviations_active{rule_id="%s",severity="%s",status="%s"} %s\n',
							 agingos.agingos_prom_label(d.rule_id), d.severity, d.status, d.n), '' ORDER BY d.rule_id, d.severity, d.status)
	  INTO s
	  FROM (SELECT x.rule_id, x.severity, x.status, count(*) AS n
			  FROM agingos.deviations x
			 WHERE x.status IN ('OPEN', 'ACK') AND (all_homes OR x.home_id = ANY (home_ids))
			 GROUP BY x.rule_id, x.severity, x.status) d;
	out := out || agingos.agingos_prom_family('agingos_deviations_active', 'gauge',
		'Active (OPEN or ACK) persisted deviations of the caller''s homes.', s);

	SELECT string_agg(format(E'agingos_scheduler_ticks_total{status="%s"} %s\n', t.status, t.ticks), '' ORDER BY t.status)
	  INTO s FROM agingos.scheduler_totals t;
	out := out || agingos.agingos_prom_family('agingos_scheduler_ticks_total', 'counter',
		'Scheduler ticks by status (ok, skipped: another tick held the lock, error: the tick as a whole failed).', s);
	SELECT format(E'agingos_scheduler_rules_failed_total %s\n', coalesce(sum(x.rules_failed), 0)) INTO s FROM agingos.scheduler_totals x;
	out := out || agingos.agingos_prom_family('agingos_scheduler_rules_failed_total', 'counter',
		'Rule evaluations that failed inside scheduler ticks (each logged as an agingos rule_engine error line).', s);

	SELECT r.started_at, r.duration_ms, r.status INTO last
	  FROM agingos.scheduler_runs r WHERE r.status <> 'skipped' ORDER BY r.run_id DESC LIMIT 1;
	out := out || agingos.agingos_prom_family('agingos_scheduler_last_tick_timestamp_seconds', 'gauge',
		'Wall-clock start of the last tick that ran (status ok or error), Unix seconds; 0 before the first tick.',
		format(E'agingos_scheduler_last_tick_timestamp_seconds %s\n', coalesce(extract(epoch FROM last.started_at), 0)));
	out := out || agingos.agingos_prom_family('agingos_scheduler_last_tick_duration_seconds', 'gauge',
		'Duration of the last tick that ran, seconds; 0 before the first tick.',
		format(E'agingos_scheduler_last_tick_duration_seconds %s\n', coalesce(round(last.duration_ms / 1000, 6), 0)));
	out := out || agingos.agingos_prom_family('agingos_scheduler_interval_seconds', 'gauge',
		'The configured cadence, scheduler.interval_minutes in seconds.',
		format(E'agingos_scheduler_interval_seconds %s\n', coalesce(interval_min * 60, 0)));
	SELECT CASE WHEN bool_or(j.active) THEN 1 ELSE 0 END INTO job_active FROM cron.job j WHERE j.jobname = 'agingos-scheduler';
	out := out || agingos.agingos_prom_family('agingos_scheduler_job_active', 'gauge',
		'1 when the pg_cron job agingos-scheduler exists and is active, else 0.',
		format(E'agingos_scheduler_job_active %s\n', coalesce(job_active, 0)));

	-- the notifications outbox (docs/spec/contract.md §10) exists once its release is installed
	IF to_regclass('agingos.notifications') IS NOT NULL THEN
		EXECUTE $q$
			SELECT string_agg(format(E'agingos_notifications{status="%s"} %s\n', s.status, coalesce(c.n, 0)), '' ORDER BY s.status)
			  FROM (VALUES ('dead'), ('pending'), ('sent')) s(status)
			  LEFT JOIN (SELECT n.status, count(*) AS n FROM agingos.notifications n
						  WHERE $1 IS NULL OR n.home_id = ANY ($1) GROUP BY n.status) c ON c.status = s.status$q$
		  INTO s USING home_ids;
		out := out || agingos.agingos_prom_family('agingos_notifications', 'gauge',
			'Carer notifications in the outbox by delivery status (pending, sent, dead).', s);
		EXECUTE $q$
			SELECT format(E'agingos_notifications_pending_overdue_seconds %s\n',
						  coalesce(round(max(extract(epoch FROM pg_catalog.now() - coalesce(n.next_attempt_at, n.created_at)))::numeric, 3), 0))
			  FROM agingos.notifications n
			 WHERE n.status = 'pending' AND coalesce(n.next_attempt_at, n.created_at) <= pg_catalog.now()
			   AND ($1 IS NULL OR n.home_id = ANY ($1))$q$
		  INTO s USING home_ids;
		out := out || agingos.agingos_prom_family('agingos_notifications_pending_overdue_seconds', 'gauge',
			'How long the most overdue pending notification has been due (seconds; 0 when none is due): the relay is not delivering.', s);
	END IF;
	RETURN out;
END
$$;
COMMENT ON FUNCTION agingos.agingos_metrics(text[]) IS
'The database series of GET /metrics in the Prometheus text format 0.0.4, for the given homes (NULL: every home).';

-- route_metrics(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz) → text
-- Handler of GET /metrics (docs/spec/contract.md §11), through route_call
-- without an auth action: it checks its own credential.  p is
-- {"metrics_token": boolean} (the front's query arguments are ignored):
-- true is the front's word that the request carried AGINGOS_METRICS_TOKEN
-- (checked by agingos-http, which alone knows it): every home.  Otherwise,
-- auth mode none: every home; api_key: an admin key (28000 → 401 without
-- or with an unknown key, 42501 → 403 for another role), its home only.
-- Any other stored mode fails closed (28000).  Returns agingos_metrics() text.
CREATE OR REPLACE FUNCTION agingos.route_metrics(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_mode text;
	v_homes text[];
	v_msg text;
BEGIN
	SELECT s.value INTO v_mode FROM agingos.settings s WHERE s.name = 'auth_mode';
	IF coalesce((p ->> 'metrics_token')::boolean, false) OR v_mode = 'none' THEN
		v_homes := NULL;
	ELSIF v_mode = 'api_key' THEN
		BEGIN
			v_homes := agingos.agingos_auth_homes(api_key, 'admin', NULL);
		EXCEPTION
			WHEN insufficient_privilege THEN
				RAISE EXCEPTION 'API key role not allowed for GET /metrics' USING ERRCODE = '42501',
					DETAIL = 'Metrics need the metrics token or a key with role admin.',
					HINT = 'Scrape with "Authorization: Bearer <AGINGOS_METRICS_TOKEN>", or with an admin key as Bearer or X-API-Key.';
			WHEN invalid_authorization_specification THEN
				GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT;
				RAISE EXCEPTION '%', v_msg USING ERRCODE = '28000',
					DETAIL = 'This server runs with AGINGOS_AUTH_MODE=api_key.',
					HINT = 'Scrape with "Authorization: Bearer <AGINGOS_METRICS_TOKEN>" (set in the front''s environment), or with an admin key as Bearer or X-API-Key.';
		END;
	ELSE
		RAISE EXCEPTION 'unknown auth mode' USING ERRCODE = '28000',
			DETAIL = format('settings.auth_mode is %s, neither none nor api_key.', quote_literal(left(v_mode, 32))),
			HINT = 'Set AGINGOS_AUTH_MODE to none or api_key and run make up again.';
	END IF;
	RETURN agingos.agingos_metrics(v_homes);
END
$$;
COMMENT ON FUNCTION agingos.route_metrics(jsonb, text[], text, text, timestamptz) IS
'Handler of GET /metrics (through route_call): agingos_metrics() for the token, auth mode none, or an admin key.';

-- http_metrics(params text, request_body text, api_key text, metrics_token boolean,
--              OUT status integer, OUT body text, OUT auth_mode text)
-- Route GET /metrics: route_metrics through the envelope route_call; body
-- is the metrics text on 200, else the JSON error; auth_mode is the stored
-- mode, so the front knows during an outage whether a scrape without the
-- token may still get its own series.  Query parameters and body are ignored.
CREATE OR REPLACE FUNCTION agingos.http_metrics(params text, request_body text, api_key text, metrics_token boolean,
												OUT status integer, OUT body text, OUT auth_mode text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	SELECT s.value INTO auth_mode FROM agingos.settings s WHERE s.name = 'auth_mode';
	SELECT r.status, r.body INTO status, body
	  FROM agingos.route_call('metrics', NULL, false,
							  pg_catalog.jsonb_build_object('metrics_token', coalesce(metrics_token, false))::text,
							  request_body, api_key, pg_catalog.now()) r;
END
$$;
COMMENT ON FUNCTION agingos.http_metrics(text, text, text, boolean) IS
'Route GET /metrics: agingos_metrics() for the metrics token (every home), auth mode none, or an admin key (its homes).';

-- agingos_home_contacts() → SETOF (home_id text, contacts bigint)
-- Active contacts per home from the contacts table of docs/spec/contract.md
-- §10, or no rows while that table does not exist (homes_status then
-- shows 0).
CREATE OR REPLACE FUNCTION agingos.agingos_home_contacts(OUT home_id text, OUT contacts bigint)
RETURNS SETOF record
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	IF to_regclass('agingos.contacts') IS NOT NULL THEN
		RETURN QUERY EXECUTE 'SELECT c.home_id, count(*) FROM agingos.contacts c WHERE c.active GROUP BY c.home_id';
	END IF;
END
$$;
COMMENT ON FUNCTION agingos.agingos_home_contacts() IS
'Active contacts per home (none while the contacts table does not exist); used by the homes_status view.';

-- homes_status: one row per home — what an operator asks first about a home.
CREATE OR REPLACE VIEW agingos.homes_status AS
SELECT h.home_id,
	   l.ts AS last_event_at,
	   pg_catalog.now() - l.ts AS lag,
	   coalesce(d.high, 0) AS active_high,
	   coalesce(d.medium, 0) AS active_medium,
	   coalesce(d.low, 0) AS active_low,
	   coalesce(d.unacked, 0) AS open_unacked,
	   coalesce(c.contacts, 0) AS contacts,
	   h.created_at
  FROM agingos.homes h
  LEFT JOIN LATERAL (SELECT e."timestamp" AS ts FROM agingos.events e
					  WHERE e.home_id = h.home_id ORDER BY e."timestamp" DESC LIMIT 1) l ON true
  LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE x.severity = 'HIGH') AS high,
							count(*) FILTER (WHERE x.severity = 'MEDIUM') AS medium,
							count(*) FILTER (WHERE x.severity = 'LOW') AS low,
							count(*) FILTER (WHERE x.status = 'OPEN') AS unacked
					   FROM agingos.deviations x
					  WHERE x.home_id = h.home_id AND x.status IN ('OPEN', 'ACK')) d ON true
  LEFT JOIN agingos.agingos_home_contacts() c ON c.home_id = h.home_id;
COMMENT ON VIEW agingos.homes_status IS
'Per home: newest event and its lag, active deviations by severity (OPEN or ACK) and not yet acknowledged, active contacts.';

-- scheduler_status: one row — is the scheduler keeping its cadence?
CREATE OR REPLACE VIEW agingos.scheduler_status AS
SELECT j.schedule,
	   coalesce(j.active, false) AS job_active,
	   (agingos.agingos_config() -> 'scheduler' ->> 'interval_minutes')::int AS interval_minutes,
	   last.started_at AS last_tick_at,
	   last.status AS last_status,
	   last.duration_ms AS last_duration_ms,
	   last.rules_failed AS last_rules_failed,
	   last.error AS last_error,
	   pg_catalog.now() - last.started_at AS lag,
	   hour.ticks AS ticks_last_hour,
	   hour.errors AS errors_last_hour,
	   hour.skipped AS skipped_last_hour,
	   hour.rules_failed AS rules_failed_last_hour,
	   hour.avg_ms AS avg_duration_ms_last_hour,
	   hour.max_ms AS max_duration_ms_last_hour,
	   (SELECT sum(t.ticks) FROM agingos.scheduler_totals t) AS ticks_total
  FROM (SELECT 1) one
  LEFT JOIN LATERAL (SELECT r.* FROM agingos.scheduler_runs r WHERE r.status <> 'skipped'
					  ORDER BY r.run_id DESC LIMIT 1) last ON true
  LEFT JOIN LATERAL (SELECT count(*) AS ticks,
							count(*) FILTER (WHERE r.status = 'error') AS errors,
							count(*) FILTER (WHERE r.status = 'skipped') AS skipped,
							coalesce(sum(r.rules_failed), 0) AS rules_failed,
							round(avg(r.duration_ms) FILTER (WHERE r.status <> 'skipped'), 3) AS avg_ms,
							max(r.duration_ms) FILTER (WHERE r.status <> 'skipped') AS max_ms
					   FROM agingos.scheduler_runs r
					  WHERE r.started_at >= pg_catalog.now() - interval '1 hour') hour ON true
  LEFT JOIN cron.job j ON j.jobname = 'agingos-scheduler';
COMMENT ON VIEW agingos.scheduler_status IS
'The scheduler at a glance: pg_cron job, cadence, last tick (status, duration, failures, lag) and the last hour''s ticks.';
