/*-------------------------------------------------------------------------
 * emit.h
 *	  The two ways out: HTTP (emit_http.c, libcurl) and the database
 *	  (emit_db.c, libpq).  Both retry transport failures with back-off and
 *	  return false only when the run must stop (exit code 1).
 *-------------------------------------------------------------------------
 */
#ifndef AG_SIM_EMIT_H
#define AG_SIM_EMIT_H

#include <signal.h>

#include "settings.h"

/* What the server did with a batch (or one event). */
typedef struct AgIngestResult
{
	uint64_t accepted, deduped, rejected;
} AgIngestResult;

/* What one scheduler tick reported (contract section 4, tick summary). */
typedef struct AgTickResult
{
	char   status[16];
	int	   opened, closed, failed;
	double duration_ms; /* as the tick measured itself */
} AgTickResult;

typedef struct AgDb	  AgDb;
typedef struct AgHttp AgHttp;

/* ag_db_open: connect (with retries) and prepare; NULL on failure. */
AgDb *ag_db_open(const AgSimSettings *s);

/* One agingos_ingest_batch call of an interval. */
typedef struct AgDbItem
{
	const char *home;
	const char *json; /* a JSON array of events */
} AgDbItem;

/*
 * ag_db_interval: the items' ingest calls, then agingos_scheduler_tick(now),
 * in one pipeline; results[i] for items[i].  A tick "skipped" (another
 * session holds the tick lock) is repeated.
 */
bool ag_db_interval(AgDb *db, const AgDbItem *items, int n, AgTime now, AgIngestResult *results, AgTickResult *tick);

/* ag_db_close: disconnect. */
void ag_db_close(AgDb *db);

/*
 * ag_http_open: a connection-reusing client for base url; NULL on failure.
 * Retries end early once *stop is set.
 */
AgHttp *ag_http_open(const char *url, volatile const sig_atomic_t *stop);

/*
 * ag_http_post: POST body (nevents events) to path ("/event" or
 * "/events/batch") with X-API-Key key (NULL: none); counts what the server
 * did into *r and failed attempts into *http_errors.  5xx and no answer:
 * up to 6 attempts with doubling waits from 500 ms; 429 (the key's rate
 * limit, nothing stored): waits Retry-After (1..30 s) and sends again, up
 * to 120 times, not counted as failed; other 4xx: not retried (false).
 */
bool ag_http_post(AgHttp *h, const char *path, const char *key, const char *body, int nevents,
				  AgIngestResult *r, uint64_t *http_errors);

/* ag_http_close: release the client. */
void ag_http_close(AgHttp *h);

#endif /* AG_SIM_EMIT_H */
