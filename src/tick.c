/*-------------------------------------------------------------------------
 * tick.c
 *	  The evaluation half of a scheduler tick, with failure isolation:
 *	  agingos_tick_evaluate(home_id, now) evaluates the scheduler-enabled
 *	  rules of one home (one events fetch, engine.h) and returns one row per
 *	  rule, catching a failing rule in its own subtransaction so it stays
 *	  local (rules.md section 5 step 1, D18).  The rules first run together
 *	  in one subtransaction; only when one of them raises are they run
 *	  again one subtransaction each (same outcomes: the rules are pure).  The lifecycle half (upsert,
 *	  close, history, NOTIFY) is SQL: src/sql/50_lifecycle.sql.
 *
 *	  Also: agingos_log (one-line LOG messages, contract.md section 9) and
 *	  agingos_rules (the rule catalogue for GET /rules).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "config.h"
#include "engine.h"
#include "rules/rule.h"

PG_FUNCTION_INFO_V1(agingos_tick_evaluate);
PG_FUNCTION_INFO_V1(agingos_log);
PG_FUNCTION_INFO_V1(agingos_rules);

#define TICK_COLS 11

/* What one protected call produced: an outcome, or the error it raised. */
typedef struct TickResult
{
	bool  failed;
	char  sqlstate[6];
	char *message;
} TickResult;

/*
 * catch_error: inside a PG_CATCH, after switching back to the caller's
 * memory context: keep the SQLSTATE and message, clear the error state,
 * roll back the subtransaction and restore the resource owner.
 */
static void
catch_error(TickResult *res, MemoryContext cxt, ResourceOwner owner)
{
	ErrorData *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	res->failed = true;
	strlcpy(res->sqlstate, unpack_sql_state(edata->sqlerrcode), sizeof(res->sqlstate));
	res->message = pstrdup(edata->message ? edata->message : "unknown error");
	FreeErrorData(edata);
}

/*
 * prepare_protected: ag_engine_prepare in a subtransaction; on error the
 * home's fetch failed and *res says why (every rule then fails).
 */
static AgHomeContext *
prepare_protected(const char *home_id, TimestampTz now, TickResult *res)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	AgHomeContext *volatile ctx = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		ctx = ag_engine_prepare(home_id, 0, 0, now, AG_RULE_MASK_ALL, AG_ENGINE_SCHEDULER);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		catch_error(res, cxt, owner);
		ctx = NULL;
	}
	PG_END_TRY();
	return ctx;
}

/* eval_rule: rule i with agingos.fault_injection_rule applied (raises for that rule). */
static void
eval_rule(const AgHomeContext *ctx, int i, AgRuleOutcome *out)
{
	if (ag_fault_injection_rule && strcmp(ag_fault_injection_rule, ag_rules[i].id) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("fault injected into rule %s", ag_rules[i].id),
				 errdetail("agingos.fault_injection_rule is set.")));
	ag_engine_eval_rule(ctx, i, out);
}

/*
 * eval_all_protected: every scheduler-enabled rule in ONE subtransaction;
 * true if none raised (out[] is then complete).  A raise rolls the whole
 * attempt back and returns false: the caller then evaluates rule by rule,
 * each in its own subtransaction, which gives the same outcomes (the rules
 * are pure functions of the prepared context).  One subtransaction per
 * home instead of one per rule (docs/bench.md).
 */
static bool
eval_all_protected(const AgConfig *cfg, const AgHomeContext *ctx, AgRuleOutcome out[AG_NUM_RULES])
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		for (int i = 0; i < AG_NUM_RULES; i++)
		{
			if (!cfg->rule[i].enabled_in_scheduler)
				continue;
			eval_rule(ctx, i, &out[i]);
			CHECK_FOR_INTERRUPTS();
		}
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		TickResult ignored = {0};

		catch_error(&ignored, cxt, owner);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/* eval_protected: ag_engine_eval_rule in a subtransaction (rule isolation). */
static void
eval_protected(const AgHomeContext *ctx, int i, AgRuleOutcome *out, TickResult *res)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		eval_rule(ctx, i, out);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		catch_error(res, cxt, owner);
	}
	PG_END_TRY();
}

/* outcome_name: the outcome column text. */
static const char *
outcome_name(const AgRuleOutcome *out, const TickResult *res)
{
	if (res->failed)
		return "failed";
	switch (out->kind)
	{
		case AG_OUTCOME_DEVIATION:
			return "deviation";
		case AG_OUTCOME_GATED:
			return "gated";
		default:
			return "none";
	}
}

