/*-------------------------------------------------------------------------
 * home.h
 *	  One simulated home: its resident (model.c), sensors (sensors.c) and
 *	  anomalies (anomalies.c) as a lazy, time-ordered stream of events with
 *	  deterministic ids "sim-<seed>-<tag>-<home>-<seq>" (tag: a hash of the
 *	  start instant and of this home's injections, so a rerun with the same
 *	  arguments is deduplicated and a different run never collides).
 *-------------------------------------------------------------------------
 */
#ifndef AG_SIM_HOME_H
#define AG_SIM_HOME_H

#include "anomalies.h"
#include "buf.h"
#include "model.h"
#include "sensors.h"

/* What happened to a home's events (stats-file per_home). */
typedef struct AgCounts
{
	uint64_t sent, accepted, deduped, rejected;
} AgCounts;

typedef struct AgHome
{
	int			 index; /* 1-based */
	char		 name[80];
	char		 tag[12];
	uint64_t	 seed;
	AgTime		 start, end; /* events are emitted for [start, end) */
	AgProfile	 profile;
	AgSensors	 sensors;
	AgSensorHome sensor_home;
	AgAnomalies	 anomalies;
	AgPlan		 plan;
	AgPlan		 visitor; /* the visitor's plan of the same day (visit_p > 0) */
	AgEventBuf	 queue;
	int64_t		 next_day; /* local day of the next plan */
	AgTime		 horizon;  /* events before it are final */
	uint64_t	 seq;	   /* last id number used */
	bool		 passed_known[AG_NSLOTS];
	uint8_t		 passed[AG_NSLOTS]; /* last state sent per slot */
	const char	*api_key;			/* http mode; NULL: none */
	AgCounts	 counts;
} AgHome;

/* ag_home_init: home number index of prefix, seeded, with its injections; kind: AgResident. */
void ag_home_init(AgHome *h, int index, const char *prefix, uint64_t seed, AgTime start, AgTime end,
				  const AgInject *inj, int ninj, int kind);

/* ag_home_free: release the home's memory. */
void ag_home_free(AgHome *h);

/*
 * ag_home_peek: the next event to send (filters applied), or NULL when
 * the home has nothing more before its end.  Valid until the next call.
 */
const AgEvent *ag_home_peek(AgHome *h);

/*
 * ag_home_pop: consume the peeked event, write its JSON object (contract
 * section 5: id, timestamp, category, payload) to out and count it.
 */
void ag_home_pop(AgHome *h, AgBuf *out);

#endif /* AG_SIM_HOME_H */
