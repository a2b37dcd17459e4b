/*-------------------------------------------------------------------------
 * config_build.c
 *	  The walk that turns a YAML node tree into an AgConfig of effective
 *	  values through the field tables of config_schema.c: schema defaults
 *	  first, then the YAML values, then derived defaults (rule tz/timezone,
 *	  rule lookback/expire, requires_*, R-010 params.lookback_minutes, the
 *	  motion_category alias), then the cross-field checks of rules.md 6.1.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <stddef.h>

#include "lib/stringinfo.h"

#include "config_int.h"

/* Walk state. */
typedef struct BuildCtx
{
	AgConfig	 *cfg;
	MemoryContext target; /* where cfg's strings and lists live */
	bool		  strict_tz;
	int			  rule; /* index of the rule being walked */
} BuildCtx;

static void walk_table(BuildCtx *ctx, const AgFieldTable *tab,
					   const AgYamlNode *map, void *base, const char *path);
static void unknown_key(const AgFieldTable *tab, const AgYamlNode *map, int i,
						const char *path) pg_attribute_noreturn();

/* params_base: address of rule `rule`'s params struct in cfg. */
static void *
params_base(AgConfig *cfg, int rule)
{
	return (char *) cfg + ag_config_params_offsets[rule];
}

/* find_field: the field of `tab` named `key` (exact), or NULL. */
static const AgField *
find_field(const AgFieldTable *tab, const char *key)
{
	for (int i = 0; i < tab->nfields; i++)
	{
		if (strcmp(tab->fields[i].name, key) == 0)
			return &tab->fields[i];
	}
	return NULL;
}

/*
 * unknown_key: raise "<path>.<key>: unknown key" (rules.md 6.1) for key i
 * of `map`, with the keys allowed at that level in the hint.
 */
static void
unknown_key(const AgFieldTable *tab, const AgYamlNode *map, int i,
			const char *path)
{
	StringInfoData keys;

	initStringInfo(&keys);
	for (int k = 0; k < tab->nfields; k++)
		appendStringInfo(&keys, "%s%s", k > 0 ? ", " : "", tab->fields[k].name);
	ag_config_error(ag_config_path_key(path, map->keys[i]), "unknown key",
					psprintf("The key \"%s\" (line %d) is not defined %s%s.",
							 ag_config_shown(map->keys[i]), map->key_lines[i],
							 path[0] != '\0' ? "in " : "at the top level", path),
					psprintf("Remove the key or correct its spelling; the keys allowed here are %s.",
							 keys.data));
}

/*
 * walk_rules: the `rules` mapping: each key must be R-001 ... R-010 and
 * its value a mapping, walked with the rule entry table.
 */
static void
walk_rules(BuildCtx *ctx, const AgYamlNode *map, const char *path)
{
	for (int i = 0; i < map->n; i++)
	{
		char *rpath = ag_config_path_key(path, map->keys[i]);
		int	  rule = -1;

		for (int r = 0; r < AG_NUM_RULES; r++)
		{
			if (strcmp(map->keys[i], ag_config_rule_ids[r]) == 0)
				rule = r;
		}
		if (rule < 0)
			ag_config_error(rpath, "unknown key",
							psprintf("The key \"%s\" (line %d) is not a rule id.",
									 ag_config_shown(map->keys[i]), map->key_lines[i]),
							"Use the rule ids R-001 to R-011, written exactly like that.");
		ag_config_require_mapping(map->items[i], rpath);
		ctx->rule = rule;
		walk_table(ctx, &ag_config_rule_table, map->items[i], &ctx->cfg->rule[rule], rpath);
	}
}

/* walk_field: type or descend into one field's YAML value. */
static void
walk_field(BuildCtx *ctx, const AgField *f, const AgYamlNode *node,
		   void *base, const char *path)
{
	switch (f->type)
	{
		case AG_FT_MAPPING:
			ag_config_require_mapping(node, path);
			walk_table(ctx, f->sub, node, base, path);
			break;
		case AG_FT_RULES:
			/* "rules:" with nothing below it: D31 (docs/spec/rules.md section 6.9) */
			if (node->kind == AG_YAML_SCALAR && node->text[0] == '\0')
				ag_config_error(path, "required", psprintf("The rules: block (line %d) is empty.", node->line),
								AG_RULES_REQUIRED_HINT);
			ag_config_require_mapping(node, path);
			walk_rules(ctx, node, path);
			break;
		case AG_FT_PARAMS:
			ag_config_require_mapping(node, path);
			walk_table(ctx, ag_config_params_tables[ctx->rule], node,
					   params_base(ctx->cfg, ctx->rule), path);
			break;
		default:
			ag_config_type_value(f, node, base, path, ctx->target, ctx->strict_tz);
			break;
	}
}

