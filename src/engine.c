/*-------------------------------------------------------------------------
 * engine.c
 *	  The rule engine (design.md "engine"; rules.md sections 1.1, 2, 4):
 *	  per home and clock, select the rules, gate them, fetch the events
 *	  they read with one indexed range scan, probe the bounded per-home
 *	  facts (days_with_data, latest liveness events) and run the pure
 *	  rules of src/rules/ over the same array.
 *
 *	  SQL-callable: agingos_evaluate, agingos_rule_truth (contract.md 4).
 *	  agingos_persist is SQL (src/sql/30_engine.sql) over agingos_evaluate.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "port.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "config.h"
#include "engine.h"
#include "rules/rule.h"
#include "util.h"
#include "vocabulary.h"

PG_FUNCTION_INFO_V1(agingos_evaluate);
PG_FUNCTION_INFO_V1(agingos_rule_truth);

/*
 * ag_engine_gate: the decision table of rules.md 2.2 (first matching row
 * wins) for rule_index, and the gating keys of 2.3.
 */
void
ag_engine_gate(const AgConfig *cfg, int rule_index, int days_with_data, AgGate *out)
{
	const AgRuleCommon *rc = &cfg->rule[rule_index];

	out->uses_default_profile = false;
	out->missing_sensor = NULL;
	out->days_with_data = rc->requires_baseline ? days_with_data : -1;
	out->min_days_required = rc->requires_baseline ? rc->min_days_with_data : -1;
	if (rc->requires_baseline && days_with_data < rc->min_days_with_data)
	{
		out->evaluated = false;
		out->evaluation_truth = "WEAK_BASIS";
		out->gating_reason = "insufficient_history_days";
	}
	else if (rc->requires_profile && rc->profile_mode == AG_PROFILE_DEFAULT_WINDOW &&
			 rc->uses_default_profile_when_missing)
	{
		out->evaluated = true;
		out->evaluation_truth = "DEFAULT_PROFILE";
		out->gating_reason = "default_profile_window";
		out->uses_default_profile = true;
	}
	else if (rc->requires_profile)
	{
		out->evaluated = false;
		out->evaluation_truth = "NOT_EVALUATED";
		out->gating_reason = "profile_missing";
	}
	else
	{
		out->evaluated = true;
		out->evaluation_truth = "FULLY_EVALUATED";
		out->gating_reason = NULL;
	}
}

/* one_cat: a one-element list. */
static AgStrList *
one_cat(const char *cat)
{
	AgStrList *l = palloc(sizeof(AgStrList));

	l->n = 1;
	l->items = palloc(sizeof(char *));
	l->items[0] = pstrdup(cat);
	return l;
}

/*
 * sensor_need: the sensor rule i needs (rules.md D32): one of *cats, in
 * room *room (NULL: any room).  False for a rule that needs none.
 */
static bool
sensor_need(const AgConfig *cfg, int i, const AgStrList **cats, const char **room)
{
	*room = NULL;
	switch (i)
	{
		case AG_RULE_R001:
			*cats = &cfg->r001.motion_categories;
			return true;
		case AG_RULE_R002:
			*cats = one_cat(cfg->r002.category);
			return true;
		case AG_RULE_R003:
		case AG_RULE_R011:
			*cats = one_cat(cfg->r003.door_category);
			return true;
		case AG_RULE_R004:
			*cats = one_cat("presence");
			*room = cfg->r004.bathroom_room_id;
			return true;
		case AG_RULE_R005:
			*cats = one_cat("presence");
			*room = cfg->r005.bathroom_room_id;
			return true;
		case AG_RULE_R006:
			*cats = one_cat("presence");
			*room = cfg->r006.living_room_id;
			return true;
		case AG_RULE_R007:
			*cats = &cfg->r007.activity_categories;
			return true;
		case AG_RULE_R008:
			*cats = one_cat("door");
			*room = cfg->r008.front_door_room_id;
			return true;
		case AG_RULE_R010:
			*cats = one_cat("presence");
			return true;
		default:
			return false;
	}
}

