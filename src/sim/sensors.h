/*-------------------------------------------------------------------------
 * sensors.h
 *	  The sensor kit of a home and how it sees the resident's plan:
 *	  - a presence sensor per room (category presence): "on" 1-6 s after
 *	    the resident enters, "off" 30-120 s after they leave (clear delay),
 *	    and brief off/on flickers while a still resident is missed;
 *	  - a hall motion sensor facing the front door (category motion, room
 *	    inngang): short pulses (on, then off after a 20-40 s hold) when
 *	    the resident walks into the hall and when the door swings open;
 *	  - the front-door contact (category door): open, closed;
 *	  - Home Assistant's liveness snapshot (category ha_snapshot) every
 *	    20 minutes from the start of the simulation.
 *-------------------------------------------------------------------------
 */
#ifndef AG_SIM_SENSORS_H
#define AG_SIM_SENSORS_H

#include "buf.h"
#include "plan.h"

/* One opening of the front door that is not an outing (anomalies). */
typedef struct AgDoorCycle
{
	AgTime at;
	int	   open_secs;
	bool   motion; /* whether the hall motion sensor sees it */
} AgDoorCycle;

/* Sensor state of one home; carried from one plan to the next. */
typedef struct AgSensors
{
	bool	 on[AG_NROOMS];
	AgTime	 off_at[AG_NROOMS]; /* pending "off", 0 when none */
	bool	 motion_on;
	AgTime	 motion_off_at;
	int		 room;	/* where the previous plan left the resident; -3 none */
	int		 flags; /* and that segment's flags */
	int		 room2; /* where the previous plan left the second person (a visitor); -3 none */
	int		 flags2;
	int8_t	 at[2];	   /* the room each person is in now (-3: none) ... */
	bool	 still[2]; /* ... and whether they keep still there */
	uint32_t order;	   /* generation counter (AgEvent.order) */
} AgSensors;

/* What the sensor model needs to know about its home. */
typedef struct AgSensorHome
{
	uint64_t seed;
	int		 home;
	bool	 steady_bedroom;
	AgTime	 snapshot_origin;
	bool	 pir_hold;																				   /* no flicker; the hall motion PIR holds "on" while someone is in the hall */
	bool	 steady_hall; /* the hall presence sensor holds "on" while someone is there, even still */ /* the first ha_snapshot, then every 20 min */
} AgSensorHome;

#define AG_SNAPSHOT_PERIOD (20 * 60)

/* ag_sensors_init: everything off, resident nowhere yet. */
void ag_sensors_init(AgSensors *s);

/*
 * ag_sensors_run: append to out the events the sensors produce for plan
 * (and for the door cycles inside it), in generation order; out is sorted
 * by the caller.  Events are never earlier than plan->start; a pending
 * "off" later than plan->end stays pending for the next plan.  other: NULL,
 * or the plan of a second person over the same span (a visitor): a room's
 * sensor stays "on" while either person moves in it, and the door and hall
 * sensors see both.
 */
void ag_sensors_run(AgSensors *s, const AgSensorHome *h, const AgPlan *plan,
					const AgDoorCycle *doors, int ndoors, const AgPlan *other, AgEventBuf *out);

#endif /* AG_SIM_SENSORS_H */
