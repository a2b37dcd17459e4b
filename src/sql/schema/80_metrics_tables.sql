
-- agingos install script, part 80: counters behind the Prometheus series
-- (docs/spec/contract.md §11, docs/ops/monitoring.md).

-- scheduler_totals: ticks per status since the extension was installed.
-- scheduler_runs is pruned after retention.bookkeeping_days, so counting its
-- rows would go down; a counter must not.  A trigger on scheduler_runs
-- (src/sql/code/80_metrics.sql) adds one per tick, in the tick's transaction.
CREATE TABLE agingos.scheduler_totals (
	status		text PRIMARY KEY CHECK (status IN ('ok', 'skipped', 'error')),
	ticks		bigint NOT NULL DEFAULT 0,
	rules_failed bigint NOT NULL DEFAULT 0,
	duration_ms numeric NOT NULL DEFAULT 0
);
INSERT INTO agingos.scheduler_totals (status) VALUES ('ok'), ('skipped'), ('error');
COMMENT ON TABLE agingos.scheduler_totals IS
'Scheduler ticks, failed rule evaluations and tick time per status since install (counters of agingos_metrics()).';
SELECT pg_catalog.pg_extension_config_dump('agingos.scheduler_totals', '');
