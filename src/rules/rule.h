/*-------------------------------------------------------------------------
 * rule.h
 *	  The interface between the rule engine (src/engine.c) and the ten
 *	  rules R-001 ... R-010 (rules.md section 3), plus the shared helpers of
 *	  src/rules/common.c (payload access 1.4, time 1.5/1.6, output 1.7).
 *
 *	  A rule is a pure function: it reads the events array the engine
 *	  fetched, the clock (since, until, now), its effective params from
 *	  AgConfig and the per-home facts (latest liveness events).  It never
 *	  touches SPI, never calls now(), and yields zero or one deviation.
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_RULE_H
#define AGINGOS_RULE_H

#include "postgres.h"

#include "pgtime.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "agingos.h"
#include "config.h"

/* One minute / hour in TimestampTz units (microseconds), rules.md 1.5. */
#define AG_USECS_PER_MINUTE ((int64) 60 * USECS_PER_SEC)
#define AG_USECS_PER_HOUR ((int64) 3600 * USECS_PER_SEC)

/* Rule indexes: rule R-00(i+1) has index i; masks use bit i. */
#define AG_RULE_R001 0
#define AG_RULE_R002 1
#define AG_RULE_R003 2
#define AG_RULE_R004 3
#define AG_RULE_R005 4
#define AG_RULE_R006 5
#define AG_RULE_R007 6
#define AG_RULE_R008 7
#define AG_RULE_R009 8
#define AG_RULE_R010 9
#define AG_RULE_R011 10
#define AG_RULE_MASK_ALL ((uint32) ((1U << AG_NUM_RULES) - 1))
/* Window mode without rule_ids: R-001 ... R-010 only; later rules run when named (D34). */
#define AG_RULE_MASK_WINDOW_DEFAULT ((uint32) ((1U << (AG_RULE_R010 + 1)) - 1))

/* A half-open instant range [from, to); empty when from >= to. */
typedef struct AgTimeRange
{
	TimestampTz from;
	TimestampTz to;
} AgTimeRange;

/*
 * AgLivenessFact: the latest visible event (ts < now, any age) of one
 * category, with R-009's stream filter applied (rules.md 3.9 step 1).
 */
typedef struct AgLivenessFact
{
	const char *category;
	bool		found;
	TimestampTz ts;
} AgLivenessFact;

/*
 * AgHomeFacts: bounded per-home lookups the engine does besides the one
 * events fetch.  Rules read them as plain input data.
 */
/*
 * AgHomeProfile: the home's learned profile (agingos.home_profile,
 * docs/alarm-quality.md "Personal baselines"), read by the engine only when a
 * selected rule has baseline personal: rows (metric, key, value) sorted by
 * metric, key.  wake_minute < 0: not learned.
 */
typedef struct AgHomeProfile
{
	bool		 loaded;
	int			 days;		  /* local dates with events behind the profile */
	int			 wake_minute; /* usual wake-up (quantile 0.9), local minute of day */
	int			 n;
	const char **metric;
	const char **key;
	int			*value;
	int			*samples; /* samples behind value (outings for outing_minutes) */
} AgHomeProfile;

typedef struct AgHomeFacts
{
	bool			liveness_known; /* false: no probe was made (no rule needs it) */
	int				nliveness;
	AgLivenessFact *liveness; /* one per probed category */
	AgHomeProfile	profile;
} AgHomeFacts;

/*
 * AgRuleInput: everything a rule may read.  events[0 .. nevents-1] are the
 * home's visible events (ts < now) in EVENT ORDER covering at least the
 * range the rule declared; they may cover more (the union of all rules'
 * ranges), so a rule filters by its own bounds.
 */
typedef struct AgRuleInput
{
	const AgConfig	  *cfg;
	const AgEvent	  *events;
	int				   nevents;
	TimestampTz		   since;
	TimestampTz		   until;
	TimestampTz		   now;
	const AgHomeFacts *facts;
} AgRuleInput;

/*
 * AgDeviation: what a rule that fires fills in.  evidence is an open jsonb
 * object (WJB_BEGIN_OBJECT pushed by ag_dev_begin); the rule adds its keys
 * (rules.md section 3), the engine adds the gating keys (2.3) and closes it.
 */
typedef struct AgDeviation
{
	AgSeverity		 severity;
	const char		*title;
	char			*explanation;
	TimestampTz		 window_since;
	TimestampTz		 window_until;
	JsonbParseState *evidence;
} AgDeviation;

