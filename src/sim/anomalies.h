/*-------------------------------------------------------------------------
 * anomalies.h
 *	  --inject RULE@INSTANT[:HOME]: one anomaly per rule R-001 ... R-011,
 *	  each made so that its rule fires with the shipped config (docs/sim.md
 *	  lists how).  Three mechanisms:
 *	  - plan edits (the resident does something unusual),
 *	
 *	  - extra door cycles;
 *	  - stream filters (sensors or the gateway fail; the resident does not
 *	    change): R-003 (hall motion misses), R-009 (ingest stops), R-010
 *	    (kitchen sensor stuck on).
 *-------------------------------------------------------------------------
 */
#ifndef AG_SIM_ANOMALIES_H
#define AG_SIM_ANOMALIES_H

#include "plan.h"
#include "sensors.h"

typedef struct AgInject
{
	int	   rule; /* 1 ... 11 */
	AgTime at;
	int	   home; /* 1-based */
} AgInject;

/* Stream slots: presence per room (0-4), hall motion, door, snapshot. */
#define AG_SLOT_MOTION 5
#define AG_SLOT_DOOR 6
#define AG_SLOT_SNAPSHOT 7
#define AG_NSLOTS 8

/* A stream filter: events of the masked slots in [from, to) are lost. */
typedef struct AgDrop
{
	AgTime	from, to;
	uint8_t mask;		/* bit per slot */
	int		force_room; /* >= 0: that presence sensor reports "on" at from */
	int		phase;		/* 0 before, 1 inside, 2 after (home.c) */
	bool	dropped[AG_NSLOTS];
	uint8_t last_dropped[AG_NSLOTS];
} AgDrop;

/* The anomalies of one home. */
typedef struct AgAnomalies
{
	AgInject	inj[64];
	int			ninj;
	int			r001_room[64]; /* where the resident freezes; -3 unknown */
	int			resolved[64];  /* 0 unknown, 1 out at the instant, 2 home */
	AgDoorCycle doors[64];
	int			ndoors;
	AgDrop		drops[64];
	int			ndrops;
} AgAnomalies;

/*
 * ag_inject_parse: parse the comma-separated list text, appending to
 * *list (realloc'ed).  On error returns false with a message in err.
 */
bool ag_inject_parse(const char *text, AgInject **list, int *n, char *err, size_t errlen);

/*
 * ag_inject_warn: log a warning when the injection's local time (or its
 * distance from start) means the rule will probably not fire.
 */
void ag_inject_warn(const AgInject *in, AgTime start);

/* ag_inject_window: how long after its instant anomaly rule lasts (s). */
AgTime ag_inject_window(int rule);

/* ag_anomalies_init: the injections of home (from all), door cycles, filters. */
void ag_anomalies_init(AgAnomalies *a, const AgInject *all, int nall, int home);

/* ag_anomalies_apply: rewrite plan (one resident day) for the plan edits. */
void ag_anomalies_apply(AgAnomalies *a, AgPlan *plan, uint64_t seed, int home);

#endif /* AG_SIM_ANOMALIES_H */
