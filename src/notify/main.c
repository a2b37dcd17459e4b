/*-------------------------------------------------------------------------
 * main.c
 *	  agingos-notify: the relay loop (docs/notifications.md "The relay").
 *	  One libpq connection (LISTEN agingos_notification for immediacy, a
 *	  fetch at least every AGINGOS_NOTIFY_POLL_MS for safety and for rows
 *	  whose back-off or quiet hours end), one curl multi handle for every
 *	  HTTP delivery, apprise children for the apprise channel, all waited
 *	  for in one curl_multi_poll that also watches the database socket.
 *	  At least once: a row is only marked by agingos_notify_result after
 *	  its attempt ended; a crash before that delivers it again.  A lost
 *	  database connection is retried every second (back-off to 5 s); the
 *	  results finished meanwhile are kept in memory and recorded after the
 *	  reconnect, their contacts stay busy until then.
 *	  Exit codes: 0 clean stop (SIGINT/SIGTERM), 2 configuration error.
 *-------------------------------------------------------------------------
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "cli.h"
#include "log.h"
#include "notify.h"

#define MAX_RESULTS 4096

static volatile sig_atomic_t stop_signal = 0;

static AgNotifySettings S;
static PGconn		   *db = NULL;
static int64_t			db_retry_at = 0;
static int				db_delay_ms = 1000;
static bool				db_was_up = false;
static AgJob		   *jobs;
static int				njobs;
static AgResult			results[MAX_RESULTS];
static int				nresults = 0;

static void
on_signal(int signo)
{
	stop_signal = signo;
}

/* db_drop: forget a broken connection; the next connect is in db_delay_ms. */
static void
db_drop(const char *why)
{
	if (db != NULL)
	{
		ag_log(AG_LOG_WARN, "db_lost", why, NULL);
		PQfinish(db);
		db = NULL;
	}
	db_retry_at = ag_now_ms() + db_delay_ms;
	db_delay_ms = db_delay_ms * 2 > 5000 ? 5000 : db_delay_ms * 2;
}

/* db_connect: connect and LISTEN, when the back-off allows.  Returns db != NULL. */
static bool
db_connect(void)
{
	const char *keys[8];
	const char *vals[8];
	int			n = 0;
	PGresult   *r;

	if (db != NULL)
		return true;
	if (ag_now_ms() < db_retry_at)
		return false;
	if (S.pg_host != NULL)
	{
		keys[n] = "host";
		vals[n++] = S.pg_host;
	}
	keys[n] = "port";
	vals[n++] = S.pg_port;
	keys[n] = "dbname";
	vals[n++] = S.pg_database;
	keys[n] = "user";
	vals[n++] = S.pg_user;
	keys[n] = "application_name";
	vals[n++] = "agingos-notify";
	keys[n] = "connect_timeout";
	vals[n++] = "5";
	keys[n] = NULL;
	vals[n] = NULL;
	db = PQconnectdbParams(keys, vals, 0);
	if (PQstatus(db) != CONNECTION_OK)
	{
		if (db_was_up || db_delay_ms == 1000)
			ag_log(AG_LOG_WARN, "db_unavailable", PQerrorMessage(db), "retry_ms=%d", db_delay_ms);
		db_was_up = false;
		PQfinish(db);
		db = NULL;
		db_retry_at = ag_now_ms() + db_delay_ms;
		db_delay_ms = db_delay_ms * 2 > 5000 ? 5000 : db_delay_ms * 2;
		return false;
	}
	r = PQexec(db, "LISTEN agingos_notification");
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
	{
		PQclear(r);
		db_drop(PQerrorMessage(db));
		return false;
	}
	PQclear(r);
	PQsetnonblocking(db, 0);
	db_delay_ms = 1000;
	db_was_up = true;
	ag_log(AG_LOG_INFO, "db_connected", NULL, "pg_port=%s pg_database=%s pg_user=%s", S.pg_port, S.pg_database,
		   S.pg_user);
	return true;
}