/* ag_engine_sensor_gate: see engine.h. */
bool
ag_engine_sensor_gate(const AgConfig *cfg, const char *home_id, int rule_index, AgGate *out)
{
	const AgStrList *cats;
	const char		*room;
	StringInfoData	 name;

	if (!cfg->rule[rule_index].requires_sensors || !sensor_need(cfg, rule_index, &cats, &room))
		return false;
	if (ag_engine_home_has_sensor(home_id, cats, room))
		return false;
	initStringInfo(&name);
	for (int k = 0; k < cats->n; k++)
		appendStringInfo(&name, "%s%s", k > 0 ? " or " : "", cats->items[k]);
	appendStringInfo(&name, room != NULL ? " in room %s" : " in any room", room);
	out->evaluated = false;
	out->evaluation_truth = "NOT_APPLICABLE";
	out->gating_reason = "missing_sensor";
	out->uses_default_profile = false;
	out->days_with_data = -1;
	out->min_days_required = -1;
	out->missing_sensor = name.data;
	return true;
}

/* strlist_add_unique: append the items of src not yet in dst (dst has room). */
static void
strlist_add_unique(AgStrList *dst, const AgStrList *src)
{
	for (int i = 0; i < src->n; i++)
	{
		if (!ag_strlist_has(dst, src->items[i]))
			dst->items[dst->n++] = src->items[i];
	}
}

/*
 * liveness_categories: the union of the categories the evaluated rules
 * need for R-009 and the liveness gate (2.4): R-009's, plus R-005's and
 * R-010's overrides when set.  Returns false when no rule needs any.
 */
static bool
liveness_categories(const AgHomeContext *ctx, AgStrList *cats)
{
	const AgConfig *cfg = ctx->cfg;
	bool			r005 = ctx->gate[AG_RULE_R005].evaluated && (ctx->selected & (1U << AG_RULE_R005));
	bool			r010 = ctx->gate[AG_RULE_R010].evaluated && (ctx->selected & (1U << AG_RULE_R010));
	bool			need = r005 || r010;

	need |= (ctx->selected & (1U << AG_RULE_R009)) && ctx->gate[AG_RULE_R009].evaluated;
	need |= (ctx->selected & (1U << AG_RULE_R001)) && ctx->gate[AG_RULE_R001].evaluated && cfg->r001.liveness_gate;
	need |= (ctx->selected & (1U << AG_RULE_R006)) && ctx->gate[AG_RULE_R006].evaluated && cfg->r006.liveness_gate;
	if (!need)
		return false;
	cats->n = 0;
	cats->items = palloc(sizeof(char *) * (cfg->r009.liveness_categories.n + cfg->r005.liveness_categories.n + cfg->r010.liveness_categories.n + 1));
	strlist_add_unique(cats, &cfg->r009.liveness_categories);
	if (r005)
		strlist_add_unique(cats, &cfg->r005.liveness_categories);
	if (r010)
		strlist_add_unique(cats, &cfg->r010.liveness_categories);
	return true;
}

/*
 * select_rule: decide whether rule i runs in this mode, set its window
 * (rules.md 4) and return true if it does.
 */
static bool
select_rule(AgHomeContext *ctx, int i, TimestampTz since, TimestampTz until,
			uint32 rule_mask, AgEngineMode mode)
{
	const AgRuleCommon *rc = &ctx->cfg->rule[i];

	if (!(rule_mask & (1U << i)))
		return false;
	if (mode == AG_ENGINE_SCHEDULER)
	{
		if (!rc->enabled_in_scheduler)
			return false;
		since = ag_add_minutes(ctx->now, -(int64) rc->lookback_minutes);
		until = ctx->now;
	}
	ctx->selected |= 1U << i;
	ctx->since[i] = since;
	ctx->until[i] = until;
	return true;
}

/*
 * ag_engine_prepare: see engine.h.  The events scan covers the hull of
 * the ranges of the selected rules that gating lets run, clipped to
 * ts < now; days_with_data is probed once per distinct until (once in
 * practice), only for rules with requires_baseline, and only as far as
 * the largest min_days_with_data (ag_engine_eval_rule completes the count
 * when a deviation's evidence reports it).
 */
