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
} AgProfile;

/* ag_profile_init: the habits of home number home (1-based). */
void ag_profile_init(AgProfile *p, uint64_t seed, int home);

/* ag_model_wake: the wake-up instant of local day daynum. */
AgTime ag_model_wake(const AgProfile *p, uint64_t seed, int home, int64_t daynum);

/*
 * ag_model_day: the plan of local day daynum, [wake(daynum),
 * wake(daynum + 1)), into plan (reset first).
 */
void ag_model_day(AgPlan *plan, const AgProfile *p, uint64_t seed, int home, int64_t daynum);

#endif /* AG_SIM_MODEL_H */