/* db_failed: after a failed command; drops the connection when it is gone. */
static void
db_failed(PGresult *r, const char *what)
{
	if (PQstatus(db) != CONNECTION_OK)
		db_drop(PQerrorMessage(db));
	else
		ag_log(AG_LOG_ERROR, "db_error", r ? PQresultErrorMessage(r) : PQerrorMessage(db), "call=%s", what);
}

/* record_results: agingos_notify_result for every finished attempt kept. */
static void
record_results(void)
{
	int done = 0;

	for (; done < nresults && db != NULL; done++)
	{
		AgResult   *res = &results[done];
		char		id[24];
		const char *params[4];
		PGresult   *r;

		snprintf(id, sizeof(id), "%lld", (long long) res->notification_id);
		params[0] = res->home_id;
		params[1] = id;
		params[2] = res->ok ? "t" : "f";
		params[3] = res->ok ? NULL : res->error;
		r = PQexecParams(db, "SELECT agingos.agingos_notify_result($1, $2::bigint, $3::boolean, $4)", 4, NULL,
						 params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
		{
			db_failed(r, "agingos_notify_result");
			PQclear(r);
			break;
		}
		{
			const char *st = PQgetvalue(r, 0, 0);
			char		who[96];

			ag_log_quote(who, sizeof(who), res->home_id);
			if (strcmp(st, "sent") == 0)
				ag_log(AG_LOG_INFO, "sent", NULL, "notification_id=%lld home_id=%s contact_id=%lld kind=%s attempts=%d",
					   (long long) res->notification_id, who, (long long) res->contact_id, res->kind, res->attempts);
			else if (strcmp(st, "dead") == 0)
				ag_log(AG_LOG_ERROR, "dead", res->error,
					   "notification_id=%lld home_id=%s contact_id=%lld kind=%s attempts=%d",
					   (long long) res->notification_id, who, (long long) res->contact_id, res->kind, res->attempts);
			else
				ag_log(AG_LOG_WARN, "retry", res->error,
					   "notification_id=%lld home_id=%s contact_id=%lld kind=%s attempts=%d",
					   (long long) res->notification_id, who, (long long) res->contact_id, res->kind, res->attempts);
		}
		PQclear(r);
	}
	if (done > 0)
	{
		memmove(results, results + done, (size_t) (nresults - done) * sizeof(AgResult));
		nresults -= done;
	}
}

/* finish_job: move a finished delivery into the result list and free its slot. */
static void
finish_job(CURLM *multi, AgJob *job)
{
	if (job->notification_id != 0 && nresults < MAX_RESULTS)
	{
		AgResult *res = &results[nresults++];

		memset(res, 0, sizeof(*res));
		snprintf(res->home_id, sizeof(res->home_id), "%s", job->home_id);
		res->notification_id = job->notification_id;
		res->contact_id = job->contact_id;
		res->ok = job->ok;
		res->attempts = job->attempts + 1;
		snprintf(res->kind, sizeof(res->kind), "%s", job->kind);
		snprintf(res->error, sizeof(res->error), "%s", job->error);
	}
	else if (job->notification_id == 0 && !job->ok)
		ag_log(AG_LOG_DEBUG, "alert_resend_failed", job->error, "contact_id=%lld", (long long) job->contact_id);
	ag_deliver_release(multi, job);
}

/* free_slot: an unused job slot, or NULL. */
static AgJob *
free_slot(void)
{
	for (int i = 0; i < njobs; i++)
		if (!jobs[i].used)
			return &jobs[i];
	return NULL;
}

/* busy_array: '{…}' of the contacts with an attempt in flight or unrecorded. */
static char *
busy_array(void)
{
	size_t cap = 16 + (size_t) (njobs + nresults) * 21;
	char  *a = malloc(cap);
	size_t o = 0;
	bool   first = true;

	if (a == NULL)
		return NULL;
	a[o++] = '{';
	for (int i = 0; i < njobs; i++)
		if (jobs[i].used && jobs[i].notification_id != 0)
		{
			o += (size_t) snprintf(a + o, cap - o, "%s%lld", first ? "" : ",", (long long) jobs[i].contact_id);
			first = false;
		}
	for (int i = 0; i < nresults; i++)
	{
		o += (size_t) snprintf(a + o, cap - o, "%s%lld", first ? "" : ",", (long long) results[i].contact_id);
		first = false;
	}
	a[o++] = '}';
	a[o] = '\0';
	return a;
}

/* fetch_and_start: the due heads of the idle contacts' queues, each started. */
static int
fetch_and_start(CURLM *multi)
{
	int			free_n = 0;
	char		lim[16];
	char	   *busy;
	const char *params[3];
	PGresult   *r;
	int			started = 0;

	for (int i = 0; i < njobs; i++)
		free_n += !jobs[i].used;
	if (free_n == 0 || db == NULL || nresults >= MAX_RESULTS - njobs)
		return 0;
	busy = busy_array();
	if (busy == NULL)
		return 0;
	snprintf(lim, sizeof(lim), "%d", free_n);
	params[0] = S.base_url;
	params[1] = busy;
	params[2] = lim;
	r = PQexecParams(db,
					 "SELECT home_id, notification_id, contact_id, attempts, kind, message->>'channel', "
					 "message->>'target', message->>'title', message->>'text', (message->'body')::text "
					 "FROM agingos.agingos_notify_next($1, $2::bigint[], $3::integer)",
					 3, NULL, params, NULL, NULL, 0);
	free(busy);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		db_failed(r, "agingos_notify_next");
		PQclear(r);
		return 0;
	}
	for (int i = 0; i < PQntuples(r); i++)
	{
		AgJob *job = free_slot();

		if (job == NULL)
			break;
		memset(job, 0, sizeof(*job));
		job->used = true;
		snprintf(job->home_id, sizeof(job->home_id), "%s", PQgetvalue(r, i, 0));
		job->notification_id = strtoll(PQgetvalue(r, i, 1), NULL, 10);
		job->contact_id = strtoll(PQgetvalue(r, i, 2), NULL, 10);
		job->attempts = atoi(PQgetvalue(r, i, 3));
		snprintf(job->kind, sizeof(job->kind), "%s", PQgetvalue(r, i, 4));
		job->channel = ag_channel_parse(PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5));
		if (!ag_deliver_start(multi, &S, job, PQgetisnull(r, i, 6) ? NULL : PQgetvalue(r, i, 6),
							  PQgetvalue(r, i, 7), PQgetvalue(r, i, 8), PQgetisnull(r, i, 9) ? NULL : PQgetvalue(r, i, 9)))
		{
			job->done = true;
			job->ok = false;
		}
		started++;
	}
	PQclear(r);
	return started;
}

