/*-------------------------------------------------------------------------
 * anomalies.c
 *	  Parse --inject and turn each injection into plan edits, door cycles
 *	  and stream filters (see anomalies.h; the why of every number is in
 *	  docs/sim.md, section "Anomalies").
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomalies.h"
#include "clock.h"
#include "log.h"
#include "model.h"
#include "rng.h"

#define MIN 60

/* parse_one: "R-00N@INSTANT[:HOME]" (len characters at s). */
static bool
parse_one(const char *s, size_t len, AgInject *out, char *err, size_t errlen)
{
	char		item[128];
	const char *end;
	char	   *stop;
	long		home = 1;

	if (len == 0 || len >= sizeof(item))
	{
		snprintf(err, errlen, "empty or overlong --inject item");
		return false;
	}
	memcpy(item, s, len);
	item[len] = '\0';
	if (strncmp(item, "R-0", 3) != 0 || item[3] < '0' || item[3] > '9' || item[4] < '0' || item[4] > '9' ||
		item[5] != '@' || (out->rule = (item[3] - '0') * 10 + (item[4] - '0')) < 1 || out->rule > 11)
	{
		snprintf(err, errlen, "--inject item \"%s\": expected RULE@INSTANT[:HOME] with RULE one of R-001 ... R-011", item);
		return false;
	}
	if (!ag_clock_parse_instant(item + 6, &out->at, &end))
	{
		snprintf(err, errlen, "--inject item \"%s\": bad instant; use e.g. 2026-01-08T01:30:00Z", item);
		return false;
	}
	if (*end == ':')
	{
		home = strtol(end + 1, &stop, 10);
		if (end[1] < '1' || end[1] > '9' || *stop != '\0' || home > 100000)
		{
			snprintf(err, errlen, "--inject item \"%s\": HOME must be a home number from 1", item);
			return false;
		}
	}
	else if (*end != '\0')
	{
		snprintf(err, errlen, "--inject item \"%s\": unexpected text after the instant", item);
		return false;
	}
	out->home = (int) home;
	return true;
}

bool
ag_inject_parse(const char *text, AgInject **list, int *n, char *err, size_t errlen)
{
	const char *p = text;

	for (;;)
	{
		size_t len = strcspn(p, ",");

		*list = realloc(*list, (size_t) (*n + 1) * sizeof(AgInject));
		if (*list == NULL)
			abort();
		if (!parse_one(p, len, &(*list)[*n], err, errlen))
			return false;
		(*n)++;
		if (p[len] == '\0')
			return true;
		p += len + 1;
	}
}

/* in_daypart: local minute m in [s, e), the window crossing midnight when s > e. */
static bool
in_daypart(int m, int s, int e)
{
	return s < e ? (m >= s && m < e) : (m >= s || m < e);
}

void
ag_inject_warn(const AgInject *in, AgTime start)
{
	const char *why = NULL;
	int			m = ag_local_minute(in->at);

	if (in->rule == 1 && !in_daypart(ag_local_minute(in->at + 180 * MIN), 7 * 60, 23 * 60))
		why = "R-001 judges only windows ending 07:00-23:00 local; the anomaly shows 3 hours after the instant";
	else if (in->rule == 2 && !in_daypart(m, 23 * 60, 6 * 60))
		why = "R-002 fires only for a door opened 23:00-06:00 local";
	else if (in->rule == 6 && !in_daypart(m, 6 * 60, 8 * 60 + 1))
		why = "R-006 needs the whole living-room-free morning: inject at 06:00-08:00 local";
	else if (in->rule == 7 && !in_daypart(m, 22 * 60, 6 * 60 + 20))
		why = "R-007 counts room switches only 22:00-07:00 local";
	else if ((in->rule == 1 || in->rule == 5 || in->rule == 6 || in->rule == 7) && in->at - start < 2 * 86400)
		why = "gated rule: events on 3 local dates are needed first; inject on day 3 or later";
	if (why != NULL)
		ag_log(AG_LOG_WARN, "inject_may_not_fire", why, "rule=R-%03d home=%d", in->rule, in->home);
}

