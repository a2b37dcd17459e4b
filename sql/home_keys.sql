-- home_keys: every unique key of a table holding a home's data carries
-- home_id, and every lookup of a home's row by an identity also names the
-- home (issue 14 item 2; docs/scale.md "Every unique key carries home_id",
-- docs/spec/contract.md section 14).  From the catalog: the unique keys of
-- every home table (agingos_home_tables(): a home_id column), the tables
-- without a home, the foreign keys between home tables.  Behaviour: PATCH
-- /deviations/{id}, agingos_ack/agingos_close, ACK links and relay messages
-- find the row of the right home, and another home's deviation is still
-- 404 (403 for a role that may not acknowledge), as before.
SET search_path = agingos, public;
SET client_min_messages = warning;

-- case: the unique keys (primary keys, unique constraints and unique
-- indexes, partial ones too) of every home table, key columns in order
SELECT c.relname AS home_table, ic.relname AS unique_index,
	   (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
		  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum WHERE k.n <= i.indnkeyatts) AS key_columns,
	   i.indisprimary AS is_primary
  FROM agingos.agingos_home_tables() t
  JOIN pg_class c ON c.oid = t
  JOIN pg_index i ON i.indrelid = c.oid AND i.indisunique
  JOIN pg_class ic ON ic.oid = i.indexrelid
 ORDER BY 1, 2;

-- case: violations — a unique key of a home table without home_id among
-- its key columns.  Expected: none (agingos.events included: its primary
-- key is (home_id, "timestamp", id)).  Not checked here: agingos.audit_log (home_id is
-- NULL for a deleted home's record and for actions over several homes: it
-- stays on the coordinator, docs/scale.md).
SELECT c.relname AS home_table, ic.relname AS unique_index, pg_get_indexdef(i.indexrelid) AS definition
  FROM agingos.agingos_home_tables() t
  JOIN pg_class c ON c.oid = t
  JOIN pg_attribute h ON h.attrelid = c.oid AND h.attname = 'home_id'
  JOIN pg_index i ON i.indrelid = c.oid AND i.indisunique
  JOIN pg_class ic ON ic.oid = i.indexrelid
 WHERE t <> 'agingos.audit_log'::regclass
   AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
					WHERE k.n <= i.indnkeyatts AND k.attnum = h.attnum)
 ORDER BY 1, 2;

-- case: home_id is NOT NULL in every home table but audit_log
SELECT c.relname AS home_table_with_nullable_home_id
  FROM agingos.agingos_home_tables() t
  JOIN pg_class c ON c.oid = t
  JOIN pg_attribute h ON h.attrelid = c.oid AND h.attname = 'home_id'
 WHERE NOT h.attnotnull
 ORDER BY 1;

-- case: the tables without a home (reference or coordinator tables in
-- docs/scale.md) and their primary keys; a new table shows up here
SELECT c.relname AS table_without_home, pg_get_constraintdef(k.oid) AS primary_key
  FROM pg_class c
  LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p'
 WHERE c.relnamespace = 'agingos'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND c.oid NOT IN (SELECT t FROM agingos.agingos_home_tables() t)
 ORDER BY 1;

-- case: every foreign key from a home table to a home table pairs home_id
-- with home_id.  Expected: none.
SELECT f.conname AS foreign_key_without_home, pg_get_constraintdef(f.oid) AS definition
  FROM pg_constraint f
  JOIN pg_attribute h ON h.attrelid = f.conrelid AND h.attname = 'home_id'
  JOIN pg_attribute rh ON rh.attrelid = f.confrelid AND rh.attname = 'home_id'
 WHERE f.contype = 'f'
   AND f.conrelid IN (SELECT t FROM agingos.agingos_home_tables() t)
   AND f.confrelid IN (SELECT t FROM agingos.agingos_home_tables() t)
   AND NOT EXISTS (SELECT 1 FROM unnest(f.conkey, f.confkey) p(k, rk) WHERE p.k = h.attnum AND p.rk = rh.attnum)
 ORDER BY 1;

-- case: the identity columns stay unique as values (one sequence each);
-- the only lookups by id alone have a plain index
SELECT a.attrelid::regclass AS home_table, a.attname AS identity_column
  FROM pg_attribute a
 WHERE a.attidentity <> '' AND a.attrelid IN (SELECT t FROM agingos.agingos_home_tables() t)
 ORDER BY 1;
