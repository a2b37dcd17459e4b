-- agingos install script, part 80 (schema): per-home learned profile
-- (docs/alarm-quality.md "Personal baselines", rules.md D33).  One row per
-- (home, metric, key): wake_minute (key ''), the local minute of day by which
-- the resident is usually up (quantile 0.9 of the daily first activity);
-- sensor_on_minutes (key = room), how long a presence sensor of that room
-- usually says "on" without a break (quantile 0.99).  days = local dates with
-- events behind the value; updated_for = the local date the profile covers up to
-- (exclusive).  Filled by agingos_profile_refresh(); readable in psql.
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