/* put_row: one result row for rule i. */
static void
put_row(ReturnSetInfo *rsinfo, const AgConfig *cfg, int i,
		const AgRuleOutcome *out, const TickResult *res)
{
	Datum v[TICK_COLS];
	bool  n[TICK_COLS];
	bool  dev = !res->failed && out->kind == AG_OUTCOME_DEVIATION;

	memset(n, true, sizeof(n));
	v[0] = CStringGetTextDatum(ag_rules[i].id), n[0] = false;
	v[1] = CStringGetTextDatum(outcome_name(out, res)), n[1] = false;
	if (dev)
	{
		v[2] = CStringGetTextDatum(ag_severity_name(out->severity)), n[2] = false;
		v[3] = CStringGetTextDatum(out->title), n[3] = false;
		v[4] = CStringGetTextDatum(out->explanation), n[4] = false;
		v[5] = JsonbPGetDatum(out->evidence), n[5] = false;
		v[6] = TimestampTzGetDatum(out->window_since), n[6] = false;
		v[7] = TimestampTzGetDatum(out->window_until), n[7] = false;
	}
	if (res->failed)
	{
		v[8] = CStringGetTextDatum(res->sqlstate), n[8] = false;
		v[9] = CStringGetTextDatum(res->message), n[9] = false;
	}
	v[10] = Int32GetDatum(cfg->rule[i].expire_after_minutes), n[10] = false;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
}

/*
 * agingos_tick_evaluate(home_id text, now timestamptz)
 *	 → SETOF (rule_id, outcome, severity, title, explanation, evidence,
 *			  window_since, window_until, error_sqlstate, error_message,
 *			  expire_after_minutes)
 * One row per scheduler-enabled rule (enabled_in_scheduler), in rule-id
 * order, evaluated over [now - lookback_minutes, now) (rules.md 4).
 * outcome: 'deviation' (the deviation columns are set), 'none', 'gated'
 * (gating said not evaluated; counts as ok) or 'failed' (the rule, or the
 * home's events fetch, raised: error_* say what; nothing of it is kept).
 * Never raises for a rule error; raises only for bad arguments.
 */
Datum
agingos_tick_evaluate(PG_FUNCTION_ARGS)
{
	ReturnSetInfo  *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char		   *home_id;
	TimestampTz		now;
	const AgConfig *cfg;
	AgHomeContext  *ctx;
	TickResult		prep = {0};
	AgRuleOutcome	all[AG_NUM_RULES];
	bool			all_ok = false;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("home_id and now are required"),
				 errhint("Call agingos_tick_evaluate(home_id, now) with both arguments.")));
	home_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	now = PG_GETARG_TIMESTAMPTZ(1);
	InitMaterializedSRF(fcinfo, 0);
	cfg = ag_config_current();
	ctx = prepare_protected(home_id, now, &prep);
	memset(all, 0, sizeof(all));
	if (ctx != NULL)
		all_ok = eval_all_protected(cfg, ctx, all);
	for (int i = 0; i < AG_NUM_RULES; i++)
	{
		AgRuleOutcome out = {0};
		TickResult	  res = prep;

		if (!cfg->rule[i].enabled_in_scheduler)
			continue;
		if (all_ok)
			out = all[i];
		else if (ctx != NULL)
			eval_protected(ctx, i, &out, &res);
		put_row(rsinfo, cfg, i, &out, &res);
		CHECK_FOR_INTERRUPTS();
	}
	return (Datum) 0;
}

/*
 * agingos_log(message text) → void
 * Write message to the server log at level LOG as exactly one line: no
 * CONTEXT or STATEMENT lines (contract.md section 9).  Callers never pass
 * payloads or keys.
 */
Datum
agingos_log(PG_FUNCTION_ARGS)
{
	if (!PG_ARGISNULL(0))
		ereport(LOG,
				(errmsg_internal("%s", text_to_cstring(PG_GETARG_TEXT_PP(0))),
				 errhidestmt(true),
				 errhidecontext(true)));
	PG_RETURN_VOID();
}

/* What each rule checks, in one line (rules.md section 3 "Purpose"). */
static const char *const rule_purpose[AG_NUM_RULES] = {
	"Reports a window in which no active motion or presence signal was recorded.",
	"Reports a front-door opening during the local night.",
	"Reports a front-door opening that is not followed by any movement.",
	"Reports an unusually long uninterrupted presence in the bathroom.",
	"Reports the absence of bathroom presence over a long period.",
	"Reports a daytime period with no presence in the living room.",
	"Reports frequent moves between rooms during the night.",
	"Reports many door events at the entrance within a short time.",
	"Reports that the home has stopped delivering events.",
	"Reports presence sensors that say present for too long without turning off.",
	"Reports a resident who left through the front door and is not back in time.",
};

/*
 * agingos_rules() → SETOF (rule_id text, title text, description text)
 * The registered rules R-001 ... R-010 in rule-id order; title in the
 * active config's locale (rules.md 1.7), description the rule's purpose.
 */
Datum
agingos_rules(PG_FUNCTION_ARGS)
{
	ReturnSetInfo  *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const AgConfig *cfg = ag_config_current();

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < AG_NUM_RULES; i++)
	{
		Datum			   v[3];
		bool			   n[3] = {false, false, false};
		const AgRuleTexts *t = ag_rules[i].texts;

		v[0] = CStringGetTextDatum(ag_rules[i].id);
		v[1] = CStringGetTextDatum(cfg->locale == AG_LOCALE_EN ? t->title_en : t->title_nb);
		v[2] = CStringGetTextDatum(rule_purpose[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
	return (Datum) 0;
}
