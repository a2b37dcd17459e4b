-- agingos install script, part 30: the rule engine (rules.md sections 2 and 4,
-- contract.md section 4).  C code: src/engine.c and src/rules/.

\echo Use "CREATE EXTENSION agingos" to load this file. \quit

-- agingos_evaluate: computed deviations for one home, nothing written.
--   since, until: the window [since, until); both or neither (neither =
--     scheduler mode: rules with enabled_in_scheduler, each over
--     [now - lookback_minutes, now)).  One of them alone is 22023.
--   now: the evaluation instant, becomes each row's "timestamp"; since < until <= now or 22023.
--   home_id: the home; rule_ids: filter (NULL = all, '{}' = none; unknown id = 22023).
-- Rows in rule-id order, deviation_id random (v4).  VOLATILE: random ids.
CREATE OR REPLACE FUNCTION agingos.agingos_evaluate(
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL,
	now timestamptz DEFAULT pg_catalog.now(),
	home_id text DEFAULT 'default',
	rule_ids text[] DEFAULT NULL)
RETURNS SETOF agingos.deviations_v1
AS 'MODULE_PATHNAME', 'agingos_evaluate'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE;
COMMENT ON FUNCTION agingos.agingos_evaluate(timestamptz, timestamptz, timestamptz, text, text[]) IS
'Evaluate rules R-001..R-011 (R-011 only when rule_ids names it, in window mode) for one home and return the computed deviations (nothing is written). '
'With since/until: every rule (or those in rule_ids) over [since, until), gating applies. '
'Without: scheduler mode, enabled rules over [now - lookback_minutes, now). Errors 22023 for bad arguments.';

-- agingos_persist: evaluate [since, until) at now (every rule, gating applies)
-- and keep the results in deviations_v1; a window already kept for a rule adds
-- nothing (ON CONFLICT DO NOTHING).  Returns the number of rows added.
-- since and until are required here (22023 when null).
CREATE OR REPLACE FUNCTION agingos.agingos_persist(
	since timestamptz,
	until timestamptz,
	now timestamptz DEFAULT pg_catalog.now(),
	home_id text DEFAULT 'default')
RETURNS integer
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	added integer;
BEGIN
	IF since IS NULL OR until IS NULL THEN
		RAISE EXCEPTION 'since and until are required'
			USING ERRCODE = '22023',
				  DETAIL = pg_catalog.format('%s is null.', CASE WHEN since IS NULL THEN 'since' ELSE 'until' END),
				  HINT = 'Pass the window to evaluate and keep, for example since => now() - interval ''1 hour'', until => now().';
	END IF;
	INSERT INTO agingos.deviations_v1 AS d
		(deviation_id, home_id, rule_id, "timestamp", severity, title, explanation,
		 evidence, window_since, window_until)
	SELECT e.deviation_id, e.home_id, e.rule_id, e."timestamp", e.severity, e.title,
		   e.explanation, e.evidence, e.window_since, e.window_until
	FROM agingos.agingos_evaluate(since, until, now, home_id) AS e
	ORDER BY e.rule_id
	ON CONFLICT ON CONSTRAINT deviations_v1_window_key DO NOTHING;
	GET DIAGNOSTICS added = ROW_COUNT;
	RETURN added;
END
$$;
COMMENT ON FUNCTION agingos.agingos_persist(timestamptz, timestamptz, timestamptz, text) IS
'Evaluate every rule over [since, until) at now for one home and insert the deviations into deviations_v1; '
'a (home, rule, window) already kept is skipped. Returns the number of rows added.';

-- agingos_rule_truth: per registered rule, whether it would be judged for the
-- home at now and why not (rules.md 2.2; days_with_data with until = now).
-- STABLE: reads the config and events only.
CREATE OR REPLACE FUNCTION agingos.agingos_rule_truth(
	home_id text DEFAULT 'default',
	now timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (
	rule_id text,
	enabled_in_scheduler boolean,
	evaluation_truth text,
	gating_reason text,
	days_with_data integer,
	min_days_required integer,
	missing_sensor text)
AS 'MODULE_PATHNAME', 'agingos_rule_truth'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL UNSAFE;
COMMENT ON FUNCTION agingos.agingos_rule_truth(text, timestamptz) IS
'Evaluation truth per rule for one home at now (FULLY_EVALUATED, DEFAULT_PROFILE, WEAK_BASIS, NOT_EVALUATED, '
'NOT_APPLICABLE) with the gating reason, for baseline rules days_with_data over [now - 28 days, now), '
'and for NOT_APPLICABLE (rules.md D32) the sensor the home never sent.';
