/*-------------------------------------------------------------------------
 * engine.h
 *	  The rule engine: evaluates the rules R-001 ... R-010 for one home and
 *	  one clock (rules.md sections 1.1, 2 and 4; design.md "engine").
 *
 *	  Per home the engine does a bounded set of indexed queries, all
 *	  through SPI plans prepared once per backend:
 *	    - ONE range scan of agingos.events on (home_id, "timestamp") over
 *	      the union (hull) of the ranges the selected, ungated rules read,
 *	      clipped to ts < now, in EVENT ORDER;
 *	    - days_with_data (rules.md 2.1), only when a selected rule has
 *	      requires_baseline: one EXISTS probe per local calendar date of
 *	      [until - 28 days, until) (at most 30 probes);
 *	    - the latest visible event per liveness category (R-009 and the
 *	      liveness gate, 2.4), only when a rule needs it: one
 *	      ORDER BY "timestamp" DESC LIMIT 1 probe per category on
 *	      (home_id, category, "timestamp"), R-009's stream filter applied.
 *	  Rules then run as pure functions over the same in-memory array.
 *
 *	  Use from the scheduler (failure isolation per rule, rules.md 5):
 *
 *		ctx = ag_engine_prepare(home, 0, 0, now, AG_RULE_MASK_ALL,
 *								AG_ENGINE_SCHEDULER);	-- SPI; may throw
 *		for (i = 0; i < AG_NUM_RULES; i++)
 *			if (ctx->selected & (1U << i))
 *				-- in a subtransaction per rule:
 *				ag_engine_eval_rule(ctx, i, &outcome);	-- no SPI
 *
 *	  Everything lives as long as CurrentMemoryContext at the time of the
 *	  call; callers run each home in a child context and reset it.  (The
 *	  events array and its strings sit in a per-backend buffer that is
 *	  lent to that context and comes back when it is reset or deleted;
 *	  see engine_fetch.c.)
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_ENGINE_H
#define AGINGOS_ENGINE_H

#include "postgres.h"

#include "executor/spi.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "agingos.h"
#include "config.h"
#include "rules/rule.h"

/*
 * AgEngineMode: which rules and which clock (rules.md section 4).
 *	 AG_ENGINE_WINDOW: every rule of the mask over [since, until), whatever
 *	   enabled_in_scheduler says (on-demand evaluation with since/until).
 *	 AG_ENGINE_SCHEDULER: rules of the mask with enabled_in_scheduler, each
 *	   over [now - lookback_minutes(rule), now); since/until are ignored
 *	   (scheduler tick and on-demand scheduler mode).
 */
typedef enum AgEngineMode
{
	AG_ENGINE_WINDOW,
	AG_ENGINE_SCHEDULER
} AgEngineMode;

/* AgOutcomeKind: what one rule evaluation produced. */
typedef enum AgOutcomeKind
{
	AG_OUTCOME_NOT_SELECTED = 0, /* not in the mask / not enabled (scheduler) */
	AG_OUTCOME_GATED,			 /* gating said "not evaluated" (2.2 rows 1, 3) */
	AG_OUTCOME_NONE,			 /* evaluated, no deviation */
	AG_OUTCOME_DEVIATION		 /* evaluated, one deviation */
} AgOutcomeKind;

/*
 * AgGate: the gating decision of rules.md 2.2 and the gating keys of 2.3.
 * days_with_data / min_days_required are -1 for SQL null (no baseline).
 */
typedef struct AgGate
{
	bool		evaluated;
	const char *evaluation_truth; /* FULLY_EVALUATED, DEFAULT_PROFILE, WEAK_BASIS, NOT_EVALUATED */
	const char *gating_reason;	  /* NULL, insufficient_history_days, default_profile_window, profile_missing */
	bool		uses_default_profile;
	int			days_with_data;
	int			min_days_required;
	const char *missing_sensor; /* NOT_APPLICABLE (D32): the sensor the home never sent; else NULL */
} AgGate;

/*
 * AgRuleOutcome: the result for one rule.  The deviation fields are set
 * only for AG_OUTCOME_DEVIATION; evidence already holds the gating keys.
 * The deviation timestamp is now (D7).
 */
typedef struct AgRuleOutcome
{
	const char	 *rule_id;
	AgOutcomeKind kind;
	AgGate		  gate;
	TimestampTz	  since; /* the evaluation window used */
	TimestampTz	  until;
	TimestampTz	  now;
	AgSeverity	  severity;
	const char	 *title;
	char		 *explanation;
	Jsonb		 *evidence;
	TimestampTz	  window_since;
	TimestampTz	  window_until;
} AgRuleOutcome;

/*
 * AgHomeContext: one home at one clock, prepared by ag_engine_prepare:
 * the fetched events (EVENT ORDER), the per-home facts and each selected
 * rule's window and gate.  Read-only for callers.
 */
