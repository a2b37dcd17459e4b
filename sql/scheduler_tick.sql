-- scheduler_tick: the deviation lifecycle of rules.md section 5 with an
-- injected clock: OPEN -> ACK -> stale CLOSED -> new episode; idempotent
-- ticks; failure isolation; retention; ack/close errors; scheduling.
SET search_path = agingos, public;
\set VERBOSITY default
-- deviation ids below are deterministic
TRUNCATE deviation_history, deviations RESTART IDENTITY;

-- R-002 (front door at night, no allowlist) and R-008 (door burst, threshold 2)
-- in the scheduler; everything else off.  Expiry 30 minutes.
SELECT agingos_load_config($$
scheduler: {interval_minutes: 5}
defaults: {lookback_minutes: 60, expire_after_minutes: 30}
rules:
  R-002: {enabled_in_scheduler: true, params: {allowed_entity_ids: []}}
  R-008: {enabled_in_scheduler: true, params: {burst_threshold: 2}}
$$) IS NOT NULL AS loaded;

CREATE FUNCTION pg_temp.door(id text, ts text, room text DEFAULT 'gang') RETURNS text LANGUAGE sql AS $$
	SELECT agingos.agingos_ingest(format('{"id": "%s", "timestamp": "%s", "category": "door", "payload": {"state": "open", "room": "%s"}}', id, ts, room), 'home-s') ->> 'event_id';
$$;
CREATE FUNCTION pg_temp.rows() RETURNS TABLE (deviation_id bigint, rule_id text, status text, severity text, started_at text, last_seen_at text, closed_at text)
LANGUAGE sql AS $$
	SELECT d.deviation_id, d.rule_id, d.status, d.severity, agingos.agingos_iso(d.started_at), agingos.agingos_iso(d.last_seen_at),
		   CASE WHEN d.closed_at IS NULL THEN NULL ELSE agingos.agingos_iso(d.closed_at) END
	  FROM agingos.deviations d WHERE d.home_id = 'home-s' ORDER BY d.deviation_id;
$$;
CREATE FUNCTION pg_temp.history() RETURNS TABLE (deviation_id bigint, at text, from_status text, to_status text, severity text, reason text)
LANGUAGE sql AS $$
	-- ack and manual close happen at the real clock: not printed
	SELECT h.deviation_id, CASE WHEN h.reason IN ('ack', 'manual') THEN '(now)' ELSE agingos.agingos_iso(h.at) END,
		   h.from_status, h.to_status, h.severity, h.reason
	  FROM agingos.deviation_history h WHERE h.home_id = 'home-s' ORDER BY h.history_id;
$$;

-- case: a front door opened at 00:10 local (23:10Z): the 23:15Z tick opens R-002 HIGH
SELECT pg_temp.door('s-1', '2025-12-23T23:10:00Z');
SELECT agingos_scheduler_tick('2025-12-23T23:15:00Z') - 'run_id' - 'duration_ms' AS summary;
SELECT * FROM pg_temp.rows();
SELECT * FROM pg_temp.history();

-- case: repeated ticks on an unchanged situation add no rows to deviations or history
SELECT count(*) AS deviations, (SELECT count(*) FROM deviation_history) AS history FROM deviations \gset before_
SELECT agingos_scheduler_tick('2025-12-23T23:20:00Z') - 'run_id' - 'duration_ms' AS summary;
SELECT agingos_scheduler_tick('2025-12-23T23:25:00Z') ->> 'deviations_opened' AS opened;
SELECT count(*) - :before_deviations AS new_deviation_rows,
	   (SELECT count(*) FROM deviation_history) - :before_history AS new_history_rows FROM deviations;
SELECT * FROM pg_temp.rows();

-- case: ACK keeps the row active; a second ACK returns it unchanged
SELECT status, acked_at IS NOT NULL AS acked FROM agingos_ack((SELECT min(deviation_id) FROM deviations WHERE home_id = 'home-s'), 'home-s');
SELECT status FROM agingos_ack((SELECT min(deviation_id) FROM deviations WHERE home_id = 'home-s'), 'home-s');
-- an ACK row is still updated by ticks and stays ACK
SELECT agingos_scheduler_tick('2025-12-23T23:30:00Z') ->> 'deviations_upserted' AS upserted;
SELECT * FROM pg_temp.rows();

-- case: the door leaves the 60-minute lookback after 00:10Z; the 00:00Z tick
-- still sees it (last_seen_at 00:00).  Expiry is 30 minutes and strict
-- (last_seen_at < now - 30 min): at 00:30Z the row stays, at 00:31Z it closes.
SELECT agingos_scheduler_tick('2025-12-24T00:00:00Z') ->> 'deviations_upserted' AS upserted;
SELECT agingos_scheduler_tick('2025-12-24T00:30:00Z') - 'run_id' - 'duration_ms' AS summary;
SELECT agingos_scheduler_tick('2025-12-24T00:31:00Z') - 'run_id' - 'duration_ms' AS summary;
SELECT * FROM pg_temp.rows();

-- case: the rule fires again: a new episode (new row, history says reopen)
SELECT pg_temp.door('s-2', '2025-12-24T00:40:00Z');
SELECT agingos_scheduler_tick('2025-12-24T00:45:00Z') ->> 'deviations_opened' AS opened;
SELECT * FROM pg_temp.rows();
SELECT * FROM pg_temp.history();

