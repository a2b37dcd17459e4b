/*-------------------------------------------------------------------------
 * model.c
 *	  A resident day (see model.h and docs/sim.md): morning routine
 *	  (bathroom, maybe dressing, breakfast), daytime in the living room with
 *	  kitchen and bathroom trips around fixed anchors (lunch, dinner, an
 *	  outing through the front door, an errand, a nap), an evening routine
 *	  and a night in the bedroom with occasional bathroom visits.
 *
 *	  Anchors come from local clock times; segments are then laid down one
 *	  after the other in absolute seconds, so a DST change only makes a day
 *	  shorter or longer and never reorders it.
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "model.h"
#include "rng.h"

#define MIN 60

typedef enum AnchorKind
{
	ANCHOR_LUNCH,
	ANCHOR_DINNER,
	ANCHOR_OUTING,
	ANCHOR_ERRAND,
	ANCHOR_NAP
} AnchorKind;

typedef struct Anchor
{
	AgTime	   at;
	AgTime	   dur;
	AnchorKind kind;
} Anchor;

/* What one day's construction needs. */
typedef struct Day
{
	AgPlan			*plan;
	AgRng			 r;
	const AgProfile *p;
	AgDate			 date;
	AgTime			 last_bath; /* end of the last bathroom visit */
} Day;

const char *const ag_resident_names[AG_RES_NKINDS] = {
	"classic", "early", "owl", "napper", "outings", "mmwave", "pir-hold", "hall-mmwave", "no-stue-presence",
	"visitors"};

int
ag_resident_parse(const char *text, int *kinds, int max)
{
	int			n = 0;
	const char *p = text;

	while (*p != '\0')
	{
		size_t len = strcspn(p, ",");
		int	   k;

		for (k = 0; k < AG_RES_NKINDS; k++)
			if (strlen(ag_resident_names[k]) == len && strncmp(p, ag_resident_names[k], len) == 0)
				break;
		if (k == AG_RES_NKINDS || n == max)
			return -1;
		kinds[n++] = k;
		p += len;
		if (*p == ',')
			p++;
	}
	return n;
}

/* resident_kind: habits and sensor kit of the non-classic kinds. */
static void
resident_kind(AgProfile *p, AgRng *r, int kind)
{
	p->kind = kind;
	switch ((AgResident) kind)
	{
		case AG_RES_EARLY:
			p->wake_min = 5 * 60 + 30 + (int) ag_rng_range(r, 0, 30);
			p->bed_min = 20 * 60 + 30 + (int) ag_rng_range(r, 0, 45);
			break;
		case AG_RES_OWL:
			p->wake_min = 8 * 60 + (int) ag_rng_range(r, 0, 30);
			p->bed_min = 23 * 60 + 15 + (int) ag_rng_range(r, 0, 44);
			break;
		case AG_RES_NAPPER:
			p->nap_p = 0.9;
			p->nap_lo = 60;
			p->nap_hi = 120;
			break;
		case AG_RES_OUTINGS:
			p->outing_p = 0.95;
			p->long_outing_p = 0.5;
			break;
		case AG_RES_MMWAVE:
			p->steady_bedroom = true;
			break;
		case AG_RES_PIR_HOLD:
			p->pir_hold = true;
			break;
		case AG_RES_HALL_MMWAVE:
			p->steady_hall = true;
			break;
		case AG_RES_NO_STUE_PRESENCE:
			p->stue_motion_only = true;
			break;
		case AG_RES_VISITORS:
			p->visit_p = 0.6;
			break;
		default:
			break;
	}
}

void
ag_profile_init(AgProfile *p, uint64_t seed, int home, int kind)
{
	AgRng r;

	ag_rng_seed(&r, seed, (uint64_t) home, 0, AG_SALT_PROFILE);
	p->wake_min = 6 * 60 + 15 + (int) ag_rng_range(&r, 0, 90);
	p->bed_min = 21 * 60 + 30 + (int) ag_rng_range(&r, 0, 75);
	p->night_visits = 0.3 + 1.1 * ag_rng_unit(&r);
	p->outing_p = 0.55 + 0.35 * ag_rng_unit(&r);
	p->long_outing_p = 0.04 + 0.10 * ag_rng_unit(&r);
	p->errand_p = 0.15 + 0.30 * ag_rng_unit(&r);
	p->nap_p = 0.10 + 0.40 * ag_rng_unit(&r);
	p->evening_kitchen_p = 0.30 + 0.40 * ag_rng_unit(&r);
	/* every fifth home (4, 9, 14, ...) has a mmWave bedroom sensor */
	p->steady_bedroom = home % 5 == 4;
	p->pir_hold = p->steady_hall = p->stue_motion_only = false;
	p->nap_lo = 30;
	p->nap_hi = 75;
	p->visit_p = 0;
	p->kind = AG_RES_CLASSIC;
	if (kind != AG_RES_CLASSIC)
	{
		p->steady_bedroom = false;
		resident_kind(p, &r, kind);
	}
}

