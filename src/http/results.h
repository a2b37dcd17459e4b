/*-------------------------------------------------------------------------
 * results.h
 *	  Turn the libpq result of a route call into the reply (contract.md 6).
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_RESULTS_H
#define AG_HTTP_RESULTS_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "errors.h"
#include "routes.h"

/*
 * ag_result_reply: a PGRES_TUPLES_OK result of
 * SELECT status, body FROM agingos.http_<name>(...): the status and body are
 * sent verbatim (a NULL body as an empty one); an AG_ROUTE_HTML route's
 * third column is the Content-Type; further columns are the
 * caller's (db.c copy_extra).  Anything but one row with a
 * status from 100 to 599 is logged (event=bad_result) and becomes 500 XX000.
 */
void ag_result_reply(const AgRoute *route, const PGresult *res, AgReply *reply);

/*
 * ag_result_error: the call failed on a live connection.  A class 22 error
 * (text the server cannot take, e.g. invalid UTF-8 in the body) is the
 * client's: 400 with PostgreSQL's message, detail and hint (never its
 * context).  Anything else is logged (event=sql_error, the message only for
 * classes that cannot quote request values) and becomes 500 with the
 * SQLSTATE and a fixed message.
 */
void ag_result_error(const AgRoute *route, const PGresult *res, AgReply *reply);

/*
 * ag_result_stale: whether the prepared statement no longer fits the
 * function (0A000 "cached plan must not change result type", after the
 * function was re-created with other columns) or is gone (26000).  Nothing
 * ran, so the caller repeats the call on a fresh connection.
 */
bool ag_result_stale(const PGresult *res);

/*
 * ag_result_msg_safe: whether messages of this SQLSTATE's class describe the
 * deployment (connection, missing function, privileges, resources: classes
 * 08, 26, 28, 3D, 3F, 42, 53, 57, 58) rather than request values, so they
 * may be logged (contract.md section 9).  state is 5 characters.
 */
bool ag_result_msg_safe(const char *state);

#endif /* AG_HTTP_RESULTS_H */
