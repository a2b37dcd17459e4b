/*-------------------------------------------------------------------------
 * results.c
 *	  Map a route call's libpq result to the HTTP reply: the function's own
 *	  (status, body) verbatim, or the front's 400/500 for a failed call
 *	  (contract.md section 6, errors table).
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "results.h"

bool
ag_result_stale(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return state != NULL && (strcmp(state, "0A000") == 0 || strcmp(state, "26000") == 0);
}

bool
ag_result_msg_safe(const char *state)
{
	static const char *const classes[] = {"08", "26", "28", "3D", "3F", "42", "53", "57", "58"};

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
	{
		if (strncmp(state, classes[i], 2) == 0)
			return true;
	}
	return false;
}

void
ag_result_reply(const AgRoute *route, const PGresult *res, AgReply *reply)
{
	char *end = NULL;
	long  status = 0;

	int nfields = (route->flags & AG_ROUTE_HTML) != 0 ? 3 : 2;

	if (PQntuples(res) == 1 && PQnfields(res) >= nfields && !PQgetisnull(res, 0, 0))
		status = strtol(PQgetvalue(res, 0, 0), &end, 10);
	if (end == NULL || *end != '\0' || status < 100 || status > 599)
	{
		ag_log(AG_LOG_WARN, "bad_result", "route function did not return one row with a status from 100 to 599",
			   "path=%s function=%s", route->path, route->function);
		ag_reply_error(reply, 500, "XX000", "route function returned an invalid result", NULL, NULL);
		return;
	}
	if (PQgetisnull(res, 0, 1))
		ag_reply_json(reply, (unsigned int) status, "", 0);
	else
		ag_reply_json(reply, (unsigned int) status, PQgetvalue(res, 0, 1), (size_t) PQgetlength(res, 0, 1));
	/* an HTML route's own type; values with control characters are not sent */
	if (nfields == 3 && !PQgetisnull(res, 0, 2) && strcspn(PQgetvalue(res, 0, 2), "\r\n") == strlen(PQgetvalue(res, 0, 2)))
		snprintf(reply->content_type, sizeof(reply->content_type), "%s", PQgetvalue(res, 0, 2));
}

void
ag_result_error(const AgRoute *route, const PGresult *res, AgReply *reply)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	if (state == NULL)
		state = "XX000";
	if (strncmp(state, "22", 2) == 0)
	{
		ag_reply_error(reply, 400, state, primary != NULL ? primary : "invalid request text",
					   PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL),
					   PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
		return;
	}
	ag_log(AG_LOG_WARN, "sql_error", ag_result_msg_safe(state) ? primary : NULL,
		   "path=%s function=%s sqlstate=%s", route->path, route->function, state);
	ag_reply_error(reply, 500, state, "the route's SQL function failed", NULL,
				   "The agingos-http log names the function; the PostgreSQL log has the details.");
}
