/*-------------------------------------------------------------------------
 * config_schema.c
 *	  The schema of config/rules.yaml as field tables (rules.md 6.2-6.4 and
 *	  the param tables of section 3), and the walk that turns a YAML node
 *	  tree into an AgConfig of effective values: schema defaults first, then
 *	  the YAML values, then derived defaults (rule tz/timezone, rule
 *	  lookback/expire, requires_*, R-010 params.lookback_minutes, the
 *	  motion_category alias), then the cross-field checks of rules.md 6.1.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <stddef.h>

#include "lib/stringinfo.h"

#include "config_int.h"

/* Table helpers: one line per field; defaults are written as YAML text. */
/* clang-format off */
#define AGF_STR(st, key, m, d) {.name = key, .type = AG_FT_STRING, .offset = offsetof(st, m), .def = d}
#define AGF_STR_E(st, key, m, d) {.name = key, .type = AG_FT_STRING_EMPTY_OK, .offset = offsetof(st, m), .def = d}
#define AGF_INT(st, key, m, lo, hi, d) {.name = key, .type = AG_FT_INT, .offset = offsetof(st, m), .min = lo, .max = hi, .def = d}
#define AGF_INT_DERIVED(st, key, m, lo) {.name = key, .type = AG_FT_INT, .flags = AG_FF_DERIVED, .offset = offsetof(st, m), .min = lo, .max = INT_MAX}
#define AGF_INT_OPT(st, key, m, lo) {.name = key, .type = AG_FT_INT, .flags = AG_FF_OPTIONAL, .offset = offsetof(st, m), .min = lo, .max = INT_MAX}
#define AGF_BOOL(st, key, m, d) {.name = key, .type = AG_FT_BOOL, .offset = offsetof(st, m), .def = d}
#define AGF_BOOL_DERIVED(st, key, m) {.name = key, .type = AG_FT_BOOL, .flags = AG_FF_DERIVED, .offset = offsetof(st, m)}
#define AGF_TIME(st, key, m, d) {.name = key, .type = AG_FT_TIME, .offset = offsetof(st, m), .def = d}
#define AGF_TZ_RULE(st, key, m) {.name = key, .type = AG_FT_TZ, .flags = AG_FF_DERIVED, .offset = offsetof(st, m)}
#define AGF_ENUM(st, key, m, w, d) {.name = key, .type = AG_FT_ENUM, .offset = offsetof(st, m), .def = d, .words = w}
#define AGF_LIST(st, key, m, d) {.name = key, .type = AG_FT_LIST, .offset = offsetof(st, m), .words = d}
#define AGF_LIST_E(st, key, m, d) {.name = key, .type = AG_FT_LIST_EMPTY_OK, .offset = offsetof(st, m), .words = d}
#define AGF_LIST_OPT(st, key, m) {.name = key, .type = AG_FT_LIST, .flags = AG_FF_OPTIONAL, .offset = offsetof(st, m)}
#define AGF_STR_OR_LIST(st, key, m, d) {.name = key, .type = AG_FT_STR_OR_LIST, .offset = offsetof(st, m), .words = d}
#define AGF_ALIAS(key, target) {.name = key, .type = AG_FT_STRING, .flags = AG_FF_ALIAS, .def = target}
#define AGF_MAP(key, t) {.name = key, .type = AG_FT_MAPPING, .sub = &t}
#define AGF_HOUR(st, key, m, d) AGF_INT(st, key, m, 0, 23, d)
#define AG_TABLE(fields) {lengthof(fields), fields}
/* clang-format on */

/* Enum words and list defaults (NULL-terminated). */
static const char *const locales[] = {"nb", "en", NULL};
static const char *const eval_modes[] = {"independent", "baseline_dependent", "profile_dependent", NULL};
static const char *const profile_modes[] = {"home_specific", "default_window", NULL};
static const char *const baselines[] = {"fixed", "personal", NULL};
static const char *const def_motion[] = {"motion", NULL};
static const char *const def_state_keys[] = {"state", "value", NULL};
static const char *const def_open_on[] = {"open", "on", NULL};
static const char *const def_none[] = {NULL};
static const char *const def_door_name_keys[] = {"door", "name", NULL};
static const char *const def_presence_motion[] = {"presence", "motion", NULL};
static const char *const def_liveness[] = {"presence", "motion", "door", "heartbeat", NULL};
static const char *const def_medium_rooms[] = {"baderom", "inngang", NULL};
static const char *const def_low_rooms[] = {"stue", "soverom", NULL};

