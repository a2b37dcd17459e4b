/*-------------------------------------------------------------------------
 * r004_bathroom_long.c
 *	  prolonged bathroom presence (rules.md 3.4, D7, D13, D14,
 *	  D25, D28).  Segments bathroom presence on/off events of [since,
 *	  until) into stays and reports the most severe one: LOW (sensor
 *	  fault), MEDIUM, or HIGH (long, night, or silence after the stay).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rules/rule.h"

#define R004_LONG_MINUTES 90 /* fixed constant LONG */

const AgRuleTexts ag_rule_r004_texts = {
	"Uvanlig lang tid på badet",
	"Badet har vært i bruk uten avbrudd lenger enn grenseverdien. Forsikre deg om at personen har det bra.",
	"Unusually long time in the bathroom",
	"The bathroom has been occupied without a break for longer than the limit. Make sure the person is all right.",
};

/* A stay: rel[first .. last] are its events; closed iff has_end. */
typedef struct R004Segment
{
	int			first;
	int			last;
	TimestampTz start;
	TimestampTz end;
	bool		has_end;
	int64		dur;
	AgSeverity	sev;
	bool		sensor_fault;
} R004Segment;

/*
 * ag_rule_r004_range: the stays lie in [since, until); the silence check
 * reads up to end + silence_after_min < until + silence_after_min, and is
 * judged only once that has passed now (D13).
 */
void
ag_rule_r004_range(const AgConfig *cfg, TimestampTz since, TimestampTz until,
				   TimestampTz now, AgTimeRange *range)
{
	TimestampTz end = ag_add_minutes(until, cfg->r004.silence_after_min);

	range->from = since;
	range->to = Min(end, now);
}

/*
 * silence_after: the silence check of 3.4 for a closed stay ending at end
 * (caller checked end + silence_after_min <= now): no event with category
 * in activity_categories, ts in [end, end + silence_after_min), ROOM other
 * than the bathroom ("" counts as elsewhere) and ACTIVE(..., "on") (D14).
 */
static bool
silence_after(const AgRuleInput *in, const AgR004Params *p, TimestampTz end)
{
	TimestampTz qend = ag_add_minutes(end, p->silence_after_min);

	for (int i = ag_events_lower_bound(in->events, in->nevents, end);
		 i < in->nevents && in->events[i].ts < qend; i++)
	{
		const AgEvent *e = &in->events[i];

		if (ag_strlist_has(&p->activity_categories, e->category) &&
			strcmp(e->room, p->bathroom_room_id) != 0 &&
			ag_active(e->payload, &p->payload_state_keys, "on"))
			return false;
	}
	return true;
}

/*
 * R004Limits: the day and night duration steps used.  With baseline
 * personal and a usable profile (rules.md D33, docs/alarm-quality.md) each
 * is max(fixed, min(usual + personal_margin_min, personal_max_min)), usual
 * being the home's bathroom_minutes (quantile 0.95 of its stays) of that
 * part of the day; otherwise the fixed params.  usual_* = -1: not learned.
 */
typedef struct R004Limits
{
	int	 day;
	int	 night;
	int	 usual_day;
	int	 usual_night;
	bool personal;
} R004Limits;

/* personal_limit: one step of R004Limits. */
static int
personal_limit(const AgR004Params *p, int fixed, int usual)
{
	if (usual < 0)
		return fixed;
	return Max(fixed, Min(usual + p->personal_margin_min, p->personal_max_min));
}

/* limits: the steps of R004Limits for this evaluation. */
static void
limits(const AgRuleInput *in, const AgR004Params *p, R004Limits *l)
{
	l->day = p->day_threshold_min;
	l->night = p->night_threshold_min;
	l->usual_day = l->usual_night = -1;
	l->personal = ag_profile_usable(in, AG_RULE_R004);
	if (!l->personal)
		return;
	l->usual_day = ag_profile_value(&in->facts->profile, "bathroom_minutes", "day");
	l->usual_night = ag_profile_value(&in->facts->profile, "bathroom_minutes", "night");
	l->day = personal_limit(p, l->day, l->usual_day);
	l->night = personal_limit(p, l->night, l->usual_night);
}

/* judge: per-segment steps 1-3 of 3.4; sets seg->sev (AG_SEV_NONE = no candidate). */
static void
judge(const AgRuleInput *in, const AgR004Params *p, const R004Limits *l, pg_tz *tz, R004Segment *seg)
{
	AgLocal loc;
	bool	night;

	seg->dur = ag_minutes_between(seg->start, seg->has_end ? seg->end : in->until);
	seg->sensor_fault = false;
	seg->sev = AG_SEV_NONE;
	if (seg->dur >= p->sensor_stuck_min)
	{
		seg->sev = AG_SEV_LOW;
		seg->sensor_fault = true;
		return;
	}
	ag_local(seg->start, tz, &loc);
	night = ag_in_daypart(loc.tod_us, p->night_start_hour * 3600, p->night_end_hour * 3600);
	if (seg->dur < (night ? l->night : l->day))
		return;
	seg->sev = (seg->dur >= R004_LONG_MINUTES || night) ? AG_SEV_HIGH : AG_SEV_MEDIUM;
	if (seg->sev == AG_SEV_MEDIUM && seg->has_end &&
		ag_add_minutes(seg->end, p->silence_after_min) <= in->now &&
		silence_after(in, p, seg->end))
		seg->sev = AG_SEV_HIGH;
}

