/*-------------------------------------------------------------------------
 * errors.c
 *	  Error bodies the front writes itself.  Codes and statuses are fixed by
 *	  contract.md section 6: 404 P0002, 405 AG405, 413 AG413, 415 AG415,
 *	  503 08006, plus 400 22P05 for text PostgreSQL cannot hold.  Messages
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
}

void
ag_reply_json(AgReply *reply, unsigned int status, const char *json, size_t len)
{
	reply->status = status;
	reply->allow = NULL;
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
}

void
ag_err_not_found(AgReply *reply, const char *method, const char *path)
{
	char message[512];

	snprintf(message, sizeof(message), "no route for %s %.400s", method, path);
	ag_reply_error(reply, 404, "P0002", message, NULL,
				   "The routes are listed in docs/http.md; paths are exact, without a trailing slash.");
}

void
ag_err_method(AgReply *reply, const char *method, const char *path, const char *allow)
{
	char message[512];
	char details[128];

	snprintf(message, sizeof(message), "method %.32s is not allowed for %.400s", method, path);
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
	char details[256];

	if (content_type == NULL)
		snprintf(details, sizeof(details), "The request has no Content-Type header.");
	else
		snprintf(details, sizeof(details), "The Content-Type is \"%.200s\".", content_type);
	ag_reply_error(reply, 415, "AG415", "request body must be application/json", details,
				   "Send the header \"Content-Type: application/json\"; in a Home Assistant rest_command set content_type: application/json.");
}

void
ag_err_unavailable(AgReply *reply)
{
	ag_reply_error(reply, 503, "08006", "database is unavailable",
				   "agingos-http cannot reach PostgreSQL; it reconnects by itself.",
				   "Check that the database server is running, then retry.");
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
