/*-------------------------------------------------------------------------
 * keys.c
 *	  --api-key-file: one "home_id key" per line (blank lines and lines
 *	  starting with # are skipped).  Every simulated home needs a line;
 *	  lines for other homes are ignored.  Keys are never logged.
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

bool
ag_keys_load(const char *path, AgHome *homes, int n)
{
	FILE *f = fopen(path, "r");
	char  line[1024], quoted[300];
	int	  lineno = 0;

	if (f == NULL)
	{
		ag_log(AG_LOG_ERROR, "usage_error", "cannot read --api-key-file", "path=%s",
			   ag_log_quote(quoted, sizeof(quoted), path));
		return false;
	}
	while (fgets(line, sizeof(line), f) != NULL)
	{
		char *home = strtok(line, " \t\r\n");
		char *key = home ? strtok(NULL, " \t\r\n") : NULL;

		lineno++;
		if (home == NULL || home[0] == '#')
			continue;
		if (key == NULL || strtok(NULL, " \t\r\n") != NULL)
		{
			ag_log(AG_LOG_ERROR, "usage_error", "expected \"home_id key\"", "path=%s line=%d",
				   ag_log_quote(quoted, sizeof(quoted), path), lineno);
			fclose(f);
			return false;
		}
		for (int i = 0; i < n; i++)
			if (strcmp(homes[i].name, home) == 0 && (homes[i].api_key = strdup(key)) == NULL)
				abort();
	}
	fclose(f);
	for (int i = 0; i < n; i++)
		if (homes[i].api_key == NULL)
		{
			ag_log(AG_LOG_ERROR, "usage_error", "no key for this home in --api-key-file", "home_id=%s path=%s",
				   homes[i].name, ag_log_quote(quoted, sizeof(quoted), path));
			return false;
		}
	return true;
}
