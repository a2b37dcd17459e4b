/*-------------------------------------------------------------------------
 * emit_db.c
 *	  db mode: libpq, two prepared statements.  One simulated interval is
 *	  one pipeline (one round trip, one implicit transaction): the
 *	  interval's agingos_ingest_batch calls, then agingos_scheduler_tick at
 *	  the interval's end.  The session runs with synchronous_commit off: a
 *	  crash may lose the last intervals, which a rerun restores (ids
 *	  dedupe).  A lost connection is re-opened (5 attempts, 0.2 s doubling
 *	  back-off) and the interval repeated: ingest is idempotent and a tick
 *	  repeated at the same instant only refreshes what it wrote.
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "emit.h"
#include "libpq-fe.h"

struct AgDb
{
	PGconn				*conn;
	const AgSimSettings *s;
};

static const char ingest_sql[] =
	"SELECT (t.r->>'accepted')::bigint, (t.r->>'deduped')::bigint, (t.r->>'rejected')::bigint, "
	"(SELECT string_agg(format('event_id=%s code=%s message=%s', e.x->>'event_id', e.x->'error'->>'code', "
	"e.x->'error'->>'message'), '; ') FROM (SELECT x FROM jsonb_array_elements(t.r->'results') AS a(x) "
	"WHERE x->>'status' = 'rejected' LIMIT 3) AS e) "
	"FROM agingos.agingos_ingest_batch($1::text, $2::text) AS t(r)";

static const char tick_sql[] =
	"SELECT t.s->>'status', coalesce((t.s->>'deviations_opened')::int, 0), "
	"coalesce((t.s->>'deviations_closed')::int, 0), coalesce((t.s->>'rules_failed')::int, 0), "
	"coalesce((t.s->>'duration_ms')::float8, 0) "
	"FROM agingos.agingos_scheduler_tick($1::timestamptz) AS t(s)";

/* nap: sleep ms milliseconds. */
static void
nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* connect_once: open and prepare; false (logged) on failure. */
static bool
connect_once(AgDb *db)
{
	const AgSimSettings *s = db->s;
	const char			*keys[] = {"host", "port", "dbname", "user", "application_name", "options", NULL};
	const char			*vals[] = {s->pg_host, s->pg_port,
						   s->pg_database ? s->pg_database : (getenv("PGDATABASE") ? NULL : "agingos"),
						   s->pg_user ? s->pg_user : (getenv("PGUSER") ? NULL : "agingos"),
								   "agingos-sim", "-c synchronous_commit=off", NULL};
	PGresult			*res;

	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = PQconnectdbParams(keys, vals, 0);
	if (PQstatus(db->conn) != CONNECTION_OK)
	{
		ag_log(AG_LOG_WARN, "db_connect_failed", PQerrorMessage(db->conn), NULL);
		return false;
	}
	res = PQprepare(db->conn, "ingest", ingest_sql, 2, NULL);
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
	{
		PQclear(res);
		res = PQprepare(db->conn, "tick", tick_sql, 1, NULL);
	}
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		ag_log(AG_LOG_ERROR, "db_prepare_failed", PQresultErrorMessage(res),
			   "hint=\"is the agingos extension installed in this database?\"");
		PQclear(res);
		return false;
	}
	PQclear(res);
	return true;
}

/* reconnect: up to 5 attempts with back-off. */
static bool
reconnect(AgDb *db)
{
	long delay = 200;

	for (int attempt = 1; attempt <= 5; attempt++)
	{
		if (connect_once(db))
			return true;
		if (PQstatus(db->conn) == CONNECTION_OK)
			return false; /* connected but could not prepare: no point retrying */
		if (attempt == 5)
			break;
		ag_log(AG_LOG_WARN, "db_reconnect", NULL, "attempt=%d delay_ms=%ld", attempt, delay);
		nap(delay);
		delay *= 2;
	}
	ag_log(AG_LOG_ERROR, "db_unavailable", "database unreachable after 5 attempts", NULL);
	return false;
}

/* warn_cron: a live pg_cron scheduler would tick at the wall clock too. */
static void
warn_cron(AgDb *db)
{
	PGresult *res = PQexec(db->conn, "SELECT count(*) FROM cron.job WHERE jobname = 'agingos-scheduler' AND active");

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "0") != 0)
		ag_log(AG_LOG_WARN, "cron_scheduler_active",
			   "pg_cron also ticks at the wall clock and sees the simulated homes; pause it with agingos_unschedule() during a time warp",
			   NULL);
	PQclear(res);
}

AgDb *
ag_db_open(const AgSimSettings *s)
{
	AgDb *db = calloc(1, sizeof(AgDb));

	if (db == NULL)
		abort();
	db->s = s;
	if (!reconnect(db))
	{
		ag_db_close(db);
		return NULL;
	}
	warn_cron(db);
	return db;
}

