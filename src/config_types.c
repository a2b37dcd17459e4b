/*-------------------------------------------------------------------------
 * config_types.c
 *	  Type one YAML value from its schema field (rules.md 6.1 typing table)
 *	  and store it in the config struct (errors through config_error.c).
 *	  YAML's own implicit typing never plays a part: every scalar arrives
 *	  as text.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/xact.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "pgtime.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "config_int.h"

/* Names of pg_timezone_names that the IANA type still rejects (6.1). */
static const char *const excluded_zones[] = {"localtime", "posixrules", "Factory", NULL};

/* Zone names listed by pg_timezone_names; built once per backend. */
typedef struct ZoneEntry
{
	char name[TZ_STRLEN_MAX + 1];
} ZoneEntry;

static HTAB *zone_names = NULL;

/*
 * value_is: the opening of a detail: 'The value is "x" (line N)' for a
 * non-empty scalar, 'The value at line N is a mapping' (a list, an empty
 * value) for anything else.
 */
static char *
value_is(const AgYamlNode *node)
{
	if (node->kind == AG_YAML_SCALAR && node->text[0] != '\0')
		return psprintf("The value is \"%s\"%s", ag_config_shown(node->text),
						ag_config_where(node));
	return psprintf("The value at line %d is %s", node->line,
					ag_config_yaml_kind(node));
}

/* got: the "got ..." tail of a problem: "\"ten\"" or "a mapping". */
static char *
got(const AgYamlNode *node)
{
	if (node->kind == AG_YAML_SCALAR)
		return psprintf("\"%s\"", ag_config_shown(node->text));
	return pstrdup(ag_config_yaml_kind(node));
}

