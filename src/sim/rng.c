/*-------------------------------------------------------------------------
 * rng.c
 *	  splitmix64 and xoshiro256** (see rng.h).  Only integer arithmetic and
 *	  IEEE doubles: the same seed gives the same numbers on every machine.
 *-------------------------------------------------------------------------
 */
#include <math.h>

#include "rng.h"

/* splitmix64: one step of Vigna's splitmix64 generator on *x. */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

uint64_t
ag_hash4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	uint64_t x = a;
	uint64_t h = splitmix64(&x);

	x = h ^ b;
	h = splitmix64(&x);
	x = h ^ c;
	h = splitmix64(&x);
	x = h ^ d;
	return splitmix64(&x);
}

void
ag_rng_seed(AgRng *r, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	uint64_t x = ag_hash4(a, b, c, d);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

/* rotl: rotate left by k bits. */
static inline uint64_t
rotl(uint64_t v, int k)
{
	return (v << k) | (v >> (64 - k));
}

uint64_t
ag_rng_next(AgRng *r)
{
	uint64_t *s = r->s;
	uint64_t  result = rotl(s[1] * 5, 7) * 9;
	uint64_t  t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
ag_rng_unit(AgRng *r)
{
	/* the top 53 bits give every double in [0, 1) with step 2^-53 */
	return (double) (ag_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

int64_t
ag_rng_range(AgRng *r, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t) (hi - lo) + 1;

	if (hi <= lo)
		return lo;
	return lo + (int64_t) (ag_rng_next(r) % span);
}

bool
ag_rng_chance(AgRng *r, double p)
{
	return ag_rng_unit(r) < p;
}

double
ag_rng_exp(AgRng *r, double mean)
{
	return -mean * log(1.0 - ag_rng_unit(r));
}

int
ag_rng_poisson(AgRng *r, double mean)
{
	double limit = exp(-mean);
	double prod = ag_rng_unit(r);
	int	   n = 0;

	/* Knuth's method; means here are below 3 */
	while (prod > limit && n < 20)
	{
		prod *= ag_rng_unit(r);
		n++;
	}
	return n;
}
