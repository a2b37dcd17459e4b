/*-------------------------------------------------------------------------
 * homestate.c
 *	  What the stillness rules need to know besides "no event": whether the
 *	  resident is out (a departure through the front door), whether a
 *	  sensor still holds "on", and whether ingest stopped for a while inside
 *	  a window (rules.md D35).  docs/alarm-quality.md describes the model.
 *
 *	  Departure (top-level home_state, R-003's door definition): a
 *	  front-door opening d; a = the last front-door event (any state) in
 *	  [d.ts, d.ts + departure_minutes); activity less than settle_seconds
 *	  after a belongs to the leaving (the door swing, the hall sensor
 *	  seeing the person go).  The resident is
 *	    IN       if some ACTIVE event of home_state.activity_categories lies
 *	             in [a.ts + settle_seconds, t), or if at a.ts +
 *	             departure_minutes some sensor still holds "on" (a hall
 *	             presence sensor sees someone who stays: a fall in the hall);
 *	    PENDING  if t < a.ts + departure_minutes and nothing followed yet;
 *	    AWAY     otherwise: the door, then nobody inside.
 *	  A sensor that holds "on" without re-sending (PIR, mmWave) therefore
 *	  does not make a departure look like "no motion after the door": only
 *	  what its state is after the person left matters.  With door contact
 *	  and PIRs only, a person lying still in the hall after opening the door
 *	  looks exactly like a departure; then R-011's time limit is the alarm.
 *
 *	  All functions are pure: they read only the rule input and bound their
 *	  scans by the instants they are given, so a rule's result does not
 *	  depend on which other rules widened the fetched array.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rules/rule.h"
#include "utils/datetime.h"

/* The most sensors (category, room) ag_sensor_held_on tracks. */
#define AG_MAX_TRACKED_SENSORS 64

/*
 * ag_home_state_reach: the earliest instant a rule that uses the home state
 * at `from` must read: state_lookback_minutes before it, and at least R-009's
 * max_age_minutes + 1 (the gap check looks that far back).
 */
TimestampTz
ag_home_state_reach(const AgConfig *cfg, TimestampTz from)
{
	int64 back = Max((int64) cfg->home_state.state_lookback_minutes,
					 (int64) cfg->r009.max_age_minutes + 1);

	return ag_add_minutes(from, -back);
}

/* front_door_event: any event of R-003's front door (door_category and door name), any state. */
static bool
front_door_event(const AgConfig *cfg, const AgEvent *e)
{
	const AgR003Params *p = &cfg->r003;
	char			   *name;

	return strcmp(e->category, p->door_category) == 0 &&
		   ag_payload_first(e->payload, &p->door_name_keys, &name) &&
		   strcmp(name, p->required_door_name) == 0;
}

/* ag_front_door_opening: an opening of the front door (rules.md 3.3 "Candidates"). */
bool
ag_front_door_opening(const AgConfig *cfg, const AgEvent *e)
{
	return front_door_event(cfg, e) &&
		   ag_state_in(e->payload, &cfg->r003.payload_state_keys, &cfg->r003.door_open_value);
}

/* is_activity: an ACTIVE event of home_state.activity_categories. */
static bool
is_activity(const AgConfig *cfg, const AgEvent *e)
{
	return ag_strlist_has(&cfg->home_state.activity_categories, e->category) &&
		   ag_active(e->payload, &ag_state_keys_default, "on");
}

/*
 * ag_sensor_held_on: true if some sensor (an activity-category event
 * stream with a room, keyed by category and room) reports "on" as its last
 * state before t, looking back state_lookback_minutes; *held (if not NULL)
 * is its last "on" event.  Sensors in except_room (NULL: none) are skipped.
 * Events whose state is neither on nor off are ignored (D25).
 */
