/*-------------------------------------------------------------------------
 * r002_door_night.c
 *	  front door opened at night (rules.md 3.2, D10, D21).
 *	  Fires HIGH when some door event in [since, until) is an opening
 *	  (STATE one of trigger_value, allowlist passed) at a local clock time
 *	  inside the night window.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rules/rule.h"

const AgRuleTexts ag_rule_r002_texts = {
	"Ytterdør åpnet på natt",
	"Nattlig åpning av ytterdøren er registrert. Bekreft at dette var planlagt.",
	"Front door opened at night",
	"A night-time opening of the front door was recorded. Verify that it was planned.",
};

static char			  *entity_key_items[] = {"entity_id"};
static const AgStrList entity_keys = {1, entity_key_items};

/* ag_rule_r002_range: R-002 reads [since, until). */
void
ag_rule_r002_range(const AgConfig *cfg, TimestampTz since, TimestampTz until,
				   TimestampTz now, AgTimeRange *range)
{
	range->from = since;
	range->to = until;
}

/*
 * qualifies: the three conditions of 3.2 "Qualifying event" for an event
 * already known to have category = p->category: allowlist (exact
 * FIRST(payload, ["entity_id"])), STATE one of trigger_value (folded),
 * and IN_DAYPART(time of LOCAL(ts)) of the night window.
 */
static bool
qualifies(const AgR002Params *p, pg_tz *tz, const AgEvent *e)
{
	AgLocal loc;

	if (p->allowed_entity_ids.n > 0)
	{
		char *entity;

		if (!ag_payload_first(e->payload, &entity_keys, &entity) ||
			!ag_strlist_has(&p->allowed_entity_ids, entity))
			return false;
	}
	if (!ag_state_in(e->payload, &p->payload_state_keys, &p->trigger_value))
		return false;
	ag_local(e->ts, tz, &loc);
	return ag_in_daypart(loc.tod_us, p->night_start_s, p->night_end_s);
}

/*
 * ag_rule_r002_eval: collect the qualifying door events in EVENT ORDER;
 * at least one fires HIGH.  Evidence: event_ids (all qualifying),
 * timezone, night_window {start_local_time, end_local_time}.  Window
 * [since, until).
 */
bool
ag_rule_r002_eval(const AgRuleInput *in, AgDeviation *dev)
{
	const AgR002Params *p = &in->cfg->r002;
	pg_tz			   *tz = ag_tz_lookup(p->timezone);
	const AgEvent	  **hits = palloc(sizeof(AgEvent *) * Max(in->nevents, 1));
	int					nhits = 0;
	int					i;

	for (i = ag_events_lower_bound(in->events, in->nevents, in->since);
		 i < in->nevents && in->events[i].ts < in->until; i++)
	{
		const AgEvent *e = &in->events[i];

		if (strcmp(e->category, p->category) == 0 && qualifies(p, tz, e))
			hits[nhits++] = e;
	}
	if (nhits == 0)
		return false;

	ag_dev_begin(dev, &ag_rule_r002_texts, in->cfg, AG_SEV_HIGH, in->since, in->until);
	ag_ev_ids(&dev->evidence, "event_ids", hits, nhits);
	ag_ev_str(&dev->evidence, "timezone", p->timezone);
	ag_ev_begin_object(&dev->evidence, "night_window");
	ag_ev_str(&dev->evidence, "start_local_time", ag_tod_text(p->night_start_s));
	ag_ev_str(&dev->evidence, "end_local_time", ag_tod_text(p->night_end_s));
	ag_ev_end_object(&dev->evidence);
	return true;
}