AgHomeContext *
ag_engine_prepare(const char *home_id, TimestampTz since, TimestampTz until,
				  TimestampTz now, uint32 rule_mask, AgEngineMode mode)
{
	MemoryContext  mcxt = CurrentMemoryContext;
	AgHomeContext *ctx = palloc0(sizeof(AgHomeContext));
	int			   cap = 0;
	bool		   have_range = false;
	AgTimeRange	   hull = {0, 0};
	AgStrList	   cats;
	bool		   need_liveness;
	bool		   need_profile = false;

	ctx->cfg = ag_home_config(ag_config_current(), home_id); /* per-home vocabulary */
	ctx->home_id = pstrdup(home_id);
	ctx->now = now;
	/* the gates need days_with_data only up to the largest min_days_with_data */
	for (int i = 0; i < AG_NUM_RULES; i++)
	{
		if (ctx->cfg->rule[i].requires_baseline)
			cap = Max(cap, ctx->cfg->rule[i].min_days_with_data);
	}
	for (int i = 0; i < AG_NUM_RULES; i++)
	{
		AgTimeRange r;

		if (!select_rule(ctx, i, since, until, rule_mask, mode))
			continue;
		if (ctx->cfg->rule[i].requires_baseline && (!ctx->have_days || ctx->days_until != ctx->until[i]))
		{
			ctx->days = ag_engine_days_with_data_capped(home_id, ctx->until[i], ctx->cfg->timezone, Max(cap, 1));
			ctx->days_exact = ctx->days < Max(cap, 1);
			ctx->days_until = ctx->until[i];
			ctx->have_days = true;
		}
		if (!ag_engine_sensor_gate(ctx->cfg, home_id, i, &ctx->gate[i]))
			ag_engine_gate(ctx->cfg, i, ctx->days, &ctx->gate[i]);
		if (!ctx->gate[i].evaluated)
			continue;
		ag_rules[i].range(ctx->cfg, ctx->since[i], ctx->until[i], now, &r);
		r.to = Min(r.to, now);
		if (r.from >= r.to)
			continue;
		hull.from = have_range ? Min(hull.from, r.from) : r.from;
		hull.to = have_range ? Max(hull.to, r.to) : r.to;
		have_range = true;
	}

	need_liveness = liveness_categories(ctx, &cats);
	for (int i = 0; i < AG_NUM_RULES; i++)
	{
		if ((ctx->selected & (1U << i)) && ctx->gate[i].evaluated &&
			ctx->cfg->rule[i].baseline == AG_BASELINE_PERSONAL)
			need_profile = true;
	}
	if (!have_range && !need_liveness && !need_profile)
		return ctx;
	SPI_connect();
	if (have_range)
		ag_engine_fetch_events(ctx, mcxt, hull.from, hull.to);
	if (need_liveness)
		ag_engine_fetch_liveness(ctx, mcxt, &cats);
	if (need_profile)
		ag_engine_fetch_profile(ctx, mcxt);
	SPI_finish();
	return ctx;
}

/* mode_name: the evaluation_mode word (rules.md 6.3). */
static const char *
mode_name(AgEvalMode m)
{
	switch (m)
	{
		case AG_MODE_BASELINE_DEPENDENT:
			return "baseline_dependent";
		case AG_MODE_PROFILE_DEPENDENT:
			return "profile_dependent";
		default:
			return "independent";
	}
}

/* profile_name: the profile_mode word (rules.md 6.3). */
static const char *
profile_name(AgProfileMode m)
{
	return m == AG_PROFILE_DEFAULT_WINDOW ? "default_window" : "home_specific";
}

/* add_gating_keys: the keys of rules.md 2.3 into an open evidence object. */
static void
add_gating_keys(JsonbParseState **st, const AgRuleCommon *rc, const AgGate *g)
{
	ag_ev_str(st, "evaluation_truth", g->evaluation_truth);
	ag_ev_str(st, "gating_reason", g->gating_reason);
	ag_ev_str(st, "evaluation_mode", mode_name(rc->evaluation_mode));
	ag_ev_bool(st, "requires_baseline", rc->requires_baseline);
	ag_ev_bool(st, "requires_profile", rc->requires_profile);
	ag_ev_str(st, "profile_mode", profile_name(rc->profile_mode));
	ag_ev_bool(st, "uses_default_profile", g->uses_default_profile);
	if (g->days_with_data >= 0)
		ag_ev_int(st, "days_with_data", g->days_with_data);
	else
		ag_ev_null(st, "days_with_data");
	if (g->min_days_required >= 0)
		ag_ev_int(st, "min_days_required", g->min_days_required);
	else
		ag_ev_null(st, "min_days_required");
}