bool
ag_sensor_held_on(const AgRuleInput *in, TimestampTz t, const char *except_room,
				  const AgEvent **held)
{
	const AgConfig *cfg = in->cfg;
	const AgEvent  *last[AG_MAX_TRACKED_SENSORS];
	int				n = 0;
	TimestampTz		from = ag_add_minutes(t, -(int64) cfg->home_state.state_lookback_minutes);

	for (int i = ag_events_lower_bound(in->events, in->nevents, from);
		 i < in->nevents && in->events[i].ts < t; i++)
	{
		const AgEvent *e = &in->events[i];
		int			   k;

		if (e->room[0] == '\0' || !ag_strlist_has(&cfg->home_state.activity_categories, e->category))
			continue;
		if (except_room != NULL && strcmp(e->room, except_room) == 0)
			continue;
		if (!ag_state_is(e->payload, &ag_state_keys_default, "on") &&
			!ag_state_is(e->payload, &ag_state_keys_default, "off"))
			continue;
		for (k = 0; k < n; k++)
		{
			if (strcmp(last[k]->category, e->category) == 0 && strcmp(last[k]->room, e->room) == 0)
				break;
		}
		if (k == n)
		{
			if (n == AG_MAX_TRACKED_SENSORS)
				continue;
			n++;
		}
		last[k] = e;
	}
	for (int k = 0; k < n; k++)
	{
		if (ag_state_is(last[k]->payload, &ag_state_keys_default, "on"))
		{
			if (held != NULL)
				*held = last[k];
			return true;
		}
	}
	return false;
}

/*
 * ag_room_held_on: whether the last presence event (state on or off) of
 * room `room` before t, looking back state_lookback_minutes, says "on".
 */
bool
ag_room_held_on(const AgRuleInput *in, TimestampTz t, const char *room)
{
	TimestampTz from = ag_add_minutes(t, -(int64) in->cfg->home_state.state_lookback_minutes);
	int			lo = ag_events_lower_bound(in->events, in->nevents, from);

	for (int i = ag_events_lower_bound(in->events, in->nevents, t) - 1; i >= lo; i--)
	{
		const AgEvent *e = &in->events[i];

		if (strcmp(e->category, "presence") != 0 || strcmp(e->room, room) != 0)
			continue;
		if (ag_state_is(e->payload, &ag_state_keys_default, "on"))
			return true;
		if (ag_state_is(e->payload, &ag_state_keys_default, "off"))
			return false;
	}
	return false;
}

/*
 * ag_classify_door: the home state at t after the front-door opening
 * events[door_index] (ts < t), as the file header defines it.
 */
void
ag_classify_door(const AgRuleInput *in, int door_index, TimestampTz t, AgAway *out)
{
	const AgConfig *cfg = in->cfg;
	const AgEvent  *d = &in->events[door_index];
	TimestampTz		dep_end = ag_add_minutes(d->ts, cfg->home_state.departure_minutes);
	TimestampTz		a = d->ts;
	TimestampTz		settled;
	int				i;

	for (i = door_index; i < in->nevents && in->events[i].ts < Min(dep_end, t); i++)
	{
		if (front_door_event(cfg, &in->events[i]))
			a = in->events[i].ts;
	}
	out->door = d;
	out->by_activity = false;
	out->decided_at = ag_add_minutes(a, cfg->home_state.departure_minutes);
	settled = a + (int64) cfg->home_state.settle_seconds * USECS_PER_SEC;
	for (i = ag_events_lower_bound(in->events, in->nevents, settled);
		 i < in->nevents && in->events[i].ts < t; i++)
	{
		if (is_activity(cfg, &in->events[i]))
		{
			out->state = AG_HOME_IN;
			out->by_activity = true;
			return;
		}
	}
	if (out->decided_at > t)
		out->state = AG_HOME_PENDING;
	else if (ag_sensor_held_on(in, out->decided_at, NULL, NULL))
		out->state = AG_HOME_IN;
	else
		out->state = AG_HOME_AWAY;
}

/*
 * ag_home_state_at: the home state at t from the last front-door opening
 * with ts in [t - state_lookback_minutes, t); UNKNOWN when there is none.
 * Callers that need a longer look back use ag_classify_door.
 */
void
ag_home_state_at(const AgRuleInput *in, TimestampTz t, AgAway *out)
{
	TimestampTz from = ag_add_minutes(t, -(int64) in->cfg->home_state.state_lookback_minutes);
	int			lo = ag_events_lower_bound(in->events, in->nevents, from);

	out->state = AG_HOME_UNKNOWN;
	out->by_activity = false;
	out->door = NULL;
	out->decided_at = 0;
	for (int i = ag_events_lower_bound(in->events, in->nevents, t) - 1; i >= lo; i--)
	{
		if (ag_front_door_opening(in->cfg, &in->events[i]))
		{
			ag_classify_door(in, i, t, out);
			return;
		}
	}
}