AgTime
ag_model_wake(const AgProfile *p, uint64_t seed, int home, int64_t daynum)
{
	AgRng r;
	int	  minute;
	int	  dow = (int) ((daynum + 4) % 7); /* 1970-01-01 was a Thursday; 0 = Sunday */

	ag_rng_seed(&r, seed, (uint64_t) home, (uint64_t) daynum, AG_SALT_WAKE);
	minute = p->wake_min + (int) ag_rng_range(&r, -25, 25) + (dow == 0 || dow == 6 ? 15 : 0);
	if (minute < 5 * 60 + 45 && p->kind != AG_RES_EARLY)
		minute = 5 * 60 + 45;
	if (minute < 5 * 60)
		minute = 5 * 60;
	if (minute > 8 * 60 + 30)
		minute = 8 * 60 + 30;
	return ag_local_instant(ag_date_of_daynum(daynum), minute);
}

/* minutes: a random duration of lo ... hi minutes, in seconds. */
static AgTime
minutes(Day *d, int lo, int hi)
{
	return (AgTime) ag_rng_range(&d->r, lo * MIN, hi * MIN);
}

/* bath: a bathroom visit of lo ... hi minutes. */
static void
bath(Day *d, int lo, int hi)
{
	ag_plan_push(d->plan, AG_BADEROM, 0, minutes(d, lo, hi));
	d->last_bath = d->plan->end;
}

/* morning: bathroom, maybe dressing in the bedroom, breakfast. */
static void
morning(Day *d)
{
	bath(d, 8, 20); /* under R-004's 25-minute night limit before 07:00 */
	if (ag_rng_chance(&d->r, 0.4))
		ag_plan_push(d->plan, AG_SOVEROM, 0, minutes(d, 4, 10));
	ag_plan_push(d->plan, AG_KJOKKEN, 0, minutes(d, 20, 40));
}

/*
 * fill: the living room until instant until, broken by kitchen, bathroom
 * and bedroom trips; a bathroom visit at least every 2.5 hours.
 */
static void
fill(Day *d, AgTime until)
{
	while (d->plan->end < until - 5 * MIN)
	{
		AgTime block = minutes(d, 20, 80);

		if (d->plan->end + block >= until - 3 * MIN)
			break;
		ag_plan_push(d->plan, AG_STUE, 0, block);
		if (d->plan->end - d->last_bath > 150 * MIN)
			bath(d, 3, 8);
		else if (ag_rng_chance(&d->r, 0.55))
			ag_plan_push(d->plan, AG_KJOKKEN, 0, minutes(d, 3, 10));
		else if (ag_rng_chance(&d->r, 0.12))
			ag_plan_push(d->plan, AG_SOVEROM, 0, minutes(d, 2, 6));
	}
	ag_plan_push_until(d->plan, AG_STUE, 0, until);
}

/*
 * outing: out through the front door: a while in the hall (coat, shoes:
 * at least 90 s, see sensors.c), away, a while in the hall on return.
 */
static void
outing(Day *d, AgTime away, AgTime latest_return)
{
	if (ag_rng_chance(&d->r, 0.5))
		bath(d, 3, 6);
	ag_plan_push(d->plan, AG_INNGANG, 0, ag_rng_range(&d->r, 90, 240));
	if (d->plan->end + away > latest_return)
		away = latest_return - d->plan->end;
	ag_plan_push(d->plan, AG_AWAY, 0, away > 4 * MIN ? away : 4 * MIN);
	ag_plan_push(d->plan, AG_INNGANG, 0, ag_rng_range(&d->r, 60, 180));
	if (ag_rng_chance(&d->r, 0.5))
		ag_plan_push(d->plan, AG_KJOKKEN, 0, minutes(d, 3, 8));
}

