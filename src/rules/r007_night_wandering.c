/*-------------------------------------------------------------------------
 * r007_night_wandering.c
 *	  night wandering (rules.md 3.7, D15).  Counts room switches
 *	  on the ACTIVE presence/motion timeline of the local night window that
 *	  contains until; fires MEDIUM, or HIGH when the entrance door was
 *	  involved.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rules/rule.h"

#define R007_MAX_IDS 100

const AgRuleTexts ag_rule_r007_texts = {
	"Uvanlig mye aktivitet på natt",
	"Personen har beveget seg hyppig mellom rom i nattperioden, noe som kan være tegn på uro eller forvirring.",
	"Unusually high activity at night",
	"The person moved between rooms frequently during the night, which can be a sign of restlessness or confusion.",
};

/*
 * night_window: the window table of 3.7 for D = date of LOCAL(until) and
 * t its time of day.  Returns false in daytime (no window).
 */
static bool
night_window(const AgR007Params *p, TimestampTz until, AgTimeRange *w)
{
	pg_tz  *tz = ag_tz_lookup(p->tz);
	int		s = p->night_start_hour * 3600;
	int		e = p->night_end_hour * 3600;
	int64	s_us = (int64) s * USECS_PER_SEC;
	int64	e_us = (int64) e * USECS_PER_SEC;
	AgLocal lu;

	ag_local(until, tz, &lu);
	if (s > e && lu.tod_us >= s_us)
	{
		w->from = ag_instant(lu.jdate, s, tz);
		w->to = ag_instant(lu.jdate + 1, e, tz);
	}
	else if (s > e && lu.tod_us < e_us)
	{
		w->from = ag_instant(lu.jdate - 1, s, tz);
		w->to = ag_instant(lu.jdate, e, tz);
	}
	else if (s < e && lu.tod_us >= s_us && lu.tod_us < e_us)
	{
		w->from = ag_instant(lu.jdate, s, tz);
		w->to = ag_instant(lu.jdate, e, tz);
	}
	else
		return false;
	return true;
}

/*
 * max_in_span: the most switches (ids in time order) whose instants lie
 * within span_minutes of each other (docs/alarm-quality.md: wandering is
 * many switches close together, not a whole night's ordinary trips).
 */
static int
max_in_span(const AgEvent **ids, int n, int span_minutes)
{
	int best = 0;

	for (int j = 0, lo = 0; j < n; j++)
	{
		while (ids[j]->ts - ids[lo]->ts > (int64) span_minutes * AG_USECS_PER_MINUTE)
			lo++;
		best = Max(best, j - lo + 1);
	}
	return best;
}

/* ag_rule_r007_range: the night window containing until, or nothing by day. */
void
ag_rule_r007_range(const AgConfig *cfg, TimestampTz since, TimestampTz until,
				   TimestampTz now, AgTimeRange *range)
{
	if (!night_window(&cfg->r007, until, range))
		range->from = range->to = until;
}

/*
 * ag_rule_r007_eval: steps 1-5 of 3.7 (with baseline personal and a usable
 * profile, rules.md D33 and docs/alarm-quality.md, the threshold is
 * max(switch_threshold, min(usual + personal_margin,
 * personal_max_threshold)), usual being the home's night_switches, quantile
 * 0.95 of its nights; evidence then adds baseline, usual_night_switches,
 * switch_threshold_used): door_involved from door rows at
 * front_door_room_id; the timeline is rows with category in
 * activity_categories, ACTIVE(payload, [state, value], on) and a room; a
 * switch is a room change within switch_gap_max_min whole minutes of the
 * previous entry.  Evidence: tz, hours, gap, threshold, room_switches,
 * door_involved, front_door_room_id, event_ids (first 100 switch ids).
 */
bool
ag_rule_r007_eval(const AgRuleInput *in, AgDeviation *dev)
{
	const AgR007Params *p = &in->cfg->r007;
	const AgEvent	  **ids = palloc(sizeof(AgEvent *) * Max(in->nevents, 1));
	const AgEvent	   *prev = NULL;
	int					switches = 0;
	bool				door_involved = false;
	AgTimeRange			w;
	int					i;
	JsonbParseState	  **st;
	int					threshold = p->switch_threshold;
	int					usual = -1;
	bool				personal = false;

	if (!night_window(p, in->until, &w))
		return false;
	if (ag_profile_usable(in, AG_RULE_R007))
	{
		personal = true;
		usual = ag_profile_value(&in->facts->profile, "night_switches", "");
		if (usual >= 0)
			threshold = Max(threshold, Min(usual + p->personal_margin, p->personal_max_threshold));
	}
	for (i = ag_events_lower_bound(in->events, in->nevents, w.from);
		 i < in->nevents && in->events[i].ts < w.to; i++)
	{
		const AgEvent *e = &in->events[i];

		if (strcmp(e->category, "door") == 0 && strcmp(e->room, p->front_door_room_id) == 0)
			door_involved = true;
		if (!ag_strlist_has(&p->activity_categories, e->category) || e->room[0] == '\0' ||
			!ag_active(e->payload, &ag_state_keys_default, "on"))
			continue;
		if (prev != NULL && ag_minutes_between(prev->ts, e->ts) <= p->switch_gap_max_min &&
			strcmp(e->room, prev->room) != 0)
			ids[switches++] = e;
		prev = e;
	}
	if (switches < threshold)
		return false;
	if (p->switch_span_minutes > 0 && max_in_span(ids, switches, p->switch_span_minutes) < threshold)
		return false;

	ag_dev_begin(dev, &ag_rule_r007_texts, in->cfg, door_involved ? AG_SEV_HIGH : AG_SEV_MEDIUM, w.from, w.to);
	st = &dev->evidence;
	ag_ev_str(st, "tz", p->tz);
	ag_ev_int(st, "night_start_hour", p->night_start_hour);
	ag_ev_int(st, "night_end_hour", p->night_end_hour);
	ag_ev_int(st, "switch_gap_max_min", p->switch_gap_max_min);
	ag_ev_int(st, "switch_threshold", p->switch_threshold);
	ag_ev_int(st, "room_switches", switches);
	ag_ev_bool(st, "door_involved", door_involved);
	ag_ev_str(st, "front_door_room_id", p->front_door_room_id);
	ag_ev_ids(st, "event_ids", ids, Min(switches, R007_MAX_IDS));
	if (in->cfg->rule[AG_RULE_R007].baseline == AG_BASELINE_PERSONAL)
	{
		ag_ev_str(st, "baseline", personal ? "personal" : "fixed");
		if (usual >= 0)
			ag_ev_int(st, "usual_night_switches", usual);
		else
			ag_ev_null(st, "usual_night_switches");
		ag_ev_int(st, "switch_threshold_used", threshold);
	}
	return true;
}
