/*-------------------------------------------------------------------------
 * ingest.c
 *	  Validate and store sensor events: agingos_ingest, agingos_ingest_batch.
 *	  Field rules: contract.md section 5.  Results: contract.md section 4.
 *
 *	  agingos.events is partitioned by UTC day, so no unique index can hold
 *	  (home_id, event_id) (docs/scale.md "Dedupe and 409 across
 *	  partitions").  Instead each call takes a transaction advisory lock (a
 *	  single event: its home's in share mode plus one on its id, so one
 *	  home's events are stored side by side; a batch: its home's,
 *	  exclusively), probes agingos.event_keys for the id (one prepared
 *	  SELECT on the latest snapshot: one table, whatever the number of
 *	  partitions), rechecks a hit against the stored event in its partition
 *	  (identical → deduped, different → 23505) and inserts only ids not
 *	  found (one prepared INSERT, which also adds the home to agingos.homes;
 *	  the trigger events_keys adds the key).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "common/jsonapi.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "agingos.h"
#include "config.h"
#include "eventjson.h"
#include "ingest.h"
#include "ingest_int.h"

PG_FUNCTION_INFO_V1(agingos_ingest);
PG_FUNCTION_INFO_V1(agingos_ingest_jsonb);
PG_FUNCTION_INFO_V1(agingos_ingest_batch);
PG_FUNCTION_INFO_V1(agingos_ingest_batch_jsonb);

#define MAX_SCOPE_LEN 128 /* characters of a home_id or stream_id */

static SPIPlanPtr insert_plan = NULL; /* per backend; prepared on first use */
static SPIPlanPtr compare_plan = NULL;
static SPIPlanPtr key_plan = NULL;			  /* event_keys probe of one id */
static SPIPlanPtr keys_plan = NULL;			  /* ... of several */
static SPIPlanPtr legacy_compare_plan = NULL; /* an 0.1.0 schema (no event_keys) */

/*
 * ag_ingest_keep_plan: prepare sql with the given argument types and cursor
 * options (0; CURSOR_OPT_GENERIC_PLAN for the event_keys probes, planned
 * once; CURSOR_OPT_CUSTOM_PLAN for the rechecks against events, planned for
 * their instants so that only those partitions are opened and locked) and
 * keep it.
 */
SPIPlanPtr
ag_ingest_keep_plan(const char *sql, int nargs, Oid *argtypes, int cursor_options)
{
	SPIPlanPtr plan = SPI_prepare_cursor(sql, nargs, argtypes, cursor_options);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
}

/*
 * ag_ingest_lock_home: take the transaction advisory lock of home_id's event ids,
 * the same as SQL pg_advisory_xact_lock(hashtext('agingos.ingest'),
 * hashtext(home_id)) (hashtext of a deterministic collation hashes the
 * bytes).  Every agingos_ingest / agingos_ingest_batch of one home holds it
 * from its probe to the end of its transaction, so the probe for an id and
 * the insert that follows it cannot interleave with another call storing
 * the same (home_id, event_id) (docs/scale.md "Dedupe and 409 across
 * partitions": events is partitioned by day and has no unique key on it).
 */
/* lock_class: the advisory lock class of name (its hash_bytes), as int32. */
static int32
lock_class(const char *name)
{
	return (int32) hash_bytes((const unsigned char *) name, strlen(name));
}

void
ag_ingest_lock_home(const char *home_id)
{
	static int32 classid = 0;
	int32		 key = (int32) hash_bytes((const unsigned char *) home_id, strlen(home_id));

	if (classid == 0)
		classid = lock_class("agingos.ingest");
	DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(classid), Int32GetDatum(key));
}

