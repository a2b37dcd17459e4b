/*-------------------------------------------------------------------------
 * config_schema.c
 *	  The schema of config/rules.yaml as field tables (rules.md 6.2-6.4 and
 *	  the param tables of section 3): names, types, ranges and defaults.
 *	  config_build.c walks a YAML node tree through them.
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
	AGF_INT(AgConfig, "workers", scheduler_workers, 1, 16, "1"),
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