/* ag_engine_eval_rule: see engine.h. */
void
ag_engine_eval_rule(const AgHomeContext *ctx, int rule_index, AgRuleOutcome *out)
{
	AgRuleInput in;
	AgDeviation dev;
	JsonbValue *res;

	memset(out, 0, sizeof(*out));
	out->rule_id = ag_rules[rule_index].id;
	out->now = ctx->now;
	if (!(ctx->selected & (1U << rule_index)))
		return;
	out->gate = ctx->gate[rule_index];
	out->since = ctx->since[rule_index];
	out->until = ctx->until[rule_index];
	out->kind = AG_OUTCOME_GATED;
	if (!out->gate.evaluated)
		return;

	in.cfg = ctx->cfg;
	in.events = ctx->events;
	in.nevents = ctx->nevents;
	in.since = out->since;
	in.until = out->until;
	in.now = ctx->now;
	in.facts = &ctx->facts;
	memset(&dev, 0, sizeof(dev));
	out->kind = AG_OUTCOME_NONE;
	if (!ag_rules[rule_index].eval(&in, &dev))
		return;

	if (out->gate.days_with_data >= 0 && !ctx->days_exact)
	{
		/*
		 * The gate saw "at least cap days"; the evidence needs the figure.
		 * Probed once per context (all selected rules share one until in
		 * both modes); the cached count lives in the context.
		 */
		AgHomeContext *mctx = (AgHomeContext *) ctx;

		if (mctx->days_until != out->until)
			elog(ERROR, "agingos days_with_data: probed at another until");
		mctx->days = ag_engine_days_with_data(ctx->home_id, out->until, ctx->cfg->timezone);
		mctx->days_exact = true;
	}
	if (out->gate.days_with_data >= 0)
		out->gate.days_with_data = ctx->days;
	add_gating_keys(&dev.evidence, &ctx->cfg->rule[rule_index], &out->gate);
	res = pushJsonbValue(&dev.evidence, WJB_END_OBJECT, NULL);
	out->kind = AG_OUTCOME_DEVIATION;
	out->severity = dev.severity;
	out->title = dev.title;
	out->explanation = dev.explanation;
	out->evidence = JsonbValueToJsonb(res);
	out->window_since = dev.window_since;
	out->window_until = dev.window_until;
}

/* ag_engine_evaluate_home: see engine.h. */
void
ag_engine_evaluate_home(const char *home_id, TimestampTz since, TimestampTz until,
						TimestampTz now, uint32 rule_mask, AgEngineMode mode,
						AgRuleOutcome out[AG_NUM_RULES])
{
	AgHomeContext *ctx = ag_engine_prepare(home_id, since, until, now, rule_mask, mode);

	for (int i = 0; i < AG_NUM_RULES; i++)
	{
		ag_engine_eval_rule(ctx, i, &out[i]);
		CHECK_FOR_INTERRUPTS();
	}
}

/* ---- SQL-callable functions ---- */

/* instant_or_text: an argument instant for error details. */
static char *
instant_or_text(TimestampTz ts)
{
	if (TIMESTAMP_NOT_FINITE(ts))
		return pstrdup(TIMESTAMP_IS_NOBEGIN(ts) ? "-infinity" : "infinity");
	return ag_instant_text(ts);
}

/*
 * rule_ids_mask: the mask of rule_ids (contract 4): NULL = every rule,
 * '{}' = none; a NULL element or an unknown id raises 22023.
 */
static uint32
rule_ids_mask(ArrayType *arr)
{
	Datum *elems;
	bool  *nulls;
	int	   n;
	uint32 mask = 0;

	if (arr == NULL)
		return AG_RULE_MASK_ALL; /* the caller narrows window mode to AG_RULE_MASK_WINDOW_DEFAULT (D34) */
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		char *id;
		int	  idx;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("rule_ids must not contain null"),
					 errdetail("Element %d of rule_ids is null.", i + 1),
					 errhint("List rule ids such as 'R-001', or pass NULL for every rule.")));
		id = TextDatumGetCString(elems[i]);
		idx = ag_rule_index(id);
		if (idx < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("rule_ids: unknown rule id \"%s\"", id),
					 errdetail("The registered rules are R-001 to R-011."),
					 errhint("Write rule ids exactly as registered, for example 'R-004'.")));
		mask |= 1U << idx;
	}
	return mask;
}

