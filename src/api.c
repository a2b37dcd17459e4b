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

#include "api.h"
#include "ingest.h"
#include "timeparse.h"
#include "util.h"

PG_FUNCTION_INFO_V1(agingos_auth);
PG_FUNCTION_INFO_V1(agingos_http_error);
PG_FUNCTION_INFO_V1(agingos_parse_instant);
PG_FUNCTION_INFO_V1(agingos_iso);
PG_FUNCTION_INFO_V1(agingos_http_event);
PG_FUNCTION_INFO_V1(agingos_http_events_batch);

static SPIPlanPtr auth_plan = NULL;

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

/* role_allows: whether a key role may do action (contract.md section 6). */
static bool
role_allows(const char *role, AgAction action)
{
	if (strcmp(role, "admin") == 0)
		return true;
	if (action == AG_ACT_POST_EVENTS)
		return strcmp(role, "ingest") == 0;
	if (action == AG_ACT_READ)
		return strcmp(role, "read") == 0;
	return false;
}

/* ag_auth: see api.h.  One prepared query reads the mode and the key's row. */
bool
ag_auth(const char *api_key, AgAction action, char **home_id, AgError *err)
{
	Datum arg;
	char  nulls = api_key ? ' ' : 'n';
	char *mode;
	char *role;
	int	  rc;

	if (auth_plan == NULL)
	{
		Oid type = TEXTOID;

		auth_plan = SPI_prepare("SELECT s.value, k.home_id, k.role FROM agingos.settings s "
								"LEFT JOIN agingos.api_keys k ON k.key_hash = pg_catalog.sha256(pg_catalog.convert_to($1, 'UTF8')) "
								"WHERE s.name = 'auth_mode'",
								1, &type);
		if (auth_plan == NULL || SPI_keepplan(auth_plan) != 0)
			elog(ERROR, "SPI_prepare failed for the API key lookup");
	}
	arg = api_key ? CStringGetTextDatum(api_key) : (Datum) 0;
	rc = SPI_execute_plan(auth_plan, &arg, &nulls, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	mode = SPI_processed ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) : NULL;
	if (mode == NULL || strcmp(mode, "api_key") != 0)
	{
		*home_id = pstrdup("default");
		return true;
	}
	if (api_key == NULL)
		return ag_error_set(err, ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION, "missing API key",
							"This server runs with AGINGOS_AUTH_MODE=api_key.",
							"Send the key in the X-API-Key header; an operator creates keys with agingos_create_api_key(home_id, role).");
	*home_id = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	role = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	if (*home_id == NULL)
		return ag_error_set(err, ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION, "unknown API key",
							"No key with this value is registered.",
							"Check the X-API-Key header; keys are shown only once, when agingos_create_api_key creates them.");
	if (!role_allows(role, action))
		return ag_error_set(err, ERRCODE_INSUFFICIENT_PRIVILEGE, "API key role not allowed for this request",
							psprintf("A key with role \"%s\" may %s.", role,
									 strcmp(role, "ingest") == 0 ? "only POST events" : "only use GET routes"),
							"Use a key with the right role: ingest posts events, read uses GET routes, admin may do all.");
	return true;
}

/* action_from_text: 'ingest' | 'read' | 'admin' → AgAction (22023 otherwise). */
static AgAction
action_from_text(const char *s)
{
	if (strcmp(s, "ingest") == 0)
		return AG_ACT_POST_EVENTS;
	if (strcmp(s, "read") == 0)
		return AG_ACT_READ;
	if (strcmp(s, "admin") == 0)
		return AG_ACT_ADMIN;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid argument \"action\""),
			 errdetail("The value \"%s\" is not an action.", s),
			 errhint("Use 'ingest', 'read' or 'admin'.")));
	pg_unreachable();
}

/*
 * agingos_auth(api_key text, action text) → text home_id
 * For SQL route functions: the caller's home, or raises 28000 / 42501
 * (see ag_auth).  action: 'ingest' (POST events), 'read' (GET), 'admin'.
 */
Datum
agingos_auth(PG_FUNCTION_ARGS)
{
	char	*key = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	AgAction action = action_from_text(text_to_cstring(PG_GETARG_TEXT_PP(1)));
	char	*home_id;
	AgError	 err;
	bool	 ok;
	text	*result;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ok = ag_auth(key, action, &home_id, &err);
	if (!ok)
		ag_error_raise(&err);
	result = (text *) SPI_palloc(VARHDRSZ + strlen(home_id));
	SET_VARSIZE(result, VARHDRSZ + strlen(home_id));
	memcpy(VARDATA(result), home_id, strlen(home_id));
	SPI_finish();
	PG_RETURN_TEXT_P(result);
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
	char		   *home_id;
	AgIngestOutcome out;
	StringInfoData	buf;

	memset(&out, 0, sizeof(out));
	initStringInfo(&buf);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!ag_auth(key, AG_ACT_POST_EVENTS, &home_id, &out.error))
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
	char		  *home_id;
	AgError		   err = {0};
	bool		   ok;
	StringInfoData buf;

	initStringInfo(&buf);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ok = ag_auth(key, AG_ACT_POST_EVENTS, &home_id, &err);
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
