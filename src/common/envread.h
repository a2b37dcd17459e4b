/*-------------------------------------------------------------------------
 * envread.h
 *	  Reading AGINGOS_* environment variables, shared by every program
 *	  (style.md section 3: settings come from the environment, read once at
 *	  startup; a bad value names the variable and the program exits 2).
 *-------------------------------------------------------------------------
 */
#ifndef AG_COMMON_ENVREAD_H
#define AG_COMMON_ENVREAD_H

#include <stdbool.h>

#include "log.h"

/* ag_env_get: the variable's value, or NULL when it is unset or empty. */
const char *ag_env_get(const char *name);

/*
 * ag_env_bad: log the level=error event=config_error line for variable
 * name: why as msg, the variable and its (quoted) value as fields.  Never
 * pass a secret as value.  Always returns false, so a reader can
 * `return ag_env_bad(...)`.
 */
bool ag_env_bad(const char *name, const char *value, const char *why);

/*
 * ag_env_int: *out = the variable as a decimal integer in [min, max], or dflt
 * when unset or empty.  Signs, leading or trailing junk and overflow are
 * errors ("expected an integer from min to max", through ag_env_bad).
 */
bool ag_env_int(const char *name, int dflt, int min, int max, int *out);

/*
 * ag_env_level: *out = AGINGOS_LOG_LEVEL (debug, info, warn or error), or
 * AG_LOG_INFO when unset or empty.  Anything else is an error.
 */
bool ag_env_level(AgLogLevel *out);

#endif /* AG_COMMON_ENVREAD_H */