/* Title and explanation of one rule in both locales (rules.md 3.x tables). */
typedef struct AgRuleTexts
{
	const char *title_nb;
	const char *explanation_nb;
	const char *title_en;
	const char *explanation_en;
} AgRuleTexts;

/*
 * AgRuleRangeFn: the instant range whose events the rule reads, given the
 * clock and the config.  The engine clips it to ts < now.  An empty range
 * means the rule reads no events from the array.
 */
typedef void (*AgRuleRangeFn)(const AgConfig *cfg, TimestampTz since,
							  TimestampTz until, TimestampTz now,
							  AgTimeRange *range);

/* AgRuleEvalFn: true and *dev filled when the rule fires, else false. */
typedef bool (*AgRuleEvalFn)(const AgRuleInput *in, AgDeviation *dev);

typedef struct AgRuleDef
{
	const char		  *id; /* "R-001" ... */
	AgRuleRangeFn	   range;
	AgRuleEvalFn	   eval;
	const AgRuleTexts *texts;
} AgRuleDef;

/* registry.c */
extern const AgRuleDef ag_rules[AG_NUM_RULES];
extern int			   ag_rule_index(const char *id);

/* Per-rule entry points (src/rules/rNNN_*.c). */
#define AG_DECLARE_RULE(n)                                                               \
	extern const AgRuleTexts ag_rule_##n##_texts;                                        \
	extern void				 ag_rule_##n##_range(const AgConfig *cfg, TimestampTz since, \
												 TimestampTz until, TimestampTz now,     \
												 AgTimeRange *range);                    \
	extern bool				 ag_rule_##n##_eval(const AgRuleInput *in, AgDeviation *dev)

AG_DECLARE_RULE(r001);
AG_DECLARE_RULE(r002);
AG_DECLARE_RULE(r003);
AG_DECLARE_RULE(r004);
AG_DECLARE_RULE(r005);
AG_DECLARE_RULE(r006);
AG_DECLARE_RULE(r007);
AG_DECLARE_RULE(r008);
AG_DECLARE_RULE(r009);
AG_DECLARE_RULE(r010);
AG_DECLARE_RULE(r011);

/* ---- common.c: payload access (rules.md 1.4) ---- */

/* The fixed STATE key list ["state", "value"]. */
extern const AgStrList ag_state_keys_default;

extern bool ag_fold_eq(const char *a, const char *b);
extern bool ag_strlist_has(const AgStrList *list, const char *s);
extern bool ag_strlist_has_fold(const AgStrList *list, const char *s);
extern bool ag_payload_first(Jsonb *payload, const AgStrList *keys, char **text);
extern bool ag_state_is(Jsonb *payload, const AgStrList *keys, const char *value);
extern bool ag_state_in(Jsonb *payload, const AgStrList *keys, const AgStrList *values);
extern bool ag_active(Jsonb *payload, const AgStrList *keys, const char *on);

/* ---- common.c: time (rules.md 1.5, 1.6) ---- */

/* AgLocal: LOCAL(ts) as Julian day number and microseconds since midnight. */
typedef struct AgLocal
{
	int	  jdate;
	int64 tod_us;
} AgLocal;

extern pg_tz	  *ag_tz_lookup(const char *name);
extern void		   ag_local(TimestampTz ts, pg_tz *tz, AgLocal *out);
extern TimestampTz ag_instant(int jdate, int tod_s, pg_tz *tz);
extern bool		   ag_in_daypart(int64 tod_us, int start_s, int end_s);
extern int64	   ag_minutes_between(TimestampTz a, TimestampTz b);
extern TimestampTz ag_add_minutes(TimestampTz ts, int64 minutes);
extern int		   ag_events_lower_bound(const AgEvent *events, int n, TimestampTz ts);

/* ---- common.c: output (rules.md 1.7) ---- */

extern void	 ag_dev_begin(AgDeviation *dev, const AgRuleTexts *texts,
						  const AgConfig *cfg, AgSeverity severity,
						  TimestampTz window_since, TimestampTz window_until);