/* ag_config_time_text: seconds since midnight as "HH:MM:SS". */
char *
ag_config_time_text(int seconds)
{
	return psprintf("%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
}

/*
 * parse_int32: parse `s` as -?[0-9]+ into *out.  Returns 0 on success, 1
 * when the text does not match, 2 when it is outside the int32 range.
 */
static int
parse_int32(const char *s, int *out)
{
	const char *p = s;
	bool		neg = false;
	int64		v = 0;

	if (*p == '-')
	{
		neg = true;
		p++;
	}
	if (*p == '\0')
		return 1;
	for (; *p != '\0'; p++)
	{
		if (*p < '0' || *p > '9')
			return 1;
		if (v <= (int64) INT_MAX + 1)
			v = v * 10 + (*p - '0');
	}
	if (neg)
		v = -v;
	if (v < INT_MIN || v > INT_MAX)
		return 2;
	*out = (int) v;
	return 0;
}

/*
 * int_range: how the problem and hint name a field's bounds: "a positive
 * integer" / "at least 1" and so on.
 */
static void
int_range(const AgField *f, const char **expected, char **hint)
{
	if (f->max == INT_MAX && f->min == 1)
		*expected = "a positive integer";
	else if (f->max == INT_MAX && f->min == 0)
		*expected = "a non-negative integer";
	else if (f->max == INT_MAX)
		*expected = psprintf("an integer of at least %d", f->min);
	else
		*expected = psprintf("an integer from %d to %d", f->min, f->max);
	if (f->max == INT_MAX)
		*hint = psprintf("Write a whole number of at least %d, without decimals.", f->min);
	else
		*hint = psprintf("Write a whole number from %d to %d.", f->min, f->max);
}

/*
 * type_int: an int field (-?[0-9]+ within int32 and [min, max]).  Raises
 * F0000 with the reason in the detail.
 */
static int
type_int(const AgField *f, const AgYamlNode *node, const char *path)
{
	const char *expected;
	char	   *hint;
	const char *why;
	int			v = 0;
	int			rc;

	int_range(f, &expected, &hint);
	if (node->kind != AG_YAML_SCALAR)
		why = "";
	else if ((rc = parse_int32(node->text, &v)) == 1)
		why = ", which is not a whole number";
	else if (rc == 2)
		why = ", which is outside the 32-bit integer range";
	else if (v < f->min)
		why = psprintf(", which is below the minimum %d", f->min);
	else if (v > f->max)
		why = psprintf(", which is above the maximum %d", f->max);
	else
		return v;
	ag_config_error(path, psprintf("expected %s, got %s", expected, got(node)),
					psprintf("%s%s.", value_is(node), why), hint);
	return 0; /* not reached */
}

/*
 * type_interval: scheduler.interval_minutes: a divisor of 60 or a multiple
 * of 60 that divides 1440 (rules.md 6.2; message as in style.md 2.5).
 */
static int
type_interval(const AgYamlNode *node, const char *path)
{
	int v;

	if (node->kind == AG_YAML_SCALAR && parse_int32(node->text, &v) == 0 &&
		v >= 1 && ((v <= 60 && 60 % v == 0) || (v % 60 == 0 && 1440 % v == 0)))
		return v;
	ag_config_error(path, "expected a divisor of 60 or a multiple of 60 that divides 1440",
					node->kind == AG_YAML_SCALAR
						? psprintf("The value is \"%s\" (line %d).", ag_config_shown(node->text), node->line)
						: psprintf("%s.", value_is(node)),
					"Use one of 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720 or 1440, then load config/rules.yaml again; the previous configuration stays active.");
	return 0; /* not reached */
}

/* type_bool: exactly true/True/TRUE/false/False/FALSE (rules.md 6.1). */
static bool
type_bool(const AgYamlNode *node, const char *path)
{
	if (node->kind == AG_YAML_SCALAR)
	{
		const char *s = node->text;

		if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
			return true;
		if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
			return false;
	}
	ag_config_error(path, psprintf("expected true or false, got %s", got(node)),
					psprintf("%s; only true, True, TRUE, false, False and FALSE are booleans.", value_is(node)),
					"Write true or false.");
	return false; /* not reached */
}

/* two_digits: value of the two ASCII digits at s, or -1. */
static int
two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/*
 * type_time: "HH:MM" or "HH:MM:SS", two digits per field, HH 00-23, MM and
 * SS 00-59 (rules.md 6.1).  Returns seconds since midnight.
 */
static int
type_time(const AgYamlNode *node, const char *path)
{
	const char *why = "";

	if (node->kind == AG_YAML_SCALAR)
	{
		const char *s = node->text;
		size_t		len = strlen(s);
		int			h = two_digits(s);
		int			m = len >= 5 ? two_digits(s + 3) : -1;
		int			sec = len == 8 ? two_digits(s + 6) : 0;

		if ((len != 5 && len != 8) || s[2] != ':' || (len == 8 && s[5] != ':') ||
			h < 0 || m < 0 || sec < 0)
			why = ", which is not HH:MM or HH:MM:SS with exactly two digits per field";
		else if (h > 23 || m > 59 || sec > 59)
			why = ", which is not a time of day (hours 00-23, minutes and seconds 00-59)";
		else
			return h * 3600 + m * 60 + sec;
	}
	ag_config_error(path, psprintf("expected a time HH:MM or HH:MM:SS, got %s", got(node)),
					psprintf("%s%s.", value_is(node), why),
					"Write the time with two digits per field, such as \"06:00\" or \"06:00:00\".");
	return 0; /* not reached */
}

/*
 * load_zone_names: fill zone_names with the names pg_timezone_names lists,
 * enumerated exactly as that function does (PG 15 datetime.c): every zone
 * the tz enumerator yields whose conversion of the transaction start time
 * succeeds and whose abbreviation is at most 31 bytes.  Costs one scan of
 * the tz database (about 50 ms), once per backend.
 */
static void
load_zone_names(void)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "agingos zone names",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	HASHCTL		  ctl;
	HTAB		 *names;
	pg_tzenum	 *tzenum;
	pg_tz		 *tz;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = TZ_STRLEN_MAX + 1;
	ctl.entrysize = sizeof(ZoneEntry);
	ctl.hcxt = cxt;
	names = hash_create("agingos zone names", 1024, &ctl,
						HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	tzenum = pg_tzenumerate_start();
	while ((tz = pg_tzenumerate_next(tzenum)) != NULL)
	{
		int			 tzoff;
		struct pg_tm tm;
		fsec_t		 fsec;
		const char	*tzn;
		const char	*name = pg_get_timezone_name(tz);

		if (timestamp2tm(GetCurrentTransactionStartTimestamp(), &tzoff, &tm,
						 &fsec, &tzn, tz) != 0)
			continue;
		if (tzn && strlen(tzn) > 31)
			continue;
		if (strlen(name) <= TZ_STRLEN_MAX)
			(void) hash_search(names, name, HASH_ENTER, NULL);
	}
	pg_tzenumerate_end(tzenum);
	MemoryContextSwitchTo(old);
	/* keep it for the backend's life only once complete */
	MemoryContextSetParent(cxt, TopMemoryContext);
	zone_names = names;
}

/*
 * zone_ok: true if `name` is an accepted IANA name.  strict: listed by
 * pg_timezone_names (exact, case-sensitive) and not under posix/ or right/,
 * nor localtime, posixrules or Factory (rules.md 6.1).  Not strict (for a
 * stored config that passed the strict check when it was loaded): the
 * name loads with pg_tzset, without the once-per-backend scan.
 */
static bool
zone_ok(const char *name, bool strict)
{
	if (!strict)
		return pg_tzset(name) != NULL;
	if (strncmp(name, "posix/", 6) == 0 || strncmp(name, "right/", 6) == 0)
		return false;
	for (int i = 0; excluded_zones[i] != NULL; i++)
	{
		if (strcmp(name, excluded_zones[i]) == 0)
			return false;
	}
	if (strlen(name) > TZ_STRLEN_MAX)
		return false;
	if (zone_names == NULL)
		load_zone_names();
	return hash_search(zone_names, name, HASH_FIND, NULL) != NULL;
}

/* type_tz: an IANA zone name (rules.md 6.1), copied into `target`. */
static char *
type_tz(const AgYamlNode *node, const char *path, MemoryContext target,
		bool strict)
{
	if (node->kind == AG_YAML_SCALAR && zone_ok(node->text, strict))
		return MemoryContextStrdup(target, node->text);
	ag_config_error(path, psprintf("expected an IANA time zone name, got %s", got(node)),
					psprintf("%s, which is not a zone name listed in pg_timezone_names; POSIX strings, numeric offsets, names under posix/ or right/, localtime, posixrules and Factory are not accepted.", value_is(node)),
					"Use a region name from pg_timezone_names, such as \"Europe/Oslo\".");
	return NULL; /* not reached */
}

/* type_enum: one of f->words exactly; returns its index. */
static int
type_enum(const AgField *f, const AgYamlNode *node, const char *path)
{
	StringInfoData words;

	for (int i = 0; node->kind == AG_YAML_SCALAR && f->words[i] != NULL; i++)
	{
		if (strcmp(node->text, f->words[i]) == 0)
			return i;
	}
	initStringInfo(&words);
	for (int i = 0; f->words[i] != NULL; i++)
	{
		if (i > 0)
			appendStringInfoString(&words, f->words[i + 1] != NULL ? ", " : " or ");
		appendStringInfoString(&words, f->words[i]);
	}
	ag_config_error(path, psprintf("expected %s, got %s", words.data, got(node)),
					psprintf("%s, which is not one of the allowed words.", value_is(node)),
					psprintf("Write exactly one of: %s.", words.data));
	return 0; /* not reached */
}

/*
 * type_string: a string scalar copied into `target`; "" only when
 * may_be_empty.  A list or mapping raises "expected string" (rules.md 6.1).
 */
static char *
type_string(const AgYamlNode *node, const char *path, bool may_be_empty,
			MemoryContext target)
{
	if (node->kind != AG_YAML_SCALAR)
		ag_config_error(path, "expected string", psprintf("%s.", value_is(node)),
						"Write a single string value here.");
	if (node->text[0] == '\0' && !may_be_empty)
		ag_config_error(path, "expected a non-empty string",
						psprintf("The value at line %d is empty.", node->line),
						path[strlen(path) - 1] == ']'
							? "Write a non-empty string, or remove the empty element."
							: "Write a non-empty string, or remove the key to use the default.");
	return MemoryContextStrdup(target, node->text);
}

/*
 * type_list: a list of non-empty strings into *out (items in `target`).
 * scalar_ok widens a single string to a one-element list (trigger_value,
 * door_open_value, D21); may_be_empty allows [].
 */
static void
type_list(const AgYamlNode *node, const char *path, bool may_be_empty,
		  bool scalar_ok, MemoryContext target, AgStrList *out)
{
	if (scalar_ok && node->kind == AG_YAML_SCALAR)
	{
		out->n = 1;
		out->items = MemoryContextAlloc(target, sizeof(char *));
		out->items[0] = type_string(node, path, false, target);
		return;
	}
	if (node->kind != AG_YAML_SEQUENCE)
		ag_config_error(path, scalar_ok ? "expected a string or a list of strings" : "expected a list of strings",
						psprintf("%s, not a list.", value_is(node)),
						"Write the strings in brackets, such as [a, b], or one per line after \"- \".");
	if (node->n == 0 && !may_be_empty)
		ag_config_error(path, "expected a non-empty list",
						psprintf("The list at line %d has no elements.", node->line),
						"Give at least one element, or remove the key to use the default.");
	out->n = node->n;
	out->items = MemoryContextAlloc(target, Max(node->n, 1) * sizeof(char *));
	for (int i = 0; i < node->n; i++)
		out->items[i] = type_string(node->items[i], ag_config_path_index(path, i),
									false, target);
}

/*
 * ag_config_require_mapping: raise "expected a mapping" unless node is a
 * mapping; a scalar, including an empty value, is an error (rules.md 6.1).
 */
void
ag_config_require_mapping(const AgYamlNode *node, const char *path)
{
	if (node->kind == AG_YAML_MAPPING)
		return;
	ag_config_error(path, "expected a mapping", psprintf("%s, not a mapping.", value_is(node)),
					"Write the keys of this section indented below it, write {} for an empty section, or remove the key to use the defaults.");
}

/*
 * ag_config_type_value: type `node` as field `f` and store the value at
 * f->offset in `base`; strings and lists are allocated in `target`.
 * Containers (MAPPING, RULES, PARAMS) are walked by config_schema.c, and
 * an alias is only checked (it is folded there).  Raises F0000 at `path`.
 */
void
ag_config_type_value(const AgField *f, const AgYamlNode *node, void *base,
					 const char *path, MemoryContext target, bool strict_tz)
{
	switch (f->type)
	{
		case AG_FT_STRING:
		case AG_FT_STRING_EMPTY_OK:
		{
			char *s = type_string(node, path, f->type == AG_FT_STRING_EMPTY_OK, target);

			if (!(f->flags & AG_FF_ALIAS))
				*AG_FIELD_PTR(base, f, char *) = s;
			break;
		}
		case AG_FT_INT:
			*AG_FIELD_PTR(base, f, int) = type_int(f, node, path);
			break;
		case AG_FT_INTERVAL:
			*AG_FIELD_PTR(base, f, int) = type_interval(node, path);
			break;
		case AG_FT_BOOL:
			*AG_FIELD_PTR(base, f, bool) = type_bool(node, path);
			break;
		case AG_FT_TIME:
			*AG_FIELD_PTR(base, f, int) = type_time(node, path);
			break;
		case AG_FT_TZ:
			*AG_FIELD_PTR(base, f, char *) = type_tz(node, path, target, strict_tz);
			break;
		case AG_FT_ENUM:
			*AG_FIELD_PTR(base, f, int) = type_enum(f, node, path);
			break;
		case AG_FT_LIST:
		case AG_FT_LIST_EMPTY_OK:
		case AG_FT_STR_OR_LIST:
			type_list(node, path, f->type == AG_FT_LIST_EMPTY_OK,
					  f->type == AG_FT_STR_OR_LIST, target,
					  AG_FIELD_PTR(base, f, AgStrList));
			break;
		case AG_FT_MAPPING:
		case AG_FT_RULES:
		case AG_FT_PARAMS:
			elog(ERROR, "container field \"%s\" typed as a value", f->name);
	}
}
