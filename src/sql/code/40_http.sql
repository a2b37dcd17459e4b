
-- agingos install script, part 40: HTTP route functions (contract.md 6).
-- Every route is one function (params text, request_body text, api_key text,
-- OUT status integer, OUT body text): params is a JSON object of the query
-- arguments and path parameters, request_body the raw body or NULL.  They
-- return the HTTP status and the JSON body; agingos-http adds nothing.
-- SECURITY DEFINER with a pinned search_path, so the front's role needs
-- nothing but EXECUTE on them.  This part: the error table's SQL entry, the
-- two C routes, the shared parameter helpers and the handler of GET /events;
-- the envelope route_call and the route table are part 75.

-- agingos_http_error(sqlstate, message, detail, hint) → (status, body)
-- Status and error body of a caught error; internals of a 500 are hidden.
CREATE OR REPLACE FUNCTION agingos.agingos_http_error(sqlstate text, message text, detail text, hint text,
										   OUT status integer, OUT body text)
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'agingos_http_error';
COMMENT ON FUNCTION agingos.agingos_http_error(text, text, text, text) IS
'HTTP status and {"code","message","details","hint"} body for a caught error (contract section 6).';

-- POST /event, POST /v1/event (C route: SQL http_event = C agingos_http_event, src/http_ingest.c)
CREATE OR REPLACE FUNCTION agingos.http_event(params text, request_body text, api_key text,
								   OUT status integer, OUT body text)
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS 'MODULE_PATHNAME', 'agingos_http_event';
COMMENT ON FUNCTION agingos.http_event(text, text, text) IS
'Route POST /event and POST /v1/event: agingos_ingest for the caller''s home (contract section 6).';

-- POST /events/batch (C route: agingos_http_events_batch, src/http_ingest.c)
CREATE OR REPLACE FUNCTION agingos.http_events_batch(params text, request_body text, api_key text,
										  OUT status integer, OUT body text)
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS 'MODULE_PATHNAME', 'agingos_http_events_batch';
COMMENT ON FUNCTION agingos.http_events_batch(text, text, text) IS
'Route POST /events/batch: agingos_ingest_batch for the caller''s home (contract section 6).';

-- agingos_http_limit(params jsonb) → integer: the `limit` query argument,
-- default 100, 1..1000; 22023 otherwise.
CREATE OR REPLACE FUNCTION agingos.agingos_http_limit(params jsonb)
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
CREATE OR REPLACE FUNCTION agingos.agingos_http_params(params text)
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

-- route_events(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz) → text
-- Handler of GET /events?category=&since=&until=&limit=&home_id=: array of
-- {id, home_id, timestamp, category, payload, room_id, stream_id,
-- received_at} of the home_ids, newest first (ties by row id desc), "timestamp"
-- in [since, until).  22007 for a naive/malformed instant, 22023 a bad limit.
CREATE OR REPLACE FUNCTION agingos.route_events(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_since CONSTANT timestamptz := agingos.agingos_parse_instant(p ->> 'since', 'since');
	v_until CONSTANT timestamptz := agingos.agingos_parse_instant(p ->> 'until', 'until');
	v_limit CONSTANT integer := agingos.agingos_http_limit(p);
BEGIN
	RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object(
			'id', e.event_id,
			'home_id', e.home_id,
			'timestamp', agingos.agingos_iso(e."timestamp"),
			'category', e.category,
			'payload', e.payload,
			'room_id', e.room_id,
			'stream_id', e.stream_id,
			'received_at', agingos.agingos_iso(e.received_at)) ORDER BY e."timestamp" DESC, e.id DESC), '[]'::jsonb)::text
	  FROM (SELECT * FROM agingos.events ev
			 WHERE ev.home_id = ANY (home_ids)
			   AND (p ->> 'category' IS NULL OR ev.category = p ->> 'category')
			   AND (v_since IS NULL OR ev."timestamp" >= v_since)
			   AND (v_until IS NULL OR ev."timestamp" < v_until)
			 ORDER BY ev."timestamp" DESC, ev.id DESC
			 LIMIT v_limit) e);
END
$$;
COMMENT ON FUNCTION agingos.route_events(jsonb, text[], text, text, timestamptz) IS
'Handler of GET /events (through route_call): events of the caller''s homes newest first.';
