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
-- members cannot be detected because jsonb has already kept the last one,
-- and the payload size is measured on jsonb's text form (", " and ": ").
CREATE FUNCTION agingos.agingos_ingest(event jsonb, home_id text DEFAULT 'default', stream_id text DEFAULT 'prod')
RETURNS jsonb
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_ingest_jsonb';
COMMENT ON FUNCTION agingos.agingos_ingest(jsonb, text, text) IS
'Validate and store one event given as jsonb; same rules as the text form, except that duplicate members cannot be detected (jsonb has already kept the last) and the 16 KiB payload limit applies to jsonb''s own text form (with its spaces).';

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

-- agingos install script, part 50: deviation lifecycle and the scheduler tick
-- (rules.md section 5, contract.md sections 3, 4 and 9).

-- deviation_history: one row per status or severity change of a persisted
-- deviation.  reason: open | reopen | escalation | deescalation | ack |
-- stale (closed by a tick) | manual (closed by an admin).
CREATE TABLE agingos.deviation_history (
	history_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	deviation_id bigint NOT NULL REFERENCES agingos.deviations (deviation_id) ON DELETE CASCADE,
	home_id		text NOT NULL,
	rule_id		text NOT NULL,
	at			timestamptz NOT NULL,
	from_status text CHECK (from_status IN ('OPEN', 'ACK', 'CLOSED')),
	to_status	text NOT NULL CHECK (to_status IN ('OPEN', 'ACK', 'CLOSED')),
	severity	text NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH')),
	reason		text NOT NULL CHECK (reason IN ('open', 'reopen', 'escalation', 'deescalation', 'ack', 'stale', 'manual'))
);
CREATE INDEX deviation_history_deviation_idx ON agingos.deviation_history (deviation_id, at);
COMMENT ON TABLE agingos.deviation_history IS 'Audit trail of persisted deviations: opens, severity changes, ACK, closes.';

