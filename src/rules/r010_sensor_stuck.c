/*-------------------------------------------------------------------------
 * r010_sensor_stuck.c
 *	  presence sensor stuck (rules.md 3.10, 2.4, D16, D24, D25,
 *	  D29).  Fires when some room's latest presence "on" in W is at least
 *	  stuck_minutes old at until and no "off" followed; LOW, or MEDIUM for
 *	  a medium_rooms room.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rules/rule.h"

const AgRuleTexts ag_rule_r010_texts = {
	"Sensor kan ha hengt seg",
	"Minst én tilstedeværelsessensor har meldt «tilstede» i uvanlig lang tid uten å slå seg av. Kontroller sensorene i rommene som er oppført.",
	"Sensor may be stuck",
	"At least one presence sensor has reported \"present\" for an unusually long time without turning off. Check the sensors in the listed rooms.",
};

/* An event of P with its folded state and its position in EVENT ORDER. */
typedef struct R010Item
{
	const AgEvent *e;
	int			   pos;
	bool		   on;
} R010Item;

/* A stuck room: its latest "on" event and severity. */
typedef struct R010Stuck
{
	const AgEvent *last_on;
	AgSeverity	   sev;
	int			   thr;	  /* stuck minutes used for the room */
	int			   usual; /* learned on-minutes of the room, -1 none */
} R010Stuck;

/*
 * scan_minutes: params.lookback_minutes; with baseline personal at least
 * AG_PROFILE_ON_MAX_MIN + 60, so a personal threshold stays in view.
 */
static int64
scan_minutes(const AgConfig *cfg)
{
	int64 m = cfg->r010.lookback_minutes;

	if (cfg->rule[AG_RULE_R010].baseline == AG_BASELINE_PERSONAL)
		m = Max(m, AG_PROFILE_ON_MAX_MIN + 60);
	return m;
}

/* ag_rule_r010_range: W = [until - scan_minutes, until). */
void
ag_rule_r010_range(const AgConfig *cfg, TimestampTz since, TimestampTz until,
				   TimestampTz now, AgTimeRange *range)
{
	range->from = ag_add_minutes(until, -scan_minutes(cfg));
	range->to = until;
}

/*
 * room_threshold: stuck_minutes, or with a usable personal profile (rules.md
 * D33) the room's learned on-minutes (quantile 0.99) + AG_PROFILE_ON_MARGIN_MIN
 * when longer, at most AG_PROFILE_ON_MAX_MIN.
 */
static int
room_threshold(const AgRuleInput *in, const char *room, int *usual)
{
	int thr = in->cfg->r010.stuck_minutes;

	*usual = -1;
	if (!ag_profile_usable(in, AG_RULE_R010))
		return thr;
	*usual = ag_profile_on_minutes(&in->facts->profile, room);
	if (*usual >= 0)
		thr = Max(thr, Min(*usual + AG_PROFILE_ON_MARGIN_MIN, AG_PROFILE_ON_MAX_MIN));
	return thr;
}

/*
 * item_cmp: order by room bytewise, then EVENT ORDER (qsort comparator).
 * The engine interns room strings, so equal rooms are usually the same
 * pointer and need no strcmp.
 */
