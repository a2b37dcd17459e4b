/*-------------------------------------------------------------------------
 * engine_probe.c
 *	  The small per-home queries of the rule engine (design.md "engine";
 *	  rules.md 2.1, 3.9, D32, D33): the days_with_data probes, the latest
 *	  liveness event per category, the sensor presence check and the
 *	  home's profile rows.  The one events range scan is engine_fetch.c.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "engine.h"
#include "rules/rule.h"

#define AG_HISTORY_DAYS 28	 /* rules.md 2.1 */
#define AG_MAX_DAY_PROBES 32 /* local dates touched by 28 days: at most 30 */

/*
 * The probes always use their generic plan: its shape (one index probe
 * per array element) is the custom plan's, and the plan cache would
 * otherwise re-plan them for every home because their custom plans look
 * cheaper.  Prepared once per backend (style.md 2.6).
 */
static SPIPlanPtr days_plan = NULL;
static SPIPlanPtr liveness_plan = NULL;

/*
 * days_with_data: one probe per local date [lo, hi) (rules.md 2.1), in
 * array order (the latest date first), stopping after $4 dates with data:
 * the nested loop under the LIMIT pulls one date at a time.  Each probe is
 * the first index entry of the date (ORDER BY "timestamp" LIMIT 1 in a
 * LATERAL join), which keeps the generic plan on (home_id, "timestamp")
 * whatever the statistics say; with EXISTS and a LIMIT the planner chose
 * a hashed subplan over a scan of the table (docs/bench.md section 13).
 */
static const char days_sql[] =
	"SELECT pg_catalog.count(*)::int4 FROM (SELECT 1 "
	"FROM ROWS FROM (pg_catalog.unnest($2::timestamptz[]), pg_catalog.unnest($3::timestamptz[])) AS d(lo, hi) "
	"CROSS JOIN LATERAL (SELECT 1 FROM agingos.events e "
	"WHERE e.home_id = $1 AND e.\"timestamp\" >= d.lo AND e.\"timestamp\" < d.hi "
	"ORDER BY e.\"timestamp\" LIMIT 1) AS x "
	"LIMIT $4) AS s";

/*
 * Latest visible event per category before $3, stream filter when $4 <> ''
 * (3.9).  events is partitioned by day (docs/scale.md): a probe "at any
 * age" is a Merge Append that reads one index entry in every partition.
 * So each category is first probed in the day before $3 (pruned to the one
 * or two partitions of that day when the plan starts), and only a category
 * with no event in that day is probed again over everything older
 * (coalesce evaluates its second argument only when the first is NULL).
 * The answer is the same: the latest event before $3.
 */
static const char liveness_sql[] =
	"SELECT c.category, coalesce("
	"(SELECT e.\"timestamp\" FROM agingos.events e "
	"WHERE e.home_id = $1 AND e.category = c.category "
	"AND e.\"timestamp\" >= $3 - interval '1 day' AND e.\"timestamp\" < $3 "
	"AND ($4 = '' OR e.stream_id = $4) ORDER BY e.\"timestamp\" DESC LIMIT 1), "
	"(SELECT e.\"timestamp\" FROM agingos.events e "
	"WHERE e.home_id = $1 AND e.category = c.category AND e.\"timestamp\" < $3 - interval '1 day' "
	"AND ($4 = '' OR e.stream_id = $4) ORDER BY e.\"timestamp\" DESC LIMIT 1)) AS ts "
	"FROM pg_catalog.unnest($2::text[]) WITH ORDINALITY AS c(category, ord) "
	"ORDER BY c.ord";

/*
 * ag_engine_fetch_liveness: see engine.h.  One index probe per category;
 * the facts are allocated in mcxt.
 */
void
ag_engine_fetch_liveness(AgHomeContext *ctx, MemoryContext mcxt, const AgStrList *cats)
{
	Oid			   argtypes[4] = {TEXTOID, TEXTARRAYOID, TIMESTAMPTZOID, TEXTOID};
	Datum		   values[4];
	Datum		  *elems = palloc(sizeof(Datum) * Max(cats->n, 1));
	SPITupleTable *tt;
	MemoryContext  spicxt;
	int			   rc;

	for (int i = 0; i < cats->n; i++)
		elems[i] = CStringGetTextDatum(cats->items[i]);
	values[0] = CStringGetTextDatum(ctx->home_id);
	values[1] = PointerGetDatum(construct_array(elems, cats->n, TEXTOID, -1, false, TYPALIGN_INT));
	values[2] = TimestampTzGetDatum(ctx->now);
	values[3] = CStringGetTextDatum(ctx->cfg->r009.stream_id);
	rc = SPI_execute_plan(ag_engine_plan(&liveness_plan, liveness_sql, 4, argtypes, CURSOR_OPT_GENERIC_PLAN), values, NULL, false, 0);
	if (rc != SPI_OK_SELECT || SPI_processed != (uint64) cats->n)
		elog(ERROR, "agingos liveness probe failed: %s", SPI_result_code_string(rc));
	tt = SPI_tuptable;
	spicxt = MemoryContextSwitchTo(mcxt);
	ctx->facts.liveness = palloc0(sizeof(AgLivenessFact) * Max(cats->n, 1));
	ctx->facts.nliveness = cats->n;
	for (int i = 0; i < cats->n; i++)
	{
		bool  isnull;
		Datum d = SPI_getbinval(tt->vals[i], tt->tupdesc, 2, &isnull);

		ctx->facts.liveness[i].category = cats->items[i];
		ctx->facts.liveness[i].found = !isnull;
		ctx->facts.liveness[i].ts = isnull ? 0 : DatumGetTimestampTz(d);
	}
	ctx->facts.liveness_known = true;
	MemoryContextSwitchTo(spicxt);
	SPI_freetuptable(tt);
}

