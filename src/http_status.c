/*-------------------------------------------------------------------------
 * http_status.c
 *	  The one SQLSTATE → HTTP status table of the routes and their error
 *	  body (contract.md section 6): ag_http_status for the C routes
 *	  (http_ingest.c) and agingos_http_error for the SQL envelope
 *	  agingos.route_call (src/sql/code/40_http.sql).  PostgREST's model:
 *	  handlers only raise; the status is decided here, at the edge.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "http_route.h"
#include "util.h"

PG_FUNCTION_INFO_V1(agingos_http_error);

/* ag_http_status: see http_route.h. */
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

/* ag_route_result: see http_route.h. */
Datum
ag_route_result(FunctionCallInfo fcinfo, int status, const char *body)
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

/* ag_route_error: see http_route.h. */
Datum
ag_route_error(FunctionCallInfo fcinfo, const AgError *err)
{
	StringInfoData buf;

	initStringInfo(&buf);
	ag_error_json(&buf, err);
	return ag_route_result(fcinfo, ag_http_status(err->sqlstate), buf.data);
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
	PG_RETURN_DATUM(ag_route_error(fcinfo, &err));
}
