
-- agingos install script, part 75: the route table of the SQL routes
-- (contract.md section 6; docs/http.md).  Each row makes the function the
-- front calls,
--   agingos.http_<name>(params text, request_body text, api_key text
--                       [, now timestamptz DEFAULT now()],
--                       OUT status integer, OUT body text)
-- SECURITY DEFINER with a pinned search_path, as one call of the envelope
-- agingos.route_call(<name>, action, one_home, params, request_body,
-- api_key, now) (part 40), which runs the handler agingos.route_<name>
-- (parts 40 and 70).  action: the key role check ('read', 'ack' PATCH,
-- 'admin'); one_home: the handler works on the caller's one home
-- (agingos_auth; a key of several homes needs home_id) instead of every
-- home of the key narrowed by home_id (agingos_auth_homes); volatility:
-- of the route as a whole; clock: the route takes now as its last
-- argument (default now(); docs/spec/design.md, clock injection), else
-- the envelope gets now().  The C routes (part 40), GET /metrics (part 80)
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
LANGUAGE sql %s SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $b$
	SELECT r.status, r.body FROM agingos.route_call(%L, %L, %L, params, request_body, api_key, %s) r;
$b$
$f$, 'http_' || r.name, args, r.volatility, r.name, r.action, r.one_home,
			CASE WHEN r.clock THEN format('coalesce(%I.now, pg_catalog.now())', 'http_' || r.name) ELSE 'pg_catalog.now()' END);
		EXECUTE format('COMMENT ON FUNCTION agingos.%I(%s) IS %L', 'http_' || r.name, sig, r.comment);
	END LOOP;
END
$do$;
