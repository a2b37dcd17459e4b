/*-------------------------------------------------------------------------
 * r001_no_motion.c
 *	  no motion in window (rules.md 3.1, D20, D22, D26, D27).
 *	  Fires MEDIUM when no motion-category event in [since, until) is
 *	  ACTIVE, unless the awake gate or the liveness gate silences it.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rules/rule.h"

const AgRuleTexts ag_rule_r001_texts = {
	"Ingen bevegelse registrert i valgt tidsvindu",
	"Ingen aktive bevegelses- eller tilstedeværelsessignaler ble fanget opp i perioden som ble vurdert. Kontroller sensorene, eller om personen har vært borte eller i ro.",
	"No motion recorded in the selected time window",
	"No active motion or presence signal was picked up in the assessed period. Check the sensors, or whether the person has been away or resting.",
};

/*
 * ag_rule_r001_range: R-001 reads [since, until) (3.1 "Reads"); with
 * baseline personal from until - max_stillness_minutes when that is
 * earlier; with the held-presence, away or gap gates also the home state's
 * look back before that (docs/alarm-quality.md).
 */
void
ag_rule_r001_range(const AgConfig *cfg, TimestampTz since, TimestampTz until,
				   TimestampTz now, AgTimeRange *range)
{
	const AgR001Params *p = &cfg->r001;

	range->from = since;
	if (cfg->rule[AG_RULE_R001].baseline == AG_BASELINE_PERSONAL)
		range->from = Min(since, ag_add_minutes(until, -p->max_stillness_minutes));
	if (p->held_presence_counts || p->away_gate || p->gap_gate)
		range->from = ag_home_state_reach(cfg, range->from);
	range->to = until;
}

/*
 * awake_start: the start of the awake period that contains the time of
 * LOCAL(until) (IN_DAYPART is true there): today's start, or yesterday's
 * when the window crosses midnight and until lies after midnight.  With a
 * usable personal profile (rules.md D33, docs/alarm-quality.md) the start
 * moves to the usual wake-up (quantile 0.9) + AG_PROFILE_WAKE_MARGIN_MIN of
 * that date when that is later; *personal says whether it did.
 */
static TimestampTz
awake_start(const AgRuleInput *in, const AgR001Params *p, bool *personal)
{
	pg_tz	   *tz = ag_tz_lookup(p->timezone);
	AgLocal		lu;
	int			jdate;
	TimestampTz start;

	ag_local(in->until, tz, &lu);
	jdate = lu.tod_us >= (int64) p->awake_start_s * USECS_PER_SEC ? lu.jdate : lu.jdate - 1;
	start = ag_instant(jdate, p->awake_start_s, tz);
	*personal = false;
	if (ag_profile_usable(in, AG_RULE_R001) && in->facts->profile.wake_minute >= 0)
	{
		int			s = (in->facts->profile.wake_minute + AG_PROFILE_WAKE_MARGIN_MIN) * 60;
		TimestampTz mine = ag_instant(jdate, Min(s, 86399), tz);

		if (mine > start)
		{
			start = mine;
			*personal = true;
		}
	}
	return start;
}

/*
 * quiet_gates: the gates of docs/alarm-quality.md, each off by default (the
 * behaviour of rules.md 3.1): the personal wake-up (baseline personal: not
 * before the resident is usually up), awake_whole_window (the window must
 * begin in the same awake period, so the night does not count as "no
 * motion" at 07:00), away_gate (the resident is out or just left),
 * gap_gate (D35).  True when one of them silences R-001.
 */
static bool
quiet_gates(const AgRuleInput *in, const AgR001Params *p)
{
	if (p->awake_gate && (p->awake_whole_window || in->cfg->rule[AG_RULE_R001].baseline == AG_BASELINE_PERSONAL))
	{
		bool		personal;
		TimestampTz start = awake_start(in, p, &personal);

		if (in->until < start || (p->awake_whole_window && in->since < start))
			return true;
	}
	if (p->away_gate)
	{
		AgAway st;

		ag_home_state_at(in, in->until, &st);
		if (st.state == AG_HOME_AWAY || st.state == AG_HOME_PENDING)
			return true;
	}
	return p->gap_gate && ag_ingest_gap(in, in->since, in->until);
}

/*
 * stillness_needed: with a usable personal profile, the minutes without
 * motion the window must show before R-001 fires: max(the window's
 * length, min(usual + stillness_margin_minutes, max_stillness_minutes)),
 * usual being the home's stillness_minutes of the local weekday and hour
 * of until (quantile 0.9 of the longest stillness reached in that hour);
 * otherwise (and when not learned) the window's length.  *usual: -1 if
 * not used.
 */