const char *const ag_config_rule_ids[AG_NUM_RULES] = {
	"R-001", "R-002", "R-003", "R-004", "R-005",
	"R-006", "R-007", "R-008", "R-009", "R-010", "R-011"};

/* Top level, rules.md 6.2; base AgConfig. */
static const AgField ingest_fields[] = {
	AGF_INT(AgConfig, "max_future_minutes", ingest_max_future_minutes, 0, INT_MAX, "5"),
};
static const AgFieldTable ingest_table = AG_TABLE(ingest_fields);

static const AgField retention_fields[] = {
	AGF_INT(AgConfig, "events_days", retention_events_days, 1, INT_MAX, "30"),
	AGF_INT(AgConfig, "deviations_days", retention_deviations_days, 1, INT_MAX, "180"),
	AGF_INT(AgConfig, "bookkeeping_days", retention_bookkeeping_days, 1, INT_MAX, "7"),
	AGF_INT(AgConfig, "audit_days", retention_audit_days, 1, INT_MAX, "730"),
};
static const AgFieldTable retention_table = AG_TABLE(retention_fields);

static const AgField scheduler_fields[] = {
	{.name = "interval_minutes", .type = AG_FT_INTERVAL, .offset = offsetof(AgConfig, scheduler_interval_minutes), .def = "1"},
	AGF_STR(AgConfig, "default_subject_key", scheduler_default_subject_key, "default"),
};
static const AgFieldTable scheduler_table = AG_TABLE(scheduler_fields);

static const AgField defaults_fields[] = {
	AGF_INT(AgConfig, "lookback_minutes", defaults_lookback_minutes, 1, INT_MAX, "60"),
	AGF_INT(AgConfig, "expire_after_minutes", defaults_expire_after_minutes, 1, INT_MAX, "60"),
};
static const AgFieldTable defaults_table = AG_TABLE(defaults_fields);

/* notify: carer notifications (contract section 10, docs/notifications.md). */
static const AgField notify_fields[] = {
	AGF_INT(AgConfig, "escalate_after_minutes", notify_escalate_after_minutes, 1, 10080, "15"),
	AGF_INT(AgConfig, "reminder_minutes", notify_reminder_minutes, 1, 10080, "60"),
	AGF_INT(AgConfig, "max_attempts", notify_max_attempts, 1, 1000, "12"),
	AGF_INT(AgConfig, "ack_link_hours", notify_ack_link_hours, 1, 8760, "72"),
};
static const AgFieldTable notify_table = AG_TABLE(notify_fields);

/* home_state (docs/alarm-quality.md "Away from home"). */
static const AgField home_state_fields[] = {
	AGF_INT(AgConfig, "departure_minutes", home_state.departure_minutes, 1, 1440, "10"),
	AGF_INT(AgConfig, "settle_seconds", home_state.settle_seconds, 0, 3600, "60"),
	AGF_INT(AgConfig, "state_lookback_minutes", home_state.state_lookback_minutes, 1, 10080, "720"),
	AGF_LIST(AgConfig, "activity_categories", home_state.activity_categories, def_presence_motion),
};
static const AgFieldTable home_state_table = AG_TABLE(home_state_fields);

static const AgField top_fields[] = {
	{.name = "timezone", .type = AG_FT_TZ, .offset = offsetof(AgConfig, timezone), .def = "Europe/Oslo"},
	AGF_ENUM(AgConfig, "locale", locale, locales, "nb"),
	AGF_MAP("ingest", ingest_table),
	AGF_MAP("retention", retention_table),
	AGF_MAP("scheduler", scheduler_table),
	AGF_MAP("defaults", defaults_table),
	AGF_MAP("notify", notify_table),
	AGF_MAP("home_state", home_state_table),
	{.name = "rules", .type = AG_FT_RULES},
};
const AgFieldTable ag_config_top_table = AG_TABLE(top_fields);

