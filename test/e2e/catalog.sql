-- test/e2e/catalog.sql: a text snapshot of everything extension agingos
-- defines, one fact per line "kind | object | detail", sorted; no OIDs, no
-- data.  85_upgrade.sh diffs the snapshot of an upgraded database
-- (0.1.0 + ALTER EXTENSION agingos UPDATE) against a fresh install.
-- Column positions count only live columns (a dropped column leaves a hole).
\pset format unaligned
\pset tuples_only on
\pset fieldsep ' | '
WITH ext AS (
	SELECT oid, extversion FROM pg_extension WHERE extname = 'agingos'
), member AS (
	SELECT d.classid, d.objid, d.objsubid
	FROM pg_depend d, ext
	WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), rel AS (
	SELECT c.oid, c.relname, c.relkind, format('%I.%I', n.nspname, c.relname) AS name
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = 'agingos'
), fn AS (
	SELECT p.oid, p.prokind, format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS name
	FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	WHERE n.nspname = 'agingos'
), facts(kind, object, detail) AS (
	SELECT 'extension', 'agingos', 'version ' || extversion FROM ext
	UNION ALL
	-- membership: every object the extension owns (a missing CREATE or DROP shows here first)
	SELECT 'member', pg_describe_object(classid, objid, objsubid), '' FROM member
	UNION ALL
	SELECT 'relation', name, format('kind=%s persistence=%s rls=%s force_rls=%s options=%s owner=%s',
		c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
		coalesce(array_to_string(c.reloptions, ','), '-'), pg_get_userbyid(c.relowner))
	FROM rel JOIN pg_class c ON c.oid = rel.oid
	UNION ALL
	SELECT 'column', rel.name || '.' || quote_ident(a.attname),
		format('pos=%s type=%s not_null=%s identity=%s generated=%s default=%s collation=%s',
			row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
			format_type(a.atttypid, a.atttypmod), a.attnotnull,
			nullif(a.attidentity, ''), nullif(a.attgenerated, ''),
			coalesce(pg_get_expr(ad.adbin, ad.adrelid), '-'),
			CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text ELSE '-' END)
	FROM rel JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
	JOIN pg_type t ON t.oid = a.atttypid
	LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	WHERE rel.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
	UNION ALL
	SELECT 'constraint', rel.name || ' ' || quote_ident(co.conname),
		co.contype::text || ' ' || pg_get_constraintdef(co.oid) || CASE WHEN co.condeferrable THEN ' deferrable' ELSE '' END
	FROM rel JOIN pg_constraint co ON co.conrelid = rel.oid
	UNION ALL
	SELECT 'index', rel.name, pg_get_indexdef(rel.oid)
	FROM rel WHERE rel.relkind IN ('i', 'I')
	UNION ALL
	SELECT 'sequence', rel.name, format('type=%s start=%s increment=%s min=%s max=%s cache=%s cycle=%s owned_by=%s',
		format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
		coalesce((SELECT d.refobjid::regclass::text || '.' || a.attname
			FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
			WHERE d.classid = 'pg_class'::regclass AND d.objid = rel.oid AND d.deptype IN ('a', 'i') LIMIT 1), '-'))
	FROM rel JOIN pg_sequence s ON s.seqrelid = rel.oid
	UNION ALL
	SELECT 'view', rel.name, line
	FROM rel, regexp_split_to_table(pg_get_viewdef(rel.oid), E'\n') WITH ORDINALITY AS l(line, n)
	WHERE rel.relkind IN ('v', 'm')
	UNION ALL
	SELECT 'trigger', rel.name, pg_get_triggerdef(tg.oid) || ' enabled=' || tg.tgenabled::text
	FROM rel JOIN pg_trigger tg ON tg.tgrelid = rel.oid AND NOT tg.tgisinternal
	UNION ALL
	SELECT 'policy', rel.name || ' ' || quote_ident(po.polname),
		format('cmd=%s permissive=%s roles=%s using=%s check=%s', po.polcmd, po.polpermissive,
			(SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r) END, ',' ORDER BY 1) FROM unnest(po.polroles) r),
			coalesce(pg_get_expr(po.polqual, po.polrelid), '-'), coalesce(pg_get_expr(po.polwithcheck, po.polrelid), '-'))
	FROM rel JOIN pg_policy po ON po.polrelid = rel.oid
	UNION ALL
	-- functions: the whole definition (arguments, result, language, volatility,
	-- strictness, security, SET, cost, body), one line per line of it
	SELECT 'function', fn.name, format('%s: %s', lpad(l.n::text, 4, '0'), l.line)
	FROM fn, regexp_split_to_table(CASE WHEN fn.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(fn.oid) END, E'\n')
		WITH ORDINALITY AS l(line, n)
	UNION ALL
	SELECT 'function', fn.name, format('owner=%s', pg_get_userbyid(p.proowner))
	FROM fn JOIN pg_proc p ON p.oid = fn.oid
	UNION ALL
	SELECT 'type', format('%I.%I', n.nspname, t.typname),
		format('typtype=%s %s', t.typtype, CASE t.typtype
			WHEN 'e' THEN 'labels=' || (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid)
			WHEN 'd' THEN 'base=' || format_type(t.typbasetype, t.typtypmod) || ' not_null=' || t.typnotnull
				|| ' checks=' || coalesce((SELECT string_agg(pg_get_constraintdef(oid), ' AND ' ORDER BY conname) FROM pg_constraint WHERE contypid = t.oid), '-')
			ELSE '' END)
	FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
	WHERE n.nspname = 'agingos' AND t.typtype IN ('e', 'd', 'b', 'r', 'm')
	UNION ALL
	-- privileges on the schema, relations, columns, functions, types
	SELECT 'grant', 'schema agingos', format('%s %s%s by %s',
		CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_get_userbyid(x.grantee) END, x.privilege_type,
		CASE WHEN x.is_grantable THEN ' with grant option' ELSE '' END, pg_get_userbyid(x.grantor))
	FROM pg_namespace n, aclexplode(n.nspacl) x WHERE n.nspname = 'agingos'
	UNION ALL
	SELECT 'grant', rel.name, format('%s %s%s by %s',
		CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_get_userbyid(x.grantee) END, x.privilege_type,
		CASE WHEN x.is_grantable THEN ' with grant option' ELSE '' END, pg_get_userbyid(x.grantor))
	FROM rel JOIN pg_class c ON c.oid = rel.oid, aclexplode(c.relacl) x
	UNION ALL
	SELECT 'grant', rel.name || '.' || quote_ident(a.attname), format('%s %s%s',
		CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_get_userbyid(x.grantee) END, x.privilege_type,
		CASE WHEN x.is_grantable THEN ' with grant option' ELSE '' END)
	FROM rel JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attacl IS NOT NULL, aclexplode(a.attacl) x
	UNION ALL
	SELECT 'grant', fn.name, format('%s %s%s by %s',
		CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_get_userbyid(x.grantee) END, x.privilege_type,
		CASE WHEN x.is_grantable THEN ' with grant option' ELSE '' END, pg_get_userbyid(x.grantor))
	FROM fn JOIN pg_proc p ON p.oid = fn.oid, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) x
	UNION ALL
	SELECT 'grant', format('type %I.%I', n.nspname, t.typname), format('%s %s',
		CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_get_userbyid(x.grantee) END, x.privilege_type)
	FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace, aclexplode(t.typacl) x
	WHERE n.nspname = 'agingos' AND t.typacl IS NOT NULL
	UNION ALL
	-- what pg_dump dumps of the extension's tables and sequences (pg_extension_config_dump)
	SELECT 'config_dump', cfg.tbl::regclass::text, coalesce(nullif(cfg.cond, ''), '(all rows)')
	FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS cfg(tbl, cond)
	WHERE e.extname = 'agingos'
	UNION ALL
	SELECT 'comment', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description
	FROM pg_description d JOIN member m ON m.classid = d.classoid AND m.objid = d.objoid
	UNION ALL
	SELECT 'comment', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description
	FROM pg_description d JOIN rel ON d.classoid = 'pg_class'::regclass AND d.objoid = rel.oid AND d.objsubid > 0

)
SELECT kind, object, detail FROM facts ORDER BY kind, object, detail COLLATE "C";
