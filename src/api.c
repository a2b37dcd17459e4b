/*-------------------------------------------------------------------------
 * api.c
 *	  HTTP route functions written in C (the hot ingest routes) and the
 *	  helpers every route shares: API keys, status mapping, error bodies,
 *	  instants in and out.  Routes and statuses: contract.md section 6.
 *
 *	  A route function never throws for a bad request: it returns the HTTP
 *	  status and the JSON body, so the front adds nothing.  Only failures of
 *	  the database itself propagate (the front answers those with 500).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "api.h"
#include "ingest.h"
#include "timeparse.h"
#include "util.h"

PG_FUNCTION_INFO_V1(agingos_http_error);
PG_FUNCTION_INFO_V1(agingos_parse_instant);
PG_FUNCTION_INFO_V1(agingos_iso);
PG_FUNCTION_INFO_V1(agingos_http_event);
PG_FUNCTION_INFO_V1(agingos_http_events_batch);

/* ag_http_status: see api.h. */
int
ag_http_status(int sqlstate)
{
	if (ERRCODE_TO_CATEGORY(sqlstate) == ERRCODE_DATA_EXCEPTION)
		return 400;
	switch (sqlstate)
	{
		case ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION:
			return 401;
		case ERRCODE_INSUFFICIENT_PRIVILEGE:
			return 403;
		case ERRCODE_NO_DATA_FOUND:
			return 404;
		case ERRCODE_UNIQUE_VIOLATION:
			return 409;
		default:
			return 500;
	}
}

/* route_result: the (status integer, body text) row of a route function. */
static Datum
route_result(FunctionCallInfo fcinfo, int status, const char *body)
{
	TupleDesc tupdesc;
	Datum	  values[2];
	bool	  nulls[2] = {false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "route function must return a composite (status, body)");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Int32GetDatum(status);
	values[1] = CStringGetTextDatum(body);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/* error_result: status and JSON error body for err. */
static Datum
error_result(FunctionCallInfo fcinfo, const AgError *err)
{
	StringInfoData buf;

	initStringInfo(&buf);
	ag_error_json(&buf, err);
	return route_result(fcinfo, ag_http_status(err->sqlstate), buf.data);
}

/*
 * agingos_http_error(sqlstate text, message text, detail text, hint text,
 *                    OUT status integer, OUT body text)
 * For the exception handlers of SQL route functions: the contract section 6
 * status and error body of a caught error.
 */
Datum
agingos_http_error(PG_FUNCTION_ARGS)
{
	AgError err = {0};
	char   *code = PG_ARGISNULL(0) ? "XX000" : text_to_cstring(PG_GETARG_TEXT_PP(0));

	if (strlen(code) != 5)
		code = "XX000";
	err.sqlstate = MAKE_SQLSTATE(code[0], code[1], code[2], code[3], code[4]);
	err.message = PG_ARGISNULL(1) ? "internal error" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	err.detail = PG_ARGISNULL(2) || VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(2)) == 0 ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	err.hint = PG_ARGISNULL(3) || VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(3)) == 0 ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	if (ag_http_status(err.sqlstate) == 500)
	{
		/* never show internals: keep only the code */
		err.message = "internal error";
		err.detail = NULL;
		err.hint = "The server log has the details.";
	}
	PG_RETURN_DATUM(error_result(fcinfo, &err));
}

/*
 * agingos_parse_instant(value text, field text) → timestamptz
 * A strict instant with offset (contract.md section 2), for query-string
 * values such as since/until/now.  NULL in, NULL out.  Raises 22007 naming
 * field for a naive or malformed value.
 */
Datum
agingos_parse_instant(PG_FUNCTION_ARGS)
{
	text	   *value;
	TimestampTz ts;
	AgError		err;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	value = PG_GETARG_TEXT_PP(0);
	if (!ag_parse_instant(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value),
						  PG_ARGISNULL(1) ? "value" : text_to_cstring(PG_GETARG_TEXT_PP(1)), &ts, &err))
		ag_error_raise(&err);
	PG_RETURN_TIMESTAMPTZ(ts);
}

/*
 * agingos_iso(ts timestamptz) → text
 * The instant as ISO 8601 UTC with "Z" and a 6-digit fraction only when
 * the microseconds are non-zero (contract.md section 2), whatever the
 * session TimeZone.
 */
