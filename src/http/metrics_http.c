/*-------------------------------------------------------------------------
 * metrics_http.c
 *	  GET /metrics (metrics_http.h).  The metrics token is compared as
 *	  SHA-256 digests with OpenSSL's CRYPTO_memcmp, so neither its content
 *	  nor its length leaks through timing.  The token and API keys are
 *	  never logged or echoed.
 *-------------------------------------------------------------------------
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "db.h"
#include "json.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "utf8.h"

#define DIGEST_LEN 32

static bool			 token_set = false;
static unsigned char token_digest[DIGEST_LEN];

/* auth mode of the last answer: 0 not known yet, 1 none, 2 anything else */
static atomic_int last_mode = 0;

/* sha256: digest of n bytes of s into out; false on failure. */
static bool
sha256(const char *s, size_t n, unsigned char out[DIGEST_LEN])
{
	unsigned int len = 0;

	return EVP_Digest(s, n, out, &len, EVP_sha256(), NULL) == 1 && len == DIGEST_LEN;
}

bool
ag_metrics_setup(const AgSettings *settings)
{
	if (settings->metrics_token == NULL)
		return true;
	if (!sha256(settings->metrics_token, strlen(settings->metrics_token), token_digest))
	{
		ag_log(AG_LOG_ERROR, "startup_error", "could not hash AGINGOS_METRICS_TOKEN (OpenSSL)", NULL);
		return false;
	}
	token_set = true;
	return true;
}

/*
 * bearer_of: the credentials of an "Authorization: Bearer <token>" value
 * (RFC 6750 section 2.1: the scheme is case-insensitive, then one or more
 * spaces), without trailing blanks, copied into buf; NULL for another
 * scheme, an empty token or one longer than buf.
 */
static const char *
bearer_of(const char *value, char *buf, size_t len)
{
	size_t n;

	if (value == NULL || strncasecmp(value, "Bearer ", 7) != 0)
		return NULL;
	value += 7;
	value += strspn(value, " ");
	n = strlen(value);
	while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= len)
		return NULL;
	memcpy(buf, value, n);
	buf[n] = '\0';
	return buf;
}

/* token_matches: whether s is AGINGOS_METRICS_TOKEN (constant time). */
static bool
token_matches(const char *s)
{
	unsigned char digest[DIGEST_LEN];

	return token_set && s != NULL && sha256(s, strlen(s), digest) && CRYPTO_memcmp(digest, token_digest, DIGEST_LEN) == 0;
}

/* text_reply: the series text: the front's, agingos_up, then db_series. */
static void
text_reply(AgReply *reply, bool up, const char *db_series, size_t db_len)
{
	AgBuf buf;

	ag_buf_init(&buf);
	ag_metrics_append(&buf);
	ag_buf_append_str(&buf, "# HELP agingos_up 1 when the database answered this scrape, else 0.\n"
							"# TYPE agingos_up gauge\n");
	ag_buf_append_str(&buf, up ? "agingos_up 1\n" : "agingos_up 0\n");
	if (db_series != NULL)
		ag_buf_append(&buf, db_series, db_len);
	ag_reply_free(reply);
	reply->status = 200;
	reply->len = buf.len;
	reply->body = ag_buf_take(&buf);
	snprintf(reply->content_type, sizeof(reply->content_type), "%s", AG_METRICS_CONTENT_TYPE);
}

/* remember_mode: keep the auth mode the database reported. */
static void
remember_mode(const AgCallExtra *extra)
{
	if (extra->n >= 1 && !extra->isnull[0])
		atomic_store(&last_mode, strcmp(extra->value[0], "none") == 0 ? 1 : 2);
}

void
ag_metrics_serve(struct MHD_Connection *connection, const AgRoute *route, AgReply *reply)
{
	const char	 *authz = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	char		  bearer_buf[1024];
	const char	 *bearer = bearer_of(authz, bearer_buf, sizeof(bearer_buf));
	bool		  token_ok = token_matches(bearer);
	const char	 *api_key = NULL;
	AgCallArgs	  args;
	AgCallExtra	  extra;
	AgCallOutcome out;

	if (!token_ok)
		api_key = bearer != NULL ? bearer : MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-API-Key");
	if (api_key != NULL && ag_utf8_invalid_at(api_key, strlen(api_key)) < strlen(api_key))
	{
		/* never echoed: it may be a mistyped secret */
		ag_err_bad_utf8(reply, "header", bearer != NULL ? "Authorization" : "X-API-Key", ag_utf8_invalid_at(api_key, strlen(api_key)));
		return;
	}
	args.params = "{}";
	args.body = NULL;
	args.api_key = api_key;
	args.flag = token_ok ? "true" : "false";
	args.timeout_ms = AG_METRICS_DB_TIMEOUT_MS;
	out = ag_db_call_ex(route, &args, reply, &extra);
	if (out == AG_CALL_ANSWERED)
	{
		remember_mode(&extra);
		if (reply->status == 200 && reply->body != NULL)
		{
			char  *series = reply->body;
			size_t len = reply->len;

			reply->body = NULL;
			text_reply(reply, true, series, len);
			free(series);
		}
		return;
	}
	if (token_ok || atomic_load(&last_mode) == 1)
		text_reply(reply, false, NULL, 0);
}
