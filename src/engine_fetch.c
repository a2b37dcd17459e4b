/*-------------------------------------------------------------------------
 * engine_fetch.c
 *	  The one events range scan of the rule engine (design.md "engine";
 *	  rules.md 2.4); the smaller per-home probes are in engine_probe.c.
 *	  engine.c decides which of them run; both run through SPI plans kept
 *	  per backend (ag_engine_plan).
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

#define AG_ARENA_BLOCK ((Size) 256 * 1024)		/* arena block size, bytes */
#define AG_ARENA_KEEP ((Size) 32 * 1024 * 1024) /* keep at most this between homes */
#define AG_EVENTS_INITIAL 1024					/* first capacity of the array */
#define AG_INTERN_MAX 32						/* distinct values interned per column */
#define AG_EVENT_COLS 6							/* columns of fetch_sql */

/* The events scan's plan, prepared once per backend (style.md 2.6). */
static SPIPlanPtr fetch_plan = NULL;

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

/* ag_engine_plan: see engine.h. */
SPIPlanPtr
ag_engine_plan(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes, int cursor_options)
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
	SPIPlanPtr		  plan = ag_engine_plan(&fetch_plan, fetch_sql, 3, argtypes, 0);
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
