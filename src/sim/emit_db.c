/*-------------------------------------------------------------------------
 * emit_db.c
 *	  db mode: libpq, two prepared statements.  One simulated interval is
 *	  one pipeline (one round trip, one implicit transaction): the
 *	  interval's agingos_ingest_batch calls, then agingos_scheduler_tick at
 *	  the interval's end.  With scheduler.workers n > 1 (read from the
 *	  config at connect) the interval's events are committed first and the
 *	  tick then runs as production's n bucket jobs do
 *	  (agingos_scheduler_tick_bucket, docs/scheduler.md), side by side on n
 *	  sessions.  The session runs with synchronous_commit off: a
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

#define AG_DB_MAX_WORKERS 16 /* scheduler.workers' upper bound (docs/scheduler.md) */

/*
 * conn is the session that ingests and ticks (bucket 0 when workers > 1);
 * tick[1 .. workers-1] tick the other buckets of scheduler.workers.
 */
struct AgDb
{
	PGconn				*conn;
	PGconn				*tick[AG_DB_MAX_WORKERS];
	int					 workers;
	const AgSimSettings *s;
	char				*homes; /* the simulated homes as a text[] literal: {sim-1,sim-2,…} */
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
	"FROM agingos.agingos_scheduler_tick_homes($2::text[], $1::timestamptz) AS t(s)";

/*
 * The same summary from one bucket's run ($1 of $2 buckets), over the
 * simulated homes $4 of that bucket only.  The ticks of a time warp run
 * over the simulator's own homes (agingos_scheduler_tick_homes): a real
 * home on the same database is never evaluated at a simulated instant
 * (docs/sim.md).
 */
static const char bucket_sql[] =
	"SELECT t.s->>'status', coalesce((t.s->>'deviations_opened')::int, 0), "
	"coalesce((t.s->>'deviations_closed')::int, 0), coalesce((t.s->>'rules_failed')::int, 0), "
	"coalesce((t.s->>'duration_ms')::float8, 0) "
	"FROM agingos.agingos_scheduler_run($3::timestamptz, $1::int, $2::int, $4::text[]) AS t(s)";

/* scheduler.workers of the active config (1 when unset). */
static const char workers_sql[] =
	"SELECT coalesce((agingos.agingos_config() -> 'scheduler' ->> 'workers')::int, 1)";

/* nap: sleep ms milliseconds. */
static void
nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* open_conn: one session, its statements prepared; NULL (logged) on failure. */
static PGconn *
open_conn(const AgSimSettings *s, bool *connected)
{
	const char *keys[] = {"host", "port", "dbname", "user", "application_name", "options", NULL};
	const char *vals[] = {s->pg_host, s->pg_port,
						  s->pg_database ? s->pg_database : (getenv("PGDATABASE") ? NULL : "agingos"),
						  s->pg_user ? s->pg_user : (getenv("PGUSER") ? NULL : "agingos"),
						  "agingos-sim", "-c synchronous_commit=off", NULL};
	PGconn	   *conn = PQconnectdbParams(keys, vals, 0);
	PGresult   *res;

	*connected = PQstatus(conn) == CONNECTION_OK;
	if (!*connected)
	{
		ag_log(AG_LOG_WARN, "db_connect_failed", PQerrorMessage(conn), NULL);
		PQfinish(conn);
		return NULL;
	}
	res = PQprepare(conn, "ingest", ingest_sql, 2, NULL);
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
	{
		PQclear(res);
		res = PQprepare(conn, "tick", tick_sql, 2, NULL);
	}
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
	{
		PQclear(res);
		res = PQprepare(conn, "bucket", bucket_sql, 4, NULL);
	}
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		ag_log(AG_LOG_ERROR, "db_prepare_failed", PQresultErrorMessage(res),
			   "hint=\"is the agingos extension installed in this database?\"");
		PQclear(res);
		PQfinish(conn);
		return NULL;
	}
	PQclear(res);
	return conn;
}

/* close_all: every session of db. */
static void
close_all(AgDb *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	for (int i = 1; i < AG_DB_MAX_WORKERS; i++)
	{
		if (db->tick[i] != NULL)
			PQfinish(db->tick[i]);
		db->tick[i] = NULL;
	}
}

/*
 * connect_once: the main session, scheduler.workers read from it, and one
 * more session per extra bucket; false (logged) on failure, *connected
 * whether the server answered.
 */
static bool
connect_once(AgDb *db, bool *connected)
{
	PGresult *res;

	close_all(db);
	if ((db->conn = open_conn(db->s, connected)) == NULL)
		return false;
	res = PQexec(db->conn, workers_sql);
	db->workers = 1;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		db->workers = atoi(PQgetvalue(res, 0, 0));
	else
		ag_log(AG_LOG_WARN, "db_workers_unknown", PQresultErrorMessage(res), "workers=1");
	PQclear(res);
	if (db->workers < 1 || db->workers > AG_DB_MAX_WORKERS)
		db->workers = 1;
	for (int i = 1; i < db->workers; i++)
		if ((db->tick[i] = open_conn(db->s, connected)) == NULL)
			return false;
	db->tick[0] = db->conn;
	return true;
}

