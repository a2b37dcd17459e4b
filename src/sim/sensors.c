/*-------------------------------------------------------------------------
 * sensors.c
 *	  Plan -> sensor events (see sensors.h).  The plan's segment boundaries,
 *	  flickers, door cycles and snapshots become actions; the actions run in
 *	  time order through a small state machine per sensor, which emits an
 *	  event only when a sensor's state changes, as Home Assistant does.
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>

#include "model.h"
#include "rng.h"
#include "sensors.h"

typedef enum ActType
{
	ACT_LEAVE,
	ACT_ENTER,
	ACT_STILL,
	ACT_FLICKER,
	ACT_DOOR,
	ACT_SNAPSHOT
} ActType;

typedef struct Action
{
	AgTime	 t;
	uint32_t seq; /* insertion order: tie-breaker */
	uint8_t	 type;
	int8_t	 room;
	int		 arg; /* FLICKER: gap; DOOR: open seconds */
	bool	 motion;
	uint8_t	 who; /* 0: the resident, 1: the second person */
} Action;

typedef struct Run
{
	AgSensors		   *s;
	const AgSensorHome *h;
	AgEventBuf		   *out;
	AgRng				jit;
	Action			   *act;
	int					n, cap;
	uint8_t				who; /* the person whose actions are being added */
} Run;

void
ag_sensors_init(AgSensors *s)
{
	*s = (AgSensors){0};
	s->room = -3;
	s->room2 = -3;
	s->at[0] = s->at[1] = -3;
}

/* add: queue an action. */
static void
add(Run *r, AgTime t, ActType type, int room, int arg, bool motion)
{
	if (r->n == r->cap)
	{
		r->cap = r->cap ? r->cap * 2 : 256;
		r->act = realloc(r->act, (size_t) r->cap * sizeof(Action));
		if (r->act == NULL)
			abort();
	}
	r->act[r->n] = (Action){t, (uint32_t) r->n, (uint8_t) type, (int8_t) room, arg, motion, r->who};
	r->n++;
}

/* emit: one event. */
static void
emit(Run *r, AgTime t, AgKind kind, int room, bool on)
{
	ag_evbuf_push(r->out, (AgEvent){t, r->s->order++, (uint8_t) kind, (int8_t) room, on, 0});
}

/* flicker_mean: mean seconds between flickers in a segment; 0 for none. */
static double
flicker_mean(const AgSensorHome *h, const AgSegment *seg)
{
	if (seg->room == AG_AWAY || (seg->flags & (AG_SEG_STILL | AG_SEG_STEADY)) || h->pir_hold)
		return 0;
	switch (seg->room)
	{
		case AG_SOVEROM:
			if (seg->flags & AG_SEG_ASLEEP)
				return h->steady_bedroom ? 0 : 40 * 60;
			return 25 * 60;
		case AG_STUE:
			return 30 * 60;
		case AG_KJOKKEN:
			return 20 * 60;
		default:
			return 0; /* bathroom and hall sensors hold while occupied */
	}
}

/* boundary: the actions where the resident goes from a to b at t. */
static void
boundary(Run *r, AgTime t, int a_room, int a_flags, const AgSegment *b)
{
	if (a_room == b->room)
	{
		if (b->room != AG_AWAY && (a_flags & AG_SEG_STILL) && !(b->flags & AG_SEG_STILL))
			add(r, t, ACT_ENTER, b->room, 0, false);
		else if (b->room != AG_AWAY && (b->flags & AG_SEG_STILL) && !(a_flags & AG_SEG_STILL))
			add(r, t, ACT_STILL, b->room, 0, false);
		return;
	}
	if (a_room != -3 && (b->room == AG_AWAY || a_room == AG_AWAY))
		add(r, t, ACT_DOOR, AG_INNGANG, (int) ag_rng_range(&r->jit, 5, 15), true);
	if (a_room >= 0)
		add(r, t, ACT_LEAVE, a_room, 0, false);
	if (b->room >= 0)
	{
		add(r, t + (a_room == AG_AWAY ? 3 : 0), ACT_ENTER, b->room, 0, false);
		if (b->flags & AG_SEG_STILL)
			add(r, t + 5, ACT_STILL, b->room, 0, false);
	}
}

