/*-------------------------------------------------------------------------
 * vocabulary.c
 *	  Per-home vocabulary (vocabulary.h; docs/home-assistant.md
 *	  "Per-home vocabulary"): the home's own names for the rule roles,
 *	  overlaid on the active config for that home's evaluation.
 *
 *	  SQL-callable: agingos_home_vocabulary(home_id) (the resolved roles)
 *	  and agingos_home_config(home_id) (agingos_config() as the home's
 *	  rules see it).  agingos_set_home_vocabulary is plpgsql
 *	  (src/sql/code/80_home_vocabulary.sql) and validates what is stored.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "config_int.h"
#include "rules/rule.h"
#include "vocabulary.h"

PG_FUNCTION_INFO_V1(agingos_home_vocabulary);
PG_FUNCTION_INFO_V1(agingos_home_config);

/* The home's stored roles; NULL / n = 0 for a role it does not set. */
typedef struct HomeVocabulary
{
	bool	  found;
	Jsonb	 *stored;
	char	 *bathroom;
	char	 *living_room;
	char	 *bedroom;
	char	 *front_door_room;
	char	 *front_door_name;
	char	 *timezone;
	AgStrList front_door_entity_ids;
	bool	  has_entity_ids;
	AgStrList liveness_categories;
} HomeVocabulary;

