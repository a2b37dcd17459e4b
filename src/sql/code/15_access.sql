-- agingos install script, part 15: access control, audit and privacy
-- (contract.md section 12; docs/security.md).  Keys and their homes, the
-- caller context the row-level security policies read, readers, export and
-- deletion of a home.  Policies and grants: part 99.

-- agingos_actor_default() → text: 'sql:<session_user>', the actor of a
-- change made in SQL without a named actor (deviation_history.actor).
CREATE OR REPLACE FUNCTION agingos.agingos_actor_default()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, agingos
AS $$ SELECT 'sql:' || session_user::text $$;
COMMENT ON FUNCTION agingos.agingos_actor_default() IS
'Internal: the actor sql:<session_user> of a change made in SQL (contract section 12).';

-- agingos_check_actor(actor text) → text: actor, validated: scheduler,
-- key:<digits>, contact:<digits> or sql:<role> (at most 200 characters);
-- NULL becomes agingos_actor_default().  22023 otherwise.
CREATE OR REPLACE FUNCTION agingos.agingos_check_actor(actor text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	IF actor IS NULL THEN
		RETURN agingos.agingos_actor_default();
	END IF;
	IF length(actor) > 200 OR actor !~ '^(scheduler|key:[0-9]{1,19}|contact:[0-9]{1,19}|sql:.+)$' THEN
		RAISE EXCEPTION 'invalid argument "actor"' USING ERRCODE = '22023',
			DETAIL = format('The value %s is not an actor.', to_json(left(actor, 40))),
			HINT = 'Use scheduler, key:<key_id>, contact:<contact_id> or sql:<role>, or leave it null for sql:<session_user>.';
	END IF;
	RETURN actor;
END
$$;
COMMENT ON FUNCTION agingos.agingos_check_actor(text) IS
'Internal: validate an actor (scheduler, key:<id>, contact:<id>, sql:<role>); null means sql:<session_user>.';

-- agingos_check_note(note text) → text: a note for ACK/CLOSE, at most 1000
-- characters (22023 otherwise); NULL stays NULL.
CREATE OR REPLACE FUNCTION agingos.agingos_check_note(note text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	IF length(note) > 1000 THEN
		RAISE EXCEPTION 'invalid argument "note"' USING ERRCODE = '22023',
			DETAIL = format('The note has %s characters; at most 1000 are kept.', length(note)),
			HINT = 'Shorten the note.';
	END IF;
	RETURN note;
END
$$;
COMMENT ON FUNCTION agingos.agingos_check_note(text) IS 'Internal: validate an ACK/CLOSE note (at most 1000 characters).';

-- agingos_key_lookup(api_key text) → (mode, key_id, role, homes)
-- Always one row: the stored auth mode (NULL when the settings row is
-- missing) and, for an active (not revoked) key with this value, its id,
-- role and homes; NULLs otherwise.  SECURITY DEFINER: the only reader of
-- settings and api_keys on behalf of the routes (src/auth.c).
-- PL/pgSQL, not SQL: SECURITY DEFINER and SET keep a SQL function from
-- being inlined, and a SQL function called from a kept SPI plan is parsed,
-- analysed and planned again on every call (over a third of a POST /event's
-- CPU, docs/bench.md section 15); PL/pgSQL keeps its plans for the session.
-- Without a key only the settings row is read (one index probe).
CREATE OR REPLACE FUNCTION agingos.agingos_key_lookup(api_key text,
	OUT mode text, OUT key_id bigint, OUT role text, OUT homes text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	SELECT s.value INTO mode FROM agingos.settings s WHERE s.name = 'auth_mode';
	IF agingos_key_lookup.api_key IS NULL THEN
		RETURN;
	END IF;
	SELECT k.key_id, k.role,
		   (SELECT array_agg(h.home_id ORDER BY h.home_id) FROM agingos.api_key_homes h WHERE h.key_id = k.key_id)
	  INTO key_id, role, homes
	  FROM agingos.api_keys k
	 WHERE k.key_hash = pg_catalog.sha256(pg_catalog.convert_to(agingos_key_lookup.api_key, 'UTF8'))
	   AND k.revoked_at IS NULL;
END
$$;
COMMENT ON FUNCTION agingos.agingos_key_lookup(text) IS
'Internal: auth mode and the active key''s id, role and homes, for src/auth.c.';

-- agingos_auth(api_key text, action text) → text home_id
-- The caller's one home for a route: authorises the key for action
-- ('ingest' POST events, 'read' GET, 'ack' PATCH a deviation, 'admin'
-- the rest) and sets the caller context for row-level security.  Auth mode
-- none: 'default'.  28000 missing/unknown/revoked key or a stored auth
-- mode other than none/api_key; 42501 wrong role; 22023 a key of several
-- homes (use the three-argument form with a home_id).
CREATE OR REPLACE FUNCTION agingos.agingos_auth(api_key text, action text)
RETURNS text
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_auth';
COMMENT ON FUNCTION agingos.agingos_auth(text, text) IS
'Resolve the caller''s home from an API key for action ingest, read, ack or admin and set the caller context (contract section 12); 28000 or 42501 when not allowed.';

-- agingos_auth(api_key text, action text, home_id text) → text home_id
-- As above, narrowed to home_id when not null: a home the key does not
-- cover is P0002 (404, never 403).
CREATE OR REPLACE FUNCTION agingos.agingos_auth(api_key text, action text, home_id text)
RETURNS text
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_auth_home';
COMMENT ON FUNCTION agingos.agingos_auth(text, text, text) IS
'As agingos_auth(api_key, action), for the home_id query argument; a home outside the key is P0002.';

-- agingos_auth_homes(api_key text, action text, home_id text) → text[]
-- For listing routes: every home of the key (sorted), or only home_id
-- when given and covered (P0002 otherwise).  Sets the caller context.
CREATE OR REPLACE FUNCTION agingos.agingos_auth_homes(api_key text, action text, home_id text DEFAULT NULL)
RETURNS text[]
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_auth_homes';
COMMENT ON FUNCTION agingos.agingos_auth_homes(text, text, text) IS
'The homes of an API key for a listing route, narrowed by home_id (contract section 12); sets the caller context.';

-- agingos_caller_homes() → text[]: the current transaction's caller homes
-- (empty when nothing authenticated); read by the row-level security
-- policies for agingos_routes.  Nothing in SQL can set them but the auth
-- functions and agingos_caller_set.
CREATE OR REPLACE FUNCTION agingos.agingos_caller_homes()
RETURNS text[]
LANGUAGE C STABLE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'agingos_caller_homes';
COMMENT ON FUNCTION agingos.agingos_caller_homes() IS
'The homes the current transaction''s caller may see (row-level security; docs/security.md).';

-- agingos_caller_actor() → text: 'key:<key_id>' of the authenticated key,
-- or NULL (auth mode none, or nothing authenticated).
CREATE OR REPLACE FUNCTION agingos.agingos_caller_actor()
RETURNS text
LANGUAGE C STABLE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'agingos_caller_actor';
COMMENT ON FUNCTION agingos.agingos_caller_actor() IS
'The actor (key:<key_id>) of the current transaction''s authenticated key, or null.';

-- agingos_caller_set(home_ids text[], actor text) → void: the caller context
-- for a route that authenticates without an API key (e.g. a signed token).
-- No role may execute it but the extension's owner: call it from a
-- SECURITY DEFINER function it owns, after checking the credential.
CREATE OR REPLACE FUNCTION agingos.agingos_caller_set(home_ids text[], actor text DEFAULT NULL)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_caller_set';
COMMENT ON FUNCTION agingos.agingos_caller_set(text[], text) IS
'Internal: set the caller context without a key (owner-only; docs/security.md).';

-- agingos_check_homes(home_ids text[]) → text[]: the list validated —
-- not null, 1..1000 entries, each 1..128 characters, no null, no
-- duplicate; returned sorted.  22023 naming the problem otherwise.
CREATE OR REPLACE FUNCTION agingos.agingos_check_homes(home_ids text[])
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	n integer := coalesce(cardinality(home_ids), 0);
BEGIN
	IF n = 0 OR n > 1000 THEN
		RAISE EXCEPTION 'invalid argument "home_ids"' USING ERRCODE = '22023',
			DETAIL = format('The list has %s homes; 1 to 1000 are needed.', n),
			HINT = 'Pass the homes as an array, e.g. ARRAY[''home-1'', ''home-2''].';
	END IF;
	IF EXISTS (SELECT 1 FROM unnest(home_ids) h WHERE h IS NULL OR length(h) NOT BETWEEN 1 AND 128) THEN
		RAISE EXCEPTION 'invalid argument "home_ids"' USING ERRCODE = '22023',
			DETAIL = 'Every home id has 1 to 128 characters; null is not a home.',
			HINT = 'Pass home ids such as ''default''.';
	END IF;
	IF (SELECT count(DISTINCT h) FROM unnest(home_ids) h) <> n THEN
		RAISE EXCEPTION 'invalid argument "home_ids"' USING ERRCODE = '22023',
			DETAIL = 'A home is listed twice.',
			HINT = 'List every home once.';
	END IF;
	RETURN (SELECT array_agg(h ORDER BY h) FROM unnest(home_ids) h);
END
$$;
COMMENT ON FUNCTION agingos.agingos_check_homes(text[]) IS 'Internal: validate and sort a list of home ids.';

-- agingos_store_api_key(key_text, home_ids, role, label) → bigint key_id
-- Store a key's hash, 8-character prefix, role, label and homes (adding
-- the homes to homes) and write the audit_log row.  Validation of role,
-- homes and label happens here; 22023 naming the argument otherwise.
CREATE OR REPLACE FUNCTION agingos.agingos_store_api_key(key_text text, home_ids text[], role text, label text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_homes text[];
	v_id bigint;
BEGIN
	IF role IS NULL OR role NOT IN ('ingest', 'read', 'carer', 'admin') THEN
		RAISE EXCEPTION 'invalid argument "role"'
			USING ERRCODE = '22023',
				  DETAIL = format('The value %s is not a role.', coalesce(quote_literal(role), 'NULL')),
				  HINT = 'Use ''ingest'', ''read'', ''carer'' or ''admin''.';
	END IF;
	v_homes := agingos.agingos_check_homes(home_ids);
	IF role = 'ingest' AND cardinality(v_homes) > 1 THEN
		RAISE EXCEPTION 'invalid argument "home_ids"' USING ERRCODE = '22023',
			DETAIL = 'An ingest key posts events for exactly one home.',
			HINT = 'Create one ingest key per home; read, carer and admin keys may cover several.';
	END IF;
	IF length(label) > 200 THEN
		RAISE EXCEPTION 'invalid argument "label"' USING ERRCODE = '22023',
			DETAIL = format('The label has %s characters; at most 200 are kept.', length(label)),
			HINT = 'Use a short label such as ''kitchen tablet''.';
	END IF;
	INSERT INTO agingos.homes (home_id) SELECT h FROM unnest(v_homes) h ON CONFLICT DO NOTHING;
	INSERT INTO agingos.api_keys (key_hash, key_prefix, role, label)
	VALUES (sha256(convert_to(key_text, 'UTF8')), left(key_text, 8), role, label)
	RETURNING key_id INTO v_id;
	INSERT INTO agingos.api_key_homes (home_id, key_id) SELECT h, v_id FROM unnest(v_homes) h;
	INSERT INTO agingos.audit_log (actor, action, home_id, key_id, details)
	VALUES (agingos.agingos_actor_default(), 'create_key', CASE WHEN cardinality(v_homes) = 1 THEN v_homes[1] END, v_id,
			jsonb_build_object('role', role, 'homes', to_jsonb(v_homes), 'key_prefix', left(key_text, 8)));
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION agingos.agingos_store_api_key(text, text[], text, text) IS
'Internal: store a key (hash, 8-character prefix, role, label, homes) and audit it.';

-- agingos_create_api_key(home_ids text[], role text, label text DEFAULT NULL) → text
-- A new key for one or more homes, shown once; only its SHA-256 hash and
-- its first 8 characters are stored.  Roles: ingest (POST events; exactly
-- one home), read (GET), carer (GET and PATCH /deviations/{id}), admin
-- (all).  Adds the homes to homes.  22023 for a bad role, home list or label.
CREATE OR REPLACE FUNCTION agingos.agingos_create_api_key(home_ids text[], role text, label text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	-- 256 bits from two v4 UUIDs (strong random), hashed: 64 hex digits.
	v_key CONSTANT text := 'agk_' || encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex');
BEGIN
	PERFORM agingos.agingos_store_api_key(v_key, home_ids, role, label);
	RETURN v_key;
END
$$;
COMMENT ON FUNCTION agingos.agingos_create_api_key(text[], text, text) IS
'Create an API key for several homes with role ingest (one home), read, carer or admin; returned once, stored only as a SHA-256 hash and an 8-character prefix.';

-- agingos_create_api_key(home_id text, role text, label text DEFAULT NULL) → text
-- The same for one home (contract sections 4 and 12).
CREATE OR REPLACE FUNCTION agingos.agingos_create_api_key(home_id text, role text, label text DEFAULT NULL)
RETURNS text
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, agingos
AS $$ SELECT agingos.agingos_create_api_key(ARRAY[home_id], role, label) $$;
COMMENT ON FUNCTION agingos.agingos_create_api_key(text, text, text) IS
'Create an API key for a home with role ingest, read, carer or admin; returned once, stored only as a SHA-256 hash and an 8-character prefix.';

-- agingos_register_api_key(api_key text, home_ids text[], role text, label text DEFAULT NULL) → bigint key_id
-- Register a key chosen by the operator (make up's AGINGOS_API_KEY): at
-- least 24 and at most 512 characters, no control characters (22023
-- otherwise).  A key already registered keeps its row (a revoked key stays
-- revoked, with a WARNING) and its id is returned.
CREATE OR REPLACE FUNCTION agingos.agingos_register_api_key(api_key text, home_ids text[], role text, label text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	k agingos.api_keys;
BEGIN
	IF api_key IS NULL OR length(api_key) < 24 OR length(api_key) > 512 OR api_key ~ '[[:cntrl:][:space:]]' THEN
		RAISE EXCEPTION 'invalid argument "api_key"' USING ERRCODE = '22023',
			DETAIL = format('A key needs 24 to 512 characters without spaces or control characters; this one has %s.', coalesce(length(api_key), 0)),
			HINT = 'Generate one, e.g. openssl rand -hex 32, or let agingos_create_api_key make it.';
	END IF;
	SELECT x.* INTO k FROM agingos.api_keys x WHERE x.key_hash = sha256(convert_to(api_key, 'UTF8'));
	IF FOUND THEN
		IF k.revoked_at IS NOT NULL THEN
			RAISE WARNING 'API key % (prefix %) was revoked at %; it stays revoked', k.key_id, k.key_prefix, agingos.agingos_iso(k.revoked_at)
				USING HINT = 'Choose a new key.';
		END IF;
		RETURN k.key_id;
	END IF;
	RETURN agingos.agingos_store_api_key(api_key, home_ids, role, label);
END
$$;
COMMENT ON FUNCTION agingos.agingos_register_api_key(text, text[], text, text) IS
'Register an operator-chosen API key (at least 24 characters), e.g. make up''s AGINGOS_API_KEY; returns its key_id.';

-- agingos_revoke_api_key(key_id bigint) → boolean
-- The key gets 401 from the next request on.  true when it was active,
-- false when it was already revoked; P0002 for an unknown id.  The row is
-- kept (who had which key, until when) and the revocation audited.
CREATE OR REPLACE FUNCTION agingos.agingos_revoke_api_key(key_id bigint)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	k agingos.api_keys;
BEGIN
	SELECT x.* INTO k FROM agingos.api_keys x WHERE x.key_id = agingos_revoke_api_key.key_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'API key % not found', agingos_revoke_api_key.key_id USING ERRCODE = 'P0002',
			HINT = 'List the keys with: SELECT key_id, key_prefix, role, label, revoked_at FROM agingos.api_keys;';
	END IF;
	IF k.revoked_at IS NOT NULL THEN
		RETURN false;
	END IF;
	UPDATE agingos.api_keys x SET revoked_at = pg_catalog.now() WHERE x.key_id = k.key_id;
	INSERT INTO agingos.audit_log (actor, action, key_id, home_id, details)
	VALUES (agingos.agingos_actor_default(), 'revoke_key', k.key_id,
			(SELECT min(h.home_id) FROM agingos.api_key_homes h WHERE h.key_id = k.key_id
			  HAVING count(*) = 1),
			jsonb_build_object('key_prefix', k.key_prefix, 'role', k.role));
	RETURN true;
END
$$;
COMMENT ON FUNCTION agingos.agingos_revoke_api_key(bigint) IS
'Revoke an API key: 401 from the next request on; true if it was active (contract section 12).';

-- agingos_create_reader(role_name text, home_ids text[], password text DEFAULT NULL) → text
-- A LOGIN role (for psql, Grafana or any PostgreSQL client) that may
-- SELECT the home data of exactly these homes and nothing else: member of
-- agingos_reader, rows limited by reader_homes through row-level
-- security.  No password unless given (then pass it hashed, or better set
-- it with psql's \password, so it never reaches a log).  role_name:
-- ^[a-z_][a-z0-9_]{0,62}$ (22023), not an existing role (42710).  Needs a
-- role that may CREATE ROLE (the operator in make psql).  Returns role_name.
CREATE OR REPLACE FUNCTION agingos.agingos_create_reader(role_name text, home_ids text[], password text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_homes text[];
BEGIN
	IF role_name IS NULL OR role_name !~ '^[a-z_][a-z0-9_]{0,62}$' OR role_name ~ '^(pg_|agingos)' THEN
		RAISE EXCEPTION 'invalid argument "role_name"' USING ERRCODE = '22023',
			DETAIL = format('The value %s is not a usable role name.', coalesce(to_json(left(role_name, 70))::text, 'NULL')),
			HINT = 'Use lower-case letters, digits and _ (at most 63, not starting with pg_ or agingos), e.g. ''grafana_home1''.';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = role_name) THEN
		RAISE EXCEPTION 'role "%" already exists', role_name USING ERRCODE = '42710',
			HINT = 'Choose another name, or drop the role first (DROP ROLE).';
	END IF;
	v_homes := agingos.agingos_check_homes(home_ids);
	IF password IS NOT NULL AND length(password) < 12 THEN
		RAISE EXCEPTION 'invalid argument "password"' USING ERRCODE = '22023',
			DETAIL = 'A password needs at least 12 characters.',
			HINT = 'Leave it null and set it with psql''s \password, which sends it hashed.';
	END IF;
	EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT IN ROLE agingos_reader%s',
				   role_name, CASE WHEN password IS NOT NULL THEN format(' PASSWORD %L', password) ELSE '' END);
	EXECUTE format('ALTER ROLE %I SET search_path = agingos, public', role_name);
	INSERT INTO agingos.homes (home_id) SELECT h FROM unnest(v_homes) h ON CONFLICT DO NOTHING;
	INSERT INTO agingos.reader_homes (home_id, role_name) SELECT h, role_name FROM unnest(v_homes) h;
	INSERT INTO agingos.audit_log (actor, action, home_id, subject, details)
	VALUES (agingos.agingos_actor_default(), 'create_reader', CASE WHEN cardinality(v_homes) = 1 THEN v_homes[1] END,
			role_name, jsonb_build_object('homes', to_jsonb(v_homes)));
	RETURN role_name;
END
$$;
COMMENT ON FUNCTION agingos.agingos_create_reader(text, text[], text) IS
'Create a LOGIN role that may SELECT the home data of exactly these homes (row-level security; contract section 12).';

-- agingos_home_tables() → SETOF regclass: every table of schema agingos
-- with a home_id column (a home's data), partitions excluded, in name
-- order.  Row-level security (part 99), export and deletion use it, so a
-- table added later is covered without a change here.
CREATE OR REPLACE FUNCTION agingos.agingos_home_tables()
RETURNS SETOF regclass
LANGUAGE sql STABLE
SET search_path = pg_catalog, agingos
AS $$
	SELECT c.oid::regclass FROM pg_class c
	  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'home_id' AND NOT a.attisdropped
	 WHERE c.relnamespace = 'agingos'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
	 ORDER BY c.relname;
$$;
COMMENT ON FUNCTION agingos.agingos_home_tables() IS 'Internal: the tables holding a home''s data (a home_id column).';

-- agingos_export_home(home_id text) → jsonb
-- All of a home's data as one document: {"format": "agingos-home-export/1",
-- "home_id", "exported_at", "tables": {<table>: [rows as JSON, in
-- primary-key order]}, "api_keys": [id, prefix, role, label, created_at,
-- revoked_at of its keys — never the hashes]}.  Every table with a
-- home_id column is included.  P0002 for an unknown home.  Audited.
CREATE OR REPLACE FUNCTION agingos.agingos_export_home(home_id text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	t regclass;
	pk text;
	rows jsonb;
	tables jsonb := '{}';
	keys jsonb;
BEGIN
	IF home_id IS NULL OR NOT EXISTS (SELECT 1 FROM agingos.homes h WHERE h.home_id = agingos_export_home.home_id) THEN
		RAISE EXCEPTION 'home % not found', coalesce(to_json(home_id)::text, 'NULL') USING ERRCODE = 'P0002',
			HINT = 'List the homes with: SELECT home_id FROM agingos.homes;';
	END IF;
	FOR t IN SELECT * FROM agingos.agingos_home_tables() LOOP
		SELECT string_agg(format('x.%I', a.attname), ', ' ORDER BY array_position(i.indkey::int2[], a.attnum))
		  INTO pk
		  FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
		 WHERE i.indrelid = t AND i.indisprimary;
		EXECUTE format('SELECT coalesce(jsonb_agg(to_jsonb(x) - ''key_hash'' ORDER BY %s), ''[]'') FROM %s x WHERE x.home_id = $1',
					   coalesce(pk, 'to_jsonb(x)::text'), t)
		   INTO rows USING home_id;
		tables := tables || jsonb_build_object((SELECT c.relname FROM pg_class c WHERE c.oid = t), rows);
	END LOOP;
	SELECT coalesce(jsonb_agg(jsonb_build_object('key_id', k.key_id, 'key_prefix', k.key_prefix, 'role', k.role,
			'label', k.label, 'created_at', agingos.agingos_iso(k.created_at),
			'revoked_at', agingos.agingos_iso(k.revoked_at)) ORDER BY k.key_id), '[]')
	  INTO keys
	  FROM agingos.api_keys k
	 WHERE EXISTS (SELECT 1 FROM agingos.api_key_homes h WHERE h.key_id = k.key_id AND h.home_id = agingos_export_home.home_id);
	INSERT INTO agingos.audit_log (actor, action, home_id, details)
	VALUES (agingos.agingos_actor_default(), 'export_home', home_id,
			(SELECT jsonb_object_agg(e.key, jsonb_array_length(e.value)) FROM jsonb_each(tables) e));
	RETURN jsonb_build_object('format', 'agingos-home-export/1', 'home_id', home_id,
		'exported_at', agingos.agingos_iso(pg_catalog.now()), 'tables', tables, 'api_keys', keys);
END
$$;
COMMENT ON FUNCTION agingos.agingos_export_home(text) IS
'All of a home''s data as one JSON document (every table with a home_id, its keys without hashes); audited.';

-- agingos_delete_home(home_id text) → jsonb {"deleted": {<table>: n, ...,
-- "api_keys": n}, "audit_id": n}
-- Removes every row of the home from every table with a home_id column
-- (events, deviations, history, contacts, notifications, readers' homes,
-- its audit rows, the homes row), in foreign-key order, and the keys
-- that covered only this home; keys of several homes lose this one.  One
-- audit_log row records when and by whom, naming the home only by the
-- SHA-256 of its id.  P0002 for an unknown home.  One transaction: all or
-- nothing.  Readers of only this home keep their role (they see nothing).
CREATE OR REPLACE FUNCTION agingos.agingos_delete_home(home_id text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	todo regclass[];
	ready regclass[];
	t regclass;
	n bigint;
	counts jsonb := '{}';
	keys bigint[];
	v_audit bigint;
BEGIN
	IF home_id IS NULL OR NOT EXISTS (SELECT 1 FROM agingos.homes h WHERE h.home_id = agingos_delete_home.home_id) THEN
		RAISE EXCEPTION 'home % not found', coalesce(to_json(home_id)::text, 'NULL') USING ERRCODE = 'P0002',
			HINT = 'List the homes with: SELECT home_id FROM agingos.homes;';
	END IF;
	-- the tick must not write for this home meanwhile
	PERFORM 1 FROM agingos.homes h WHERE h.home_id = agingos_delete_home.home_id FOR UPDATE;
	SELECT array_agg(k.key_id) INTO keys FROM agingos.api_key_homes k
	 WHERE k.home_id = agingos_delete_home.home_id
	   AND NOT EXISTS (SELECT 1 FROM agingos.api_key_homes o WHERE o.key_id = k.key_id AND o.home_id <> k.home_id);
	SELECT array_agg(x) INTO todo FROM agingos.agingos_home_tables() x;
	WHILE cardinality(todo) > 0 LOOP
		-- tables no other remaining table references go first
		SELECT array_agg(x) INTO ready FROM unnest(todo) x
		 WHERE NOT EXISTS (SELECT 1 FROM pg_constraint f
							WHERE f.contype = 'f' AND f.confrelid = x AND f.conrelid <> x AND f.conrelid = ANY (todo));
		IF ready IS NULL THEN
			RAISE EXCEPTION 'agingos_delete_home: foreign keys between % form a cycle', todo;
		END IF;
		FOREACH t IN ARRAY ready LOOP
			EXECUTE format('DELETE FROM %s x WHERE x.home_id = $1', t) USING home_id;
			GET DIAGNOSTICS n = ROW_COUNT;
			counts := counts || jsonb_build_object((SELECT c.relname FROM pg_class c WHERE c.oid = t), n);
		END LOOP;
		SELECT array_agg(x) INTO todo FROM unnest(todo) x WHERE x <> ALL (ready);
	END LOOP;
	DELETE FROM agingos.audit_log a WHERE a.details -> 'homes' ? agingos_delete_home.home_id;
	DELETE FROM agingos.api_keys k WHERE k.key_id = ANY (coalesce(keys, '{}'));
	GET DIAGNOSTICS n = ROW_COUNT;
	counts := counts || jsonb_build_object('api_keys', n);
	INSERT INTO agingos.audit_log (actor, action, subject, details)
	VALUES (agingos.agingos_actor_default(), 'delete_home',
			'sha256:' || encode(sha256(convert_to(home_id, 'UTF8')), 'hex'), counts)
	RETURNING audit_id INTO v_audit;
	RETURN jsonb_build_object('deleted', counts, 'audit_id', v_audit);
END
$$;
COMMENT ON FUNCTION agingos.agingos_delete_home(text) IS
'Delete all of a home''s data and its single-home keys; audited by the SHA-256 of the home id only (contract section 12).';

-- agingos_scheduler_job() → (jobid, schedule, active) of the pg_cron job
-- agingos-scheduler, or NULLs.  SECURITY DEFINER so that agingos_health
-- works for the routes' role, which may not read schema cron.
CREATE OR REPLACE FUNCTION agingos.agingos_scheduler_job(OUT jobid bigint, OUT schedule text, OUT active boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	IF to_regclass('cron.job') IS NOT NULL THEN
		SELECT j.jobid, j.schedule, j.active INTO jobid, schedule, active FROM cron.job j WHERE j.jobname = 'agingos-scheduler';
	END IF;
END
$$;
COMMENT ON FUNCTION agingos.agingos_scheduler_job() IS 'Internal: the pg_cron job agingos-scheduler (id, schedule, active) or nulls.';

-- http_auth_mode() → text: the stored auth mode for agingos-http's per-key
-- rate limit (none: no limit).  Not a route; owned by the extension owner.
CREATE OR REPLACE FUNCTION agingos.http_auth_mode()
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$ SELECT s.value FROM agingos.settings s WHERE s.name = 'auth_mode' $$;
COMMENT ON FUNCTION agingos.http_auth_mode() IS
'The stored auth mode, for agingos-http''s per-key rate limit (contract section 12).';
