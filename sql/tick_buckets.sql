-- tick_buckets: the parallel tick (docs/scheduler.md "Buckets"): every home
-- in exactly one bucket, bucket runs together doing what one whole tick
-- does, a bucket run skipped while another run holds its slots, the
-- scheduler.workers key and the bucket jobs of agingos_schedule().
SET search_path = agingos, public;
\set VERBOSITY default
TRUNCATE deviation_history, deviations RESTART IDENTITY;
DELETE FROM scheduler_runs;

-- R-002 (front door at night) alone in the scheduler
SELECT agingos_load_config($$
scheduler: {interval_minutes: 5}
rules:
  R-002: {enabled_in_scheduler: true, params: {allowed_entity_ids: []}}
$$) IS NOT NULL AS loaded;

-- 60 homes tb-01 … tb-60, each with a front door opened at 00:10 local
SELECT count(*) AS stored FROM generate_series(1, 60) g,
  LATERAL agingos_ingest(format('{"id": "tb-door-%s", "timestamp": "2025-12-23T23:10:00Z", "category": "door", "payload": {"state": "open", "room": "gang"}}', g),
						 'tb-' || lpad(g::text, 2, '0')) r;

-- case: the slot is in [0, 48) and stable; a home's bucket of n is slot % n
SELECT min(agingos_tick_slot(home_id)) >= 0 AND max(agingos_tick_slot(home_id)) < 48 AS in_range,
	   bool_and(agingos_tick_slot(home_id) = (hashtext(home_id) & 2147483647) % 48) AS stable
  FROM homes;
-- every home lies in exactly one bucket, for every bucket count 1..16
SELECT n, count(*) FILTER (WHERE k <> 1) AS homes_not_in_exactly_one_bucket
  FROM generate_series(1, 16) n,
  LATERAL (SELECT h.home_id, count(*) AS k FROM homes h, generate_series(0, n - 1) b
			WHERE agingos_tick_slot(h.home_id) % n = b GROUP BY h.home_id) x
 GROUP BY n HAVING count(*) <> 60 OR count(*) FILTER (WHERE k <> 1) > 0;

-- case: three bucket runs at the same now visit every home once: the sum of
-- their homes is 60, each home's R-002 was upserted once (60 rows opened,
-- none twice), and each run's row in scheduler_runs names its bucket
SELECT s ->> 'status' AS status, (s ->> 'bucket')::int AS bucket, (s ->> 'buckets')::int AS buckets,
	   (s ->> 'homes')::int = (SELECT count(*) FROM homes WHERE agingos_tick_slot(home_id) % 3 = b) AS homes_of_bucket,
	   s ->> 'deviations_opened' = s ->> 'homes' AS one_open_per_home
  FROM generate_series(0, 2) b, LATERAL agingos_scheduler_tick_bucket(b, 3, '2025-12-23T23:15:00Z') s;
SELECT sum(homes) AS homes, sum(rules_total) AS rules_total, sum(deviations_opened) AS opened,
	   array_agg(bucket ORDER BY bucket) AS buckets_run, min(buckets) AS of
  FROM scheduler_runs;
SELECT count(*) AS deviations, count(DISTINCT home_id) AS homes,
	   count(*) FILTER (WHERE last_seen_at = '2025-12-23T23:15:00Z') AS seen_now FROM deviations;
SELECT reason, count(*) FROM deviation_history GROUP BY reason;
-- the whole tick at the next instant: the same homes, all in one run, one row without bucket
SELECT s - 'run_id' - 'duration_ms' AS summary FROM agingos_scheduler_tick('2025-12-23T23:20:00Z') s;
SELECT bucket, buckets FROM scheduler_runs ORDER BY run_id DESC LIMIT 1;
-- bucket runs at the instant after that (two buckets this time) update every row once
SELECT sum((s ->> 'homes')::int) AS homes, sum((s ->> 'deviations_upserted')::int) AS upserted,
	   sum((s ->> 'deviations_opened')::int) AS opened
  FROM generate_series(0, 1) b, LATERAL agingos_scheduler_tick_bucket(b, 2, '2025-12-23T23:25:00Z') s;
SELECT count(*) FILTER (WHERE last_seen_at = '2025-12-23T23:25:00Z') AS seen_now FROM deviations;

-- case: a run whose slots another session holds is skipped, evaluates
-- nothing and still writes its row and log line.  A second session
-- (dblink) holds the slot locks of bucket 1 of 3 in an open transaction,
-- as a run of that bucket does while it visits its homes.
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('other', 'dbname=' || current_database()) AS connected;
SELECT dblink_exec('other', 'BEGIN') AS begun;
SELECT locked FROM dblink('other', $$SELECT count(*) FILTER (WHERE pg_try_advisory_xact_lock(hashtext('agingos.scheduler_tick'), s))
	FROM generate_series(0, 47) s WHERE s % 3 = 1$$) AS t(locked bigint);
