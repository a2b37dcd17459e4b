/*-------------------------------------------------------------------------
 * ingest_batch.c
 *	  agingos_ingest_batch's storage: split the array, validate every item,
 *	  store the valid ones per home under its advisory lock (probe, then
 *	  one multi-row INSERT per chunk).  Results: contract.md section 4;
 *	  dedupe across partitions: docs/scale.md.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/jsonapi.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "agingos.h"
#include "config.h"
#include "eventjson.h"
#include "ingest.h"
#include "ingest_int.h"

#define BATCH_MAX_DEPTH 1000 /* deeper batches are refused as a whole */

/* Spans of the top-level elements of a batch array. */
typedef struct BatchState
{
	JsonLexContext *lex;
	int				depth;
	JsonTokenType	root_type;
	int				n;
	int				cap;
	char		  **start;
	int			   *len;
	int			   *depth_of; /* nesting depth of each element (its own objects and arrays) */
	int				elem_max; /* deepest level reached inside the current element */
} BatchState;

static void
batch_open(BatchState *st, JsonTokenType type)
{
	if (st->depth == 0)
		st->root_type = type;
	st->depth++;
	if (st->depth > st->elem_max)
		st->elem_max = st->depth;
}

static void
batch_object_start(void *state)
{
	batch_open((BatchState *) state, JSON_TOKEN_OBJECT_START);
}

static void
batch_array_start(void *state)
{
	batch_open((BatchState *) state, JSON_TOKEN_ARRAY_START);
}

static void
batch_close(void *state)
{
	((BatchState *) state)->depth--;
}

static void
batch_scalar(void *state, char *token, JsonTokenType type)
{
	BatchState *st = (BatchState *) state;

	if (st->depth == 0)
		st->root_type = type;
}

/* batch_elem_start: a top-level element begins at the current token. */
static void
batch_elem_start(void *state, bool isnull)
{
	BatchState *st = (BatchState *) state;

	if (st->depth != 1)
		return;
	if (st->n < AG_MAX_BATCH_ITEMS)
	{
		if (st->n == st->cap)
		{
			st->cap = st->cap ? st->cap * 2 : 64;
			st->start = st->start ? repalloc(st->start, sizeof(char *) * st->cap) : palloc(sizeof(char *) * st->cap);
			st->len = st->len ? repalloc(st->len, sizeof(int) * st->cap) : palloc(sizeof(int) * st->cap);
			st->depth_of = st->depth_of ? repalloc(st->depth_of, sizeof(int) * st->cap) : palloc(sizeof(int) * st->cap);
		}
		st->start[st->n] = st->lex->token_start;
	}
	st->elem_max = 1;
	st->n++;
}

/* batch_elem_end: the element ended at the previous token's end. */
static void
batch_elem_end(void *state, bool isnull)
{
	BatchState *st = (BatchState *) state;

	if (st->depth == 1 && st->n <= AG_MAX_BATCH_ITEMS)
	{
		st->len[st->n - 1] = st->lex->prev_token_terminator - st->start[st->n - 1];
		st->depth_of[st->n - 1] = st->elem_max - 1;
	}
}

/*
 * split_batch: find the raw text of each element of the array.  Escapes
 * are not decoded here (need_escapes = false), so an item with \u0000 is
 * rejected on its own later instead of failing the whole batch.
 */
