
-- agingos install script, part 62: the day partitions of agingos.events
-- (docs/scale.md "Partitions and retention"), made and filled by pg_partman
-- 4.x (extension in schema partman), dropped by agingos_retention.

-- agingos_partition_maintenance() → jsonb {registered, moved, partitions, skipped}
-- What the hourly pg_cron job agingos-partitions runs (agingos_schedule):
-- 1. the first call registers agingos.events with pg_partman (daily
--    partitions of UTC days, 4 made ahead and 4 back; no retention of its
--    own: agingos_retention drops the days).  pg_partman's create_parent
--    makes a DEFAULT partition of its own, so the extension's events_default
--    (and its rows) is set aside meanwhile and attached again: it stays the
--    extension member whose rows pg_dump keeps.  registered: true then.
--    Meanwhile events is locked (ACCESS EXCLUSIVE): ingest waits.
-- 2. moves the rows of events_default that are within retention
--    (retention.events_days before now) into day partitions, newest day
--    first, creating each day (pg_partman partition_data_time: one
--    transaction, nothing lost or doubled; ids kept).  Older rows stay in
--    events_default until agingos_retention deletes them.  moved: rows moved.
--    While rows move, events_default is locked (ACCESS EXCLUSIVE): ingest
--    waits for the commit.
-- 3. pg_partman run_maintenance: the days ahead of now.
-- partitions: the day partitions after the call.  A concurrent call returns
-- {skipped: true} at once (transaction advisory lock).  Partitions are made
-- by UTC day whatever the session's TimeZone (SET below).  Errors are
-- pg_partman's (the job's run shows them in cron.job_run_details).  No
-- SET search_path here, unlike the other functions (every name below is
-- qualified): pg_partman's create_partition_time sets search_path with
-- set_config(…, false) and puts back the value it found, which would then
-- outlive the call in the caller's session.
CREATE OR REPLACE FUNCTION agingos.agingos_partition_maintenance()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET "TimeZone" = 'UTC'
SET client_min_messages = warning -- pg_partman's NOTICEs (one per day moved) are no news
AS $$
DECLARE
	cfg jsonb := agingos.agingos_config();
	cutoff CONSTANT timestamptz := pg_catalog.now() - pg_catalog.make_interval(days => (cfg OPERATOR(pg_catalog.->) 'retention' OPERATOR(pg_catalog.->>) 'events_days')::int);
	registered boolean := false;
	moved bigint := 0;
	n bigint;
	newest timestamptz;
BEGIN
	IF NOT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('agingos.partitions')) THEN
		RETURN pg_catalog.jsonb_build_object('skipped', true);
	END IF;
	IF NOT EXISTS (SELECT 1 FROM partman.part_config c WHERE c.parent_table = 'agingos.events') THEN
		-- the whole table (parent first, as ingest locks it): an event stored
		-- meanwhile by another session would stay in the set-aside
		-- events_default and fail its ATTACH as DEFAULT (e2e 62_partition_race)
		LOCK TABLE agingos.events IN ACCESS EXCLUSIVE MODE;
		CREATE TEMP TABLE agingos_events_parked (LIKE agingos.events) ON COMMIT DROP;
		WITH d AS (DELETE FROM ONLY agingos.events_default RETURNING *)
		INSERT INTO agingos_events_parked SELECT * FROM d;
		ALTER TABLE agingos.events DETACH PARTITION agingos.events_default;
		ALTER TABLE agingos.events_default RENAME TO events_default_parked;
		PERFORM partman.create_parent(p_parent_table => 'agingos.events', p_control => 'timestamp',
			p_type => 'native', p_interval => 'daily', p_premake => 4, p_jobmon => false);
		DROP TABLE agingos.events_default; -- pg_partman's, empty
		ALTER TABLE agingos.events_default_parked RENAME TO events_default;
		ALTER TABLE agingos.events ATTACH PARTITION agingos.events_default DEFAULT;
		UPDATE partman.part_config c SET infinite_time_partitions = true, retention = NULL
		 WHERE c.parent_table = 'agingos.events';
		-- their keys stayed in agingos.event_keys (the DELETE above named the
		-- partition, which fires no trigger of events): not again
		ALTER TABLE agingos.events DISABLE TRIGGER events_keys;
		INSERT INTO agingos.events OVERRIDING SYSTEM VALUE SELECT * FROM agingos_events_parked;
		ALTER TABLE agingos.events ENABLE TRIGGER events_keys;
		DROP TABLE agingos_events_parked;
		registered := true;
	END IF;
	LOOP
		SELECT pg_catalog.max(d."timestamp") INTO newest FROM ONLY agingos.events_default d;
		EXIT WHEN newest IS NULL OR newest < cutoff;
		-- before partition_data_time takes the day's rows out of events_default:
		-- a late event of that day stored meanwhile by another session would land
		-- there and fail the ATTACH of the new day (the whole run rolled back).
		-- The ATTACH takes this lock anyway; taken here it waits for the sessions
		-- storing into events_default and holds the new ones until the commit
		-- (e2e 62_partition_race).
		LOCK TABLE agingos.events_default IN ACCESS EXCLUSIVE MODE;
		n := partman.partition_data_time('agingos.events', p_batch_count => 1, p_order => 'DESC', p_analyze => false);
		moved := moved + n;
		EXIT WHEN n <= 0;
	END LOOP;
	PERFORM partman.run_maintenance(p_parent_table => 'agingos.events', p_analyze => false, p_jobmon => false);
	RETURN pg_catalog.jsonb_build_object('registered', registered, 'moved', moved,
		'partitions', (SELECT pg_catalog.count(*) FROM agingos.agingos_event_partitions()));