/*
 * walk_table: every key of mapping `map` (path `path`, "" = root) must be
 * a field of `tab`; each value is typed into `base`.  Document order, so
 * the first problem in the file is the one reported.
 */
static void
walk_table(BuildCtx *ctx, const AgFieldTable *tab, const AgYamlNode *map,
		   void *base, const char *path)
{
	for (int i = 0; i < map->n; i++)
	{
		const AgField *f = find_field(tab, map->keys[i]);

		if (f == NULL)
			unknown_key(tab, map, i, path);
		walk_field(ctx, f, map->items[i], base, ag_config_path_key(path, map->keys[i]));
	}
}

/* default_list: the NULL-terminated `items` as an AgStrList in `target`. */
static AgStrList
default_list(const char *const *items, MemoryContext target)
{
	AgStrList list = {0, NULL};

	while (items != NULL && items[list.n] != NULL)
		list.n++;
	list.items = MemoryContextAlloc(target, Max(list.n, 1) * sizeof(char *));
	for (int i = 0; i < list.n; i++)
		list.items[i] = MemoryContextStrdup(target, items[i]);
	return list;
}

/*
 * apply_defaults: store every schema default of `tab` (and its nested
 * tables) in `base`.  Derived fields wait for resolve_derived; optional
 * ones get their "not set" marker (-1, or an empty list).
 */
static void
apply_defaults(BuildCtx *ctx, const AgFieldTable *tab, void *base)
{
	for (int i = 0; i < tab->nfields; i++)
	{
		const AgField *f = &tab->fields[i];
		AgYamlNode	   def = {.kind = AG_YAML_SCALAR, .line = 0, .text = (char *) f->def};

		if (f->flags & (AG_FF_DERIVED | AG_FF_ALIAS))
			continue;
		switch (f->type)
		{
			case AG_FT_MAPPING:
				apply_defaults(ctx, f->sub, base);
				break;
			case AG_FT_RULES:
				for (int r = 0; r < AG_NUM_RULES; r++)
				{
					ctx->rule = r;
					apply_defaults(ctx, &ag_config_rule_table, &ctx->cfg->rule[r]);
				}
				break;
			case AG_FT_PARAMS:
				apply_defaults(ctx, ag_config_params_tables[ctx->rule],
							   params_base(ctx->cfg, ctx->rule));
				break;
			case AG_FT_LIST:
			case AG_FT_LIST_EMPTY_OK:
			case AG_FT_STR_OR_LIST:
				*AG_FIELD_PTR(base, f, AgStrList) = default_list(f->words, ctx->target);
				break;
			case AG_FT_INT:
				if (f->flags & AG_FF_OPTIONAL)
				{
					*AG_FIELD_PTR(base, f, int) = -1;
					break;
				}
				/* FALLTHROUGH */
			default:
				ag_config_type_value(f, &def, base, f->name, ctx->target, false);
				break;
		}
	}
}

/*
 * resolve_params: derived params of rule `rule`: the zone param inherits
 * the top-level timezone, motion_category folds into motion_categories
 * when that is absent (rules.md 1.8), and R-010 params.lookback_minutes
 * defaults to stuck_minutes + 60.
 */
static void
resolve_params(BuildCtx *ctx, int rule, const AgYamlNode *params)
{
	const AgFieldTable *tab = ag_config_params_tables[rule];
	void			   *base = params_base(ctx->cfg, rule);
	AgR010Params	   *r010 = &ctx->cfg->r010;

	for (int i = 0; i < tab->nfields; i++)
	{
		const AgField	 *f = &tab->fields[i];
		const AgYamlNode *node = ag_config_yaml_get(params, f->name);

		if (f->type == AG_FT_TZ && node == NULL)
			*AG_FIELD_PTR(base, f, char *) = MemoryContextStrdup(ctx->target, ctx->cfg->timezone);
		if ((f->flags & AG_FF_ALIAS) && node != NULL &&
			ag_config_yaml_get(params, f->def) == NULL)
		{
			AgStrList *list = AG_FIELD_PTR(base, find_field(tab, f->def), AgStrList);

			list->n = 1;
			list->items = MemoryContextAlloc(ctx->target, sizeof(char *));
			list->items[0] = MemoryContextStrdup(ctx->target, node->text);
		}
	}
	if (rule == 9 && ag_config_yaml_get(params, "lookback_minutes") == NULL)
	{
		char *path = "rules.R-010.params.lookback_minutes";

		if (r010->stuck_minutes > INT_MAX - 60)
			ag_config_error(path, "the default stuck_minutes + 60 is out of range",
							psprintf("stuck_minutes is %d, so stuck_minutes + 60 does not fit in a 32-bit integer.",
									 r010->stuck_minutes),
							"Set lookback_minutes explicitly, or lower stuck_minutes.");
		r010->lookback_minutes = r010->stuck_minutes + 60;
	}
}

