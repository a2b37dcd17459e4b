/*-------------------------------------------------------------------------
 * db.h
 *	  One libpq connection per worker thread, prepared route statements,
 *	  reconnect with back-off (design.md "http", contract.md section 6).
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_DB_H
#define AG_HTTP_DB_H

#include <stdbool.h>

#include "env.h"
#include "errors.h"
#include "routes.h"

/*
 * ag_db_setup: remember the connection settings and create the thread-local
 * slot; connections are opened lazily by the first request of each worker
 * and closed when the worker thread exits.  Call once before the server
 * starts.  Returns false (logged) when the slot cannot be created.
 */
bool ag_db_setup(const AgSettings *settings);

/*
 * ag_db_call: run route's SQL function
 *   SELECT status, body FROM agingos.<function>($1, $2, $3)
 * with params (JSON object text), body (NUL-terminated text, or NULL for SQL
 * NULL) and api_key (or NULL) on this thread's connection, and fill reply:
 * the function's status and body verbatim; 503 08006 when the database is
 * unreachable or the worker is in back-off; 400 with the SQLSTATE for a
 * class 22 error of the call itself (e.g. invalid UTF-8); else 500 with the
 * SQLSTATE and a message without internals.
 */
void ag_db_call(const AgRoute *route, const char *params, const char *body, const char *api_key, AgReply *reply);

/*
 * AgCallArgs: the arguments of ag_db_call_ex.  flag is $4, sent only to
 * GET /metrics (http_metrics's metrics_token boolean, "true"/"false");
 * timeout_ms 0 means AGINGOS_HTTP_DB_TIMEOUT_MS, else the smaller of both.
 */
typedef struct AgCallArgs
{
	const char *params;
	const char *body;
	const char *api_key;
	const char *flag;
	int			timeout_ms;
} AgCallArgs;

/*
 * AgCallExtra: the result columns after (status, body) of the routes whose
 * statement has more (db.c route_sql): the ingest outcome counts of
 * POST /event and /events/batch, the auth mode of GET /metrics.  n is 0
 * when the call gave no result row; value[i] is "" when isnull[i].
 */
#define AG_EXTRA_MAX 3
typedef struct AgCallExtra
{
	int	 n;
	bool isnull[AG_EXTRA_MAX];
	char value[AG_EXTRA_MAX][24];
} AgCallExtra;

/* AgCallOutcome: how ag_db_call_ex ended; reply is set in every case. */
typedef enum AgCallOutcome
{
	AG_CALL_ANSWERED,	/* the route function's own (status, body) */
	AG_CALL_FAILED,		/* the call raised: 400/500 by results.c */
	AG_CALL_UNAVAILABLE /* unreachable, back-off or timeout: 503 08006 */
} AgCallOutcome;

/*
 * ag_db_call_ex: ag_db_call with the arguments in a struct, the extra
 * result columns in *extra (may be NULL) and the outcome returned.
 */
AgCallOutcome ag_db_call_ex(const AgRoute *route, const AgCallArgs *args, AgReply *reply, AgCallExtra *extra);

/*
 * ag_db_health: GET /health: SELECT 1 with a 1.5 s guard; 200
 * {"status":"ok"} or 503 {"status":"unavailable"}.
 */
void ag_db_health(AgReply *reply);

/*
 * ag_db_auth_none: whether the stored auth mode is exactly "none" (then
 * the per-key rate limit is off: contract.md section 12).  Asked with
 * SELECT agingos.http_auth_mode() at most once a second by one worker;
 * until the first answer, and when the database does not answer, the
 * limit applies (false).
 */
bool ag_db_auth_none(void);

#endif /* AG_HTTP_DB_H */
