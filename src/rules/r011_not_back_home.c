/*-------------------------------------------------------------------------
 * r011_not_back_home.c
 *	  not back home (docs/alarm-quality.md, rules.md D34).
 *	  The resident left through the front door (home state of
 *	  src/rules/homestate.c: the door, then nobody inside) and has not come
 *	  back: MEDIUM once away max_away_minutes, HIGH when that happens at
 *	  night or when the night has begun and they have been away at least
 *	  night_grace_minutes.  Window mode runs it only when rule_ids names it.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rules/rule.h"

const AgRuleTexts ag_rule_r011_texts = {
	"Ikke kommet hjem igjen",
	"Personen gikk ut gjennom ytterdøra og har ikke kommet tilbake på {away_minutes} minutter. Det kan være et planlagt besøk eller en lang tur, men personen kan også ha gått seg bort eller trenge hjelp.",
	"Not back home",
	"The person left through the front door and has not come back for {away_minutes} minutes. It may be a planned visit or a long trip, but the person may also be lost or need help.",
};

/* lookback: how far back R-011 looks for the departure, in minutes. */
static int64
lookback(const AgConfig *cfg)
{
	return (int64) cfg->r011.max_away_minutes + cfg->home_state.state_lookback_minutes;
}

/*
 * ag_rule_r011_range: the departure may lie max_away_minutes +
 * state_lookback_minutes before until; its classification reads the home
 * state's look back before it.
 */
void
ag_rule_r011_range(const AgConfig *cfg, TimestampTz since, TimestampTz until,
				   TimestampTz now, AgTimeRange *range)
{
	range->from = ag_home_state_reach(cfg, ag_add_minutes(until, -lookback(cfg)));
	range->to = until;
}

/*
 * ag_rule_r011_eval: the last front-door opening d with ts in
 * [until - lookback, until); the home state at until after it (AWAY
 * needed); away = MINUTES(d.ts, until); night = IN_DAYPART(LOCAL(until)).
 * Fires when away >= max_away_minutes, or night and away >=
 * night_grace_minutes.  Severity HIGH at night, else MEDIUM.  Evidence:
 * event_ids [d.id], left_at, away_minutes, max_away_minutes, night,
 * night_grace_minutes, night hours, tz.  Window [d.ts, until).
 */
bool
ag_rule_r011_eval(const AgRuleInput *in, AgDeviation *dev)
{
	const AgR011Params *p = &in->cfg->r011;
	TimestampTz			from = ag_add_minutes(in->until, -lookback(in->cfg));
	int					lo = ag_events_lower_bound(in->events, in->nevents, from);
	int					i;
	AgAway				st;
	AgLocal				lu;
	int64				away;
	bool				night;

	for (i = ag_events_lower_bound(in->events, in->nevents, in->until) - 1; i >= lo; i--)
	{
		if (ag_front_door_opening(in->cfg, &in->events[i]))
			break;
	}
	if (i < lo)
		return false;
	ag_classify_door(in, i, in->until, &st);
	if (st.state != AG_HOME_AWAY)
		return false;
	away = ag_minutes_between(st.door->ts, in->until);
	ag_local(in->until, ag_tz_lookup(p->tz), &lu);
	night = ag_in_daypart(lu.tod_us, p->night_start_hour * 3600, p->night_end_hour * 3600);
	if (away < p->max_away_minutes && !(night && away >= p->night_grace_minutes))
		return false;

	ag_dev_begin(dev, &ag_rule_r011_texts, in->cfg, night ? AG_SEV_HIGH : AG_SEV_MEDIUM,
				 st.door->ts, in->until);
	dev->explanation = ag_text_subst_int(dev->explanation, "away_minutes", away);
	ag_ev_ids(&dev->evidence, "event_ids", &st.door, 1);
	ag_ev_instant(&dev->evidence, "left_at", st.door->ts);
	ag_ev_int(&dev->evidence, "away_minutes", away);
	ag_ev_int(&dev->evidence, "max_away_minutes", p->max_away_minutes);
	ag_ev_bool(&dev->evidence, "night", night);
	ag_ev_int(&dev->evidence, "night_grace_minutes", p->night_grace_minutes);
	ag_ev_int(&dev->evidence, "night_start_hour", p->night_start_hour);
	ag_ev_int(&dev->evidence, "night_end_hour", p->night_end_hour);
	ag_ev_str(&dev->evidence, "tz", p->tz);
	return true;
}