-- case: ACK of a CLOSED row is an error; unknown id and another home's id are
-- not found; an admin closes by hand; closing a CLOSED row changes nothing
SELECT agingos_ack((SELECT min(deviation_id) FROM deviations WHERE home_id = 'home-s'), 'home-s');
SELECT agingos_ack(999999, 'home-s');
SELECT agingos_ack((SELECT max(deviation_id) FROM deviations WHERE home_id = 'home-s'), 'other-home');
SELECT status, closed_at IS NOT NULL AS closed FROM agingos_close((SELECT max(deviation_id) FROM deviations WHERE home_id = 'home-s'), 'home-s');
SELECT status FROM agingos_close((SELECT max(deviation_id) FROM deviations WHERE home_id = 'home-s'), 'home-s');
SELECT * FROM pg_temp.history() WHERE deviation_id = (SELECT max(deviation_id) FROM deviations WHERE home_id = 'home-s');

-- case: never two active rows for one key (the partial unique index)
SELECT pg_temp.door('s-3', '2025-12-24T00:50:00Z');
SELECT agingos_scheduler_tick('2025-12-24T00:55:00Z') ->> 'deviations_opened' AS opened;
INSERT INTO deviations (home_id, rule_id, subject_key, status, severity, title, explanation, window_since, window_until, "timestamp", started_at, last_seen_at)
SELECT home_id, rule_id, subject_key, 'OPEN', severity, title, explanation, window_since, window_until, "timestamp", started_at, last_seen_at
  FROM deviations WHERE home_id = 'home-s' AND status = 'OPEN';

-- case: a failing rule: R-002 raises in this tick.  R-008 still opens its row
-- (two entrance doors in 30 min, at night: HIGH); R-002's active row is
-- neither updated nor closed, though last seen 00:55 is past expiry (D18)
SELECT pg_temp.door('s-4', '2025-12-24T01:20:00Z', 'inngang');
SELECT pg_temp.door('s-5', '2025-12-24T01:25:00Z', 'inngang');
SET agingos.fault_injection_rule = 'R-002';
SELECT agingos_scheduler_tick('2025-12-24T01:30:00Z') - 'run_id' - 'duration_ms' AS summary;
RESET agingos.fault_injection_rule;
SELECT rule_id, status, severity, last_seen_at FROM pg_temp.rows() WHERE status <> 'CLOSED' ORDER BY rule_id;
SELECT rules_failed, status FROM scheduler_runs ORDER BY run_id DESC LIMIT 1;
-- the next tick without the fault updates it again
SELECT agingos_scheduler_tick('2025-12-24T01:35:00Z') - 'run_id' - 'duration_ms' AS summary;
SELECT rule_id, status, last_seen_at FROM pg_temp.rows() WHERE status <> 'CLOSED' ORDER BY rule_id;

-- case: retention keeps OPEN and ACK rows; deletes CLOSED rows closed more than
-- 180 days and events stamped more than 30 days before its now (deviation 2 was
-- closed by hand at the real clock, after this now, so it stays too)
SELECT status FROM agingos_ack((SELECT deviation_id FROM deviations WHERE home_id = 'home-s' AND rule_id = 'R-008'), 'home-s');
SELECT agingos_retention('2026-07-01T00:00:00Z') - 'bookkeeping_deleted' AS deleted;
SELECT deviation_id, rule_id, status FROM pg_temp.rows() ORDER BY deviation_id;
SELECT count(*) AS events_left FROM events WHERE home_id = 'home-s';
-- the audit outlives them (retention.audit_days, docs/security.md): who opened,
-- acknowledged and closed the deleted deviation is still on record
SELECT count(*) AS history_of_deleted_rows FROM deviation_history h
 WHERE NOT EXISTS (SELECT 1 FROM deviations d WHERE d.deviation_id = h.deviation_id);

-- case: the tick prunes scheduler_runs older than retention.bookkeeping_days (7)
-- before its now
SELECT agingos_scheduler_tick('2026-07-01T00:05:00Z') ->> 'status' AS status;
SELECT count(*) AS runs_left, min(agingos_iso(now)) AS oldest FROM scheduler_runs;

-- case: cron expressions for every allowed interval; pg_cron job management
SELECT i, agingos_cron_expression(i) FROM unnest('{1,2,5,10,15,30,60,120,180,360,720,1440}'::int[]) i ORDER BY i;
SELECT agingos_cron_expression(7);
SELECT agingos_schedule() > 0 AS scheduled;
SELECT jobname, schedule, command FROM cron.job ORDER BY jobname;
SELECT agingos_unschedule(), agingos_unschedule();
SELECT count(*) AS jobs_left FROM cron.job;

-- case: null now
SELECT agingos_scheduler_tick(NULL);

-- cleanup
DELETE FROM deviations; DELETE FROM deviations_v1; DELETE FROM events; DELETE FROM scheduler_runs; DELETE FROM homes;
DELETE FROM config;
-- now must be a finite instant: infinity and -infinity are 22023, nothing runs
\set VERBOSITY default
SELECT agingos_scheduler_tick('infinity');
SELECT agingos_scheduler_tick_bucket(0, 2, '-infinity');