/* flickers: brief off/on of the room's sensor while the resident sits still. */
static void
flickers(Run *r, const AgSegment *seg)
{
	double mean = flicker_mean(r->h, seg);
	AgRng  fr;
	AgTime t;

	if (mean <= 0)
		return;
	ag_rng_seed(&fr, r->h->seed, (uint64_t) r->h->home, (uint64_t) seg->start, AG_SALT_FLICKER);
	t = seg->start + 120 + (AgTime) ag_rng_exp(&fr, mean);
	while (t < seg->end - 180)
	{
		int gap = (int) ag_rng_range(&fr, 15, 90);

		add(r, t, ACT_FLICKER, seg->room, gap, false);
		t += gap + 60 + (AgTime) ag_rng_exp(&fr, mean);
	}
}

/* snapshots: ha_snapshot every 20 minutes (0-30 s late) inside the plan. */
static void
snapshots(Run *r, const AgPlan *plan)
{
	AgTime	origin = r->h->snapshot_origin;
	int64_t k = plan->start <= origin ? 0 : (plan->start - origin + AG_SNAPSHOT_PERIOD - 1) / AG_SNAPSHOT_PERIOD;

	for (; origin + k * AG_SNAPSHOT_PERIOD < plan->end; k++)
	{
		AgTime late = k == 0 ? 0 : (AgTime) (ag_hash4(r->h->seed, (uint64_t) r->h->home, (uint64_t) k, AG_SALT_SNAPSHOT) % 31);

		add(r, origin + k * AG_SNAPSHOT_PERIOD + late, ACT_SNAPSHOT, 0, 0, false);
	}
}

/* flush: every pending "off" due at or before t. */
static void
flush(Run *r, AgTime t)
{
	AgSensors *s = r->s;

	for (int i = 0; i < AG_NROOMS; i++)
		if (s->off_at[i] != 0 && s->off_at[i] <= t)
		{
			emit(r, s->off_at[i], AG_EV_PRESENCE, i, false);
			s->on[i] = false;
			s->off_at[i] = 0;
		}
	if (s->motion_on && s->motion_off_at <= t)
	{
		emit(r, s->motion_off_at, AG_EV_MOTION, AG_INNGANG, false);
		s->motion_on = false;
	}
}

/* motion_pulse: the hall motion sensor sees movement at t. */
static void
motion_pulse(Run *r, AgTime t)
{
	AgSensors *s = r->s;
	AgTime	   on_at = t + ag_rng_range(&r->jit, 1, 3);
	AgTime	   off_at = on_at + ag_rng_range(&r->jit, 20, 40);

	if (r->h->pir_hold)
		off_at = INT64_MAX; /* holds while someone is in view; see hall_left */

	if (s->motion_on)
	{
		/* still within the hold time: no new "on", the hold restarts */
		s->motion_off_at = off_at > s->motion_off_at ? off_at : s->motion_off_at;
		return;
	}
	emit(r, on_at, AG_EV_MOTION, AG_INNGANG, true);
	s->motion_on = true;
	s->motion_off_at = off_at;
}

/* hall_left: a holding hall PIR (pir_hold) goes "off" 90 s after the hall empties or goes still. */
static void
hall_left(Run *r, AgTime t)
{
	if (r->h->pir_hold && r->s->motion_on && r->s->motion_off_at == INT64_MAX)
		r->s->motion_off_at = t + 90;
}

/* moving_in: whether someone other than who is in room and not keeping still. */
static bool
moving_in(const AgSensors *s, int who, int room)
{
	int o = 1 - who;

	return s->at[o] == room && !s->still[o];
}

