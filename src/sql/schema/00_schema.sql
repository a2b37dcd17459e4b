-- agingos install script, part 00: schema, tables, roles.
-- The Makefile concatenates src/sql/schema/*.sql then src/sql/code/*.sql into agingos--<version>.sql.
-- Tables: contract.md section 3.  Every name is schema-qualified.

\echo Use "CREATE EXTENSION agingos" to load this file. \quit

-- pg_partman (a required extension, agingos.control) must live in schema
-- partman: agingos_partition_maintenance() calls partman.create_parent and
-- friends by that name (docs/scale.md).  Install it first with
-- CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman;
DO $$
BEGIN
	IF (SELECT e.extnamespace::regnamespace::text FROM pg_catalog.pg_extension e WHERE e.extname = 'pg_partman') IS DISTINCT FROM 'partman' THEN
		RAISE EXCEPTION 'extension pg_partman must be installed in schema partman'
			USING ERRCODE = '0A000',
				  DETAIL = format('It is in schema %s.', coalesce((SELECT e.extnamespace::regnamespace::text FROM pg_catalog.pg_extension e WHERE e.extname = 'pg_partman'), '(not installed)')),
				  HINT = 'Run: DROP EXTENSION pg_partman; CREATE SCHEMA IF NOT EXISTS partman; CREATE EXTENSION pg_partman SCHEMA partman; then CREATE EXTENSION agingos.';
	END IF;
END
$$;

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
-- Partitioned by RANGE on "timestamp", one partition per UTC day
-- (docs/scale.md "Partitions and retention"): the day partitions are made
-- and filled by agingos_partition_maintenance() through pg_partman, never
-- here, so none of them is an extension member and pg_dump keeps each with
-- its rows.  Until then, and for every instant outside the days made, rows
-- land in the DEFAULT partition events_default (a member whose rows are
-- dumped, below).  A partitioned table's unique keys must hold the partition
-- key: the primary key is (home_id, "timestamp", id) — home_id first so the
-- table can be distributed by home (docs/scale.md "Every unique key carries
-- home_id"), and it is also the engine's one range scan per home and window
-- (design.md "engine"; no separate (home_id, "timestamp") index).  id alone
-- is unique as a value because it comes from one identity sequence.  (home_id, event_id) is unique within
-- retention by agingos_ingest (advisory locks + a probe of agingos.event_keys,
-- docs/scale.md "Dedupe and 409 across partitions"), not by an index.
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
-- Latest event of a category at any age (R-009 evidence, liveness gate) in one probe.
CREATE INDEX events_home_category_ts_idx ON agingos.events (home_id, category, "timestamp");
COMMENT ON TABLE agingos.events IS 'Sensor events as stored by agingos_ingest (contract sections 3 and 5).';

-- event_keys: where each stored event's id is, for the dedupe probe of
-- ingest (docs/scale.md "Dedupe and 409 across partitions").  One row per
-- row of agingos.events: key_hash = hashtextextended(home_id || U+001F ||
-- event_id, 0) and the event's "timestamp" (which names its partition).  One
-- unpartitioned table, so a probe locks one table and one index whatever
-- the number of day partitions (a probe of an index on events itself locks
-- every partition: past PostgreSQL 15's 16 fast-path lock slots, 32 sessions
-- queued on the lock manager, docs/bench.md section 18).  A hash hit is
-- rechecked against events (home_id, "timestamp", event_id), so a hash
-- collision or a stale row (its event deleted) only costs that recheck.
-- Kept by statement triggers of agingos.events (src/sql/code/12_event_keys.sql):
-- every INSERT or COPY adds its rows' keys, every DELETE removes them, a
-- TRUNCATE empties the table; a day partition dropped by agingos_retention
-- takes its keys with it by "timestamp" (BRIN).  agingos_event_keys_rebuild()
-- makes it again from events.
CREATE TABLE agingos.event_keys (
	key_hash	bigint NOT NULL,
	"timestamp" timestamptz NOT NULL
);
CREATE INDEX event_keys_key_hash_idx ON agingos.event_keys (key_hash);
CREATE INDEX event_keys_timestamp_brin ON agingos.event_keys USING brin ("timestamp");
COMMENT ON TABLE agingos.event_keys IS 'Dedupe probe of ingest: hash of (home_id, event_id) and the instant of every stored event (docs/scale.md).';

-- deviations: persisted lifecycle rows (rules.md section 5).  fillfactor leaves
-- room for HOT updates: a tick rewrites last_seen_at of every active row.
-- deviation_id comes from one identity sequence, so it is unique as a value;
-- the key is (home_id, deviation_id) so that the table can be distributed
-- by home (docs/scale.md "Every unique key carries home_id").
CREATE TABLE agingos.deviations (
	deviation_id bigint GENERATED ALWAYS AS IDENTITY,
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
	closed_at	timestamptz,
	CONSTRAINT deviations_pkey PRIMARY KEY (home_id, deviation_id)
) WITH (fillfactor = 70);
CREATE UNIQUE INDEX deviations_active_key ON agingos.deviations (home_id, rule_id, subject_key)
	WHERE status IN ('OPEN', 'ACK');
CREATE INDEX deviations_home_status_idx ON agingos.deviations (home_id, status);
-- The one lookup by id alone: an operator's agingos_ack/agingos_close(deviation_id)
-- without a home (psql).  Not unique: the key is deviations_pkey.
CREATE INDEX deviations_deviation_id_idx ON agingos.deviations (deviation_id);
COMMENT ON TABLE agingos.deviations IS 'Persisted deviations with lifecycle OPEN -> ACK -> CLOSED (rules.md section 5).';

-- deviations_v1: computed deviations kept on request (agingos_persist).
-- deviation_id is a random UUID (unique as a value); the key carries home_id.
CREATE TABLE agingos.deviations_v1 (
	deviation_id uuid NOT NULL,
	home_id		text NOT NULL,
	rule_id		text NOT NULL,
	"timestamp" timestamptz NOT NULL,
	severity	text NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH')),
	title		text NOT NULL,
	explanation text NOT NULL,
	evidence	jsonb NOT NULL DEFAULT '{}'::jsonb,
	window_since timestamptz NOT NULL,
	window_until timestamptz NOT NULL,
	CONSTRAINT deviations_v1_window_key UNIQUE (home_id, rule_id, window_since, window_until),
	CONSTRAINT deviations_v1_pkey PRIMARY KEY (home_id, deviation_id)
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
-- key_prefix keeps at most 8 characters in clear, to recognise a key in a
-- list; revoked_at set means the key gets 401 (agingos_revoke_api_key).
-- Roles (contract.md section 12): ingest, read, carer, admin.
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

-- api_key_homes: the homes a key covers (one for ingest keys, one or more otherwise).
CREATE TABLE agingos.api_key_homes (
	home_id		text NOT NULL REFERENCES agingos.homes (home_id),
	key_id		bigint NOT NULL REFERENCES agingos.api_keys (key_id) ON DELETE CASCADE,
	PRIMARY KEY (home_id, key_id)
);
CREATE INDEX api_key_homes_key_idx ON agingos.api_key_homes (key_id);
COMMENT ON TABLE agingos.api_key_homes IS 'The homes each API key covers (contract section 12).';

SELECT pg_catalog.pg_extension_config_dump('agingos.homes', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.events_default', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.event_keys', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.deviations', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.deviations_v1', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.config', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.settings', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.api_keys', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.api_key_homes', '');