/*
 * lock_event: the lock of one single-event store.  The home's lock in
 * SHARE mode plus an exclusive lock on (home_id, U+001F, event_id): two
 * calls storing different ids of one home run side by side, two storing
 * the same id are serialised (the second's probe then sees the first's
 * row), and a batch of the home (ag_ingest_lock_home, exclusive) excludes
 * both (docs/scale.md "Dedupe and 409 across partitions").  Held to
 * commit: a transaction that stores thousands of single events holds as
 * many locks (max_locks_per_transaction; agingos_ingest_batch takes one).
 * Two transactions storing the same ids in opposite orders can deadlock
 * (40P01, one is rolled back), as with a unique index.
 */
static void
lock_event(const char *home_id, const char *event_id)
{
	static int32 hclass = 0;
	static int32 kclass = 0;
	int32		 hkey = (int32) hash_bytes((const unsigned char *) home_id, strlen(home_id));
	char		*k;
	int32		 kkey;

	if (hclass == 0)
		hclass = lock_class("agingos.ingest"), kclass = lock_class("agingos.ingest.id");

	DirectFunctionCall2(pg_advisory_xact_lock_shared_int4, Int32GetDatum(hclass), Int32GetDatum(hkey));
	k = psprintf("%s\x1f%s", home_id, event_id);
	kkey = (int32) hash_bytes((const unsigned char *) k, strlen(k));
	pfree(k);
	DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(kclass), Int32GetDatum(kkey));
}

/*
 * ag_ingest_execute_latest: run a kept plan on the latest snapshot (after lock_home,
 * it sees every committed row of the home also under REPEATABLE READ, and
 * this transaction's own rows).
 */
int
ag_ingest_execute_latest(SPIPlanPtr plan, Datum *values, long tcount)
{
	return SPI_execute_snapshot(plan, values, NULL, GetLatestSnapshot(), InvalidSnapshot, false, false, tcount);
}

/*
 * ag_ingest_insert_event: store ev (the caller holds lock_home and has found no row
 * with its id).  room_id is ROOM(payload) of rules.md 1.4: the first of
 * room_id, room whose ->> text is non-empty, else NULL.
 */
