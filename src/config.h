/*-------------------------------------------------------------------------
 * config.h
 *	  The typed, validated form of config/rules.yaml (rules.md section 6).
 *	  Every field holds its EFFECTIVE value: defaults applied, aliases
 *	  folded, derived defaults resolved (rules.md 6.1 "Shown config").
 *	  Times of day are seconds since local midnight (0 .. 86399).
 *	  Durations are whole minutes unless the name says hours.
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_CONFIG_H
#define AGINGOS_CONFIG_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "agingos.h"

/* A list of strings; n may be 0 only where rules.md says "may be empty". */
typedef struct AgStrList
{
	int	   n;
	char **items;
} AgStrList;

typedef enum AgEvalMode
{
	AG_MODE_INDEPENDENT,
	AG_MODE_BASELINE_DEPENDENT,
	AG_MODE_PROFILE_DEPENDENT
} AgEvalMode;

typedef enum AgProfileMode
{
	AG_PROFILE_HOME_SPECIFIC,
	AG_PROFILE_DEFAULT_WINDOW
} AgProfileMode;

/* rules.md D33: thresholds from the config (fixed) or the home's profile (personal). */
typedef enum AgBaseline
{
	AG_BASELINE_FIXED,
	AG_BASELINE_PERSONAL
} AgBaseline;

typedef enum AgLocale
{
	AG_LOCALE_NB,
	AG_LOCALE_EN
} AgLocale;

/* rules.<id> entry keys other than params (rules.md 6.3), effective values */
typedef struct AgRuleCommon
{
	bool		  enabled_in_scheduler;
	int			  lookback_minutes;		/* rule value, else defaults.lookback_minutes */
	int			  expire_after_minutes; /* rule value, else defaults.expire_after_minutes */
	AgEvalMode	  evaluation_mode;
	bool		  requires_baseline;
	bool		  requires_profile;
	int			  min_days_with_data;
	AgProfileMode profile_mode;
	bool		  uses_default_profile_when_missing;
	bool		  requires_sensors; /* D32: NOT_APPLICABLE when the home never sent the rule's sensors */
	AgBaseline	  baseline;			/* D33: fixed (default) or personal */
} AgRuleCommon;

typedef struct AgR001Params
{
	AgStrList motion_categories; /* motion_category folded in */
	AgStrList payload_state_keys;
	char	 *motion_on_value;
	bool	  liveness_gate;
	bool	  awake_gate;
	int		  awake_start_s; /* awake_window.start_local_time */
	int		  awake_end_s;	 /* awake_window.end_local_time */
	char	 *timezone;
	bool	  awake_whole_window;		/* judge only windows lying wholly in one awake period */
	bool	  held_presence_counts;		/* a sensor still "on" at since counts as a signal */
	bool	  away_gate;				/* no deviation while the resident is out (home state) */
	bool	  gap_gate;					/* no deviation for a window overlapping an ingest gap (D35) */
	int		  stillness_margin_minutes; /* baseline personal: added to the usual stillness of the hour */
	int		  max_stillness_minutes;	/* baseline personal: the most stillness required */
} AgR001Params;

typedef struct AgR002Params
{
	char	 *category;
	AgStrList payload_state_keys;
	AgStrList trigger_value;	  /* string widened to a list */
	AgStrList allowed_entity_ids; /* may be empty */
	char	 *timezone;
	int		  night_start_s; /* night_window.start_local_time */
	int		  night_end_s;	 /* night_window.end_local_time */
} AgR002Params;

typedef struct AgR003Params
{
	char	 *door_category;
	AgStrList motion_categories;
	AgStrList payload_state_keys;
	AgStrList door_name_keys;
	char	 *required_door_name;
	AgStrList door_open_value;
	char	 *motion_on_value;
	int		  followup_minutes;
	bool	  away_aware; /* a door opening classified as a departure does not trigger */
} AgR003Params;

typedef struct AgR004Params
{
	char	 *bathroom_room_id;
	int		  day_threshold_min;
	int		  night_threshold_min;
	int		  sensor_stuck_min;
	int		  silence_after_min;
	int		  night_start_hour;
	int		  night_end_hour;
	char	 *tz;
	AgStrList payload_state_keys;
	AgStrList activity_categories;
	int		  personal_margin_min; /* baseline personal: added to the usual stay */
	int		  personal_max_min;	   /* baseline personal: the highest personal threshold */
} AgR004Params;

typedef struct AgR005Params
{
	char	 *bathroom_room_id;
	int		  lookback_hours;
	int		  liveness_max_age_minutes; /* -1 = not set (follow R-009) */
	AgStrList liveness_categories;		/* n = 0: not set (follow R-009) */
	bool	  away_gate;
	bool	  gap_gate;
} AgR005Params;

typedef struct AgR006Params
{
	char *tz;
	int	  day_start_hour;
	int	  day_end_hour;
	char *living_room_id;
	char *front_door_room_id;
	bool  liveness_gate;
	int	  grace_minutes;
	bool  away_gate;
	bool  gap_gate;
	bool  held_presence_counts;		  /* a living-room sensor still "on" at the day start counts */
	int	  personal_margin_minutes;	  /* baseline personal: added to the usual first use */
	int	  personal_max_delay_minutes; /* baseline personal: the latest judging start after start + grace */
} AgR006Params;

