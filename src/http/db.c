/*-------------------------------------------------------------------------
 * db.c
 *	  One libpq connection per worker thread (design.md "http"): opened on
 *	  the thread's first request, each route's statement prepared on its
 *	  first use on that connection, reconnect with exponential back-off
 *	  (100 ms doubling to 1 s) during which requests get 503 at once.
 *	  State changes (down, restored) are logged once for the whole process.
 *	  Every command is sent asynchronously and awaited with a deadline
 *	  (pgio.c): AGINGOS_HTTP_DB_TIMEOUT_MS for a route call, 1.5 s for
 *	  GET /health.
 *-------------------------------------------------------------------------
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "db.h"
#include "log.h"
#include "pgio.h"
#include "results.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 1000
#define HEALTH_TIMEOUT_MS 1500
#define TEXT_OID 25

static const char HEALTH_OK[] = "{\"status\":\"ok\"}";
static const char HEALTH_DOWN[] = "{\"status\":\"unavailable\"}";

/* AgConn: one worker thread's connection and back-off state. */
typedef struct AgConn
{
	PGconn	*pg;
	uint32_t prepared;	  /* bit route->id: statement "r<id>" exists on pg */
	unsigned failures;	  /* consecutive failed connection attempts */
	unsigned delay_ms;	  /* current back-off step */
	int64_t	 retry_at_ms; /* monotonic: no attempt before this */
} AgConn;

static pthread_key_t	 conn_slot;
static const char		*conn_keys[8];
static const char		*conn_values[8];
static atomic_int		 db_up = 1;			/* process-wide: 0 after a failure */
static atomic_int		 db_seen = 0;		/* first successful connect logged */
static atomic_llong		 db_down_since = 0; /* monotonic ms of the up → down change */
static const AgSettings *db_settings;

/* conn_destroy: thread-exit destructor of the slot. */
static void
conn_destroy(void *ptr)
{
	AgConn *conn = ptr;

	if (conn->pg != NULL)
		PQfinish(conn->pg);
	free(conn);
}

bool
ag_db_setup(const AgSettings *settings)
{
	int n = 0;

	db_settings = settings;
	if (settings->pg_host != NULL)
	{
		conn_keys[n] = "host";
		conn_values[n++] = settings->pg_host;
	}
	conn_keys[n] = "port";
	conn_values[n++] = settings->pg_port;
	conn_keys[n] = "dbname";
	conn_values[n++] = settings->pg_database;
	conn_keys[n] = "user";
	conn_values[n++] = settings->pg_user;
	conn_keys[n] = "connect_timeout";
	conn_values[n++] = "2";
	conn_keys[n] = "application_name";
	conn_values[n++] = "agingos-http";
	conn_keys[n] = NULL;
	conn_values[n] = NULL;
	if (pthread_key_create(&conn_slot, conn_destroy) != 0)
	{
		ag_log(AG_LOG_ERROR, "startup_error", "could not create the per-thread connection slot", NULL);
		return false;
	}
	return true;
}

/* thread_conn: this thread's AgConn, created on first use; NULL on OOM. */
static AgConn *
thread_conn(void)
{
	AgConn *conn = pthread_getspecific(conn_slot);

	if (conn != NULL)
		return conn;
	conn = calloc(1, sizeof(*conn));
	if (conn != NULL && pthread_setspecific(conn_slot, conn) != 0)
	{
		free(conn);
		conn = NULL;
	}
	return conn;
}

/* drop_conn: close the connection; its prepared statements go with it. */
static void
drop_conn(AgConn *conn)
{
	if (conn->pg != NULL)
		PQfinish(conn->pg);
	conn->pg = NULL;
	conn->prepared = 0;
}

/*
 * note_down: a connection attempt failed: schedule the next one and log the
 * process-wide up → down change once (pg_message is libpq's, never user
 * data).
 */
