/*-------------------------------------------------------------------------
 * r003_door_no_motion.c
 *	  door opened, then no motion (rules.md 3.3, D11, D12, D21).
 *	  Fires MEDIUM for the first front-door opening in [since, until) whose
 *	  follow-up window has elapsed at now without an ACTIVE motion event.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rules/rule.h"

const AgRuleTexts ag_rule_r003_texts = {
	"Mulig uvanlig hendelse etter dør",
	"Ytterdøra ble åpnet, men deretter fulgte ingen bevegelse på {followup_minutes} minutter. Mulige årsaker er at personen har gått ut, trenger hjelp, eller at sensorene ikke fanget opp aktiviteten.",
	"Possible unusual event after door opening",
	"The front door was opened, but no motion followed for {followup_minutes} minutes. Possible causes: the person has left, needs help, or the sensors missed the activity.",
};

/*
 * ag_rule_r003_range: door candidates lie in [since, until); their
 * follow-up windows reach at most until + followup_minutes, and only
 * windows ending at or before now are judged.
 */
void
ag_rule_r003_range(const AgConfig *cfg, TimestampTz since, TimestampTz until,
				   TimestampTz now, AgTimeRange *range)
{
	TimestampTz end = ag_add_minutes(until, cfg->r003.followup_minutes);

	range->from = since;
	if (cfg->r003.away_aware)
	{
		/* the departure test reads the home state's history and up to departure_minutes after the door */
		range->from = ag_home_state_reach(cfg, since);
		end = Max(end, ag_add_minutes(until, (int64) cfg->home_state.departure_minutes * 2));
	}
	range->to = Min(end, now);
}

/* is_candidate: a door opening with the required door name (3.3 "Candidates"). */
static bool
is_candidate(const AgR003Params *p, const AgEvent *e)
{
	char *name;

	if (strcmp(e->category, p->door_category) != 0)
		return false;
	if (!ag_state_in(e->payload, &p->payload_state_keys, &p->door_open_value))
		return false;
	return ag_payload_first(e->payload, &p->door_name_keys, &name) &&
		   strcmp(name, p->required_door_name) == 0;
}

/*
 * answered: some event with category in motion_categories, ts in
 * [from, to) and ACTIVE(payload, payload_state_keys, motion_on_value)
 * (3.3 step 2; motion need not lie in [since, until)).
 */
static bool
answered(const AgRuleInput *in, const AgR003Params *p, TimestampTz from, TimestampTz to)
{
	for (int i = ag_events_lower_bound(in->events, in->nevents, from);
		 i < in->nevents && in->events[i].ts < to; i++)
	{
		const AgEvent *e = &in->events[i];

		if (ag_strlist_has(&p->motion_categories, e->category) &&
			ag_active(e->payload, &p->payload_state_keys, p->motion_on_value))
			return true;
	}
	return false;
}

/*
 * ag_rule_r003_eval: per candidate d in EVENT ORDER with F = [d.ts,
 * d.ts + followup_minutes): pending when F's end > now (D11), answered by
 * ACTIVE motion in F, else d triggers (first one only).  Evidence:
 * event_ids [d.id], followup_minutes.  Window [since, until).
 */
bool
ag_rule_r003_eval(const AgRuleInput *in, AgDeviation *dev)
{
	const AgR003Params *p = &in->cfg->r003;
	int					i;

	for (i = ag_events_lower_bound(in->events, in->nevents, in->since);
		 i < in->nevents && in->events[i].ts < in->until; i++)
	{
		const AgEvent *d = &in->events[i];
		TimestampTz	   fend = ag_add_minutes(d->ts, p->followup_minutes);

		if (!is_candidate(p, d) || fend > in->now)
			continue;
		if (answered(in, p, d->ts, fend))
			continue;
		if (p->away_aware)
		{
			AgAway		st;
			TimestampTz judged;

			/*
			 * docs/alarm-quality.md: judged once both the follow-up and the
			 * departure time have passed.  Activity after the door: at home
			 * and moving.  Nothing, and no sensor holding "on": a departure,
			 * not "no motion after the door" (R-011 follows it).  Only a
			 * sensor still seeing someone who does not move triggers.
			 */
			ag_classify_door(in, i, in->now, &st);
			judged = Max(fend, st.decided_at);
			if (judged > in->now)
				continue;
			ag_classify_door(in, i, judged, &st);
			if (st.state != AG_HOME_IN || st.by_activity)
				continue;
		}

		ag_dev_begin(dev, &ag_rule_r003_texts, in->cfg, AG_SEV_MEDIUM, in->since, in->until);
		dev->explanation = ag_text_subst_int(dev->explanation, "followup_minutes", p->followup_minutes);
		ag_ev_ids(&dev->evidence, "event_ids", &d, 1);
		ag_ev_int(&dev->evidence, "followup_minutes", p->followup_minutes);
		return true;
	}
	return false;
}