typedef struct AgR007Params
{
	char	 *tz;
	int		  night_start_hour;
	int		  night_end_hour;
	int		  switch_gap_max_min;
	int		  switch_threshold;
	char	 *front_door_room_id;
	AgStrList activity_categories;
	int		  switch_span_minutes;	  /* > 0: the switches must lie within this span; 0: whole night */
	int		  personal_margin;		  /* baseline personal: added to the usual night's switches */
	int		  personal_max_threshold; /* baseline personal: the highest personal threshold */
} AgR007Params;

typedef struct AgR008Params
{
	char	 *front_door_room_id;
	int		  lookback_minutes; /* params.lookback_minutes (burst window) */
	int		  burst_threshold;
	char	 *tz;
	int		  night_start_hour;
	int		  night_end_hour;
	int		  quiet_after_minutes;
	AgStrList quiet_categories;
} AgR008Params;

typedef struct AgR009Params
{
	int		  max_age_minutes;
	AgStrList liveness_categories;
	char	 *stream_id; /* "" = any stream */
} AgR009Params;

typedef struct AgR010Params
{
	int		  stuck_minutes;
	int		  lookback_minutes;			/* params.lookback_minutes; default stuck+60 */
	int		  liveness_max_age_minutes; /* -1 = not set (follow R-009) */
	AgStrList liveness_categories;		/* n = 0: not set (follow R-009) */
	AgStrList medium_rooms;
	AgStrList low_rooms;
	bool	  require_activity_elsewhere; /* stuck only if another room was active after last_on */
} AgR010Params;

/* R-011 "not back home" (docs/alarm-quality.md): a departure not followed by a return. */
typedef struct AgR011Params
{
	int	  max_away_minutes; /* away at least this long: deviation */
	int	  night_start_hour; /* away at night: HIGH */
	int	  night_end_hour;
	int	  night_grace_minutes; /* at night, away at least this long: deviation */
	char *tz;
	/* baseline personal (docs/alarm-quality.md section 8): usual outing + margin, bounded */
	int personal_margin_minutes; /* added to the usual outing length */
	int personal_min_minutes;	 /* the personal threshold is never below this */
	int personal_min_outings;	 /* outings learned before the profile is used */
} AgR011Params;

/*
 * Home state (top-level home_state, docs/alarm-quality.md): departures
 * and returns derived from the front door (R-003's door definition) and the
 * activity that follows it.
 */
typedef struct AgHomeStateParams
{
	int		  departure_minutes;	  /* no fresh activity this long after the door: left */
	int		  settle_seconds;		  /* activity this soon after the last door event belongs to the leaving */
	int		  state_lookback_minutes; /* history read to know which sensors hold "on" */
	AgStrList activity_categories;	  /* categories that show someone at home */
} AgHomeStateParams;

/*
 * AgConfig: the whole active configuration.  Allocated in one memory
 * context owned by config.c; callers treat it as read-only.
 * rule[i] is the entry of rule R-00(i+1).
 */
typedef struct AgConfig
{
	int64			  version; /* agingos.config row version; 0 = built-in defaults */
	char			 *timezone;
	AgLocale		  locale;
	int				  ingest_max_future_minutes;
	int				  retention_events_days;
	int				  retention_deviations_days;
	int				  retention_bookkeeping_days;
	int				  retention_audit_days; /* deviation_history, audit_log (docs/security.md) */
	int				  scheduler_interval_minutes;
	char			 *scheduler_default_subject_key;
	int				  scheduler_workers; /* parallel bucket jobs (docs/scheduler.md) */
	int				  defaults_lookback_minutes;
	int				  defaults_expire_after_minutes;
	int				  notify_escalate_after_minutes; /* notify.*: contract section 10 */
	int				  notify_reminder_minutes;
	int				  notify_max_attempts;
	int				  notify_ack_link_hours;
	AgRuleCommon	  rule[AG_NUM_RULES];
	AgR001Params	  r001;
	AgR002Params	  r002;
	AgR003Params	  r003;
	AgR004Params	  r004;
	AgR005Params	  r005;
	AgR006Params	  r006;
	AgR007Params	  r007;
	AgR008Params	  r008;
	AgR009Params	  r009;
	AgR010Params	  r010;
	AgR011Params	  r011;
	AgHomeStateParams home_state;
	Jsonb			 *effective; /* agingos_config() result */
} AgConfig;

/*
 * ag_config_current: the active configuration for this backend.
 * Reads agingos.config only when it changed (relcache invalidation), else
 * returns the cached copy; with no stored row, the schema defaults of
 * rules.md 6.2-6.4.  Never returns NULL.  May use SPI (connects itself).
 */
extern const AgConfig *ag_config_current(void);

#endif /* AGINGOS_CONFIG_H */
