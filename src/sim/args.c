/*-------------------------------------------------------------------------
 * args.c
 *	  The command line (the fixed CLI in ag_usage, env.c): "--opt value"
 *	  or "--opt=value".  Any problem is a usage error (exit 2) with a
 *	  message naming the option.
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "model.h"
#include "settings.h"

/* usage_error: log the problem; always returns AG_ARGS_USAGE. */
static AgArgsResult
usage_error(const char *fmt, ...)
{
	char	msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ag_log(AG_LOG_ERROR, "usage_error", msg, "hint=\"agingos-sim --help\"");
	return AG_ARGS_USAGE;
}

/* parse_long: value as an integer in [min, max]. */
static bool
parse_long(const char *value, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(value, &end, 10);
	return value[0] >= '0' && value[0] <= '9' && *end == '\0' && errno == 0 && *out >= min && *out <= max;
}

/* parse_double: value as a finite positive number up to max. */
static bool
parse_double(const char *value, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(value, &end);
	return ((value[0] >= '0' && value[0] <= '9') || value[0] == '.') && *end == '\0' && errno == 0 &&
		   isfinite(*out) && *out > 0 && *out <= max;
}

/* prefix_ok: 1-40 characters from [A-Za-z0-9_.-]. */
static bool
prefix_ok(const char *p)
{
	size_t n = strlen(p);

	if (n < 1 || n > 40)
		return false;
	return strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* Which of the required options were seen. */
typedef struct Seen
{
	bool homes, days, seed;
} Seen;

/* option_io: the options of the way out (url ... stats-file). */
static AgArgsResult option_io(AgSimSettings *s, const char *name, const char *v);

/* option: apply one option (name without "--") with its value. */
static AgArgsResult
option(AgSimSettings *s, Seen *seen, const char *name, const char *v)
{
	long n;
	char err[256];

	if (strcmp(name, "mode") == 0)
	{
		if (strcmp(v, "http") != 0 && strcmp(v, "db") != 0)
			return usage_error("--mode must be http or db, not \"%s\"", v);
		s->mode = strcmp(v, "db") == 0 ? AG_MODE_DB : AG_MODE_HTTP;
	}
	else if (strcmp(name, "homes") == 0)
	{
		if (!parse_long(v, 1, 1000, &n))
			return usage_error("--homes must be an integer from 1 to 1000, not \"%s\"", v);
		s->homes = (int) n;
		seen->homes = true;
	}
	else if (strcmp(name, "days") == 0)
	{
		if (!parse_double(v, 3660, &s->days))
			return usage_error("--days must be a number above 0 and at most 3660, not \"%s\"", v);
		seen->days = true;
	}
	else if (strcmp(name, "seed") == 0)
	{
		char *end;

		errno = 0;
		s->seed = strtoull(v, &end, 10);
		if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0)
			return usage_error("--seed must be an unsigned 64-bit integer, not \"%s\"", v);
		seen->seed = true;
	}
	else if (strcmp(name, "start") == 0)
	{
		const char *end;

		if (!ag_clock_parse_instant(v, &s->start, &end) || *end != '\0')
			return usage_error("--start must be an instant with Z or an offset, e.g. 2026-01-05T00:00:00Z, not \"%s\"", v);
		s->start_given = true;
	}
	else if (strcmp(name, "home-prefix") == 0)
	{
		if (!prefix_ok(v))
			return usage_error("--home-prefix must be 1-40 characters from A-Z a-z 0-9 _ . -, not \"%s\"", v);
		snprintf(s->home_prefix, sizeof(s->home_prefix), "%s", v);
	}
	else if (strcmp(name, "residents") == 0)
	{
		s->nresidents = ag_resident_parse(v, s->residents, 16);
		if (s->nresidents <= 0)
			return usage_error("--residents must be 1-16 comma-separated kinds from classic, early, owl, napper, outings, mmwave, pir-hold, hall-mmwave, no-stue-presence, visitors, not \"%s\"", v);
	}
	else if (strcmp(name, "inject") == 0)
	{
		if (!ag_inject_parse(v, &s->inject, &s->ninject, err, sizeof(err)))
			return usage_error("%s", err);
	}
	else
		return option_io(s, name, v);
	return AG_ARGS_OK;
}

