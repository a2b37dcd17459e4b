/*-------------------------------------------------------------------------
 * model.h
 *	  The seeded resident model: a home's profile (habits and sensor kit)
 *	  and one plan per resident day, from the wake-up of local date D to
 *	  the wake-up of D + 1, in Europe/Oslo local time.  docs/sim.md
 *	  describes the day; the numbers below are the model's parameters.
 *-------------------------------------------------------------------------
 */
#ifndef AG_SIM_MODEL_H
#define AG_SIM_MODEL_H

#include "plan.h"

/* Salts that keep the model's random streams apart. */
#define AG_SALT_PROFILE 1
#define AG_SALT_WAKE 2
#define AG_SALT_DAY 3
#define AG_SALT_FLICKER 4
#define AG_SALT_JITTER 5
#define AG_SALT_SNAPSHOT 6
#define AG_SALT_ANOMALY 7
#define AG_SALT_VISITOR 8

typedef struct AgProfile
{
	int	   wake_min;		  /* usual wake-up, local minute of day */
	int	   bed_min;			  /* usual bedtime, local minute of day */
	double night_visits;	  /* mean bathroom visits per night */
	double outing_p;		  /* chance of an outing on a given day */
	double long_outing_p;	  /* chance that the outing lasts 3-5 h */
	double errand_p;		  /* chance of a short trip (mailbox, rubbish) */
	double nap_p;			  /* chance of an after-lunch nap */
	double evening_kitchen_p; /* chance of a kitchen visit at bedtime */
	bool   steady_bedroom;	  /* bedroom sensor holds "on" while asleep */
	bool   pir_hold;		  /* PIRs hold "on" while occupied: no flicker, no re-send */
	bool   steady_hall;		  /* hall presence is mmWave: holds "on" while someone is there, still or not */
	bool   stue_motion_only;  /* living room has a motion sensor, no presence sensor */
	int	   nap_lo, nap_hi;	  /* nap length, minutes */
	double visit_p;			  /* chance of an afternoon visitor on a given day */
	int	   kind;			  /* AgResident */
} AgProfile;

/*
 * AgResident: the resident kinds of --residents (docs/sim.md 2): classic
 * is the model above; the others change habits or the sensor kit.
 */
typedef enum AgResident
{
	AG_RES_CLASSIC,
	AG_RES_EARLY,	 /* wakes 05:30-06:00, bed 20:30-21:15 */
	AG_RES_OWL,		 /* wakes 08:00-08:30, bed 23:15-23:59 */
	AG_RES_NAPPER,	 /* a 60-120 min nap on 90 % of days */
	AG_RES_OUTINGS,	 /* out on 95 % of days, half of them 3-5 h */
	AG_RES_MMWAVE,	 /* mmWave bedroom sensor */
	AG_RES_PIR_HOLD, /* PIRs that never re-trigger while someone is in view */
	AG_RES_HALL_MMWAVE,
	AG_RES_NO_STUE_PRESENCE,
	AG_RES_VISITORS, /* an afternoon visitor on 60 % of days (a second person moving) */
	AG_RES_NKINDS
} AgResident;

/* ag_resident_names: the --residents words, indexed by AgResident. */
extern const char *const ag_resident_names[AG_RES_NKINDS];

/* ag_resident_parse: a comma-separated list of kinds into kinds[] (max n); -1 on error. */
int ag_resident_parse(const char *text, int *kinds, int max);

/* ag_profile_init: the habits of home number home (1-based). */
void ag_profile_init(AgProfile *p, uint64_t seed, int home, int kind);

/* ag_model_wake: the wake-up instant of local day daynum. */
AgTime ag_model_wake(const AgProfile *p, uint64_t seed, int home, int64_t daynum);

/*
 * ag_model_day: the plan of local day daynum, [wake(daynum),
 * wake(daynum + 1)), into plan (reset first).
 */
void ag_model_day(AgPlan *plan, const AgProfile *p, uint64_t seed, int home, int64_t daynum);

/*
 * ag_model_visitor: the visitor's plan for the resident day in resident
 * (same span): away, except on visit_p of the days an afternoon visit
 * (arrival 13:00-16:30 local, 60-180 min: the hall, then the living room
 * with kitchen and bathroom trips, the hall, out) while the resident is at
 * home the whole time; otherwise away all day.  Reset first.
 */
void ag_model_visitor(AgPlan *visitor, const AgPlan *resident, const AgProfile *p, uint64_t seed, int home,
					  int64_t daynum);

#endif /* AG_SIM_MODEL_H */
