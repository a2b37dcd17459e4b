/*-------------------------------------------------------------------------
 * config_json.c
 *	  The effective configuration as jsonb (rules.md 6.1 "Shown config",
 *	  contract.md section 4 agingos_config): the YAML's structure with every
 *	  section, every rule R-001 ... R-010 and every param present with its
 *	  effective value.  Built with the Jsonb API (pushJsonbValue) from the
 *	  same field tables that drive the loader, so both always agree.
 *	  The alias motion_category is never shown; the liveness_* overrides
 *	  of only when set (D9).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "config_int.h"

/* push_string: a string as an object key, value or array element. */
static void
push_string(JsonbParseState **st, JsonbIteratorToken tok, const char *s)
{
	JsonbValue v;

	v.type = jbvString;
	v.val.string.len = (int) strlen(s);
	v.val.string.val = (char *) s;
	(void) pushJsonbValue(st, tok, &v);
}

/* push_int: an integer as a JSON number value. */
static void
push_int(JsonbParseState **st, int n)
{
	JsonbValue v;

	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(n);
	(void) pushJsonbValue(st, WJB_VALUE, &v);
}

/* push_bool: a JSON boolean value. */
static void
push_bool(JsonbParseState **st, bool b)
{
	JsonbValue v;

	v.type = jbvBool;
	v.val.boolean = b;
	(void) pushJsonbValue(st, WJB_VALUE, &v);
}

/* push_list: a list of strings as a JSON array value. */
static void
push_list(JsonbParseState **st, const AgStrList *list)
{
	(void) pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < list->n; i++)
		push_string(st, WJB_ELEM, list->items[i]);
	(void) pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/* is_unset: true for an optional field that was not set (-1 / no items). */
static bool
is_unset(const AgField *f, const void *base)
{
	if (!(f->flags & AG_FF_OPTIONAL))
		return false;
	if (f->type == AG_FT_INT)
		return *AG_FIELD_PTR(base, f, const int) < 0;
	return AG_FIELD_PTR(base, f, const AgStrList)->n == 0;
}

static JsonbValue *push_table(JsonbParseState **st, const AgConfig *cfg,
							  const AgFieldTable *tab, const void *base, int rule);

/* push_rules: the rules object: every rule id with its whole entry. */
static void
push_rules(JsonbParseState **st, const AgConfig *cfg)
{
	(void) pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	for (int r = 0; r < AG_NUM_RULES; r++)
	{
		push_string(st, WJB_KEY, ag_config_rule_ids[r]);
		(void) push_table(st, cfg, &ag_config_rule_table, &cfg->rule[r], r);
	}
	(void) pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/* push_field: the value of field `f` stored in `base`. */
static void
push_field(JsonbParseState **st, const AgConfig *cfg, const AgField *f,
		   const void *base, int rule)
{
	switch (f->type)
	{
		case AG_FT_STRING:
		case AG_FT_STRING_EMPTY_OK:
		case AG_FT_TZ:
			push_string(st, WJB_VALUE, *AG_FIELD_PTR(base, f, char *const));
			break;
		case AG_FT_INT:
		case AG_FT_INTERVAL:
			push_int(st, *AG_FIELD_PTR(base, f, const int));
			break;
		case AG_FT_BOOL:
			push_bool(st, *AG_FIELD_PTR(base, f, const bool));
			break;
		case AG_FT_TIME:
			push_string(st, WJB_VALUE, ag_config_time_text(*AG_FIELD_PTR(base, f, const int)));
			break;
		case AG_FT_ENUM:
			push_string(st, WJB_VALUE, f->words[*AG_FIELD_PTR(base, f, const int)]);
			break;
		case AG_FT_LIST:
		case AG_FT_LIST_EMPTY_OK:
		case AG_FT_STR_OR_LIST:
			push_list(st, AG_FIELD_PTR(base, f, const AgStrList));
			break;
		case AG_FT_MAPPING:
			(void) push_table(st, cfg, f->sub, base, rule);
			break;
		case AG_FT_RULES:
			push_rules(st, cfg);
			break;
		case AG_FT_PARAMS:
			(void) push_table(st, cfg, ag_config_params_tables[rule],
							  (const char *) cfg + ag_config_params_offsets[rule], rule);
			break;
	}
}

/*
 * push_table: one JSON object with the shown fields of `tab` read from
 * `base`; `rule` is the rule index inside rules.<id> (-1 elsewhere).
 * Returns what pushJsonbValue returns for the closing brace (the whole
 * value when this is the outermost object).
 */
static JsonbValue *
push_table(JsonbParseState **st, const AgConfig *cfg, const AgFieldTable *tab,
		   const void *base, int rule)
{
	(void) pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < tab->nfields; i++)
	{
		const AgField *f = &tab->fields[i];

		if ((f->flags & AG_FF_ALIAS) || is_unset(f, base))
			continue;
		push_string(st, WJB_KEY, f->name);
		push_field(st, cfg, f, base, rule);
	}
	return pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/*
 * ag_config_to_jsonb: the effective jsonb of `cfg`, allocated in
 * CurrentMemoryContext.  Key order is jsonb's own (compare as jsonb).
 */
Jsonb *
ag_config_to_jsonb(const AgConfig *cfg)
{
	JsonbParseState *st = NULL;
	JsonbValue		*res = push_table(&st, cfg, &ag_config_top_table, cfg, -1);

	return JsonbValueToJsonb(res);
}
