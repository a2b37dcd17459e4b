-- metrics: agingos_metrics() (the database series of GET /metrics,
-- docs/ops/monitoring.md), http_metrics auth, scheduler_totals, and the
-- homes_status / scheduler_status views.  Per-home series are asked for the
-- homes of this file only, scheduler counters as differences, so rows left
-- by earlier files do not matter.
SET search_path = agingos, public;
\set VERBOSITY default

-- case: label values are escaped as the text format 0.0.4 wants (\\, \", \n)
SELECT agingos_prom_label('plain') AS plain, agingos_prom_label('a"b\c') AS quote_backslash,
	   agingos_prom_label(E'line\nbreak') AS newline, agingos_prom_label(NULL) IS NULL AS null_stays_null;

-- three homes: two with events (one with an awkward id), one without
SELECT agingos_ingest('{"id": "mx-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', 'metrics-x') ->> 'deduped' AS deduped;
SELECT agingos_ingest('{"id": "mx-2", "timestamp": "2025-12-23T12:30:00.5Z", "category": "motion", "payload": {"secret": "do-not-show"}}', 'metrics-x') ->> 'deduped' AS deduped;
SELECT agingos_ingest('{"id": "my-1", "timestamp": "2025-12-22T08:00:00Z", "category": "door"}', E'metrics-"y"\\') ->> 'deduped' AS deduped;
INSERT INTO homes (home_id) VALUES ('metrics-z');
INSERT INTO deviations (home_id, rule_id, subject_key, status, severity, title, explanation, window_since, window_until,
						"timestamp", started_at, last_seen_at, closed_at)
VALUES ('metrics-x', 'R-002', 'default', 'OPEN', 'HIGH', 't', 'e', '2025-12-23T11:00Z', '2025-12-23T12:00Z', '2025-12-23T12:00Z', '2025-12-23T12:00Z', '2025-12-23T12:00Z', NULL),
	   ('metrics-x', 'R-008', 'default', 'ACK', 'MEDIUM', 't', 'e', '2025-12-23T11:00Z', '2025-12-23T12:00Z', '2025-12-23T12:00Z', '2025-12-23T12:00Z', '2025-12-23T12:00Z', NULL),
	   ('metrics-x', 'R-001', 'default', 'CLOSED', 'LOW', 't', 'e', '2025-12-23T11:00Z', '2025-12-23T12:00Z', '2025-12-23T12:00Z', '2025-12-23T12:00Z', '2025-12-23T12:00Z', '2025-12-23T12:10Z'),
	   (E'metrics-"y"\\', 'R-002', 'default', 'OPEN', 'HIGH', 't', 'e', '2025-12-23T11:00Z', '2025-12-23T12:00Z', '2025-12-23T12:00Z', '2025-12-23T12:00Z', '2025-12-23T12:00Z', NULL);

-- case: the per-home families for these homes (scheduler lines vary with earlier files: left out)
SELECT line FROM regexp_split_to_table(agingos_metrics(ARRAY['metrics-x', E'metrics-"y"\\', 'metrics-z']), E'\n') WITH ORDINALITY t(line, n)
 WHERE line !~ 'scheduler' ORDER BY n;

-- case: one home only; an unknown home gives no samples, and no error
SELECT line FROM regexp_split_to_table(agingos_metrics(ARRAY['metrics-z']), E'\n') WITH ORDINALITY t(line, n)
 WHERE line ~ '^agingos_(homes|home_last|deviations)' ORDER BY n;
SELECT line FROM regexp_split_to_table(agingos_metrics(ARRAY['no-such-home']), E'\n') WITH ORDINALITY t(line, n)
 WHERE line ~ '^agingos_(homes|home_last|deviations)' ORDER BY n;

-- case: every home (NULL) covers at least these; the payload never shows
SELECT agingos_metrics() ~ 'home_id="metrics-x"' AS has_x, agingos_metrics() ~ 'home_id="metrics-\\"y\\"\\\\"' AS has_y,
	   position('do-not-show' IN agingos_metrics()) = 0 AS no_payload;

-- case: every family has HELP and TYPE once, before its samples
WITH l AS (SELECT line FROM regexp_split_to_table(agingos_metrics(), E'\n') line WHERE line <> '')
SELECT count(*) FILTER (WHERE line LIKE '# HELP %') AS help_lines, count(*) FILTER (WHERE line LIKE '# TYPE %') AS type_lines,
	   count(DISTINCT split_part(line, ' ', 3)) FILTER (WHERE line LIKE '# TYPE %') AS families
  FROM l;

-- case: ticks are counted by status in scheduler_totals (a counter: it survives the pruning of scheduler_runs)
-- (in a transaction rolled back at the end, so the ticks leave nothing for later files)
BEGIN;
CREATE TEMP TABLE before AS SELECT status, ticks, rules_failed FROM scheduler_totals;
SELECT agingos_scheduler_tick('2025-12-23T12:40:00Z') ->> 'status' AS status;
SELECT agingos_scheduler_tick('2025-12-23T12:45:00Z') ->> 'status' AS status;
SELECT t.status, t.ticks - b.ticks AS new_ticks FROM scheduler_totals t JOIN before b USING (status) ORDER BY 1;
SELECT (regexp_match(agingos_metrics(ARRAY['metrics-x']), 'agingos_scheduler_ticks_total\{status="ok"\} (\d+)'))[1]::bigint
	   = (SELECT ticks FROM scheduler_totals WHERE status = 'ok') AS counter_matches_table;
SELECT (regexp_match(agingos_metrics(), '\nagingos_scheduler_last_tick_timestamp_seconds (\S+)'))[1]::numeric
	   = (SELECT extract(epoch FROM started_at) FROM scheduler_runs WHERE status <> 'skipped' ORDER BY run_id DESC LIMIT 1) AS last_tick_matches;
SELECT (regexp_match(agingos_metrics(), '\nagingos_scheduler_interval_seconds (\S+)'))[1] AS interval_seconds;
DELETE FROM scheduler_runs;
SELECT t.status, t.ticks - b.ticks AS still_counted FROM scheduler_totals t JOIN before b USING (status) ORDER BY 1;
SELECT (regexp_match(agingos_metrics(), '\nagingos_scheduler_last_tick_timestamp_seconds (\S+)'))[1] AS last_tick_without_runs;
ROLLBACK;

-- case: http_metrics in auth mode none: every home, the stored mode reported
SELECT status, body ~ 'home_id="metrics-x"' AND body ~ 'home_id="metrics-\\"y' AS every_home, auth_mode FROM http_metrics('{}', NULL, NULL, false);

-- case: http_metrics in auth mode api_key
UPDATE settings SET value = 'api_key' WHERE name = 'auth_mode';
SELECT agingos_create_api_key('metrics-x', 'admin') AS admin_key \gset
SELECT agingos_create_api_key('metrics-x', 'read') AS read_key \gset
SELECT status, body::jsonb ->> 'code' AS code, body::jsonb ->> 'message' AS message, auth_mode FROM http_metrics('{}', NULL, NULL, false);
SELECT status, body::jsonb ->> 'code' AS code, body::jsonb ->> 'message' AS message FROM http_metrics('{}', NULL, 'agk_unknown', false);
SELECT status, body::jsonb ->> 'code' AS code, body::jsonb ->> 'message' AS message, body::jsonb ->> 'details' AS details
  FROM http_metrics('{}', NULL, :'read_key', false);
SELECT status, body ~ 'home_id="metrics-x"' AS own_home, body !~ 'home_id="metrics-\\"y' AS not_other_home,
	   (regexp_match(body, 'agingos_homes (\d+)'))[1] AS homes
  FROM http_metrics('{"foo": "ignored"}', 'ignored body', :'admin_key', false);
SELECT status, body ~ 'home_id="metrics-x"' AND body ~ 'home_id="metrics-\\"y' AS every_home
  FROM http_metrics('{}', NULL, NULL, true);
-- a stored mode that is neither none nor api_key fails closed
UPDATE settings SET value = 'apikey' WHERE name = 'auth_mode';
SELECT status, body::jsonb ->> 'code' AS code, body::jsonb ->> 'details' AS details, auth_mode FROM http_metrics('{}', NULL, :'admin_key', false);
UPDATE settings SET value = 'none' WHERE name = 'auth_mode';

-- case: homes_status (contacts 0 while the contacts table does not exist)
SELECT home_id, agingos_iso(last_event_at) AS last_event_at, lag > interval '0' AS lag_positive, active_high, active_medium,
	   active_low, open_unacked, contacts
  FROM homes_status WHERE home_id IN ('metrics-x', E'metrics-"y"\\', 'metrics-z') ORDER BY home_id;

-- case: scheduler_status after a fresh tick (rolled back again)
BEGIN;
DELETE FROM scheduler_runs;
SELECT last_status, ticks_last_hour FROM scheduler_status;
SELECT agingos_scheduler_tick('2025-12-23T12:50:00Z') ->> 'status' AS status;
SELECT job_active, interval_minutes, last_status, last_duration_ms >= 0 AS duration_known, last_rules_failed, last_error,
	   lag IS NOT NULL AS lag_known, ticks_last_hour, errors_last_hour, skipped_last_hour, rules_failed_last_hour,
	   ticks_total > 0 AS counted
  FROM scheduler_status;
ROLLBACK;

-- cleanup
DELETE FROM api_keys k USING api_key_homes h WHERE h.key_id = k.key_id AND h.home_id = 'metrics-x';
DELETE FROM deviations WHERE home_id IN ('metrics-x', E'metrics-"y"\\');
DELETE FROM events WHERE home_id IN ('metrics-x', E'metrics-"y"\\');
DELETE FROM homes WHERE home_id IN ('metrics-x', E'metrics-"y"\\', 'metrics-z');
