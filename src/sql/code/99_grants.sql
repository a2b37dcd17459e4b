
-- agingos install script, part 99: privileges.  Runs last.
-- Nothing is executable by PUBLIC; the HTTP front's role may only EXECUTE
-- the route functions (agingos.http_*), which are SECURITY DEFINER.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA agingos FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA agingos FROM PUBLIC;
GRANT USAGE ON SCHEMA agingos TO agingos_api;
DO $$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
			  WHERE p.pronamespace = 'agingos'::regnamespace AND p.proname LIKE 'http\_%'
	LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO agingos_api', f);
	END LOOP;
END
$$;

-- Access control (contract.md section 12, docs/security.md).
-- 1. Row-level security, enabled and forced, on every table holding a
--    home's data (a home_id column; agingos_home_tables()), with two
--    policies: agingos_routes sees the caller's homes (agingos_caller_homes(),
--    set only by the auth functions), agingos_reader members the homes of
--    reader_homes for their own role.  api_key_homes has no policy: only
--    the SECURITY DEFINER key lookup reads it.  The extension's owner (the
--    cluster owner in make psql, pg_cron's jobs) is a superuser and sees
--    every home.
DO $$
DECLARE
	t regclass;
	homes CONSTANT text := 'home_id = ANY ((SELECT agingos.agingos_caller_homes())::text[])';
BEGIN
	FOR t IN SELECT * FROM agingos.agingos_home_tables() LOOP
		EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('DROP POLICY IF EXISTS routes_caller_homes ON %s', t);
		EXECUTE format('DROP POLICY IF EXISTS reader_homes ON %s', t);
		EXECUTE format('DROP POLICY IF EXISTS reader_own_role ON %s', t);
		IF t = 'agingos.api_key_homes'::regclass THEN
			CONTINUE;
		ELSIF t = 'agingos.reader_homes'::regclass THEN
			CREATE POLICY reader_own_role ON agingos.reader_homes FOR SELECT TO agingos_reader
				USING (role_name = current_user::text);
			GRANT SELECT ON agingos.reader_homes TO agingos_reader;
			CONTINUE;
		END IF;
		EXECUTE format('CREATE POLICY routes_caller_homes ON %s FOR ALL TO agingos_routes USING (%s) WITH CHECK (%s)', t, homes, homes);
		EXECUTE format('CREATE POLICY reader_homes ON %s FOR SELECT TO agingos_reader USING '
					   '(home_id IN (SELECT r.home_id FROM agingos.reader_homes r WHERE r.role_name = current_user::text))', t);
		EXECUTE format('GRANT SELECT ON %s TO agingos_reader', t);
		IF t <> 'agingos.audit_log'::regclass THEN
			EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %s TO agingos_routes', t);
		END IF;
	END LOOP;
END
$$;
-- 2. What the routes read besides home data: the active config and the
--    scheduler's runs (health).  Keys and settings only through
--    agingos_key_lookup (SECURITY DEFINER).
GRANT USAGE ON SCHEMA agingos TO agingos_routes, agingos_reader;
GRANT SELECT ON agingos.config, agingos.scheduler_runs TO agingos_routes;
-- ingest's dedupe probe and the events_keys trigger run as the caller:
-- hashes and instants only, no home_id, so no policy can apply; readers
-- get nothing of it (docs/scale.md "Dedupe and 409 across partitions").
GRANT SELECT, INSERT ON agingos.event_keys TO agingos_routes;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA agingos TO agingos_routes;
-- 3. The routes may execute every agingos function except those that
--    manage keys, readers, homes, config, the schedule or the caller
--    context (agingos_caller_set is for the owner's own functions).
DO $$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
			  WHERE p.pronamespace = 'agingos'::regnamespace
				AND p.proname !~ '^agingos_(caller_set|create_api_key|store_api_key|register_api_key|revoke_api_key|create_reader|export_home|delete_home|load_config|reset|schedule|unschedule|retention|scheduler_tick|prune_bookkeeping|partition_maintenance|events_expire|event_keys_rebuild)$'
	LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO agingos_routes', f);
	END LOOP;
END
$$;
-- 4. The route functions (agingos.http_*, SECURITY DEFINER) belong to
--    agingos_routes, so they run under row-level security.  http_auth_mode
--    is the front's helper, not a route: it stays with the owner.  Routes
--    whose credential is not an API key stay with the owner too and check
--    it themselves: http_metrics (the metrics token, docs/ops/monitoring.md)
--    and the ACK-link pages http_ack_* (the signed token, docs/notifications.md).
DO $$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
			  WHERE p.pronamespace = 'agingos'::regnamespace AND p.proname LIKE 'http\_%'
				AND p.proname NOT IN ('http_auth_mode', 'http_metrics', 'http_ack_get', 'http_ack_post')
	LOOP
		EXECUTE format('ALTER FUNCTION %s OWNER TO agingos_routes', f);
	END LOOP;
END
$$;
