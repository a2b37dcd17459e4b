-- setup: runs first.  pg_regress has already run CREATE EXTENSION pg_cron
-- (--load-extension); pg_partman goes to its schema partman (agingos.control
-- requires it there), then agingos; check what the install script built.
SET client_min_messages = warning;
CREATE SCHEMA partman;
CREATE EXTENSION pg_partman SCHEMA partman;
CREATE EXTENSION agingos;
RESET client_min_messages;
SET search_path = agingos, public;

-- case: extensions and version
SELECT extname, extversion FROM pg_extension WHERE extname IN ('pg_cron', 'pg_partman', 'agingos') ORDER BY 1;

-- case: the tables of contract section 3 (and bookkeeping), all in schema agingos
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'agingos'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1;

-- case: no object was created in public
SELECT count(*) AS objects_in_public FROM pg_class WHERE relnamespace = 'public'::regnamespace;
SELECT count(*) AS functions_in_public FROM pg_proc WHERE pronamespace = 'public'::regnamespace;

-- case: every SECURITY DEFINER function pins its search_path
SELECT p.proname FROM pg_proc p
 WHERE p.pronamespace = 'agingos'::regnamespace AND p.prosecdef
   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')
 ORDER BY 1;

-- case: the front's role may EXECUTE only the route functions, and read no table
SELECT bool_and(p.proname LIKE 'http\_%') AS only_routes, count(*) > 0 AS some_routes
  FROM pg_proc p
 WHERE p.pronamespace = 'agingos'::regnamespace
   AND has_function_privilege('agingos_api', p.oid, 'EXECUTE');
SELECT count(*) AS readable_tables FROM pg_class c
 WHERE c.relnamespace = 'agingos'::regnamespace AND c.relkind IN ('r', 'p')
   AND has_table_privilege('agingos_api', c.oid, 'SELECT,INSERT,UPDATE,DELETE');
-- and PUBLIC may execute none of the agingos functions
SELECT count(*) AS public_executable FROM pg_proc p
 WHERE p.pronamespace = 'agingos'::regnamespace
   AND EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
				WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE');

-- case: key indexes
SELECT indexrelid::regclass AS index, indisunique AS is_unique FROM pg_index
 WHERE indrelid IN ('agingos.events'::regclass, 'agingos.deviations'::regclass, 'agingos.deviations_v1'::regclass)
 ORDER BY indexrelid::regclass::text;
SELECT pg_get_indexdef('agingos.deviations_active_key'::regclass);

-- case: events is partitioned by RANGE on "timestamp" (docs/scale.md): the
-- install makes only the DEFAULT partition (an extension member whose rows
-- are dumped); the day partitions come from agingos_partition_maintenance
SELECT pg_get_partkeydef('agingos.events'::regclass) AS partition_key;
SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'agingos.events'::regclass;
SELECT 'agingos.events_default'::regclass = ANY (e.extconfig) AS default_dumped,
	   NOT ('agingos.events'::regclass = ANY (e.extconfig)) AS parent_not_listed
  FROM pg_extension e WHERE e.extname = 'agingos';
SELECT count(*) AS partman_parents FROM partman.part_config;

-- helpers shared by the rule and engine tests (one session per file, so they
-- cannot live in pg_temp): z() prints an instant as ISO 8601 UTC like the
-- engine does; ev() stores one event with room_id = ROOM(payload) (rules.md
-- 1.4, "" stored as null) and adds its home; run() evaluates and prints the
-- rule's evidence without the gating keys of rules.md 2.3.
CREATE SCHEMA regress_helpers;
CREATE FUNCTION regress_helpers.z(t timestamptz) RETURNS text LANGUAGE sql AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
		|| CASE WHEN extract(microseconds FROM t)::int % 1000000 <> 0 THEN to_char(t AT TIME ZONE 'UTC', '.US') ELSE '' END || 'Z' $$;
CREATE FUNCTION regress_helpers.ev(h text, id text, ts timestamptz, cat text, p jsonb DEFAULT '{}', stream text DEFAULT 'prod')
RETURNS integer LANGUAGE sql AS $$
	INSERT INTO agingos.homes (home_id) VALUES (h) ON CONFLICT DO NOTHING;
	INSERT INTO agingos.events (home_id, event_id, "timestamp", category, payload, room_id, stream_id)
	VALUES (h, id, ts, cat, p, coalesce(nullif(p ->> 'room_id', ''), nullif(p ->> 'room', '')), stream) RETURNING 1 $$;
CREATE FUNCTION regress_helpers.run(s timestamptz, u timestamptz, n timestamptz, h text, ids text[] DEFAULT NULL)
RETURNS TABLE (rule_id text, severity text, since text, until text, evidence jsonb) LANGUAGE sql AS $$
	SELECT d.rule_id, d.severity, regress_helpers.z(d.window_since), regress_helpers.z(d.window_until),
		   d.evidence - '{evaluation_truth,gating_reason,evaluation_mode,requires_baseline,requires_profile,profile_mode,uses_default_profile,days_with_data,min_days_required}'::text[]
	  FROM agingos.agingos_evaluate(s, u, n, h, ids) d ORDER BY d.rule_id $$;