SELECT indexrelid::regclass AS id_index, indisunique AS is_unique, pg_get_indexdef(indexrelid) AS definition
  FROM pg_index
 WHERE indexrelid IN ('agingos.deviations_deviation_id_idx'::regclass, 'agingos.contacts_contact_id_idx'::regclass)
 ORDER BY 1;

-- The behaviour cases change rows and the identity sequences: they run in
-- one transaction that is rolled back, and the sequences are put back, so
-- the files after this one see what they saw before.
CREATE TEMP TABLE seq_before AS
SELECT s.seqrelid::regclass AS seq, p.last_value, p.last_value IS NOT NULL AS called
  FROM pg_sequence s
  JOIN pg_sequences p ON format('%I.%I', p.schemaname, p.sequencename)::regclass = s.seqrelid
 WHERE p.schemaname = 'agingos';
BEGIN;
\set ON_ERROR_ROLLBACK on
SET LOCAL timezone = 'UTC';
INSERT INTO homes (home_id) VALUES ('keys-a'), ('keys-b');
INSERT INTO deviations (home_id, rule_id, subject_key, status, severity, title, explanation, window_since, window_until,
						"timestamp", started_at, last_seen_at)
SELECT h, 'R-001', 'default', 'OPEN', 'HIGH', 'title of ' || h, 'e', '2025-12-23T10:00:00Z', '2025-12-23T12:00:00Z',
	   '2025-12-23T12:00:00Z', '2025-12-23T12:00:00Z', '2025-12-23T12:00:00Z'
  FROM unnest(ARRAY['keys-a', 'keys-b']) h;
SELECT deviation_id AS dev_a FROM deviations WHERE home_id = 'keys-a' \gset
SELECT deviation_id AS dev_b FROM deviations WHERE home_id = 'keys-b' \gset
SELECT agingos_add_contact('keys-a', 'Kari', 'webhook', 'http://127.0.0.1:9/a') AS kari_a \gset
SELECT agingos_add_contact('keys-b', 'Per', 'webhook', 'http://127.0.0.1:9/b') AS per_b \gset
UPDATE settings SET value = 'api_key' WHERE name = 'auth_mode';
SELECT agingos_create_api_key('keys-a', 'carer') AS carer_a \gset
SELECT agingos_create_api_key('keys-a', 'read') AS read_a \gset

-- case: PATCH of another home's deviation is 404 for a carer of home a
-- (never saying whether the id exists), 403 for a read key, as before; its
-- own is 200; the other home's row is unchanged
SELECT status, body::jsonb ->> 'message' = format('deviation %s not found', :dev_b) AS not_found, body::jsonb - 'message' AS error
  FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev_b), '{"status": "ACK"}', :'carer_a');
SELECT status, body::jsonb ->> 'code' AS code
  FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev_b), '{"status": "CLOSED"}', :'carer_a');
SELECT status, body::jsonb ->> 'code' AS code
  FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev_b), '{"status": "ACK"}', :'read_a');
SELECT status, body::jsonb ->> 'code' AS code
  FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev_a), '{"status": "ACK"}', :'read_a');
SELECT status, body::jsonb ->> 'status' AS dev_status, body::jsonb ->> 'home_id' AS home_id
  FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev_a), '{"status": "ACK"}', :'carer_a');
SELECT home_id, status FROM deviations WHERE home_id IN ('keys-a', 'keys-b') ORDER BY home_id;

-- case: in SQL, a home that does not hold the id is P0002 (texts: access_control);
-- without a home the operator's form finds the row by its id alone
\set VERBOSITY sqlstate
SELECT agingos_ack(:dev_b, 'keys-a');
SELECT agingos_close(:dev_b, 'keys-a');
\set VERBOSITY default
SELECT home_id, status FROM agingos_ack(:dev_b);

