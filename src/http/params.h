/*-------------------------------------------------------------------------
 * params.h
 *	  The params argument of the route functions: query arguments and the
 *	  path parameter as one JSON object text.
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_PARAMS_H
#define AG_HTTP_PARAMS_H

#include <stdbool.h>

#include <microhttpd.h>

/*
 * ag_params_build: the JSON object {"key":"value",...} of the request's query
 * arguments (already URL-decoded by libmicrohttpd) in order of first
 * appearance; a repeated key keeps its last value, a key without value is
 * "".  path_name/path_value (both NULL when the route has none) are added
 * last and win over a query argument of the same name.  Returns malloc'd
 * text ("{}" when empty), or NULL: *has_nul tells whether a key or value
 * held a NUL byte (%00), else memory ran out.
 */
char *ag_params_build(struct MHD_Connection *connection, const char *path_name, const char *path_value, bool *has_nul);

#endif /* AG_HTTP_PARAMS_H */