/*
 * resolve_derived: fill every derived default (rules.md 6.1 "Shown
 * config"): rule lookback/expire from `defaults`, requires_baseline and
 * requires_profile from evaluation_mode, and the params of resolve_params.
 * A derived value given in the YAML is kept.
 */
static void
resolve_derived(BuildCtx *ctx, const AgYamlNode *root)
{
	const AgYamlNode *rules = ag_config_yaml_get(root, "rules");
	AgConfig		 *cfg = ctx->cfg;

	for (int r = 0; r < AG_NUM_RULES; r++)
	{
		const AgYamlNode *entry = ag_config_yaml_get(rules, ag_config_rule_ids[r]);
		AgRuleCommon	 *rc = &cfg->rule[r];

		if (ag_config_yaml_get(entry, "lookback_minutes") == NULL)
			rc->lookback_minutes = cfg->defaults_lookback_minutes;
		if (ag_config_yaml_get(entry, "expire_after_minutes") == NULL)
			rc->expire_after_minutes = cfg->defaults_expire_after_minutes;
		if (ag_config_yaml_get(entry, "requires_baseline") == NULL)
			rc->requires_baseline = rc->evaluation_mode == AG_MODE_BASELINE_DEPENDENT;
		if (ag_config_yaml_get(entry, "requires_profile") == NULL)
			rc->requires_profile = rc->evaluation_mode == AG_MODE_PROFILE_DEPENDENT;
		resolve_params(ctx, r, ag_config_yaml_get(entry, "params"));
	}
}

/*
 * end_value: how a cross-field error names the end field's value: its
 * YAML text, or the formatted default when the field was not written.
 */
static char *
end_value(const AgYamlNode *node, char *formatted)
{
	if (node != NULL && node->kind == AG_YAML_SCALAR)
		return ag_config_shown(node->text);
	return formatted;
}

/*
 * check_window: a window whose start equals its end is empty and rejected
 * at the end field (rules.md 1.6, 6.1, D19).  `owner` is the mapping that
 * holds end_key (NULL if absent), `owner_path` its path; `times` says
 * whether the values are seconds (time strings) or hours.
 */
static void
check_window(const AgYamlNode *owner, const char *owner_path,
			 const char *start_key, const char *end_key, int start, int end,
			 bool times, const char *hint)
{
	const AgYamlNode *node = ag_config_yaml_get(owner, end_key);
	char			 *start_text = times ? psprintf("\"%s\"", ag_config_time_text(start)) : psprintf("%d", start);
	char			 *end_text = times ? ag_config_time_text(end) : psprintf("%d", end);

	if (start != end)
		return;
	ag_config_error(ag_config_path_key(owner_path, end_key),
					psprintf("must differ from %s", start_key),
					psprintf("The value is \"%s\"%s, the same as %s %s, so the window would be empty.",
							 end_value(node, end_text), ag_config_where(node), start_key, start_text),
					hint);
}

/* params_of: the YAML params mapping of rule `rule`, or NULL. */
static const AgYamlNode *
params_of(const AgYamlNode *root, int rule)
{
	const AgYamlNode *entry = ag_config_yaml_get(ag_config_yaml_get(root, "rules"),
												 ag_config_rule_ids[rule]);

	return ag_config_yaml_get(entry, "params");
}

/*
 * check_cross_fields: the cross-field checks of rules.md 6.1, in rule
 * order, each reported at the end field even when it took its default.
 */
