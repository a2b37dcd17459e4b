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

/* AgParamsError: why ag_params_build returned NULL. */
typedef enum AgParamsFault
{
	AG_PARAMS_OOM,	   /* memory ran out */
	AG_PARAMS_NUL,	   /* a key or value held a NUL byte (%00): 400 22P05 */
	AG_PARAMS_BAD_UTF8 /* a key or value is not valid UTF-8: 400 22021 */
} AgParamsFault;

typedef struct AgParamsError
{
	AgParamsFault fault;
	const char	 *what;	  /* "query parameter", "query parameter name", "path parameter" */
	const char	 *name;	  /* the parameter's name (request memory), for BAD_UTF8 */
	size_t		  offset; /* first bad byte in the name or value, for BAD_UTF8 */
} AgParamsError;

/*
 * ag_params_build: the JSON object {"key":"value",...} of the request's query
 * arguments (already URL-decoded by libmicrohttpd) in order of first
 * appearance; a repeated key keeps its last value, a key without value is
 * "".  path_name/path_value (both NULL when the route has none) are added
 * last and win over a query argument of the same name.  Every key and value
 * is checked before anything is built: no NUL byte, valid UTF-8.  Returns
 * malloc'd text ("{}" when empty), or NULL with *err saying why.
 */
char *ag_params_build(struct MHD_Connection *connection, const char *path_name, const char *path_value,
					  AgParamsError *err);

#endif /* AG_HTTP_PARAMS_H */