static int64
stillness_needed(const AgRuleInput *in, const AgR001Params *p, int *usual)
{
	int64 window = ag_minutes_between(in->since, in->until);

	*usual = -1;
	if (!ag_profile_usable(in, AG_RULE_R001))
		return window;
	*usual = ag_profile_value(&in->facts->profile, "stillness_minutes",
							  ag_profile_hour_key(in->until, ag_tz_lookup(p->timezone)));
	if (*usual < 0)
		return window;
	return Max(window, Min(*usual + p->stillness_margin_minutes, p->max_stillness_minutes));
}

/*
 * baseline_evidence: with baseline personal, what was usual: baseline
 * ("personal" when the profile was used, else "fixed"), usual_wake_time
 * (HH:MM:SS or null), awake_start_used (the instant judged from),
 * usual_stillness_minutes (null: not learned) and stillness_minutes_used.
 */
static void
baseline_evidence(const AgRuleInput *in, const AgR001Params *p, JsonbParseState **st)
{
	int	  usual_still;
	int64 needed = stillness_needed(in, p, &usual_still);

	bool		personal;
	TimestampTz start = awake_start(in, p, &personal);
	int			wake = in->facts->profile.wake_minute;

	ag_ev_str(st, "baseline", ag_profile_usable(in, AG_RULE_R001) ? "personal" : "fixed");
	if (ag_profile_usable(in, AG_RULE_R001) && wake >= 0)
		ag_ev_str(st, "usual_wake_time", ag_tod_text(wake * 60));
	else
		ag_ev_null(st, "usual_wake_time");
	ag_ev_instant(st, "awake_start_used", start);
	if (usual_still >= 0)
		ag_ev_int(st, "usual_stillness_minutes", usual_still);
	else
		ag_ev_null(st, "usual_stillness_minutes");
	ag_ev_int(st, "stillness_minutes_used", needed);
}

/*
 * ag_rule_r001_eval: awake gate on the time of LOCAL(until) in the rule's
 * timezone (D22, D27), liveness gate when liveness_gate (2.4, D20), then
 * trigger iff no event with category in motion_categories and ts in
 * [since, until) is ACTIVE(payload, payload_state_keys, motion_on_value).
 * With baseline personal (D33, docs/alarm-quality.md) the quiet span checked
 * is [until - stillness_needed, until) instead, which is never shorter.
 * Evidence: event_ids [] only (D26), plus baseline_evidence with baseline
 * personal.  Window [since, until).
 */
bool
ag_rule_r001_eval(const AgRuleInput *in, AgDeviation *dev)
{
	const AgR001Params *p = &in->cfg->r001;
	int					i;
	TimestampTz			from = in->since;

	if (p->awake_gate)
	{
		AgLocal lu;

		ag_local(in->until, ag_tz_lookup(p->timezone), &lu);
		if (!ag_in_daypart(lu.tod_us, p->awake_start_s, p->awake_end_s))
			return false;
	}
	if (p->liveness_gate && ag_liveness_gate_fires(in, -1, NULL))
		return false;
	if (quiet_gates(in, p))
		return false;
	/* baseline personal: still for longer than this person usually is at this hour */
	if (in->cfg->rule[AG_RULE_R001].baseline == AG_BASELINE_PERSONAL)
	{
		int usual;

		from = ag_add_minutes(in->until, -stillness_needed(in, p, &usual));
	}
	/* a presence sensor still "on" at since reports someone there (a PIR that does not re-send) */
	if (p->held_presence_counts && ag_sensor_held_on(in, from, NULL, NULL))
		return false;

	for (i = ag_events_lower_bound(in->events, in->nevents, from);
		 i < in->nevents && in->events[i].ts < in->until; i++)
	{
		const AgEvent *e = &in->events[i];

		if (ag_strlist_has(&p->motion_categories, e->category) &&
			ag_active(e->payload, &p->payload_state_keys, p->motion_on_value))
			return false;
	}

	ag_dev_begin(dev, &ag_rule_r001_texts, in->cfg, AG_SEV_MEDIUM, in->since, in->until);
	ag_ev_ids(&dev->evidence, "event_ids", NULL, 0);
	if (in->cfg->rule[AG_RULE_R001].baseline == AG_BASELINE_PERSONAL)
		baseline_evidence(in, p, &dev->evidence);
	return true;
}
