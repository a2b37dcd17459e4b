/*-------------------------------------------------------------------------
 * ingest.c
 *	  Validate and store sensor events: agingos_ingest, agingos_ingest_batch.
 *	  Field rules: contract.md section 5.  Results: contract.md section 4.
 *
 *	  Storage is one prepared INSERT … ON CONFLICT (home_id, event_id) DO
 *	  NOTHING per event (which also adds the home to agingos.homes); when the
 *	  id exists, one prepared SELECT compares the stored content to decide
 *	  between an identical repeat (deduped) and a conflict (23505).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/jsonapi.h"
#include "executor/spi.h"
#include "fmgr.h"
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

PG_FUNCTION_INFO_V1(agingos_ingest);
PG_FUNCTION_INFO_V1(agingos_ingest_jsonb);
PG_FUNCTION_INFO_V1(agingos_ingest_batch);
PG_FUNCTION_INFO_V1(agingos_ingest_batch_jsonb);

#define MAX_SCOPE_LEN 128	 /* characters of a home_id or stream_id */
#define BATCH_MAX_DEPTH 1000 /* deeper batches are refused as a whole */

static SPIPlanPtr insert_plan = NULL; /* per backend; prepared on first use */
static SPIPlanPtr compare_plan = NULL;

/* keep_plan: prepare sql with the given argument types and keep it. */
static SPIPlanPtr
keep_plan(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
}

/*
 * insert_event: store ev; true if a row was added, false if the id exists.
 * room_id is ROOM(payload) of rules.md 1.4: the first of room_id, room
 * whose ->> text is non-empty, else NULL.
 */