-- case: ACK links: a token naming home a's contact and home b's deviation
-- is 404 (GET and POST) and changes nothing; a contact's own is 200
UPDATE deviations SET status = 'OPEN', acked_at = NULL WHERE home_id IN ('keys-a', 'keys-b');
SELECT status FROM ack_route('GET', agingos_ack_token(:dev_b, :kari_a, '2025-12-24T12:00:00Z'), NULL, '2025-12-23T12:30:00Z');
SELECT status FROM ack_route('POST', agingos_ack_token(:dev_b, :kari_a, '2025-12-24T12:00:00Z'), '', '2025-12-23T12:30:00Z');
SELECT status, body ~ 'title of keys-a' AS own_title
  FROM ack_route('GET', agingos_ack_token(:dev_a, :kari_a, '2025-12-24T12:00:00Z'), NULL, '2025-12-23T12:30:00Z');
SELECT home_id, status FROM deviations WHERE home_id IN ('keys-a', 'keys-b') ORDER BY home_id;

-- case: one deviation_id in two homes (which the identity sequence never
-- makes): every path that names the home reaches that home's row only
INSERT INTO deviations (deviation_id, home_id, rule_id, subject_key, status, severity, title, explanation,
						window_since, window_until, "timestamp", started_at, last_seen_at)
OVERRIDING SYSTEM VALUE
SELECT :dev_a, 'keys-b', 'R-002', 'default', 'OPEN', 'LOW', 'twin in keys-b', 'e', '2025-12-23T10:00:00Z',
	   '2025-12-23T12:00:00Z', '2025-12-23T12:00:00Z', '2025-12-23T12:00:00Z', '2025-12-23T12:00:00Z';
SELECT home_id, rule_id, title FROM deviations WHERE deviation_id = :dev_a ORDER BY home_id;
-- PATCH with home a's key acknowledges home a's row
SELECT status, body::jsonb ->> 'home_id' AS home_id, body::jsonb ->> 'title' AS title, body::jsonb ->> 'status' AS dev_status
  FROM http_deviation_patch(format('{"deviation_id": "%s"}', :dev_a), '{"status": "ACK", "note": "seen"}', :'carer_a');
-- agingos_close with home b closes home b's row
SELECT home_id, title, status FROM agingos_close(:dev_a, 'keys-b', NULL, 'twin closed', '2025-12-23T12:40:00Z');
SELECT home_id, rule_id, status FROM deviations WHERE deviation_id = :dev_a ORDER BY home_id;
-- the history of each row is its home's
SELECT home_id, reason, note FROM deviation_history WHERE deviation_id = :dev_a ORDER BY home_id, history_id;
-- an ACK link of home b's contact reaches home b's row (closed: 410), home a's contact home a's row
SELECT status FROM ack_route('GET', agingos_ack_token(:dev_a, :per_b, '2025-12-24T12:00:00Z'), NULL, '2025-12-23T12:45:00Z');
SELECT status, body ~ 'title of keys-a' AS home_a_title
  FROM ack_route('GET', agingos_ack_token(:dev_a, :kari_a, '2025-12-24T12:00:00Z'), NULL, '2025-12-23T12:45:00Z');
-- a relay message of home b is about home b's row
UPDATE deviations SET status = 'OPEN', closed_at = NULL WHERE home_id = 'keys-b' AND deviation_id = :dev_a;
SELECT agingos_notify_due('keys-b', '2025-12-23T12:50:00Z', :dev_a) AS written;
SELECT n.home_id, n.kind, regexp_replace(m ->> 'title', '^[^:]*: ', '') AS title_after_the_kind
  FROM notifications n, agingos_notification_message('http://h', n.home_id, n.notification_id) m
 WHERE n.home_id = 'keys-b' AND n.deviation_id = :dev_a;
ROLLBACK;
\set ON_ERROR_ROLLBACK off
SELECT bool_and(setval(b.seq, coalesce(b.last_value, s.seqstart), b.called) IS NOT NULL) AS sequences_put_back
  FROM seq_before b JOIN pg_sequence s ON s.seqrelid = b.seq;
SELECT count(*) AS sequences_moved
  FROM seq_before b
  JOIN pg_sequences p ON format('%I.%I', p.schemaname, p.sequencename)::regclass = b.seq
 WHERE p.last_value IS DISTINCT FROM b.last_value;
SELECT count(*) AS rows_left FROM homes WHERE home_id LIKE 'keys-%';
SELECT value AS auth_mode FROM settings WHERE name = 'auth_mode';
