/*-------------------------------------------------------------------------
 * pgio.c
 *	  Non-blocking libpq I/O with a deadline (libpq docs, "Asynchronous
 *	  Command Processing": flush until done, poll for read/write, consume
 *	  input until the result is complete), the notice receiver and the
 *	  background cancel.
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pgio.h"
#include "results.h"

#define CANCEL_THREADS_MAX 8

static atomic_int cancel_threads = 0;

int64_t
ag_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * notice_receiver: PQnoticeReceiver.  libpq's default prints the whole
 * multi-line text on stderr; here it is one key=value line.  A NOTICE may
 * quote values of the request, so msg is kept only for the classes
 * results.c deems safe (e.g. 57P02 "terminating connection because of
 * crash of another server process").
 */
static void
notice_receiver(void *arg, const PGresult *res)
{
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	(void) arg;
	if (severity == NULL || severity[strspn(severity, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")] != '\0')
		severity = "NOTICE";
	if (state == NULL || strlen(state) != 5 || state[strspn(state, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")] != '\0')
		state = "-";
	ag_log(AG_LOG_WARN, "pg_notice", ag_result_msg_safe(state) ? msg : NULL, "severity=%s sqlstate=%s", severity,
		   state);
}

bool
ag_pg_setup(PGconn *pg)
{
	PQsetNoticeReceiver(pg, notice_receiver, NULL);
	return PQsetnonblocking(pg, 1) == 0;
}

/*
 * wait_ready: flush what is queued and wait until PQgetResult would not
 * block, at most until deadline.
 */
static AgPgWait
wait_ready(PGconn *pg, int64_t deadline)
{
	for (;;)
	{
		int			  flush = PQflush(pg);
		struct pollfd pfd = {.fd = PQsocket(pg), .events = POLLIN};
		int64_t		  left;
		int			  rc;

		if (flush < 0)
			return AG_PG_BROKEN;
		if (flush == 0 && !PQisBusy(pg))
			return AG_PG_READY;
		if (pfd.fd < 0)
			return AG_PG_BROKEN;
		left = deadline - ag_mono_ms();
		if (left <= 0)
			return AG_PG_TIMEOUT;
		if (flush > 0)
			pfd.events |= POLLOUT;
		rc = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int) left);
		if (rc < 0 && errno != EINTR)
			return AG_PG_BROKEN;
		/* read what arrived (or the error/EOF); a write-ready socket is flushed above */
		if (rc > 0 && (pfd.revents & (POLLIN | POLLERR | POLLHUP)) != 0 && !PQconsumeInput(pg))
			return AG_PG_BROKEN;
	}
}

AgPgWait
ag_pg_result(PGconn *pg, int64_t deadline_ms, PGresult **res)
{
	*res = NULL;
	for (;;)
	{
		AgPgWait  wait = wait_ready(pg, deadline_ms);
		PGresult *next;

		if (wait == AG_PG_TIMEOUT)
		{
			PQclear(*res);
			*res = NULL;
			return wait;
		}
		/* on a live connection PQgetResult could block; on a dead one it cannot */
		if (wait == AG_PG_BROKEN && PQstatus(pg) != CONNECTION_BAD)
			return wait;
		next = PQgetResult(pg);
		if (next == NULL)
			return wait;
		if (*res != NULL && PQresultStatus(*res) == PGRES_FATAL_ERROR)
			PQclear(next);
		else
		{
			PQclear(*res);
			*res = next;
		}
	}
}

/* cancel_main: the detached thread of ag_pg_cancel. */
static void *
cancel_main(void *arg)
{
	PGcancel *cancel = arg;
	char	  errbuf[256];

	if (!PQcancel(cancel, errbuf, sizeof(errbuf)))
		ag_log(AG_LOG_DEBUG, "db_cancel_failed", errbuf, NULL);
	PQfreeCancel(cancel);
	atomic_fetch_sub(&cancel_threads, 1);
	return NULL;
}

void
ag_pg_cancel(PGconn *pg)
{
	PGcancel	  *cancel;
	pthread_attr_t attr;
	pthread_t	   tid;

	if (atomic_fetch_add(&cancel_threads, 1) >= CANCEL_THREADS_MAX)
	{
		atomic_fetch_sub(&cancel_threads, 1);
		ag_log(AG_LOG_DEBUG, "db_cancel_skipped", "too many cancel requests pending", NULL);
		return;
	}
	cancel = PQgetCancel(pg);
	if (cancel != NULL && pthread_attr_init(&attr) == 0)
	{
		int rc;

		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		rc = pthread_create(&tid, &attr, cancel_main, cancel);
		pthread_attr_destroy(&attr);
		if (rc == 0)
			return;
	}
	if (cancel != NULL)
		PQfreeCancel(cancel);
	atomic_fetch_sub(&cancel_threads, 1);
}