/* cmp_anchor: qsort order of anchors by time. */
static int
cmp_anchor(const void *a, const void *b)
{
	AgTime x = ((const Anchor *) a)->at, y = ((const Anchor *) b)->at;

	return x < y ? -1 : x > y;
}

/* local: the instant of local minute lo ... hi of the day's date. */
static AgTime
local(Day *d, int lo, int hi)
{
	return ag_local_instant(d->date, (int) ag_rng_range(&d->r, lo, hi));
}

/* plan_anchors: today's anchors, sorted; returns how many. */
static int
plan_anchors(Day *d, Anchor *a)
{
	int	   n = 0;
	AgTime out_start = 0, out_end = 0;

	a[n++] = (Anchor){local(d, 705, 765), minutes(d, 25, 45), ANCHOR_LUNCH};
	a[n++] = (Anchor){local(d, 990, 1050), minutes(d, 40, 60), ANCHOR_DINNER};
	if (ag_rng_chance(&d->r, d->p->outing_p))
	{
		bool   long_one = ag_rng_chance(&d->r, d->p->long_outing_p);
		Anchor o = {local(d, 585, 870), long_one ? minutes(d, 180, 300) : minutes(d, 30, 150), ANCHOR_OUTING};

		/* lunch out when the outing covers lunch time */
		if (o.at < a[0].at + a[0].dur && a[0].at < o.at + o.dur)
			a[0].dur = 0;
		a[n++] = o;
		out_start = o.at;
		out_end = o.at + o.dur;
	}
	if (ag_rng_chance(&d->r, d->p->errand_p))
	{
		Anchor e = {local(d, 900, 975), minutes(d, 4, 10), ANCHOR_ERRAND};

		/* R-008 counts door events in 30 minutes: keep trips apart */
		if (out_end == 0 || e.at >= out_end + 45 * MIN)
			a[n++] = e;
	}
	if (ag_rng_chance(&d->r, d->p->nap_p))
	{
		Anchor z = {local(d, 795, 840), minutes(d, d->p->nap_lo, d->p->nap_hi), ANCHOR_NAP};

		if (out_end == 0 || z.at >= out_end || z.at + z.dur <= out_start)
			a[n++] = z;
	}
	qsort(a, (size_t) n, sizeof(Anchor), cmp_anchor);
	return n;
}

/* daytime: anchors in order, the living room in between, until bed. */
static void
daytime(Day *d, AgTime bed)
{
	Anchor a[8];
	int	   n = plan_anchors(d, a);

	for (int i = 0; i < n; i++)
	{
		if (a[i].dur == 0 || d->plan->end >= bed - 30 * MIN)
			continue;
		if (a[i].at > d->plan->end)
			fill(d, a[i].at);
		switch (a[i].kind)
		{
			case ANCHOR_LUNCH:
			case ANCHOR_DINNER:
				ag_plan_push(d->plan, AG_KJOKKEN, 0, a[i].dur);
				break;
			case ANCHOR_NAP:
				ag_plan_push(d->plan, AG_SOVEROM, AG_SEG_ASLEEP, a[i].dur);
				break;
			case ANCHOR_OUTING:
			case ANCHOR_ERRAND:
				outing(d, a[i].dur, bed - 90 * MIN);
				break;
		}
	}
	if (d->plan->end < bed)
		fill(d, bed);
}

/* evening: maybe the kitchen, then the bathroom, then to bed. */
static void
evening(Day *d)
{
	if (ag_rng_chance(&d->r, d->p->evening_kitchen_p))
	{
		ag_plan_push(d->plan, AG_KJOKKEN, 0, minutes(d, 5, 10));
		ag_plan_push(d->plan, AG_STUE, 0, minutes(d, 5, 15));
	}
	bath(d, 8, 15);
}