-- scheduler_runs: one row per tick (skipped ones included), pruned after
-- retention.bookkeeping_days (by "now") by the tick itself.
CREATE TABLE agingos.scheduler_runs (
	run_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	started_at	timestamptz NOT NULL,
	now			timestamptz NOT NULL,
	duration_ms numeric(12, 3) NOT NULL,
	homes		integer NOT NULL DEFAULT 0,
	rules_total integer NOT NULL DEFAULT 0,
	rules_ok	integer NOT NULL DEFAULT 0,
	rules_failed integer NOT NULL DEFAULT 0,
	deviations_upserted integer NOT NULL DEFAULT 0,
	deviations_opened integer NOT NULL DEFAULT 0,
	deviations_closed integer NOT NULL DEFAULT 0,
	status		text NOT NULL CHECK (status IN ('ok', 'skipped', 'error')),
	error		text
);
CREATE INDEX scheduler_runs_now_idx ON agingos.scheduler_runs (now);
COMMENT ON TABLE agingos.scheduler_runs IS 'One row per scheduler tick (contract section 4 summary); kept retention.bookkeeping_days.';
SELECT pg_catalog.pg_extension_config_dump('agingos.deviation_history', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.scheduler_runs', '');

-- agingos_tick_evaluate(home_id, now): the scheduler-enabled rules of one
-- home, each isolated in a subtransaction (src/tick.c).  Internal.
CREATE FUNCTION agingos.agingos_tick_evaluate(home_id text, now timestamptz,
	OUT rule_id text, OUT outcome text, OUT severity text, OUT title text, OUT explanation text,
	OUT evidence jsonb, OUT window_since timestamptz, OUT window_until timestamptz,
	OUT error_sqlstate text, OUT error_message text, OUT expire_after_minutes integer)
RETURNS SETOF record
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_tick_evaluate';
COMMENT ON FUNCTION agingos.agingos_tick_evaluate(text, timestamptz) IS
'Internal: evaluate the scheduler-enabled rules of one home at now; a failing rule is reported as a row (outcome failed), not raised.';

-- agingos_log(message): one LOG line without CONTEXT (contract section 9).
CREATE FUNCTION agingos.agingos_log(message text)
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_log';
COMMENT ON FUNCTION agingos.agingos_log(text) IS 'Internal: write one LOG line to the server log.';

-- agingos_rules(): rule_id, title (config locale), description, in rule-id order.
CREATE FUNCTION agingos.agingos_rules(OUT rule_id text, OUT title text, OUT description text)
RETURNS SETOF record
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'agingos_rules';
COMMENT ON FUNCTION agingos.agingos_rules() IS 'The registered rules R-001..R-010 with title (config locale) and purpose.';

-- agingos_deviation_event(d, event, from_status, reason_at): history row +
-- NOTIFY agingos_deviation with a small JSON payload (no evidence).
-- event: open | reopen | escalation | deescalation | ack | stale | manual.
CREATE FUNCTION agingos.agingos_deviation_event(d agingos.deviations, event text, from_status text, at timestamptz)
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
	INSERT INTO agingos.deviation_history (deviation_id, home_id, rule_id, at, from_status, to_status, severity, reason)
	VALUES (d.deviation_id, d.home_id, d.rule_id, at, from_status, d.status, d.severity, event);
	SELECT pg_notify('agingos_deviation', json_build_object(
		'event', CASE event WHEN 'stale' THEN 'close' WHEN 'manual' THEN 'close' ELSE event END,
		'reason', event, 'deviation_id', d.deviation_id, 'home_id', d.home_id, 'rule_id', d.rule_id,
		'status', d.status, 'severity', d.severity, 'at', agingos.agingos_iso(at))::text);
$$;
COMMENT ON FUNCTION agingos.agingos_deviation_event(agingos.deviations, text, text, timestamptz) IS
'Internal: record a lifecycle change in deviation_history and NOTIFY agingos_deviation.';

-- agingos_upsert_deviation(home, rule, subject, now, severity, title,
-- explanation, evidence, since, until) → 'inserted' | 'updated'
-- rules.md section 5 step 2: update the active row for (home, rule,
-- subject_key) — last_seen_at = now, replace severity, evidence, window,
-- texts, timestamp; keep status and started_at — or insert a new OPEN row
-- (a new episode: 'reopen' in the history when the key had one before).
CREATE FUNCTION agingos.agingos_upsert_deviation(p_home text, p_rule text, p_subject text, p_now timestamptz,
	p_severity text, p_title text, p_explanation text, p_evidence jsonb,
	p_since timestamptz, p_until timestamptz)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	d agingos.deviations;
	old_severity text;
	rank CONSTANT jsonb := '{"LOW": 1, "MEDIUM": 2, "HIGH": 3}';
BEGIN
	SELECT x.severity INTO old_severity FROM agingos.deviations x
	 WHERE x.home_id = p_home AND x.rule_id = p_rule AND x.subject_key = p_subject
	   AND x.status IN ('OPEN', 'ACK')
	   FOR UPDATE;
	IF FOUND THEN
		UPDATE agingos.deviations x
		   SET last_seen_at = p_now, severity = p_severity, evidence = p_evidence,
			   window_since = p_since, window_until = p_until, title = p_title,
			   explanation = p_explanation, "timestamp" = p_now
		 WHERE x.home_id = p_home AND x.rule_id = p_rule AND x.subject_key = p_subject
		   AND x.status IN ('OPEN', 'ACK')
		RETURNING x.* INTO d;
		IF old_severity <> p_severity THEN
			PERFORM agingos.agingos_deviation_event(d,
				CASE WHEN (rank ->> p_severity)::int > (rank ->> old_severity)::int THEN 'escalation' ELSE 'deescalation' END,
				d.status, p_now);
		END IF;
		RETURN 'updated';
	END IF;
	INSERT INTO agingos.deviations AS x (home_id, rule_id, subject_key, status, severity, title, explanation,
										 evidence, window_since, window_until, "timestamp", started_at, last_seen_at)
	VALUES (p_home, p_rule, p_subject, 'OPEN', p_severity, p_title, p_explanation,
			p_evidence, p_since, p_until, p_now, p_now, p_now)
	RETURNING x.* INTO d;
	PERFORM agingos.agingos_deviation_event(d,
		CASE WHEN EXISTS (SELECT 1 FROM agingos.deviations y
						   WHERE y.home_id = p_home AND y.rule_id = p_rule AND y.subject_key = p_subject
							 AND y.status = 'CLOSED') THEN 'reopen' ELSE 'open' END,
		NULL, p_now);
	RETURN 'inserted';
END
$$;
COMMENT ON FUNCTION agingos.agingos_upsert_deviation(text, text, text, timestamptz, text, text, text, jsonb, timestamptz, timestamptz) IS
'Internal: rules.md section 5 step 2 for one produced deviation; returns inserted or updated.';

-- agingos_close_stale(home, now, failed_rules) → integer rows closed
-- rules.md section 5 step 3: every active row of the home (any subject_key,
-- D30) with last_seen_at < now - expire_after_minutes(rule) becomes CLOSED,
-- except rows of rules that failed in this tick (D18).
CREATE FUNCTION agingos.agingos_close_stale(p_home text, p_now timestamptz, p_failed text[])
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	cfg jsonb := agingos.agingos_config();
	d agingos.deviations;
	c record;
	n integer := 0;
BEGIN
	FOR c IN
		WITH stale AS (
			SELECT x.deviation_id, x.status AS prev
			  FROM agingos.deviations x
			 WHERE x.home_id = p_home AND x.status IN ('OPEN', 'ACK')
			   AND x.rule_id <> ALL (p_failed)
			   AND x.last_seen_at < p_now - make_interval(mins => coalesce(
					   (cfg -> 'rules' -> x.rule_id ->> 'expire_after_minutes')::int,
					   (cfg -> 'defaults' ->> 'expire_after_minutes')::int))
			   FOR UPDATE)
		UPDATE agingos.deviations x SET status = 'CLOSED', closed_at = p_now
		  FROM stale WHERE x.deviation_id = stale.deviation_id
		RETURNING x.deviation_id, stale.prev
	LOOP
		SELECT x.* INTO d FROM agingos.deviations x WHERE x.deviation_id = c.deviation_id;
		PERFORM agingos.agingos_deviation_event(d, 'stale', c.prev, p_now);
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION agingos.agingos_close_stale(text, timestamptz, text[]) IS
'Internal: rules.md section 5 step 3 for one home; rows of failed rules are kept.';

-- agingos_scheduler_tick(now timestamptz DEFAULT now()) → jsonb summary
-- One scheduler run over every row of homes (rules.md section 5): per home,
-- evaluate the scheduler-enabled rules at now (each isolated), upsert what
-- they produced (each upsert in its own subtransaction), then close stale
-- rows.  An advisory lock makes a concurrent tick return at once with
-- status skipped.  Writes one scheduler_runs row and one LOG line
-- (contract section 9), and prunes its bookkeeping older than
-- retention.bookkeeping_days.  Summary: contract section 4.
CREATE FUNCTION agingos.agingos_scheduler_tick(now timestamptz DEFAULT pg_catalog.now())
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_now CONSTANT timestamptz := agingos_scheduler_tick.now;
	t0 CONSTANT timestamptz := clock_timestamp();
	run CONSTANT bigint := nextval(pg_get_serial_sequence('agingos.scheduler_runs', 'run_id'));
	subject text;
	home text;
	r record;
	failed text[];
	n_homes int := 0; n_total int := 0; n_ok int := 0; n_failed int := 0;
	n_upserted int := 0; n_opened int := 0; n_closed int := 0;
	h_total int; h_ok int; h_failed int; h_upserted int; h_opened int;
	v_status text := 'ok';
	v_error text;
	e_state text;
	e_msg text;
	ms numeric;
	s jsonb;
BEGIN
	IF v_now IS NULL THEN
		RAISE EXCEPTION 'argument "now" must not be null' USING ERRCODE = '22023',
			HINT = 'Call agingos_scheduler_tick() for the current time, or pass an instant.';
	END IF;
	IF NOT pg_try_advisory_xact_lock(hashtext('agingos.scheduler_tick')) THEN
		v_status := 'skipped';
	ELSE
		BEGIN
			subject := agingos.agingos_config() -> 'scheduler' ->> 'default_subject_key';
			FOR home IN SELECT h.home_id FROM agingos.homes h ORDER BY h.home_id LOOP
				n_homes := n_homes + 1;
				failed := '{}';
				h_total := 0; h_ok := 0; h_failed := 0; h_upserted := 0; h_opened := 0;
				BEGIN	-- one home: its upserts and closes stand or fall together
					FOR r IN SELECT * FROM agingos.agingos_tick_evaluate(home, v_now) LOOP
						h_total := h_total + 1;
						e_state := r.error_sqlstate;
						e_msg := r.error_message;
						IF r.outcome = 'deviation' THEN
							BEGIN	-- one rule's upsert
								IF agingos.agingos_upsert_deviation(home, r.rule_id, subject, v_now, r.severity, r.title,
										r.explanation, r.evidence, r.window_since, r.window_until) = 'inserted' THEN
									h_opened := h_opened + 1;
								END IF;
								h_upserted := h_upserted + 1;
							EXCEPTION WHEN OTHERS THEN
								GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT;
							END;
						END IF;
						IF e_state IS NOT NULL THEN
							failed := failed || r.rule_id;
							h_failed := h_failed + 1;
							PERFORM agingos.agingos_log(format('agingos rule_engine error run_id=%s home_id=%s rule_id=%s sqlstate=%s message=%s',
								run, to_json(home)::text, r.rule_id, e_state, to_json(e_msg)::text));
						ELSE
							h_ok := h_ok + 1;
						END IF;
					END LOOP;
					n_closed := n_closed + agingos.agingos_close_stale(home, v_now, failed);
					n_upserted := n_upserted + h_upserted;
					n_opened := n_opened + h_opened;
					n_ok := n_ok + h_ok;
					n_failed := n_failed + h_failed;
				EXCEPTION WHEN OTHERS THEN
					-- the home as a whole failed: its rules count as failed, its rows stay as they were
					GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT;
					n_failed := n_failed + greatest(h_total, 1);
					PERFORM agingos.agingos_log(format('agingos rule_engine error run_id=%s home_id=%s rule_id=* sqlstate=%s message=%s',
						run, to_json(home)::text, e_state, to_json(e_msg)::text));
				END;
				n_total := n_total + h_total;
			END LOOP;
		EXCEPTION WHEN OTHERS THEN
			-- the tick as a whole failed (e.g. the config could not be read)
			v_status := 'error';
			GET STACKED DIAGNOSTICS v_error = MESSAGE_TEXT;
		END;
	END IF;
	ms := round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 3);
	INSERT INTO agingos.scheduler_runs (run_id, started_at, now, duration_ms, homes, rules_total, rules_ok, rules_failed,
										deviations_upserted, deviations_opened, deviations_closed, status, error)
	OVERRIDING SYSTEM VALUE
	VALUES (run, t0, v_now, ms, n_homes, n_total, n_ok, n_failed, n_upserted, n_opened, n_closed, v_status, v_error);
	IF v_status <> 'skipped' THEN
		PERFORM agingos.agingos_prune_bookkeeping(v_now);
	END IF;
	s := jsonb_build_object('status', v_status, 'homes', n_homes, 'rules_total', n_total, 'rules_ok', n_ok,
		'rules_failed', n_failed, 'deviations_upserted', n_upserted, 'deviations_opened', n_opened,
		'deviations_closed', n_closed, 'run_id', run, 'duration_ms', ms);
	PERFORM agingos.agingos_log(format('agingos scheduler tick run_id=%s homes=%s rules_total=%s rules_ok=%s rules_failed=%s deviations_upserted=%s deviations_opened=%s deviations_closed=%s duration_ms=%s status=%s%s',
		run, n_homes, n_total, n_ok, n_failed, n_upserted, n_opened, n_closed, ms, v_status,
		CASE WHEN v_error IS NOT NULL THEN ' error=' || to_json(v_error)::text ELSE '' END));
	RETURN s;
