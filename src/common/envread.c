/*-------------------------------------------------------------------------
 * envread.c
 *	  AGINGOS_* variables: lookup, integers in range, the log level, and the
 *	  config_error line (style.md section 3).  Each program's own env.c
 *	  holds its list of settings and its --help text.
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "envread.h"

const char *
ag_env_get(const char *name)
{
	const char *value = getenv(name);

	return (value == NULL || value[0] == '\0') ? NULL : value;
}

bool
ag_env_bad(const char *name, const char *value, const char *why)
{
	char quoted[160];

	ag_log(AG_LOG_ERROR, "config_error", why, "variable=%s value=%s", name,
		   ag_log_quote(quoted, sizeof(quoted), value));
	return false;
}

bool
ag_env_int(const char *name, int dflt, int min, int max, int *out)
{
	const char *value = ag_env_get(name);
	char		why[96];
	char	   *end;
	long		n;

	*out = dflt;
	if (value == NULL)
		return true;
	errno = 0;
	n = strtol(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || *end != '\0' || errno != 0 || n < min || n > max)
	{
		snprintf(why, sizeof(why), "expected an integer from %d to %d", min, max);
		return ag_env_bad(name, value, why);
	}
	*out = (int) n;
	return true;
}

bool
ag_env_level(AgLogLevel *out)
{
	const char *value = ag_env_get("AGINGOS_LOG_LEVEL");

	*out = AG_LOG_INFO;
	if (value == NULL || ag_log_parse_level(value, out))
		return true;
	return ag_env_bad("AGINGOS_LOG_LEVEL", value, "expected one of debug, info, warn, error");
}