/* night: asleep until next_wake, with bathroom visits (3-8 minutes). */
static void
night(Day *d, AgTime next_wake)
{
	AgTime first = d->plan->end + 60 * MIN, last = next_wake - 40 * MIN;
	AgTime visits[3];
	int	   n = ag_rng_poisson(&d->r, d->p->night_visits);

	n = n > 3 ? 3 : n;
	for (int i = 0; i < n; i++)
		visits[i] = last > first ? ag_rng_range(&d->r, first, last) : 0;
	for (int i = 1; i < n; i++) /* sort the (at most three) visits */
		for (int j = i; j > 0 && visits[j] < visits[j - 1]; j--)
		{
			AgTime t = visits[j];

			visits[j] = visits[j - 1];
			visits[j - 1] = t;
		}
	for (int i = 0; i < n; i++)
	{
		if (visits[i] == 0 || visits[i] < d->plan->end + 45 * MIN)
			continue;
		ag_plan_push_until(d->plan, AG_SOVEROM, AG_SEG_ASLEEP, visits[i]);
		bath(d, 3, 8);
		if (ag_rng_chance(&d->r, 0.15))
			ag_plan_push(d->plan, AG_KJOKKEN, 0, minutes(d, 2, 4));
	}
	ag_plan_push_until(d->plan, AG_SOVEROM, AG_SEG_ASLEEP, next_wake);
}

void
ag_model_day(AgPlan *plan, const AgProfile *p, uint64_t seed, int home, int64_t daynum)
{
	Day	   d;
	AgTime wake = ag_model_wake(p, seed, home, daynum);
	AgTime next_wake = ag_model_wake(p, seed, home, daynum + 1);
	AgTime bed;

	d.plan = plan;
	d.p = p;
	d.date = ag_date_of_daynum(daynum);
	d.last_bath = wake;
	ag_rng_seed(&d.r, seed, (uint64_t) home, (uint64_t) daynum, AG_SALT_DAY);
	bed = local(&d, p->bed_min - 30, p->bed_min + 30);
	if (bed > next_wake - 7 * 3600)
		bed = next_wake - 7 * 3600;
	ag_plan_reset(plan, wake);
	morning(&d);
	daytime(&d, bed);
	evening(&d);
	/* at least six hours of night whatever the day did */
	if (plan->end > next_wake - 6 * 3600)
		ag_plan_overwrite(plan, next_wake - 6 * 3600, plan->end, AG_SOVEROM, AG_SEG_ASLEEP);
	night(&d, next_wake);
}

void
ag_model_visitor(AgPlan *v, const AgPlan *res, const AgProfile *p, uint64_t seed, int home, int64_t daynum)
{
	AgRng  r;
	AgTime arrive, leave;

	ag_plan_reset(v, res->start);
	ag_rng_seed(&r, seed, (uint64_t) home, (uint64_t) daynum, AG_SALT_VISITOR);
	if (p->visit_p <= 0 || !ag_rng_chance(&r, p->visit_p))
	{
		ag_plan_push_until(v, AG_AWAY, 0, res->end);
		return;
	}
	arrive = ag_local_instant(ag_date_of_daynum(daynum), (int) ag_rng_range(&r, 13 * 60, 16 * 60 + 30));
	leave = arrive + ag_rng_range(&r, 60 * MIN, 180 * MIN);
	/* only while the resident is at home (and awake: not in bed) the whole visit */
	for (AgTime t = arrive - 10 * MIN; t <= leave + 10 * MIN; t += 60)
	{
		int room = ag_plan_room_at(res, t);

		if (room == AG_AWAY || room < -1 || t < res->start || t >= res->end)
		{
			ag_plan_push_until(v, AG_AWAY, 0, res->end);
			return;
		}
	}
	ag_plan_push_until(v, AG_AWAY, 0, arrive);
	ag_plan_push(v, AG_INNGANG, 0, ag_rng_range(&r, 60, 120));
	while (v->end < leave - 5 * MIN)
	{
		ag_plan_push(v, AG_STUE, 0, ag_rng_range(&r, 15 * MIN, 40 * MIN));
		if (ag_rng_chance(&r, 0.15))
			ag_plan_push(v, AG_BADEROM, 0, ag_rng_range(&r, 3 * MIN, 6 * MIN));
		else if (ag_rng_chance(&r, 0.5))
			ag_plan_push(v, AG_KJOKKEN, 0, ag_rng_range(&r, 3 * MIN, 8 * MIN));
	}
	ag_plan_push(v, AG_INNGANG, 0, ag_rng_range(&r, 60, 120));
	ag_plan_push_until(v, AG_AWAY, 0, res->end);
}
