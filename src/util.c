/*-------------------------------------------------------------------------
 * util.c
 *	  Shared helpers: AgError records, ISO 8601 UTC output, JSON strings.
 *	  Instant format: contract.md section 2.  Error body: contract.md 6.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"

#include "util.h"

/*
 * ag_error_set: record an error.  sqlstate is a MAKE_SQLSTATE value such as
 * ERRCODE_INVALID_DATETIME_FORMAT; message/detail/hint follow the PostgreSQL
 * message style (message lower case without period; detail and hint full
 * sentences).  Always returns false so validators can `return ag_error_set(...)`.
 */
bool
ag_error_set(AgError *err, int sqlstate, const char *message,
			 const char *detail, const char *hint)
{
	err->sqlstate = sqlstate;
	err->message = pstrdup(message);
	err->detail = detail ? pstrdup(detail) : NULL;
	err->hint = hint ? pstrdup(hint) : NULL;
	return false;
}

/*
 * ag_error_raise: throw the recorded error with its SQLSTATE, errmsg,
 * errdetail and errhint.  Never echoes anything the record does not hold.
 */
void
ag_error_raise(const AgError *err)
{
	ereport(ERROR,
			(errcode(err->sqlstate),
			 errmsg_internal("%s", err->message),
			 err->detail ? errdetail_internal("%s", err->detail) : 0,
			 err->hint ? errhint("%s", err->hint) : 0));
	pg_unreachable();
}

/*
 * ag_error_json: append the contract section 6 error object for err:
 * {"code": SQLSTATE text, "message": …, "details": … | null, "hint": … | null}.
 */
void
ag_error_json(StringInfo buf, const AgError *err)
{
	appendStringInfoString(buf, "{\"code\":");
	ag_append_json_string(buf, unpack_sql_state(err->sqlstate));
	appendStringInfoString(buf, ",\"message\":");
	ag_append_json_string(buf, err->message);
	appendStringInfoString(buf, ",\"details\":");
	if (err->detail)
		ag_append_json_string(buf, err->detail);
	else
		appendStringInfoString(buf, "null");
	appendStringInfoString(buf, ",\"hint\":");
	if (err->hint)
		ag_append_json_string(buf, err->hint);
	else
		appendStringInfoString(buf, "null");
	appendStringInfoChar(buf, '}');
}

/*
 * ag_append_instant: ts (UTC microseconds) as "YYYY-MM-DDTHH:MM:SSZ" or
 * "YYYY-MM-DDTHH:MM:SS.ffffffZ" when the microsecond part is non-zero.
 * Uses PostgreSQL's timestamp2tm with no zone, so the session TimeZone
 * never plays a part.  Raises 22008 for infinity or out-of-range values.
 */
void
ag_append_instant(StringInfo buf, TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		 fsec;

	if (TIMESTAMP_NOT_FINITE(ts) || timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range"),
				 errdetail("Only finite instants can be written as ISO 8601.")));
	appendStringInfo(buf, "%04d-%02d-%02dT%02d:%02d:%02d",
					 tm.tm_year, tm.tm_mon, tm.tm_mday,
					 tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (fsec != 0)
		appendStringInfo(buf, ".%06d", (int) fsec);
	appendStringInfoChar(buf, 'Z');
}

/* ag_append_json_string: s as a quoted, escaped JSON string. */
void
ag_append_json_string(StringInfo buf, const char *s)
{
	escape_json(buf, s);
}
