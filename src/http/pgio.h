/*-------------------------------------------------------------------------
 * pgio.h
 *	  Bounded waits on a libpq connection: every command the front sends is
 *	  asynchronous (PQsend*), and its result is awaited with poll(2) up to a
 *	  deadline, so a hung server never holds a worker for longer than the
 *	  route's timeout.  Also the connection's notice receiver and the query
 *	  cancel after a timeout.
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_PGIO_H
#define AG_HTTP_PGIO_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

typedef enum AgPgWait
{
	AG_PG_READY,  /* the command finished; its result (if any) is given */
	AG_PG_BROKEN, /* the connection failed; a result may tell more */
	AG_PG_TIMEOUT /* no complete answer before the deadline */
} AgPgWait;

/* ag_mono_ms: monotonic clock in milliseconds. */
int64_t ag_mono_ms(void);

/*
 * ag_pg_setup: make a fresh connection non-blocking (sends never block
 * either) and route its NOTICE/WARNING messages to the log: one warn line
 * event=pg_notice with severity and sqlstate, and msg only for SQLSTATE
 * classes that cannot quote request values.  Returns false on failure.
 */
bool ag_pg_setup(PGconn *pg);

/*
 * ag_pg_result: after a successful PQsend* call, flush it and wait for its
 * result until deadline_ms (ag_mono_ms time).  *res gets the first error
 * result, else the last result, or NULL (caller PQclears it); on
 * AG_PG_TIMEOUT it is always NULL and the command may still be running.
 */
AgPgWait ag_pg_result(PGconn *pg, int64_t deadline_ms, PGresult **res);

/*
 * ag_pg_cancel: ask the server to cancel the command running on pg.
 * PQcancel waits for the server to close its socket, which a hung server
 * never does, so the request is sent from a short-lived detached thread (at
 * most a few at a time; beyond that the cancel is skipped).  The caller
 * then closes pg.
 */
void ag_pg_cancel(PGconn *pg);

#endif /* AG_HTTP_PGIO_H */
