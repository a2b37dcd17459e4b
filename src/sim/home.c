/*-------------------------------------------------------------------------
 * home.c
 *	  See home.h.  Plans are generated one resident day at a time when the
 *	  queue runs dry; stream filters (anomalies.h) then drop events or add
 *	  the states a sensor reports when it recovers.
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "home.h"
#include "rng.h"

static const char *const room_names[AG_NROOMS] = {"soverom", "baderom", "kjokken", "stue", "inngang"};

const char *
ag_room_name(int room)
{
	return room >= 0 && room < AG_NROOMS ? room_names[room] : "";
}

void
ag_home_init(AgHome *h, int index, const char *prefix, uint64_t seed, AgTime start, AgTime end,
			 const AgInject *inj, int ninj, int kind)
{
	uint64_t tag;
	int		 minute;

	memset(h, 0, sizeof(*h));
	h->index = index;
	snprintf(h->name, sizeof(h->name), "%s%d", prefix, index);
	h->seed = seed;
	h->start = start;
	h->end = end;
	ag_profile_init(&h->profile, seed, index, kind);
	ag_sensors_init(&h->sensors);
	h->sensor_home = (AgSensorHome){seed, index, h->profile.steady_bedroom, start,
									h->profile.pir_hold, h->profile.steady_hall};
	ag_anomalies_init(&h->anomalies, inj, ninj, index);
	tag = ag_hash4((uint64_t) start, 0, 0, (uint64_t) kind); /* classic: kind 0, ids as before */
	for (int i = 0; i < h->anomalies.ninj; i++)
		tag = ag_hash4(tag, (uint64_t) h->anomalies.inj[i].rule, (uint64_t) h->anomalies.inj[i].at, 0);
	snprintf(h->tag, sizeof(h->tag), "%08x", (unsigned) (tag >> 32));
	/* the resident day that is running at start began the day before */
	h->next_day = ag_daynum(ag_local_date(start, &minute)) - 1;
	h->horizon = start;
}

void
ag_home_free(AgHome *h)
{
	ag_plan_free(&h->plan);
	ag_plan_free(&h->visitor);
	ag_evbuf_free(&h->queue);
}

/* next_day: generate the next resident day into the queue. */
static void
next_day(AgHome *h)
{
	ag_model_day(&h->plan, &h->profile, h->seed, h->index, h->next_day);
	ag_anomalies_apply(&h->anomalies, &h->plan, h->seed, h->index);
	if (h->profile.visit_p > 0)
		ag_model_visitor(&h->visitor, &h->plan, &h->profile, h->seed, h->index, h->next_day);
	ag_sensors_run(&h->sensors, &h->sensor_home, &h->plan, h->anomalies.doors, h->anomalies.ndoors,
				   h->profile.visit_p > 0 ? &h->visitor : NULL, &h->queue);
	ag_evbuf_sort(&h->queue);
	h->horizon = h->plan.end;
	h->next_day++;
}

/* slot_of: the stream slot of an event (anomalies.h). */
static int
slot_of(const AgEvent *e)
{
	switch ((AgKind) e->kind)
	{
		case AG_EV_PRESENCE:
			return e->room;
		case AG_EV_MOTION:
			return AG_SLOT_MOTION;
		case AG_EV_DOOR:
			return AG_SLOT_DOOR;
		default:
			return AG_SLOT_SNAPSHOT;
	}
}

/* synth: a filter's own event, put in front of the queue. */
static void
synth(AgHome *h, AgTime ts, int slot, bool on)
{
	AgEvent e = {ts, 0, slot == AG_SLOT_MOTION ? AG_EV_MOTION : AG_EV_PRESENCE,
				 (int8_t) (slot == AG_SLOT_MOTION ? AG_INNGANG : slot), on, 1};

	ag_evbuf_push_front(&h->queue, e);
}

/*
 * filters_step: advance the stream filters to the head event e.  Returns
 * true when the queue changed (a filter added events), so the caller looks
 * at the head again.
 */