extern char *ag_text_subst_int(const char *text, const char *name, int64 value);
extern char *ag_instant_text(TimestampTz ts);
extern char *ag_tod_text(int seconds);
extern void	 ag_ev_key(JsonbParseState **st, const char *key);
extern void	 ag_ev_str(JsonbParseState **st, const char *key, const char *value);
extern void	 ag_ev_int(JsonbParseState **st, const char *key, int64 value);
extern void	 ag_ev_bool(JsonbParseState **st, const char *key, bool value);
extern void	 ag_ev_null(JsonbParseState **st, const char *key);
extern void	 ag_ev_instant(JsonbParseState **st, const char *key, TimestampTz ts);
extern void	 ag_ev_strlist(JsonbParseState **st, const char *key, const AgStrList *list);
extern void	 ag_ev_ids(JsonbParseState **st, const char *key,
					   const AgEvent *const *events, int n);
extern void	 ag_ev_begin_object(JsonbParseState **st, const char *key);
extern void	 ag_ev_end_object(JsonbParseState **st);

/* ---- common.c: liveness (rules.md 2.4, 3.9) ---- */

/* AgLiveness: the R-009 condition and the data behind it. */
typedef struct AgLiveness
{
	bool		fires; /* the R-009 condition holds */
	bool		found; /* some qualifying event exists */
	TimestampTz last_ts;
	int64		lag_minutes;
} AgLiveness;

extern void ag_liveness_check(const AgRuleInput *in, int max_age_minutes,
							  const AgStrList *categories, AgLiveness *out);
extern bool ag_liveness_gate_fires(const AgRuleInput *in, int max_age_override,
								   const AgStrList *categories_override);

/* ---- homestate.c: away from home, held sensors, ingest gaps (docs/alarm-quality.md) ---- */

/*
 * AgAway: the home state at one instant, derived from the last front-door
 * opening before it (R-003's door definition) and the activity that follows.
 *	 state AG_HOME_UNKNOWN: no front-door opening in the events read;
 *	 AG_HOME_IN: someone is at home (activity after the door, or a sensor
 *	   still holding "on" when the departure time has passed);
 *	 AG_HOME_PENDING: the door opened less than departure_minutes ago with
 *	   no activity since: too early to tell;
 *	 AG_HOME_AWAY: a departure and no activity since.
 */
typedef enum AgHomeState
{
	AG_HOME_UNKNOWN,
	AG_HOME_IN,
	AG_HOME_PENDING,
	AG_HOME_AWAY
} AgHomeState;

typedef struct AgAway
{
	AgHomeState	   state;
	const AgEvent *door;		/* the door opening (NULL for UNKNOWN) */
	TimestampTz	   decided_at;	/* last door event + departure_minutes */
	bool		   by_activity; /* IN because of activity after the door (not a held sensor) */
} AgAway;

extern bool		   ag_front_door_opening(const AgConfig *cfg, const AgEvent *e);
extern void		   ag_home_state_at(const AgRuleInput *in, TimestampTz t, AgAway *out);
extern void		   ag_classify_door(const AgRuleInput *in, int door_index, TimestampTz t, AgAway *out);
extern bool		   ag_sensor_held_on(const AgRuleInput *in, TimestampTz t, const char *except_room,
									 const AgEvent **held);
extern bool		   ag_room_held_on(const AgRuleInput *in, TimestampTz t, const char *room);
extern bool		   ag_ingest_gap(const AgRuleInput *in, TimestampTz from, TimestampTz to);
extern TimestampTz ag_home_state_reach(const AgConfig *cfg, TimestampTz from);
extern bool		   ag_stillness_gates(const AgRuleInput *in, bool away_gate, bool gap_gate,
									  TimestampTz from, TimestampTz until);

/* ---- personal baselines (homestate.c; docs/alarm-quality.md) ---- */

/* Days a profile needs before a personal threshold replaces the fixed one. */
#define AG_PROFILE_MIN_DAYS 7
/* Margins: minutes added to the learned value. */
#define AG_PROFILE_WAKE_MARGIN_MIN 30
#define AG_PROFILE_ON_MARGIN_MIN 60
/* The longest personal R-010 threshold (its scan reads this + 60 minutes). */
#define AG_PROFILE_ON_MAX_MIN 720

extern bool	 ag_profile_usable(const AgRuleInput *in, int rule_index);
extern int	 ag_profile_value(const AgHomeProfile *p, const char *metric, const char *key);
extern int	 ag_profile_samples(const AgHomeProfile *p, const char *metric, const char *key);
extern int	 ag_profile_on_minutes(const AgHomeProfile *p, const char *room);
extern char *ag_profile_hour_key(TimestampTz ts, pg_tz *tz);

#endif /* AGINGOS_RULE_H */
