/*-------------------------------------------------------------------------
 * config_int.h
 *	  Internals of the strict config loader shared by config.c (SQL entry
 *	  points, per-backend cache), config_error.c (error reporting, paths),
 *	  config_yaml.c (libyaml events -> node tree), config_types.c (typing
 *	  one value from the schema), config_schema.c (schema tables),
 *	  config_build.c (defaults, walk, cross-field checks) and config_json.c (effective jsonb).  Spec: rules.md section 6.
 *	  Not for use outside the config_* files; the rest of the extension
 *	  uses config.h.
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_CONFIG_INT_H
#define AGINGOS_CONFIG_INT_H

#include "postgres.h"

#include "agingos.h"
#include "config.h"

/*
 * One node of a parsed YAML document.  Scalars keep their text after YAML
 * quoting and escapes (never typed by YAML, rules.md 6.1); lines are 1-based.
 */
typedef enum AgYamlKind
{
	AG_YAML_SCALAR,
	AG_YAML_SEQUENCE,
	AG_YAML_MAPPING
} AgYamlKind;

typedef struct AgYamlNode
{
	AgYamlKind			kind;
	int					line;	   /* 1-based line of the node's first character */
	char			   *text;	   /* SCALAR: text in the server encoding */
	bool				plain;	   /* SCALAR: written without quotes */
	int					n;		   /* SEQUENCE/MAPPING: number of elements/pairs */
	int					cap;	   /* allocated length of items (and keys) */
	struct AgYamlNode **items;	   /* SEQUENCE: elements; MAPPING: values */
	char			  **keys;	   /* MAPPING: keys, unique */
	int				   *key_lines; /* MAPPING: 1-based line of each key */
} AgYamlNode;

/*
 * Field types of the schema (rules.md 6.1 typing table).  RULES and PARAMS
 * are the two containers whose layout depends on the rule id.
 */
typedef enum AgFieldType
{
	AG_FT_STRING,		   /* non-empty string */
	AG_FT_STRING_EMPTY_OK, /* string, may be empty */
	AG_FT_INT,			   /* int within [min, max] */
	AG_FT_INTERVAL,		   /* scheduler.interval_minutes */
	AG_FT_BOOL,
	AG_FT_TIME,			 /* HH:MM or HH:MM:SS, stored as seconds */
	AG_FT_TZ,			 /* IANA name */
	AG_FT_ENUM,			 /* one of words[], stored as its index */
	AG_FT_LIST,			 /* non-empty list<string> */
	AG_FT_LIST_EMPTY_OK, /* list<string>, may be empty */
	AG_FT_STR_OR_LIST,	 /* string or non-empty list<string>, widened */
	AG_FT_MAPPING,		 /* nested keys of sub, stored in the same base */
	AG_FT_RULES,		 /* rules: R-001 ... R-010 */
	AG_FT_PARAMS		 /* rules.<id>.params: the rule's own table */
} AgFieldType;

#define AG_FF_ALIAS 0x01	/* validated, folded elsewhere, never stored or shown */
#define AG_FF_OPTIONAL 0x02 /* no default: shown only when set (liveness_*) */
#define AG_FF_DERIVED 0x04	/* default computed from other values */

typedef struct AgFieldTable AgFieldTable;

typedef struct AgField
{
	const char		   *name; /* key in the YAML and in the effective jsonb */
	AgFieldType			type;
	int					flags;	/* AG_FF_* */
	size_t				offset; /* of the value in its base struct */
	int					min;	/* INT: bounds */
	int					max;
	const char		   *def;   /* scalar default, as YAML text; ALIAS: the
								 * list field it folds into */
	const char *const  *words; /* ENUM: allowed words; lists: default items;
								 * both NULL-terminated */
	const AgFieldTable *sub;   /* MAPPING: nested fields */
} AgField;

struct AgFieldTable
{
	int			   nfields;
	const AgField *fields;
};

/* Schema tables (config_schema.c). */
extern const AgFieldTable		 ag_config_top_table;
extern const AgFieldTable		 ag_config_rule_table;
extern const AgFieldTable *const ag_config_params_tables[AG_NUM_RULES];
extern const size_t				 ag_config_params_offsets[AG_NUM_RULES];
extern const char *const		 ag_config_rule_ids[AG_NUM_RULES];

/* Address of a field's value inside its base struct. */
#define AG_FIELD_PTR(base, f, type) ((type *) ((char *) (base) + (f)->offset))

/* errhint of "rules: required" (decision D31, docs/spec/rules.md section 6.9) */
#define AG_RULES_REQUIRED_HINT                                                                      \
	"Add a rules: block that configures the rules (the shipped config/rules.yaml has one for each " \
	"of R-001 to R-010); the previous configuration stays active."

/* config.c */
extern AgConfig *ag_config_parse(const char *yaml, MemoryContext target,
								 bool strict_tz);

/* config_yaml.c */
extern AgYamlNode		*ag_config_yaml_parse(const char *text);
extern const AgYamlNode *ag_config_yaml_get(const AgYamlNode *map,
											const char		 *key);
extern const char		*ag_config_yaml_kind(const AgYamlNode *node);

/* config_error.c: error reporting (config_yaml.c and config_types.c use it) */
extern void	 ag_config_error(const char *path, const char *problem,
							 const char *detail, const char *hint) pg_attribute_noreturn();
extern char *ag_config_path_key(const char *parent, const char *key);
extern char *ag_config_path_index(const char *parent, int index);
extern char *ag_config_where(const AgYamlNode *node);
extern char *ag_config_shown(const char *text);

/* config_types.c: typing of one value */
extern void	 ag_config_type_value(const AgField *f, const AgYamlNode *node,
								  void *base, const char *path,
								  MemoryContext target, bool strict_tz);
extern void	 ag_config_require_mapping(const AgYamlNode *node, const char *path);
extern char *ag_config_time_text(int seconds);

/* config_build.c */
extern AgConfig *ag_config_build(const AgYamlNode *root, MemoryContext target,
								 bool strict_tz);

/* config_json.c */
extern Jsonb *ag_config_to_jsonb(const AgConfig *cfg);

#endif /* AGINGOS_CONFIG_INT_H */
