/*-------------------------------------------------------------------------
 * rng.h
 *	  Seeded pseudo-random numbers: splitmix64 for seeding and hashing,
 *	  xoshiro256** for streams (Blackman and Vigna, public domain
 *	  algorithms, written out here).  Every stream is keyed by values such
 *	  as (seed, home, day), so one day never depends on how many numbers
 *	  another day drew.
 *-------------------------------------------------------------------------
 */
#ifndef AG_SIM_RNG_H
#define AG_SIM_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct AgRng
{
	uint64_t s[4];
} AgRng;

/* ag_hash4: a well-mixed 64-bit value of four keys (splitmix64 chain). */
uint64_t ag_hash4(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/* ag_rng_seed: the stream of the keys (a, b, c, d). */
void ag_rng_seed(AgRng *r, uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/* ag_rng_next: the next 64 random bits. */
uint64_t ag_rng_next(AgRng *r);

/* ag_rng_unit: uniform in [0, 1). */
double ag_rng_unit(AgRng *r);

/* ag_rng_range: uniform integer in [lo, hi] (lo <= hi). */
int64_t ag_rng_range(AgRng *r, int64_t lo, int64_t hi);

/* ag_rng_chance: true with probability p. */
bool ag_rng_chance(AgRng *r, double p);

/* ag_rng_exp: exponentially distributed with the given mean. */
double ag_rng_exp(AgRng *r, double mean);

/* ag_rng_poisson: Poisson-distributed count with the given mean (small). */
int ag_rng_poisson(AgRng *r, double mean);

#endif /* AG_SIM_RNG_H */