/* Rule entry rules.<id>, rules.md 6.3; base AgRuleCommon. */
static const AgField rule_fields[] = {
	AGF_BOOL(AgRuleCommon, "enabled_in_scheduler", enabled_in_scheduler, "false"),
	AGF_INT_DERIVED(AgRuleCommon, "lookback_minutes", lookback_minutes, 1),
	AGF_INT_DERIVED(AgRuleCommon, "expire_after_minutes", expire_after_minutes, 1),
	AGF_ENUM(AgRuleCommon, "evaluation_mode", evaluation_mode, eval_modes, "independent"),
	AGF_BOOL_DERIVED(AgRuleCommon, "requires_baseline", requires_baseline),
	AGF_BOOL_DERIVED(AgRuleCommon, "requires_profile", requires_profile),
	AGF_INT(AgRuleCommon, "min_days_with_data", min_days_with_data, 0, INT_MAX, "0"),
	AGF_ENUM(AgRuleCommon, "profile_mode", profile_mode, profile_modes, "home_specific"),
	AGF_BOOL(AgRuleCommon, "uses_default_profile_when_missing", uses_default_profile_when_missing, "false"),
	AGF_BOOL(AgRuleCommon, "requires_sensors", requires_sensors, "false"),
	AGF_ENUM(AgRuleCommon, "baseline", baseline, baselines, "fixed"),
	{.name = "params", .type = AG_FT_PARAMS},
};
const AgFieldTable ag_config_rule_table = AG_TABLE(rule_fields);

/* Params per rule, rules.md 6.4 with the defaults and bounds of section 3. */
static const AgField r001_awake_fields[] = {
	AGF_TIME(AgR001Params, "start_local_time", awake_start_s, "07:00:00"),
	AGF_TIME(AgR001Params, "end_local_time", awake_end_s, "23:00:00"),
};
static const AgFieldTable r001_awake_table = AG_TABLE(r001_awake_fields);
static const AgField	  r001_fields[] = {
		 AGF_LIST(AgR001Params, "motion_categories", motion_categories, def_motion),
		 AGF_ALIAS("motion_category", "motion_categories"),
		 AGF_LIST(AgR001Params, "payload_state_keys", payload_state_keys, def_state_keys),
		 AGF_STR(AgR001Params, "motion_on_value", motion_on_value, "on"),
		 AGF_BOOL(AgR001Params, "liveness_gate", liveness_gate, "true"),
		 AGF_BOOL(AgR001Params, "awake_gate", awake_gate, "true"),
		 AGF_MAP("awake_window", r001_awake_table),
		 AGF_TZ_RULE(AgR001Params, "timezone", timezone),
		 AGF_BOOL(AgR001Params, "awake_whole_window", awake_whole_window, "false"),
		 AGF_BOOL(AgR001Params, "held_presence_counts", held_presence_counts, "false"),
		 AGF_BOOL(AgR001Params, "away_gate", away_gate, "false"),
		 AGF_BOOL(AgR001Params, "gap_gate", gap_gate, "false"),
		 AGF_INT(AgR001Params, "stillness_margin_minutes", stillness_margin_minutes, 0, 1440, "30"),
		 AGF_INT(AgR001Params, "max_stillness_minutes", max_stillness_minutes, 1, 1440, "210"),
};

static const AgField r002_night_fields[] = {
	AGF_TIME(AgR002Params, "start_local_time", night_start_s, "23:00:00"),
	AGF_TIME(AgR002Params, "end_local_time", night_end_s, "06:00:00"),
};
static const AgFieldTable r002_night_table = AG_TABLE(r002_night_fields);
static const AgField	  r002_fields[] = {
		 AGF_STR(AgR002Params, "category", category, "door"),
		 AGF_LIST(AgR002Params, "payload_state_keys", payload_state_keys, def_state_keys),
		 AGF_STR_OR_LIST(AgR002Params, "trigger_value", trigger_value, def_open_on),
		 AGF_LIST_E(AgR002Params, "allowed_entity_ids", allowed_entity_ids, def_none),
		 AGF_TZ_RULE(AgR002Params, "timezone", timezone),
		 AGF_MAP("night_window", r002_night_table),
};

static const AgField r003_fields[] = {
	AGF_STR(AgR003Params, "door_category", door_category, "door"),
	AGF_LIST(AgR003Params, "motion_categories", motion_categories, def_motion),
	AGF_ALIAS("motion_category", "motion_categories"),
	AGF_LIST(AgR003Params, "payload_state_keys", payload_state_keys, def_state_keys),
	AGF_LIST(AgR003Params, "door_name_keys", door_name_keys, def_door_name_keys),
	AGF_STR(AgR003Params, "required_door_name", required_door_name, "front"),
	AGF_STR_OR_LIST(AgR003Params, "door_open_value", door_open_value, def_open_on),
	AGF_STR(AgR003Params, "motion_on_value", motion_on_value, "on"),
	AGF_INT(AgR003Params, "followup_minutes", followup_minutes, 1, INT_MAX, "10"),
	AGF_BOOL(AgR003Params, "away_aware", away_aware, "false"),
};