/* reconnect: up to 5 attempts with back-off. */
static bool
reconnect(AgDb *db)
{
	long delay = 200;

	for (int attempt = 1; attempt <= 5; attempt++)
	{
		bool connected;

		if (connect_once(db, &connected))
			return true;
		if (connected)
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
			   "pg_cron also ticks at the wall clock and sees the simulated homes; pause it with agingos_unschedule() during a time warp (the simulator's own ticks evaluate only its homes)",
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
	/* prefixes are [A-Za-z0-9_.-]{1,40} (args.c): no quoting needed */
	db->homes = malloc((size_t) s->homes * (strlen(s->home_prefix) + 12) + 3);
	if (db->homes == NULL)
		abort();
	strcpy(db->homes, "{");
	for (int i = 1; i <= s->homes; i++)
		sprintf(db->homes + strlen(db->homes), "%s%s%d", i > 1 ? "," : "", s->home_prefix, i);
	strcat(db->homes, "}");
	if (!reconnect(db))
	{
		ag_db_close(db);
		return NULL;
	}
	warn_cron(db);
	if (db->workers > 1)
		ag_log(AG_LOG_INFO, "db_workers", "scheduler.workers > 1: each tick runs its buckets on parallel sessions",
			   "workers=%d", db->workers);
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
pipeline(AgDb *db, const AgDbItem *items, int n, const char *now, AgIngestResult *res_out, AgTickResult *tick,
		 bool with_tick)
{
	const char *tick_param[2] = {now, db->homes};
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
	if (with_tick && !PQsendQueryPrepared(db->conn, "tick", 2, tick_param, NULL, NULL, 0))
		return -1;
	if (!PQpipelineSync(db->conn))
		return -1;
	for (int i = 0; i < n + (with_tick ? 1 : 0); i++)
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

/*
 * bucket_ticks: scheduler.workers > 1: agingos_scheduler_tick_bucket(b,
 * workers, now) for every bucket b still pending (bit b of *pending), all
 * at once, bucket b on session tick[b], after the interval's events were
 * committed.  A bucket that ran (any status but skipped) leaves *pending;
 * its figures are added to *tick (duration_ms: the longest run, as the
 * buckets run side by side; status: the first that is not ok).  Returns 1,
 * 0 on an SQL error, -1 when a connection broke.
 */
static int
bucket_ticks(AgDb *db, const char *now, unsigned *pending, AgTickResult *tick)
{
	char nb[12];
	bool ok = true;
	int	 rc = 1;

	snprintf(nb, sizeof(nb), "%d", db->workers);
	for (int b = 0; b < db->workers; b++)
	{
		char		bs[12];
		const char *params[4] = {bs, nb, now, db->homes};

		if (!(*pending & (1U << b)))
			continue;
		snprintf(bs, sizeof(bs), "%d", b);
		if (!PQsendQueryPrepared(db->tick[b], "bucket", 4, params, NULL, NULL, 0))
			return -1;
	}
	for (int b = 0; b < db->workers; b++)
	{
		AgTickResult r;
		PGresult	*res;
		bool		 got = false;

		if (!(*pending & (1U << b)))
			continue;
		memset(&r, 0, sizeof(r));
		while ((res = PQgetResult(db->tick[b])) != NULL)
		{
			if (!got)
				ok = take_tick(res, &r) && ok;
			got = true;
			PQclear(res);
		}
		if (!got)
			rc = -1;
		if (!got || strcmp(r.status, "skipped") == 0)
			continue;
		*pending &= ~(1U << b);
		tick->opened += r.opened;
		tick->closed += r.closed;
		tick->failed += r.failed;
		tick->duration_ms = r.duration_ms > tick->duration_ms ? r.duration_ms : tick->duration_ms;
		if (strcmp(tick->status, "ok") == 0)
			snprintf(tick->status, sizeof(tick->status), "%s", r.status);
	}
	return rc < 0 ? -1 : ok ? 1
							: 0;
}

bool
ag_db_interval(AgDb *db, const AgDbItem *items, int n, AgTime now, AgIngestResult *results, AgTickResult *tick)
{
	char		 ts[32];
	int			 rc = -1;
	unsigned	 pending = 0; /* buckets still to run (workers > 1) */
	AgTickResult acc;		  /* their figures so far */

	ag_format_instant(now, ts);
	for (int attempt = 0; attempt < 300; attempt++)
	{
		memset(results, 0, (size_t) n * sizeof(AgIngestResult));
		if (db->workers == 1)
			rc = pipeline(db, items, n, ts, results, tick, true);
		else
		{
			/* the events first (committed), then the buckets side by side */
			rc = n > 0 ? pipeline(db, items, n, ts, results, tick, false) : 1;
			if (rc > 0)
			{
				if (pending == 0)
				{
					pending = (1U << db->workers) - 1;
					memset(&acc, 0, sizeof(acc));
					snprintf(acc.status, sizeof(acc.status), "ok");
				}
				rc = bucket_ticks(db, ts, &pending, &acc);
				*tick = acc;
				/* some bucket skipped (and none failed): run those again */
				if (rc > 0 && pending != 0 && strcmp(acc.status, "ok") == 0)
					snprintf(tick->status, sizeof(tick->status), "skipped");
			}
		}
		if (rc < 0)
		{
			ag_log(AG_LOG_WARN, "db_connection_lost", PQerrorMessage(db->conn), "now=%s", ts);
			if (attempt >= 3 || !reconnect(db))
				return false;
			pending = 0; /* every bucket again: a repeated run only refreshes */
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
	close_all(db);
	free(db->homes);
	free(db);
}
