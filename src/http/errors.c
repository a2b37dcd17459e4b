/*-------------------------------------------------------------------------
 * errors.c
 *	  Error bodies the front writes itself.  Codes and statuses are fixed by
 *	  contract.md section 6: 404 P0002, 405 AG405, 413 AG413, 415 AG415,
 *	  503 08006, plus 400 22P05 / 22021 for text PostgreSQL cannot hold.
 *	  Request values echoed in a message are cut to ECHO_MAX bytes on a
 *	  character boundary; json.c makes invalid UTF-8 U+FFFD.  Messages
 *	  follow the errmsg style (lower case, no period); details and hints are
 *	  sentences.
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "json.h"
#include "routes.h"
#include "utf8.h"

#define ECHO_MAX 64		   /* bytes of a request value echoed in a message */
#define ECHO_METHOD_MAX 24 /* ditto for the method */

/* append one "key":"value" member (value may be NULL → null) */
static void
member(AgBuf *buf, const char *key, const char *value, const char *sep)
{
	ag_buf_append_str(buf, key);
	ag_json_append_string(buf, value, value == NULL ? 0 : strlen(value));
	ag_buf_append_str(buf, sep);
}

void
ag_reply_error(AgReply *reply, unsigned int status, const char *code, const char *message, const char *details, const char *hint)
{
	AgBuf buf;

	ag_buf_init(&buf);
	member(&buf, "{\"code\":", code, ",");
	member(&buf, "\"message\":", message, ",");
	member(&buf, "\"details\":", details, ",");
	member(&buf, "\"hint\":", hint, "}");
	reply->status = status;
	reply->len = buf.len;
	reply->body = ag_buf_take(&buf);
	reply->allow = NULL;
	reply->content_type[0] = '\0';
	reply->retry_after = 0;
}

void
ag_reply_json(AgReply *reply, unsigned int status, const char *json, size_t len)
{
	reply->status = status;
	reply->allow = NULL;
	reply->content_type[0] = '\0';
	reply->retry_after = 0;
	reply->len = len;
	reply->body = malloc(len + 1);
	if (reply->body == NULL)
		return;
	memcpy(reply->body, json, len);
	reply->body[len] = '\0';
}

void
ag_reply_free(AgReply *reply)
{
	free(reply->body);
	reply->body = NULL;
	reply->len = 0;
	reply->status = 0;
	reply->allow = NULL;
	reply->content_type[0] = '\0';
}

void
ag_err_not_found(AgReply *reply, const char *method, const char *path)
{
	char m[ECHO_METHOD_MAX + 4];
	char p[ECHO_MAX + 4];
	char message[160];

	snprintf(message, sizeof(message), "no route for %s %s", ag_utf8_echo(m, sizeof(m), method, ECHO_METHOD_MAX),
			 ag_utf8_echo(p, sizeof(p), path, ECHO_MAX));
	ag_reply_error(reply, 404, "P0002", message, NULL,
				   "The routes are listed in docs/http.md; paths are exact, without a trailing slash.");
}

void
ag_err_path_nul(AgReply *reply, const char *method, const char *raw_path)
{
	char m[ECHO_METHOD_MAX + 4];
	char p[ECHO_MAX + 4];
	char message[160];

	snprintf(message, sizeof(message), "no route for %s %s", ag_utf8_echo(m, sizeof(m), method, ECHO_METHOD_MAX),
			 ag_utf8_echo(p, sizeof(p), raw_path, ECHO_MAX));
	ag_reply_error(reply, 404, "P0002", message, "The path contains an encoded NUL byte (%00); no route has one.",
				   "The routes are listed in docs/http.md; paths are exact, without a trailing slash.");
}

void
ag_err_method(AgReply *reply, const char *method, const char *path, const char *allow)
{
	char m[ECHO_METHOD_MAX + 4];
	char p[ECHO_MAX + 4];
	char message[160];
	char details[128];

	snprintf(message, sizeof(message), "method %s is not allowed for %s",
			 ag_utf8_echo(m, sizeof(m), method, ECHO_METHOD_MAX), ag_utf8_echo(p, sizeof(p), path, ECHO_MAX));
	snprintf(details, sizeof(details), "Allowed methods: %s.", allow);
	ag_reply_error(reply, 405, "AG405", message, details, NULL);
	reply->allow = allow;
}