/* voc_string: the string member key of obj, or NULL. */
static char *
voc_string(Jsonb *obj, const char *key)
{
	JsonbValue *v = getKeyJsonValueFromContainer(&obj->root, key, strlen(key), NULL);

	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* voc_list: the array-of-strings member key of obj into *out; false if absent. */
static bool
voc_list(Jsonb *obj, const char *key, AgStrList *out)
{
	JsonbValue		  *v = getKeyJsonValueFromContainer(&obj->root, key, strlen(key), NULL);
	JsonbIterator	  *it;
	JsonbValue		   e;
	JsonbIteratorToken tok;
	int				   cap;

	out->n = 0;
	out->items = NULL;
	if (v == NULL || v->type != jbvBinary)
		return false;
	cap = JsonContainerSize(v->val.binary.data) + 1;
	out->items = palloc(sizeof(char *) * cap);
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
	{
		if (tok == WJB_ELEM && e.type == jbvString && out->n < cap)
			out->items[out->n++] = pnstrdup(e.val.string.val, e.val.string.len);
	}
	return true;
}

/*
 * read_vocabulary: the agingos.home_vocabulary row of home_id, if any.
 * A missing table (a 0.1.0 schema not yet upgraded) means no row.
 */
static void
read_vocabulary(const char *home_id, HomeVocabulary *hv)
{
	static SPIPlanPtr plan = NULL;
	Oid				  nsp = get_namespace_oid("agingos", true);
	MemoryContext	  outer = CurrentMemoryContext;
	Datum			  arg;
	bool			  isnull;

	memset(hv, 0, sizeof(*hv));
	if (!OidIsValid(nsp) || !OidIsValid(get_relname_relid("home_vocabulary", nsp)))
		return;
	SPI_connect();
	if (plan == NULL)
	{
		Oid		   argtypes[1] = {TEXTOID};
		SPIPlanPtr p = SPI_prepare("SELECT vocabulary FROM agingos.home_vocabulary WHERE home_id = $1",
								   1, argtypes);

		if (p == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_keepplan failed");
		plan = p;
	}
	arg = CStringGetTextDatum(home_id);
	if (SPI_execute_plan(plan, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "home vocabulary lookup failed");
	if (SPI_processed == 1)
	{
		Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
		{
			MemoryContext old = MemoryContextSwitchTo(outer);

			hv->stored = DatumGetJsonbPCopy(d);
			MemoryContextSwitchTo(old);
		}
	}
	SPI_finish();
	if (hv->stored == NULL)
		return;
	hv->found = true;
	hv->bathroom = voc_string(hv->stored, "bathroom");
	hv->living_room = voc_string(hv->stored, "living_room");
	hv->bedroom = voc_string(hv->stored, "bedroom");
	hv->front_door_room = voc_string(hv->stored, "front_door_room");
	hv->front_door_name = voc_string(hv->stored, "front_door_name");
	hv->timezone = voc_string(hv->stored, "timezone");
	hv->has_entity_ids = voc_list(hv->stored, "front_door_entity_ids", &hv->front_door_entity_ids);
	(void) voc_list(hv->stored, "liveness_categories", &hv->liveness_categories);
}

/* config_bedroom: the config's bedroom: the first R-010 low_rooms item that is not the living room. */
static const char *
config_bedroom(const AgConfig *cfg)
{
	for (int i = 0; i < cfg->r010.low_rooms.n; i++)
	{
		if (strcmp(cfg->r010.low_rooms.items[i], cfg->r006.living_room_id) != 0)
			return cfg->r010.low_rooms.items[i];
	}
	return NULL;
}

/* translate_rooms: R-010's room list with each config room-role name replaced by the home's. */
static AgStrList
translate_rooms(const AgConfig *cfg, const AgStrList *list, const HomeVocabulary *hv)
{
	const char *from[4] = {cfg->r004.bathroom_room_id, cfg->r006.living_room_id,
						   config_bedroom(cfg), cfg->r006.front_door_room_id};
	const char *to[4] = {hv->bathroom, hv->living_room, hv->bedroom, hv->front_door_room};
	AgStrList	out;

	out.n = list->n;
	out.items = palloc(sizeof(char *) * (list->n + 1));
	for (int i = 0; i < list->n; i++)
	{
		out.items[i] = list->items[i];
		for (int r = 0; r < 4; r++)
		{
			if (from[r] != NULL && to[r] != NULL && strcmp(list->items[i], from[r]) == 0)
			{
				out.items[i] = (char *) to[r];
				break;
			}
		}
	}
	return out;
}

/* overlay: a copy of cfg with hv's roles in place (see ag_home_config). */
static AgConfig *
overlay(const AgConfig *cfg, const HomeVocabulary *hv)
{
	AgConfig *c = palloc(sizeof(AgConfig));

	memcpy(c, cfg, sizeof(AgConfig));
	c->r010.medium_rooms = translate_rooms(cfg, &cfg->r010.medium_rooms, hv);
	c->r010.low_rooms = translate_rooms(cfg, &cfg->r010.low_rooms, hv);
	if (hv->bathroom)
		c->r004.bathroom_room_id = c->r005.bathroom_room_id = hv->bathroom;
	if (hv->living_room)
		c->r006.living_room_id = hv->living_room;
	if (hv->front_door_room)
		c->r006.front_door_room_id = c->r007.front_door_room_id = c->r008.front_door_room_id = hv->front_door_room;
	if (hv->has_entity_ids)
		c->r002.allowed_entity_ids = hv->front_door_entity_ids;
	if (hv->front_door_name)
		c->r003.required_door_name = hv->front_door_name;
	if (hv->liveness_categories.n > 0)
	{
		c->r009.liveness_categories = hv->liveness_categories;
		if (cfg->r005.liveness_categories.n > 0)
			c->r005.liveness_categories = hv->liveness_categories;
		if (cfg->r010.liveness_categories.n > 0)
			c->r010.liveness_categories = hv->liveness_categories;
	}
	if (hv->timezone)
	{
		c->timezone = hv->timezone;
		c->r001.timezone = c->r002.timezone = hv->timezone;
		c->r004.tz = c->r006.tz = c->r007.tz = c->r008.tz = hv->timezone;
	}
	return c;
}

/* ag_home_config: see vocabulary.h. */
const AgConfig *
ag_home_config(const AgConfig *cfg, const char *home_id)
{
	HomeVocabulary hv;

	read_vocabulary(home_id, &hv);
	if (!hv.found)
		return cfg;
	return overlay(cfg, &hv);
}

/* home_arg: the home_id argument (22023 when null). */
static char *
home_arg(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("home_id must not be null"),
				 errdetail("The vocabulary belongs to one home."),
				 errhint("Omit home_id for the home 'default', or pass its id.")));
	return text_to_cstring(PG_GETARG_TEXT_PP(0));
}

/*
 * agingos_home_vocabulary(home_id text) RETURNS jsonb: the resolved roles
 * of the home: {"home_id", "bathroom", "living_room", "bedroom",
 * "front_door_room", "front_door_entity_ids", "front_door_name",
 * "liveness_categories", "timezone", "set_by_home": [roles the home sets]}
 * (docs/home-assistant.md "Per-home vocabulary").  bedroom is null when
 * neither the home nor the config names one.  22023 for a null home_id.
 */
Datum
agingos_home_vocabulary(PG_FUNCTION_ARGS)
{
	char			  *home_id = home_arg(fcinfo);
	const AgConfig	  *base = ag_config_current();
	HomeVocabulary	   hv;
	const AgConfig	  *c;
	JsonbParseState	  *st = NULL;
	JsonbValue		  *res;
	static const char *roles[] = {"bathroom", "living_room", "bedroom", "front_door_room",
								  "front_door_entity_ids", "front_door_name",
								  "liveness_categories", "timezone"};

	read_vocabulary(home_id, &hv);
	c = hv.found ? overlay(base, &hv) : base;
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	ag_ev_str(&st, "home_id", home_id);
	ag_ev_str(&st, "bathroom", c->r004.bathroom_room_id);
	ag_ev_str(&st, "living_room", c->r006.living_room_id);
	ag_ev_str(&st, "bedroom", hv.bedroom ? hv.bedroom : config_bedroom(base));
	ag_ev_str(&st, "front_door_room", c->r006.front_door_room_id);
	ag_ev_strlist(&st, "front_door_entity_ids", &c->r002.allowed_entity_ids);
	ag_ev_str(&st, "front_door_name", c->r003.required_door_name);
	ag_ev_strlist(&st, "liveness_categories", &c->r009.liveness_categories);
	ag_ev_str(&st, "timezone", c->timezone);
	ag_ev_key(&st, "set_by_home");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; hv.found && i < (int) lengthof(roles); i++)
	{
		if (getKeyJsonValueFromContainer(&hv.stored->root, roles[i], strlen(roles[i]), NULL))
		{
			JsonbValue v;

			v.type = jbvString;
			v.val.string.val = (char *) roles[i];
			v.val.string.len = strlen(roles[i]);
			pushJsonbValue(&st, WJB_ELEM, &v);
		}
	}
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}

/*
 * agingos_home_config(home_id text) RETURNS jsonb: agingos_config() as the
 * rules see it for this home (the vocabulary overlaid; same shape).
 * 22023 for a null home_id.
 */
Datum
agingos_home_config(PG_FUNCTION_ARGS)
{
	char *home_id = home_arg(fcinfo);

	PG_RETURN_JSONB_P(ag_config_to_jsonb(ag_home_config(ag_config_current(), home_id)));
}