END
$$;
COMMENT ON FUNCTION agingos.agingos_scheduler_tick(timestamptz) IS
'One scheduler run over every home at now: evaluate, upsert, close stale (rules.md section 5); returns the summary of contract section 4 and logs one line.';

-- agingos_prune_bookkeeping(now) → integer rows deleted
-- scheduler_runs with "now" older than retention.bookkeeping_days before
-- now, and our jobs' rows of cron.job_run_details older than that by the
-- real clock (pg_cron never purges them itself).
CREATE FUNCTION agingos.agingos_prune_bookkeeping(p_now timestamptz)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	keep interval := make_interval(days => coalesce((agingos.agingos_config() -> 'retention' ->> 'bookkeeping_days')::int, 7));
	n integer;
	m integer := 0;
BEGIN
	DELETE FROM agingos.scheduler_runs r WHERE r.now < p_now - keep;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF to_regclass('cron.job_run_details') IS NOT NULL THEN
		DELETE FROM cron.job_run_details d
		 USING cron.job j
		 WHERE d.jobid = j.jobid AND j.jobname IN ('agingos-scheduler', 'agingos-retention')
		   AND d.end_time < pg_catalog.now() - keep;
		GET DIAGNOSTICS m = ROW_COUNT;
	END IF;
	RETURN n + m;