void
ag_err_too_large(AgReply *reply, const char *method, const char *path, size_t limit)
{
	char details[512];

	snprintf(details, sizeof(details), "The limit for %s %.400s is %zu bytes (%zu MiB).", method, path, limit, limit / (1024 * 1024));
	ag_reply_error(reply, 413, "AG413", "request body is too large", details,
				   limit < AG_BATCH_LIMIT_BYTES
					   ? "Send one event per request, or many at once with POST /events/batch (up to 16 MiB)."
					   : "Split the batch into smaller ones.");
}

void
ag_err_media_type(AgReply *reply, const char *content_type)
{
	char value[ECHO_MAX + 4];
	char details[128];

	if (content_type == NULL)
		snprintf(details, sizeof(details), "The request has no Content-Type header.");
	else
		snprintf(details, sizeof(details), "The Content-Type is \"%s\".",
				 ag_utf8_echo(value, sizeof(value), content_type, ECHO_MAX));
	ag_reply_error(reply, 415, "AG415", "request body must be application/json", details,
				   "Send the header \"Content-Type: application/json\"; in a Home Assistant rest_command set content_type: application/json.");
}

void
ag_err_form_type(AgReply *reply, const char *content_type)
{
	char value[ECHO_MAX + 4];
	char details[128];

	if (content_type == NULL)
		snprintf(details, sizeof(details), "The request has no Content-Type header.");
	else
		snprintf(details, sizeof(details), "The Content-Type is \"%s\".",
				 ag_utf8_echo(value, sizeof(value), content_type, ECHO_MAX));
	ag_reply_error(reply, 415, "AG415", "request body must be application/x-www-form-urlencoded", details,
				   "Press the button of the page GET /ack/<token> shows, or POST without a body.");
}

void
ag_err_unavailable(AgReply *reply)
{
	ag_reply_error(reply, 503, "08006", "database is unavailable",
				   "agingos-http cannot reach PostgreSQL; it reconnects by itself.",
				   "Check that the database server is running, then retry.");
}

void
ag_err_timeout(AgReply *reply, unsigned timeout_ms)
{
	char details[160];

	snprintf(details, sizeof(details),
			 "PostgreSQL did not answer within %u ms; agingos-http asked it to cancel the query and reconnects by itself.",
			 timeout_ms);
	ag_reply_error(reply, 503, "08006", "database did not answer in time", details,
				   "Check that the database server is running and not overloaded, then retry.");
}

void
ag_err_nul_byte(AgReply *reply, const char *what)
{
	char message[128];

	snprintf(message, sizeof(message), "%s contains a NUL byte", what);
	ag_reply_error(reply, 400, "22P05", message,
				   "PostgreSQL text cannot hold the byte 0x00.",
				   "Remove the NUL byte; JSON text never needs a raw one.");
}

void
ag_err_bad_utf8(AgReply *reply, const char *what, const char *name, size_t offset)
{
	char		n[ECHO_MAX + 4];
	char		message[160];
	char		details[112];
	const char *hint = "Percent-encode the text as UTF-8 (for example %C3%A6, not %E6).";
	const char *noun;

	if (name != NULL)
		snprintf(message, sizeof(message), "%s \"%s\" is not valid UTF-8", what,
				 ag_utf8_echo(n, sizeof(n), name, ECHO_MAX));
	else
		snprintf(message, sizeof(message), "%s is not valid UTF-8", what);
	noun = "value";
	if (name == NULL)
		noun = "body";
	else if (strstr(what, "name") != NULL)
		noun = "name";
	snprintf(details, sizeof(details), "The byte at offset %zu of the %s is not part of a valid UTF-8 sequence.",
			 offset, noun);
	if (strcmp(what, "request body") == 0)
		hint = "Send the JSON encoded as UTF-8.";
	else if (strcmp(what, "header") == 0)
		hint = "Send the header value as UTF-8 text; API keys are plain ASCII.";
	ag_reply_error(reply, 400, "22021", message, details, hint);
}

void
ag_err_rate_limited(AgReply *reply, int rate, int burst, unsigned retry_after_s)
{
	char details[160];
	char hint[160];

	snprintf(details, sizeof(details), "This API key may send %d requests per second with bursts of %d; nothing was stored.",
			 rate, burst);
	snprintf(hint, sizeof(hint), "Wait %u s (Retry-After) and send again; batch events with POST /events/batch.",
			 retry_after_s);
	ag_reply_error(reply, 429, "AG429", "too many requests for this API key", details, hint);
	reply->retry_after = retry_after_s;
}
