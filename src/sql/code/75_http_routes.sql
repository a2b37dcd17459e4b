
-- agingos install script, part 75: the edge of the SQL routes (contract.md
-- section 6; docs/http.md): the envelope route_call and the route table.

-- route_call(route text, action text, one_home boolean, params text,
--            request_body text, api_key text, now timestamptz)
-- → (status integer, body text)
-- The one envelope of the SQL routes (PostgREST's model): it parses params
-- (the front's JSON object of query arguments, 22023 if not an object),
-- authorises api_key for action ('read', 'ack', 'admin'; NULL: the handler
-- checks its own credential) — one_home: the caller's one home
-- (agingos_auth), else every home of the key narrowed by home_id
-- (agingos_auth_homes) — and calls the handler agingos.route_<route>(p jsonb,
-- home_ids text[], request_body text, api_key text, now timestamptz) → text,
-- the 200 body (a NULL body is a missing handler, 500).  Handlers only RAISE; every error becomes the status and
-- body of the one SQLSTATE → HTTP table (agingos_http_error, ag_http_status
-- in src/http_status.c; docs/spec/contract.md section 6).  route is a
-- constant of the http_* function that calls it (the route table below),
-- never user input.
CREATE OR REPLACE FUNCTION agingos.route_call(route text, action text, one_home boolean, params text,
	request_body text, api_key text, now timestamptz, OUT status integer, OUT body text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	p jsonb;
	v_homes text[];
	v_code text; v_msg text; v_detail text; v_hint text;
BEGIN
	p := agingos.agingos_http_params(params);
	IF route_call.action IS NULL THEN
		v_homes := NULL;
	ELSIF one_home THEN
		v_homes := ARRAY[agingos.agingos_auth(api_key, route_call.action, p ->> 'home_id')];
	ELSE
		v_homes := agingos.agingos_auth_homes(api_key, route_call.action, p ->> 'home_id');
	END IF;
	-- one static call per route (a plan kept per backend; EXECUTE would
	-- plan on every request); the rows of the route table below
	body := CASE route
		WHEN 'events' THEN agingos.route_events(p, v_homes, request_body, api_key, route_call.now)
		WHEN 'deviations_evaluate' THEN agingos.route_deviations_evaluate(p, v_homes, request_body, api_key, route_call.now)
		WHEN 'deviations_persist' THEN agingos.route_deviations_persist(p, v_homes, request_body, api_key, route_call.now)
		WHEN 'deviations' THEN agingos.route_deviations(p, v_homes, request_body, api_key, route_call.now)
		WHEN 'deviation_patch' THEN agingos.route_deviation_patch(p, v_homes, request_body, api_key, route_call.now)
		WHEN 'rules' THEN agingos.route_rules(p, v_homes, request_body, api_key, route_call.now)
		WHEN 'health_detail' THEN agingos.route_health_detail(p, v_homes, request_body, api_key, route_call.now)
		WHEN 'metrics' THEN agingos.route_metrics(p, v_homes, request_body, api_key, route_call.now)
	END;
	IF body IS NULL THEN
		RAISE EXCEPTION 'route % has no handler', route USING ERRCODE = 'XX000';
	END IF;
	status := 200;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_code = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
							v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
	SELECT e.status, e.body INTO status, body FROM agingos.agingos_http_error(v_code, v_msg, v_detail, v_hint) e;
END
$$;
COMMENT ON FUNCTION agingos.route_call(text, text, boolean, text, text, text, timestamptz) IS
'The envelope of the SQL routes: params, auth, handler agingos.route_<route>, and the SQLSTATE to HTTP status table (contract section 6).';

-- The route table.  Each row makes the function the front calls,
--   agingos.http_<name>(params text, request_body text, api_key text
--                       [, now timestamptz DEFAULT now()],
--                       OUT status integer, OUT body text)
-- SECURITY DEFINER with a pinned search_path, as one call of the envelope
-- agingos.route_call(<name>, action, one_home, params, request_body,
-- api_key, now) (above), which runs the handler agingos.route_<name>
-- (parts 40 and 70).  action: the key role check ('read', 'ack' PATCH,
-- 'admin'); one_home: the handler works on the caller's one home
-- (agingos_auth; a key of several homes needs home_id) instead of every
-- home of the key narrowed by home_id (agingos_auth_homes); volatility:
-- of the route as a whole; clock: the route takes now as its last
-- argument (default now(); docs/spec/design.md, clock injection), else
-- the envelope gets now().  PL/pgSQL, not SQL: its plan is kept per
-- backend (a SECURITY DEFINER SQL function is planned on every call).
-- The C routes (part 40), GET /metrics (part 80)
-- and the ACK-link pages (part 82) have other shapes and are written out.
DO $do$
DECLARE
	r record;
	args text;
	sig text;
BEGIN
	FOR r IN SELECT * FROM (VALUES
		('events', 'read', false, 'STABLE', false,
		 'Route GET /events: the events of the caller''s homes (or home_id) newest first, filtered by category and [since, until), limit 100 (max 1000).'),
		('deviations_evaluate', 'read', true, 'VOLATILE', false,
		 'Route GET /deviations/evaluate: agingos_evaluate over [since, until) for the caller''s home (contract section 6).'),
		('deviations_persist', 'admin', true, 'VOLATILE', false,
		 'Route POST /deviations/persist: agingos_persist for the caller''s home; idempotent per (rule, window).'),
		('deviations', 'read', false, 'STABLE', false,
		 'Route GET /deviations: the caller''s persisted deviations, active by default, sorted by severity then last_seen_at.'),
		('deviation_patch', 'ack', false, 'VOLATILE', false,
		 'Route PATCH /deviations/{id}: ACK (agingos_ack) or CLOSED (agingos_close) with an optional note in the caller''s homes; carer or admin key.'),
		('rules', 'read', true, 'STABLE', true,
		 'Route GET /rules: every registered rule with its effective config and evaluation truth for the caller''s home at now (default now()).'),
		('health_detail', 'read', false, 'STABLE', false,
		 'Route GET /health/detail: agingos_health() limited to the calling key''s homes (contract sections 6 and 12).')
	) AS t(name, action, one_home, volatility, clock, comment)
	LOOP
		args := 'params text, request_body text, api_key text'
			|| CASE WHEN r.clock THEN ', now timestamptz DEFAULT pg_catalog.now()' ELSE '' END;
		sig := 'text, text, text' || CASE WHEN r.clock THEN ', timestamptz' ELSE '' END;
		EXECUTE format($f$CREATE OR REPLACE FUNCTION agingos.%I(%s, OUT status integer, OUT body text)
LANGUAGE plpgsql %s SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $b$
BEGIN
	SELECT r.status, r.body INTO status, body
	  FROM agingos.route_call(%L, %L, %L, params, request_body, api_key, %s) r;
END
$b$
$f$, 'http_' || r.name, args, r.volatility, r.name, r.action, r.one_home,
			CASE WHEN r.clock THEN format('coalesce(%I.now, pg_catalog.now())', 'http_' || r.name) ELSE 'pg_catalog.now()' END);
		EXECUTE format('COMMENT ON FUNCTION agingos.%I(%s) IS %L', 'http_' || r.name, sig, r.comment);
	END LOOP;
END
$do$;