/* log_error: a failed statement's message and SQLSTATE. */
static void
log_error(const PGresult *res, const char *stmt)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	ag_log(AG_LOG_ERROR, "db_error", PQresultErrorMessage(res), "statement=%s sqlstate=%s", stmt, state ? state : "none");
}

/* take_ingest: one ingest result; false on error. */
static bool
take_ingest(PGresult *res, const AgDbItem *item, AgIngestResult *r)
{
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		if (PQresultStatus(res) != PGRES_PIPELINE_ABORTED)
			log_error(res, "ingest");
		return false;
	}
	r->accepted = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	r->deduped = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
	r->rejected = strtoull(PQgetvalue(res, 0, 2), NULL, 10);
	if (r->rejected > 0)
		ag_log(AG_LOG_ERROR, "events_rejected", PQgetvalue(res, 0, 3), "home_id=%s rejected=%llu", item->home,
			   (unsigned long long) r->rejected);
	return true;
}

/* take_tick: the tick summary; false on error. */
static bool
take_tick(PGresult *res, AgTickResult *r)
{
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		if (PQresultStatus(res) != PGRES_PIPELINE_ABORTED)
			log_error(res, "tick");
		return false;
	}
	snprintf(r->status, sizeof(r->status), "%s", PQgetvalue(res, 0, 0));
	r->opened = atoi(PQgetvalue(res, 0, 1));
	r->closed = atoi(PQgetvalue(res, 0, 2));
	r->failed = atoi(PQgetvalue(res, 0, 3));
	r->duration_ms = strtod(PQgetvalue(res, 0, 4), NULL);
	return true;
}

/*
 * pipeline: send the interval, read every result.  Returns 1 on success,
 * 0 on an SQL error (stop), -1 when the connection broke (retry).
 */
static int
pipeline(AgDb *db, const AgDbItem *items, int n, const char *now, AgIngestResult *res_out, AgTickResult *tick)
{
	const char *tick_param[1] = {now};
	bool		ok = true;
	PGresult   *res;

	if (!PQenterPipelineMode(db->conn))
		return -1;
	for (int i = 0; i < n; i++)
	{
		const char *params[2] = {items[i].json, items[i].home};

		if (!PQsendQueryPrepared(db->conn, "ingest", 2, params, NULL, NULL, 0))
			return -1;
	}
	if (!PQsendQueryPrepared(db->conn, "tick", 1, tick_param, NULL, NULL, 0) || !PQpipelineSync(db->conn))
		return -1;
	for (int i = 0; i <= n; i++)
	{
		if ((res = PQgetResult(db->conn)) == NULL)
			return -1;
		ok = (i < n ? take_ingest(res, &items[i], &res_out[i]) : take_tick(res, tick)) && ok;
		PQclear(res);
		if (PQgetResult(db->conn) != NULL) /* each statement ends with a NULL */
			return -1;
	}
	res = PQgetResult(db->conn);
	if (res == NULL || PQresultStatus(res) != PGRES_PIPELINE_SYNC)
	{
		PQclear(res);
		return -1;
	}
	PQclear(res);
	if (!PQexitPipelineMode(db->conn))
		return -1;
	return ok ? 1 : 0;
}

bool
ag_db_interval(AgDb *db, const AgDbItem *items, int n, AgTime now, AgIngestResult *results, AgTickResult *tick)
{
	char ts[32];
	int	 rc = -1;

	ag_format_instant(now, ts);
	for (int attempt = 0; attempt < 300; attempt++)
	{
		memset(results, 0, (size_t) n * sizeof(AgIngestResult));
		rc = pipeline(db, items, n, ts, results, tick);
		if (rc < 0)
		{
			ag_log(AG_LOG_WARN, "db_connection_lost", PQerrorMessage(db->conn), "now=%s", ts);
			if (attempt >= 3 || !reconnect(db))
				return false;
			continue;
		}
		if (rc == 0)
			return false;
		/* "skipped": another session (pg_cron?) holds the tick lock; again */
		if (strcmp(tick->status, "skipped") != 0)
			break;
		n = 0;
		nap(100);
	}
	if (strcmp(tick->status, "ok") != 0)
	{
		ag_log(AG_LOG_ERROR, "tick_failed", "the scheduler tick did not run", "now=%s status=%s", ts, tick->status);
		return false;
	}
	if (tick->failed > 0)
		ag_log(AG_LOG_WARN, "tick_rules_failed", "see the server log (agingos rule_engine error)", "now=%s rules_failed=%d",
			   ts, tick->failed);
	return true;
}

void
ag_db_close(AgDb *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	free(db);
}