static bool
split_batch(const char *json, int len, BatchState *st, AgError *err)
{
	JsonSemAction	   sem = {0};
	JsonParseErrorType rc;
	const char		  *hint = "Send a JSON array of event objects, at most 10000 per call.";

	if (!ag_json_depth_ok(json, len, BATCH_MAX_DEPTH, NULL))
		return ag_error_set(err, ERRCODE_INVALID_PARAMETER_VALUE, "batch is nested too deeply to parse",
							psprintf("Objects or arrays nest more than %d levels.", BATCH_MAX_DEPTH), hint);
	st->lex = makeJsonLexContextCstringLen((char *) json, len, PG_UTF8, false);
	sem.semstate = st;
	sem.object_start = batch_object_start;
	sem.object_end = batch_close;
	sem.array_start = batch_array_start;
	sem.array_end = batch_close;
	sem.scalar = batch_scalar;
	sem.array_element_start = batch_elem_start;
	sem.array_element_end = batch_elem_end;
	rc = pg_parse_json(st->lex, &sem);
	if (rc == JSON_EXPECTED_MORE)
		return ag_error_set(err, ERRCODE_INVALID_TEXT_REPRESENTATION, "batch is not valid JSON",
							"The JSON text ends before its last object or array is closed.", hint);
	if (rc != JSON_SUCCESS)
		return ag_error_set(err, ERRCODE_INVALID_TEXT_REPRESENTATION, "batch is not valid JSON",
							psprintf("The JSON syntax is broken at byte %d.", (int) (st->lex->token_start - st->lex->input) + 1), hint);
	if (st->root_type != JSON_TOKEN_ARRAY_START)
		return ag_error_set(err, ERRCODE_INVALID_PARAMETER_VALUE, "batch must be a JSON array",
							"The body is not an array of events.", hint);
	if (st->n > AG_MAX_BATCH_ITEMS)
		return ag_error_set(err, ERRCODE_INVALID_PARAMETER_VALUE, "batch has too many events",
							psprintf("The array has %d items; at most %d are allowed per call. Nothing was stored.", st->n, AG_MAX_BATCH_ITEMS),
							"Split the events into several calls.");
	return true;
}

/* append_item_result: results[i] of contract.md section 4. */
static void
append_item_result(StringInfo buf, int index, const AgIngestOutcome *out)
{
	static const char *names[] = {"accepted", "deduped", "rejected"};

	appendStringInfo(buf, "%s{\"index\":%d,\"status\":\"%s\",\"event_id\":", index ? "," : "", index, names[out->status]);
	if (out->event_id)
		ag_append_json_string(buf, out->event_id);
	else
		appendStringInfoString(buf, "null");
	appendStringInfoString(buf, ",\"error\":");
	if (out->status == AG_INGEST_REJECTED)
		ag_error_json(buf, &out->error);
	else
		appendStringInfoString(buf, "null");
	appendStringInfoChar(buf, '}');
}

/* One batch item between validation and storage. */
typedef struct BatchItem
{
	int				index; /* position in the array */
	bool			valid;
	AgParsedEvent	ev;
	AgIngestOutcome out;
} BatchItem;

