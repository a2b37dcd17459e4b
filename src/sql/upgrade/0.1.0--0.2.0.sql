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