/*
 * check_clock: the argument rules of contract 4 / rules.md 1.1 and 4:
 * now and home_id not null; since and until together or not at all; all
 * finite; since < until <= now.  Raises 22023.
 */
static void
check_clock(FunctionCallInfo fcinfo, bool *window_mode)
{
	TimestampTz since;
	TimestampTz until;
	TimestampTz now;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("now must not be null"),
				 errdetail("The evaluation instant is required."),
				 errhint("Omit now to use the current time, or pass a timestamptz.")));
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("home_id must not be null"),
				 errdetail("Every evaluation is for one home."),
				 errhint("Omit home_id for the home 'default', or pass its id.")));
	if (PG_ARGISNULL(0) != PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("since and until must be given together"),
				 errdetail("%s is null but %s is not.", PG_ARGISNULL(0) ? "since" : "until", PG_ARGISNULL(0) ? "until" : "since"),
				 errhint("Pass both since and until to evaluate a window, or neither for scheduler mode.")));
	now = PG_GETARG_TIMESTAMPTZ(2);
	*window_mode = !PG_ARGISNULL(0);
	since = *window_mode ? PG_GETARG_TIMESTAMPTZ(0) : now;
	until = *window_mode ? PG_GETARG_TIMESTAMPTZ(1) : now;
	if (TIMESTAMP_NOT_FINITE(now) || TIMESTAMP_NOT_FINITE(since) || TIMESTAMP_NOT_FINITE(until) ||
		(*window_mode && !(since < until && until <= now)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid evaluation window"),
				 errdetail("The window needs finite instants with since < until <= now; got since %s, until %s, now %s.",
						   *window_mode ? instant_or_text(since) : "null",
						   *window_mode ? instant_or_text(until) : "null",
						   instant_or_text(now)),
				 errhint("Pass since earlier than until, and until no later than now.")));
}

/* random_uuid: a version 4 UUID from pg_strong_random (gen_random_uuid semantics). */
static Datum
random_uuid(void)
{
	pg_uuid_t *uuid = palloc(UUID_LEN);

	if (!pg_strong_random(uuid->data, UUID_LEN))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random values for deviation_id")));
	uuid->data[6] = (uuid->data[6] & 0x0f) | 0x40;
	uuid->data[8] = (uuid->data[8] & 0x3f) | 0x80;
	return UUIDPGetDatum(uuid);
}

/*
 * put_deviation: one agingos.deviations_v1 row for a deviation outcome.
 * Columns are matched by name, so extra columns come out null.
 */
static void
put_deviation(ReturnSetInfo *rsinfo, const char *home_id, const AgRuleOutcome *o)
{
	TupleDesc desc = rsinfo->setDesc;
	Datum	 *values = palloc0(sizeof(Datum) * desc->natts);
	bool	 *nulls = palloc(sizeof(bool) * desc->natts);

	for (int i = 0; i < desc->natts; i++)
	{
		const char *name = NameStr(TupleDescAttr(desc, i)->attname);

		nulls[i] = false;
		if (strcmp(name, "deviation_id") == 0)
			values[i] = random_uuid();
		else if (strcmp(name, "home_id") == 0)
			values[i] = CStringGetTextDatum(home_id);
		else if (strcmp(name, "rule_id") == 0)
			values[i] = CStringGetTextDatum(o->rule_id);
		else if (strcmp(name, "timestamp") == 0)
			values[i] = TimestampTzGetDatum(o->now);
		else if (strcmp(name, "severity") == 0)
			values[i] = CStringGetTextDatum(ag_severity_name(o->severity));
		else if (strcmp(name, "title") == 0)
			values[i] = CStringGetTextDatum(o->title);
		else if (strcmp(name, "explanation") == 0)
			values[i] = CStringGetTextDatum(o->explanation);
		else if (strcmp(name, "evidence") == 0)
			values[i] = JsonbPGetDatum(o->evidence);
		else if (strcmp(name, "window_since") == 0)
			values[i] = TimestampTzGetDatum(o->window_since);
		else if (strcmp(name, "window_until") == 0)
			values[i] = TimestampTzGetDatum(o->window_until);
		else
			nulls[i] = true;
	}
	tuplestore_putvalues(rsinfo->setResult, desc, values, nulls);
}

