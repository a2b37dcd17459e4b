/*-------------------------------------------------------------------------
 * tick.c
 *	  The scheduler tick's home loop (docs/spec/rules.md section 5), all in
 *	  C: agingos_tick_homes(now, run_id, bucket, buckets) visits the homes of
 *	  one bucket (or every home) in home_id order and, per home, in one
 *	  subtransaction: refreshes the personal profile when due, evaluates the
 *	  scheduler-enabled rules (one events fetch, engine.h) with failure
 *	  isolation, upserts each produced deviation in its own subtransaction,
 *	  then closes stale rows and runs the due notifications in one
 *	  statement.  The SQL wrapper (src/sql/code/50_lifecycle.sql,
 *	  agingos_scheduler_run) takes the locks, writes the scheduler_runs row
 *	  and the LOG line; docs/scheduler.md describes the buckets.
 *
 *	  Failure isolation (rules.md section 5 step 1, D18 in
 *	  docs/spec/decisions.md): the rules of a home first run together in one
 *	  subtransaction; only when one of them raises are they run again one
 *	  subtransaction each (same outcomes: the rules are pure).
 *
 *	  agingos_tick_evaluate(home_id, now) shows what the loop evaluates for
 *	  one home, as rows (for inspection; the loop does not call it).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "config.h"
#include "engine.h"
#include "rules/rule.h"
#include "util.h"

PG_FUNCTION_INFO_V1(agingos_tick_evaluate);
PG_FUNCTION_INFO_V1(agingos_tick_homes);

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
 * evaluate_home: the scheduler-enabled rules of home_id at now, with
 * failure isolation: out[i] / res[i] for every rule i with
 * enabled_in_scheduler (res[i].failed when rule i, or the home's events
 * fetch, raised).  Never raises for a rule's error.
 */