/*
 * ag_engine_days_with_data_capped: rules.md 2.1.  The local dates (zone
 * tzname) touched by [until - 28 days, until) are at most 30; each becomes
 * one [lo, hi) bound clipped to that range, latest first, and one query
 * counts the bounds holding at least one event (one index probe on
 * (home_id, "timestamp") each), stopping once cap dates are found.  Events
 * of any category and stream count.  The result is exact when below cap;
 * cap (or more) means "at least cap".  cap <= 0 means no cap.
 */
int
ag_engine_days_with_data_capped(const char *home_id, TimestampTz until, const char *tzname, int cap)
{
	pg_tz	   *tz = ag_tz_lookup(tzname);
	TimestampTz lo = until - (int64) AG_HISTORY_DAYS * USECS_PER_DAY;
	Datum		los[AG_MAX_DAY_PROBES];
	Datum		his[AG_MAX_DAY_PROBES];
	Oid			argtypes[4] = {TEXTOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID, INT8OID};
	Datum		values[4];
	AgLocal		first;
	AgLocal		last;
	int			n = 0;
	int			result;
	bool		isnull;
	int			rc;

	ag_local(lo, tz, &first);
	ag_local(until - 1, tz, &last);
	for (int d = last.jdate; d >= first.jdate && n < AG_MAX_DAY_PROBES; d--)
	{
		TimestampTz s = Max(ag_instant(d, 0, tz), lo);
		TimestampTz e = Min(ag_instant(d + 1, 0, tz), until);

		if (s >= e)
			continue;
		los[n] = TimestampTzGetDatum(s);
		his[n] = TimestampTzGetDatum(e);
		n++;
	}
	values[0] = CStringGetTextDatum(home_id);
	values[1] = PointerGetDatum(construct_array(los, n, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[2] = PointerGetDatum(construct_array(his, n, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[3] = Int64GetDatum(cap > 0 ? (int64) cap : (int64) AG_MAX_DAY_PROBES);

	SPI_connect();
	rc = SPI_execute_plan(ag_engine_plan(&days_plan, days_sql, 4, argtypes, CURSOR_OPT_GENERIC_PLAN), values, NULL, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "agingos days_with_data probe failed: %s", SPI_result_code_string(rc));
	result = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return result;
}

/* ag_engine_days_with_data: the exact count (see engine.h). */
int
ag_engine_days_with_data(const char *home_id, TimestampTz until, const char *tzname)
{
	return ag_engine_days_with_data_capped(home_id, until, tzname, 0);
}

/*
 * Positive answers of ag_engine_home_has_sensor, per backend (a home that
 * sent a sensor keeps it): a hash table of keys "home \x1f room \x1f cats",
 * emptied when it holds AG_SENSOR_CACHE_MAX keys.  Keys longer than
 * AG_SENSOR_KEY_LEN - 1 bytes are not cached (always probed).
 */
#define AG_SENSOR_CACHE_MAX 65536
#define AG_SENSOR_KEY_LEN 256
static HTAB *sensor_cache = NULL;

/*
 * One probe per category, the first row of an index range on
 * (home_id, category, "timestamp"): ORDER BY ... LIMIT 1 (not EXISTS, whose
 * ORDER BY the planner drops) keeps the generic plan on that index however
 * the table's statistics look; a plain EXISTS (... category = ANY ($2) ...)
 * let the planner pick a sequential scan (docs/bench.md section 13).
 */
static const char sensor_sql[] =
	"SELECT 1 FROM agingos.events e "
	"WHERE e.home_id = $1 AND e.category = $2 AND ($3::text IS NULL OR e.room_id = $3) "
	"ORDER BY e.\"timestamp\" LIMIT 1";
static SPIPlanPtr sensor_plan = NULL;

/*
 * ag_engine_home_has_sensor: whether the home has ever sent (within the
 * events kept) an event of one of cats, in room `room` (NULL: any room) —
 * rules.md D32.  One index probe per category on (home_id, category,
 * "timestamp"), stopping at the first found; true answers are cached per
 * backend.  Uses SPI (connects itself).
 */
bool
ag_engine_home_has_sensor(const char *home_id, const AgStrList *cats, const char *room)
{
	StringInfoData key;
	Oid			   argtypes[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		   values[3];
	char		   nulls[3] = {' ', ' ', room == NULL ? 'n' : ' '};
	bool		   cacheable;
	bool		   found = false;

	initStringInfo(&key);
	appendStringInfo(&key, "%s\x1f%s", home_id, room == NULL ? "\x1e" : room);
	for (int i = 0; i < cats->n; i++)
		appendStringInfo(&key, "\x1f%s", cats->items[i]);
	cacheable = key.len < AG_SENSOR_KEY_LEN;
	if (cacheable && sensor_cache != NULL && hash_search(sensor_cache, key.data, HASH_FIND, NULL) != NULL)
		return true;
	values[0] = CStringGetTextDatum(home_id);
	values[2] = room == NULL ? (Datum) 0 : CStringGetTextDatum(room);

	SPI_connect();
	for (int i = 0; i < cats->n && !found; i++)
	{
		int rc;

		values[1] = CStringGetTextDatum(cats->items[i]);
		rc = SPI_execute_plan(ag_engine_plan(&sensor_plan, sensor_sql, 3, argtypes, CURSOR_OPT_GENERIC_PLAN), values, nulls, true, 1);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "agingos sensor probe failed: %s", SPI_result_code_string(rc));
		found = SPI_processed > 0;
	}
	SPI_finish();
	if (found && cacheable)
	{
		if (sensor_cache == NULL || hash_get_num_entries(sensor_cache) >= AG_SENSOR_CACHE_MAX)
		{
			HASHCTL ctl;

			if (sensor_cache != NULL)
				hash_destroy(sensor_cache);
			memset(&ctl, 0, sizeof(ctl));
			ctl.keysize = AG_SENSOR_KEY_LEN;
			ctl.entrysize = AG_SENSOR_KEY_LEN;
			sensor_cache = hash_create("agingos sensors seen", 1024, &ctl, HASH_ELEM | HASH_STRINGS);
		}
		hash_search(sensor_cache, key.data, HASH_ENTER, NULL);
	}
	return found;
}

static const char profile_sql[] =
	"SELECT metric, key, value, days, samples FROM agingos.home_profile WHERE home_id = $1 AND samples > 0 ORDER BY metric, key";
static SPIPlanPtr profile_plan = NULL;

/*
 * ag_engine_fetch_profile: the home's rows of agingos.home_profile into
 * ctx->facts.profile (docs/alarm-quality.md), allocated in mcxt.  The
 * caller is connected to SPI.  No rows: loaded with 0 days.
 */
void
ag_engine_fetch_profile(AgHomeContext *ctx, MemoryContext mcxt)
{
	Oid			   argtypes[1] = {TEXTOID};
	Datum		   values[1];
	SPITupleTable *tt;
	MemoryContext  spicxt;
	AgHomeProfile *p = &ctx->facts.profile;
	int			   rc;

	values[0] = CStringGetTextDatum(ctx->home_id);
	rc = SPI_execute_plan(ag_engine_plan(&profile_plan, profile_sql, 1, argtypes, CURSOR_OPT_GENERIC_PLAN), values, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "agingos profile read failed: %s", SPI_result_code_string(rc));
	tt = SPI_tuptable;
	spicxt = MemoryContextSwitchTo(mcxt);
	p->loaded = true;
	p->days = 0;
	p->wake_minute = -1;
	p->n = 0;
	p->metric = palloc(sizeof(char *) * Max(SPI_processed, 1));
	p->key = palloc(sizeof(char *) * Max(SPI_processed, 1));
	p->value = palloc(sizeof(int) * Max(SPI_processed, 1));
	p->samples = palloc(sizeof(int) * Max(SPI_processed, 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		/*
		 * One pass over the row (heap_deform_tuple) and the text columns
		 * copied as they are: SPI_getvalue looked up the type's output
		 * function and walked the tuple again for every value, a third of
		 * the read's time at ~180 rows a home (docs/bench.md section 16).
		 * Every column is NOT NULL (80_profile_tables.sql).
		 */
		Datum d[5];
		bool  isnull[5];
		char *metric;
		char *key;
		int	  value;
		int	  days;
		int	  samples;

		heap_deform_tuple(tt->vals[i], tt->tupdesc, d, isnull);
		metric = TextDatumGetCString(d[0]);
		key = TextDatumGetCString(d[1]);
		value = DatumGetInt32(d[2]);
		days = DatumGetInt32(d[3]);
		samples = DatumGetInt32(d[4]);

		p->days = Max(p->days, days);
		if (strcmp(metric, "wake_minute") == 0)
			p->wake_minute = value;
		p->metric[p->n] = metric;
		p->key[p->n] = key;
		p->samples[p->n] = samples;
		p->value[p->n++] = value;
	}
	MemoryContextSwitchTo(spicxt);
	SPI_freetuptable(tt);
}