Datum
agingos_iso(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	initStringInfo(&buf);
	ag_append_instant(&buf, PG_GETARG_TIMESTAMPTZ(0));
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}

/*
 * param_text: the string member name of the route's params object (the
 * front's JSON object of query arguments), or NULL when absent or not a
 * string.
 */
static char *
param_text(FunctionCallInfo fcinfo, const char *name)
{
	Jsonb	  *jb;
	JsonbValue v;

	if (PG_ARGISNULL(0))
		return NULL;
	jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text_to_cstring(PG_GETARG_TEXT_PP(0)))));
	if (!JB_ROOT_IS_OBJECT(jb) || getKeyJsonValueFromContainer(&jb->root, name, strlen(name), &v) == NULL ||
		v.type != jbvString)
		return NULL;
	return pnstrdup(v.val.string.val, v.val.string.len);
}

/*
 * ingest_auth: ag_auth for the ingest routes plus the one home the events
 * go to (home_id query argument for a key of several homes).
 */
static bool
ingest_auth(FunctionCallInfo fcinfo, const char *key, const char **home_id, AgError *err)
{
	AgCaller caller;

	return ag_auth(key, AG_ACT_POST_EVENTS, param_text(fcinfo, "home_id"), &caller, err) &&
		   ag_auth_one(&caller, home_id, err);
}

/* empty_body_error: 400 for a POST without a body. */
static bool
empty_body_error(AgError *err)
{
	return ag_error_set(err, ERRCODE_INVALID_TEXT_REPRESENTATION, "request body is empty",
						"The request has no JSON text.",
						"Send the event as a JSON object with Content-Type: application/json.");
}

/*
 * agingos_http_event(params text, request_body text, api_key text,
 *                    OUT status integer, OUT body text)
 * POST /event and POST /v1/event: 200 {"received":true,"deduped":…,"event_id":…},
 * 400 invalid event, 401/403 key, 409 conflicting repeat.
 */
Datum
agingos_http_event(PG_FUNCTION_ARGS)
{
	char		   *key = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	text		   *body = PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1);
	const char	   *home_id;
	AgIngestOutcome out;
	StringInfoData	buf;

	memset(&out, 0, sizeof(out));
	initStringInfo(&buf);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!ingest_auth(fcinfo, key, &home_id, &out.error))
		out.status = AG_INGEST_REJECTED;
	else if (body == NULL)
		out.status = AG_INGEST_REJECTED, empty_body_error(&out.error);
	else
		ag_ingest_event(VARDATA_ANY(body), VARSIZE_ANY_EXHDR(body), home_id, "prod", &out);
	if (out.status == AG_INGEST_REJECTED)
		ag_error_json(&buf, &out.error);
	else
		ag_ingest_outcome_json(&buf, &out);
	SPI_finish();
	PG_RETURN_DATUM(route_result(fcinfo, out.status == AG_INGEST_REJECTED ? ag_http_status(out.error.sqlstate) : 200, buf.data));
}

/*
 * agingos_http_events_batch(params text, request_body text, api_key text,
 *                           OUT status integer, OUT body text)
 * POST /events/batch: 200 with per-item results (contract.md section 4);
 * 400 when the array as a whole is unusable (nothing stored); 401/403 key.
 */
Datum
agingos_http_events_batch(PG_FUNCTION_ARGS)
{
	char		  *key = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	text		  *body = PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1);
	const char	  *home_id;
	AgError		   err = {0};
	bool		   ok;
	StringInfoData buf;

	initStringInfo(&buf);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ok = ingest_auth(fcinfo, key, &home_id, &err);
	if (ok && body == NULL)
		ok = empty_body_error(&err);
	if (ok)
		ok = ag_ingest_batch(VARDATA_ANY(body), VARSIZE_ANY_EXHDR(body), home_id, "prod", &buf, &err);
	if (!ok)
	{
		resetStringInfo(&buf);
		ag_error_json(&buf, &err);
	}
	SPI_finish();
	PG_RETURN_DATUM(route_result(fcinfo, ok ? 200 : ag_http_status(err.sqlstate), buf.data));
}