static void
note_down(AgConn *conn, const char *pg_message, int64_t now)
{
	conn->failures++;
	conn->delay_ms = conn->delay_ms == 0 ? BACKOFF_FIRST_MS : conn->delay_ms * 2;
	if (conn->delay_ms > BACKOFF_MAX_MS)
		conn->delay_ms = BACKOFF_MAX_MS;
	conn->retry_at_ms = now + conn->delay_ms;
	if (atomic_exchange(&db_up, 0) != 0)
	{
		atomic_store(&db_down_since, (long long) now);
		ag_log(AG_LOG_WARN, "db_down", pg_message, "attempt=%u delay_ms=%u", conn->failures, conn->delay_ms);
	}
	else
		ag_log(AG_LOG_DEBUG, "db_retry", pg_message, "attempt=%u delay_ms=%u", conn->failures, conn->delay_ms);
}

/* note_up: a connection attempt succeeded; log down → up once. */
static void
note_up(AgConn *conn, int64_t now)
{
	if (atomic_exchange(&db_up, 1) == 0)
		ag_log(AG_LOG_WARN, "db_reconnect", "connection restored", "attempt=%u down_ms=%lld",
			   conn->failures + 1, (long long) now - atomic_load(&db_down_since));
	else if (atomic_exchange(&db_seen, 1) == 0)
		ag_log(AG_LOG_INFO, "db_connect", NULL, "port=%s database=%s user=%s",
			   db_settings->pg_port, db_settings->pg_database, db_settings->pg_user);
	conn->failures = 0;
	conn->delay_ms = 0;
	conn->retry_at_ms = 0;
}

/*
 * ensure_conn: whether conn->pg is usable, connecting if needed.  While this
 * worker is in back-off and no other worker has reconnected since, it
 * returns false at once.  A connect takes at most connect_timeout (2 s).
 */
static bool
ensure_conn(AgConn *conn)
{
	int64_t now;

	if (conn->pg != NULL && PQstatus(conn->pg) == CONNECTION_OK)
		return true;
	drop_conn(conn);
	now = ag_mono_ms();
	if (conn->failures > 0 && now < conn->retry_at_ms && atomic_load(&db_up) == 0)
		return false;
	conn->pg = PQconnectdbParams(conn_keys, conn_values, 0);
	now = ag_mono_ms();
	if (conn->pg != NULL && PQstatus(conn->pg) == CONNECTION_OK && ag_pg_setup(conn->pg))
	{
		note_up(conn, now);
		return true;
	}
	note_down(conn, conn->pg != NULL ? PQerrorMessage(conn->pg) : "out of memory", now);
	drop_conn(conn);
	return false;
}

/*
 * route_sql: the statement of route into sql (len bytes) and its number of
 * parameters.  Every route is SELECT status, body FROM agingos.<function>
 * ($1, $2, $3); GET /metrics adds $4 (the metrics-token verdict) and the
 * auth_mode column; the /ack/<token> routes (AG_ROUTE_HTML) add
 * content_type; with metrics compiled in, the ingest routes add their
 * outcome counts, read from the function's own 200 body by PostgreSQL
 * (metrics.h); a batch's counts from the fixed start of its body
 * ({"accepted":N,"deduped":N,"rejected":N,…, contract.md section 4), not
 * by parsing the whole body of up to 10,000 results as jsonb (4 % of a
 * batch's CPU, docs/bench.md section 15).  function comes from the constant route table, never from
 * a request.
 */
