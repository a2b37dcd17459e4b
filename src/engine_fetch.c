/*-------------------------------------------------------------------------
 * engine_fetch.c
 *	  The per-home queries of the rule engine (design.md "engine"; rules.md
 *	  2.1, 2.4): the one events range scan, the days_with_data probes and
 *	  the latest liveness event per category.  engine.c decides which of
 *	  them run; this file runs them through SPI plans kept per backend.
 *
 *	  The events scan is the hot path of every evaluation (docs/bench.md),
 *	  so it avoids the usual SPI pattern of a materialised SPI_tuptable
 *	  followed by a copy:
 *	    - the rows go to a DestReceiver that builds the AgEvent array
 *	      directly from each slot (one copy, no tuple table);
 *	    - the query orders by "timestamp" only, which the
 *	      (home_id, "timestamp") index delivers without a Sort node; ties
 *	      are put in EVENT ORDER (rules.md 1.3: event id bytewise) in C;
 *	    - event ids and payloads are bump-allocated in an arena of large
 *	      blocks; category, room and stream (few distinct values per home)
 *	      are interned;
 *	    - one arena per backend is reused from home to home while it is
 *	      free, so its memory stays mapped (no page faults per home).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "nodes/parsenodes.h"
#include "tcop/dest.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "engine.h"
#include "rules/rule.h"

#define AG_HISTORY_DAYS 28	 /* rules.md 2.1 */
#define AG_MAX_DAY_PROBES 32 /* local dates touched by 28 days: at most 30 */

#define AG_ARENA_BLOCK ((Size) 256 * 1024)		/* arena block size, bytes */
#define AG_ARENA_KEEP ((Size) 32 * 1024 * 1024) /* keep at most this between homes */
#define AG_EVENTS_INITIAL 1024					/* first capacity of the array */
#define AG_INTERN_MAX 32						/* distinct values interned per column */
#define AG_EVENT_COLS 6							/* columns of fetch_sql */

/*
 * Plans prepared once per backend (style.md 2.6).  The two probes always
 * use their generic plan: its shape (one index probe per array element)
 * is the custom plan's, and the plan cache would otherwise re-plan them
 * for every home because their custom plans look cheaper.
 */
static SPIPlanPtr fetch_plan = NULL;
static SPIPlanPtr days_plan = NULL;
static SPIPlanPtr liveness_plan = NULL;

/*
 * The one events scan: the home's events in [$2, $3) by "timestamp"
 * (index order, no Sort); order_ties completes EVENT ORDER (rules.md 1.3).
 * The column order is the one event_receive reads.
 */
static const char fetch_sql[] =
	"SELECT event_id, \"timestamp\", category, payload, room_id, stream_id "
	"FROM agingos.events "
	"WHERE home_id = $1 AND \"timestamp\" >= $2 AND \"timestamp\" < $3 "
	"ORDER BY \"timestamp\"";

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

/* Latest visible event per category, stream filter when $4 <> '' (3.9). */
static const char liveness_sql[] =
	"SELECT c.category, l.ts "
	"FROM pg_catalog.unnest($2::text[]) WITH ORDINALITY AS c(category, ord) "
	"LEFT JOIN LATERAL (SELECT e.\"timestamp\" AS ts FROM agingos.events e "
	"WHERE e.home_id = $1 AND e.category = c.category AND e.\"timestamp\" < $3 "
	"AND ($4 = '' OR e.stream_id = $4) "
	"ORDER BY e.\"timestamp\" DESC LIMIT 1) l ON true "
	"ORDER BY c.ord";

/* AgArenaBlock: one block of an event buffer's bump arena. */
typedef struct AgArenaBlock
{
	struct AgArenaBlock *next;
	Size				 size; /* usable bytes in data */
	char				 data[FLEXIBLE_ARRAY_MEMBER];
} AgArenaBlock;

/* AgInternTable: the distinct values of one text column seen so far. */
typedef struct AgInternTable
{
	int			n;
	int			len[AG_INTERN_MAX];
	const char *str[AG_INTERN_MAX];
} AgInternTable;

/*
 * AgEventBuf: the events array of one fetch and the arena holding its
 * strings and payloads.  All memory comes from cxt.  The arena's blocks
 * form a chain that a reset rewinds without freeing, so a reused buffer
 * costs no allocation once it has grown to a home's size.
 */