END
$$;
COMMENT ON FUNCTION agingos.agingos_prune_bookkeeping(timestamptz) IS
'Internal: delete scheduler_runs and our cron.job_run_details rows older than retention.bookkeeping_days.';

-- agingos install script, part 60: operator functions — ACK and close,
-- pg_cron scheduling, retention, health, reset (contract.md section 4).

-- agingos_ack(deviation_id bigint, home_id text DEFAULT 'default') → deviations row
-- OPEN → ACK (acked_at = now()); an ACK row comes back unchanged; a CLOSED
-- row raises 22023; an id not in the home raises P0002.
CREATE FUNCTION agingos.agingos_ack(deviation_id bigint, home_id text DEFAULT 'default')
RETURNS agingos.deviations
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	d agingos.deviations;
BEGIN
	SELECT x.* INTO d FROM agingos.deviations x
	 WHERE x.deviation_id = agingos_ack.deviation_id AND x.home_id = agingos_ack.home_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'deviation % not found', agingos_ack.deviation_id USING ERRCODE = 'P0002',
			DETAIL = format('Home %s has no deviation with this id.', to_json(agingos_ack.home_id)),
			HINT = 'List the home''s deviations with GET /deviations or select from deviations.';
	END IF;
	IF d.status = 'CLOSED' THEN
		RAISE EXCEPTION 'deviation % is closed', d.deviation_id USING ERRCODE = '22023',
			DETAIL = 'A closed deviation cannot be acknowledged; if the rule fires again, a new episode opens.',
			HINT = 'Acknowledge the active deviation of this rule instead (status OPEN).';
	END IF;
	IF d.status = 'ACK' THEN
		RETURN d;
	END IF;
	UPDATE agingos.deviations x SET status = 'ACK', acked_at = pg_catalog.now()
	 WHERE x.deviation_id = d.deviation_id RETURNING x.* INTO d;
	PERFORM agingos.agingos_deviation_event(d, 'ack', 'OPEN', d.acked_at);
	RETURN d;
END
$$;
COMMENT ON FUNCTION agingos.agingos_ack(bigint, text) IS
'Acknowledge a deviation: OPEN -> ACK; ACK is returned unchanged; CLOSED raises 22023; unknown id P0002.';

-- agingos_close(deviation_id bigint, home_id text DEFAULT 'default') → deviations row
-- Manual close by an admin: active row → CLOSED (closed_at = now(), history
-- reason manual); a CLOSED row comes back unchanged; unknown id P0002.
CREATE FUNCTION agingos.agingos_close(deviation_id bigint, home_id text DEFAULT 'default')
RETURNS agingos.deviations
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	d agingos.deviations;
	prev text;
BEGIN
	SELECT x.* INTO d FROM agingos.deviations x
	 WHERE x.deviation_id = agingos_close.deviation_id AND x.home_id = agingos_close.home_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'deviation % not found', agingos_close.deviation_id USING ERRCODE = 'P0002',
			DETAIL = format('Home %s has no deviation with this id.', to_json(agingos_close.home_id)),
			HINT = 'List the home''s deviations with GET /deviations?status=ALL.';
	END IF;
	IF d.status = 'CLOSED' THEN
		RETURN d;
	END IF;
	prev := d.status;
	UPDATE agingos.deviations x SET status = 'CLOSED', closed_at = pg_catalog.now()
	 WHERE x.deviation_id = d.deviation_id RETURNING x.* INTO d;
	PERFORM agingos.agingos_deviation_event(d, 'manual', prev, d.closed_at);
	RETURN d;
END
$$;
COMMENT ON FUNCTION agingos.agingos_close(bigint, text) IS
'Close an active deviation by hand (admin); history reason manual; a CLOSED row is returned unchanged.';

-- agingos_cron_expression(interval_minutes int) → text
-- The exact cron schedule of scheduler.interval_minutes: a divisor of 60 →
-- '*/N * * * *' ('* * * * *' for 1, '0 * * * *' for 60); a multiple of 60
-- dividing 1440 → '0 */H * * *' ('0 0 * * *' for 1440).  The config loader
-- admits no other value; 22023 here otherwise.
CREATE FUNCTION agingos.agingos_cron_expression(interval_minutes integer)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	IF interval_minutes = 1 THEN RETURN '* * * * *'; END IF;
	IF interval_minutes = 60 THEN RETURN '0 * * * *'; END IF;
	IF interval_minutes = 1440 THEN RETURN '0 0 * * *'; END IF;
	IF interval_minutes BETWEEN 2 AND 59 AND 60 % interval_minutes = 0 THEN
		RETURN format('*/%s * * * *', interval_minutes);
	END IF;
	IF interval_minutes BETWEEN 120 AND 720 AND interval_minutes % 60 = 0 AND 1440 % interval_minutes = 0 THEN
		RETURN format('0 */%s * * *', interval_minutes / 60);
	END IF;
	RAISE EXCEPTION 'scheduler.interval_minutes: % cannot be expressed exactly as a cron schedule', interval_minutes
		USING ERRCODE = '22023',
			  HINT = 'Use one of 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720 or 1440.';
END
$$;
COMMENT ON FUNCTION agingos.agingos_cron_expression(integer) IS
'The exact cron schedule for scheduler.interval_minutes (UTC minutes/hours, pg_cron 1.4).';