static const AgField r004_fields[] = {
	AGF_STR(AgR004Params, "bathroom_room_id", bathroom_room_id, "baderom"),
	AGF_INT(AgR004Params, "day_threshold_min", day_threshold_min, 1, INT_MAX, "45"),
	AGF_INT(AgR004Params, "night_threshold_min", night_threshold_min, 1, INT_MAX, "25"),
	AGF_INT(AgR004Params, "sensor_stuck_min", sensor_stuck_min, 1, INT_MAX, "240"),
	AGF_INT(AgR004Params, "silence_after_min", silence_after_min, 1, INT_MAX, "30"),
	AGF_HOUR(AgR004Params, "night_start_hour", night_start_hour, "22"),
	AGF_HOUR(AgR004Params, "night_end_hour", night_end_hour, "7"),
	AGF_TZ_RULE(AgR004Params, "tz", tz),
	AGF_LIST(AgR004Params, "payload_state_keys", payload_state_keys, def_state_keys),
	AGF_LIST(AgR004Params, "activity_categories", activity_categories, def_presence_motion),
	AGF_INT(AgR004Params, "personal_margin_min", personal_margin_min, 0, 1440, "15"),
	AGF_INT(AgR004Params, "personal_max_min", personal_max_min, 1, 1440, "90"),
};

static const AgField r005_fields[] = {
	AGF_STR(AgR005Params, "bathroom_room_id", bathroom_room_id, "baderom"),
	AGF_INT(AgR005Params, "lookback_hours", lookback_hours, 1, INT_MAX, "24"),
	AGF_INT_OPT(AgR005Params, "liveness_max_age_minutes", liveness_max_age_minutes, 0),
	AGF_LIST_OPT(AgR005Params, "liveness_categories", liveness_categories),
	AGF_BOOL(AgR005Params, "away_gate", away_gate, "false"),
	AGF_BOOL(AgR005Params, "gap_gate", gap_gate, "false"),
};

static const AgField r006_fields[] = {
	AGF_TZ_RULE(AgR006Params, "tz", tz),
	AGF_HOUR(AgR006Params, "day_start_hour", day_start_hour, "8"),
	AGF_HOUR(AgR006Params, "day_end_hour", day_end_hour, "20"),
	AGF_STR(AgR006Params, "living_room_id", living_room_id, "stue"),
	AGF_STR(AgR006Params, "front_door_room_id", front_door_room_id, "inngang"),
	AGF_BOOL(AgR006Params, "liveness_gate", liveness_gate, "true"),
	AGF_INT(AgR006Params, "grace_minutes", grace_minutes, 0, INT_MAX, "120"),
	AGF_BOOL(AgR006Params, "away_gate", away_gate, "false"),
	AGF_BOOL(AgR006Params, "gap_gate", gap_gate, "false"),
	AGF_BOOL(AgR006Params, "held_presence_counts", held_presence_counts, "false"),
	AGF_INT(AgR006Params, "personal_margin_minutes", personal_margin_minutes, 0, 1440, "60"),
	AGF_INT(AgR006Params, "personal_max_delay_minutes", personal_max_delay_minutes, 0, 1440, "180"),
};

static const AgField r007_fields[] = {
	AGF_TZ_RULE(AgR007Params, "tz", tz),
	AGF_HOUR(AgR007Params, "night_start_hour", night_start_hour, "22"),
	AGF_HOUR(AgR007Params, "night_end_hour", night_end_hour, "7"),
	AGF_INT(AgR007Params, "switch_gap_max_min", switch_gap_max_min, 0, INT_MAX, "10"),
	AGF_INT(AgR007Params, "switch_threshold", switch_threshold, 1, INT_MAX, "6"),
	AGF_STR(AgR007Params, "front_door_room_id", front_door_room_id, "inngang"),
	AGF_LIST(AgR007Params, "activity_categories", activity_categories, def_presence_motion),
	AGF_INT(AgR007Params, "switch_span_minutes", switch_span_minutes, 0, 1440, "0"),
	AGF_INT(AgR007Params, "personal_margin", personal_margin, 0, 1000, "2"),
	AGF_INT(AgR007Params, "personal_max_threshold", personal_max_threshold, 1, 100000, "12"),
};

