-- agingos upgrade 0.1.0 -> 0.2.0: the DDL delta (tables, columns, indexes,
-- constraints, dropped or re-typed functions).  The Makefile appends every
-- src/sql/code/*.sql part after it, so functions, comments and grants need
-- no copy here: only what CREATE OR REPLACE cannot do.
-- Checked by a test that compares the upgraded catalog with a fresh install.

\echo Use "ALTER EXTENSION agingos UPDATE TO '0.2.0'" to load this file. \quit

-- issue 17: agingos_rule_truth gains missing_sensor (NOT_APPLICABLE, rules.md D32)
DROP FUNCTION IF EXISTS agingos.agingos_rule_truth(text, timestamptz);

-- issue 17: per-home profile (personal baselines, rules.md D33)
CREATE TABLE agingos.home_profile (
	home_id text NOT NULL,
	metric text NOT NULL CHECK (metric IN ('wake_minute', 'sensor_on_minutes')),
	key text NOT NULL DEFAULT '',
	value integer NOT NULL,
	samples integer NOT NULL,
	days integer NOT NULL,
	quantile real NOT NULL,
	updated_for date NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (home_id, metric, key)
);
COMMENT ON TABLE agingos.home_profile IS
'Per-home profile learned from the home''s own history (docs/alarm-quality.md): wake_minute and sensor_on_minutes per room.';
SELECT pg_catalog.pg_extension_config_dump('agingos.home_profile', '');
