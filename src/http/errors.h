/*-------------------------------------------------------------------------
 * errors.h
 *	  The reply type and the front's own error bodies (contract.md section 6).
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_ERRORS_H
#define AG_HTTP_ERRORS_H

#include <stddef.h>

/*
 * AgReply: what goes back to the client.  status 0 means "not decided yet".
 * body is malloc'd JSON text (len bytes) owned by the reply, or NULL when
 * building it ran out of memory (server.c then sends a fixed 500 body).
 * allow is the Allow header for a 405 (static storage), else NULL.
 * content_type is "" for application/json.
 */
typedef struct AgReply
{
	unsigned int status;
	char		*body;
	size_t		 len;
	const char	*allow;
	char		 content_type[64]; /* "" = application/json; HTML routes and /metrics set it */
	unsigned	 retry_after;	   /* Retry-After header in seconds for a 429, else 0 */
} AgReply;

/*
 * ag_err_form_type: 415 AG415 for a POST /ack/<token> body that is not an
 * HTML form (contract.md sections 6 and 10).
 */
void ag_err_form_type(AgReply *reply, const char *content_type);

/*
 * ag_reply_error: fill reply with status and the body
 * {"code":…,"message":…,"details":…,"hint":…}; details and hint may be NULL
 * (sent as null).  All strings are JSON-escaped here.
 */
void ag_reply_error(AgReply *reply, unsigned int status, const char *code, const char *message, const char *details, const char *hint);

/*
 * ag_reply_json: fill reply with status and a copy of the len bytes of
 * json, sent verbatim.
 */
void ag_reply_json(AgReply *reply, unsigned int status, const char *json, size_t len);

/* ag_reply_free: release the body; the reply is "not decided" again. */
void ag_reply_free(AgReply *reply);

/*
 * 404 P0002: no route has this path.  method and path are echoed cut to a
 * few dozen bytes on a character boundary (invalid UTF-8 becomes U+FFFD).
 */
void ag_err_not_found(AgReply *reply, const char *method, const char *path);

/* 404 P0002: the path holds %00; raw_path is the path as sent (encoded). */
void ag_err_path_nul(AgReply *reply, const char *method, const char *raw_path);

/* 405 AG405: the path exists for other methods, listed in allow. */
void ag_err_method(AgReply *reply, const char *method, const char *path, const char *allow);

/* 413 AG413: the body is over limit bytes for this route. */
void ag_err_too_large(AgReply *reply, const char *method, const char *path, size_t limit);

/* 415 AG415: content_type is the request's Content-Type value or NULL. */
void ag_err_media_type(AgReply *reply, const char *content_type);

/* 503 08006: the database cannot be reached (or is in back-off). */
void ag_err_unavailable(AgReply *reply);

/* 503 08006: the route call got no answer within timeout_ms. */
void ag_err_timeout(AgReply *reply, unsigned timeout_ms);

/*
 * 429 AG429: the API key is over its rate (rate per second, bursts of
 * burst); retry_after_s goes to the Retry-After header.
 */
void ag_err_rate_limited(AgReply *reply, int rate, int burst, unsigned retry_after_s);

/* 400 22P05: what ("request body", "query parameter") holds a NUL byte. */
void ag_err_nul_byte(AgReply *reply, const char *what);

/*
 * 400 22021: what ("request body", "query parameter", "query parameter
 * name", "path parameter", "header") is not valid UTF-8; name (the
 * parameter's or header's name, echoed cut) or NULL; offset is the first bad
 * byte of the value.
 */
void ag_err_bad_utf8(AgReply *reply, const char *what, const char *name, size_t offset);

#endif /* AG_HTTP_ERRORS_H */