-- agingos_schedule() → bigint job id
-- Create or replace the pg_cron job agingos-scheduler (every
-- scheduler.interval_minutes, running agingos_scheduler_tick()) and the
-- daily job agingos-retention (03:17 UTC, agingos_retention()).  Jobs run
-- in cron.database_name as the caller.
CREATE FUNCTION agingos.agingos_schedule()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	job bigint;
BEGIN
	job := cron.schedule('agingos-scheduler',
		agingos.agingos_cron_expression((agingos.agingos_config() -> 'scheduler' ->> 'interval_minutes')::int),
		'SELECT agingos.agingos_scheduler_tick()');
	PERFORM cron.schedule('agingos-retention', '17 3 * * *', 'SELECT agingos.agingos_retention()');
	RETURN job;
END
$$;
COMMENT ON FUNCTION agingos.agingos_schedule() IS
'Create or replace the pg_cron jobs agingos-scheduler (scheduler.interval_minutes) and agingos-retention (daily); returns the scheduler job id.';

-- agingos_unschedule() → boolean: remove both jobs; true if the scheduler job existed.
CREATE FUNCTION agingos.agingos_unschedule()
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	existed boolean;
BEGIN
	existed := EXISTS (SELECT 1 FROM cron.job WHERE jobname = 'agingos-scheduler');
	IF existed THEN
		PERFORM cron.unschedule('agingos-scheduler');
	END IF;
	IF EXISTS (SELECT 1 FROM cron.job WHERE jobname = 'agingos-retention') THEN
		PERFORM cron.unschedule('agingos-retention');
	END IF;
	RETURN existed;
END
$$;
COMMENT ON FUNCTION agingos.agingos_unschedule() IS
'Remove the pg_cron jobs agingos-scheduler and agingos-retention; true if the scheduler job existed.';

-- agingos_retention(now timestamptz DEFAULT now()) → jsonb
-- {events_deleted, deviations_deleted, bookkeeping_deleted}: events with
-- "timestamp" before now - retention.events_days; CLOSED deviations with
-- closed_at before now - retention.deviations_days (their history goes
-- with them); OPEN and ACK never; homes never.  Logs one line.
CREATE FUNCTION agingos.agingos_retention(now timestamptz DEFAULT pg_catalog.now())
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	cfg jsonb := agingos.agingos_config();
	v_now CONSTANT timestamptz := agingos_retention.now;
	ev integer;
	dv integer;
	bk integer;
	t0 CONSTANT timestamptz := clock_timestamp();
BEGIN
	DELETE FROM agingos.events e
	 WHERE e."timestamp" < v_now - make_interval(days => (cfg -> 'retention' ->> 'events_days')::int);
	GET DIAGNOSTICS ev = ROW_COUNT;
	DELETE FROM agingos.deviations d
	 WHERE d.status = 'CLOSED' AND d.closed_at < v_now - make_interval(days => (cfg -> 'retention' ->> 'deviations_days')::int);
	GET DIAGNOSTICS dv = ROW_COUNT;
	bk := agingos.agingos_prune_bookkeeping(v_now);
	PERFORM agingos.agingos_log(format('agingos retention events_deleted=%s deviations_deleted=%s bookkeeping_deleted=%s duration_ms=%s',
		ev, dv, bk, round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 3)));
	RETURN jsonb_build_object('events_deleted', ev, 'deviations_deleted', dv, 'bookkeeping_deleted', bk);
END
$$;
COMMENT ON FUNCTION agingos.agingos_retention(timestamptz) IS
'Daily retention: old events, old CLOSED deviations and bookkeeping rows go; OPEN/ACK deviations and homes never.';

-- agingos_reset() → void: what `make scenario-reset` does — empty events,
-- deviations (with their history) and deviations_v1.  Homes, keys, config stay.
CREATE FUNCTION agingos.agingos_reset()
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	TRUNCATE agingos.deviation_history, agingos.deviations, agingos.deviations_v1, agingos.events;
END
$$;
COMMENT ON FUNCTION agingos.agingos_reset() IS
'Empty events, deviations, deviation_history and deviations_v1 (make scenario-reset); homes, keys and config stay.';

-- agingos_health() → jsonb
-- {status ok|degraded|error, reasons[], database{}, config{}, scheduler{},
--  ingest[{home_id, last_event_at, lag_seconds}], counts{}}.  Scheduler lag is
-- the time since the last tick started, against scheduler.interval_minutes:
-- degraded past 2 intervals, error past 5 (and degraded when no job exists).
-- Bounded: one index probe per home; the events count is the planner estimate.
CREATE FUNCTION agingos.agingos_health()
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	cfg jsonb := agingos.agingos_config();
	interval_min integer := (cfg -> 'scheduler' ->> 'interval_minutes')::int;
	job record;
	last record;
	lag_s numeric;
	reasons jsonb := '[]';
	status text := 'ok';
	c record;
	ingest jsonb;