typedef struct AgEventBuf
{
	MemoryContext cxt;
	bool		  in_use; /* shared buffer: an AgHomeContext points into it */
	AgEvent		 *events;
	int			  nevents;
	int			  cap;
	bool		  ties; /* some event has the same ts as the one before */
	AgArenaBlock *first;
	AgArenaBlock *cur;
	char		 *pos; /* next free byte in cur */
	char		 *end;
	Size		  bytes; /* allocated from cxt, for the AG_ARENA_KEEP limit */
	AgInternTable categories;
	AgInternTable rooms;
	AgInternTable streams;
} AgEventBuf;

/* AgEventReceiver: the DestReceiver of the events scan. */
typedef struct AgEventReceiver
{
	DestReceiver pub;
	AgEventBuf	*buf;
} AgEventReceiver;

/* The per-backend buffer, lent to one AgHomeContext at a time. */
static AgEventBuf shared_buf;

/*
 * get_plan: the plan in *slot, prepared with cursor_options and kept on
 * first use.  Caller is connected to SPI.
 */
static SPIPlanPtr
get_plan(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes, int cursor_options)
{
	if (*slot == NULL)
	{
		SPIPlanPtr plan = SPI_prepare_cursor(sql, nargs, argtypes, cursor_options);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*slot = plan;
	}
	return *slot;
}

/* buf_alloc: size bytes from buf's context, counted in buf->bytes. */
static void *
buf_alloc(AgEventBuf *buf, Size size)
{
	buf->bytes += size;
	return MemoryContextAlloc(buf->cxt, size);
}

/*
 * arena_alloc: size bytes (MAXALIGNed) from buf's arena.  Uses the rest of
 * the current block, else the next kept block if it is big enough, else a
 * new block linked in after the current one.
 */
static char *
arena_alloc(AgEventBuf *buf, Size size)
{
	char *p;

	size = MAXALIGN(size);
	while ((Size) (buf->end - buf->pos) < size)
	{
		AgArenaBlock *next = buf->cur ? buf->cur->next : buf->first;

		if (next == NULL || next->size < size)
		{
			Size		  bsize = Max(AG_ARENA_BLOCK, size);
			AgArenaBlock *b = buf_alloc(buf, offsetof(AgArenaBlock, data) + bsize);

			b->size = bsize;
			b->next = next;
			if (buf->cur)
				buf->cur->next = b;
			else
				buf->first = b;
			next = b;
		}
		buf->cur = next;
		buf->pos = next->data;
		buf->end = next->data + next->size;
	}
	p = buf->pos;
	buf->pos += size;
	return p;
}