/* is_liveness: an event that proves liveness for R-009 (3.9 step 1). */
static bool
is_liveness(const AgConfig *cfg, const AgEvent *e)
{
	return ag_strlist_has(&cfg->r009.liveness_categories, e->category) &&
		   (cfg->r009.stream_id[0] == '\0' || strcmp(e->stream_id, cfg->r009.stream_id) == 0);
}

/*
 * ag_ingest_gap: true if R-009's condition (3.9: no liveness event for more
 * than max_age_minutes) held at some instant of [from, to] (rules.md D35).
 * The lag grows between liveness events, so it is checked at from, just
 * before each liveness event in (from, to], and at to.  Reads events from
 * from - (max_age_minutes + 1) minutes on (ag_home_state_reach covers it).
 */
bool
ag_ingest_gap(const AgRuleInput *in, TimestampTz from, TimestampTz to)
{
	const AgConfig *cfg = in->cfg;
	int64			max_age = cfg->r009.max_age_minutes;
	TimestampTz		back = ag_add_minutes(from, -(max_age + 1));
	bool			have = false;
	TimestampTz		prev = 0;

	for (int i = ag_events_lower_bound(in->events, in->nevents, back);
		 i < in->nevents && in->events[i].ts <= to; i++)
	{
		const AgEvent *e = &in->events[i];

		if (!is_liveness(cfg, e))
			continue;
		if (e->ts > from)
		{
			/* the lag just before e, at max(from, ...) */
			if (!have ? true : ag_minutes_between(prev, e->ts) > max_age)
				return true;
		}
		have = true;
		prev = e->ts;
	}
	return !have || ag_minutes_between(prev, to) > max_age;
}

/*
 * ag_profile_usable: whether rule rule_index judges against the home's
 * profile (rules.md D33): baseline personal, and a profile with at least
 * max(min_days_with_data, AG_PROFILE_MIN_DAYS) days.  Otherwise the fixed
 * params apply.
 */
bool
ag_profile_usable(const AgRuleInput *in, int rule_index)
{
	const AgRuleCommon	*rc = &in->cfg->rule[rule_index];
	const AgHomeProfile *p = &in->facts->profile;

	return rc->baseline == AG_BASELINE_PERSONAL && p->loaded &&
		   p->days >= Max(rc->min_days_with_data, AG_PROFILE_MIN_DAYS);
}

/* ag_profile_value: the learned value of (metric, key), or -1 when not learned. */
int
ag_profile_value(const AgHomeProfile *p, const char *metric, const char *key)
{
	for (int i = 0; i < p->n; i++)
	{
		if (strcmp(p->metric[i], metric) == 0 && strcmp(p->key[i], key) == 0)
			return p->value[i];
	}
	return -1;
}

/* ag_profile_samples: the samples behind (metric, key), or 0 when not learned. */
int
ag_profile_samples(const AgHomeProfile *p, const char *metric, const char *key)
{
	for (int i = 0; i < p->n; i++)
	{
		if (strcmp(p->metric[i], metric) == 0 && strcmp(p->key[i], key) == 0)
			return p->samples[i];
	}
	return 0;
}

/* ag_profile_on_minutes: the learned "on" minutes of room (quantile 0.99), or -1. */
int
ag_profile_on_minutes(const AgHomeProfile *p, const char *room)
{
	return ag_profile_value(p, "sensor_on_minutes", room);
}

/*
 * ag_profile_hour_key: the stillness_minutes key of the local hour of ts in
 * tz: ISO weekday (1 = Monday ... 7 = Sunday), '-', two-digit hour, as
 * agingos_profile_learn_day writes it (src/sql/code/80_profile.sql).
 */
char *
ag_profile_hour_key(TimestampTz ts, pg_tz *tz)
{
	AgLocal loc;
	int		dow;

	ag_local(ts, tz, &loc);
	dow = j2day(loc.jdate); /* 0 = Sunday */
	return psprintf("%d-%02d", dow == 0 ? 7 : dow, (int) (loc.tod_us / USECS_PER_HOUR));
}