static const AgField r008_fields[] = {
	AGF_STR(AgR008Params, "front_door_room_id", front_door_room_id, "inngang"),
	AGF_INT(AgR008Params, "lookback_minutes", lookback_minutes, 1, INT_MAX, "30"),
	AGF_INT(AgR008Params, "burst_threshold", burst_threshold, 1, INT_MAX, "6"),
	AGF_TZ_RULE(AgR008Params, "tz", tz),
	AGF_HOUR(AgR008Params, "night_start_hour", night_start_hour, "22"),
	AGF_HOUR(AgR008Params, "night_end_hour", night_end_hour, "7"),
	AGF_INT(AgR008Params, "quiet_after_minutes", quiet_after_minutes, 0, INT_MAX, "0"),
	AGF_LIST(AgR008Params, "quiet_categories", quiet_categories, def_presence_motion),
};

static const AgField r009_fields[] = {
	AGF_INT(AgR009Params, "max_age_minutes", max_age_minutes, 0, INT_MAX, "15"),
	AGF_LIST(AgR009Params, "liveness_categories", liveness_categories, def_liveness),
	AGF_STR_E(AgR009Params, "stream_id", stream_id, ""),
};

static const AgField r010_fields[] = {
	AGF_INT(AgR010Params, "stuck_minutes", stuck_minutes, 1, INT_MAX, "240"),
	AGF_INT_DERIVED(AgR010Params, "lookback_minutes", lookback_minutes, 1),
	AGF_INT_OPT(AgR010Params, "liveness_max_age_minutes", liveness_max_age_minutes, 0),
	AGF_LIST_OPT(AgR010Params, "liveness_categories", liveness_categories),
	AGF_LIST(AgR010Params, "medium_rooms", medium_rooms, def_medium_rooms),
	AGF_LIST(AgR010Params, "low_rooms", low_rooms, def_low_rooms),
	AGF_BOOL(AgR010Params, "require_activity_elsewhere", require_activity_elsewhere, "false"),
};

static const AgField r011_fields[] = {
	AGF_INT(AgR011Params, "max_away_minutes", max_away_minutes, 1, 10080, "360"),
	AGF_HOUR(AgR011Params, "night_start_hour", night_start_hour, "22"),
	AGF_HOUR(AgR011Params, "night_end_hour", night_end_hour, "7"),
	AGF_INT(AgR011Params, "night_grace_minutes", night_grace_minutes, 1, 10080, "60"),
	AGF_TZ_RULE(AgR011Params, "tz", tz),
	AGF_INT(AgR011Params, "personal_margin_minutes", personal_margin_minutes, 0, 1440, "60"),
	AGF_INT(AgR011Params, "personal_min_minutes", personal_min_minutes, 1, 10080, "120"),
	AGF_INT(AgR011Params, "personal_min_outings", personal_min_outings, 1, 1000, "5"),
};

static const AgFieldTable params_tables[AG_NUM_RULES] = {
	AG_TABLE(r001_fields), AG_TABLE(r002_fields), AG_TABLE(r003_fields),
	AG_TABLE(r004_fields), AG_TABLE(r005_fields), AG_TABLE(r006_fields),
	AG_TABLE(r007_fields), AG_TABLE(r008_fields), AG_TABLE(r009_fields),
	AG_TABLE(r010_fields), AG_TABLE(r011_fields)};

const AgFieldTable *const ag_config_params_tables[AG_NUM_RULES] = {
	&params_tables[0], &params_tables[1], &params_tables[2], &params_tables[3],
	&params_tables[4], &params_tables[5], &params_tables[6], &params_tables[7],
	&params_tables[8], &params_tables[9], &params_tables[10]};

const size_t ag_config_params_offsets[AG_NUM_RULES] = {
	offsetof(AgConfig, r001), offsetof(AgConfig, r002), offsetof(AgConfig, r003),
	offsetof(AgConfig, r004), offsetof(AgConfig, r005), offsetof(AgConfig, r006),
	offsetof(AgConfig, r007), offsetof(AgConfig, r008), offsetof(AgConfig, r009),
	offsetof(AgConfig, r010), offsetof(AgConfig, r011)};

/* Enums are stored through an int pointer (AG_FIELD_PTR). */
StaticAssertDecl(sizeof(AgLocale) == sizeof(int), "enum size");
StaticAssertDecl(sizeof(AgEvalMode) == sizeof(int), "enum size");
StaticAssertDecl(sizeof(AgProfileMode) == sizeof(int), "enum size");
StaticAssertDecl(sizeof(AgBaseline) == sizeof(int), "enum size");

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
