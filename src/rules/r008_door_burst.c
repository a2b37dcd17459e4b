/*-------------------------------------------------------------------------
 * r008_door_burst.c
 *	  door burst at the entrance (rules.md 3.8, D13, D16).  Fires
 *	  when at least burst_threshold entrance door events lie in
 *	  W = [until - lookback_minutes, until): MEDIUM, bumped once for night
 *	  (local time of until) and once for a quiet period after the burst.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rules/rule.h"

#define R008_MAX_IDS 200

const AgRuleTexts ag_rule_r008_texts = {
	"Mange dørhendelser på kort tid",
	"Inngangsdøra har gitt uvanlig mange signaler i løpet av kort tid. Det kan henge sammen med uro, forvirring eller hyppig inn- og utgang.",
	"Many door events in a short time",
	"The entrance door produced an unusually high number of events within a short time. This may mean restlessness, confusion or frequent comings and goings.",
};

/*
 * ag_rule_r008_range: W = [until - params.lookback_minutes, until) plus
 * the quiet-after window Q = [last.ts, last.ts + quiet_after_minutes),
 * judged only when its end <= now (D13).
 */
void
ag_rule_r008_range(const AgConfig *cfg, TimestampTz since, TimestampTz until,
				   TimestampTz now, AgTimeRange *range)
{
	TimestampTz qend = ag_add_minutes(until, cfg->r008.quiet_after_minutes);

	range->from = ag_add_minutes(until, -(int64) cfg->r008.lookback_minutes);
	range->to = Max(until, Min(qend, now));
}

/* bump: raise one step, HIGH stays HIGH (3.8). */
static AgSeverity
bump(AgSeverity s)
{
	return s >= AG_SEV_HIGH ? AG_SEV_HIGH : (AgSeverity) (s + 1);
}

/*
 * quiet: no event with category in quiet_categories, ts in [from, to), and
 * STATE([state, value]) undefined or folded into {on, open, true, 1}.
 */
static bool
quiet(const AgRuleInput *in, const AgR008Params *p, TimestampTz from, TimestampTz to)
{
	for (int i = ag_events_lower_bound(in->events, in->nevents, from);
		 i < in->nevents && in->events[i].ts < to; i++)
	{
		const AgEvent *e = &in->events[i];
		char		  *s;

		if (!ag_strlist_has(&p->quiet_categories, e->category))
			continue;
		if (!ag_payload_first(e->payload, &ag_state_keys_default, &s) ||
			ag_fold_eq(s, "on") || ag_fold_eq(s, "open") || ag_fold_eq(s, "true") || ag_fold_eq(s, "1"))
			return false;
	}
	return true;
}

/* add_evidence: the rule keys of 3.8 "Evidence". */
static void
add_evidence(JsonbParseState **st, const AgR008Params *p, const AgEvent **doors, int n,
			 bool night, bool quiet_after, bool pending)
{
	const AgEvent *last = doors[n - 1];

	ag_ev_str(st, "front_door_room_id", p->front_door_room_id);
	ag_ev_int(st, "lookback_minutes", p->lookback_minutes);
	ag_ev_int(st, "burst_threshold", p->burst_threshold);
	ag_ev_int(st, "door_event_count", n);
	ag_ev_ids(st, "door_event_ids", doors, Min(n, R008_MAX_IDS));
	ag_ev_ids(st, "event_ids", doors, Min(n, R008_MAX_IDS));
	ag_ev_bool(st, "night", night);
	ag_ev_str(st, "tz", p->tz);
	ag_ev_int(st, "night_start_hour", p->night_start_hour);
	ag_ev_int(st, "night_end_hour", p->night_end_hour);
	ag_ev_int(st, "quiet_after_minutes", p->quiet_after_minutes);
	ag_ev_strlist(st, "quiet_categories", &p->quiet_categories);
	ag_ev_bool(st, "quiet_after", quiet_after);
	ag_ev_bool(st, "quiet_after_pending", pending);
	ag_ev_instant(st, "last_door_ts", last->ts);
	ag_ev_begin_object(st, "quiet_window");
	if (p->quiet_after_minutes > 0)
	{
		ag_ev_instant(st, "since", last->ts);
		ag_ev_instant(st, "until", ag_add_minutes(last->ts, p->quiet_after_minutes));
	}
	else
	{
		ag_ev_null(st, "since");
		ag_ev_null(st, "until");
	}
	ag_ev_end_object(st);
}

/*
 * ag_rule_r008_eval: steps 1-4 of 3.8.  The doors are category "door"
 * events in W with ROOM = front_door_room_id, any state; n >= threshold
 * fires.  Window W.
 */
bool
ag_rule_r008_eval(const AgRuleInput *in, AgDeviation *dev)
{
	const AgR008Params *p = &in->cfg->r008;
	TimestampTz			wfrom = ag_add_minutes(in->until, -(int64) p->lookback_minutes);
	const AgEvent	  **doors = palloc(sizeof(AgEvent *) * Max(in->nevents, 1));
	int					n = 0;
	bool				night;
	bool				quiet_after = false;
	bool				pending = false;
	AgSeverity			sev = AG_SEV_MEDIUM;
	AgLocal				lu;
	int					i;

	for (i = ag_events_lower_bound(in->events, in->nevents, wfrom);
		 i < in->nevents && in->events[i].ts < in->until; i++)
	{
		const AgEvent *e = &in->events[i];

		if (strcmp(e->category, "door") == 0 && strcmp(e->room, p->front_door_room_id) == 0)
			doors[n++] = e;
	}
	if (n < p->burst_threshold)
		return false;

	ag_local(in->until, ag_tz_lookup(p->tz), &lu);
	night = ag_in_daypart(lu.tod_us, p->night_start_hour * 3600, p->night_end_hour * 3600);
	if (night)
		sev = bump(sev);
	if (p->quiet_after_minutes > 0)
	{
		TimestampTz qend = ag_add_minutes(doors[n - 1]->ts, p->quiet_after_minutes);

		pending = qend > in->now;
		quiet_after = !pending && quiet(in, p, doors[n - 1]->ts, qend);
		if (quiet_after)
			sev = bump(sev);
	}

	ag_dev_begin(dev, &ag_rule_r008_texts, in->cfg, sev, wfrom, in->until);
	add_evidence(&dev->evidence, p, doors, n, night, quiet_after, pending);
	return true;
}