static bool
filters_step(AgHome *h, const AgEvent *e)
{
	bool changed = false;

	for (int i = 0; i < h->anomalies.ndrops; i++)
	{
		AgDrop *d = &h->anomalies.drops[i];

		if (d->phase == 1 && e->ts >= d->to)
		{
			/* recovery: report each state that changed while lost */
			d->phase = 2;
			for (int s = 0; s <= AG_SLOT_MOTION; s++)
				if (d->dropped[s] && (!h->passed_known[s] || h->passed[s] != d->last_dropped[s]))
				{
					synth(h, d->to, s, d->last_dropped[s]);
					changed = true;
				}
		}
		if (d->phase == 0 && e->ts >= d->from)
		{
			d->phase = 1;
			if (d->force_room >= 0 && (!h->passed_known[d->force_room] || !h->passed[d->force_room]))
			{
				synth(h, d->from, d->force_room, true);
				changed = true;
			}
		}
	}
	return changed;
}

/* dropped: whether an active filter loses e (and remember its state). */
static bool
dropped(AgHome *h, const AgEvent *e)
{
	int	 slot = slot_of(e);
	bool lost = false;

	for (int i = 0; i < h->anomalies.ndrops; i++)
	{
		AgDrop *d = &h->anomalies.drops[i];

		if (d->phase == 1 && (d->mask & (1u << slot)) && !e->synth && e->ts < d->to)
		{
			d->dropped[slot] = true;
			d->last_dropped[slot] = e->on;
			lost = true;
		}
	}
	return lost;
}

const AgEvent *
ag_home_peek(AgHome *h)
{
	for (;;)
	{
		AgEvent *e = ag_evbuf_head(&h->queue);

		if ((e == NULL || e->ts >= h->horizon) && h->horizon < h->end)
		{
			next_day(h);
			continue;
		}
		if (e == NULL || e->ts >= h->end)
			return NULL;
		if (e->ts >= h->start && filters_step(h, e))
			continue;
		if (e->ts < h->start || dropped(h, e))
		{
			ag_evbuf_pop(&h->queue);
			continue;
		}
		return e;
	}
}

/* payload: the payload object of e (contract section 5; config/rules.yaml). */
static void
payload(AgBuf *out, const AgHome *h, const AgEvent *e)
{
	const char *room = ag_room_name(e->room);
	AgKind		kind = (AgKind) e->kind;

	/* a living room with only a motion sensor (no-stue-presence) */
	if (kind == AG_EV_PRESENCE && e->room == AG_STUE && h->profile.stue_motion_only)
		kind = AG_EV_MOTION;
	switch (kind)
	{
		case AG_EV_PRESENCE:
			ag_buf_printf(out, "\"category\":\"presence\",\"payload\":{\"room\":\"%s\",\"state\":\"%s\",\"entity_id\":\"binary_sensor.%s_presence\"}",
						  room, e->on ? "on" : "off", room);
			break;
		case AG_EV_MOTION:
			ag_buf_printf(out, "\"category\":\"motion\",\"payload\":{\"room\":\"%s\",\"state\":\"%s\",\"entity_id\":\"binary_sensor.%s_motion\"}",
						  room, e->on ? "on" : "off", room);
			break;
		case AG_EV_DOOR:
			/* entity_id: the shipped R-002 allowlist; door: R-003 door_name_keys */
			ag_buf_printf(out, "\"category\":\"door\",\"payload\":{\"door\":\"front\",\"room\":\"inngang\",\"entity_id\":\"binary_sensor.inngangsdor_contact\",\"state\":\"%s\"}",
						  e->on ? "open" : "closed");
			break;
		case AG_EV_SNAPSHOT:
			ag_buf_puts(out, "\"category\":\"ha_snapshot\",\"payload\":{\"source\":\"home_assistant\",\"entities\":7,\"unavailable\":0}");
			break;
	}
}

void
ag_home_pop(AgHome *h, AgBuf *out)
{
	AgEvent *e = ag_evbuf_head(&h->queue);
	char	 ts[32];
	int		 slot = slot_of(e);

	h->seq++;
	ag_buf_printf(out, "{\"id\":\"sim-%llu-%s-%d-%llu\",\"timestamp\":\"%s\",", (unsigned long long) h->seed, h->tag,
				  h->index, (unsigned long long) h->seq, ag_format_instant(e->ts, ts));
	payload(out, h, e);
	ag_buf_puts(out, "}");
	h->passed_known[slot] = true;
	h->passed[slot] = e->on;
	h->counts.sent++;
	ag_evbuf_pop(&h->queue);
}
