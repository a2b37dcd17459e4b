
-- agingos install script, part 80: per-home vocabulary (issue 18;
-- docs/home-assistant.md "Per-home vocabulary").  C side: src/vocabulary.c.

-- agingos_home_vocabulary(home_id text) → jsonb: the home's resolved roles
-- (its own names, else the config's params) and which of them it sets.
CREATE OR REPLACE FUNCTION agingos.agingos_home_vocabulary(home_id text DEFAULT 'default')
RETURNS jsonb
LANGUAGE C STABLE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_home_vocabulary';
COMMENT ON FUNCTION agingos.agingos_home_vocabulary(text) IS
'The resolved rule roles of a home (bathroom, living_room, bedroom, front_door_room, front_door_entity_ids, front_door_name, liveness_categories, timezone) and set_by_home, the roles its vocabulary sets.';

-- agingos_home_config(home_id text) → jsonb: agingos_config() as the rules
-- see it for this home (vocabulary overlaid).
CREATE OR REPLACE FUNCTION agingos.agingos_home_config(home_id text DEFAULT 'default')
RETURNS jsonb
LANGUAGE C STABLE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_home_config';
COMMENT ON FUNCTION agingos.agingos_home_config(text) IS
'The effective config (agingos_config() shape) with the home''s vocabulary in the rule params.';

-- agingos_set_home_vocabulary(home_id text, vocabulary jsonb) → jsonb
-- Store the home's names for the rule roles (replacing what it had) and
-- return agingos_home_vocabulary(home_id).  vocabulary is an object with
-- any of: bathroom, living_room, bedroom, front_door_room, front_door_name
-- (strings of 1..128 characters), front_door_entity_ids (array of strings
-- of 1..255 characters, may be empty = any entity), liveness_categories
-- (non-empty array of category names, ^[a-z][a-z0-9_]{0,63}$), timezone
-- (an IANA name from pg_timezone_names).  '{}' removes the row (the home
-- follows the config again).  Adds the home to agingos.homes.
-- Errors: 22023 naming the member (unknown key, wrong type, bad value) or
-- a bad home_id (1..128 characters, as for events); nothing is stored.
CREATE OR REPLACE FUNCTION agingos.agingos_set_home_vocabulary(home_id text, vocabulary jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	k text;
	v jsonb;
	e jsonb;
	i integer;
	str_roles constant text[] := ARRAY['bathroom', 'living_room', 'bedroom', 'front_door_room', 'front_door_name'];
	known constant text[] := str_roles || ARRAY['front_door_entity_ids', 'liveness_categories', 'timezone'];
BEGIN
	IF home_id IS NULL OR length(home_id) NOT BETWEEN 1 AND 128 THEN
		RAISE EXCEPTION 'invalid argument "home_id"'
			USING ERRCODE = '22023',
				  DETAIL = CASE WHEN home_id IS NULL THEN 'home_id is null.'
							ELSE format('home_id has %s characters; 1 to 128 are allowed.', length(home_id)) END,
				  HINT = 'Pass a home id such as ''default''.';
	END IF;
	IF vocabulary IS NULL OR jsonb_typeof(vocabulary) <> 'object' THEN
		RAISE EXCEPTION 'invalid argument "vocabulary"'
			USING ERRCODE = '22023',
				  DETAIL = format('vocabulary is %s, not a JSON object.', coalesce(jsonb_typeof(vocabulary), 'null')),
				  HINT = 'Pass an object such as {"bathroom": "bad", "timezone": "Europe/Oslo"}, or {} to follow the config.';
	END IF;
	FOR k, v IN SELECT j.key, j.value FROM jsonb_each(vocabulary) j LOOP
		IF NOT k = ANY (known) THEN
			RAISE EXCEPTION 'vocabulary.%: unknown key', left(k, 64)
				USING ERRCODE = '22023',
					  DETAIL = format('The known roles are %s.', array_to_string(known, ', ')),
					  HINT = 'Remove the key or correct its spelling.';
		ELSIF k = ANY (str_roles) THEN
			IF jsonb_typeof(v) <> 'string' OR length(v #>> '{}') NOT BETWEEN 1 AND 128 THEN
				RAISE EXCEPTION 'vocabulary.%: must be a string of 1 to 128 characters', k
					USING ERRCODE = '22023',
						  DETAIL = format('The value is a %s%s.', jsonb_typeof(v),
										  CASE WHEN jsonb_typeof(v) = 'string' THEN format(' of %s characters', length(v #>> '{}')) ELSE '' END),
						  HINT = 'Write the name the home''s events carry, e.g. "room": "bad" in the payload.';
			END IF;
		ELSIF k = 'timezone' THEN
			IF jsonb_typeof(v) <> 'string'
			   OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names z WHERE z.name = v #>> '{}') THEN
				RAISE EXCEPTION 'vocabulary.timezone: unknown time zone'
					USING ERRCODE = '22023',
						  DETAIL = format('The value %s is not a time zone name of pg_timezone_names.', left(v::text, 80)),
						  HINT = 'Use an IANA name such as "Europe/Oslo".';
			END IF;
		ELSE
			IF jsonb_typeof(v) <> 'array' THEN
				RAISE EXCEPTION 'vocabulary.%: must be an array of strings', k
					USING ERRCODE = '22023', DETAIL = format('The value is a %s.', jsonb_typeof(v)),
						  HINT = 'Write a list, e.g. ["binary_sensor.front_door"].';
			END IF;
			IF k = 'liveness_categories' AND jsonb_array_length(v) = 0 THEN
				RAISE EXCEPTION 'vocabulary.liveness_categories: must not be empty'
					USING ERRCODE = '22023', DETAIL = 'The list is empty.',
						  HINT = 'Name the category of the home''s heartbeat events, e.g. ["ha_snapshot"].';
			END IF;
			i := 0;
			FOR e IN SELECT a FROM jsonb_array_elements(v) a LOOP
				IF jsonb_typeof(e) <> 'string'
				   OR (k = 'liveness_categories' AND (e #>> '{}') !~ '^[a-z][a-z0-9_]{0,63}$')
				   OR (k = 'front_door_entity_ids' AND length(e #>> '{}') NOT BETWEEN 1 AND 255) THEN
					RAISE EXCEPTION 'vocabulary.%[%]: invalid element', k, i
						USING ERRCODE = '22023',
							  DETAIL = CASE WHEN jsonb_typeof(e) <> 'string' THEN format('The element is a %s, not a string.', jsonb_typeof(e))
									   WHEN k = 'liveness_categories' THEN format('%s does not match ^[a-z][a-z0-9_]{0,63}$.', left(e::text, 80))
									   ELSE format('The entity id has %s characters; 1 to 255 are allowed.', length(e #>> '{}')) END,
							  HINT = CASE WHEN k = 'liveness_categories' THEN 'Use event category names such as "ha_snapshot".'
									 ELSE 'Use Home Assistant entity ids such as "binary_sensor.front_door".' END;
				END IF;
				i := i + 1;
			END LOOP;
		END IF;
	END LOOP;
	IF vocabulary = '{}'::jsonb THEN
		DELETE FROM agingos.home_vocabulary hv WHERE hv.home_id = agingos_set_home_vocabulary.home_id;
	ELSE
		INSERT INTO agingos.homes (home_id) VALUES (agingos_set_home_vocabulary.home_id) ON CONFLICT DO NOTHING;
		INSERT INTO agingos.home_vocabulary AS hv (home_id, vocabulary)
		VALUES (agingos_set_home_vocabulary.home_id, vocabulary)
		ON CONFLICT ON CONSTRAINT home_vocabulary_pkey DO UPDATE SET vocabulary = EXCLUDED.vocabulary, updated_at = now();
	END IF;
	RETURN agingos.agingos_home_vocabulary(agingos_set_home_vocabulary.home_id);
END
$$;
COMMENT ON FUNCTION agingos.agingos_set_home_vocabulary(text, jsonb) IS
'Store a home''s own names for the rule roles (validated strictly, 22023 naming the member); {} returns the home to the config''s names. Returns agingos_home_vocabulary(home_id).';
