/*-------------------------------------------------------------------------
 * r009_ingest_stopped.c
 *	  ingest stopped (rules.md 3.9, D9).  Fires HIGH when the
 *	  home's latest visible liveness event (any age, R-009's stream filter)
 *	  is missing or older than max_age_minutes at now.  Reads no events
 *	  from the array: the engine probes the latest event per category.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rules/rule.h"

const AgRuleTexts ag_rule_r009_texts = {
	"Datainnhenting har stoppet",
	"Det har ikke kommet inn data fra boligen på lenger tid enn tillatt. Kontroller strøm, nettverk og koblingen mot Home Assistant.",
	"Data collection has stopped",
	"No data has arrived from the home for longer than allowed. Check power, network and the Home Assistant connection.",
};

/* ag_rule_r009_range: nothing from the events array (see AgHomeFacts). */
void
ag_rule_r009_range(const AgConfig *cfg, TimestampTz since, TimestampTz until,
				   TimestampTz now, AgTimeRange *range)
{
	range->from = range->to = until;
}

/*
 * ag_rule_r009_eval: the R-009 condition with R-009's own max age and
 * categories.  Evidence: max_age_minutes, last_event_ts and lag_minutes
 * (null when no event), categories, event_ids [].  Window [since, until).
 */
bool
ag_rule_r009_eval(const AgRuleInput *in, AgDeviation *dev)
{
	const AgR009Params *p = &in->cfg->r009;
	AgLiveness			live;
	JsonbParseState	  **st;

	ag_liveness_check(in, p->max_age_minutes, &p->liveness_categories, &live);
	if (!live.fires)
		return false;

	ag_dev_begin(dev, &ag_rule_r009_texts, in->cfg, AG_SEV_HIGH, in->since, in->until);
	st = &dev->evidence;
	ag_ev_int(st, "max_age_minutes", p->max_age_minutes);
	if (live.found)
	{
		ag_ev_instant(st, "last_event_ts", live.last_ts);
		ag_ev_int(st, "lag_minutes", live.lag_minutes);
	}
	else
	{
		ag_ev_null(st, "last_event_ts");
		ag_ev_null(st, "lag_minutes");
	}
	ag_ev_strlist(st, "categories", &p->liveness_categories);
	ag_ev_ids(st, "event_ids", NULL, 0);
	return true;
}