-- the same bucket here: skipped, nothing evaluated
SELECT s - 'run_id' - 'duration_ms' AS summary FROM agingos_scheduler_tick_bucket(1, 3, '2025-12-23T23:30:00Z') s;
SELECT status, homes, bucket, buckets FROM scheduler_runs ORDER BY run_id DESC LIMIT 1;
-- another bucket of the same count is not held up
SELECT s ->> 'status' AS status, (s ->> 'homes')::int > 0 AS visited_homes FROM agingos_scheduler_tick_bucket(2, 3, '2025-12-23T23:30:00Z') s;
-- a whole tick shares slots with every bucket: skipped
SELECT s ->> 'status' AS status, s ->> 'homes' AS homes FROM agingos_scheduler_tick('2025-12-23T23:30:00Z') s;
-- a run under another bucket count whose slots overlap bucket 1 of 3: skipped
-- (slot 1 is in bucket 1 of 3 and in bucket 1 of 2)
SELECT s ->> 'status' AS status FROM agingos_scheduler_tick_bucket(1, 2, '2025-12-23T23:30:00Z') s;
-- a run over named homes (agingos_scheduler_tick_homes) locks only their
-- slots: skipped when one of them is held, not held up otherwise
SELECT s ->> 'status' AS status, s ->> 'homes' AS homes
  FROM agingos_scheduler_tick_homes((SELECT array_agg(home_id) FROM (SELECT home_id FROM homes
	WHERE agingos_tick_slot(home_id) % 3 = 1 ORDER BY home_id LIMIT 1) x), '2025-12-23T23:30:00Z') s;
SELECT s ->> 'status' AS status, s ->> 'homes' AS homes
  FROM agingos_scheduler_tick_homes((SELECT array_agg(home_id) FROM (SELECT home_id FROM homes
	WHERE agingos_tick_slot(home_id) % 3 = 2 ORDER BY home_id LIMIT 2) x), '2025-12-23T23:30:00Z') s;
SELECT dblink_exec('other', 'COMMIT') AS committed;
SELECT dblink_disconnect('other') AS disconnected;
-- once the other run committed, the bucket runs again
SELECT s ->> 'status' AS status FROM agingos_scheduler_tick_bucket(1, 3, '2025-12-23T23:35:00Z') s;

-- case: bad bucket arguments are 22023
SELECT agingos_scheduler_tick_bucket(3, 3, '2025-12-23T23:40:00Z');
SELECT agingos_scheduler_tick_bucket(0, 17, '2025-12-23T23:40:00Z');
SELECT agingos_scheduler_tick_bucket(NULL, 2, '2025-12-23T23:40:00Z');
SELECT agingos_scheduler_tick_bucket(0, 2, NULL);

-- case: scheduler.workers: 1 … 16, default 1, checked like every int key (F0000 with its path)
SELECT agingos_config() #> '{scheduler,workers}' AS default_workers;
SELECT agingos_load_config($$
scheduler: {interval_minutes: 5, workers: 0}
rules: {R-002: {enabled_in_scheduler: true}}
$$);
SELECT agingos_load_config($$
scheduler: {interval_minutes: 5, workers: 17}
rules: {R-002: {enabled_in_scheduler: true}}
$$);
SELECT agingos_load_config($$
scheduler: {interval_minutes: 5, workers: two}
rules: {R-002: {enabled_in_scheduler: true}}
$$);

-- case: agingos_schedule() makes one job per bucket; fewer workers later
-- remove the extra jobs; agingos_unschedule() removes them all
SELECT agingos_load_config($$
scheduler: {interval_minutes: 5, workers: 3}
rules: {R-002: {enabled_in_scheduler: true}}
$$) #> '{scheduler,workers}' AS workers;
SELECT agingos_schedule() > 0 AS scheduled;
SELECT jobname, schedule, command FROM cron.job WHERE jobname LIKE 'agingos-scheduler%' ORDER BY jobname;
SELECT agingos_load_config($$
scheduler: {interval_minutes: 5, workers: 2}
rules: {R-002: {enabled_in_scheduler: true}}
$$) #> '{scheduler,workers}' AS workers;
SELECT agingos_schedule() > 0 AS scheduled;
SELECT jobname, command FROM cron.job WHERE jobname LIKE 'agingos-scheduler%' ORDER BY jobname;
SELECT agingos_load_config($$
scheduler: {interval_minutes: 5}
rules: {R-002: {enabled_in_scheduler: true}}
$$) #> '{scheduler,workers}' AS workers;
SELECT agingos_schedule() > 0 AS scheduled;
SELECT jobname, command FROM cron.job WHERE jobname LIKE 'agingos-scheduler%' ORDER BY jobname;
SELECT agingos_unschedule() AS existed;
SELECT count(*) AS jobs_left FROM cron.job WHERE jobname LIKE 'agingos-%';

-- case: a run over named homes evaluates those homes only (what
-- agingos-sim's time warp uses, so that a real home on the same database is
-- never judged at a simulated instant); an id that is not a home is ignored
TRUNCATE deviation_history, deviations RESTART IDENTITY;
SELECT s ->> 'status' AS status, (s ->> 'homes')::int AS homes, (s ->> 'deviations_opened')::int AS opened
  FROM agingos_scheduler_tick_homes(ARRAY['tb-01', 'tb-02', 'no-such-home'], '2025-12-23T23:35:00Z') s;
SELECT string_agg(DISTINCT home_id, ',' ORDER BY home_id) AS homes_judged FROM deviations;
SELECT status, homes, bucket, buckets FROM scheduler_runs ORDER BY run_id DESC LIMIT 1;
-- bad input: no homes, a null among them, no instant
SELECT agingos_scheduler_tick_homes(NULL, '2025-12-23T23:35:00Z');
SELECT agingos_scheduler_tick_homes('{}', '2025-12-23T23:35:00Z');
SELECT agingos_scheduler_tick_homes(ARRAY['tb-01', NULL], '2025-12-23T23:35:00Z');
SELECT agingos_scheduler_tick_homes(ARRAY['tb-01'], NULL);
SELECT count(*) AS deviations_unchanged FROM deviations;

-- cleanup
DROP EXTENSION dblink;
DELETE FROM deviations; DELETE FROM events; DELETE FROM scheduler_runs; DELETE FROM homes;
DELETE FROM config;