typedef struct AgHomeContext
{
	const AgConfig *cfg;
	char		   *home_id;
	TimestampTz		now;
	uint32			selected; /* bit i: rule i runs in this mode */
	TimestampTz		since[AG_NUM_RULES];
	TimestampTz		until[AG_NUM_RULES];
	AgGate			gate[AG_NUM_RULES];
	AgEvent		   *events;
	int				nevents;
	AgTimeRange		fetched; /* range of the one events scan (empty if none) */
	AgHomeFacts		facts;
	/*
	 * days_with_data as probed for the gates: days (at until days_until) is
	 * exact when days_exact, else only known to be >= every selected rule's
	 * min_days_with_data; ag_engine_eval_rule completes it (once) when a
	 * deviation's evidence needs the figure.
	 */
	bool		have_days;
	bool		days_exact;
	int			days;
	TimestampTz days_until;
} AgHomeContext;

/*
 * ag_engine_prepare: select the rules (mask bit i = rule R-00(i+1), see
 * AgEngineMode), compute windows and gates, then fetch events and facts
 * with the bounded queries described above.  In AG_ENGINE_WINDOW mode the
 * caller has checked since < until <= now (rules.md 1.1).  Uses SPI
 * (connects itself); raises on query failure.
 */
extern AgHomeContext *ag_engine_prepare(const char *home_id, TimestampTz since,
										TimestampTz until, TimestampTz now,
										uint32 rule_mask, AgEngineMode mode);

/*
 * ag_engine_eval_rule: run rule rule_index (0-based) of a prepared context
 * and fill *out.  A rule error propagates as an ereport, so the scheduler
 * can wrap this call in a subtransaction per rule.  No SPI, except the one
 * exact days_with_data probe when the deviation of a requires_baseline
 * rule needs the figure and the gates only probed up to their cap.
 */
extern void ag_engine_eval_rule(const AgHomeContext *ctx, int rule_index,
								AgRuleOutcome *out);

/*
 * ag_engine_evaluate_home: ag_engine_prepare + ag_engine_eval_rule for
 * every rule; out[i] is rule i's outcome (AG_OUTCOME_NOT_SELECTED when it
 * did not run).  Any error aborts the whole call (on-demand, rules.md 4).
 */
extern void ag_engine_evaluate_home(const char *home_id, TimestampTz since,
									TimestampTz until, TimestampTz now,
									uint32 rule_mask, AgEngineMode mode,
									AgRuleOutcome out[AG_NUM_RULES]);

/*
 * ag_engine_gate: rules.md 2.2 for rule_index with the given
 * days_with_data (ignored unless the rule has requires_baseline).
 */
extern void ag_engine_gate(const AgConfig *cfg, int rule_index,
						   int days_with_data, AgGate *out);

/*
 * The per-home queries (engine_fetch.c, engine_probe.c), for
 * ag_engine_prepare.  The caller is connected to SPI; mcxt is the context
 * the results must live as long as (the caller's context before
 * SPI_connect).
 *
 * ag_engine_fetch_events: the home's events with ts in [from, to) in EVENT
 * ORDER (rules.md 1.3) into ctx->events / nevents, with the payload
 * detoasted and room_id (null -> "") as ROOM; sets ctx->fetched.
 *
 * ag_engine_fetch_liveness: the latest visible event (ts < now) of each
 * category in cats, R-009's stream filter applied, into ctx->facts.
 */
extern void ag_engine_fetch_events(AgHomeContext *ctx, MemoryContext mcxt,
								   TimestampTz from, TimestampTz to);
extern void ag_engine_fetch_liveness(AgHomeContext *ctx, MemoryContext mcxt,
									 const AgStrList *cats);

/* ag_engine_fetch_profile: the home's agingos.home_profile rows (docs/alarm-quality.md). */
extern void ag_engine_fetch_profile(AgHomeContext *ctx, MemoryContext mcxt);

/*
 * ag_engine_days_with_data: rules.md 2.1: distinct local dates (zone
 * tzname) of the home's events with ts in [until - 28 days, until), with
 * at most 30 index probes.  Uses SPI (connects itself).
 */
extern int ag_engine_days_with_data(const char *home_id, TimestampTz until,
									const char *tzname);

/*
 * ag_engine_days_with_data_capped: the same count, but the probes (latest
 * date first) stop once cap dates with data are found: exact when the
 * result is below cap, "at least cap" otherwise (cap <= 0: no cap).  The
 * gate only needs days >= min_days_with_data; the exact figure is needed
 * only for a produced deviation's evidence (docs/bench.md "days_with_data").
 */
extern int ag_engine_days_with_data_capped(const char *home_id, TimestampTz until,
										   const char *tzname, int cap);

/*
 * ag_engine_plan: the SPI plan in *slot, prepared from sql with
 * cursor_options and kept on first use (style.md 2.6).  Caller is
 * connected to SPI.  For engine_fetch.c and engine_probe.c.
 */
extern SPIPlanPtr ag_engine_plan(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes, int cursor_options);

/* ag_engine_home_has_sensor: see engine_probe.c (rules.md D32). */
extern bool ag_engine_home_has_sensor(const char *home_id, const AgStrList *cats,
									  const char *room);

/*
 * ag_engine_sensor_gate: rules.md D32 before row 1 of 2.2: when the rule
 * has requires_sensors and the home never sent its sensor, *out becomes
 * NOT_APPLICABLE (gating reason missing_sensor, the sensor named) and the
 * result is true.  Uses SPI (connects itself).
 */
extern bool ag_engine_sensor_gate(const AgConfig *cfg, const char *home_id, int rule_index,
								  AgGate *out);

#endif /* AGINGOS_ENGINE_H */
