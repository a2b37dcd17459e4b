
-- agingos install script, part 50: deviation lifecycle and the scheduler tick
-- (rules.md section 5, contract.md sections 3, 4 and 9).

-- deviation_history: one row per status or severity change of a persisted
-- deviation.  reason: open | reopen | escalation | deescalation | ack |
-- stale (closed by a tick) | manual (closed by an admin).  actor: who made
-- the change — scheduler, key:<key_id>, contact:<contact_id> or sql:<role>
-- (contract.md section 12); note: free text given with ACK/CLOSE.
-- The audit outlives the deviation it describes: no foreign key, so the
-- retention of CLOSED deviations keeps it; agingos_retention prunes it
-- after retention.audit_days of its own.
CREATE TABLE agingos.deviation_history (
	history_id	bigint GENERATED ALWAYS AS IDENTITY,
	deviation_id bigint NOT NULL,
	home_id		text NOT NULL,
	rule_id		text NOT NULL,
	at			timestamptz NOT NULL,
	from_status text CHECK (from_status IN ('OPEN', 'ACK', 'CLOSED')),
	to_status	text NOT NULL CHECK (to_status IN ('OPEN', 'ACK', 'CLOSED')),
	severity	text NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH')),
	reason		text NOT NULL CHECK (reason IN ('open', 'reopen', 'escalation', 'deescalation', 'ack', 'stale', 'manual')),
	actor		text NOT NULL,
	note		text,
	CONSTRAINT deviation_history_pkey PRIMARY KEY (home_id, history_id)
);
-- a deviation's history, always asked for with its home (docs/scale.md)
CREATE INDEX deviation_history_deviation_idx ON agingos.deviation_history (home_id, deviation_id, at);
-- retention.audit_days prunes by "at"
CREATE INDEX deviation_history_at_idx ON agingos.deviation_history (at);
COMMENT ON TABLE agingos.deviation_history IS 'Audit trail of persisted deviations: opens, severity changes, ACK, closes.';

-- scheduler_runs: one row per scheduler run — a whole tick or one bucket's
-- run (skipped ones included), pruned after
-- retention.bookkeeping_days (by "now") by the tick itself.
CREATE TABLE agingos.scheduler_runs (
	run_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	started_at	timestamptz NOT NULL,
	now			timestamptz NOT NULL,
	duration_ms numeric(12, 3) NOT NULL,
	homes		integer NOT NULL DEFAULT 0,
	rules_total integer NOT NULL DEFAULT 0,
	rules_ok	integer NOT NULL DEFAULT 0,
	rules_failed integer NOT NULL DEFAULT 0,
	deviations_upserted integer NOT NULL DEFAULT 0,
	deviations_opened integer NOT NULL DEFAULT 0,
	deviations_closed integer NOT NULL DEFAULT 0,
	status		text NOT NULL CHECK (status IN ('ok', 'skipped', 'error')),
	error		text,
	-- a bucket run of scheduler.workers > 1 (docs/scheduler.md): its bucket
	-- and the bucket count; both NULL for a run over every home
	bucket		integer,
	buckets		integer
);
CREATE INDEX scheduler_runs_now_idx ON agingos.scheduler_runs (now);
COMMENT ON TABLE agingos.scheduler_runs IS 'One row per scheduler tick (contract section 4 summary); kept retention.bookkeeping_days.';
SELECT pg_catalog.pg_extension_config_dump('agingos.deviation_history', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.scheduler_runs', '');