BEGIN
	IF to_regclass('cron.job') IS NOT NULL THEN
		SELECT j.jobid, j.schedule, j.active INTO job FROM cron.job j WHERE j.jobname = 'agingos-scheduler';
	END IF;
	SELECT r.* INTO last FROM agingos.scheduler_runs r WHERE r.status <> 'skipped' ORDER BY r.run_id DESC LIMIT 1;
	IF last.run_id IS NOT NULL THEN
		lag_s := round(extract(epoch FROM pg_catalog.now() - last.started_at)::numeric, 3);
	END IF;
	IF job.jobid IS NULL OR NOT job.active THEN
		status := 'degraded';
		reasons := reasons || to_jsonb('scheduler job agingos-scheduler is not scheduled or not active'::text);
	ELSIF lag_s IS NULL OR lag_s > 5 * 60 * interval_min THEN
		status := 'error';
		reasons := reasons || to_jsonb(format('scheduler has not run for more than 5 intervals (%s min)', 5 * interval_min));
	ELSIF lag_s > 2 * 60 * interval_min THEN
		status := 'degraded';
		reasons := reasons || to_jsonb(format('scheduler lags more than 2 intervals (%s min)', 2 * interval_min));
	END IF;
	IF last.status = 'error' THEN
		status := 'error';
		reasons := reasons || to_jsonb('the last scheduler tick failed'::text);
	ELSIF coalesce(last.rules_failed, 0) > 0 AND status = 'ok' THEN
		status := 'degraded';
		reasons := reasons || to_jsonb(format('%s rule evaluations failed in the last tick', last.rules_failed));
	END IF;
	SELECT coalesce(jsonb_agg(jsonb_build_object('home_id', h.home_id,
			'last_event_at', agingos.agingos_iso(l.ts),
			'lag_seconds', round(extract(epoch FROM pg_catalog.now() - l.ts)::numeric, 3)) ORDER BY h.home_id), '[]')
	  INTO ingest
	  FROM agingos.homes h
	  LEFT JOIN LATERAL (SELECT e."timestamp" AS ts FROM agingos.events e
						  WHERE e.home_id = h.home_id ORDER BY e."timestamp" DESC LIMIT 1) l ON true;
	SELECT (SELECT count(*) FROM agingos.homes) AS homes,
		   (SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'agingos.events'::regclass) AS events_estimate,
		   (SELECT count(*) FROM agingos.deviations WHERE deviations.status IN ('OPEN', 'ACK')) AS active,
		   (SELECT count(*) FROM agingos.deviations_v1) AS v1
	  INTO c;
	RETURN jsonb_build_object(
		'status', status,
		'reasons', reasons,
		'database', jsonb_build_object('ok', true, 'size_bytes', pg_database_size(current_database()),
									   'server_version', current_setting('server_version')),
		'config', (SELECT jsonb_build_object('version', k.version, 'loaded_at', agingos.agingos_iso(k.loaded_at))
					 FROM agingos.config k ORDER BY k.version DESC LIMIT 1),
		'scheduler', jsonb_build_object(
			'job_present', job.jobid IS NOT NULL, 'job_active', coalesce(job.active, false),
			'schedule', job.schedule, 'interval_minutes', interval_min,
			'last_run', CASE WHEN last.run_id IS NULL THEN NULL ELSE jsonb_build_object(
				'run_id', last.run_id, 'started_at', agingos.agingos_iso(last.started_at),
				'now', agingos.agingos_iso(last.now), 'status', last.status,
				'duration_ms', last.duration_ms, 'rules_failed', last.rules_failed, 'error', last.error) END,
			'lag_seconds', lag_s),
		'ingest', ingest,
		'counts', jsonb_build_object('homes', c.homes, 'events_estimate', c.events_estimate,
									 'deviations_active', c.active, 'deviations_v1', c.v1));
END
$$;
COMMENT ON FUNCTION agingos.agingos_health() IS
'Health report: database, config version, scheduler job and lag against its cadence, ingest lag per home, counts; status ok/degraded/error with reasons.';

-- agingos install script, part 70: HTTP routes over deviations, rules and
-- health (contract.md sections 6 and 7).  Same shape as part 40: (params,
-- request_body, api_key) → (status, body); errors become the section 6 body.

-- agingos_deviation_core_json(…) → jsonb: the DeviationV1 members shared by
-- computed and persisted deviations (contract section 7); deviation_id as given.
CREATE FUNCTION agingos.agingos_deviation_core_json(deviation_id jsonb, rule_id text, ts timestamptz,
	severity text, title text, explanation text, evidence jsonb, window_since timestamptz, window_until timestamptz)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, agingos
AS $$
	SELECT jsonb_build_object('deviation_id', deviation_id, 'rule_id', rule_id,
		'timestamp', agingos.agingos_iso(ts), 'severity', severity, 'title', title,
		'explanation', explanation, 'evidence', evidence,
		'window', jsonb_build_object('since', agingos.agingos_iso(window_since), 'until', agingos.agingos_iso(window_until)));
$$;
COMMENT ON FUNCTION agingos.agingos_deviation_core_json(jsonb, text, timestamptz, text, text, text, jsonb, timestamptz, timestamptz) IS
'Internal: the DeviationV1 members of contract section 7.';

-- agingos_deviation_v1_json(d deviations_v1) → jsonb: DeviationV1 (uuid id).
CREATE FUNCTION agingos.agingos_deviation_v1_json(d agingos.deviations_v1)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, agingos
AS $$
	SELECT agingos.agingos_deviation_core_json(to_jsonb(d.deviation_id), d.rule_id, d."timestamp", d.severity,
		d.title, d.explanation, d.evidence, d.window_since, d.window_until);
$$;
COMMENT ON FUNCTION agingos.agingos_deviation_v1_json(agingos.deviations_v1) IS
'A computed deviation as DeviationV1 JSON (contract section 7).';

-- agingos_deviation_json(d deviations) → jsonb: a persisted deviation —
-- DeviationV1 with the integer deviation_id plus home_id, status,
-- subject_key, started_at, last_seen_at, acked_at, closed_at.
CREATE FUNCTION agingos.agingos_deviation_json(d agingos.deviations)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, agingos
AS $$
	SELECT agingos.agingos_deviation_core_json(to_jsonb(d.deviation_id), d.rule_id, d."timestamp", d.severity,
			d.title, d.explanation, d.evidence, d.window_since, d.window_until)
		|| jsonb_build_object('home_id', d.home_id, 'status', d.status, 'subject_key', d.subject_key,
			'started_at', agingos.agingos_iso(d.started_at), 'last_seen_at', agingos.agingos_iso(d.last_seen_at),
			'acked_at', agingos.agingos_iso(d.acked_at), 'closed_at', agingos.agingos_iso(d.closed_at));
$$;
COMMENT ON FUNCTION agingos.agingos_deviation_json(agingos.deviations) IS
'A persisted deviation as JSON (contract section 7).';

