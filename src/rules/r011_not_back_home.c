/*-------------------------------------------------------------------------
 * r011_not_back_home.c
 *	  not back home (docs/alarm-quality.md, rules.md D34).
 *	  The resident left through the front door (home state of
 *	  src/rules/homestate.c: the door, then nobody inside) and has not come
 *	  back: MEDIUM once away max_away_minutes, HIGH when that happens at
 *	  night or when the night has begun and they have been away at least
 *	  night_grace_minutes.  Window mode runs it only when rule_ids names it.
 *	  With baseline personal (rules.md D33, docs/alarm-quality.md section 8)
 *	  the daytime limit is this person's usual outing length instead.
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
 * away_limit: the minutes away after which R-011 fires by day.  Fixed:
 * max_away_minutes.  Personal (baseline personal, a profile of at least
 * max(min_days_with_data, 7) days with at least personal_min_outings
 * outings learned): max(personal_min_minutes, min(usual outing_minutes
 * (quantile 0.95) + personal_margin_minutes, max_away_minutes)), so it
 * never exceeds the fixed limit and never drops below the floor.  *usual
 * is the learned outing length (-1: none), *outings its sample count,
 * *personal whether the profile was used.
 */
static int
away_limit(const AgRuleInput *in, int *usual, int *outings, bool *personal)
{
	const AgR011Params *p = &in->cfg->r011;

	*usual = -1;
	*outings = 0;
	*personal = false;
	if (in->cfg->rule[AG_RULE_R011].baseline != AG_BASELINE_PERSONAL || !in->facts->profile.loaded)
		return p->max_away_minutes;
	*usual = ag_profile_value(&in->facts->profile, "outing_minutes", "");
	*outings = ag_profile_samples(&in->facts->profile, "outing_minutes", "");
	if (!ag_profile_usable(in, AG_RULE_R011) || *usual < 0 || *outings < p->personal_min_outings)
		return p->max_away_minutes;
	*personal = true;
	return Max(p->personal_min_minutes, Min(*usual + p->personal_margin_minutes, p->max_away_minutes));
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
 * Fires when away >= the limit (away_limit: max_away_minutes, or the
 * personal one), or night and away >= night_grace_minutes.  Severity HIGH
 * at night, else MEDIUM.  Evidence: event_ids [d.id], left_at,
 * away_minutes, max_away_minutes, away_minutes_used, night,
 * night_grace_minutes, night hours, tz; with baseline personal also
 * baseline (personal / fixed), usual_outing_minutes (null: not learned)
 * and outings_learned.  Window [d.ts, until).
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
	int					limit;
	int					usual;
	int					outings;
	bool				personal;

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
	limit = away_limit(in, &usual, &outings, &personal);
	if (away < limit && !(night && away >= p->night_grace_minutes))
		return false;

	ag_dev_begin(dev, &ag_rule_r011_texts, in->cfg, night ? AG_SEV_HIGH : AG_SEV_MEDIUM,
				 st.door->ts, in->until);
	dev->explanation = ag_text_subst_int(dev->explanation, "away_minutes", away);
	if (personal)
		dev->explanation = psprintf(in->cfg->locale == AG_LOCALE_EN
										? "%s Usually back within %d minutes; limit used: %d minutes."
										: "%s Vanligvis hjemme igjen innen %d minutter; grensen som ble brukt: %d minutter.",
									dev->explanation, usual, limit);
	ag_ev_ids(&dev->evidence, "event_ids", &st.door, 1);
	ag_ev_instant(&dev->evidence, "left_at", st.door->ts);
	ag_ev_int(&dev->evidence, "away_minutes", away);
	ag_ev_int(&dev->evidence, "max_away_minutes", p->max_away_minutes);
	ag_ev_int(&dev->evidence, "away_minutes_used", limit);
	if (in->cfg->rule[AG_RULE_R011].baseline == AG_BASELINE_PERSONAL)
	{
		ag_ev_str(&dev->evidence, "baseline", personal ? "personal" : "fixed");
		if (usual >= 0)
			ag_ev_int(&dev->evidence, "usual_outing_minutes", usual);
		else
			ag_ev_null(&dev->evidence, "usual_outing_minutes");
		ag_ev_int(&dev->evidence, "outings_learned", outings);
	}
	ag_ev_bool(&dev->evidence, "night", night);
	ag_ev_int(&dev->evidence, "night_grace_minutes", p->night_grace_minutes);
	ag_ev_int(&dev->evidence, "night_start_hour", p->night_start_hour);
	ag_ev_int(&dev->evidence, "night_end_hour", p->night_end_hour);
	ag_ev_str(&dev->evidence, "tz", p->tz);
	return true;
}