static void
evaluate_home(const AgConfig *cfg, const char *home_id, TimestampTz now,
			  AgRuleOutcome out[AG_NUM_RULES], TickResult res[AG_NUM_RULES])
{
	AgHomeContext *ctx;
	TickResult	   prep = {0};
	bool		   all_ok = false;

	memset(out, 0, sizeof(AgRuleOutcome) * AG_NUM_RULES);
	ctx = prepare_protected(home_id, now, &prep);
	if (ctx != NULL)
		all_ok = eval_all_protected(cfg, ctx, out);
	for (int i = 0; i < AG_NUM_RULES; i++)
	{
		res[i] = prep;
		if (!cfg->rule[i].enabled_in_scheduler || all_ok)
			continue;
		memset(&out[i], 0, sizeof(AgRuleOutcome));
		if (ctx != NULL)
			eval_protected(ctx, i, &out[i], &res[i]);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * agingos_tick_evaluate(home_id text, now timestamptz)
 *	 → SETOF (rule_id, outcome, severity, title, explanation, evidence,
 *			  window_since, window_until, error_sqlstate, error_message,
 *			  expire_after_minutes)
 * One row per scheduler-enabled rule (enabled_in_scheduler), in rule-id
 * order, evaluated over [now - lookback_minutes, now) (rules.md 4), as the
 * tick's home loop evaluates it; writes nothing.
 * outcome: 'deviation' (the deviation columns are set), 'none', 'gated'
 * (gating said not evaluated; counts as ok) or 'failed' (the rule, or the
 * home's events fetch, raised: error_* say what; nothing of it is kept).
 * Never raises for a rule error; raises 22023 only for NULL arguments.
 */
Datum
agingos_tick_evaluate(PG_FUNCTION_ARGS)
{
	ReturnSetInfo  *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const AgConfig *cfg;
	AgRuleOutcome	out[AG_NUM_RULES];
	TickResult		res[AG_NUM_RULES];

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("home_id and now are required"),
				 errhint("Call agingos_tick_evaluate(home_id, now) with both arguments.")));
	InitMaterializedSRF(fcinfo, 0);
	cfg = ag_config_current();
	evaluate_home(cfg, text_to_cstring(PG_GETARG_TEXT_PP(0)), PG_GETARG_TIMESTAMPTZ(1), out, res);
	for (int i = 0; i < AG_NUM_RULES; i++)
		if (cfg->rule[i].enabled_in_scheduler)
			put_row(rsinfo, cfg, i, &out[i], &res[i]);
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * The home loop
 * ---------------------------------------------------------------------
 */

/* The counters of one loop: the fields of contract.md section 4's summary. */
typedef struct TickCounts
{
	int homes, total, ok, failed, upserted, opened, closed;
} TickCounts;

/* One home of the loop: its id and the last day its profile learned. */
typedef struct TickHome
{
	char   *home_id;
	bool	has_day;
	DateADT last_day;
} TickHome;

/* The statements of the loop, prepared once per backend and kept. */
static SPIPlanPtr homes_plan, refresh_plan, upsert_plan, after_plan;

/*
 * The homes of bucket $1 of $2 in home_id order ($1 NULL: every home),
 * among the ids $3 when $3 is not NULL (a run over named homes, e.g. the
 * simulator's), each with the last local day its profile learned (NULL:
 * none; see profile_due).  A home's bucket is agingos_tick_slot(home_id) %
 * buckets (50_lifecycle.sql).
 */
static const char *const homes_sql =
	"SELECT h.home_id, (SELECT max(p.day) FROM agingos.home_profile_days p WHERE p.home_id = h.home_id)"
	" FROM agingos.homes h"
	" WHERE ($1::int IS NULL OR agingos.agingos_tick_slot(h.home_id) % $2::int = $1::int)"
	" AND ($3::text[] IS NULL OR h.home_id = ANY ($3::text[]))"
	" ORDER BY h.home_id";
static const char *const refresh_sql =
	"SELECT agingos.agingos_profile_maybe_refresh($1, $2)";
static const char *const upsert_sql =
	"SELECT agingos.agingos_upsert_deviation($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) = 'inserted'";
/*
 * Steps 3 and the notifications of one home in one statement: both calls
 * change nothing for a home without active deviations / active contacts,
 * so the EXISTS spare them in the common case (docs/bench.md section 14).
 */
static const char *const after_sql =
	"SELECT CASE WHEN EXISTS (SELECT 1 FROM agingos.deviations x WHERE x.home_id = $1 AND x.status IN ('OPEN', 'ACK'))"
	"            THEN agingos.agingos_close_stale($1, $2, $3) ELSE 0 END,"
	"       CASE WHEN EXISTS (SELECT 1 FROM agingos.contacts x WHERE x.home_id = $1 AND x.active)"
	"            THEN agingos.agingos_notify_due($1, $2) IS NULL END";

/*
 * keep_plan: prepare sql once per backend (kept by SPI), back in the
 * caller's memory context (see exec_plan).
 */
static SPIPlanPtr
keep_plan(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes)
{
	if (*slot == NULL)
	{
		MemoryContext cxt = CurrentMemoryContext;
		SPIPlanPtr	  plan = SPI_prepare(sql, nargs, argtypes);

		MemoryContextSwitchTo(cxt);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*slot = plan;
	}
	return *slot;
}

/*
 * exec_plan: run a kept plan with values (no NULLs unless nulls given) and
 * return to the caller's memory context: SPI leaves its own procedure
 * context current, and the engine's per-home memory (its events arena is
 * lent to the context it is prepared in) must stay in the home's context,
 * which is reset after each home.
 */
static void
exec_plan(SPIPlanPtr plan, Datum *values, const char *nulls, const char *what)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			  rc = SPI_execute_plan(plan, values, nulls, false, 0);

	MemoryContextSwitchTo(cxt);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "agingos tick %s failed: %s", what, SPI_result_code_string(rc));
}

/* first_bool / first_int: column col of the first result row (NULL → def). */
static int
first_int(int col, int def)
{
	bool  isnull;
	Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? def : DatumGetInt32(d);
}