/* resend_alerts: every active alert again to its Alertmanager (best effort). */
static void
resend_alerts(CURLM *multi)
{
	const char *params[1] = {S.base_url};
	PGresult   *r;

	if (db == NULL)
		return;
	r = PQexecParams(db, "SELECT contact_id, target, body::text FROM agingos.agingos_notify_active_alerts($1)", 1, NULL,
					 params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		db_failed(r, "agingos_notify_active_alerts");
		PQclear(r);
		return;
	}
	for (int i = 0; i < PQntuples(r); i++)
	{
		AgJob *job = free_slot();

		if (job == NULL)
			break;
		memset(job, 0, sizeof(*job));
		job->used = true;
		job->notification_id = 0;
		job->contact_id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		job->channel = AG_CH_ALERTMANAGER;
		if (!ag_deliver_start(multi, &S, job, PQgetvalue(r, i, 1), NULL, NULL, PQgetvalue(r, i, 2)))
			job->done = true;
	}
	if (PQntuples(r) > 0)
		ag_log(AG_LOG_DEBUG, "alerts_resent", NULL, "alerts=%d", PQntuples(r));
	PQclear(r);
}

int
main(int argc, char **argv)
{
	CURLM  *multi;
	int64_t next_fetch = 0, next_resend;
	bool	wake = true;
	int		rc;

	if ((rc = ag_cli_env_only(argc, argv, ag_notify_usage)) >= 0)
		return rc;
	if (!ag_notify_env_read(&S))
		return 2;
	ag_cli_on_stop(on_signal);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	multi = curl_multi_init();
	njobs = S.parallel;
	jobs = calloc((size_t) njobs, sizeof(AgJob));
	if (multi == NULL || jobs == NULL)
		return 1;
	next_resend = ag_now_ms() + (int64_t) S.am_resend_s * 1000;
	ag_log(AG_LOG_INFO, "start", NULL, "parallel=%d poll_ms=%d timeout_ms=%d signed=%s pg_port=%s pg_database=%s",
		   S.parallel, S.poll_ms, S.timeout_ms, S.webhook_secret ? "yes" : "no", S.pg_port, S.pg_database);

	while (stop_signal == 0)
	{
		struct curl_waitfd wfd[1];
		int				   nfd = 0, running = 0, children = 0, numfds = 0;
		int64_t			   now, timeout;

		if (db == NULL && db_connect())
			wake = true;
		if (db != NULL && nresults > 0)
			record_results();
		now = ag_now_ms();
		if (db != NULL && (wake || now >= next_fetch))
		{
			wake = false;
			next_fetch = now + S.poll_ms;
			fetch_and_start(multi);
		}
		if (db != NULL && now >= next_resend)
		{
			next_resend = now + (int64_t) S.am_resend_s * 1000;
			resend_alerts(multi);
		}
		curl_multi_perform(multi, &running);
		ag_deliver_collect(multi, jobs, njobs);
		for (int i = 0; i < njobs; i++)
		{
			if (jobs[i].used && jobs[i].done)
			{
				finish_job(multi, &jobs[i]);
				wake = true; /* the contact's next message may be due */
			}
			else if (jobs[i].used && jobs[i].pid > 0)
				children++;
		}
		if (wake && db != NULL)
			continue;
		if (db != NULL)
		{
			wfd[0].fd = PQsocket(db);
			wfd[0].events = CURL_WAIT_POLLIN;
			wfd[0].revents = 0;
			nfd = 1;
		}
		timeout = next_fetch - ag_now_ms();
		if (db == NULL)
			timeout = db_retry_at - ag_now_ms();
		if (children > 0 && timeout > 100)
			timeout = 100;
		if (timeout < 0)
			timeout = 0;
		curl_multi_poll(multi, wfd, (unsigned) nfd, (int) timeout, &numfds);
		if (db != NULL && nfd == 1 && (wfd[0].revents & CURL_WAIT_POLLIN))
		{
			PGnotify *n;

			if (!PQconsumeInput(db))
				db_drop(PQerrorMessage(db));
			else
				while ((n = PQnotifies(db)) != NULL)
				{
					wake = true;
					PQfreemem(n);
				}
		}
	}
	ag_log(AG_LOG_INFO, "stop", NULL, "signal=%s in_flight_abandoned=%d", stop_signal == SIGINT ? "SIGINT" : "SIGTERM",
		   0);
	/* finished attempts are recorded; unfinished ones stay pending and are sent again */
	ag_deliver_collect(multi, jobs, njobs);
	for (int i = 0; i < njobs; i++)
		if (jobs[i].used && jobs[i].done)
			finish_job(multi, &jobs[i]);
	if (db != NULL)
		record_results();
	for (int i = 0; i < njobs; i++)
		if (jobs[i].used)
			ag_deliver_release(multi, &jobs[i]);
	if (db != NULL)
		PQfinish(db);
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	free(jobs);
	return 0;
}
