/*-------------------------------------------------------------------------
 * clock.c
 *	  See clock.h.  Civil-date arithmetic after Howard Hinnant's
 *	  days_from_civil / civil_from_days algorithms.
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

bool
ag_clock_init(void)
{
	if (access("/usr/share/zoneinfo/" AG_SIM_TZ, R_OK) != 0)
		return false;
	setenv("TZ", AG_SIM_TZ, 1);
	tzset();
	return true;
}

int64_t
ag_daynum(AgDate d)
{
	int64_t	 y = d.y - (d.m <= 2);
	int64_t	 era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned) (y - era * 400);
	unsigned doy = (153 * (unsigned) (d.m + (d.m > 2 ? -3 : 9)) + 2) / 5 + (unsigned) d.d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t) doe - 719468;
}

AgDate
ag_date_of_daynum(int64_t n)
{
	AgDate	 out;
	int64_t	 z = n + 719468;
	int64_t	 era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned) (z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	out.d = (int) (doy - (153 * mp + 2) / 5 + 1);
	out.m = (int) (mp < 10 ? mp + 3 : mp - 9);
	out.y = (int) ((int64_t) yoe + era * 400 + (out.m <= 2));
	return out;
}

/* digits: n decimal digits at s as an int, or -1. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* parse_offset: Z, z, +-HH:MM, +-HHMM or +-HH at p; seconds east of UTC. */
static const char *
parse_offset(const char *p, int *offset)
{
	int sign, hh, mm = 0;

	if (*p == 'Z' || *p == 'z')
	{
		*offset = 0;
		return p + 1;
	}
	if (*p != '+' && *p != '-')
		return NULL;
	sign = *p == '-' ? -1 : 1;
	if ((hh = digits(p + 1, 2)) < 0 || hh > 23)
		return NULL;
	p += 3;
	if (p[0] == ':' && digits(p + 1, 2) >= 0)
	{
		mm = digits(p + 1, 2);
		p += 3;
	}
	else if (digits(p, 2) >= 0)
	{
		mm = digits(p, 2);
		p += 2;
	}
	if (mm > 59)
		return NULL;
	*offset = sign * (hh * 3600 + mm * 60);
	return p;
}

bool
ag_clock_parse_instant(const char *s, AgTime *out, const char **end)
{
	int			y = digits(s, 4), mo, d, hh, mi, ss, offset;
	const char *p;
	AgDate		date;

	if (strlen(s) < 20 || y < 0 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':')
		return false;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return false;
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	hh = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	ss = digits(s + 17, 2);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59)
		return false;
	date = (AgDate){y, mo, d};
	/* reject 2026-02-30 and the like: the day must survive a round trip */
	if (ag_date_of_daynum(ag_daynum(date)).d != d)
		return false;
	p = s + 19;
	if (*p == '.')
	{
		int n = 0;

		while (p[1 + n] >= '0' && p[1 + n] <= '9')
			n++;
		if (n < 1 || n > 6)
			return false;
		p += 1 + n;
	}
	if ((p = parse_offset(p, &offset)) == NULL)
		return false;
	*out = ag_daynum(date) * 86400 + hh * 3600 + mi * 60 + ss - offset;
	if (end != NULL)
		*end = p;
	return true;
}

const char *
ag_format_instant(AgTime t, char *buf)
{
	time_t	  tt = (time_t) t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

AgDate
ag_local_date(AgTime t, int *minute_of_day)
{
	time_t	  tt = (time_t) t;
	struct tm tm;

	localtime_r(&tt, &tm);
	if (minute_of_day != NULL)
		*minute_of_day = tm.tm_hour * 60 + tm.tm_min;
	return (AgDate){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

int
ag_local_minute(AgTime t)
{
	int minute;

	ag_local_date(t, &minute);
	return minute;
}

AgTime
ag_local_instant(AgDate d, int minute)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = d.y - 1900;
	tm.tm_mon = d.m - 1;
	tm.tm_mday = d.d;
	tm.tm_min = minute;
	tm.tm_isdst = -1;
	return (AgTime) mktime(&tm);
}

double
ag_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}
