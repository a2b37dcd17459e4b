
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