/* arena_cstring: a NUL-terminated copy of len bytes at data, in the arena. */
static const char *
arena_cstring(AgEventBuf *buf, const char *data, int len)
{
	char *s = arena_alloc(buf, len + 1);

	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

/*
 * buf_reset: empty buf for a new fetch.  The arena rewinds to its first
 * block and the events array keeps its capacity.
 */
static void
buf_reset(AgEventBuf *buf)
{
	buf->nevents = 0;
	buf->ties = false;
	buf->cur = NULL;
	buf->pos = buf->end = NULL;
	buf->categories.n = buf->rooms.n = buf->streams.n = 0;
	if (buf->events == NULL)
	{
		buf->cap = AG_EVENTS_INITIAL;
		buf->events = buf_alloc(buf, sizeof(AgEvent) * buf->cap);
	}
}

/*
 * shared_release: reset callback of the context the shared buffer was lent
 * to: the AgHomeContext is gone, so the buffer is free again.  A buffer
 * that grew beyond AG_ARENA_KEEP (a very large fetch) gives its memory back.
 */
static void
shared_release(void *arg)
{
	AgEventBuf *buf = (AgEventBuf *) arg;

	buf->in_use = false;
	if (buf->bytes > AG_ARENA_KEEP)
	{
		MemoryContextReset(buf->cxt);
		buf->events = NULL;
		buf->cap = 0;
		buf->first = NULL;
		buf->bytes = 0;
	}
}

/*
 * buf_acquire: an empty event buffer whose contents live as long as mcxt.
 * That is the per-backend buffer when it is free (a reset callback on mcxt
 * frees it again), else a new buffer allocated in mcxt.
 */
static AgEventBuf *
buf_acquire(MemoryContext mcxt)
{
	AgEventBuf *buf;

	if (!shared_buf.in_use)
	{
		MemoryContextCallback *cb;

		if (shared_buf.cxt == NULL)
			shared_buf.cxt = AllocSetContextCreate(TopMemoryContext, "agingos engine events",
												   ALLOCSET_DEFAULT_SIZES);
		cb = MemoryContextAlloc(mcxt, sizeof(MemoryContextCallback));
		cb->func = shared_release;
		cb->arg = &shared_buf;
		MemoryContextRegisterResetCallback(mcxt, cb);
		buf = &shared_buf;
		buf->in_use = true;
	}
	else
	{
		buf = MemoryContextAllocZero(mcxt, sizeof(AgEventBuf));
		buf->cxt = mcxt;
	}
	buf_reset(buf);
	return buf;
}

/*
 * intern: the interned copy of the len bytes at data in table t (the same
 * pointer for equal values), or a plain arena copy once t is full.
 */
static const char *
intern(AgEventBuf *buf, AgInternTable *t, const char *data, int len)
{
	const char *s;

	for (int i = 0; i < t->n; i++)
	{
		/* the first byte rules out most entries without a memcmp call */
		if (t->len[i] == len && (len == 0 || t->str[i][0] == data[0]) &&
			memcmp(t->str[i], data, len) == 0)
			return t->str[i];
	}
	s = arena_cstring(buf, data, len);
	if (t->n < AG_INTERN_MAX)
	{
		t->len[t->n] = len;
		t->str[t->n] = s;
		t->n++;
	}
	return s;
}

/*
 * slot_text: column col of slot as a C string in buf (interned in t unless
 * t is NULL); SQL null -> "".  Compressed or external values are detoasted
 * into the executor's memory first.
 */
static const char *
slot_text(AgEventBuf *buf, TupleTableSlot *slot, int col, AgInternTable *t)
{
	struct varlena *v;
	const char	   *s;

	if (slot->tts_isnull[col])
		return "";
	v = (struct varlena *) DatumGetPointer(slot->tts_values[col]);
	if (VARATT_IS_COMPRESSED(v) || VARATT_IS_EXTERNAL(v))
		v = detoast_attr(v);
	if (t != NULL)
		s = intern(buf, t, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	else
		s = arena_cstring(buf, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	if ((Pointer) v != DatumGetPointer(slot->tts_values[col]))
		pfree(v);
	return s;
}

/*
 * slot_jsonb: column col of slot as a detoasted Jsonb in buf's arena (a
 * plain 4-byte-header varlena, MAXALIGNed, as DatumGetJsonbPCopy gives).
 */
static Jsonb *
slot_jsonb(AgEventBuf *buf, TupleTableSlot *slot, int col)
{
	struct varlena *v;
	Size			len;
	char		   *j;

	if (slot->tts_isnull[col])
		elog(ERROR, "agingos events fetch: unexpected null payload");
	v = (struct varlena *) DatumGetPointer(slot->tts_values[col]);
	if (VARATT_IS_COMPRESSED(v) || VARATT_IS_EXTERNAL(v))
		v = detoast_attr(v);
	len = VARSIZE_ANY_EXHDR(v);
	j = arena_alloc(buf, VARHDRSZ + len);
	SET_VARSIZE(j, VARHDRSZ + len);
	memcpy(VARDATA(j), VARDATA_ANY(v), len);
	if ((Pointer) v != DatumGetPointer(slot->tts_values[col]))
		pfree(v);
	return (Jsonb *) j;
}

/*
 * event_receive: append the slot's row to the events array.  The slot's
 * values point into a pinned buffer page only until the next row, so
 * everything kept is copied (or interned) here.
 */
static bool
event_receive(TupleTableSlot *slot, DestReceiver *self)
{
	AgEventBuf *buf = ((AgEventReceiver *) self)->buf;
	AgEvent	   *ev;

	slot_getallattrs(slot);
	if (slot->tts_isnull[1])
		elog(ERROR, "agingos events fetch: unexpected null timestamp");
	if (buf->nevents == buf->cap)
	{
		buf->bytes += sizeof(AgEvent) * buf->cap;
		buf->cap *= 2;
		buf->events = repalloc(buf->events, sizeof(AgEvent) * buf->cap);
	}
	ev = &buf->events[buf->nevents];
	ev->ts = DatumGetTimestampTz(slot->tts_values[1]);
	if (buf->nevents > 0 && ev->ts == ev[-1].ts)
		buf->ties = true;
	ev->id = slot_text(buf, slot, 0, NULL);
	ev->category = slot_text(buf, slot, 2, &buf->categories);
	ev->payload = slot_jsonb(buf, slot, 3);
	ev->room = slot_text(buf, slot, 4, &buf->rooms);
	ev->stream_id = slot_text(buf, slot, 5, &buf->streams);
	buf->nevents++;
	return true;
}

/* event_startup: check that the plan yields the columns of fetch_sql. */
static void
event_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	if (typeinfo->natts != AG_EVENT_COLS)
		elog(ERROR, "agingos events fetch: expected %d columns, got %d", AG_EVENT_COLS, typeinfo->natts);
}

/* event_noop: rShutdown / rDestroy; the receiver lives on the stack. */
static void
event_noop(DestReceiver *self)
{
}

/* cmp_event_id: EVENT ORDER among equal ts: id compared bytewise (rules.md 1.3). */
static int
cmp_event_id(const void *a, const void *b)
{
	return strcmp(((const AgEvent *) a)->id, ((const AgEvent *) b)->id);
}

/*
 * order_ties: the array is in ascending ts; sort each run of equal ts by
 * id, which gives EVENT ORDER (what ORDER BY "timestamp", event_id
 * COLLATE "C" gives: strcmp compares bytes as unsigned char, and text
 * holds no NUL).
 */
static void
order_ties(AgEvent *events, int n)
{
	int i = 0;

	while (i < n)
	{
		int j = i + 1;

		while (j < n && events[j].ts == events[i].ts)
			j++;
		if (j - i > 1)
			qsort(events + i, j - i, sizeof(AgEvent), cmp_event_id);
		i = j;
	}
}

/*
 * ag_engine_fetch_events: see engine.h.  The rows go straight from the
 * executor into the AgEvent array (AgEventReceiver); no SPI tuple table
 * is built.
 */
void
ag_engine_fetch_events(AgHomeContext *ctx, MemoryContext mcxt, TimestampTz from, TimestampTz to)
{
	Oid				  argtypes[3] = {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	SPIPlanPtr		  plan = get_plan(&fetch_plan, fetch_sql, 3, argtypes, 0);
	ParamListInfo	  params = makeParamList(3);
	SPIExecuteOptions opts;
	AgEventReceiver	  recv;
	AgEventBuf		 *buf = buf_acquire(mcxt);
	int				  rc;

	for (int i = 0; i < 3; i++)
	{
		params->params[i].isnull = false;
		params->params[i].pflags = PARAM_FLAG_CONST;
		params->params[i].ptype = argtypes[i];
	}
	params->params[0].value = CStringGetTextDatum(ctx->home_id);
	params->params[1].value = TimestampTzGetDatum(from);
	params->params[2].value = TimestampTzGetDatum(to);

	/*
	 * mydest only needs to differ from DestNone (SPI would report
	 * SPI_OK_UTILITY) and DestSPI (SPI would check its own tuple table).
	 */
	memset(&recv, 0, sizeof(recv));
	recv.pub.receiveSlot = event_receive;
	recv.pub.rStartup = event_startup;
	recv.pub.rShutdown = event_noop;
	recv.pub.rDestroy = event_noop;
	recv.pub.mydest = DestTuplestore;
	recv.buf = buf;

	memset(&opts, 0, sizeof(opts));
	opts.params = params;
	opts.read_only = false;
	opts.dest = &recv.pub;
	rc = SPI_execute_plan_extended(plan, &opts);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "agingos events fetch failed: %s", SPI_result_code_string(rc));
	if (buf->ties)
		order_ties(buf->events, buf->nevents);
	ctx->events = buf->events;
	ctx->nevents = buf->nevents;
	ctx->fetched.from = from;
	ctx->fetched.to = to;
}

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
	rc = SPI_execute_plan(get_plan(&liveness_plan, liveness_sql, 4, argtypes, CURSOR_OPT_GENERIC_PLAN), values, NULL, false, 0);
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
	rc = SPI_execute_plan(get_plan(&days_plan, days_sql, 4, argtypes, CURSOR_OPT_GENERIC_PLAN), values, NULL, false, 1);
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
		rc = SPI_execute_plan(get_plan(&sensor_plan, sensor_sql, 3, argtypes, CURSOR_OPT_GENERIC_PLAN), values, nulls, true, 1);
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
	rc = SPI_execute_plan(get_plan(&profile_plan, profile_sql, 1, argtypes, CURSOR_OPT_GENERIC_PLAN), values, NULL, true, 0);
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
		char *metric = SPI_getvalue(tt->vals[i], tt->tupdesc, 1);
		char *key = SPI_getvalue(tt->vals[i], tt->tupdesc, 2);
		bool  isnull;
		int	  value = DatumGetInt32(SPI_getbinval(tt->vals[i], tt->tupdesc, 3, &isnull));
		int	  days = DatumGetInt32(SPI_getbinval(tt->vals[i], tt->tupdesc, 4, &isnull));
		int	  samples = DatumGetInt32(SPI_getbinval(tt->vals[i], tt->tupdesc, 5, &isnull));

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
