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
 * ag_rule_r001_range: R-001 reads [since, until) (3.1 "Reads"); with the
 * held-presence, away or gap gates also the home state's look back before
 * since (docs/alarm-quality.md).
 */
void
ag_rule_r001_range(const AgConfig *cfg, TimestampTz since, TimestampTz until,
				   TimestampTz now, AgTimeRange *range)
{
	const AgR001Params *p = &cfg->r001;

	range->from = since;
	if (p->held_presence_counts || p->away_gate || p->gap_gate)
		range->from = ag_home_state_reach(cfg, since);
	range->to = until;
}

/*
 * awake_period_start: the start of the awake period that contains the time
 * of LOCAL(until) (IN_DAYPART is true there): today's start, or
 * yesterday's when the window crosses midnight and until lies after it.
 */
static TimestampTz
awake_period_start(const AgR001Params *p, TimestampTz until)
{
	pg_tz  *tz = ag_tz_lookup(p->timezone);
	AgLocal lu;

	ag_local(until, tz, &lu);
	if (lu.tod_us >= (int64) p->awake_start_s * USECS_PER_SEC)
		return ag_instant(lu.jdate, p->awake_start_s, tz);
	return ag_instant(lu.jdate - 1, p->awake_start_s, tz);
}

/*
 * quiet_gates: the gates of docs/alarm-quality.md, each off by default (the
 * behaviour of rules.md 3.1): awake_whole_window (the window must begin in
 * the same awake period, so the night does not count as "no motion" at
 * 07:00), away_gate (the resident is out or just left), gap_gate (D35).
 * True when one of them silences R-001.
 */
static bool
quiet_gates(const AgRuleInput *in, const AgR001Params *p)
{
	if (p->awake_gate && p->awake_whole_window && in->since < awake_period_start(p, in->until))
		return true;
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
 * ag_rule_r001_eval: awake gate on the time of LOCAL(until) in the rule's
 * timezone (D22, D27), liveness gate when liveness_gate (2.4, D20), then
 * trigger iff no event with category in motion_categories and ts in
 * [since, until) is ACTIVE(payload, payload_state_keys, motion_on_value).
 * Evidence: event_ids [] only (D26).  Window [since, until).
 */
bool
ag_rule_r001_eval(const AgRuleInput *in, AgDeviation *dev)
{
	const AgR001Params *p = &in->cfg->r001;
	int					i;

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
	/* a presence sensor still "on" at since reports someone there (a PIR that does not re-send) */
	if (p->held_presence_counts && ag_sensor_held_on(in, in->since, NULL, NULL))
		return false;

	for (i = ag_events_lower_bound(in->events, in->nevents, in->since);
		 i < in->nevents && in->events[i].ts < in->until; i++)
	{
		const AgEvent *e = &in->events[i];

		if (ag_strlist_has(&p->motion_categories, e->category) &&
			ag_active(e->payload, &p->payload_state_keys, p->motion_on_value))
			return false;
	}

	ag_dev_begin(dev, &ag_rule_r001_texts, in->cfg, AG_SEV_MEDIUM, in->since, in->until);
	ag_ev_ids(&dev->evidence, "event_ids", NULL, 0);
	return true;
}
