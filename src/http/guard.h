/*-------------------------------------------------------------------------
 * guard.h
 *	  The front's own defences around the API key (contract.md section 12,
 *	  docs/security.md): a per-key token bucket (429 AG429 with
 *	  Retry-After, nothing stored) and a per-client-address delay for
 *	  answers to wrong keys (401), which are logged with the key's prefix
 *	  and the client address, never the key.  Thread-safe; nothing here
 *	  touches the database.
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_GUARD_H
#define AG_HTTP_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "env.h"

/*
 * ag_guard_start: remember the rate, burst and delay settings and start the
 * thread that resumes held connections.  Returns false (logged) when the
 * thread cannot be started.  Call once before the server starts.
 */
bool ag_guard_start(const AgSettings *settings);

/* ag_guard_stop: resume every held connection and stop the thread. */
void ag_guard_stop(void);

/*
 * ag_rate_take: take one token from the bucket of api_key (kept under a
 * seeded 64-bit hash of the key, never the key).  Returns true when the
 * request may go on; false with *retry_after_s (≥ 1) when the bucket is
 * empty.  Buckets refill at settings->http_rate per second up to
 * settings->http_burst.
 */
bool ag_rate_take(const char *api_key, unsigned *retry_after_s);

/*
 * ag_rate_forget: drop api_key's bucket (after a 401: unknown keys never
 * keep a slot, so a flood of random keys cannot push real keys out).
 */
void ag_rate_forget(const char *api_key);

/*
 * ag_auth_failed: note a 401 for the client of connection; key_start is
 * the start of the X-API-Key value (or NULL when none was sent) and
 * key_len its full length.  Log one
 * auth_failed line (key prefix of at most 8 characters — fewer for short
 * keys —, client address, path) and return how long to hold the answer,
 * in ms: the delay doubles with each failure from the same address within
 * a minute, from AGINGOS_HTTP_AUTH_DELAY_MS up to
 * AGINGOS_HTTP_AUTH_DELAY_MAX_MS.  0 when delays are off.
 */
int ag_auth_failed(struct MHD_Connection *connection, const char *key_start, size_t key_len, const char *path);

/*
 * ag_guard_hold: suspend connection (it must have been started with
 * MHD_ALLOW_SUSPEND_RESUME) and resume it after delay_ms, so the worker
 * thread goes on serving other clients meanwhile.  Returns false (the
 * caller answers at once) when nothing can be held.
 */
bool ag_guard_hold(struct MHD_Connection *connection, int delay_ms);

#endif /* AG_HTTP_GUARD_H */