static bool
insert_event(const char *home_id, const char *stream_id, const AgParsedEvent *ev)
{
	Datum values[6];
	int	  rc;

	if (insert_plan == NULL)
	{
		Oid types[6] = {TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, JSONBOID, TEXTOID};

		insert_plan = keep_plan(
			"WITH h AS (INSERT INTO agingos.homes (home_id) VALUES ($1) ON CONFLICT (home_id) DO NOTHING) "
			"INSERT INTO agingos.events (home_id, event_id, \"timestamp\", category, payload, room_id, stream_id) "
			"VALUES ($1, $2, $3, $4, $5, "
			"COALESCE(NULLIF($5 OPERATOR(pg_catalog.->>) 'room_id', ''), NULLIF($5 OPERATOR(pg_catalog.->>) 'room', '')), $6) "
			"ON CONFLICT (home_id, event_id) DO NOTHING",
			6, types);
	}
	values[0] = CStringGetTextDatum(home_id);
	values[1] = CStringGetTextDatum(ev->event_id);
	values[2] = TimestampTzGetDatum(ev->ts);
	values[3] = CStringGetTextDatum(ev->category);
	values[4] = JsonbPGetDatum(ev->payload);
	values[5] = CStringGetTextDatum(stream_id);
	rc = SPI_execute_plan(insert_plan, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	return SPI_processed == 1;
}

/*
 * same_as_stored: whether the stored event with this id has the same
 * instant, category and payload (jsonb equality); stream_id plays no part
 * (contract.md section 5).  *exists is false if the row vanished meanwhile.
 */
static bool
same_as_stored(const char *home_id, const AgParsedEvent *ev, bool *exists)
{
	Datum values[5];
	bool  isnull;
	bool  same;
	int	  rc;

	if (compare_plan == NULL)
	{
		Oid types[5] = {TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, JSONBOID};

		compare_plan = keep_plan("SELECT \"timestamp\" = $3 AND category = $4 AND payload = $5 "
								 "FROM agingos.events WHERE home_id = $1 AND event_id = $2",
								 5, types);
	}
	values[0] = CStringGetTextDatum(home_id);
	values[1] = CStringGetTextDatum(ev->event_id);
	values[2] = TimestampTzGetDatum(ev->ts);
	values[3] = CStringGetTextDatum(ev->category);
	values[4] = JsonbPGetDatum(ev->payload);
	rc = SPI_execute_plan(compare_plan, values, NULL, false, 1); /* sees rows of this call */
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	*exists = SPI_processed == 1;
	if (!*exists)
		return false;
	same = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return same;
}

/*
 * classify_repeat: the id already has a row: identical content is an
 * idempotent repeat (deduped), other content a conflict (23505, nothing
 * changed).  Returns false if the row vanished meanwhile (then the caller
 * may insert again).
 */
static bool
classify_repeat(const char *home_id, const AgParsedEvent *ev, AgIngestOutcome *out)
{
	bool exists;

	if (same_as_stored(home_id, ev, &exists))
	{
		out->status = AG_INGEST_DEDUPED;
		return true;
	}
	if (!exists)
		return false;
	out->status = AG_INGEST_REJECTED;
	ag_error_set(&out->error, ERRCODE_UNIQUE_VIOLATION,
				 "event id already stored with different content",
				 psprintf("An event with id \"%s\" is stored for home \"%s\" with another timestamp, category or payload; nothing was changed.", ev->event_id, home_id),
				 "Give a new event its own id; resending exactly the same event is safe and reported as deduped.");
	return true;
}

/* store_event: insert, or classify the repeat as deduped or conflicting. */
static void
store_event(const char *home_id, const char *stream_id, const AgParsedEvent *ev, AgIngestOutcome *out)
{
	for (int attempt = 0; attempt < 2; attempt++)
	{
		if (insert_event(home_id, stream_id, ev))
		{
			out->status = AG_INGEST_ACCEPTED;
			return;
		}
		if (classify_repeat(home_id, ev, out))
			return;
		/* deleted between the two statements: try the insert once more */
	}
	elog(ERROR, "event \"%s\" neither inserted nor found", ev->event_id);
}

/* ag_ingest_check_scope: see ingest.h.  home_id and stream_id: 1..128 characters. */
bool
ag_ingest_check_scope(const char *home_id, const char *stream_id, AgError *err)
{
	const char *names[2] = {"home_id", "stream_id"};
	const char *vals[2] = {home_id, stream_id};

	for (int i = 0; i < 2; i++)
	{
		int n = pg_mbstrlen_with_len(vals[i], strlen(vals[i]));

		if (n == 0 || n > MAX_SCOPE_LEN)
			return ag_error_set(err, ERRCODE_INVALID_PARAMETER_VALUE,
								psprintf("invalid argument \"%s\"", names[i]),
								psprintf("The value has %d characters; 1 to %d are allowed.", n, MAX_SCOPE_LEN),
								i == 0 ? "Pass a home id such as 'default'." : "Pass a stream id such as 'prod'.");
	}
	return true;
}

/* ag_ingest_event: see ingest.h. */
void
ag_ingest_event(const char *json, int len, const char *home_id,
				const char *stream_id, AgIngestOutcome *out)
{
	AgParsedEvent ev;

	memset(out, 0, sizeof(*out));
	if (!ag_event_parse(json, len, ag_config_current()->ingest_max_future_minutes, -1,
						&ev, &out->event_id, &out->error))
	{
		out->status = AG_INGEST_REJECTED;
		return;
	}
	out->event_id = ev.event_id;
	store_event(home_id, stream_id, &ev, out);
}

/* ag_ingest_outcome_json: {"received":true,"deduped":bool,"event_id":…}. */
void
ag_ingest_outcome_json(StringInfo buf, const AgIngestOutcome *out)
{
	appendStringInfo(buf, "{\"received\":true,\"deduped\":%s,\"event_id\":",
					 out->status == AG_INGEST_DEDUPED ? "true" : "false");
	ag_append_json_string(buf, out->event_id);
	appendStringInfoChar(buf, '}');
}

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

#define BATCH_CHUNK 1000 /* rows per multi-row INSERT */

static SPIPlanPtr chunk_plan = NULL; /* per backend; prepared on first use */

/* text_array: a text[] Datum of n C strings. */
static Datum
text_array(char **strs, int n)
{
	Datum *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(strs[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * insert_chunk: one multi-row INSERT … ON CONFLICT DO NOTHING of the items
 * order[0 .. n-1] (already in event_id order, which unnest keeps), then
 * mark in inserted[] the items whose row was added: for each id returned,
 * the first item carrying it (a repeat inside the batch conflicts with it).
 */
static void
insert_chunk(BatchItem **order, int n, const char *home_id, const char *stream_id, bool *inserted)
{
	char **ids = palloc(sizeof(char *) * n);
	char **cats = palloc(sizeof(char *) * n);
	Datum *ts = palloc(sizeof(Datum) * n);
	Datum *payloads = palloc(sizeof(Datum) * n);
	Datum  values[6];
	char **got;
	int	   ngot;
	int	   rc;

	if (chunk_plan == NULL)
	{
		Oid types[6] = {TEXTOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, TEXTARRAYOID, JSONBARRAYOID, TEXTOID};

		chunk_plan = keep_plan(
			"WITH h AS (INSERT INTO agingos.homes (home_id) VALUES ($1) ON CONFLICT (home_id) DO NOTHING) "
			"INSERT INTO agingos.events (home_id, event_id, \"timestamp\", category, payload, room_id, stream_id) "
			"SELECT $1, u.event_id, u.ts, u.category, u.payload, "
			"COALESCE(NULLIF(u.payload OPERATOR(pg_catalog.->>) 'room_id', ''), NULLIF(u.payload OPERATOR(pg_catalog.->>) 'room', '')), $6 "
			"FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4), pg_catalog.unnest($5)) WITH ORDINALITY AS u(event_id, ts, category, payload, ord) "
			"ORDER BY u.ord "
			"ON CONFLICT (home_id, event_id) DO NOTHING RETURNING event_id",
			6, types);
	}
	for (int i = 0; i < n; i++)
	{
		ids[i] = order[i]->ev.event_id;
		cats[i] = order[i]->ev.category;
		ts[i] = TimestampTzGetDatum(order[i]->ev.ts);
		payloads[i] = JsonbPGetDatum(order[i]->ev.payload);
	}
	values[0] = CStringGetTextDatum(home_id);
	values[1] = text_array(ids, n);
	values[2] = PointerGetDatum(construct_array(ts, n, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[3] = text_array(cats, n);
	values[4] = PointerGetDatum(construct_array(payloads, n, JSONBOID, -1, false, TYPALIGN_INT));
	values[5] = CStringGetTextDatum(stream_id);
	rc = SPI_execute_plan(chunk_plan, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	ngot = (int) SPI_processed;
	got = palloc(sizeof(char *) * Max(ngot, 1));
	for (int i = 0; i < ngot; i++)
		got[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	qsort(got, ngot, sizeof(char *), cmp_names);
	/* merge: both lists in bytewise order; the first item of an id run wins */
	for (int i = 0, g = 0; i < n; i++)
	{
		while (g < ngot && strcmp(got[g], ids[i]) < 0)
			g++;
		inserted[i] = g < ngot && strcmp(got[g], ids[i]) == 0 &&
					  (i == 0 || strcmp(ids[i - 1], ids[i]) != 0);
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * store_sorted: store the valid items in event_id order, BATCH_CHUNK rows
 * per INSERT.  Two batches that share ids then take their row locks in the
 * same order and cannot deadlock; repeats of one id inside a batch keep
 * their array order (the first is accepted, later ones deduped or 23505,
 * decided against the stored row like a single repeat).
 */
static void
store_sorted(BatchItem *items, int n, const char *home_id, const char *stream_id)
{
	BatchItem	**order = palloc(sizeof(BatchItem *) * Max(n, 1));
	bool		 *inserted = palloc(sizeof(bool) * BATCH_CHUNK);
	int			  nvalid = 0;
	MemoryContext storecxt = AllocSetContextCreate(CurrentMemoryContext, "agingos ingest store", ALLOCSET_DEFAULT_SIZES);

	for (int i = 0; i < n; i++)
		if (items[i].valid)
			order[nvalid++] = &items[i];
	qsort(order, nvalid, sizeof(BatchItem *), cmp_items);
	for (int from = 0; from < nvalid; from += BATCH_CHUNK)
	{
		int			  m = Min(BATCH_CHUNK, nvalid - from);
		MemoryContext oldcxt = MemoryContextSwitchTo(storecxt);

		insert_chunk(order + from, m, home_id, stream_id, inserted);
		for (int i = 0; i < m; i++)
		{
			AgIngestOutcome *out = &order[from + i]->out;

			if (inserted[i])
				continue; /* stays AG_INGEST_ACCEPTED */
			if (!classify_repeat(home_id, &order[from + i]->ev, out))
				store_event(home_id, stream_id, &order[from + i]->ev, out); /* row vanished: retry alone */
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
	pfree(inserted);
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

/* check_scope_or_raise: validate home_id and stream_id arguments (22023). */
static void
check_scope_or_raise(const char *home_id, const char *stream_id)
{
	AgError err;

	if (!ag_ingest_check_scope(home_id, stream_id, &err))
		ag_error_raise(&err);
}

/* jsonb_result: the JSON text in buf as a jsonb Datum. */
static Datum
jsonb_result(StringInfo buf)
{
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf->data));
}

/*
 * ingest_one: shared body of both agingos_ingest forms.  json: event text;
 * raises the validation error (22007, 22023, 22030, 22P02, 22P05, 23505).
 */
static Datum
ingest_one(const char *json, int len, const char *home_id, const char *stream_id)
{
	AgIngestOutcome out;
	StringInfoData	buf;

	check_scope_or_raise(home_id, stream_id);
	initStringInfo(&buf); /* outside SPI: survives SPI_finish */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ag_ingest_event(json, len, home_id, stream_id, &out);
	if (out.status == AG_INGEST_REJECTED)
		ag_error_raise(&out.error);
	ag_ingest_outcome_json(&buf, &out);
	SPI_finish();
	return jsonb_result(&buf);
}

/*
 * agingos_ingest(event text, home_id text, stream_id text) → jsonb
 * Validate and store one event given as JSON text (contract.md 4, 5).
 * Returns {"received":true,"deduped":bool,"event_id":text}.
 */
Datum
agingos_ingest(PG_FUNCTION_ARGS)
{
	text *event = PG_GETARG_TEXT_PP(0);

	PG_RETURN_DATUM(ingest_one(VARDATA_ANY(event), VARSIZE_ANY_EXHDR(event),
							   text_to_cstring(PG_GETARG_TEXT_PP(1)),
							   text_to_cstring(PG_GETARG_TEXT_PP(2))));
}

/*
 * agingos_ingest(event jsonb, home_id text, stream_id text) → jsonb
 * Same as the text form; duplicate members cannot be detected (jsonb has
 * already kept the last one).
 */
Datum
agingos_ingest_jsonb(PG_FUNCTION_ARGS)
{
	Jsonb *event = PG_GETARG_JSONB_P(0);
	char  *json = JsonbToCString(NULL, &event->root, VARSIZE(event));

	PG_RETURN_DATUM(ingest_one(json, strlen(json),
							   text_to_cstring(PG_GETARG_TEXT_PP(1)),
							   text_to_cstring(PG_GETARG_TEXT_PP(2))));
}

/* batch_all: shared body of both agingos_ingest_batch forms. */
static Datum
batch_all(const char *json, int len, const char *home_id, const char *stream_id)
{
	StringInfoData buf;
	AgError		   err;
	bool		   ok;

	check_scope_or_raise(home_id, stream_id);
	initStringInfo(&buf);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ok = ag_ingest_batch(json, len, home_id, stream_id, &buf, &err);
	if (!ok)
		ag_error_raise(&err);
	SPI_finish();
	return jsonb_result(&buf);
}

/*
 * agingos_ingest_batch(events text, home_id text, stream_id text) → jsonb
 * A JSON array of at most 10,000 events; each valid item is stored, each bad
 * one rejected alone (contract.md section 4).  Raises 22023 / 22P02 when
 * the array as a whole is unusable; then nothing is stored.
 */
Datum
agingos_ingest_batch(PG_FUNCTION_ARGS)
{
	text *events = PG_GETARG_TEXT_PP(0);

	PG_RETURN_DATUM(batch_all(VARDATA_ANY(events), VARSIZE_ANY_EXHDR(events),
							  text_to_cstring(PG_GETARG_TEXT_PP(1)),
							  text_to_cstring(PG_GETARG_TEXT_PP(2))));
}

/* agingos_ingest_batch(events jsonb, …): as the text form. */
Datum
agingos_ingest_batch_jsonb(PG_FUNCTION_ARGS)
{
	Jsonb *events = PG_GETARG_JSONB_P(0);
	char  *json = JsonbToCString(NULL, &events->root, VARSIZE(events));

	PG_RETURN_DATUM(batch_all(json, strlen(json),
							  text_to_cstring(PG_GETARG_TEXT_PP(1)),
							  text_to_cstring(PG_GETARG_TEXT_PP(2))));
}