static int
route_sql(const AgRoute *route, char *sql, size_t len)
{
	if ((route->flags & AG_ROUTE_METRICS) != 0)
	{
		snprintf(sql, len, "SELECT status, body, auth_mode FROM agingos.%s($1, $2, $3, $4::boolean)", route->function);
		return 4;
	}
#if AG_METRICS
	if ((route->flags & AG_ROUTE_INGEST_ONE) != 0)
		snprintf(sql, len, "SELECT r.status, r.body, CASE WHEN r.status = 200 THEN r.body::jsonb ->> 'deduped' END "
						   "FROM agingos.%s($1, $2, $3) r",
				 route->function);
	else if ((route->flags & AG_ROUTE_INGEST_BATCH) != 0)
		snprintf(sql, len, "SELECT r.status, r.body, m[1], m[2], m[3] FROM agingos.%s($1, $2, $3) r, "
						   "LATERAL (SELECT CASE WHEN r.status = 200 THEN pg_catalog.regexp_match(pg_catalog.left(r.body, 80), "
						   "'^\\{\"accepted\":([0-9]+),\"deduped\":([0-9]+),\"rejected\":([0-9]+),') END AS m) c",
				 route->function);
	else
#endif
		if ((route->flags & AG_ROUTE_HTML) != 0)
		snprintf(sql, len, "SELECT status, body, content_type FROM agingos.%s($1, $2, $3)", route->function);
	else
		snprintf(sql, len, "SELECT status, body FROM agingos.%s($1, $2, $3)", route->function);
	return 3;
}

/*
 * exec_route: prepare the route's statement if this connection lacks it,
 * then execute it, all before deadline.  *sent tells whether the call
 * itself went out (false: at most the prepare ran, so a retry cannot repeat
 * side effects).  *res is the result or NULL (see ag_pg_result).
 */
static AgPgWait
exec_route(AgConn *conn, const AgRoute *route, const char *const values[4], int64_t deadline, bool *sent,
		   PGresult **res)
{
	uint32_t bit = (uint32_t) 1 << route->id;
	char	 name[16];
	char	 sql[400];
	Oid		 types[4] = {TEXT_OID, TEXT_OID, TEXT_OID, TEXT_OID};
	int		 nparams = (route->flags & AG_ROUTE_METRICS) != 0 ? 4 : 3; /* as route_sql says */
	AgPgWait wait;

	*sent = false;
	*res = NULL;
	snprintf(name, sizeof(name), "r%d", route->id);
	if ((conn->prepared & bit) == 0)
	{
		nparams = route_sql(route, sql, sizeof(sql));
		if (!PQsendPrepare(conn->pg, name, sql, nparams, types))
			return AG_PG_BROKEN;
		wait = ag_pg_result(conn->pg, deadline, res);
		if (wait != AG_PG_READY || PQresultStatus(*res) != PGRES_COMMAND_OK)
			return wait;
		PQclear(*res);
		*res = NULL;
		conn->prepared |= bit;
	}
	if (!PQsendQueryPrepared(conn->pg, name, nparams, values, NULL, NULL, 0))
		return AG_PG_BROKEN;
	*sent = true;
	return ag_pg_result(conn->pg, deadline, res);
}

/* copy_extra: the result columns after (status, body) into *extra. */
static void
copy_extra(const PGresult *res, AgCallExtra *extra)
{
	if (extra == NULL || PQntuples(res) != 1)
		return;
	for (int i = 2; i < PQnfields(res) && extra->n < AG_EXTRA_MAX; i++)
	{
		int	   k = extra->n++;
		size_t len = (size_t) PQgetlength(res, 0, i);

		extra->isnull[k] = PQgetisnull(res, 0, i);
		if (extra->isnull[k] || len >= sizeof(extra->value[k]))
			len = 0; /* a value this long is no count or mode: treated as absent */
		memcpy(extra->value[k], PQgetvalue(res, 0, i), len);
		extra->value[k][len] = '\0';
	}
}

/*
 * conn_lost: whether the call failed because the connection is gone or the
 * server is going away: the connection is bad, no result, an error libpq
 * made up itself (no SQLSTATE, e.g. "server closed the connection
 * unexpectedly"), SQLSTATE class 08, or 57P01 admin shutdown, 57P02 crash
 * shutdown, 57P03 cannot connect now (recovery).
 */
