/*-------------------------------------------------------------------------
 * fuzz_config.c
 *	  libFuzzer target: the YAML config loader of the extension
 *	  (src/config_yaml.c: libyaml events to a node tree; config_schema.c and
 *	  config_types.c: every field typed and checked), the code behind
 *	  agingos_load_config, outside a server (test/fuzz/pgstub.c).
 *	  Input: a config file's text.  Invariants: the loader either returns a
 *	  config or raises an ERROR whose message is non-empty valid UTF-8 with
 *	  a SQLSTATE of class 22 or F0 (docs/rules-engine.md); nothing else.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdlib.h>
#include <string.h>

#include "utils/elog.h"
#include "utils/memutils.h"

#include "config_int.h"
#include "pgstub.h"

/* utf8_ok: s is valid UTF-8 (no overlong, no surrogate, <= U+10FFFF). */
static bool
utf8_ok(const unsigned char *s)
{
	while (*s)
	{
		int		 n = *s < 0x80 ? 1 : (*s & 0xE0) == 0xC0 ? 2 : (*s & 0xF0) == 0xE0 ? 3 : (*s & 0xF8) == 0xF0 ? 4 : 0;
		uint32_t c;

		if (n == 0 || (n == 2 && *s < 0xC2))
			return false;
		c = n == 1 ? *s : *s & (0x7F >> n);
		for (int i = 1; i < n; i++)
		{
			if ((s[i] & 0xC0) != 0x80)
				return false;
			c = (c << 6) | (s[i] & 0x3F);
		}
		if ((n == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)))
			return false;
		s += n;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sigjmp_buf	buf;
	char	   *text = malloc(size + 1);
	AgConfig   *volatile cfg = NULL;

	memcpy(text, data, size);
	text[size] = '\0';
	if (!utf8_ok((const unsigned char *) text))
	{
		free(text); /* a UTF-8 database refuses such text before the loader */
		return -1;
	}
	PG_exception_stack = &buf;
	if (sigsetjmp(buf, 0) == 0)
	{
		AgYamlNode *root = ag_config_yaml_parse(text);

		cfg = ag_config_build(root, CurrentMemoryContext, false); /* zones: pg_tzset (pgstub) */
		if (cfg == NULL)
			abort();
	}
	else
	{
		int cls = pgstub_last_sqlstate & 0xFFF; /* the first two characters */

		/* a message cut by the stub's buffer may end inside a character */
		if (pgstub_last_error[0] == '\0' ||
			(strlen(pgstub_last_error) < sizeof(pgstub_last_error) - 1 && !utf8_ok((const unsigned char *) pgstub_last_error)))
		{
			fprintf(stderr, "fuzz_config: bad error message: sqlstate=%s msg=%s\n", unpack_sql_state(pgstub_last_sqlstate),
					pgstub_last_error);
			abort();
		}
		if (cls != (MAKE_SQLSTATE('2', '2', '0', '0', '0') & 0xFFF) && cls != (MAKE_SQLSTATE('F', '0', '0', '0', '0') & 0xFFF))
		{
			fprintf(stderr, "fuzz_config: unexpected SQLSTATE %s: %s\n", unpack_sql_state(pgstub_last_sqlstate),
					pgstub_last_error);
			abort();
		}
	}
	PG_exception_stack = NULL;
	pgstub_reset();
	free(text);
	return 0;
}