END
$$;
COMMENT ON FUNCTION agingos.agingos_partition_maintenance() IS
'Hourly (pg_cron agingos-partitions): register agingos.events with pg_partman once, move DEFAULT-partition rows within retention into UTC-day partitions, make the days ahead.';

-- agingos_event_partitions() → TABLE (partition regclass, starts timestamptz, ends timestamptz)
-- The day partitions of agingos.events (not events_default), oldest first,
-- with their bounds [starts, ends) as pg_partman made them (UTC days).
-- TimeZone is UTC inside: pg_partman's show_partition_info reads starts
-- from the partition bound but computes ends as starts + '1 day' in the
-- session's zone, which on a daylight-saving day of that zone is 23 or 25
-- hours (and agingos_events_expire would then drop a day whose last hour
-- is still within retention).
CREATE OR REPLACE FUNCTION agingos.agingos_event_partitions()
RETURNS TABLE (partition regclass, starts timestamptz, ends timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, agingos
SET "TimeZone" = 'UTC'
AS $$
	SELECT c.oid::regclass, i.child_start_time, i.child_end_time
	  FROM pg_inherits h
	  JOIN pg_class c ON c.oid = h.inhrelid
	  CROSS JOIN LATERAL partman.show_partition_info(format('%I.%I', 'agingos', c.relname), p_parent_table => 'agingos.events') i
	 WHERE h.inhparent = 'agingos.events'::regclass AND c.relnamespace = 'agingos'::regnamespace
	   AND c.relname ~ '^events_p[0-9]{4}_[0-9]{2}_[0-9]{2}$'
	 ORDER BY i.child_start_time;
$$;
COMMENT ON FUNCTION agingos.agingos_event_partitions() IS
'Internal: the UTC-day partitions of agingos.events with their [starts, ends) bounds, oldest first.';

-- agingos_events_expire(cutoff timestamptz) → bigint
-- Remove every event with "timestamp" < cutoff: each day partition that
-- ends at or before cutoff is dropped whole (its rows counted first), then
-- the rows left before cutoff (the partition holding cutoff and
-- events_default) are DELETEd, and the agingos.event_keys rows before
-- cutoff with them.  Returns the events removed.  Used by
-- agingos_retention (docs/scale.md "Partitions and retention").
CREATE OR REPLACE FUNCTION agingos.agingos_events_expire(cutoff timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	p record;
	n bigint;
	total bigint := 0;
BEGIN
	FOR p IN SELECT e.partition FROM agingos.agingos_event_partitions() e WHERE e.ends <= cutoff LOOP
		EXECUTE format('SELECT count(*) FROM %s', p.partition) INTO n;
		EXECUTE format('DROP TABLE %s', p.partition);
		total := total + n;
	END LOOP;
	DELETE FROM agingos.events e WHERE e."timestamp" < cutoff;
	GET DIAGNOSTICS n = ROW_COUNT;
	-- the dedupe probe's rows of all of them (a BRIN range scan)
	DELETE FROM agingos.event_keys k WHERE k."timestamp" < cutoff;
	RETURN total + n;
END
$$;
COMMENT ON FUNCTION agingos.agingos_events_expire(timestamptz) IS
'Internal: remove events before cutoff — whole day partitions dropped, the rest deleted; returns the rows removed.';
