/*-------------------------------------------------------------------------
 * clock.h
 *	  Instants: parsing (contract.md section 2 grammar), ISO 8601 UTC
 *	  output with "Z", and local time in Europe/Oslo through the system tz
 *	  database (TZ + localtime_r/mktime; no hand-coded DST).
 *-------------------------------------------------------------------------
 */
#ifndef AG_SIM_CLOCK_H
#define AG_SIM_CLOCK_H

#include "sim.h"

/* The residents' zone: the shipped config's top-level timezone. */
#define AG_SIM_TZ "Europe/Oslo"

/* A local calendar date. */
typedef struct AgDate
{
	int y, m, d;
} AgDate;

/*
 * ag_clock_init: make libc's local time Europe/Oslo.  Returns false when
 * the tz database has no such zone (glibc would silently use UTC).
 */
bool ag_clock_init(void);

/*
 * ag_clock_parse_instant: parse an instant at s: YYYY-MM-DD(T|t| )HH:MM:SS,
 * optional .fraction (ignored: whole seconds), then Z, z, +-HH:MM, +-HHMM
 * or +-HH.  *end (if not NULL) gets the first character after it.
 * Returns false on any deviation from the grammar.
 */
bool ag_clock_parse_instant(const char *s, AgTime *out, const char **end);

/* ag_format_instant: "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 24 bytes). */
const char *ag_format_instant(AgTime t, char *buf);

/* ag_local_date: the local date and minute of day of t. */
AgDate ag_local_date(AgTime t, int *minute_of_day);

/* ag_local_minute: the local minute of day of t (0 ... 1439). */
int ag_local_minute(AgTime t);

/*
 * ag_local_instant: the instant whose local wall clock reads date d plus
 * minute (may exceed 1439 or be negative; mktime normalises).  In a DST
 * gap or overlap libc picks one of the candidates; callers never depend on
 * which.
 */
AgTime ag_local_instant(AgDate d, int minute);

/* ag_daynum / ag_date_of_daynum: days since 1970-01-01 and back. */
int64_t ag_daynum(AgDate d);
AgDate	ag_date_of_daynum(int64_t n);

/* ag_wall_now: the wall clock, seconds since the epoch (fractional). */
double ag_wall_now(void);

#endif /* AG_SIM_CLOCK_H */