/*
 * log_rule_error: the contract.md section 9 line of a failed rule (rule_id
 * "*" when the home as a whole failed); home_id and message as JSON strings.
 */
static void
log_rule_error(int64 run_id, const char *home_id, const char *rule_id, const char *sqlstate, const char *message)
{
	StringInfoData b;

	initStringInfo(&b);
	appendStringInfo(&b, "agingos rule_engine error run_id=" INT64_FORMAT " home_id=", run_id);
	ag_append_json_string(&b, home_id);
	appendStringInfo(&b, " rule_id=%s sqlstate=%s message=", rule_id, sqlstate);
	ag_append_json_string(&b, message);
	ag_log_line(b.data);
	pfree(b.data);
}

/*
 * upsert_protected: rules.md section 5 step 2 for rule i's deviation in its
 * own subtransaction; on error *res says why (the rule then counts as
 * failed and its rows are not closed in this tick, D18).
 */
static void
upsert_protected(const AgConfig *cfg, const char *home_id, TimestampTz now, int i,
				 const AgRuleOutcome *out, TickResult *res, TickCounts *c)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	static Oid	  types[10] = {TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID,
							   TEXTOID, JSONBOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		  v[10];

	v[0] = CStringGetTextDatum(home_id);
	v[1] = CStringGetTextDatum(ag_rules[i].id);
	v[2] = CStringGetTextDatum(cfg->scheduler_default_subject_key);
	v[3] = TimestampTzGetDatum(now);
	v[4] = CStringGetTextDatum(ag_severity_name(out->severity));
	v[5] = CStringGetTextDatum(out->title);
	v[6] = CStringGetTextDatum(out->explanation);
	v[7] = JsonbPGetDatum(out->evidence);
	v[8] = TimestampTzGetDatum(out->window_since);
	v[9] = TimestampTzGetDatum(out->window_until);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		bool inserted;

		exec_plan(keep_plan(&upsert_plan, upsert_sql, 10, types), v, NULL, "upsert");
		inserted = first_int(1, 0) != 0;
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		c->upserted++;
		if (inserted)
			c->opened++;
	}
	PG_CATCH();
	{
		catch_error(res, cxt, owner);
	}
	PG_END_TRY();
}

/*
 * profile_due: whether agingos_profile_maybe_refresh must be called for a
 * home whose last learned local day is last_day (has_day false: none).  Its
 * own first steps, taken here without a statement (docs/bench.md section
 * 15): nothing to learn when no rule has baseline personal, or when the
 * last learned day is the day before now's local date in the config's
 * timezone.  Every other case (a home with its own timezone, a day to
 * learn, the clock gone back) is the function's to judge.  last_day is read
 * by the tick's homes query; only ticks (one per home at a time, slot
 * locks) and agingos_profile_refresh write home_profile_days.
 */
static bool
profile_due(const AgConfig *cfg, TimestampTz now, bool has_day, DateADT last_day)
{
	bool	personal = false;
	AgLocal today;

	for (int i = 0; i < AG_NUM_RULES; i++)
		personal |= cfg->rule[i].baseline == AG_BASELINE_PERSONAL;
	if (!personal)
		return false;
	if (!has_day)
		return true;
	ag_local(now, ag_tz_lookup(cfg->timezone), &today);
	return last_day != (DateADT) (today.jdate - POSTGRES_EPOCH_JDATE - 1);
}

/*
 * tick_one_home: rules.md section 5 for one home; its writes stand or fall
 * together (the caller's subtransaction).  Adds to *c and returns the
 * number of rules it judged (*h_total, kept by the caller for the
 * whole-home failure count).
 */
