/*-------------------------------------------------------------------------
 * metrics_http.h
 *	  GET /metrics (docs/spec/contract.md §11): the front's own series plus
 *	  agingos_up and the database's series from one call of
 *	  agingos.http_metrics, in the Prometheus text format 0.0.4.
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_METRICS_HTTP_H
#define AG_HTTP_METRICS_HTTP_H

#include <stdbool.h>

#include <microhttpd.h>

#include "env.h"
#include "errors.h"
#include "routes.h"

#define AG_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define AG_METRICS_DB_TIMEOUT_MS 3000 /* longest wait for the database's series */

/*
 * ag_metrics_setup: keep the SHA-256 of AGINGOS_METRICS_TOKEN (if set) for
 * the constant-time comparison.  Call once before the server starts.
 * Returns false (logged) when OpenSSL fails.
 */
bool ag_metrics_setup(const AgSettings *settings);

/*
 * ag_metrics_serve: answer GET /metrics into reply.  Credentials:
 * "Authorization: Bearer <token>" equal to AGINGOS_METRICS_TOKEN (checked
 * here, without the database) covers every home; any other Bearer value,
 * or else X-API-Key, goes to http_metrics as the API key (an admin key:
 * its homes; auth mode none: no key needed).  Query parameters are
 * ignored.  200 text/plain with the series when allowed; the function's
 * JSON 401/403 otherwise.  When the database does not answer within
 * AG_METRICS_DB_TIMEOUT_MS: 200 with agingos_up 0 and the front's series
 * for the metrics token (or when the last answer said auth mode none),
 * else the front's 503 08006 (a key cannot be checked without the
 * database).
 */
void ag_metrics_serve(struct MHD_Connection *connection, const AgRoute *route, AgReply *reply);

#endif /* AG_HTTP_METRICS_HTTP_H */
