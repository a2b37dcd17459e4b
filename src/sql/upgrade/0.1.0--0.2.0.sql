-- agingos upgrade 0.1.0 -> 0.2.0: the DDL delta (tables, columns, indexes,
-- constraints, dropped or re-typed functions).  The Makefile appends every
-- src/sql/code/*.sql part after it, so functions, comments and grants need
-- no copy here: only what CREATE OR REPLACE cannot do.
-- Checked by a test that compares the upgraded catalog with a fresh install.

\echo Use "ALTER EXTENSION agingos UPDATE TO '0.2.0'" to load this file. \quit

-- issue 18: per-home vocabulary (src/sql/schema/60_home_vocabulary.sql)
CREATE TABLE agingos.home_vocabulary (
	home_id		text PRIMARY KEY REFERENCES agingos.homes (home_id) ON DELETE CASCADE,
	vocabulary	jsonb NOT NULL CHECK (jsonb_typeof(vocabulary) = 'object'),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE agingos.home_vocabulary IS
'Per-home names of the rule roles (bathroom, living_room, bedroom, front_door_room, front_door_entity_ids, front_door_name, liveness_categories, timezone); unset roles follow the config.';
SELECT pg_catalog.pg_extension_config_dump('agingos.home_vocabulary', '');
