
-- agingos install script, part 10: event ingest (contract.md sections 4 and 5).

-- agingos_ingest(event text, home_id, stream_id) → jsonb
-- Validates one event given as JSON text with agingos's own JSON handling
-- (duplicate members, \u0000, depth, raw payload size) and stores it.
-- Returns {"received":true,"deduped":bool,"event_id":text}.
-- Errors: 22007 timestamp format; 22023 member missing/unknown/wrong type,
-- empty or long id, category, future instant, payload size/depth/type;
-- 22030 duplicate member; 22P02 invalid JSON; 22P05 \u0000; 23505 same id
-- with other content (nothing changed).
CREATE OR REPLACE FUNCTION agingos.agingos_ingest(event text, home_id text DEFAULT 'default', stream_id text DEFAULT 'prod')
RETURNS jsonb
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_ingest';
COMMENT ON FUNCTION agingos.agingos_ingest(text, text, text) IS
'Validate and store one event given as JSON text (contract section 5); returns {"received":true,"deduped":bool,"event_id":…}; the HTTP front calls this form.';

-- agingos_ingest(event jsonb, …): SQL convenience; same rules, but duplicate
-- members cannot be detected because jsonb has already kept the last one,
-- and the payload size is measured on jsonb's text form (", " and ": ").
CREATE OR REPLACE FUNCTION agingos.agingos_ingest(event jsonb, home_id text DEFAULT 'default', stream_id text DEFAULT 'prod')
RETURNS jsonb
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_ingest_jsonb';
COMMENT ON FUNCTION agingos.agingos_ingest(jsonb, text, text) IS
'Validate and store one event given as jsonb; same rules as the text form, except that duplicate members cannot be detected (jsonb has already kept the last) and the 16 KiB payload limit applies to jsonb''s own text form (with its spaces).';

-- agingos_ingest_batch(events text, home_id, stream_id) → jsonb
-- A JSON array of at most 10,000 events.  Every valid item is stored even
-- when others are rejected; results[i] = {index, status accepted|deduped|
-- rejected, event_id, error {code,message,details,hint} | null}.
-- Errors for the whole call (nothing stored): 22023 not an array or more
-- than 10,000 items or nested too deeply; 22P02 invalid JSON.
CREATE OR REPLACE FUNCTION agingos.agingos_ingest_batch(events text, home_id text DEFAULT 'default', stream_id text DEFAULT 'prod')
RETURNS jsonb
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_ingest_batch';
COMMENT ON FUNCTION agingos.agingos_ingest_batch(text, text, text) IS
'Validate and store a JSON array of at most 10000 events; per-item results (contract section 4); the HTTP front calls this form.';

CREATE OR REPLACE FUNCTION agingos.agingos_ingest_batch(events jsonb, home_id text DEFAULT 'default', stream_id text DEFAULT 'prod')
RETURNS jsonb
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_ingest_batch_jsonb';
COMMENT ON FUNCTION agingos.agingos_ingest_batch(jsonb, text, text) IS
'Validate and store a jsonb array of events; same rules as the text form, except that duplicate members cannot be detected (jsonb has already kept the last).';

-- agingos_parse_instant(value text, field text) → timestamptz
-- Strict instant with an explicit offset (contract.md section 2); raises
-- 22007 naming field for a naive or malformed value.  NULL in, NULL out.
CREATE OR REPLACE FUNCTION agingos.agingos_parse_instant(value text, field text DEFAULT 'value')
RETURNS timestamptz
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'agingos_parse_instant';
COMMENT ON FUNCTION agingos.agingos_parse_instant(text, text) IS
'Parse an ISO 8601 instant that must carry Z or an offset (contract section 2); 22007 otherwise.';

-- agingos_iso(ts timestamptz) → text: "YYYY-MM-DDTHH:MM:SSZ", with a
-- 6-digit fraction only when the microseconds are non-zero (contract 2).
CREATE OR REPLACE FUNCTION agingos.agingos_iso(ts timestamptz)
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'agingos_iso';
COMMENT ON FUNCTION agingos.agingos_iso(timestamptz) IS
'An instant as ISO 8601 UTC with Z (contract section 2), independent of the session TimeZone.';
