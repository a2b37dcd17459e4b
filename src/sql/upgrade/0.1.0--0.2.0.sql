-- agingos upgrade 0.1.0 -> 0.2.0: the DDL delta (tables, columns, indexes,
-- constraints, dropped or re-typed functions).  The Makefile appends every
-- src/sql/code/*.sql part after it, so functions, comments and grants need
-- no copy here: only what CREATE OR REPLACE cannot do.
-- Checked by a test that compares the upgraded catalog with a fresh install.

\echo Use "ALTER EXTENSION agingos UPDATE TO '0.2.0'" to load this file. \quit

-- issue 9: agingos_health() gains home_ids text[] DEFAULT NULL (GET
-- /health/detail shows only the key's homes); the old form would clash.
DROP FUNCTION IF EXISTS agingos.agingos_health();
-- issue 12: counters behind /metrics (agingos_metrics); start them from the
-- scheduler_runs rows still kept.
CREATE TABLE agingos.scheduler_totals (
	status		text PRIMARY KEY CHECK (status IN ('ok', 'skipped', 'error')),
	ticks		bigint NOT NULL DEFAULT 0,
	rules_failed bigint NOT NULL DEFAULT 0,
	duration_ms numeric NOT NULL DEFAULT 0
);
INSERT INTO agingos.scheduler_totals (status, ticks, rules_failed, duration_ms)
SELECT s.status, count(r.run_id), coalesce(sum(r.rules_failed), 0), coalesce(sum(r.duration_ms), 0)
  FROM (VALUES ('ok'), ('skipped'), ('error')) s(status)
  LEFT JOIN agingos.scheduler_runs r ON r.status = s.status
 GROUP BY s.status;
COMMENT ON TABLE agingos.scheduler_totals IS
'Scheduler ticks, failed rule evaluations and tick time per status since install (counters of agingos_metrics()).';
SELECT pg_catalog.pg_extension_config_dump('agingos.scheduler_totals', '');
-- issue 15: access control, audit and privacy (contract.md section 12).
-- Roles of src/sql/schema/80_access.sql.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'agingos_routes') THEN
		CREATE ROLE agingos_routes NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT NOCREATEDB NOCREATEROLE;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'agingos_reader') THEN
		CREATE ROLE agingos_reader NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
	END IF;
END
$$;
-- api_keys gets key_id, label, revoked_at, the carer role and an 8-character
-- prefix; its homes move to api_key_homes.  Rebuilt so that the columns come
-- in the same order as in a fresh install.
ALTER TABLE agingos.api_keys RENAME TO api_keys_0_1;
ALTER TABLE agingos.api_keys_0_1 RENAME CONSTRAINT api_keys_pkey TO api_keys_0_1_pkey;
ALTER TABLE agingos.api_keys_0_1 RENAME CONSTRAINT api_keys_home_id_fkey TO api_keys_0_1_home_id_fkey;
ALTER TABLE agingos.api_keys_0_1 RENAME CONSTRAINT api_keys_role_check TO api_keys_0_1_role_check;
CREATE TABLE agingos.api_keys (
	key_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	key_hash	bytea NOT NULL CONSTRAINT api_keys_key_hash_key UNIQUE,
	key_prefix	text NOT NULL CONSTRAINT api_keys_key_prefix_check CHECK (length(key_prefix) <= 8),
	role		text NOT NULL CONSTRAINT api_keys_role_check CHECK (role IN ('ingest', 'read', 'carer', 'admin')),
	label		text,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	revoked_at	timestamptz
);
COMMENT ON TABLE agingos.api_keys IS 'API keys as SHA-256 hashes with role, label and revocation; homes in api_key_homes; the key itself is shown once.';
CREATE TABLE agingos.api_key_homes (
	home_id		text NOT NULL REFERENCES agingos.homes (home_id),
	key_id		bigint NOT NULL REFERENCES agingos.api_keys (key_id) ON DELETE CASCADE,
	PRIMARY KEY (home_id, key_id)
);
CREATE INDEX api_key_homes_key_idx ON agingos.api_key_homes (key_id);
COMMENT ON TABLE agingos.api_key_homes IS 'The homes each API key covers (contract section 12).';
INSERT INTO agingos.api_keys (key_hash, key_prefix, role, created_at)
SELECT o.key_hash, left(o.key_prefix, 8), o.role, o.created_at FROM agingos.api_keys_0_1 o ORDER BY o.created_at, o.key_hash;
INSERT INTO agingos.api_key_homes (home_id, key_id)
SELECT o.home_id, k.key_id FROM agingos.api_keys_0_1 o JOIN agingos.api_keys k ON k.key_hash = o.key_hash;
ALTER EXTENSION agingos DROP TABLE agingos.api_keys_0_1;
DROP TABLE agingos.api_keys_0_1;
SELECT pg_catalog.pg_extension_config_dump('agingos.api_keys', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.api_key_homes', '');
-- deviation_history: actor and note; no cascade from deviations any more.
ALTER TABLE agingos.deviation_history DROP CONSTRAINT deviation_history_deviation_id_fkey;
ALTER TABLE agingos.deviation_history ADD COLUMN actor text;
UPDATE agingos.deviation_history SET actor = CASE WHEN reason IN ('ack', 'manual') THEN 'sql:unknown' ELSE 'scheduler' END;
ALTER TABLE agingos.deviation_history ALTER COLUMN actor SET NOT NULL;
ALTER TABLE agingos.deviation_history ADD COLUMN note text;
CREATE INDEX deviation_history_at_idx ON agingos.deviation_history (at);
-- issue 14 item 2: every unique key of a home's table carries home_id
-- (docs/scale.md "Every unique key carries home_id"); the identity values
-- stay unique by themselves.  deviation_history's foreign key to
-- deviations_pkey is gone above, so the key can change.
ALTER TABLE agingos.deviations DROP CONSTRAINT deviations_pkey,
	ADD CONSTRAINT deviations_pkey PRIMARY KEY (home_id, deviation_id);
CREATE INDEX deviations_deviation_id_idx ON agingos.deviations (deviation_id);
ALTER TABLE agingos.deviations_v1 DROP CONSTRAINT deviations_v1_pkey,
	ADD CONSTRAINT deviations_v1_pkey PRIMARY KEY (home_id, deviation_id);
ALTER TABLE agingos.deviation_history DROP CONSTRAINT deviation_history_pkey,
	ADD CONSTRAINT deviation_history_pkey PRIMARY KEY (home_id, history_id);
DROP INDEX agingos.deviation_history_deviation_idx;
CREATE INDEX deviation_history_deviation_idx ON agingos.deviation_history (home_id, deviation_id, at);
-- reader_homes and audit_log (src/sql/schema/80_access.sql).
CREATE TABLE agingos.reader_homes (
	home_id		text NOT NULL REFERENCES agingos.homes (home_id),
	role_name	text NOT NULL,
	PRIMARY KEY (home_id, role_name)
);
CREATE INDEX reader_homes_role_idx ON agingos.reader_homes (role_name);
COMMENT ON TABLE agingos.reader_homes IS 'Homes each reader role may SELECT (agingos_create_reader, contract section 12).';
CREATE TABLE agingos.audit_log (
	audit_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	actor		text NOT NULL,
	action		text NOT NULL CHECK (action IN ('create_key', 'revoke_key', 'create_reader', 'export_home', 'delete_home')),
	home_id		text,
	key_id		bigint,
	subject		text,
	details		jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at_idx ON agingos.audit_log (at);
CREATE INDEX audit_log_home_idx ON agingos.audit_log (home_id);
COMMENT ON TABLE agingos.audit_log IS 'Who created or revoked keys and readers, exported or deleted a home, and when (docs/security.md).';
SELECT pg_catalog.pg_extension_config_dump('agingos.reader_homes', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.audit_log', '');
-- functions whose signature changes (the code parts create the new forms)
DROP FUNCTION IF EXISTS agingos.agingos_create_api_key(text, text);
DROP FUNCTION IF EXISTS agingos.agingos_ack(bigint, text);
DROP FUNCTION IF EXISTS agingos.agingos_close(bigint, text);
DROP FUNCTION IF EXISTS agingos.agingos_deviation_event(agingos.deviations, text, text, timestamptz);
-- issue 17: agingos_rule_truth gains missing_sensor (NOT_APPLICABLE, rules.md D32)
DROP FUNCTION IF EXISTS agingos.agingos_rule_truth(text, timestamptz);

-- issue 17: per-home profile (personal baselines, rules.md D33)
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
-- issue 17 (rest): the profile kept incrementally: learned days and their samples
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
-- issue 18: per-home vocabulary (src/sql/schema/60_home_vocabulary.sql)
CREATE TABLE agingos.home_vocabulary (
	home_id		text PRIMARY KEY REFERENCES agingos.homes (home_id) ON DELETE CASCADE,
	vocabulary	jsonb NOT NULL CHECK (jsonb_typeof(vocabulary) = 'object'),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE agingos.home_vocabulary IS
'Per-home names of the rule roles (bathroom, living_room, bedroom, front_door_room, front_door_entity_ids, front_door_name, liveness_categories, timezone); unset roles follow the config.';
SELECT pg_catalog.pg_extension_config_dump('agingos.home_vocabulary', '');
-- issue 16: pg_dump / pg_restore.  No DDL here on purpose: code part
-- src/sql/code/95_dump.sql (appended below) marks every identity sequence
-- for pg_extension_config_dump, filters the settings row the install script
-- inserts and adds the settings_merge trigger; it is idempotent, so it does
-- the same on an upgraded and on a fresh database.

-- issue 11: carer notifications — contacts, the notifications outbox, the
-- ACK-link key (src/sql/schema/80_notify_tables.sql); deviation_history.actor/note
-- and the agingos_ack/agingos_close signature are issue 15's block above.
-- agingos_relay: the role agingos-notify's login role (agingos_notify,
-- created by `make up`) is a member of; EXECUTE on the relay functions only
-- (granted in src/sql/code/80_notify.sql).
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'agingos_relay') THEN
		CREATE ROLE agingos_relay NOLOGIN;
	END IF;
END
$$;
CREATE TABLE agingos.contacts (
	contact_id	bigint GENERATED ALWAYS AS IDENTITY,
	home_id		text NOT NULL REFERENCES agingos.homes (home_id),
	name		text NOT NULL,
	channel		text NOT NULL CHECK (channel IN ('webhook', 'apprise', 'alertmanager')),
	target		text NOT NULL,
	escalation_level integer NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 100),
	min_severity text NOT NULL DEFAULT 'LOW' CHECK (min_severity IN ('LOW', 'MEDIUM', 'HIGH')),
	quiet_hours text CHECK (quiet_hours ~ '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$'),
	active		boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	removed_at	timestamptz,
	PRIMARY KEY (home_id, contact_id)
);
CREATE INDEX contacts_contact_id_idx ON agingos.contacts (contact_id);
COMMENT ON TABLE agingos.contacts IS 'Who is told about a home''s deviations, on which channel and escalation level (contract section 10).';

-- notifications: the outbox, written in the same transaction as the
-- lifecycle change (or tick) that causes the message.  kind: opened |
-- escalated | reminder | severity_changed | acked | closed.  status: pending
-- -> sent | dead.  next_attempt_at: not before (quiet hours, back-off).
-- severity and escalation_level: as they were when the row was written.
CREATE TABLE agingos.notifications (
	notification_id bigint GENERATED ALWAYS AS IDENTITY,
	home_id		text NOT NULL,
	deviation_id bigint NOT NULL,	-- no foreign key: retention and reset delete both (agingos_retention)
	contact_id	bigint NOT NULL,
	kind		text NOT NULL CHECK (kind IN ('opened', 'escalated', 'reminder', 'severity_changed', 'acked', 'closed')),
	status		text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL,
	created_at	timestamptz NOT NULL,
	sent_at		timestamptz,
	last_error	text,
	severity	text NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH')),
	escalation_level integer NOT NULL,
	held		boolean NOT NULL DEFAULT false,
	PRIMARY KEY (home_id, notification_id),
	FOREIGN KEY (home_id, contact_id) REFERENCES agingos.contacts (home_id, contact_id)
);
-- "already told" and reminder checks: one probe per (deviation, contact).
CREATE INDEX notifications_deviation_contact_idx ON agingos.notifications (home_id, deviation_id, contact_id, created_at);
-- the relay's queue: pending rows per contact (of its home) in created_at order.
CREATE INDEX notifications_pending_idx ON agingos.notifications (home_id, contact_id, created_at, notification_id)
	WHERE status = 'pending';
COMMENT ON TABLE agingos.notifications IS 'Outbox of carer notifications, delivered at least once by agingos-notify (contract section 10).';

-- The ACK-link signing key (docs/notifications.md "ACK links"): 32 random
-- bytes made on first use by agingos_notify_secret(), readable only by the
-- extension owner (no grant).  Not filled here, so pg_dump/restore keeps the
-- dumped key.
CREATE TABLE agingos.notify_secret (
	id			boolean PRIMARY KEY DEFAULT true CHECK (id),
	secret		bytea NOT NULL
);
COMMENT ON TABLE agingos.notify_secret IS 'HMAC key of the ACK-link tokens; owner only.';

SELECT pg_catalog.pg_extension_config_dump('agingos.contacts', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.notifications', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.notify_secret', '');

-- the parallel tick (docs/scheduler.md "Buckets"): a scheduler_runs row per
-- bucket run says which bucket of how many.
ALTER TABLE agingos.scheduler_runs ADD COLUMN bucket integer, ADD COLUMN buckets integer;
-- issue 10: one envelope for the SQL routes (agingos.route_call and the
-- handlers agingos.route_<route>); the clock of the rules route and of the
-- window routes is an argument (docs/spec/design.md, clock injection).
DROP FUNCTION IF EXISTS agingos.http_rules(text, text, text);
DROP FUNCTION IF EXISTS agingos.agingos_http_window(jsonb);
-- issue 10: one spelling per concept — the lifecycle helpers' arguments are
-- home_id, rule_id, subject_key, now (no p_ prefix); new argument names.
DROP FUNCTION IF EXISTS agingos.agingos_upsert_deviation(text, text, text, timestamptz, text, text, text, jsonb, timestamptz, timestamptz);
DROP FUNCTION IF EXISTS agingos.agingos_close_stale(text, timestamptz, text[]);
-- issue 14: agingos.events partitioned by RANGE on "timestamp", one
-- partition per UTC day (docs/scale.md).  The 0.1.0 table is renamed, the
-- partitioned one built as src/sql/schema/00_schema.sql has it, every row
-- copied with its id (into events_default: agingos_partition_maintenance
-- moves them into day partitions, the hourly job or the next make up), the
-- identity sequence carried on, the old table dropped.  Takes as long as
-- rewriting the table; ingest waits for it (ACCESS EXCLUSIVE on the table).
ALTER TABLE agingos.events RENAME TO events_0_1;
ALTER TABLE agingos.events_0_1 RENAME CONSTRAINT events_pkey TO events_0_1_pkey;
ALTER TABLE agingos.events_0_1 RENAME CONSTRAINT events_home_event_key TO events_0_1_home_event_key;
ALTER INDEX agingos.events_home_ts_idx RENAME TO events_0_1_home_ts_idx;
ALTER INDEX agingos.events_home_category_ts_idx RENAME TO events_0_1_home_category_ts_idx;
ALTER SEQUENCE agingos.events_id_seq RENAME TO events_0_1_id_seq;
CREATE TABLE agingos.events (
	id			bigint GENERATED ALWAYS AS IDENTITY,
	home_id		text NOT NULL DEFAULT 'default',
	event_id	text NOT NULL,
	"timestamp" timestamptz NOT NULL,
	category	text NOT NULL,
	payload		jsonb NOT NULL DEFAULT '{}'::jsonb,
	room_id		text,
	stream_id	text NOT NULL DEFAULT 'prod',
	received_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT events_pkey PRIMARY KEY (home_id, "timestamp", id)
) PARTITION BY RANGE ("timestamp");
CREATE TABLE agingos.events_default PARTITION OF agingos.events DEFAULT;
CREATE INDEX events_home_category_ts_idx ON agingos.events (home_id, category, "timestamp");
COMMENT ON TABLE agingos.events IS 'Sensor events as stored by agingos_ingest (contract sections 3 and 5).';
INSERT INTO agingos.events OVERRIDING SYSTEM VALUE
SELECT o.id, o.home_id, o.event_id, o."timestamp", o.category, o.payload, o.room_id, o.stream_id, o.received_at
  FROM agingos.events_0_1 o ORDER BY o.id;
SELECT pg_catalog.setval('agingos.events_id_seq', s.last_value, s.is_called) FROM agingos.events_0_1_id_seq s;
ALTER EXTENSION agingos DROP TABLE agingos.events_0_1;
DROP TABLE agingos.events_0_1;
SELECT pg_catalog.pg_extension_config_dump('agingos.events_default', '');
-- the dedupe probe's table (src/sql/schema/00_schema.sql), filled from the
-- rows copied above; its trigger events_keys comes with part 12 of the code
CREATE TABLE agingos.event_keys (
	key_hash	bigint NOT NULL,
	"timestamp" timestamptz NOT NULL
);
INSERT INTO agingos.event_keys (key_hash, "timestamp")
SELECT pg_catalog.hashtextextended(e.home_id || pg_catalog.chr(31) || e.event_id, 0), e."timestamp"
  FROM agingos.events e ORDER BY e."timestamp";
CREATE INDEX event_keys_key_hash_idx ON agingos.event_keys (key_hash);
CREATE INDEX event_keys_timestamp_brin ON agingos.event_keys USING brin ("timestamp");
COMMENT ON TABLE agingos.event_keys IS 'Dedupe probe of ingest: hash of (home_id, event_id) and the instant of every stored event (docs/scale.md).';
SELECT pg_catalog.pg_extension_config_dump('agingos.event_keys', '');