-- agingos_http_window(p jsonb) → (since, until, now): the window query
-- arguments of /deviations/evaluate and /deviations/persist: since and until
-- required (22023), strict instants (22007), now optional (default now()).
CREATE FUNCTION agingos.agingos_http_window(p jsonb, OUT since timestamptz, OUT until timestamptz, OUT now timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	IF p ->> 'since' IS NULL OR p ->> 'until' IS NULL THEN
		RAISE EXCEPTION 'query parameters "since" and "until" are required' USING ERRCODE = '22023',
			HINT = 'Give the window as ISO 8601 instants with offset, e.g. ?since=2025-12-23T10:00:00Z&until=2025-12-23T12:00:00Z.';
	END IF;
	since := agingos.agingos_parse_instant(p ->> 'since', 'since');
	until := agingos.agingos_parse_instant(p ->> 'until', 'until');
	now := coalesce(agingos.agingos_parse_instant(p ->> 'now', 'now'), pg_catalog.now());
END
$$;
COMMENT ON FUNCTION agingos.agingos_http_window(jsonb) IS
'Internal: since/until/now query arguments of the window routes, validated.';

-- GET /deviations/evaluate?since=&until=[&now=][&rule_id=R-001,R-002]
-- 200 array of DeviationV1 for the caller's home; since and until required
-- (22023), instants strict (22007); read key.
CREATE FUNCTION agingos.http_deviations_evaluate(params text, request_body text, api_key text,
												 OUT status integer, OUT body text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_home text;
	p jsonb;
	v_rules text[];
	w record;
	v_code text; v_msg text; v_detail text; v_hint text;
BEGIN
	v_home := agingos.agingos_auth(api_key, 'read');
	p := agingos.agingos_http_params(params);
	w := agingos.agingos_http_window(p);
	IF p ? 'rule_id' THEN
		v_rules := CASE WHEN p ->> 'rule_id' = '' THEN '{}'::text[] ELSE string_to_array(p ->> 'rule_id', ',') END;
	END IF;
	SELECT 200, coalesce(jsonb_agg(agingos.agingos_deviation_v1_json(e) ORDER BY e.rule_id), '[]')::text
	  INTO status, body
	  FROM agingos.agingos_evaluate(w.since, w.until, w.now, v_home, v_rules) e;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_code = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
	SELECT e.status, e.body INTO status, body FROM agingos.agingos_http_error(v_code, v_msg, v_detail, v_hint) e;
END
$$;
COMMENT ON FUNCTION agingos.http_deviations_evaluate(text, text, text) IS
'Route GET /deviations/evaluate: agingos_evaluate over [since, until) for the caller''s home (contract section 6).';

-- POST /deviations/persist?since=&until=[&now=] → 200 {"persisted": n}; admin key.
CREATE FUNCTION agingos.http_deviations_persist(params text, request_body text, api_key text,
												OUT status integer, OUT body text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_home text;
	p jsonb;
	n integer;
	w record;
	v_code text; v_msg text; v_detail text; v_hint text;
BEGIN
	v_home := agingos.agingos_auth(api_key, 'admin');
	p := agingos.agingos_http_params(params);
	w := agingos.agingos_http_window(p);
	n := agingos.agingos_persist(w.since, w.until, w.now, v_home);
	status := 200;
	body := jsonb_build_object('persisted', n)::text;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_code = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
	SELECT e.status, e.body INTO status, body FROM agingos.agingos_http_error(v_code, v_msg, v_detail, v_hint) e;
END
$$;
COMMENT ON FUNCTION agingos.http_deviations_persist(text, text, text) IS
'Route POST /deviations/persist: agingos_persist for the caller''s home; idempotent per (rule, window).';

-- GET /deviations?status=&subject_key=&rule_id=&limit=
-- Without status: active rows (OPEN, ACK); status=OPEN|ACK|CLOSED|ALL.
-- Sorted severity desc (HIGH > MEDIUM > LOW), then last_seen_at desc, then
-- deviation_id desc; limit default 100, max 1000; read key.
CREATE FUNCTION agingos.http_deviations(params text, request_body text, api_key text,
										OUT status integer, OUT body text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_home text;
	p jsonb;
	v_status text;
	v_limit integer;
	v_code text; v_msg text; v_detail text; v_hint text;
BEGIN
	v_home := agingos.agingos_auth(api_key, 'read');
	p := agingos.agingos_http_params(params);
	v_status := upper(coalesce(p ->> 'status', 'ACTIVE'));
	IF v_status NOT IN ('ACTIVE', 'OPEN', 'ACK', 'CLOSED', 'ALL') THEN
		RAISE EXCEPTION 'invalid query parameter "status"' USING ERRCODE = '22023',
			DETAIL = format('The value %s is not a status.', to_json(left(p ->> 'status', 32))),
			HINT = 'Use OPEN, ACK, CLOSED or ALL; leave it out for the active ones (OPEN and ACK).';
	END IF;
	v_limit := agingos.agingos_http_limit(p);
	SELECT 200, coalesce(jsonb_agg(agingos.agingos_deviation_json(d) ORDER BY
			CASE d.severity WHEN 'HIGH' THEN 3 WHEN 'MEDIUM' THEN 2 ELSE 1 END DESC,
			d.last_seen_at DESC, d.deviation_id DESC), '[]')::text
	  INTO status, body
	  FROM (SELECT x.* FROM agingos.deviations x
			 WHERE x.home_id = v_home
			   AND CASE v_status WHEN 'ACTIVE' THEN x.status IN ('OPEN', 'ACK')
								 WHEN 'ALL' THEN true ELSE x.status = v_status END
			   AND (p ->> 'subject_key' IS NULL OR x.subject_key = p ->> 'subject_key')
			   AND (p ->> 'rule_id' IS NULL OR x.rule_id = p ->> 'rule_id')
			 ORDER BY CASE x.severity WHEN 'HIGH' THEN 3 WHEN 'MEDIUM' THEN 2 ELSE 1 END DESC,
					  x.last_seen_at DESC, x.deviation_id DESC
			 LIMIT v_limit) d;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_code = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
	SELECT e.status, e.body INTO status, body FROM agingos.agingos_http_error(v_code, v_msg, v_detail, v_hint) e;
END
$$;
COMMENT ON FUNCTION agingos.http_deviations(text, text, text) IS
'Route GET /deviations: the caller''s persisted deviations, active by default, sorted by severity then last_seen_at.';

-- PATCH /deviations/{deviation_id} body {"status":"ACK"} | {"status":"CLOSED"}
-- 200 the updated deviation; 400 other status / bad body / non-integer id;
-- 404 id not in the caller's home.  Admin key (contract 6: read may only GET).
CREATE FUNCTION agingos.http_deviation_patch(params text, request_body text, api_key text,
											 OUT status integer, OUT body text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_home text;
	p jsonb;
	b jsonb;
	v_id bigint;
	d agingos.deviations;
	v_code text; v_msg text; v_detail text; v_hint text;
BEGIN
	v_home := agingos.agingos_auth(api_key, 'admin');
	p := agingos.agingos_http_params(params);
	IF coalesce(p ->> 'deviation_id', '') !~ '^[0-9]{1,18}$' THEN
		RAISE EXCEPTION 'invalid deviation id in the path' USING ERRCODE = '22023',
			DETAIL = format('The value %s is not a positive integer.', to_json(left(p ->> 'deviation_id', 32))),
			HINT = 'Use the integer deviation_id from GET /deviations, e.g. PATCH /deviations/42.';
	END IF;
	v_id := (p ->> 'deviation_id')::bigint;
	BEGIN
		b := request_body::jsonb;
	EXCEPTION WHEN OTHERS THEN
		RAISE EXCEPTION 'request body is not valid JSON' USING ERRCODE = '22P02',
			HINT = 'Send {"status": "ACK"} or {"status": "CLOSED"} with Content-Type: application/json.';
	END;
	IF b IS NULL OR jsonb_typeof(b) <> 'object' OR (SELECT count(*) FROM jsonb_object_keys(b)) <> 1
	   OR jsonb_typeof(b -> 'status') IS DISTINCT FROM 'string' OR b ->> 'status' NOT IN ('ACK', 'CLOSED') THEN
		RAISE EXCEPTION 'invalid body member "status"' USING ERRCODE = '22023',
			DETAIL = 'The body must be exactly {"status": "ACK"} or {"status": "CLOSED"}.',
			HINT = 'ACK acknowledges an open deviation; CLOSED closes it by hand.';
	END IF;
	IF b ->> 'status' = 'ACK' THEN
		d := agingos.agingos_ack(v_id, v_home);
	ELSE
		d := agingos.agingos_close(v_id, v_home);
	END IF;
	status := 200;
	body := agingos.agingos_deviation_json(d)::text;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_code = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
	SELECT e.status, e.body INTO status, body FROM agingos.agingos_http_error(v_code, v_msg, v_detail, v_hint) e;
END
$$;
COMMENT ON FUNCTION agingos.http_deviation_patch(text, text, text) IS
'Route PATCH /deviations/{id}: ACK (agingos_ack) or CLOSED (agingos_close) in the caller''s home; admin key.';

-- GET /rules → 200 array of {rule_id, title, description, enabled_in_scheduler,
-- config (the rule's effective entry), truth (agingos_rule_truth for the
-- caller's home now)}; read key.
CREATE FUNCTION agingos.http_rules(params text, request_body text, api_key text,
								   OUT status integer, OUT body text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_home text;
	cfg jsonb;
	v_code text; v_msg text; v_detail text; v_hint text;
BEGIN
	v_home := agingos.agingos_auth(api_key, 'read');
	cfg := agingos.agingos_config();
	SELECT 200, coalesce(jsonb_agg(jsonb_build_object(
			'rule_id', r.rule_id, 'title', r.title, 'description', r.description,
			'enabled_in_scheduler', t.enabled_in_scheduler,
			'config', cfg -> 'rules' -> r.rule_id,
			'truth', jsonb_build_object('evaluation_truth', t.evaluation_truth, 'gating_reason', t.gating_reason,
										'days_with_data', t.days_with_data, 'min_days_required', t.min_days_required))
			ORDER BY r.rule_id), '[]')::text
	  INTO status, body
	  FROM agingos.agingos_rules() r
	  JOIN agingos.agingos_rule_truth(v_home, pg_catalog.now()) t ON t.rule_id = r.rule_id;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_code = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
	SELECT e.status, e.body INTO status, body FROM agingos.agingos_http_error(v_code, v_msg, v_detail, v_hint) e;
END
$$;
COMMENT ON FUNCTION agingos.http_rules(text, text, text) IS
'Route GET /rules: every registered rule with its effective config and evaluation truth for the caller''s home.';

-- GET /health/detail → 200 agingos_health(); read key.
CREATE FUNCTION agingos.http_health_detail(params text, request_body text, api_key text,
										   OUT status integer, OUT body text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_code text; v_msg text; v_detail text; v_hint text;
BEGIN
	PERFORM agingos.agingos_auth(api_key, 'read');
	status := 200;
	body := agingos.agingos_health()::text;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_code = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
	SELECT e.status, e.body INTO status, body FROM agingos.agingos_http_error(v_code, v_msg, v_detail, v_hint) e;
END
$$;
COMMENT ON FUNCTION agingos.http_health_detail(text, text, text) IS
'Route GET /health/detail: agingos_health() (contract section 6).';

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