static void
tick_one_home(const AgConfig *cfg, const char *home_id, const TickHome *th, TimestampTz now, int64 run_id,
			  TickCounts *c, volatile int *h_total)
{
	static Oid	  ht[2] = {TEXTOID, TIMESTAMPTZOID};
	static Oid	  at[3] = {TEXTOID, TIMESTAMPTZOID, TEXTARRAYOID};
	AgRuleOutcome out[AG_NUM_RULES];
	TickResult	  res[AG_NUM_RULES];
	TickCounts	  h = {0};
	Datum		  v[3];
	Datum		 *failed = palloc(sizeof(Datum) * AG_NUM_RULES);
	int			  nfailed = 0;

	v[0] = CStringGetTextDatum(home_id);
	v[1] = TimestampTzGetDatum(now);
	/* personal baselines, once a local day (docs/alarm-quality.md) */
	if (profile_due(cfg, now, th->has_day, th->last_day))
		exec_plan(keep_plan(&refresh_plan, refresh_sql, 2, ht), v, NULL, "profile refresh");
	evaluate_home(cfg, home_id, now, out, res);
	for (int i = 0; i < AG_NUM_RULES; i++)
	{
		if (!cfg->rule[i].enabled_in_scheduler)
			continue;
		(*h_total)++;
		if (!res[i].failed && out[i].kind == AG_OUTCOME_DEVIATION)
			upsert_protected(cfg, home_id, now, i, &out[i], &res[i], &h);
		if (res[i].failed)
		{
			failed[nfailed++] = CStringGetTextDatum(ag_rules[i].id);
			h.failed++;
			log_rule_error(run_id, home_id, ag_rules[i].id, res[i].sqlstate, res[i].message);
		}
		else
			h.ok++;
	}
	v[2] = PointerGetDatum(construct_array(failed, nfailed, TEXTOID, -1, false, TYPALIGN_INT));
	exec_plan(keep_plan(&after_plan, after_sql, 3, at), v, NULL, "close stale");
	h.closed = first_int(1, 0);
	c->upserted += h.upserted;
	c->opened += h.opened;
	c->ok += h.ok;
	c->failed += h.failed;
	c->closed += h.closed;
}

/*
 * home_protected: tick_one_home in a subtransaction; when the home as a
 * whole fails (profile refresh, close or notifications raised) its rows
 * stay as they were, its rules count as failed (at least one) and one
 * rule_engine error line with rule_id=* is logged.
 */
static void
home_protected(const AgConfig *cfg, const TickHome *th, TimestampTz now, int64 run_id, TickCounts *c)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile int  h_total = 0;
	TickCounts	  h = {0};

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		tick_one_home(cfg, th->home_id, th, now, run_id, &h, &h_total);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		c->upserted += h.upserted;
		c->opened += h.opened;
		c->ok += h.ok;
		c->failed += h.failed;
		c->closed += h.closed;
	}
	PG_CATCH();
	{
		TickResult err = {0};

		catch_error(&err, cxt, owner);
		c->failed += Max(h_total, 1);
		log_rule_error(run_id, th->home_id, "*", err.sqlstate, err.message);
	}
	PG_END_TRY();
	c->total += h_total;
	c->homes++;
}

/*
 * agingos_tick_homes(now timestamptz, run_id bigint, bucket int, buckets int,
 *					  home_ids text[])
 *	 → (homes, rules_total, rules_ok, rules_failed, deviations_upserted,
 *		deviations_opened, deviations_closed) integers
 * The home loop of one scheduler run (rules.md section 5): every row of
 * agingos.homes when bucket is NULL, else the homes with
 * agingos_tick_slot(home_id) % buckets = bucket, in home_id order; only
 * those among home_ids when home_ids is not NULL (docs/scheduler.md
 * "Runs over named homes").  run_id
 * goes into the rule_engine error lines (contract.md section 9).  The
 * caller holds the advisory locks of those homes' slots
 * (agingos_scheduler_run).  Raises 22023 for NULL now or run_id, or a
 * bucket outside [0, buckets); an error outside every home (e.g. the
 * config cannot be read) propagates.
 */
