/*-------------------------------------------------------------------------
 * config.c
 *	  The config loader's SQL entry points (agingos_load_config,
 *	  agingos_config, the invalidation trigger) and the per-backend cache
 *	  behind ag_config_current().  Spec: rules.md section 6, contract.md
 *	  section 4.  The active config is the agingos.config row with the
 *	  highest version; with no row, the schema defaults.
 *
 *	  Cache: the parsed AgConfig lives in one context under
 *	  CacheMemoryContext and is rebuilt only after a relcache invalidation
 *	  of agingos.config, which every change of the table sends (the
 *	  statement trigger agingos_config_invalidate, installed by
 *	  src/sql/20_config.sql), so a hot path pays no query per call.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "config.h"
#include "config_int.h"

PG_FUNCTION_INFO_V1(agingos_load_config);
PG_FUNCTION_INFO_V1(agingos_config);
PG_FUNCTION_INFO_V1(agingos_config_invalidate);

/* The cached active config; cache_cxt is a child of CacheMemoryContext. */
static MemoryContext cache_cxt = NULL;
static AgConfig		*cached_config = NULL;
static bool			 cache_valid = false;

/* OID of agingos.config when last resolved; changes if the extension is recreated. */
static Oid config_relid = InvalidOid;

/* Bumped by every invalidation that concerns agingos.config. */
static uint64 inval_count = 0;
static bool	  callback_registered = false;

/* Plans kept for the backend's life (style.md 2.6). */
static SPIPlanPtr insert_plan = NULL;
static SPIPlanPtr select_plan = NULL;

static AgConfig *config_parse(const char *yaml, MemoryContext target, bool strict_tz, bool need_rules);

/*
 * ag_config_parse: parse and validate the YAML text `yaml` (server
 * encoding, NUL-terminated) and return its AgConfig, effective jsonb
 * included, allocated in `target`; version is 0.  Scratch memory (node
 * tree, paths, jsonb building) is freed before returning.  strict_tz: see
 * config_types.c.  Raises F0000 (rules.md 6.1) on any problem.
 */
AgConfig *
ag_config_parse(const char *yaml, MemoryContext target, bool strict_tz)
{
	return config_parse(yaml, target, strict_tz, false);
}

/*
 * require_rules: decision D31 (docs/spec/rules.md section 6.9): a config
 * to be loaded needs a non-empty `rules` mapping; an empty file, a
 * comment-only file or one with only other sections (e.g. `timezone:`)
 * would leave every rule out of the scheduler.  Raises F0000
 * "rules: required".  Runs after the whole document validated, so other
 * problems are reported first, in document order.
 */
static void
require_rules(const AgYamlNode *root)
{
	const AgYamlNode *rules = ag_config_yaml_get(root, "rules");
	const char		 *hint = AG_RULES_REQUIRED_HINT;

	if (root == NULL)
		ag_config_error("rules", "required", "The config is empty: no YAML document, or only comments.", hint);
	if (rules == NULL)
	{
		StringInfoData keys;

		initStringInfo(&keys);
		for (int i = 0; i < root->n; i++)
			appendStringInfo(&keys, "%s%s", i > 0 ? ", " : "", ag_config_shown(root->keys[i]));
		ag_config_error("rules", "required",
						root->n > 0 ? psprintf("The config has no rules: block (its top-level keys are %s).", keys.data)
									: pstrdup("The config is an empty mapping ({})."),
						hint);
	}
	if (rules->kind == AG_YAML_MAPPING && rules->n == 0)
		ag_config_error("rules", "required", psprintf("The rules: block (line %d) is an empty mapping.", rules->line), hint);
}

/*
 * config_parse: ag_config_parse; with require_rules (the load path) the
 * document must also have a non-empty rules mapping (D31).  A stored
 * source is re-parsed without that check, so a config stored by an
 * earlier release keeps working.
 */