/* apply: run one action through the sensors. */
static void
apply(Run *r, const Action *a)
{
	AgSensors *s = r->s;

	flush(r, a->t);
	switch ((ActType) a->type)
	{
		case ACT_ENTER:
			s->at[a->who] = a->room;
			s->still[a->who] = false;
			if (s->off_at[a->room] != 0)
				s->off_at[a->room] = 0; /* back before the clear delay: stays on */
			else if (!s->on[a->room])
			{
				emit(r, a->t + ag_rng_range(&r->jit, 1, 6), AG_EV_PRESENCE, a->room, true);
				s->on[a->room] = true;
			}
			if (a->room == AG_INNGANG)
				motion_pulse(r, a->t);
			break;
		case ACT_LEAVE:
		case ACT_STILL:
			if (a->type == ACT_STILL)
				s->still[a->who] = true;
			else if (s->at[a->who] == a->room)
			{
				s->at[a->who] = -3;
				s->still[a->who] = false;
			}
			if (moving_in(s, a->who, a->room))
				break; /* the other person still moves in this room */
			if (a->room == AG_INNGANG)
				hall_left(r, a->t);
			if (a->type == ACT_STILL && a->room == AG_INNGANG && r->h->steady_hall)
				break; /* mmWave: a still person is still present */
			if (s->on[a->room] && s->off_at[a->room] == 0)
				s->off_at[a->room] = a->t + ag_rng_range(&r->jit, 30, 120);
			break;
		case ACT_FLICKER:
			if (s->on[a->room] && s->off_at[a->room] == 0 && !moving_in(s, a->who, a->room))
			{
				emit(r, a->t, AG_EV_PRESENCE, a->room, false);
				emit(r, a->t + a->arg, AG_EV_PRESENCE, a->room, true);
			}
			break;
		case ACT_DOOR:
			emit(r, a->t, AG_EV_DOOR, AG_INNGANG, true);
			emit(r, a->t + a->arg, AG_EV_DOOR, AG_INNGANG, false);
			if (a->motion)
				motion_pulse(r, a->t);
			break;
		case ACT_SNAPSHOT:
			emit(r, a->t, AG_EV_SNAPSHOT, 0, true);
			break;
	}
}

/* cmp_action: time order, then insertion order. */
static int
cmp_action(const void *a, const void *b)
{
	const Action *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
ag_sensors_run(AgSensors *s, const AgSensorHome *h, const AgPlan *plan,
			   const AgDoorCycle *doors, int ndoors, const AgPlan *other, AgEventBuf *out)
{
	Run r = {s, h, out, {{0}}, NULL, 0, 0, 0};

	ag_rng_seed(&r.jit, h->seed, (uint64_t) h->home, (uint64_t) plan->start, AG_SALT_JITTER);
	for (int i = 0; i < plan->n; i++)
	{
		const AgSegment *seg = &plan->seg[i];

		if (i == 0)
			boundary(&r, seg->start, s->room, s->flags, seg);
		else
			boundary(&r, seg->start, plan->seg[i - 1].room, plan->seg[i - 1].flags, seg);
		flickers(&r, seg);
	}
	for (int i = 0; i < ndoors; i++)
		if (doors[i].at >= plan->start && doors[i].at < plan->end)
			add(&r, doors[i].at, ACT_DOOR, AG_INNGANG, doors[i].open_secs, doors[i].motion);
	snapshots(&r, plan);
	if (other != NULL)
	{
		/* the second person: boundaries only (a visitor moves about, no flickers) */
		r.who = 1;
		for (int i = 0; i < other->n; i++)
		{
			const AgSegment *seg = &other->seg[i];

			if (i == 0)
				boundary(&r, seg->start, s->room2, s->flags2, seg);
			else
				boundary(&r, seg->start, other->seg[i - 1].room, other->seg[i - 1].flags, seg);
		}
		if (other->n > 0)
		{
			s->room2 = other->seg[other->n - 1].room;
			s->flags2 = other->seg[other->n - 1].flags;
		}
		r.who = 0;
	}
	qsort(r.act, (size_t) r.n, sizeof(Action), cmp_action);
	for (int i = 0; i < r.n; i++)
		apply(&r, &r.act[i]);
	flush(&r, plan->end);
	if (plan->n > 0)
	{
		s->room = plan->seg[plan->n - 1].room;
		s->flags = plan->seg[plan->n - 1].flags;
	}
	free(r.act);
}