Datum
agingos_tick_homes(PG_FUNCTION_ARGS)
{
	static Oid		bt[3] = {INT4OID, INT4OID, TEXTARRAYOID};
	TimestampTz		now;
	int64			run_id;
	const AgConfig *cfg;
	TickCounts		c = {0};
	TupleDesc		desc;
	Datum			hv[3];
	char			hn[3] = {' ', ' ', ' '};
	Datum			r[7];
	bool			rn[7] = {false, false, false, false, false, false, false};
	MemoryContext	outer = CurrentMemoryContext;
	MemoryContext	home_cxt;
	TickHome	   *homes;
	uint64			n;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("now and run_id are required"),
				 errhint("Call agingos_tick_homes(now, run_id, bucket, buckets); agingos_scheduler_tick() does.")));
	now = PG_GETARG_TIMESTAMPTZ(0);
	run_id = PG_GETARG_INT64(1);
	if (!PG_ARGISNULL(2))
	{
		int b = PG_GETARG_INT32(2);
		int nb = PG_ARGISNULL(3) ? 0 : PG_GETARG_INT32(3);

		if (nb < 1 || b < 0 || b >= nb)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("bucket must be in [0, buckets)"),
					 errdetail("bucket = %d, buckets = %d.", b, nb),
					 errhint("Pass buckets >= 1 and 0 <= bucket < buckets, or bucket NULL for every home.")));
		hv[0] = Int32GetDatum(b), hv[1] = Int32GetDatum(nb);
	}
	else
		hv[0] = hv[1] = (Datum) 0, hn[0] = hn[1] = 'n';
	if (PG_NARGS() > 4 && !PG_ARGISNULL(4))
		hv[2] = PG_GETARG_DATUM(4);
	else
		hv[2] = (Datum) 0, hn[2] = 'n';
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "agingos_tick_homes must return a record");
	cfg = ag_config_current();

	SPI_connect();
	/* the home ids, copied out of SPI's memory first */
	if (SPI_execute_plan(keep_plan(&homes_plan, homes_sql, 3, bt), hv, hn, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "agingos tick homes query failed");
	n = SPI_processed;
	homes = MemoryContextAlloc(outer, sizeof(TickHome) * Max(n, 1));
	for (uint64 k = 0; k < n; k++)
	{
		bool  isnull;
		Datum d = SPI_getbinval(SPI_tuptable->vals[k], SPI_tuptable->tupdesc, 2, &isnull);

		homes[k].home_id = MemoryContextStrdup(outer, SPI_getvalue(SPI_tuptable->vals[k], SPI_tuptable->tupdesc, 1));
		homes[k].has_day = !isnull;
		homes[k].last_day = isnull ? 0 : DatumGetDateADT(d);
	}
	SPI_freetuptable(SPI_tuptable);

	/*
	 * One context per home, reset after it.  Its first block (16 MB, more
	 * than the 8.6 MB a home of 5,000 events a day uses) survives the resets: with
	 * default block sizes each reset gave the memory back to malloc, which
	 * in a fresh backend (every pg_cron run) returned it to the kernel, and
	 * the next home paid the page faults again (docs/bench.md section 14).
	 */
	home_cxt = AllocSetContextCreate(outer, "agingos tick home", 16 * 1024 * 1024, 16 * 1024 * 1024, 16 * 1024 * 1024);
	for (uint64 k = 0; k < n; k++)
	{
		MemoryContext old = MemoryContextSwitchTo(home_cxt);

		home_protected(cfg, &homes[k], now, run_id, &c);
		MemoryContextSwitchTo(old);
		MemoryContextReset(home_cxt);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_finish();
	MemoryContextDelete(home_cxt);

	r[0] = Int32GetDatum(c.homes);
	r[1] = Int32GetDatum(c.total);
	r[2] = Int32GetDatum(c.ok);
	r[3] = Int32GetDatum(c.failed);
	r[4] = Int32GetDatum(c.upserted);
	r[5] = Int32GetDatum(c.opened);
	r[6] = Int32GetDatum(c.closed);
	desc = BlessTupleDesc(desc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, r, rn)));
}
