/*-------------------------------------------------------------------------
 * db.c
 *	  One libpq connection per worker thread (design.md "http"): opened on
 *	  the thread's first request, each route's statement prepared on its
 *	  first use on that connection, reconnect with exponential back-off
 *	  (100 ms doubling to 1 s) during which requests get 503 at once.
 *	  State changes (down, restored) are logged once for the whole process.
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <poll.h>
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

/* mono_ms: monotonic clock in milliseconds. */
static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
	now = mono_ms();
	if (conn->failures > 0 && now < conn->retry_at_ms && atomic_load(&db_up) == 0)
		return false;
	conn->pg = PQconnectdbParams(conn_keys, conn_values, 0);
	now = mono_ms();
	if (conn->pg != NULL && PQstatus(conn->pg) == CONNECTION_OK)
	{
		note_up(conn, now);
		return true;
	}
	note_down(conn, conn->pg != NULL ? PQerrorMessage(conn->pg) : "out of memory", now);
	drop_conn(conn);
	return false;
}

/*
 * exec_route: prepare the route's statement if this connection lacks it,
 * then execute it.  *sent tells whether the call itself reached the server
 * (false: only the prepare ran, so a retry cannot repeat side effects).
 */
static PGresult *
exec_route(AgConn *conn, const AgRoute *route, const char *const values[3], bool *sent)
{
	uint32_t bit = (uint32_t) 1 << route->id;
	char	 name[16];
	char	 sql[160];
	Oid		 types[3] = {TEXT_OID, TEXT_OID, TEXT_OID};

	*sent = false;
	snprintf(name, sizeof(name), "r%d", route->id);
	if ((conn->prepared & bit) == 0)
	{
		PGresult *res;

		/* function comes from the constant route table, never from a request */
		snprintf(sql, sizeof(sql), "SELECT status, body FROM agingos.%s($1, $2, $3)", route->function);
		res = PQprepare(conn->pg, name, sql, 3, types);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return res;
		PQclear(res);
		conn->prepared |= bit;
	}
	*sent = true;
	return PQexecPrepared(conn->pg, name, 3, values, NULL, NULL, 0);
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

void
ag_db_call(const AgRoute *route, const char *params, const char *body, const char *api_key, AgReply *reply)
{
	AgConn	   *conn = thread_conn();
	const char *values[3] = {params, body, api_key};

	for (int attempt = 0; conn != NULL && attempt < 2; attempt++)
	{
		PGresult *res;
		bool	  sent;
		bool	  retry;

		if (!ensure_conn(conn))
			break;
		res = exec_route(conn, route, values, &sent);
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			ag_result_reply(route, res, reply);
		else if (PQstatus(conn->pg) == CONNECTION_OK && !(attempt == 0 && ag_result_stale(res)))
			ag_result_error(route, res, reply);
		retry = reply->status == 0 && (PQstatus(conn->pg) == CONNECTION_OK || may_retry(route, res, sent));
		PQclear(res);
		if (reply->status != 0)
			return;
		/* connection gone or statement stale: try a fresh one at most once */
		ag_log(AG_LOG_DEBUG, "db_lost", NULL, "path=%s retry=%s", route->path, retry ? "yes" : "no");
		drop_conn(conn);
		if (!retry)
			break;
	}
	if (conn == NULL)
		ag_reply_error(reply, 500, "53200", "out of memory", NULL, NULL);
	else
		ag_err_unavailable(reply);
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
	int64_t	  deadline = mono_ms() + HEALTH_TIMEOUT_MS;
	PGresult *res;
	bool	  ok = false;

	if (!PQsendQuery(pg, "SELECT 1"))
		return PING_FAILED;
	while (PQisBusy(pg))
	{
		struct pollfd pfd = {.fd = PQsocket(pg), .events = POLLIN};
		int64_t		  left = deadline - mono_ms();
		int			  rc;

		if (left <= 0)
			return PING_TIMEOUT;
		rc = poll(&pfd, 1, (int) left);
		if (rc < 0 && errno != EINTR)
			return PING_FAILED;
		if (rc > 0 && !PQconsumeInput(pg))
			return PING_FAILED;
	}
	while ((res = PQgetResult(pg)) != NULL)
	{
		ok = PQresultStatus(res) == PGRES_TUPLES_OK;
		PQclear(res);
	}
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
			note_down(conn, "health check timed out", mono_ms());
			break;
		}
		if (PQstatus(conn->pg) == CONNECTION_OK)
			break;
		drop_conn(conn);
	}
	ag_reply_json(reply, 503, HEALTH_DOWN, sizeof(HEALTH_DOWN) - 1);
}
