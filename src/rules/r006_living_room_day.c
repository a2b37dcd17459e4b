/*-------------------------------------------------------------------------
 * r006_living_room_day.c
 *	  no living-room activity in daytime (rules.md 3.6, 2.4, D20,
 *	  D23, D26).  Fires LOW when, past the grace period of today's local
 *	  day window, no ACTIVE living-room presence has been seen.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rules/rule.h"

#define R006_MAX_IDS 50

const AgRuleTexts ag_rule_r006_texts = {
	"Ingen aktivitet i stuen på dagtid",
	"Stua har ikke hatt registrert tilstedeværelse i dagperioden så langt. Personen kan ha blitt liggende, eller dagsrytmen har endret seg.",
	"No living-room activity during the day",
	"No living-room presence has been recorded in the daytime period so far. The person may not have got up, or the daily routine has changed.",
};

/*
 * day_window: W = [INSTANT(D, day_start_hour), INSTANT(D, day_end_hour))
 * with D the date of LOCAL(until) in tz (3.6 step 1).
 */
static void
day_window(const AgR006Params *p, TimestampTz until, AgTimeRange *w)
{
	pg_tz  *tz = ag_tz_lookup(p->tz);
	AgLocal lu;

	ag_local(until, tz, &lu);
	w->from = ag_instant(lu.jdate, p->day_start_hour * 3600, tz);
	w->to = ag_instant(lu.jdate, p->day_end_hour * 3600, tz);
}

/* judged: step 2 of 3.6: now in W and now >= W.start + grace_minutes. */
static bool
judged(const AgR006Params *p, const AgTimeRange *w, TimestampTz now)
{
	return now >= w->from && now < w->to && now >= ag_add_minutes(w->from, p->grace_minutes);
}

/*
 * personal_start: with baseline personal and a usable profile (rules.md
 * D33, docs/alarm-quality.md), the instant from which the day is judged:
 * INSTANT(D, usual + personal_margin_minutes) when later than W.start +
 * grace_minutes, at most personal_max_delay_minutes after it; usual is the
 * home's living_first_minute (quantile 0.9 of the daily first living-room
 * presence).  Otherwise W.start + grace_minutes.  *usual: -1 if not used.
 */
static TimestampTz
personal_start(const AgRuleInput *in, const AgR006Params *p, const AgTimeRange *w, int *usual)
{
	TimestampTz fixed = ag_add_minutes(w->from, p->grace_minutes);
	TimestampTz mine;
	pg_tz	   *tz = ag_tz_lookup(p->tz);
	AgLocal		lf;

	*usual = -1;
	if (!ag_profile_usable(in, AG_RULE_R006))
		return fixed;
	*usual = ag_profile_value(&in->facts->profile, "living_first_minute", "");
	if (*usual < 0)
		return fixed;
	ag_local(w->from, tz, &lf);
	mine = ag_instant(lf.jdate, Min((*usual + p->personal_margin_minutes) * 60, 86399), tz);
	return Min(Max(fixed, mine), ag_add_minutes(fixed, p->personal_max_delay_minutes));
}

/* ag_rule_r006_range: W when the day is judged at now, else nothing. */
void
ag_rule_r006_range(const AgConfig *cfg, TimestampTz since, TimestampTz until,
				   TimestampTz now, AgTimeRange *range)
{
	day_window(&cfg->r006, until, range);
	if (!judged(&cfg->r006, range, now))
		range->to = range->from;
	else if (cfg->r006.away_gate || cfg->r006.gap_gate || cfg->r006.held_presence_counts)
		range->from = ag_home_state_reach(cfg, range->from);
}

/*
 * ag_rule_r006_eval: steps 1-7 of 3.6 (with baseline personal not before
 * personal_start; evidence then adds baseline, usual_first_living_time,
 * judged_from) over the rows (category presence,
 * motion or door; ts in W; visible, so ts < now).  Evidence: tz, day
 * hours, living_room_id, front_door_room_id, door_seen, other_presence,
 * event_ids (first 50 rows).  No liveness_gated_by (D26).  Window W.
 */
bool
ag_rule_r006_eval(const AgRuleInput *in, AgDeviation *dev)
{
	const AgR006Params *p = &in->cfg->r006;
	const AgEvent	   *ids[R006_MAX_IDS];
	int					nids = 0;
	bool				door_seen = false;
	bool				other_presence = false;
	bool				living = false;
	AgTimeRange			w;
	int					i;
	JsonbParseState	  **st;
	TimestampTz			start;
	int					usual;

	day_window(p, in->until, &w);
	if (!judged(p, &w, in->now))
		return false;
	start = personal_start(in, p, &w, &usual);
	if (in->now < start)
		return false;
	if (p->liveness_gate && ag_liveness_gate_fires(in, -1, NULL))
		return false;
	if (ag_stillness_gates(in, p->away_gate, p->gap_gate, w.from, Min(w.to, in->now)))
		return false;

	for (i = ag_events_lower_bound(in->events, in->nevents, w.from);
		 i < in->nevents && in->events[i].ts < w.to && in->events[i].ts < in->now; i++)
	{
		const AgEvent *e = &in->events[i];
		bool		   presence = strcmp(e->category, "presence") == 0;

		if (!presence && strcmp(e->category, "motion") != 0 && strcmp(e->category, "door") != 0)
			continue;
		if (nids < R006_MAX_IDS)
			ids[nids++] = e;
		if (!presence)
		{
			if (strcmp(e->category, "door") == 0 && strcmp(e->room, p->front_door_room_id) == 0)
				door_seen = true;
			continue;
		}
		if (!ag_active(e->payload, &ag_state_keys_default, "on"))
			continue;
		if (strcmp(e->room, p->living_room_id) == 0)
			living = true;
		else if (e->room[0] != '\0')
			other_presence = true;
	}
	if ((door_seen && other_presence) || living)
		return false;
	/* a living-room PIR that went "on" before the day window and holds it (docs/alarm-quality.md) */
	if (p->held_presence_counts && ag_room_held_on(in, w.from, p->living_room_id))
		return false;

	ag_dev_begin(dev, &ag_rule_r006_texts, in->cfg, AG_SEV_LOW, w.from, w.to);
	st = &dev->evidence;
	ag_ev_str(st, "tz", p->tz);
	ag_ev_int(st, "day_start_hour", p->day_start_hour);
	ag_ev_int(st, "day_end_hour", p->day_end_hour);
	ag_ev_str(st, "living_room_id", p->living_room_id);
	ag_ev_str(st, "front_door_room_id", p->front_door_room_id);
	ag_ev_bool(st, "door_seen", door_seen);
	ag_ev_bool(st, "other_presence", other_presence);
	ag_ev_ids(st, "event_ids", ids, nids);
	if (in->cfg->rule[AG_RULE_R006].baseline == AG_BASELINE_PERSONAL)
	{
		ag_ev_str(st, "baseline", ag_profile_usable(in, AG_RULE_R006) ? "personal" : "fixed");
		if (usual >= 0)
			ag_ev_str(st, "usual_first_living_time", ag_tod_text(usual * 60));
		else
			ag_ev_null(st, "usual_first_living_time");
		ag_ev_instant(st, "judged_from", start);
	}
	return true;
}