static AgArgsResult
option_io(AgSimSettings *s, const char *name, const char *v)
{
	long n;

	if (strcmp(name, "url") == 0)
	{
		if ((strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) || strlen(v) >= sizeof(s->url))
			return usage_error("--url must start with http:// or https://, not \"%s\"", v);
		snprintf(s->url, sizeof(s->url), "%s", v);
		while (strlen(s->url) > 8 && s->url[strlen(s->url) - 1] == '/')
			s->url[strlen(s->url) - 1] = '\0';
	}
	else if (strcmp(name, "api-key") == 0)
		s->api_key = v;
	else if (strcmp(name, "api-key-file") == 0)
		s->api_key_file = v;
	else if (strcmp(name, "speed") == 0)
	{
		if (!parse_double(v, 1e9, &s->speed))
			return usage_error("--speed must be a number above 0, not \"%s\"", v);
	}
	else if (strcmp(name, "tick-minutes") == 0)
	{
		if (!parse_long(v, 1, 1440, &n))
			return usage_error("--tick-minutes must be an integer from 1 to 1440, not \"%s\"", v);
		s->tick_minutes = (int) n;
	}
	else if (strcmp(name, "batch") == 0)
	{
		if (!parse_long(v, 1, 10000, &n))
			return usage_error("--batch must be an integer from 1 to 10000, not \"%s\"", v);
		s->batch = (int) n;
	}
	else /* stats-file: takes_value() admits nothing else */
		s->stats_file = v;
	return AG_ARGS_OK;
}

/* flag: a value-less option; false when name is not one. */
static bool
flag(AgSimSettings *s, const char *name)
{
	if (strcmp(name, "realtime") == 0)
		s->speed = 1;
	else if (strcmp(name, "progress") == 0)
		s->progress = 1;
	else if (strcmp(name, "no-progress") == 0)
		s->progress = 0;
	else if (strcmp(name, "dry-run") == 0)
		s->dry_run = true;
	else
		return false;
	return true;
}

/* takes_value: whether name is an option with a value. */
static bool
takes_value(const char *name)
{
	static const char *const names[] = {"mode", "homes", "days", "seed", "start", "home-prefix", "inject", "residents", "url",
										"api-key", "api-key-file", "speed", "tick-minutes", "batch", "stats-file"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* parse_argv: every argument; --help short-circuits. */
static AgArgsResult
parse_argv(AgSimSettings *s, Seen *seen, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
	{
		char		 name[64];
		const char	*arg = argv[i], *eq, *value;
		AgArgsResult r;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
			return AG_ARGS_HELP;
		if (strncmp(arg, "--", 2) != 0 || strlen(arg) < 3)
			return usage_error("unexpected argument \"%s\"", arg);
		eq = strchr(arg, '=');
		snprintf(name, sizeof(name), "%.*s", (int) (eq ? eq - arg - 2 : (long) strlen(arg) - 2), arg + 2);
		if (eq == NULL && flag(s, name))
			continue;
		if (!takes_value(name))
			return usage_error("unknown option --%s", name);
		if (eq != NULL)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else
			return usage_error("option --%s needs a value", name);
		if ((r = option(s, seen, name, value)) != AG_ARGS_OK)
			return r;
	}
	return AG_ARGS_OK;
}

/* check_injections: home numbers and instants inside the run. */
static AgArgsResult
check_injections(const AgSimSettings *s)
{
	char a[32], b[32], c[32];

	for (int i = 0; i < s->ninject; i++)
	{
		const AgInject *in = &s->inject[i];

		if (in->home > s->homes)
			return usage_error("--inject R-%03d: home %d does not exist (--homes %d)", in->rule, in->home, s->homes);
		if (in->at < s->start || in->at >= s->end)
			return usage_error("--inject R-%03d@%s lies outside the simulated period [%s, %s)", in->rule,
							   ag_format_instant(in->at, a), ag_format_instant(s->start, b), ag_format_instant(s->end, c));
		ag_inject_warn(in, s->start);
	}
	return AG_ARGS_OK;
}

AgArgsResult
ag_settings_read(AgSimSettings *s, int argc, char **argv)
{
	Seen		 seen = {false, false, false};
	AgArgsResult r;

	memset(s, 0, sizeof(*s));
	s->mode = AG_MODE_HTTP;
	s->speed = 1;
	s->tick_minutes = 5;
	s->batch = 500;
	s->progress = -1;
	snprintf(s->home_prefix, sizeof(s->home_prefix), "sim-");
	if (!ag_env_read(s))
		return AG_ARGS_USAGE;
	if ((r = parse_argv(s, &seen, argc, argv)) != AG_ARGS_OK)
		return r;
	if (!seen.homes || !seen.days || !seen.seed)
		return usage_error("--homes, --days and --seed are required");
	if (s->api_key != NULL && s->api_key_file != NULL)
		return usage_error("give --api-key or --api-key-file, not both");
	if (!s->start_given && s->mode == AG_MODE_DB)
		ag_clock_parse_instant("2026-01-05T00:00:00Z", &s->start, NULL);
	else if (!s->start_given)
	{
		/* now to the minute; with X > 1 the run ends at that instant */
		s->start = (AgTime) ag_wall_now() / 60 * 60;
		if (s->speed > 1)
			s->start -= (AgTime) llround(s->days * 86400);
	}
	s->end = s->start + (AgTime) llround(s->days * 86400);
	if (s->end <= s->start)
		return usage_error("--days %g is shorter than one second", s->days);
	return check_injections(s);
}