static AgConfig *
config_parse(const char *yaml, MemoryContext target, bool strict_tz, bool need_rules)
{
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext,
												  "agingos config parse",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(scratch);
	AgYamlNode	 *root = ag_config_yaml_parse(yaml);
	AgConfig	 *cfg = ag_config_build(root, target, strict_tz);
	Jsonb		 *jb;

	if (need_rules)
		require_rules(root);
	jb = ag_config_to_jsonb(cfg);

	cfg->effective = MemoryContextAlloc(target, VARSIZE(jb));
	memcpy(cfg->effective, jb, VARSIZE(jb));
	cfg->version = 0;
	MemoryContextSwitchTo(old);
	MemoryContextDelete(scratch);
	return cfg;
}

/*
 * config_relcache_callback: relcache invalidation callback; an
 * invalidation of agingos.config (or of every relation, relid 0) marks the
 * cache stale.
 */
static void
config_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == config_relid)
	{
		cache_valid = false;
		inval_count++;
	}
}

/* lookup_config_relid: OID of agingos.config, or InvalidOid if absent. */
static Oid
lookup_config_relid(void)
{
	Oid nsp = get_namespace_oid("agingos", true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid("config", nsp);
}

/*
 * read_active_row: the version and source text of the highest-version row
 * of agingos.config, copied into `target`; *source = NULL when the table
 * is empty.  Reads with `snapshot`.  Connects to SPI itself (nesting in a
 * caller's SPI connection is fine).
 */
static void
read_active_row(Snapshot snapshot, MemoryContext target, int64 *version,
				char **source)
{
	int rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (select_plan == NULL)
	{
		SPIPlanPtr plan = SPI_prepare("SELECT version, source FROM agingos.config "
									  "ORDER BY version DESC LIMIT 1",
									  0, NULL);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		select_plan = plan;
	}
	rc = SPI_execute_snapshot(select_plan, NULL, NULL, snapshot, InvalidSnapshot,
							  true, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_snapshot failed: %s", SPI_result_code_string(rc));
	*version = 0;
	*source = NULL;
	if (SPI_processed == 1)
	{
		HeapTuple tup = SPI_tuptable->vals[0];
		TupleDesc desc = SPI_tuptable->tupdesc;
		bool	  isnull;
		Datum	  v = SPI_getbinval(tup, desc, 1, &isnull);
		char	 *text = SPI_getvalue(tup, desc, 2);

		*version = DatumGetInt64(v);
		*source = MemoryContextStrdup(target, text != NULL ? text : "");
	}
	SPI_finish();
}

/*
 * stored_config_context: error context while a stored config is re-parsed,
 * naming its version (arg points to the int64 version).
 */
static void
stored_config_context(void *arg)
{
	errcontext("active configuration, agingos.config version " INT64_FORMAT,
			   *(int64 *) arg);
}

/*
 * rebuild_cache: read the active row and parse it into a fresh context
 * that replaces the cached one.  The read uses the latest snapshot taken
 * after inval_count was noted, so an invalidation processed before the
 * read is covered by the read, and one processed during it leaves the
 * cache stale for the next call.  In parallel mode (no new snapshots
 * allowed) the active snapshot is used and the cache stays stale.  The
 * stored source passed the strict checks when it was loaded, so the zone
 * names are only checked to load (no full tz scan on the hot path).  Work
 * happens in the current (sub)transaction's context, so an error frees it
 * and keeps the previous cache, still stale.
 */
static void
rebuild_cache(void)
{
	uint64				 seen = inval_count;
	MemoryContext		 old = MemoryContextSwitchTo(CurTransactionContext);
	MemoryContext		 cxt = AllocSetContextCreate(CurTransactionContext,
													 "agingos config cache",
													 ALLOCSET_SMALL_SIZES);
	bool				 parallel = IsInParallelMode();
	int64				 version = 0;
	char				*source = NULL;
	AgConfig			*cfg;
	ErrorContextCallback errcb;

	config_relid = lookup_config_relid();
	if (OidIsValid(config_relid))
	{
		Snapshot snap;

		if (!parallel)
			snap = GetLatestSnapshot();
		else if (ActiveSnapshotSet())
			snap = GetActiveSnapshot();
		else
			snap = GetTransactionSnapshot();
		snap = RegisterSnapshot(snap);
		read_active_row(snap, cxt, &version, &source);
		UnregisterSnapshot(snap);
	}
	errcb.callback = stored_config_context;
	errcb.arg = &version;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	cfg = ag_config_parse(source != NULL ? source : "", cxt, false);
	error_context_stack = errcb.previous;
	cfg->version = version;
	MemoryContextSwitchTo(old);

	MemoryContextSetParent(cxt, CacheMemoryContext);
	if (cache_cxt != NULL)
		MemoryContextDelete(cache_cxt);
	cache_cxt = cxt;
	cached_config = cfg;
	/* no table: nothing would tell us when it appears, so check each call */
	cache_valid = OidIsValid(config_relid) && !parallel && inval_count == seen;
}

/*
 * ag_config_current: the active configuration (config.h).  Returns the
 * cached AgConfig while no invalidation of agingos.config has arrived,
 * else re-reads the highest-version row and re-parses its source.  Never
 * NULL; version 0 means built-in defaults.  Raises F0000 if a stored
 * source no longer parses.
 */
const AgConfig *
ag_config_current(void)
{
	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(config_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	if (!cache_valid || cached_config == NULL)
		rebuild_cache();
	return cached_config;
}

/*
 * store_config: insert (source, effective) into agingos.config as the new
 * active version and invalidate every backend's cache (at commit).
 */
static void
store_config(text *source, Jsonb *effective)
{
	Datum values[2];
	int	  rc;
	Oid	  relid;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (insert_plan == NULL)
	{
		Oid		   argtypes[2] = {TEXTOID, JSONBOID};
		SPIPlanPtr plan = SPI_prepare("INSERT INTO agingos.config (source, effective) "
									  "VALUES ($1, $2)",
									  2, argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		insert_plan = plan;
	}
	values[0] = PointerGetDatum(source);
	values[1] = JsonbPGetDatum(effective);
	rc = SPI_execute_plan(insert_plan, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	SPI_finish();
	/* the trigger does this too; be explicit for the cache's sake */
	relid = lookup_config_relid();
	if (OidIsValid(relid))
		CacheInvalidateRelcacheByRelid(relid);
}

/*
 * agingos_load_config(yaml text) RETURNS jsonb: parse and validate the
 * YAML strictly (rules.md 6.1-6.4), store it as the new active version in
 * agingos.config and return its effective jsonb.  Any problem raises
 * F0000 ("<full.path>: <problem>", detail with value and line, hint),
 * including "rules: required" for a config without a non-empty rules
 * mapping (D31); then nothing is stored and the previous config stays
 * active.
 */
Datum
agingos_load_config(PG_FUNCTION_ARGS)
{
	text	 *yaml = PG_GETARG_TEXT_PP(0);
	AgConfig *cfg = config_parse(text_to_cstring(yaml), CurrentMemoryContext, true, true);

	store_config(yaml, cfg->effective);
	PG_RETURN_JSONB_P(cfg->effective);
}

/*
 * agingos_config() RETURNS jsonb: the active config's effective jsonb
 * (contract.md section 4), built-in defaults when none was loaded.  A copy,
 * so a later cache rebuild cannot pull it from under the caller.
 */
Datum
agingos_config(PG_FUNCTION_ARGS)
{
	const AgConfig *cfg = ag_config_current();
	Jsonb		   *copy = palloc(VARSIZE(cfg->effective));

	memcpy(copy, cfg->effective, VARSIZE(cfg->effective));
	PG_RETURN_JSONB_P(copy);
}

/*
 * agingos_config_invalidate() RETURNS trigger: statement trigger on
 * agingos.config; any INSERT, UPDATE, DELETE or TRUNCATE sends a relcache
 * invalidation of the table, so every backend's ag_config_current()
 * re-reads the active row (at commit for other backends).
 */
Datum
agingos_config_invalidate(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("agingos_config_invalidate must be called as a trigger")));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	PG_RETURN_POINTER(NULL);
}
