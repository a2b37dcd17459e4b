/*-------------------------------------------------------------------------
 * plan.h
 *	  A resident's plan: contiguous segments [start, end) saying where the
 *	  resident is (a room, or AG_AWAY) and how the room's presence sensor
 *	  sees them.  model.c builds one plan per resident day, anomalies.c
 *	  rewrites parts of it, sensors.c turns it into sensor events.
 *-------------------------------------------------------------------------
 */
#ifndef AG_SIM_PLAN_H
#define AG_SIM_PLAN_H

#include "sim.h"

/* Segment flags: how the room's presence sensor behaves. */
#define AG_SEG_ASLEEP 0x01 /* sleeping: few movements */
#define AG_SEG_STILL 0x02  /* motionless: the sensor drops to off */
#define AG_SEG_STEADY 0x04 /* the sensor holds on, no flicker */

/* AG_PREV_ROOM: ag_plan_replace uses the room of the segment before. */
#define AG_PREV_ROOM (-2)

typedef struct AgSegment
{
	AgTime	start, end;
	int8_t	room; /* AgRoom or AG_AWAY */
	uint8_t flags;
} AgSegment;

typedef struct AgPlan
{
	AgSegment *seg;
	int		   n, cap;
	AgTime	   start, end; /* the whole plan: seg[0].start ... seg[n-1].end */
} AgPlan;

/* ag_plan_reset: empty the plan (keeps its memory). */
void ag_plan_reset(AgPlan *p, AgTime start);

/* ag_plan_free: release the plan's memory. */
void ag_plan_free(AgPlan *p);

/*
 * ag_plan_push: append [p->end, p->end + secs) in room; merges with the
 * last segment when room and flags are equal.  secs <= 0 adds nothing.
 */
void ag_plan_push(AgPlan *p, int room, int flags, AgTime secs);

/* ag_plan_push_until: append up to instant until (nothing if not later). */
void ag_plan_push_until(AgPlan *p, int room, int flags, AgTime until);

/* ag_plan_room_at: the room at instant t (AG_AWAY if out; -3 if outside). */
int ag_plan_room_at(const AgPlan *p, AgTime t);

/*
 * ag_plan_overwrite: make [from, to) (clipped to the plan) one segment in
 * room with flags, cutting what was there.
 */
void ag_plan_overwrite(AgPlan *p, AgTime from, AgTime to, int room, int flags);

/*
 * ag_plan_replace: inside [from, to), every part of a segment in room
 * match (a room or AG_AWAY) moves to room repl (or, with AG_PREV_ROOM, to
 * the room of the segment before it; AG_SOVEROM at the plan start).
 */
void ag_plan_replace(AgPlan *p, AgTime from, AgTime to, int match, int repl);

#endif /* AG_SIM_PLAN_H */
