/*-------------------------------------------------------------------------
 * routes.h
 *	  The route table: method + path → one SQL function (contract.md 6).
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_ROUTES_H
#define AG_HTTP_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#define AG_MIB ((size_t) 1024 * 1024)
#define AG_BODY_LIMIT_BYTES (1 * AG_MIB)   /* every route but the batch */
#define AG_BATCH_LIMIT_BYTES (16 * AG_MIB) /* POST /events/batch */

/* Route flags. */
#define AG_ROUTE_JSON 0x1		   /* POST/PATCH: Content-Type must be JSON */
#define AG_ROUTE_BODY_OPTIONAL 0x2 /* ...unless the body is empty */
#define AG_ROUTE_IDEMPOTENT 0x4	   /* safe to retry on a fresh connection */
#define AG_ROUTE_METRICS 0x8	   /* GET /metrics: served by metrics_http.c */
#define AG_ROUTE_INGEST_ONE 0x10   /* one event: counted in agingos_events_ingested_total */
#define AG_ROUTE_INGEST_BATCH 0x20 /* a batch: its items counted likewise */
#define AG_ROUTE_HTML 0x40		   /* function returns (status, body, content_type) */
#define AG_ROUTE_FORM 0x80		   /* a body must be application/x-www-form-urlencoded */

#define AG_ROUTES_MAX 32 /* ids are below this (prepared-statement bit set) */

/*
 * AgRoute: one row of the table.  A path with a parameter is written as its
 * prefix ("/deviations/") plus param ("deviation_id"): it matches the prefix
 * followed by one non-empty segment without '/'.  function is the SQL
 * function in schema agingos, NULL for GET /health (served by the front);
 * id is the row's index (for the per-connection prepared-statement set).
 */
typedef struct AgRoute
{
	int			id;
	const char *method;
	const char *path;
	const char *param;
	const char *function;
	size_t		body_limit;
	unsigned	flags;
} AgRoute;

typedef enum AgMatchKind
{
	AG_MATCH_OK,
	AG_MATCH_NO_PATH,  /* 404 */
	AG_MATCH_NO_METHOD /* 405 */
} AgMatchKind;

/*
 * AgMatch: result of ag_routes_match.  For AG_MATCH_OK, route is set and, for
 * a path parameter, param_value points into the url given.  For
 * AG_MATCH_NO_METHOD, allow lists the path's methods ("GET, PATCH").
 * path_route is set whenever the path exists (metrics label it by route).
 */
typedef struct AgMatch
{
	AgMatchKind	   kind;
	const AgRoute *route;
	const AgRoute *path_route; /* first route with this path, any method; NULL for 404 */
	const char	  *param_value;
	char		   allow[48];
} AgMatch;

/*
 * ag_routes_match: find the route for method and url (the decoded path, no
 * query string).  Literal paths win over parameter paths, so
 * "/deviations/evaluate" is never taken as a deviation id.  Paths are exact:
 * "/event/" is not "/event" (404).
 */
void ag_routes_match(const char *method, const char *url, AgMatch *match);

/* ag_routes_count: rows in the table (ids are 0 .. count-1, at most 32). */
int ag_routes_count(void);

/* ag_routes_at: row i of the table (0 <= i < ag_routes_count()). */
const AgRoute *ag_routes_at(int i);

/*
 * ag_routes_template: the route's path as a bounded metrics label:
 * "/deviations/{deviation_id}" for a parameter route, else its path.
 * Writes at most len bytes (NUL included) into buf and returns buf.
 */
const char *ag_routes_template(const AgRoute *route, char *buf, size_t len);

#endif /* AG_HTTP_ROUTES_H */