AgTime
ag_inject_window(int rule)
{
	static const AgTime window[12] = {
		0,
		210 * MIN, /* R-001 motionless 3.5 h */
		150,	   /* R-002 at the door at night */
		480 * MIN, /* R-003 fell after opening the door and cannot get up (8 h) */
		100 * MIN, /* R-004 100 minutes in the bathroom */
		26 * 3600, /* R-005 no bathroom for 26 h */
		12 * 3600, /* R-006 stays in bed all day */
		40 * MIN,  /* R-007 wanders at night */
		11 * MIN,  /* R-008 opens and closes the door 4 times */
		120 * MIN, /* R-009 the gateway is down for 2 h */
		360 * MIN, /* R-010 kitchen sensor stuck on for 6 h */
		600 * MIN, /* R-011 leaves and is not back for 10 h */
	};

	return rule >= 1 && rule <= 11 ? window[rule] : 0;
}

/* add_drop: a stream filter. */
static void
add_drop(AgAnomalies *a, AgTime from, AgTime to, uint8_t mask, int force_room)
{
	if (a->ndrops < 64)
		a->drops[a->ndrops++] = (AgDrop){from, to, mask, force_room, 0, {0}, {0}};
}

/* add_door: a door cycle. */
static void
add_door(AgAnomalies *a, AgTime at, int open_secs, bool motion)
{
	if (a->ndoors < 64)
		a->doors[a->ndoors++] = (AgDoorCycle){at, open_secs, motion};
}

void
ag_anomalies_init(AgAnomalies *a, const AgInject *all, int nall, int home)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < nall && a->ninj < 64; i++)
	{
		const AgInject *in = &all[i];

		if (in->home != home)
			continue;
		a->r001_room[a->ninj] = -3;
		a->resolved[a->ninj] = 0;
		a->inj[a->ninj++] = *in;
		switch (in->rule)
		{
			case 2: /* a look out of the front door at night */
				add_door(a, in->at, 20, true);
				break;
			case 3: /* the door opens, then nothing moves in the hall */
				add_drop(a, in->at, in->at + 15 * MIN, 1u << AG_SLOT_MOTION, -1);
				break;
			case 8: /* four openings within 7.5 minutes: 8 door events */
				for (int k = 0; k < 4; k++)
					add_door(a, in->at + k * 150, 20, true);
				break;
			case 9: /* the gateway stops: nothing arrives */
				add_drop(a, in->at, in->at + ag_inject_window(9), 0xFF, -1);
				break;
			case 10: /* the kitchen sensor hangs in "on" */
				add_drop(a, in->at, in->at + ag_inject_window(10), 1u << AG_KJOKKEN, AG_KJOKKEN);
				break;
		}
	}
}

/* wander: R-007, room switches every 2-5 minutes for 40 minutes. */
static void
wander(AgPlan *plan, const AgInject *in, uint64_t seed, int home)
{
	static const int rooms[] = {AG_KJOKKEN, AG_STUE, AG_INNGANG, AG_KJOKKEN, AG_BADEROM, AG_STUE,
								AG_INNGANG, AG_KJOKKEN, AG_STUE, AG_BADEROM, AG_KJOKKEN, AG_STUE};
	AgRng			 r;
	AgTime			 t = in->at, end = in->at + ag_inject_window(7);

	ag_rng_seed(&r, seed, (uint64_t) home, (uint64_t) in->at, AG_SALT_ANOMALY);
	for (int k = 0; t < end; k = (k + 1) % 12)
	{
		AgTime dur = ag_rng_range(&r, 120, 300);

		ag_plan_overwrite(plan, t, t + dur < end ? t + dur : end, rooms[k], 0);
		t += dur;
	}
}