static bool
conn_lost(PGconn *pg, AgPgWait wait, const PGresult *res)
{
	const char *state;

	if (wait != AG_PG_READY || res == NULL || PQstatus(pg) != CONNECTION_OK)
		return true;
	if (PQresultStatus(res) != PGRES_FATAL_ERROR)
		return false;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	return state == NULL || strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
		   strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

/*
 * may_retry: after a lost connection, whether the call may run again on a
 * fresh one: it never reached the server, the route only reads, or the
 * server ended the session before committing (57P01 admin shutdown, 57P02
 * crash shutdown), which rolls the call back.
 */
static bool
may_retry(const AgRoute *route, const PGresult *res, bool sent)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (!sent || (route->flags & AG_ROUTE_IDEMPOTENT) != 0)
		return true;
	return state != NULL && (strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0);
}

typedef enum CallOutcome
{
	CALL_DONE,	 /* reply is set */
	CALL_RETRY,	 /* try once more on a fresh connection */
	CALL_LOST,	 /* connection lost, no retry: 503 */
	CALL_TIMEOUT /* no answer in time: 503 */
} CallOutcome;

/* call_once: one attempt of ag_db_call on a connected conn. */
static CallOutcome
call_once(AgConn *conn, const AgRoute *route, const char *const values[4], int64_t deadline, bool first,
		  AgReply *reply, AgCallExtra *extra, bool *answered)
{
	PGresult   *res;
	bool		sent;
	AgPgWait	wait = exec_route(conn, route, values, deadline, &sent, &res);
	CallOutcome out = CALL_DONE;

	if (wait == AG_PG_TIMEOUT)
		out = CALL_TIMEOUT;
	else if (conn_lost(conn->pg, wait, res))
	{
		/* libpq's or the server's words about the connection, never request data */
		const char *msg = res != NULL && *PQresultErrorMessage(res) != '\0' ? PQresultErrorMessage(res)
																			: PQerrorMessage(conn->pg);

		out = may_retry(route, res, sent) ? CALL_RETRY : CALL_LOST;
		ag_log(AG_LOG_DEBUG, "db_lost", msg, "path=%s retry=%s", route->path, out == CALL_RETRY ? "yes" : "no");
	}
	else if (PQresultStatus(res) == PGRES_TUPLES_OK)
	{
		ag_result_reply(route, res, reply);
		copy_extra(res, extra);
		*answered = true;
	}
	else if (first && ag_result_stale(res))
		out = CALL_RETRY; /* statement stale: prepare it again on a fresh connection */
	else
		ag_result_error(route, res, reply);
	PQclear(res);
	return out;
}

AgCallOutcome
ag_db_call_ex(const AgRoute *route, const AgCallArgs *args, AgReply *reply, AgCallExtra *extra)
{
	AgConn	   *conn = thread_conn();
	const char *values[4] = {args->params, args->body, args->api_key, args->flag};
	int			timeout_ms = db_settings->db_timeout_ms;
	int64_t		deadline;
	CallOutcome out = CALL_RETRY;
	bool		answered = false;

	if (args->timeout_ms > 0 && args->timeout_ms < timeout_ms)
		timeout_ms = args->timeout_ms;
	deadline = ag_mono_ms() + timeout_ms;
	if (extra != NULL)
		memset(extra, 0, sizeof(*extra));
	if (conn == NULL)
	{
		ag_reply_error(reply, 500, "53200", "out of memory", NULL, NULL);
		return AG_CALL_FAILED;
	}
	for (int attempt = 0; attempt < 2 && out == CALL_RETRY; attempt++)
	{
		if (!ensure_conn(conn))
		{
			out = CALL_LOST;
			break;
		}
		out = call_once(conn, route, values, deadline, attempt == 0, reply, extra, &answered);
		if (out == CALL_TIMEOUT)
			ag_pg_cancel(conn->pg);
		if (out != CALL_DONE)
			drop_conn(conn);
	}
	if (out == CALL_TIMEOUT)
	{
		ag_log(AG_LOG_WARN, "db_timeout", "database did not answer in time; cancel requested, reconnecting",
			   "path=%s function=%s timeout_ms=%d", route->path, route->function, timeout_ms);
		ag_err_timeout(reply, (unsigned) timeout_ms);
	}
	else if (out != CALL_DONE)
		ag_err_unavailable(reply);
	if (out != CALL_DONE)
		return AG_CALL_UNAVAILABLE;
	return answered ? AG_CALL_ANSWERED : AG_CALL_FAILED;
}