/* cmp_names: qsort comparator for C strings, bytewise. */
static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* cmp_items: event_id bytewise, then position (keeps repeats in order). */
static int
cmp_items(const void *a, const void *b)
{
	const BatchItem *x = *(const BatchItem *const *) a;
	const BatchItem *y = *(const BatchItem *const *) b;
	int				 c = strcmp(x->ev.event_id, y->ev.event_id);

	return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

#define BATCH_CHUNK 1000 /* rows per probe and per multi-row INSERT */

static SPIPlanPtr probe_plan = NULL; /* per backend; prepared on first use */
static SPIPlanPtr chunk_plan = NULL;
static SPIPlanPtr legacy_probe_plan = NULL; /* an 0.1.0 schema (no event_keys) */

/* ag_text_array: see ingest_int.h. */
Datum
ag_text_array(char **strs, int n)
{
	Datum *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(strs[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * probe_chunk: mark in found[] the items of order[0 .. n-1] (in event_id
 * order) whose id already has a row of the home, in any partition: the
 * probe of agingos.event_keys (ag_ingest_key_instants, on the latest
 * snapshot; the caller holds lock_home), and only on a hit a recheck of
 * events at those instants (a custom plan: their partitions only).
 */
static void
probe_chunk(BatchItem **order, int n, const char *home_id, bool *found)
{
	char **ids = palloc(sizeof(char *) * n);
	Datum  values[3];
	char **got;
	int	   ngot;
	int	   rc;

	for (int i = 0; i < n; i++)
		ids[i] = order[i]->ev.event_id;
	memset(found, 0, sizeof(bool) * n);
	values[0] = CStringGetTextDatum(home_id);
	if (!ag_ingest_have_keys())
	{
		/* an 0.1.0 schema before ALTER EXTENSION UPDATE: its unique (home_id, event_id) index */
		if (legacy_probe_plan == NULL)
		{
			Oid types[2] = {TEXTOID, TEXTARRAYOID};

			legacy_probe_plan = ag_ingest_keep_plan("SELECT e.event_id FROM agingos.events e "
													"WHERE e.home_id = $1 AND e.event_id OPERATOR(pg_catalog.=) ANY ($2)",
													2, types, 0);
		}
		values[1] = ag_text_array(ids, n);
		rc = ag_ingest_execute_latest(legacy_probe_plan, values, 0);
	}
	else
	{
		values[2] = ag_ingest_key_instants(home_id, ids, n);
		if (values[2] == (Datum) 0)
			return;
		if (probe_plan == NULL)
		{
			Oid types[3] = {TEXTOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID};

			probe_plan = ag_ingest_keep_plan(
				"SELECT e.event_id FROM agingos.events e "
				"WHERE e.home_id = $1 AND e.\"timestamp\" OPERATOR(pg_catalog.=) ANY ($3) "
				"AND e.event_id OPERATOR(pg_catalog.=) ANY ($2)",
				3, types, CURSOR_OPT_CUSTOM_PLAN);
		}
		values[1] = ag_text_array(ids, n);
		rc = ag_ingest_execute_latest(probe_plan, values, 0);
	}
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_snapshot failed: %s", SPI_result_code_string(rc));
	ngot = (int) SPI_processed;
	got = palloc(sizeof(char *) * Max(ngot, 1));
	for (int i = 0; i < ngot; i++)
		got[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	qsort(got, ngot, sizeof(char *), cmp_names);
	/* merge: both lists in bytewise order */
	for (int i = 0, g = 0; i < n; i++)
	{
		while (g < ngot && strcmp(got[g], ids[i]) < 0)
			g++;
		found[i] = g < ngot && strcmp(got[g], ids[i]) == 0;
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * insert_chunk: one multi-row INSERT of the items order[i] with insert[i]
 * set (their ids have no row yet; in event_id order, which unnest keeps).
 */
static void
insert_chunk(BatchItem **order, int n, const bool *insert, const char *home_id, const char *stream_id)
{
	char **ids = palloc(sizeof(char *) * n);
	char **cats = palloc(sizeof(char *) * n);
	Datum *ts = palloc(sizeof(Datum) * n);
	Datum *payloads = palloc(sizeof(Datum) * n);
	Datum  values[6];
	int	   k = 0;
	int	   rc;

	if (chunk_plan == NULL)
	{
		Oid types[6] = {TEXTOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, TEXTARRAYOID, JSONBARRAYOID, TEXTOID};

		chunk_plan = ag_ingest_keep_plan(
			"WITH h AS (INSERT INTO agingos.homes (home_id) VALUES ($1) ON CONFLICT (home_id) DO NOTHING) "
			"INSERT INTO agingos.events (home_id, event_id, \"timestamp\", category, payload, room_id, stream_id) "
			"SELECT $1, u.event_id, u.ts, u.category, u.payload, "
			"COALESCE(NULLIF(u.payload OPERATOR(pg_catalog.->>) 'room_id', ''), NULLIF(u.payload OPERATOR(pg_catalog.->>) 'room', '')), $6 "
			"FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4), pg_catalog.unnest($5)) WITH ORDINALITY AS u(event_id, ts, category, payload, ord) "
			"ORDER BY u.ord",
			6, types, 0);
	}
	for (int i = 0; i < n; i++)
	{
		if (!insert[i])
			continue;
		ids[k] = order[i]->ev.event_id;
		cats[k] = order[i]->ev.category;
		ts[k] = TimestampTzGetDatum(order[i]->ev.ts);
		payloads[k] = JsonbPGetDatum(order[i]->ev.payload);
		k++;
	}
	if (k == 0)
		return;
	values[0] = CStringGetTextDatum(home_id);
	values[1] = ag_text_array(ids, k);
	values[2] = PointerGetDatum(construct_array(ts, k, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[3] = ag_text_array(cats, k);
	values[4] = PointerGetDatum(construct_array(payloads, k, JSONBOID, -1, false, TYPALIGN_INT));
	values[5] = CStringGetTextDatum(stream_id);
	rc = SPI_execute_plan(chunk_plan, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT || SPI_processed != (uint64) k)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

/*
 * store_sorted: store the valid items in event_id order, BATCH_CHUNK rows
 * per probe and INSERT, under the home's advisory lock (lock_home, taken
 * once).  An id with no row is inserted by its first item; repeats of one
 * id inside a batch keep their array order (the first is accepted, later
 * ones deduped or 23505, decided against the stored row like a single
 * repeat), and so are ids already stored, whatever day they carry.
 */
static void
store_sorted(BatchItem *items, int n, const char *home_id, const char *stream_id)
{
	BatchItem	**order = palloc(sizeof(BatchItem *) * Max(n, 1));
	bool		 *found = palloc(sizeof(bool) * BATCH_CHUNK);
	bool		 *insert = palloc(sizeof(bool) * BATCH_CHUNK);
	int			  nvalid = 0;
	MemoryContext storecxt = AllocSetContextCreate(CurrentMemoryContext, "agingos ingest store", ALLOCSET_DEFAULT_SIZES);

	for (int i = 0; i < n; i++)
		if (items[i].valid)
			order[nvalid++] = &items[i];
	qsort(order, nvalid, sizeof(BatchItem *), cmp_items);
	if (nvalid > 0)
		ag_ingest_lock_home(home_id);
	for (int from = 0; from < nvalid; from += BATCH_CHUNK)
	{
		int			  m = Min(BATCH_CHUNK, nvalid - from);
		MemoryContext oldcxt = MemoryContextSwitchTo(storecxt);

		probe_chunk(order + from, m, home_id, found);
		for (int i = 0; i < m; i++)
			insert[i] = !found[i] &&
						(i == 0 || strcmp(order[from + i - 1]->ev.event_id, order[from + i]->ev.event_id) != 0);
		insert_chunk(order + from, m, insert, home_id, stream_id);
		for (int i = 0; i < m; i++)
		{
			AgIngestOutcome *out = &order[from + i]->out;

			if (insert[i])
				continue; /* stays AG_INGEST_ACCEPTED */
			if (!ag_ingest_classify_repeat(home_id, &order[from + i]->ev, out))
			{
				/* the stored row went meanwhile (retention): store this one */
				ag_ingest_insert_event(home_id, stream_id, &order[from + i]->ev);
				out->status = AG_INGEST_ACCEPTED;
			}
		}
		MemoryContextSwitchTo(oldcxt);
		for (int i = 0; i < m; i++)
		{
			AgIngestOutcome *out = &order[from + i]->out;

			if (out->status == AG_INGEST_REJECTED) /* 23505: outlive the reset */
				ag_error_set(&out->error, out->error.sqlstate, out->error.message, out->error.detail, out->error.hint);
		}
		MemoryContextReset(storecxt);
		CHECK_FOR_INTERRUPTS();
	}
	MemoryContextDelete(storecxt);
	pfree(insert);
	pfree(found);
	pfree(order);
}

/*
 * ag_ingest_batch: see ingest.h.  Every item is validated first (in array
 * order), then the valid ones are stored in event_id order (store_sorted),
 * then results[] is written in array order.
 */
bool
ag_ingest_batch(const char *json, int len, const char *home_id,
				const char *stream_id, StringInfo buf, AgError *err)
{
	BatchState	   st = {0};
	StringInfoData results;
	int			   counts[3] = {0, 0, 0};
	int			   max_future = ag_config_current()->ingest_max_future_minutes;
	BatchItem	  *items;
	MemoryContext  scratch;

	if (!split_batch(json, len, &st, err))
		return false;
	items = palloc0(sizeof(BatchItem) * Max(st.n, 1));
	scratch = AllocSetContextCreate(CurrentMemoryContext, "agingos batch item", ALLOCSET_DEFAULT_SIZES);
	for (int i = 0; i < st.n; i++)
	{
		items[i].index = i;
		items[i].valid = ag_event_parse_scratch(scratch, st.start[i], st.len[i], max_future, st.depth_of[i],
												&items[i].ev, &items[i].out.event_id, &items[i].out.error);
		items[i].out.status = items[i].valid ? AG_INGEST_ACCEPTED : AG_INGEST_REJECTED;
		if (items[i].valid)
			items[i].out.event_id = items[i].ev.event_id;
		CHECK_FOR_INTERRUPTS();
	}
	MemoryContextDelete(scratch);
	store_sorted(items, st.n, home_id, stream_id);
	initStringInfo(&results);
	for (int i = 0; i < st.n; i++)
	{
		counts[items[i].out.status]++;
		append_item_result(&results, i, &items[i].out);
	}
	appendStringInfo(buf, "{\"accepted\":%d,\"deduped\":%d,\"rejected\":%d,\"results\":[%s]}",
					 counts[0], counts[1], counts[2], results.data);
	return true;
}