/*
 * door_then_still: R-003.  At home: in the hall from 2 minutes before,
 * the door opens at the instant (unseen by the motion sensor), then the
 * resident lies still for 8 hours (a fall: cannot get up; docs/alarm-quality.md
 * says which sensors tell it from a departure).  Out (or back from a trip less than
 * 30 minutes before): the trip ends at the instant instead, so the
 * opening is the return and R-008 sees no more than 4 door events.
 */
static void
door_then_still(AgAnomalies *a, int i, AgPlan *plan)
{
	const AgInject *in = &a->inj[i];
	AgTime			end = in->at + ag_inject_window(3);

	if (a->resolved[i] == 0 && in->at >= plan->start && in->at < plan->end)
	{
		a->resolved[i] = 2; /* at home */
		for (int k = 0; k < plan->n; k++)
			if (plan->seg[k].room == AG_AWAY && plan->seg[k].start < in->at && plan->seg[k].end > in->at - 30 * MIN)
			{
				a->resolved[i] = 1; /* out: extend the trip to the instant */
				if (plan->seg[k].end < in->at)
					ag_plan_overwrite(plan, plan->seg[k].end, in->at, AG_AWAY, 0);
				break;
			}
		if (a->resolved[i] == 2)
			add_door(a, in->at, 15, false);
	}
	if (a->resolved[i] == 1)
		ag_plan_overwrite(plan, in->at, end, AG_INNGANG, AG_SEG_STILL);
	else if (a->resolved[i] == 2)
		ag_plan_overwrite(plan, in->at - 120, end, AG_INNGANG, AG_SEG_STILL);
}

/* apply_one: the plan edit of injection i, clipped to the plan. */
static void
apply_one(AgAnomalies *a, int i, AgPlan *plan, uint64_t seed, int home)
{
	const AgInject *in = &a->inj[i];
	AgTime			end = in->at + ag_inject_window(in->rule);

	switch (in->rule)
	{
		case 1: /* motionless where they are: the sensor drops to off */
			if (a->r001_room[i] == -3 && in->at >= plan->start && in->at < plan->end)
			{
				a->r001_room[i] = ag_plan_room_at(plan, in->at);
				if (a->r001_room[i] < 0)
					a->r001_room[i] = AG_STUE;
			}
			if (a->r001_room[i] >= 0)
				ag_plan_overwrite(plan, in->at, end, a->r001_room[i], AG_SEG_STILL);
			break;
		case 2:
			ag_plan_overwrite(plan, in->at - 90, in->at + 150, AG_INNGANG, 0);
			break;
		case 3:
			door_then_still(a, i, plan);
			break;
		case 4:
			ag_plan_overwrite(plan, in->at, end, AG_BADEROM, AG_SEG_STEADY);
			break;
		case 5: /* every bathroom visit skipped: stays where they were */
			ag_plan_replace(plan, in->at, end, AG_BADEROM, AG_PREV_ROOM);
			break;
		case 6: /* stays in bed instead of the living room or going out */
			ag_plan_replace(plan, in->at, end, AG_STUE, AG_SOVEROM);
			ag_plan_replace(plan, in->at, end, AG_AWAY, AG_SOVEROM);
			break;
		case 7:
			wander(plan, in, seed, home);
			break;
		case 8: /* in the hall for the whole burst */
			ag_plan_overwrite(plan, in->at - 60, end, AG_INNGANG, 0);
			break;
		case 11: /* through the hall and out at the instant; not back for 10 h */
			ag_plan_overwrite(plan, in->at - 150, in->at, AG_INNGANG, 0);
			ag_plan_overwrite(plan, in->at, end, AG_AWAY, 0);
			break;
		default:
			break; /* stream filters only */
	}
}

void
ag_anomalies_apply(AgAnomalies *a, AgPlan *plan, uint64_t seed, int home)
{
	for (int i = 0; i < a->ninj; i++)
	{
		AgTime from = a->inj[i].at - 120, to = a->inj[i].at + ag_inject_window(a->inj[i].rule);

		if (from < plan->end && to > plan->start)
			apply_one(a, i, plan, seed, home);
	}
}