void
ag_db_call(const AgRoute *route, const char *params, const char *body, const char *api_key, AgReply *reply)
{
	AgCallArgs args = {params, body, api_key, NULL, 0};

	ag_db_call_ex(route, &args, reply, NULL);
}

typedef enum PingResult
{
	PING_OK,
	PING_FAILED,
	PING_TIMEOUT
} PingResult;

/* ping: SELECT 1, waiting at most HEALTH_TIMEOUT_MS for the answer. */
static PingResult
ping(PGconn *pg)
{
	PGresult *res;
	AgPgWait  wait;
	bool	  ok;

	if (!PQsendQuery(pg, "SELECT 1"))
		return PING_FAILED;
	wait = ag_pg_result(pg, ag_mono_ms() + HEALTH_TIMEOUT_MS, &res);
	ok = wait == AG_PG_READY && PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	if (wait == AG_PG_TIMEOUT)
		return PING_TIMEOUT;
	return ok ? PING_OK : PING_FAILED;
}

void
ag_db_health(AgReply *reply)
{
	AgConn *conn = thread_conn();

	for (int attempt = 0; conn != NULL && attempt < 2; attempt++)
	{
		PingResult result;

		if (!ensure_conn(conn))
			break;
		result = ping(conn->pg);
		if (result == PING_OK)
		{
			ag_reply_json(reply, 200, HEALTH_OK, sizeof(HEALTH_OK) - 1);
			return;
		}
		if (result == PING_TIMEOUT)
		{
			/* a hung server: give up on this connection and back off */
			drop_conn(conn);
			note_down(conn, "health check timed out", ag_mono_ms());
			break;
		}
		if (PQstatus(conn->pg) == CONNECTION_OK)
			break;
		drop_conn(conn);
	}
	ag_reply_json(reply, 503, HEALTH_DOWN, sizeof(HEALTH_DOWN) - 1);
}

/* auth mode cache for the per-key rate limit (guard.h): -1 unknown, 0 keys, 1 none */
static atomic_int	mode_none = -1;
static atomic_llong mode_checked_ms = 0;

#define AUTH_MODE_TTL_MS 1000 /* the stored auth mode is asked at most once a second */

bool
ag_db_auth_none(void)
{
	int64_t	  now = ag_mono_ms();
	long long seen = atomic_load(&mode_checked_ms);
	AgConn	 *conn;
	PGresult *res;

	if (now - seen < AUTH_MODE_TTL_MS || !atomic_compare_exchange_strong(&mode_checked_ms, &seen, now))
		return atomic_load(&mode_none) == 1;
	/* this worker refreshes; the others use the cached value meanwhile */
	conn = thread_conn();
	if (conn == NULL || !ensure_conn(conn))
		return atomic_load(&mode_none) == 1;
	if (!PQsendQuery(conn->pg, "SELECT agingos.http_auth_mode()") ||
		ag_pg_result(conn->pg, ag_mono_ms() + HEALTH_TIMEOUT_MS, &res) != AG_PG_READY)
	{
		drop_conn(conn); /* the next call reconnects; no half-read result stays behind */
		return atomic_load(&mode_none) == 1;
	}
	if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		atomic_store(&mode_none, !PQgetisnull(res, 0, 0) && strcmp(PQgetvalue(res, 0, 0), "none") == 0 ? 1 : 0);
	PQclear(res);
	return atomic_load(&mode_none) == 1;
}
