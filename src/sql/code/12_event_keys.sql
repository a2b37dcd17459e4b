
-- agingos install script, part 12: agingos.event_keys, the table the dedupe
-- probe of ingest reads (docs/scale.md "Dedupe and 409 across partitions";
-- the table itself: src/sql/schema/00_schema.sql).

-- agingos_event_keys_add() → trigger
-- AFTER INSERT ... FOR EACH STATEMENT on agingos.events (trigger
-- events_keys, below), with the statement's rows as transition table
-- new_events: one event_keys row per row (key_hash =
-- hashtextextended(home_id || U+001F || event_id, 0), "timestamp").  So
-- every way into events — agingos_ingest, agingos_ingest_batch, COPY, an
-- INSERT in psql — keeps the probe right.  Rows moved by pg_partman
-- straight into a day partition (agingos_partition_maintenance) keep their
-- "timestamp" and so their key; they do not pass here.  Raises nothing of
-- its own.
CREATE OR REPLACE FUNCTION agingos.agingos_event_keys_add()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	INSERT INTO agingos.event_keys (key_hash, "timestamp")
	SELECT pg_catalog.hashtextextended(n.home_id OPERATOR(pg_catalog.||) pg_catalog.chr(31) OPERATOR(pg_catalog.||) n.event_id, 0), n."timestamp"
	  FROM new_events n;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION agingos.agingos_event_keys_add() IS
'Internal: statement trigger of agingos.events adding the inserted rows'' keys to agingos.event_keys (docs/scale.md).';

CREATE OR REPLACE TRIGGER events_keys
	AFTER INSERT ON agingos.events
	REFERENCING NEW TABLE AS new_events
	FOR EACH STATEMENT EXECUTE FUNCTION agingos.agingos_event_keys_add();

-- agingos_event_keys_remove() → trigger
-- AFTER DELETE ... FOR EACH STATEMENT on agingos.events (trigger
-- events_keys_delete), with the deleted rows as old_events: their
-- event_keys rows go too (by hash and instant), so the table stays one row
-- per event (agingos_delete_home, a DELETE in psql, retention's DELETE of
-- the day holding its cutoff).  AFTER TRUNCATE of events (trigger
-- events_keys_truncate) empties event_keys.  A day partition dropped whole
-- passes neither: agingos_events_expire deletes its keys by instant.
CREATE OR REPLACE FUNCTION agingos.agingos_event_keys_remove()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		TRUNCATE agingos.event_keys;
	ELSE
		DELETE FROM agingos.event_keys k USING old_events o
		 WHERE k.key_hash = pg_catalog.hashtextextended(o.home_id OPERATOR(pg_catalog.||) pg_catalog.chr(31) OPERATOR(pg_catalog.||) o.event_id, 0)
		   AND k."timestamp" OPERATOR(pg_catalog.=) o."timestamp";
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION agingos.agingos_event_keys_remove() IS
'Internal: statement triggers of agingos.events removing the deleted rows'' keys from agingos.event_keys (docs/scale.md).';

CREATE OR REPLACE TRIGGER events_keys_delete
	AFTER DELETE ON agingos.events
	REFERENCING OLD TABLE AS old_events
	FOR EACH STATEMENT EXECUTE FUNCTION agingos.agingos_event_keys_remove();

CREATE OR REPLACE TRIGGER events_keys_truncate
	AFTER TRUNCATE ON agingos.events
	FOR EACH STATEMENT EXECUTE FUNCTION agingos.agingos_event_keys_remove();

-- agingos_event_keys_update() → trigger
-- AFTER UPDATE ... FOR EACH STATEMENT on
-- agingos.events (trigger events_keys_update), with the rows before as
-- old_events and after as new_events: the old rows' keys go and the new
-- rows' keys come, so a hand correction of an event's instant or id (in
-- psql, as the table's owner) keeps the dedupe probe right — also when the
-- new instant moves the row into another day partition (the root's
-- transition tables see the moved rows).  Only keys that differ move: a
-- payload fix leaves event_keys as it is.  (PostgreSQL allows no column
-- list on a trigger with transition tables, so it fires for every UPDATE.)
-- Raises nothing of its own.
CREATE OR REPLACE FUNCTION agingos.agingos_event_keys_update()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	-- keys of the rows before and after; only those that differ move
	-- (EXCEPT ALL: one row per event on each side)
	WITH o AS (SELECT pg_catalog.hashtextextended(home_id OPERATOR(pg_catalog.||) pg_catalog.chr(31) OPERATOR(pg_catalog.||) event_id, 0) AS key_hash, "timestamp" FROM old_events),
		 n AS (SELECT pg_catalog.hashtextextended(home_id OPERATOR(pg_catalog.||) pg_catalog.chr(31) OPERATOR(pg_catalog.||) event_id, 0) AS key_hash, "timestamp" FROM new_events),
		 gone AS (SELECT key_hash, "timestamp" FROM o EXCEPT ALL SELECT key_hash, "timestamp" FROM n),
		 came AS (SELECT key_hash, "timestamp" FROM n EXCEPT ALL SELECT key_hash, "timestamp" FROM o),
		 del AS (DELETE FROM agingos.event_keys k USING gone g
				  WHERE k.key_hash OPERATOR(pg_catalog.=) g.key_hash AND k."timestamp" OPERATOR(pg_catalog.=) g."timestamp")
	INSERT INTO agingos.event_keys (key_hash, "timestamp") SELECT key_hash, "timestamp" FROM came;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION agingos.agingos_event_keys_update() IS
'Internal: statement trigger of agingos.events moving the updated rows'' keys in agingos.event_keys (docs/scale.md).';

CREATE OR REPLACE TRIGGER events_keys_update
	AFTER UPDATE ON agingos.events
	REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events
	FOR EACH STATEMENT EXECUTE FUNCTION agingos.agingos_event_keys_update();

-- agingos_event_keys_rebuild() → bigint
-- Make agingos.event_keys again from agingos.events (one row per event);
-- returns the rows written.  For rows that reached events without the
-- trigger (written straight into a partition, or with triggers disabled)
-- and after a restore that skipped the table.  Locks events against
-- writes (SHARE) for its duration; ingest waits, reads go on.  Owner only.
CREATE OR REPLACE FUNCTION agingos.agingos_event_keys_rebuild()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	n bigint;
BEGIN
	LOCK TABLE agingos.events IN SHARE MODE;
	TRUNCATE agingos.event_keys;
	INSERT INTO agingos.event_keys (key_hash, "timestamp")
	SELECT pg_catalog.hashtextextended(e.home_id OPERATOR(pg_catalog.||) pg_catalog.chr(31) OPERATOR(pg_catalog.||) e.event_id, 0), e."timestamp"
	  FROM agingos.events e
	 ORDER BY e."timestamp";
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION agingos.agingos_event_keys_rebuild() IS
'Rebuild agingos.event_keys (the dedupe probe''s table) from agingos.events; returns the rows written.';