/*
 * agingos_evaluate(since timestamptz, until timestamptz, now timestamptz,
 * home_id text, rule_ids text[]) RETURNS SETOF agingos.deviations_v1:
 * contract.md 4 and rules.md 4.  With since/until: the rules of rule_ids
 * (NULL = all) over [since, until); without: scheduler mode.  Rows in
 * rule-id order, random deviation_id, nothing written.  Argument errors
 * are 22023; a rule error aborts the call.
 */
Datum
agingos_evaluate(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	bool		   window_mode;
	uint32		   mask;
	char		  *home_id;
	AgRuleOutcome  out[AG_NUM_RULES];
	MemoryContext  cxt;
	MemoryContext  oldcxt;

	check_clock(fcinfo, &window_mode);
	mask = rule_ids_mask(PG_ARGISNULL(4) ? NULL : PG_GETARG_ARRAYTYPE_P(4));
	/* D34: window mode runs rules after R-010 only when rule_ids names them */
	if (window_mode && PG_ARGISNULL(4))
		mask &= AG_RULE_MASK_WINDOW_DEFAULT;
	home_id = text_to_cstring(PG_GETARG_TEXT_PP(3));
	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	if (mask == 0)
		return (Datum) 0;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "agingos evaluate", ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(cxt);
	ag_engine_evaluate_home(home_id,
							window_mode ? PG_GETARG_TIMESTAMPTZ(0) : 0,
							window_mode ? PG_GETARG_TIMESTAMPTZ(1) : 0,
							PG_GETARG_TIMESTAMPTZ(2), mask,
							window_mode ? AG_ENGINE_WINDOW : AG_ENGINE_SCHEDULER, out);
	for (int i = 0; i < AG_NUM_RULES; i++)
	{
		if (out[i].kind == AG_OUTCOME_DEVIATION)
			put_deviation(rsinfo, home_id, &out[i]);
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

/*
 * agingos_rule_truth(home_id text, now timestamptz) RETURNS TABLE(rule_id,
 * enabled_in_scheduler, evaluation_truth, gating_reason, days_with_data,
 * min_days_required): rules.md 2.2 per registered rule with until = now,
 * in rule-id order (contract.md 4).  NULL arguments raise 22023.
 */
Datum
agingos_rule_truth(PG_FUNCTION_ARGS)
{
	ReturnSetInfo  *rsinfo;
	const AgConfig *cfg;
	char		   *home_id;
	TimestampTz		now;
	int				days = -1;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be null", PG_ARGISNULL(0) ? "home_id" : "now"),
				 errdetail("agingos_rule_truth reports for one home at one instant."),
				 errhint("Omit the argument to use its default.")));
	home_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	now = PG_GETARG_TIMESTAMPTZ(1);
	if (TIMESTAMP_NOT_FINITE(now))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("now must be a finite timestamp"),
				 errdetail("now is %s.", instant_or_text(now)),
				 errhint("Pass a finite timestamptz, or omit now.")));
	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	cfg = ag_home_config(ag_config_current(), home_id);
	for (int i = 0; i < AG_NUM_RULES; i++)
	{
		AgGate g;
		Datum  values[7];
		bool   nulls[7] = {false, false, false, false, false, false, false};

		if (cfg->rule[i].requires_baseline && days < 0)
			days = ag_engine_days_with_data(home_id, now, cfg->timezone);
		if (!ag_engine_sensor_gate(cfg, home_id, i, &g))
			ag_engine_gate(cfg, i, days, &g);
		values[0] = CStringGetTextDatum(ag_rules[i].id);
		values[1] = BoolGetDatum(cfg->rule[i].enabled_in_scheduler);
		values[2] = CStringGetTextDatum(g.evaluation_truth);
		nulls[3] = (g.gating_reason == NULL);
		values[3] = nulls[3] ? (Datum) 0 : CStringGetTextDatum(g.gating_reason);
		nulls[4] = (g.days_with_data < 0);
		values[4] = Int32GetDatum(g.days_with_data);
		nulls[5] = (g.min_days_required < 0);
		values[5] = Int32GetDatum(g.min_days_required);
		nulls[6] = (g.missing_sensor == NULL);
		values[6] = nulls[6] ? (Datum) 0 : CStringGetTextDatum(g.missing_sensor);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