void
ag_ingest_insert_event(const char *home_id, const char *stream_id, const AgParsedEvent *ev)
{
	Datum values[6];
	int	  rc;

	if (insert_plan == NULL)
	{
		Oid types[6] = {TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, JSONBOID, TEXTOID};

		insert_plan = ag_ingest_keep_plan(
			"WITH h AS (INSERT INTO agingos.homes (home_id) VALUES ($1) ON CONFLICT (home_id) DO NOTHING) "
			"INSERT INTO agingos.events (home_id, event_id, \"timestamp\", category, payload, room_id, stream_id) "
			"VALUES ($1, $2, $3, $4, $5, "
			"COALESCE(NULLIF($5 OPERATOR(pg_catalog.->>) 'room_id', ''), NULLIF($5 OPERATOR(pg_catalog.->>) 'room', '')), $6)",
			6, types, 0);
	}
	values[0] = CStringGetTextDatum(home_id);
	values[1] = CStringGetTextDatum(ev->event_id);
	values[2] = TimestampTzGetDatum(ev->ts);
	values[3] = CStringGetTextDatum(ev->category);
	values[4] = JsonbPGetDatum(ev->payload);
	values[5] = CStringGetTextDatum(stream_id);
	rc = SPI_execute_plan(insert_plan, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT || SPI_processed != 1)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

/*
 * ag_ingest_have_keys: see ingest_int.h.  A syscache lookup per call (no
 * cached answer: ALTER EXTENSION agingos UPDATE in another session adds
 * the table while this backend lives).
 */
bool
ag_ingest_have_keys(void)
{
	Oid nsp = get_namespace_oid("agingos", true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid("event_keys", nsp));
}

/* ag_ingest_key_instants: see ingest_int.h. */
Datum
ag_ingest_key_instants(const char *home_id, char **ids, int n)
{
	Datum  values[2];
	Datum *ts;
	int	   rc;
	int	   got;

	if (n == 1)
	{
		if (key_plan == NULL)
		{
			Oid types[2] = {TEXTOID, TEXTOID};

			key_plan = ag_ingest_keep_plan("SELECT DISTINCT k.\"timestamp\" FROM agingos.event_keys k "
										   "WHERE k.key_hash = " AG_EVENT_KEY_HASH("$1", "$2"),
										   2, types, CURSOR_OPT_GENERIC_PLAN);
		}
		values[1] = CStringGetTextDatum(ids[0]);
	}
	else
	{
		if (keys_plan == NULL)
		{
			Oid types[2] = {TEXTOID, TEXTARRAYOID};

			keys_plan = ag_ingest_keep_plan("SELECT DISTINCT k.\"timestamp\" FROM agingos.event_keys k "
											"WHERE k.key_hash OPERATOR(pg_catalog.=) ANY "
											"(ARRAY(SELECT " AG_EVENT_KEY_HASH("$1", "x") " FROM pg_catalog.unnest($2) x))",
											2, types, CURSOR_OPT_GENERIC_PLAN);
		}
		values[1] = ag_text_array(ids, n);
	}
	values[0] = CStringGetTextDatum(home_id);
	rc = ag_ingest_execute_latest(n == 1 ? key_plan : keys_plan, values, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_snapshot failed: %s", SPI_result_code_string(rc));
	got = (int) SPI_processed;
	if (got == 0)
	{
		SPI_freetuptable(SPI_tuptable);
		return (Datum) 0;
	}
	ts = palloc(sizeof(Datum) * got);
	for (int i = 0; i < got; i++)
	{
		bool isnull;

		ts[i] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
	}
	SPI_freetuptable(SPI_tuptable);
	return PointerGetDatum(construct_array(ts, got, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * compare_stored: run a recheck plan (one boolean column: same content) on
 * the latest snapshot; *exists is whether it found the row.
 */
static bool
compare_stored(SPIPlanPtr plan, Datum *values, bool *exists)
{
	bool isnull;
	bool same = false;
	int	 rc = ag_ingest_execute_latest(plan, values, 1);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_snapshot failed: %s", SPI_result_code_string(rc));
	*exists = SPI_processed == 1;
	if (*exists)
		same = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return same;
}

/*
 * same_as_stored: whether the stored event with this id (at one of the
 * instants agingos.event_keys holds for it, in whichever partition) has
 * the same instant, category and payload (jsonb equality); stream_id plays
 * no part (contract.md section 5).  *exists is false if no row has the id.
 * The recheck is planned for its instants (a custom plan), so it opens only
 * their partitions.
 */
static bool
same_as_stored(const char *home_id, const AgParsedEvent *ev, bool *exists)
{
	char *ids[1] = {ev->event_id};
	Datum values[6];

	*exists = false;
	if (!ag_ingest_have_keys())
	{
		/* an 0.1.0 schema before ALTER EXTENSION UPDATE: its unique (home_id, event_id) index */
		if (legacy_compare_plan == NULL)
		{
			Oid types[5] = {TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, JSONBOID};

			legacy_compare_plan = ag_ingest_keep_plan("SELECT e.\"timestamp\" = $3 AND e.category = $4 AND e.payload = $5 "
													  "FROM agingos.events e WHERE e.home_id = $1 AND e.event_id = $2",
													  5, types, 0);
		}
		values[0] = CStringGetTextDatum(home_id);
		values[1] = CStringGetTextDatum(ev->event_id);
		values[2] = TimestampTzGetDatum(ev->ts);
		values[3] = CStringGetTextDatum(ev->category);
		values[4] = JsonbPGetDatum(ev->payload);
		return compare_stored(legacy_compare_plan, values, exists);
	}
	values[5] = ag_ingest_key_instants(home_id, ids, 1);
	if (values[5] == (Datum) 0)
		return false;
	if (compare_plan == NULL)
	{
		Oid types[6] = {TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, JSONBOID, TIMESTAMPTZARRAYOID};

		compare_plan = ag_ingest_keep_plan("SELECT e.\"timestamp\" = $3 AND e.category = $4 AND e.payload = $5 "
										   "FROM agingos.events e "
										   "WHERE e.home_id = $1 AND e.\"timestamp\" OPERATOR(pg_catalog.=) ANY ($6) AND e.event_id = $2",
										   6, types, CURSOR_OPT_CUSTOM_PLAN);
	}
	values[0] = CStringGetTextDatum(home_id);
	values[1] = CStringGetTextDatum(ev->event_id);
	values[2] = TimestampTzGetDatum(ev->ts);
	values[3] = CStringGetTextDatum(ev->category);
	values[4] = JsonbPGetDatum(ev->payload);
	return compare_stored(compare_plan, values, exists);
}

/*
 * ag_ingest_classify_repeat: if the id already has a row, identical content is an
 * idempotent repeat (deduped), other content a conflict (23505, nothing
 * changed), and true is returned; false if no row has the id.
 */
bool
ag_ingest_classify_repeat(const char *home_id, const AgParsedEvent *ev, AgIngestOutcome *out)
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

/* store_event: under the event's lock (lock_event), classify a repeat or insert. */
static void
store_event(const char *home_id, const char *stream_id, const AgParsedEvent *ev, AgIngestOutcome *out)
{
	lock_event(home_id, ev->event_id);
	if (ag_ingest_classify_repeat(home_id, ev, out))
		return;
	ag_ingest_insert_event(home_id, stream_id, ev);
	out->status = AG_INGEST_ACCEPTED;
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
 * require_args: the SQL entry points are not STRICT, so that a NULL
 * argument is a clear error (22004, naming it) instead of a NULL result
 * with nothing stored (contract.md section 4).  first names argument 0
 * ("event" or "events"); 1 and 2 are home_id and stream_id.
 */
static void
require_args(FunctionCallInfo fcinfo, const char *first)
{
	const char *names[3] = {first, "home_id", "stream_id"};

	for (int i = 0; i < 3; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument \"%s\" must not be null", names[i]),
					 errdetail("Nothing was stored."),
					 errhint("Pass the %s as JSON; leave home_id and stream_id out for 'default' and 'prod'.",
							 strcmp(first, "event") == 0 ? "event object" : "array of events")));
}

/*
 * agingos_ingest(event text, home_id text, stream_id text) → jsonb
 * Validate and store one event given as JSON text (contract.md 4, 5).
 * Returns {"received":true,"deduped":bool,"event_id":text}.  22004 for a
 * NULL argument (require_args).
 */
Datum
agingos_ingest(PG_FUNCTION_ARGS)
{
	text *event;

	require_args(fcinfo, "event");
	event = PG_GETARG_TEXT_PP(0);
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
	Jsonb *event;
	char  *json;

	require_args(fcinfo, "event");
	event = PG_GETARG_JSONB_P(0);
	json = JsonbToCString(NULL, &event->root, VARSIZE(event));
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
	text *events;

	require_args(fcinfo, "events");
	events = PG_GETARG_TEXT_PP(0);
	PG_RETURN_DATUM(batch_all(VARDATA_ANY(events), VARSIZE_ANY_EXHDR(events),
							  text_to_cstring(PG_GETARG_TEXT_PP(1)),
							  text_to_cstring(PG_GETARG_TEXT_PP(2))));
}

/* agingos_ingest_batch(events jsonb, …): as the text form. */
Datum
agingos_ingest_batch_jsonb(PG_FUNCTION_ARGS)
{
	Jsonb *events;
	char  *json;

	require_args(fcinfo, "events");
	events = PG_GETARG_JSONB_P(0);
	json = JsonbToCString(NULL, &events->root, VARSIZE(events));
	PG_RETURN_DATUM(batch_all(json, strlen(json),
							  text_to_cstring(PG_GETARG_TEXT_PP(1)),
							  text_to_cstring(PG_GETARG_TEXT_PP(2))));
}
