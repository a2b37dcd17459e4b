
-- agingos install script, part 95: what pg_dump carries (issue 16,
-- docs/security.md "Backup and restore").  Idempotent: runs again after
-- every upgrade delta, so tables added later are covered without a delta.

-- settings_merge() → trigger: BEFORE INSERT ON settings.  settings is a
-- key/value table whose defaults the install script inserts
-- (auth_mode = none).  pg_restore runs CREATE EXTENSION (which inserts
-- them) and then COPYs the dumped rows: an INSERT of a name that exists
-- sets its value instead of failing on settings_pkey, so a restored
-- auth_mode = api_key is kept, not lost to the default.  Raises nothing
-- of its own.
CREATE OR REPLACE FUNCTION agingos.settings_merge()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	UPDATE agingos.settings s SET value = NEW.value WHERE s.name = NEW.name;
	IF FOUND THEN
		RETURN NULL;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION agingos.settings_merge() IS
	'BEFORE INSERT trigger of settings: a row whose name exists updates its value (restore of a dump over the installed defaults).';
CREATE OR REPLACE TRIGGER settings_merge BEFORE INSERT ON agingos.settings
	FOR EACH ROW EXECUTE FUNCTION agingos.settings_merge();

-- scheduler_totals_merge() → trigger: BEFORE INSERT ON scheduler_totals
-- (issue 12's counters, one row per status inserted by the install
-- script): the same as settings_merge for pg_restore, an INSERT of a
-- status that exists sets its counters instead of failing on
-- scheduler_totals_pkey.  The counters themselves only ever change by
-- UPDATE (agingos_scheduler_totals_add), so nothing else reaches it.
CREATE OR REPLACE FUNCTION agingos.scheduler_totals_merge()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	UPDATE agingos.scheduler_totals t
	   SET ticks = NEW.ticks, rules_failed = NEW.rules_failed, duration_ms = NEW.duration_ms
	 WHERE t.status = NEW.status;
	IF FOUND THEN
		RETURN NULL;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION agingos.scheduler_totals_merge() IS
	'BEFORE INSERT trigger of scheduler_totals: a row whose status exists updates its counters (restore of a dump over the installed rows).';
CREATE OR REPLACE TRIGGER scheduler_totals_merge BEFORE INSERT ON agingos.scheduler_totals
	FOR EACH ROW EXECUTE FUNCTION agingos.scheduler_totals_merge();

-- Every sequence behind an identity (or serial) column of an agingos table
-- is dumped with its value (pg_extension_config_dump, as pg_cron does for
-- its jobid sequence): otherwise the first insert after a restore reuses
-- id 1 (events_pkey violation).  settings is dumped without the rows that
-- equal what the install script inserts.
DO $$
DECLARE
	s regclass;
BEGIN
	FOR s IN SELECT DISTINCT d.objid::regclass
			   FROM pg_catalog.pg_depend d
			   JOIN pg_catalog.pg_class c ON c.oid = d.objid AND c.relkind = 'S'
			   JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
			  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
				AND d.deptype IN ('a', 'i') AND t.relnamespace = 'agingos'::regnamespace
			  ORDER BY 1
	LOOP
		PERFORM pg_catalog.pg_extension_config_dump(s, '');
	END LOOP;
END
$$;
SELECT pg_catalog.pg_extension_config_dump('agingos.settings', $$WHERE NOT (name = 'auth_mode' AND value = 'none')$$);
