-- agingos install script, part 00: schema, tables, roles.
-- The Makefile concatenates src/sql/*.sql (in name order) into agingos--<version>.sql.
-- Tables: contract.md section 3.  Every name is schema-qualified.

\echo Use "CREATE EXTENSION agingos" to load this file. \quit

-- The role the HTTP front's login role (agingos_http, created by `make up`) is a member of.
-- It may only EXECUTE the agingos.http_* functions (granted at the end of the script).
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'agingos_api') THEN
		CREATE ROLE agingos_api NOLOGIN;
	END IF;
END
$$;

-- homes: one row per home; added on a home's first stored event and by
-- agingos_create_api_key; never deleted by retention.
CREATE TABLE agingos.homes (
	home_id		text PRIMARY KEY,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE agingos.homes IS 'Every known home (contract section 3); the scheduler tick visits each row.';

-- events: validated sensor events (contract section 5).  "timestamp" is UTC.
CREATE TABLE agingos.events (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	home_id		text NOT NULL DEFAULT 'default',
	event_id	text NOT NULL,
	"timestamp" timestamptz NOT NULL,
	category	text NOT NULL,
	payload		jsonb NOT NULL DEFAULT '{}'::jsonb,
	room_id		text,
	stream_id	text NOT NULL DEFAULT 'prod',
	received_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT events_home_event_key UNIQUE (home_id, event_id)
);
-- The engine's one range scan per home and window (design.md "engine").
CREATE INDEX events_home_ts_idx ON agingos.events (home_id, "timestamp");
-- Latest event of a category at any age (R-009 evidence, liveness gate) in one probe.
CREATE INDEX events_home_category_ts_idx ON agingos.events (home_id, category, "timestamp");
COMMENT ON TABLE agingos.events IS 'Sensor events as stored by agingos_ingest (contract sections 3 and 5).';

-- deviations: persisted lifecycle rows (rules.md section 5).  fillfactor leaves
-- room for HOT updates: a tick rewrites last_seen_at of every active row.
CREATE TABLE agingos.deviations (
	deviation_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	home_id		text NOT NULL,
	rule_id		text NOT NULL,
	subject_key text NOT NULL,
	status		text NOT NULL CHECK (status IN ('OPEN', 'ACK', 'CLOSED')),
	severity	text NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH')),
	title		text NOT NULL,
	explanation text NOT NULL,
	evidence	jsonb NOT NULL DEFAULT '{}'::jsonb,
	window_since timestamptz NOT NULL,
	window_until timestamptz NOT NULL,
	"timestamp" timestamptz NOT NULL,
	started_at	timestamptz NOT NULL,
	last_seen_at timestamptz NOT NULL,
	acked_at	timestamptz,
	closed_at	timestamptz
) WITH (fillfactor = 70);
CREATE UNIQUE INDEX deviations_active_key ON agingos.deviations (home_id, rule_id, subject_key)
	WHERE status IN ('OPEN', 'ACK');
CREATE INDEX deviations_home_status_idx ON agingos.deviations (home_id, status);
COMMENT ON TABLE agingos.deviations IS 'Persisted deviations with lifecycle OPEN -> ACK -> CLOSED (rules.md section 5).';

-- deviations_v1: computed deviations kept on request (agingos_persist).
CREATE TABLE agingos.deviations_v1 (
	deviation_id uuid PRIMARY KEY,
	home_id		text NOT NULL,
	rule_id		text NOT NULL,
	"timestamp" timestamptz NOT NULL,
	severity	text NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH')),
	title		text NOT NULL,
	explanation text NOT NULL,
	evidence	jsonb NOT NULL DEFAULT '{}'::jsonb,
	window_since timestamptz NOT NULL,
	window_until timestamptz NOT NULL,
	CONSTRAINT deviations_v1_window_key UNIQUE (home_id, rule_id, window_since, window_until)
);
COMMENT ON TABLE agingos.deviations_v1 IS 'Computed deviations kept by agingos_persist (contract sections 3 and 7).';

-- config: every loaded configuration; the row with the highest version is active.
CREATE TABLE agingos.config (
	version		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	loaded_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	source		text NOT NULL,
	effective	jsonb NOT NULL
);
COMMENT ON TABLE agingos.config IS 'Loaded rules.yaml texts and their effective values; highest version is active (rules.md section 6).';

-- settings: deployment settings written by `make up` (auth_mode: none | api_key).
CREATE TABLE agingos.settings (
	name		text PRIMARY KEY,
	value		text NOT NULL
);
INSERT INTO agingos.settings (name, value) VALUES ('auth_mode', 'none');
COMMENT ON TABLE agingos.settings IS 'Deployment settings; auth_mode is none or api_key (contract section 6).';

-- api_keys: keys are stored only as SHA-256 hashes (agingos_create_api_key).
CREATE TABLE agingos.api_keys (
	key_hash	bytea PRIMARY KEY,
	key_prefix	text NOT NULL,
	home_id		text NOT NULL REFERENCES agingos.homes (home_id),
	role		text NOT NULL CHECK (role IN ('ingest', 'read', 'admin')),
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE agingos.api_keys IS 'API keys as SHA-256 hashes with their home and role; the key itself is shown once.';

SELECT pg_catalog.pg_extension_config_dump('agingos.homes', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.events', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.deviations', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.deviations_v1', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.config', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.settings', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.api_keys', '');

-- agingos install script, part 10: event ingest (contract.md sections 4 and 5).

-- agingos_ingest(event text, home_id, stream_id) → jsonb
-- Validates one event given as JSON text with agingos's own JSON handling
-- (duplicate members, \u0000, depth, raw payload size) and stores it.
-- Returns {"received":true,"deduped":bool,"event_id":text}.
-- Errors: 22007 timestamp format; 22023 member missing/unknown/wrong type,
-- empty or long id, category, future instant, payload size/depth/type;
-- 22030 duplicate member; 22P02 invalid JSON; 22P05 \u0000; 23505 same id
-- with other content (nothing changed).
CREATE FUNCTION agingos.agingos_ingest(event text, home_id text DEFAULT 'default', stream_id text DEFAULT 'prod')
RETURNS jsonb
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_ingest';
COMMENT ON FUNCTION agingos.agingos_ingest(text, text, text) IS
'Validate and store one event given as JSON text (contract section 5); returns {"received":true,"deduped":bool,"event_id":…}; the HTTP front calls this form.';

-- agingos_ingest(event jsonb, …): SQL convenience; same rules, but duplicate
-- members cannot be detected because jsonb has already kept the last one.
CREATE FUNCTION agingos.agingos_ingest(event jsonb, home_id text DEFAULT 'default', stream_id text DEFAULT 'prod')
RETURNS jsonb
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_ingest_jsonb';
COMMENT ON FUNCTION agingos.agingos_ingest(jsonb, text, text) IS
'Validate and store one event given as jsonb; same rules as the text form, except that duplicate members cannot be detected (jsonb has already kept the last).';

-- agingos_ingest_batch(events text, home_id, stream_id) → jsonb
-- A JSON array of at most 10,000 events.  Every valid item is stored even
-- when others are rejected; results[i] = {index, status accepted|deduped|
-- rejected, event_id, error {code,message,details,hint} | null}.
-- Errors for the whole call (nothing stored): 22023 not an array or more
-- than 10,000 items or nested too deeply; 22P02 invalid JSON.
CREATE FUNCTION agingos.agingos_ingest_batch(events text, home_id text DEFAULT 'default', stream_id text DEFAULT 'prod')
RETURNS jsonb
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_ingest_batch';
COMMENT ON FUNCTION agingos.agingos_ingest_batch(text, text, text) IS
'Validate and store a JSON array of at most 10000 events; per-item results (contract section 4); the HTTP front calls this form.';

CREATE FUNCTION agingos.agingos_ingest_batch(events jsonb, home_id text DEFAULT 'default', stream_id text DEFAULT 'prod')
RETURNS jsonb
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_ingest_batch_jsonb';
COMMENT ON FUNCTION agingos.agingos_ingest_batch(jsonb, text, text) IS
'Validate and store a jsonb array of events; same rules as the text form, except that duplicate members cannot be detected (jsonb has already kept the last).';

-- agingos_parse_instant(value text, field text) → timestamptz
-- Strict instant with an explicit offset (contract.md section 2); raises
-- 22007 naming field for a naive or malformed value.  NULL in, NULL out.
CREATE FUNCTION agingos.agingos_parse_instant(value text, field text DEFAULT 'value')
RETURNS timestamptz
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'agingos_parse_instant';
COMMENT ON FUNCTION agingos.agingos_parse_instant(text, text) IS
'Parse an ISO 8601 instant that must carry Z or an offset (contract section 2); 22007 otherwise.';

-- agingos_iso(ts timestamptz) → text: "YYYY-MM-DDTHH:MM:SSZ", with a
-- 6-digit fraction only when the microseconds are non-zero (contract 2).
CREATE FUNCTION agingos.agingos_iso(ts timestamptz)
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'agingos_iso';
COMMENT ON FUNCTION agingos.agingos_iso(timestamptz) IS
'An instant as ISO 8601 UTC with Z (contract section 2), independent of the session TimeZone.';

-- agingos_create_api_key(home_id text, role text) → text
-- A new key, shown once; only its SHA-256 hash is stored.  Roles: ingest
-- (may only POST events), read (may only GET), admin (all).  Adds the home.
-- Errors: 22023 unknown role or empty home_id.
CREATE FUNCTION agingos.agingos_create_api_key(home_id text, role text)
RETURNS text
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_key text;
BEGIN
	IF role NOT IN ('ingest', 'read', 'admin') THEN
		RAISE EXCEPTION 'invalid argument "role"'
			USING ERRCODE = '22023',
				  DETAIL = format('The value %s is not a role.', quote_literal(role)),
				  HINT = 'Use ''ingest'', ''read'' or ''admin''.';
	END IF;
	IF length(home_id) = 0 OR length(home_id) > 128 THEN
		RAISE EXCEPTION 'invalid argument "home_id"'
			USING ERRCODE = '22023',
				  DETAIL = 'A home id has 1 to 128 characters.',
				  HINT = 'Pass a home id such as ''default''.';
	END IF;
	-- 256 bits from two v4 UUIDs (strong random), hashed: 64 hex digits.
	v_key := 'agk_' || encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex');
	INSERT INTO agingos.homes (home_id) VALUES (agingos_create_api_key.home_id) ON CONFLICT DO NOTHING;
	INSERT INTO agingos.api_keys (key_hash, key_prefix, home_id, role)
	VALUES (sha256(convert_to(v_key, 'UTF8')), left(v_key, 12), agingos_create_api_key.home_id, agingos_create_api_key.role);
	RETURN v_key;
END
$$;
COMMENT ON FUNCTION agingos.agingos_create_api_key(text, text) IS
'Create an API key for a home with role ingest, read or admin; the key is returned once and stored only as a SHA-256 hash.';

-- agingos_auth(api_key text, action text) → text home_id
-- The caller's home for a route: 'default' when auth_mode is none; with
-- api_key mode 28000 for a missing/unknown key, 42501 for a wrong role.
CREATE FUNCTION agingos.agingos_auth(api_key text, action text)
RETURNS text
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_auth';
COMMENT ON FUNCTION agingos.agingos_auth(text, text) IS
'Resolve the caller''s home from an API key for action ingest, read or admin (contract section 6); 28000 or 42501 when not allowed.';

-- agingos install script, part 20: the rules configuration (rules.md
-- section 6, contract.md section 4).  C code: src/config*.c.

-- agingos_load_config(yaml text) → jsonb
-- Parses the text of config/rules.yaml with libyaml and validates it
-- strictly (unknown keys, duplicate keys, aliases, anchors, merge keys,
-- tags, wrong types, bounds, time zones, cross-field checks), stores it as
-- a new row of agingos.config (the new active version) and returns the
-- effective configuration, as agingos_config() shows it.
-- Errors: F0000 with errmsg "<full.path>: <problem>", errdetail naming the
-- value and its YAML line, errhint saying how to fix it; nothing is stored
-- and the previous configuration stays active.
CREATE FUNCTION agingos.agingos_load_config(yaml text)
RETURNS jsonb
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_load_config';
COMMENT ON FUNCTION agingos.agingos_load_config(text) IS
'Validate a rules.yaml text strictly (rules.md section 6) and make it the active configuration; returns the effective configuration; any error raises F0000 and keeps the previous configuration.';

-- agingos_config() → jsonb
-- The active configuration (highest version in agingos.config, or the
-- built-in defaults when none was loaded): the YAML's structure with every
-- section, rule and param present with its effective value.  Reads the
-- backend's cached copy; it takes a fresh snapshot when the cache is
-- stale, so it is PARALLEL RESTRICTED.
CREATE FUNCTION agingos.agingos_config()
RETURNS jsonb
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'agingos_config';
COMMENT ON FUNCTION agingos.agingos_config() IS
'The active configuration with effective values (defaults filled in, aliases folded, derived defaults resolved; rules.md section 6.1); built-in defaults when none was loaded.';

-- agingos_config_invalidate() → trigger
-- Statement trigger on agingos.config: every change of the table sends a
-- relcache invalidation, so each backend's cached configuration is re-read
-- (other backends see it at commit).  Covers hand-made changes too.
CREATE FUNCTION agingos.agingos_config_invalidate()
RETURNS trigger
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_config_invalidate';
COMMENT ON FUNCTION agingos.agingos_config_invalidate() IS
'Trigger function: invalidate every backend''s cached configuration after a change of agingos.config.';

CREATE TRIGGER config_invalidate
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agingos.config
	FOR EACH STATEMENT EXECUTE FUNCTION agingos.agingos_config_invalidate();
-- agingos install script, part 30: the rule engine (rules.md sections 2 and 4,
-- contract.md section 4).  C code: src/engine.c and src/rules/.

\echo Use "CREATE EXTENSION agingos" to load this file. \quit

-- agingos_evaluate: computed deviations for one home, nothing written.
--   since, until: the window [since, until); both or neither (neither =
--     scheduler mode: rules with enabled_in_scheduler, each over
--     [now - lookback_minutes, now)).  One of them alone is 22023.
--   now: the evaluation instant, becomes each row's "timestamp"; since < until <= now or 22023.
--   home_id: the home; rule_ids: filter (NULL = all, '{}' = none; unknown id = 22023).
-- Rows in rule-id order, deviation_id random (v4).  VOLATILE: random ids.
CREATE FUNCTION agingos.agingos_evaluate(
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL,
	now timestamptz DEFAULT pg_catalog.now(),
	home_id text DEFAULT 'default',
	rule_ids text[] DEFAULT NULL)
RETURNS SETOF agingos.deviations_v1
AS 'MODULE_PATHNAME', 'agingos_evaluate'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE;
COMMENT ON FUNCTION agingos.agingos_evaluate(timestamptz, timestamptz, timestamptz, text, text[]) IS
'Evaluate rules R-001..R-010 for one home and return the computed deviations (nothing is written). '
'With since/until: every rule (or those in rule_ids) over [since, until), gating applies. '
'Without: scheduler mode, enabled rules over [now - lookback_minutes, now). Errors 22023 for bad arguments.';

-- agingos_persist: evaluate [since, until) at now (every rule, gating applies)
-- and keep the results in deviations_v1; a window already kept for a rule adds
-- nothing (ON CONFLICT DO NOTHING).  Returns the number of rows added.
-- since and until are required here (22023 when null).
CREATE FUNCTION agingos.agingos_persist(
	since timestamptz,
	until timestamptz,
	now timestamptz DEFAULT pg_catalog.now(),
	home_id text DEFAULT 'default')
RETURNS integer
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	added integer;
BEGIN
	IF since IS NULL OR until IS NULL THEN
		RAISE EXCEPTION 'since and until are required'
			USING ERRCODE = '22023',
				  DETAIL = pg_catalog.format('%s is null.', CASE WHEN since IS NULL THEN 'since' ELSE 'until' END),
				  HINT = 'Pass the window to evaluate and keep, for example since => now() - interval ''1 hour'', until => now().';
	END IF;
	INSERT INTO agingos.deviations_v1 AS d
		(deviation_id, home_id, rule_id, "timestamp", severity, title, explanation,
		 evidence, window_since, window_until)
	SELECT e.deviation_id, e.home_id, e.rule_id, e."timestamp", e.severity, e.title,
		   e.explanation, e.evidence, e.window_since, e.window_until
	FROM agingos.agingos_evaluate(since, until, now, home_id) AS e
	ORDER BY e.rule_id
	ON CONFLICT ON CONSTRAINT deviations_v1_window_key DO NOTHING;
	GET DIAGNOSTICS added = ROW_COUNT;
	RETURN added;
END
$$;
COMMENT ON FUNCTION agingos.agingos_persist(timestamptz, timestamptz, timestamptz, text) IS
'Evaluate every rule over [since, until) at now for one home and insert the deviations into deviations_v1; '
'a (home, rule, window) already kept is skipped. Returns the number of rows added.';

-- agingos_rule_truth: per registered rule, whether it would be judged for the
-- home at now and why not (rules.md 2.2; days_with_data with until = now).
-- STABLE: reads the config and events only.
CREATE FUNCTION agingos.agingos_rule_truth(
	home_id text DEFAULT 'default',
	now timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (
	rule_id text,
	enabled_in_scheduler boolean,
	evaluation_truth text,
	gating_reason text,
	days_with_data integer,
	min_days_required integer)
AS 'MODULE_PATHNAME', 'agingos_rule_truth'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL UNSAFE;
COMMENT ON FUNCTION agingos.agingos_rule_truth(text, timestamptz) IS
'Evaluation truth per rule for one home at now (FULLY_EVALUATED, DEFAULT_PROFILE, WEAK_BASIS, NOT_EVALUATED) '
'with the gating reason and, for baseline rules, days_with_data over [now - 28 days, now).';

-- agingos install script, part 40: HTTP route functions (contract.md 6).
-- Every route is one function (params text, request_body text, api_key text,
-- OUT status integer, OUT body text): params is a JSON object of the query
-- arguments and path parameters, request_body the raw body or NULL.  They
-- return the HTTP status and the JSON body; agingos-http adds nothing.
-- SECURITY DEFINER with a pinned search_path, so the front's role needs
-- nothing but EXECUTE on them.

-- agingos_http_error(sqlstate, message, detail, hint) → (status, body)
-- Status and error body of a caught error; internals of a 500 are hidden.
CREATE FUNCTION agingos.agingos_http_error(sqlstate text, message text, detail text, hint text,
										   OUT status integer, OUT body text)
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'agingos_http_error';
COMMENT ON FUNCTION agingos.agingos_http_error(text, text, text, text) IS
'HTTP status and {"code","message","details","hint"} body for a caught error (contract section 6).';

-- POST /event, POST /v1/event
CREATE FUNCTION agingos.http_event(params text, request_body text, api_key text,
								   OUT status integer, OUT body text)
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS 'MODULE_PATHNAME', 'agingos_http_event';
COMMENT ON FUNCTION agingos.http_event(text, text, text) IS
'Route POST /event and POST /v1/event: agingos_ingest for the caller''s home (contract section 6).';

-- POST /events/batch
CREATE FUNCTION agingos.http_events_batch(params text, request_body text, api_key text,
										  OUT status integer, OUT body text)
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS 'MODULE_PATHNAME', 'agingos_http_events_batch';
COMMENT ON FUNCTION agingos.http_events_batch(text, text, text) IS
'Route POST /events/batch: agingos_ingest_batch for the caller''s home (contract section 6).';

-- agingos_http_limit(params jsonb) → integer: the `limit` query argument,
-- default 100, 1..1000; 22023 otherwise.
CREATE FUNCTION agingos.agingos_http_limit(params jsonb)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v text := params ->> 'limit';
BEGIN
	IF v IS NULL THEN
		RETURN 100;
	END IF;
	IF v !~ '^[0-9]{1,7}$' OR v::integer NOT BETWEEN 1 AND 1000 THEN
		RAISE EXCEPTION 'invalid query parameter "limit"'
			USING ERRCODE = '22023',
				  DETAIL = format('The value %s is not an integer from 1 to 1000.', quote_literal(left(v, 32))),
				  HINT = 'Page with since/until and a limit of at most 1000.';
	END IF;
	RETURN v::integer;
END
$$;
COMMENT ON FUNCTION agingos.agingos_http_limit(jsonb) IS
'The limit query argument of list routes: default 100, at most 1000 (contract section 6).';

-- agingos_http_params(params text) → jsonb: the front's query object (22P02 if not an object).
CREATE FUNCTION agingos.agingos_http_params(params text)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	p jsonb := coalesce(params, '{}')::jsonb;
BEGIN
	IF jsonb_typeof(p) <> 'object' THEN
		RAISE EXCEPTION 'query parameters must be a JSON object' USING ERRCODE = '22023';
	END IF;
	RETURN p;
END
$$;
COMMENT ON FUNCTION agingos.agingos_http_params(text) IS
'The JSON object of query arguments that agingos-http passes to every route function.';

-- GET /events?category=&since=&until=&limit=
-- 200 array of {id, timestamp, category, payload, room_id, stream_id,
-- received_at} of the caller's home, newest first (ties by row id desc),
-- "timestamp" in [since, until).  400 for a naive/malformed instant
-- (22007) or a bad limit (22023); 401/403 key.
CREATE FUNCTION agingos.http_events(params text, request_body text, api_key text,
									OUT status integer, OUT body text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_home text;
	p jsonb;
	v_since timestamptz;
	v_until timestamptz;
	v_limit integer;
	v_code text; v_msg text; v_detail text; v_hint text;
BEGIN
	v_home := agingos.agingos_auth(api_key, 'read');
	p := agingos.agingos_http_params(params);
	v_since := agingos.agingos_parse_instant(p ->> 'since', 'since');
	v_until := agingos.agingos_parse_instant(p ->> 'until', 'until');
	v_limit := agingos.agingos_http_limit(p);
	SELECT 200, coalesce(jsonb_agg(jsonb_build_object(
			'id', e.event_id,
			'timestamp', agingos.agingos_iso(e."timestamp"),
			'category', e.category,
			'payload', e.payload,
			'room_id', e.room_id,
			'stream_id', e.stream_id,
			'received_at', agingos.agingos_iso(e.received_at)) ORDER BY e."timestamp" DESC, e.id DESC), '[]'::jsonb)::text
	  INTO status, body
	  FROM (SELECT * FROM agingos.events ev
			 WHERE ev.home_id = v_home
			   AND (p ->> 'category' IS NULL OR ev.category = p ->> 'category')
			   AND (v_since IS NULL OR ev."timestamp" >= v_since)
			   AND (v_until IS NULL OR ev."timestamp" < v_until)
			 ORDER BY ev."timestamp" DESC, ev.id DESC
			 LIMIT v_limit) e;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_code = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
							v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
	SELECT e.status, e.body INTO status, body FROM agingos.agingos_http_error(v_code, v_msg, v_detail, v_hint) e;
END
$$;
COMMENT ON FUNCTION agingos.http_events(text, text, text) IS
'Route GET /events: the caller''s events newest first, filtered by category and [since, until), limit 100 (max 1000).';

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
