/*-------------------------------------------------------------------------
 * config_error.c
 *	  How the config loader reports an error (rules.md 6.1): SQLSTATE F0000,
 *	  errmsg "<full.path>: <problem>", and the helpers that build paths and
 *	  quote values.  The bottom layer of the config_* files: config_yaml.c
 *	  and config_types.c both use it, it uses neither.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "config_int.h"

/* Longest value text quoted back in a message, in bytes. */
#define AG_SHOWN_MAX 60

/*
 * ag_config_error: raise the config error of rules.md 6.1: SQLSTATE F0000,
 * errmsg "<path>: <problem>" (path "" means the document root), errdetail
 * and errhint as given (full sentences).  Never returns.
 */
void
ag_config_error(const char *path, const char *problem, const char *detail,
				const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_CONFIG_FILE_ERROR),
			 errmsg("%s: %s", path[0] != '\0' ? path : "(root)", problem),
			 errdetail("%s", detail),
			 errhint("%s", hint)));
	pg_unreachable();
}

/* ag_config_path_key: "<parent>.<key>", or "<key>" at the root. */
char *
ag_config_path_key(const char *parent, const char *key)
{
	if (parent[0] == '\0')
		return pstrdup(key);
	return psprintf("%s.%s", parent, key);
}

/* ag_config_path_index: "<parent>[<index>]", index 0-based. */
char *
ag_config_path_index(const char *parent, int index)
{
	return psprintf("%s[%d]", parent, index);
}

/*
 * ag_config_shown: `text` as quoted back in a message: at most
 * AG_SHOWN_MAX bytes (cut on a character boundary), "..." when cut.
 */
char *
ag_config_shown(const char *text)
{
	int len = (int) strlen(text);
	int cut;

	if (len <= AG_SHOWN_MAX)
		return pstrdup(text);
	cut = pg_mbcliplen(text, len, AG_SHOWN_MAX);
	return psprintf("%.*s...", cut, text);
}

/*
 * ag_config_where: how a detail names a value: " (line N)" for a value
 * written in the YAML, " (the default)" for a default (line 0).
 */
char *
ag_config_where(const AgYamlNode *node)
{
	if (node == NULL || node->line <= 0)
		return " (the default)";
	return psprintf(" (line %d)", node->line);
}
