/*-------------------------------------------------------------------------
 * http_route.h
 *	  Status and result row of the HTTP route functions (contract.md
 *	  section 6): the one SQLSTATE → HTTP status table (http_status.c).
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_HTTP_ROUTE_H
#define AGINGOS_HTTP_ROUTE_H

#include "postgres.h"

#include "fmgr.h"

#include "util.h"

/*
 * ag_http_status: the HTTP status for a SQLSTATE (contract.md section 6):
 * class 22 → 400, 28000 → 401, 42501 → 403, P0002 → 404, 23505 → 409,
 * anything else → 500.
 */
extern int ag_http_status(int sqlstate);

/*
 * ag_route_result: the (status integer, body text) composite a route
 * function returns; fcinfo is the route's call (its OUT columns).
 */
extern Datum ag_route_result(FunctionCallInfo fcinfo, int status, const char *body);

/* ag_route_error: ag_route_result with ag_http_status and the JSON body of err. */
extern Datum ag_route_error(FunctionCallInfo fcinfo, const AgError *err);

#endif /* AGINGOS_HTTP_ROUTE_H */
