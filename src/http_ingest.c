/*-------------------------------------------------------------------------
 * http_ingest.c
 *	  The two HTTP routes written in C, the hot ingest routes POST /event
 *	  (and /v1/event) and POST /events/batch (contract.md sections 4 and 6).
 *	  SQL name http_<route>, C symbol agingos_http_<route>.
 *
 *	  A route function never throws for a bad request: it returns the HTTP
 *	  status and the JSON body, so the front adds nothing.  Only failures of
 *	  the database itself propagate (the front answers those with 500).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "auth.h"
#include "http_route.h"
#include "ingest.h"
#include "util.h"

PG_FUNCTION_INFO_V1(agingos_http_event);
PG_FUNCTION_INFO_V1(agingos_http_events_batch);

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
	PG_RETURN_DATUM(ag_route_result(fcinfo, out.status == AG_INGEST_REJECTED ? ag_http_status(out.error.sqlstate) : 200, buf.data));
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
	PG_RETURN_DATUM(ag_route_result(fcinfo, ok ? 200 : ag_http_status(err.sqlstate), buf.data));
}
