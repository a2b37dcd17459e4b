/*-------------------------------------------------------------------------
 * metrics.h
 *	  The front's own Prometheus series (docs/spec/contract.md §11,
 *	  docs/ops/monitoring.md): requests by route template and status code,
 *	  the latency histogram by route, and the ingest outcome of every event
 *	  the front handled.  Kept in C11 atomics (relaxed adds, no lock), with
 *	  label sets bounded by the route table.  Built with AG_METRICS=0
 *	  (make http METRICS=0, for the benchmark) every call here is empty and
 *	  GET /metrics shows only agingos_up and the database's series.
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_METRICS_H
#define AG_HTTP_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "json.h"
#include "routes.h"

#ifndef AG_METRICS
#define AG_METRICS 1
#endif

/*
 * ag_metrics_observe: one answered request: match is the route match (a
 * 404 counts as route "unmatched", a 405 as the path's route), status the
 * HTTP status sent (100-599), duration_us from the request line to the end
 * of the answer.  Thread-safe, lock-free.
 */
void ag_metrics_observe(const AgMatch *match, unsigned status, int64_t duration_us);

/*
 * ag_metrics_ingest: count the events of one request to an ingest route
 * (AG_ROUTE_INGEST_ONE or _BATCH).  extra holds the outcome columns of the
 * route's statement (db.c route_sql): for one event the "deduped" member
 * of a 200 body, for a batch its accepted, deduped and rejected counts.
 * Without them (the front or the route function refused the request as a
 * whole: 4xx, 5xx) the request counts as one rejected event, since the
 * number of events in a refused body is not known.
 */
void ag_metrics_ingest(const AgRoute *route, const AgCallExtra *extra);

/*
 * ag_metrics_append: the front's families in the text format 0.0.4
 * (HELP, TYPE, samples) appended to buf: agingos_http_requests_total,
 * agingos_http_request_duration_seconds, agingos_events_ingested_total.
 * Returns false when memory ran out.
 */
bool ag_metrics_append(AgBuf *buf);

#endif /* AG_HTTP_METRICS_H */