/* better: the pick order of 3.4: higher severity, then larger dur, then earlier start. */
static bool
better(const R004Segment *a, const R004Segment *b)
{
	if (a->sev != b->sev)
		return a->sev > b->sev;
	if (a->dur != b->dur)
		return a->dur > b->dur;
	return a->start < b->start;
}

/*
 * emit: fill the deviation for the picked stay (3.4 "Evidence"); with
 * baseline personal also baseline (personal, or fixed while the profile is
 * too young), usual_day_minutes, usual_night_minutes (null: not learned),
 * day_threshold_used, night_threshold_used.
 */
static void
emit(const AgRuleInput *in, const AgR004Params *p, const R004Limits *l, const AgEvent **rel,
	 const R004Segment *seg, AgDeviation *dev)
{
	JsonbParseState **st = &dev->evidence;

	ag_dev_begin(dev, &ag_rule_r004_texts, in->cfg, seg->sev, in->since, in->until);
	ag_ev_str(st, "room_id", p->bathroom_room_id);
	ag_ev_int(st, "day_threshold_min", p->day_threshold_min);
	ag_ev_int(st, "night_threshold_min", p->night_threshold_min);
	ag_ev_int(st, "sensor_stuck_min", p->sensor_stuck_min);
	ag_ev_int(st, "silence_after_min", p->silence_after_min);
	ag_ev_instant(st, "start_ts", seg->start);
	if (seg->has_end)
		ag_ev_instant(st, "end_ts", seg->end);
	else
		ag_ev_null(st, "end_ts");
	ag_ev_int(st, "observed_minutes", seg->dur);
	ag_ev_ids(st, "event_ids", rel + seg->first, seg->last - seg->first + 1);
	ag_ev_bool(st, "sensor_fault", seg->sensor_fault);
	ag_ev_int(st, "night_start_hour", p->night_start_hour);
	ag_ev_int(st, "night_end_hour", p->night_end_hour);
	ag_ev_str(st, "tz", p->tz);
	if (in->cfg->rule[AG_RULE_R004].baseline != AG_BASELINE_PERSONAL)
		return;
	ag_ev_str(st, "baseline", l->personal ? "personal" : "fixed");
	if (l->usual_day >= 0)
		ag_ev_int(st, "usual_day_minutes", l->usual_day);
	else
		ag_ev_null(st, "usual_day_minutes");
	if (l->usual_night >= 0)
		ag_ev_int(st, "usual_night_minutes", l->usual_night);
	else
		ag_ev_null(st, "usual_night_minutes");
	ag_ev_int(st, "day_threshold_used", l->day);
	ag_ev_int(st, "night_threshold_used", l->night);
}

/*
 * ag_rule_r004_eval: segmentation of 3.4 over presence events of the
 * bathroom in [since, until) whose folded STATE is on/off (others ignored,
 * D25), judge each stay against the steps of R004Limits (the fixed params,
 * or with baseline personal the raised personal ones), pick the best
 * candidate.  Window [since, until).
 */
bool
ag_rule_r004_eval(const AgRuleInput *in, AgDeviation *dev)
{
	const AgR004Params *p = &in->cfg->r004;
	pg_tz			   *tz = ag_tz_lookup(p->tz);
	const AgEvent	  **rel = palloc(sizeof(AgEvent *) * Max(in->nevents, 1));
	int					nrel = 0;
	R004Segment			cur = {0};
	R004Segment			best = {0};
	bool				open = false;
	int					i;
	R004Limits			lim;

	limits(in, p, &lim);
	for (i = ag_events_lower_bound(in->events, in->nevents, in->since);
		 i < in->nevents && in->events[i].ts < in->until; i++)
	{
		const AgEvent *e = &in->events[i];
		char		  *s;
		bool		   on;

		if (strcmp(e->category, "presence") != 0 || strcmp(e->room, p->bathroom_room_id) != 0 ||
			!ag_payload_first(e->payload, &p->payload_state_keys, &s))
			continue;
		on = ag_fold_eq(s, "on");
		if (!on && !ag_fold_eq(s, "off"))
			continue;
		if (!open && !on)
			continue;
		rel[nrel] = e;
		if (!open)
		{
			cur.first = nrel;
			cur.start = e->ts;
			cur.has_end = false;
			open = true;
		}
		cur.last = nrel++;
		if (on)
			continue;
		cur.end = e->ts;
		cur.has_end = true;
		open = false;
		judge(in, p, &lim, tz, &cur);
		if (cur.sev != AG_SEV_NONE && (best.sev == AG_SEV_NONE || better(&cur, &best)))
			best = cur;
	}
	if (open)
	{
		judge(in, p, &lim, tz, &cur);
		if (cur.sev != AG_SEV_NONE && (best.sev == AG_SEV_NONE || better(&cur, &best)))
			best = cur;
	}
	if (best.sev == AG_SEV_NONE)
		return false;
	emit(in, p, &lim, rel, &best, dev);
	return true;
}