static void
check_cross_fields(const AgConfig *cfg, const AgYamlNode *root)
{
	const char		 *hour_hint = "Choose different start and end hours; a night that crosses midnight, such as 22 to 7, is allowed.";
	const AgYamlNode *p;

	/* baseline: personal only where a rule learns from the profile (docs/alarm-quality.md) */
	for (int r = 0; r < AG_NUM_RULES; r++)
	{
		if (cfg->rule[r].baseline == AG_BASELINE_PERSONAL && r != 0 && r != 3 && r != 5 && r != 6 && r != 9 && r != 10)
			ag_config_error(psprintf("rules.%s.baseline", ag_config_rule_ids[r]),
							"personal is not supported by this rule",
							psprintf("%s has no personal thresholds; only R-001, R-004, R-006, R-007, R-010 and R-011 learn from the home's profile.",
									 ag_config_rule_ids[r]),
							"Write baseline: fixed (the default) for this rule.");
	}
	p = params_of(root, 0);
	check_window(ag_config_yaml_get(p, "awake_window"), "rules.R-001.params.awake_window",
				 "start_local_time", "end_local_time",
				 cfg->r001.awake_start_s, cfg->r001.awake_end_s, true,
				 "Choose different start and end times; to judge around the clock, set awake_gate: false instead.");
	p = params_of(root, 1);
	check_window(ag_config_yaml_get(p, "night_window"), "rules.R-002.params.night_window",
				 "start_local_time", "end_local_time",
				 cfg->r002.night_start_s, cfg->r002.night_end_s, true,
				 "Choose different start and end times; a night that crosses midnight, such as 23:00 to 06:00, is allowed.");
	check_window(params_of(root, 3), "rules.R-004.params", "night_start_hour", "night_end_hour",
				 cfg->r004.night_start_hour, cfg->r004.night_end_hour, false, hour_hint);
	p = params_of(root, 5);
	if (cfg->r006.day_start_hour >= cfg->r006.day_end_hour)
	{
		const AgYamlNode *node = ag_config_yaml_get(p, "day_end_hour");

		ag_config_error("rules.R-006.params.day_end_hour", "must be greater than day_start_hour",
						psprintf("The value is \"%s\"%s, not greater than day_start_hour %d; the day window cannot be empty or cross midnight.",
								 end_value(node, psprintf("%d", cfg->r006.day_end_hour)),
								 ag_config_where(node), cfg->r006.day_start_hour),
						"Set day_end_hour above day_start_hour, such as 8 and 20.");
	}
	check_window(params_of(root, 6), "rules.R-007.params", "night_start_hour", "night_end_hour",
				 cfg->r007.night_start_hour, cfg->r007.night_end_hour, false, hour_hint);
	p = params_of(root, 6);
	if (cfg->rule[6].baseline == AG_BASELINE_PERSONAL &&
		cfg->r007.personal_max_threshold < cfg->r007.switch_threshold)
	{
		const AgYamlNode *node = ag_config_yaml_get(p, "personal_max_threshold");

		ag_config_error("rules.R-007.params.personal_max_threshold", "must be at least switch_threshold",
						psprintf("The value is \"%s\"%s, less than switch_threshold %d; a personal threshold never goes below the fixed one.",
								 end_value(node, psprintf("%d", cfg->r007.personal_max_threshold)),
								 ag_config_where(node), cfg->r007.switch_threshold),
						"Set personal_max_threshold to at least switch_threshold.");
	}
	check_window(params_of(root, 7), "rules.R-008.params", "night_start_hour", "night_end_hour",
				 cfg->r008.night_start_hour, cfg->r008.night_end_hour, false, hour_hint);
	check_window(params_of(root, 10), "rules.R-011.params", "night_start_hour", "night_end_hour",
				 cfg->r011.night_start_hour, cfg->r011.night_end_hour, false, hour_hint);
	p = params_of(root, 10);
	if (cfg->rule[10].baseline == AG_BASELINE_PERSONAL &&
		cfg->r011.personal_min_minutes > cfg->r011.max_away_minutes)
	{
		const AgYamlNode *node = ag_config_yaml_get(p, "personal_min_minutes");

		ag_config_error("rules.R-011.params.personal_min_minutes", "must be at most max_away_minutes",
						psprintf("The value is \"%s\"%s, more than max_away_minutes %d; the personal threshold lies between the two.",
								 end_value(node, psprintf("%d", cfg->r011.personal_min_minutes)),
								 ag_config_where(node), cfg->r011.max_away_minutes),
						"Set personal_min_minutes to at most max_away_minutes.");
	}
	p = params_of(root, 9);
	if (cfg->r010.lookback_minutes < cfg->r010.stuck_minutes)
	{
		const AgYamlNode *node = ag_config_yaml_get(p, "lookback_minutes");

		ag_config_error("rules.R-010.params.lookback_minutes", "must be at least stuck_minutes",
						psprintf("The value is \"%s\"%s, less than stuck_minutes %d.",
								 end_value(node, psprintf("%d", cfg->r010.lookback_minutes)),
								 ag_config_where(node), cfg->r010.stuck_minutes),
						"Set lookback_minutes to at least stuck_minutes, or remove it to use stuck_minutes + 60.");
	}
}

/*
 * ag_config_build: the AgConfig of effective values for the YAML tree
 * `root` (NULL = empty document = all defaults), allocated in `target`
 * (cfg->effective and cfg->version are left for the caller).  strict_tz
 * selects the full pg_timezone_names check (config_types.c).  Raises F0000
 * on the first problem in document order, then on derived and cross-field
 * problems in rule order.
 */
AgConfig *
ag_config_build(const AgYamlNode *root, MemoryContext target, bool strict_tz)
{
	BuildCtx ctx;

	ctx.cfg = MemoryContextAllocZero(target, sizeof(AgConfig));
	ctx.target = target;
	ctx.strict_tz = strict_tz;
	ctx.rule = 0;
	apply_defaults(&ctx, &ag_config_top_table, ctx.cfg);
	if (root != NULL)
		walk_table(&ctx, &ag_config_top_table, root, ctx.cfg, "");
	resolve_derived(&ctx, root);
	check_cross_fields(ctx.cfg, root);
	return ctx.cfg;
}
