/*-------------------------------------------------------------------------
 * r005_bathroom_absent.c
 *	  no bathroom activity for a long time (rules.md 3.5, 2.4,
 *	  D9, D20, D26).  Fires LOW when no ACTIVE bathroom presence event lies
 *	  in W = [until - lookback_hours, until), unless ingest has stopped.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rules/rule.h"

const AgRuleTexts ag_rule_r005_texts = {
	"Ingen aktivitet på badet på lenge",
	"Ingen har vært registrert på badet gjennom hele perioden. Årsaken kan være endrede vaner eller en sensor som ikke oppdager personen.",
	"No bathroom activity for a long time",
	"Nobody has been detected in the bathroom during the whole period. The cause may be a changed routine or a sensor that does not detect the person.",
};

/* w_of: W = [until - lookback_hours, until) (3.5 step 2). */
static void
w_of(const AgConfig *cfg, TimestampTz until, AgTimeRange *w)
{
	w->from = until - (int64) cfg->r005.lookback_hours * AG_USECS_PER_HOUR;
	w->to = until;
}

/*
 * ag_rule_r005_range: W; since is not used.  With away_gate or gap_gate
 * also the home state's look back before W (docs/alarm-quality.md).
 */
void
ag_rule_r005_range(const AgConfig *cfg, TimestampTz since, TimestampTz until,
				   TimestampTz now, AgTimeRange *range)
{
	w_of(cfg, until, range);
	if (cfg->r005.away_gate || cfg->r005.gap_gate)
		range->from = ag_home_state_reach(cfg, range->from);
}

/*
 * ag_stillness_gates: the away gate (the resident is out or just left at
 * until) and the gap gate (D35: an ingest gap in [from, until]) shared by
 * true when one of the enabled gates silences the rule.
 */
bool
ag_stillness_gates(const AgRuleInput *in, bool away_gate, bool gap_gate,
				   TimestampTz from, TimestampTz until)
{
	if (away_gate)
	{
		AgAway st;

		ag_home_state_at(in, until, &st);
		if (st.state == AG_HOME_AWAY || st.state == AG_HOME_PENDING)
			return true;
	}
	return gap_gate && ag_ingest_gap(in, from, until);
}

/*
 * ag_rule_r005_eval: liveness gate (2.4, with the rule's liveness_*
 * overrides), then no deviation if some presence event in W has ROOM =
 * bathroom_room_id and ACTIVE(payload, [state, value], on); else LOW.
 * Evidence: room_id, lookback_hours, since_ts, last_bathroom_ts null,
 * event_ids [], liveness_gated_by "R-009".  Window W.
 */
bool
ag_rule_r005_eval(const AgRuleInput *in, AgDeviation *dev)
{
	const AgR005Params *p = &in->cfg->r005;
	AgTimeRange			w;
	int					i;

	if (ag_liveness_gate_fires(in, p->liveness_max_age_minutes, &p->liveness_categories))
		return false;

	w_of(in->cfg, in->until, &w);
	if (ag_stillness_gates(in, p->away_gate, p->gap_gate, w.from, w.to))
		return false;
	for (i = ag_events_lower_bound(in->events, in->nevents, w.from);
		 i < in->nevents && in->events[i].ts < w.to; i++)
	{
		const AgEvent *e = &in->events[i];

		if (strcmp(e->category, "presence") == 0 &&
			strcmp(e->room, p->bathroom_room_id) == 0 &&
			ag_active(e->payload, &ag_state_keys_default, "on"))
			return false;
	}

	ag_dev_begin(dev, &ag_rule_r005_texts, in->cfg, AG_SEV_LOW, w.from, w.to);
	ag_ev_str(&dev->evidence, "room_id", p->bathroom_room_id);
	ag_ev_int(&dev->evidence, "lookback_hours", p->lookback_hours);
	ag_ev_instant(&dev->evidence, "since_ts", w.from);
	ag_ev_null(&dev->evidence, "last_bathroom_ts");
	ag_ev_ids(&dev->evidence, "event_ids", NULL, 0);
	ag_ev_str(&dev->evidence, "liveness_gated_by", "R-009");
	return true;
}
