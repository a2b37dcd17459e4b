
-- agingos install script, part 60: per-home vocabulary (issue 18,
-- docs/home-assistant.md "Per-home vocabulary").
-- home_vocabulary: one row per home that names its rooms, front-door
-- entities, liveness categories or time zone differently from the config.
-- vocabulary holds only the roles the home sets (validated by
-- agingos_set_home_vocabulary); the others follow config/rules.yaml.
CREATE TABLE agingos.home_vocabulary (
	home_id		text PRIMARY KEY REFERENCES agingos.homes (home_id) ON DELETE CASCADE,
	vocabulary	jsonb NOT NULL CHECK (jsonb_typeof(vocabulary) = 'object'),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE agingos.home_vocabulary IS
'Per-home names of the rule roles (bathroom, living_room, bedroom, front_door_room, front_door_entity_ids, front_door_name, liveness_categories, timezone); unset roles follow the config.';
SELECT pg_catalog.pg_extension_config_dump('agingos.home_vocabulary', '');
