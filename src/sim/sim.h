/*-------------------------------------------------------------------------
 * sim.h
 *	  agingos-sim: shared types.  Instants are whole seconds since the Unix
 *	  epoch (UTC); the simulator never needs sub-second precision.
 *-------------------------------------------------------------------------
 */
#ifndef AG_SIM_H
#define AG_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t AgTime;

/* The rooms of the shipped config (config/rules.yaml), in a fixed order. */
typedef enum AgRoom
{
	AG_SOVEROM = 0,
	AG_BADEROM,
	AG_KJOKKEN,
	AG_STUE,
	AG_INNGANG,
	AG_NROOMS
} AgRoom;

/* "Room" of a plan segment in which the resident is out of the home. */
#define AG_AWAY (-1)

/* What a sensor event is; decides category and payload (home.c). */
typedef enum AgKind
{
	AG_EV_PRESENCE = 0, /* category presence, one sensor per room */
	AG_EV_MOTION,		/* category motion, the hall sensor facing the door */
	AG_EV_DOOR,			/* category door, the front-door contact */
	AG_EV_SNAPSHOT		/* category ha_snapshot, the liveness signal */
} AgKind;

typedef struct AgEvent
{
	AgTime	 ts;
	uint32_t order; /* generation order: tie-breaker for equal ts */
	uint8_t	 kind;	/* AgKind */
	int8_t	 room;	/* AgRoom (presence, motion, door) */
	uint8_t	 on;	/* presence/motion: on; door: open */
	uint8_t	 synth; /* made by a stream filter (home.c), never dropped */
} AgEvent;

/* ag_room_name: the room id used in payloads ("soverom" ...). */
const char *ag_room_name(int room);

#endif /* AG_SIM_H */
