-- agingos install script, part 80 (schema): per-home learned profile
-- (docs/alarm-quality.md "Personal baselines", rules.md D33).  One row per
-- (home, metric, key), each a quantile over the samples of
-- home_profile_samples of the last 28 local days: wake_minute (key ''), the
-- local minute of day by which the resident is usually up; sensor_on_minutes
-- (key = room), how long a presence sensor of that room usually says "on"
-- without a break; bathroom_minutes (key day / night), R-004's stay lengths;
-- living_first_minute (key ''), when the living room is first used in R-006's
-- day window; night_switches (key ''), R-007's room switches of a night;
-- stillness_minutes (key = ISO weekday-hour, '1-09' = Monday 09:00-10:00
-- local), the longest time without activity reached in that hour;
-- outing_minutes (key ''), how long the resident's outings last (R-011's
-- personal baseline: departure through the front door to the return).  days =
-- local dates with events behind the value; updated_for = the local date the
-- profile covers up to (exclusive).  Filled by agingos_profile_refresh() and
-- the tick's agingos_profile_maybe_refresh(); readable in psql.
CREATE TABLE agingos.home_profile (
	home_id text NOT NULL,
	metric text NOT NULL CHECK (metric IN ('wake_minute', 'sensor_on_minutes', 'bathroom_minutes', 'living_first_minute', 'night_switches', 'stillness_minutes', 'outing_minutes')),
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
'Per-home profile learned from the home''s own history (docs/alarm-quality.md): wake_minute, sensor_on_minutes per room, bathroom_minutes, living_first_minute, night_switches, stillness_minutes per hour of the week, outing_minutes.';
SELECT pg_catalog.pg_extension_config_dump('agingos.home_profile', '');

-- The profile kept incrementally (docs/alarm-quality.md "Personal
-- baselines"): each local day is learned once, after it has ended, into
-- samples; home_profile is the quantile of the samples of the last 28 days.
-- home_profile_days: the days learned (events = events of that local date;
-- learned_at = when, so events received later for an already learned day
-- make it be learned again).
CREATE TABLE agingos.home_profile_days (
	home_id text NOT NULL,
	day date NOT NULL,
	events integer NOT NULL,
	learned_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (home_id, day)
);
COMMENT ON TABLE agingos.home_profile_days IS
'Local days whose samples are in agingos.home_profile_samples, with their event count (docs/alarm-quality.md).';
SELECT pg_catalog.pg_extension_config_dump('agingos.home_profile_days', '');
-- home_profile_samples: one value a learned day gave a metric (a day's wake-up
-- minute, one bathroom stay, one hour's longest stillness, ...).
CREATE TABLE agingos.home_profile_samples (
	home_id text NOT NULL,
	day date NOT NULL,
	metric text NOT NULL,
	key text NOT NULL DEFAULT '',
	value integer NOT NULL
);
CREATE INDEX home_profile_samples_home_day_idx ON agingos.home_profile_samples (home_id, day);
COMMENT ON TABLE agingos.home_profile_samples IS
'Per-day samples behind agingos.home_profile (docs/alarm-quality.md); kept for the last 28 local days.';
SELECT pg_catalog.pg_extension_config_dump('agingos.home_profile_samples', '');