static int
item_cmp(const void *a, const void *b)
{
	const R010Item *x = (const R010Item *) a;
	const R010Item *y = (const R010Item *) b;
	int				c = x->e->room == y->e->room ? 0 : strcmp(x->e->room, y->e->room);

	if (c != 0)
		return c;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* At most this many distinct rooms are grouped by room_groups' table; more fall back to qsort. */
#define AG_R010_MAX_ROOMS 64

/* One room of P: its latest "on" (EVENT ORDER) and its latest "off" instant. */
typedef struct R010Room
{
	const char	  *room;
	const AgEvent *last_on;
	bool		   has_off;
	TimestampTz	   max_off;
} R010Room;

/* room_add: item it (in EVENT ORDER within its room) into its room g. */
static void
room_add(R010Room *g, const R010Item *it)
{
	if (it->on)
		g->last_on = it->e;
	else if (!g->has_off || it->e->ts > g->max_off)
	{
		g->max_off = it->e->ts;
		g->has_off = true;
	}
}

/*
 * room_groups: the rooms of the n items (collected in EVENT ORDER) in
 * bytewise room order, each with its latest "on" and "off" — what grouping
 * the items sorted by item_cmp gives, in one pass over a small table of
 * rooms and without a sort of every event or a large allocation
 * (docs/bench.md section 13).  With more than AG_R010_MAX_ROOMS rooms the
 * items are sorted by item_cmp and grouped.  *out is small or a palloc'd
 * array; returns the number of rooms.
 */
static int
room_groups(R010Item *items, int n, R010Room *small, R010Room **out)
{
	int nr = 0;

	*out = small;
	for (int i = 0; i < n && nr >= 0; i++)
	{
		const char *room = items[i].e->room;
		int			r;

		for (r = 0; r < nr; r++)
		{
			if (small[r].room == room || strcmp(small[r].room, room) == 0)
				break;
		}
		if (r == nr)
		{
			if (nr == AG_R010_MAX_ROOMS)
			{
				nr = -1;
				break;
			}
			small[nr].room = room;
			small[nr].last_on = NULL;
			small[nr].has_off = false;
			small[nr].max_off = 0;
			nr++;
		}
		room_add(&small[r], &items[i]);
	}
	if (nr >= 0)
	{
		for (int k = 1; k < nr; k++) /* insertion sort of the few rooms, bytewise */
		{
			R010Room g = small[k];
			int		 j = k;

			while (j > 0 && strcmp(small[j - 1].room, g.room) > 0)
			{
				small[j] = small[j - 1];
				j--;
			}
			small[j] = g;
		}
		return nr;
	}
	qsort(items, n, sizeof(R010Item), item_cmp);
	*out = palloc(sizeof(R010Room) * Max(n, 1));
	nr = 0;
	for (int i = 0; i < n; i++)
	{
		if (nr == 0 || strcmp((*out)[nr - 1].room, items[i].e->room) != 0)
		{
			(*out)[nr].room = items[i].e->room;
			(*out)[nr].last_on = NULL;
			(*out)[nr].has_off = false;
			(*out)[nr].max_off = 0;
			nr++;
		}
		room_add(&(*out)[nr - 1], &items[i]);
	}
	return nr;
}

/*
 * collect: P of 3.10 step 3: presence events in [from, until) with a room
 * and folded STATE([state, value]) "on" or "off" (others ignored, D25).
 */
static int
collect(const AgRuleInput *in, TimestampTz from, R010Item *items)
{
	int n = 0;

	for (int i = ag_events_lower_bound(in->events, in->nevents, from);
		 i < in->nevents && in->events[i].ts < in->until; i++)
	{
		const AgEvent *e = &in->events[i];
		char		  *s;

		if (strcmp(e->category, "presence") != 0 || e->room[0] == '\0' ||
			!ag_payload_first(e->payload, &ag_state_keys_default, &s))
			continue;
		if (!ag_fold_eq(s, "on") && !ag_fold_eq(s, "off"))
			continue;
		items[n].e = e;
		items[n].pos = i;
		items[n].on = ag_fold_eq(s, "on");
		n++;
	}
	return n;
}

/* The "off" of a room the resident left comes 30-120 s after the next room's "on". */
#define AG_R010_ELSEWHERE_GRACE_MIN 5

/*
 * active_elsewhere: some ACTIVE activity event (home_state categories) in
 * another room after last_on and at least AG_R010_ELSEWHERE_GRACE_MIN
 * minutes before until (time for this room's own "off" to arrive): the
 * resident was elsewhere
 * while this sensor still said "present" (docs/alarm-quality.md), so a
 * mmWave sensor watching a sleeper all night is not "stuck".
 */
static bool
active_elsewhere(const AgRuleInput *in, const AgEvent *last_on)
{
	for (int i = ag_events_lower_bound(in->events, in->nevents, last_on->ts);
		 i < in->nevents && in->events[i].ts < in->until; i++)
	{
		const AgEvent *e = &in->events[i];

		if (e->ts > ag_add_minutes(in->until, -AG_R010_ELSEWHERE_GRACE_MIN))
			break;
		if (e->ts > last_on->ts && e->room[0] != '\0' && strcmp(e->room, last_on->room) != 0 &&
			ag_strlist_has(&in->cfg->home_state.activity_categories, e->category) &&
			ag_active(e->payload, &ag_state_keys_default, "on"))
			return true;
	}
	return false;
}

/* emit: the evidence of 3.10 for the nstuck stuck rooms (sorted bytewise). */
static void
emit(const AgR010Params *p, TimestampTz cutoff, R010Stuck *stuck, int nstuck,
	 const char *baseline, JsonbParseState **st)
{
	const AgEvent **ids = palloc(sizeof(AgEvent *) * nstuck);
	bool			personal = baseline != NULL;

	ag_ev_int(st, "stuck_minutes", p->stuck_minutes);
	ag_ev_int(st, "lookback_minutes", p->lookback_minutes);
	ag_ev_instant(st, "cutoff_ts", cutoff);
	ag_ev_key(st, "stuck_rooms");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < nstuck; i++)
	{
		JsonbValue v;

		v.type = jbvString;
		v.val.string.val = (char *) stuck[i].last_on->room;
		v.val.string.len = strlen(stuck[i].last_on->room);
		pushJsonbValue(st, WJB_ELEM, &v);
		ids[i] = stuck[i].last_on;
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
	ag_ev_begin_object(st, "per_room");
	for (int i = 0; i < nstuck; i++)
	{
		ag_ev_begin_object(st, stuck[i].last_on->room);
		ag_ev_str(st, "severity", ag_severity_name(stuck[i].sev));
		ag_ev_instant(st, "last_on_ts", stuck[i].last_on->ts);
		ag_ev_str(st, "last_on_event_id", stuck[i].last_on->id);
		if (personal)
		{
			ag_ev_int(st, "stuck_minutes_used", stuck[i].thr);
			if (stuck[i].usual >= 0)
				ag_ev_int(st, "usual_on_minutes", stuck[i].usual);
			else
				ag_ev_null(st, "usual_on_minutes");
		}
		ag_ev_end_object(st);
	}
	ag_ev_end_object(st);
	ag_ev_ids(st, "event_ids", ids, nstuck);
	ag_ev_str(st, "liveness_gated_by", "R-009");
	if (personal)
		ag_ev_str(st, "baseline", baseline);
}

/*
 * ag_rule_r010_eval: liveness gate (2.4, with the rule's overrides), then
 * per room (groups of P sorted bytewise): stuck iff its latest "on" has
 * ts <= cutoff = until - stuck_minutes and no "off" of that room has
 * ts >= that "on".  Severity is the maximum over stuck rooms.  Window W.
 */
bool
ag_rule_r010_eval(const AgRuleInput *in, AgDeviation *dev)
{
	const AgR010Params *p = &in->cfg->r010;
	TimestampTz			from = ag_add_minutes(in->until, -scan_minutes(in->cfg));
	TimestampTz			cutoff = ag_add_minutes(in->until, -(int64) p->stuck_minutes);
	R010Item		   *items = palloc(sizeof(R010Item) * Max(in->nevents, 1));
	R010Stuck		   *stuck;
	int					nstuck = 0;
	AgSeverity			sev = AG_SEV_NONE;
	int					n;
	R010Room			small[AG_R010_MAX_ROOMS];
	R010Room		   *rooms;
	int					nrooms;

	if (ag_liveness_gate_fires(in, p->liveness_max_age_minutes, &p->liveness_categories))
		return false;
	n = collect(in, from, items);
	nrooms = room_groups(items, n, small, &rooms);
	stuck = palloc(sizeof(R010Stuck) * Max(nrooms, 1)); /* at most one per room */
	for (int g = 0; g < nrooms; g++)
	{
		const AgEvent *last_on = rooms[g].last_on;
		int			   thr;
		int			   usual;

		if (last_on == NULL)
			continue;
		thr = room_threshold(in, last_on->room, &usual);
		if (last_on->ts > ag_add_minutes(in->until, -(int64) thr) || (rooms[g].has_off && rooms[g].max_off >= last_on->ts))
			continue;
		if (p->require_activity_elsewhere && !active_elsewhere(in, last_on))
			continue;
		stuck[nstuck].last_on = last_on;
		stuck[nstuck].thr = thr;
		stuck[nstuck].usual = usual;
		stuck[nstuck].sev = ag_strlist_has(&p->medium_rooms, last_on->room) ? AG_SEV_MEDIUM : AG_SEV_LOW;
		sev = Max(sev, stuck[nstuck].sev);
		nstuck++;
	}
	if (nstuck == 0)
		return false;

	ag_dev_begin(dev, &ag_rule_r010_texts, in->cfg, sev, from, in->until);
	emit(p, cutoff, stuck, nstuck,
		 in->cfg->rule[AG_RULE_R010].baseline != AG_BASELINE_PERSONAL ? NULL : ag_profile_usable(in, AG_RULE_R010) ? "personal"
																												   : "fixed",
		 &dev->evidence);
	return true;
}
