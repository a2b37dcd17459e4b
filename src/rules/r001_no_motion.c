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

/* ag_rule_r001_range: R-001 reads [since, until) (3.1 "Reads"). */
void
ag_rule_r001_range(const AgConfig *cfg, TimestampTz since, TimestampTz until,
				   TimestampTz now, AgTimeRange *range)
{
	range->from = since;
	range->to = until;
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
