/*-------------------------------------------------------------------------
 * checks.c
 *	  The front's own checks of a request's headers, body and arguments.
 *	  Invalid UTF-8 is answered here (400 22021, with the offset of the
 *	  first bad byte) rather than left to PostgreSQL, whose message would
 *	  quote the bad byte and cannot say where it is.
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "params.h"
#include "utf8.h"

/* type_is: whether value is the media type want, optionally with parameters. */
static bool
type_is(const char *value, const char *want)
{
	size_t n = strlen(want);

	if (value == NULL)
		return false;
	value += strspn(value, " \t");
	if (strncasecmp(value, want, n) != 0)
		return false;
	value += n;
	value += strspn(value, " \t");
	return *value == '\0' || *value == ';';
}

bool
ag_check_json_type(const char *value)
{
	return type_is(value, "application/json");
}

bool
ag_check_form_type(const char *value)
{
	return type_is(value, "application/x-www-form-urlencoded");
}

bool
ag_check_declared_body(struct MHD_Connection *connection, uint64_t *length)
{
	const char *cl = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);

	*length = cl != NULL ? strtoull(cl, NULL, 10) : 0;
	return *length > 0 || te != NULL;
}

bool
ag_check_body_text(const char *body, size_t len, AgReply *reply)
{
	size_t bad;

	if (len == 0)
		return true;
	if (memchr(body, '\0', len) != NULL)
	{
		ag_err_nul_byte(reply, "request body");
		return false;
	}
	bad = ag_utf8_invalid_at(body, len);
	if (bad < len)
	{
		ag_err_bad_utf8(reply, "request body", NULL, bad);
		return false;
	}
	return true;
}

char *
ag_check_args(struct MHD_Connection *connection, const AgMatch *match, const char **api_key, AgReply *reply)
{
	AgParamsError err;
	char		 *params = ag_params_build(connection, match->route->param, match->param_value, &err);
	size_t		  len;
	size_t		  bad;

	if (params == NULL)
	{
		if (err.fault == AG_PARAMS_NUL)
			ag_err_nul_byte(reply, err.what);
		else if (err.fault == AG_PARAMS_BAD_UTF8)
			ag_err_bad_utf8(reply, err.what, err.name, err.offset);
		else
			ag_reply_error(reply, 500, "53200", "out of memory", NULL, NULL);
		return NULL;
	}
	/* a header value cannot hold NUL; only its encoding needs a look */
	*api_key = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-API-Key");
	len = *api_key != NULL ? strlen(*api_key) : 0;
	bad = ag_utf8_invalid_at(*api_key != NULL ? *api_key : "", len);
	if (bad < len)
	{
		ag_err_bad_utf8(reply, "header", "X-API-Key", bad);
		free(params);
		return NULL;
	}
	return params;
}
