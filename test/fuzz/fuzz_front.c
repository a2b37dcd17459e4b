/*-------------------------------------------------------------------------
 * fuzz_front.c
 *	  libFuzzer target: what agingos-http does with a request before libpq
 *	  (src/http: routes.c, checks.c, utf8.c, errors.c, json.c, client.c).
 *	  Input: "METHOD\nURL\nREST"; REST is the body, the X-Forwarded-For
 *	  header and a proxy list.  Checked invariants (abort on violation):
 *	  a matched route is consistent with the method and URL; every error
 *	  reply the front builds is valid UTF-8 JSON with no raw control byte;
 *	  ag_utf8_clip/echo never split a character nor overrun; the client
 *	  address is the peer or a parsed address.  Build: make fuzz (docs/security.md).
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "checks.h"
#include "client.h"
#include "errors.h"
#include "routes.h"
#include "utf8.h"

/* reply_ok: a reply body is valid UTF-8, has no raw control byte, starts with '{'. */
static void
reply_ok(const AgReply *r)
{
	if (r->body == NULL)
		return; /* out of memory: the server answers its static 500 */
	if (r->len == 0 || r->body[0] != '{' || r->body[r->len - 1] != '}')
		abort();
	if (ag_utf8_invalid_at(r->body, r->len) != r->len)
		abort();
	for (size_t i = 0; i < r->len; i++)
		if ((unsigned char) r->body[i] < 0x20)
			abort();
}

/* split: the next '\n'-terminated field of [*p, end) as a fresh C string. */
static char *
split(const char **p, const char *end)
{
	const char *nl = memchr(*p, '\n', (size_t) (end - *p));
	size_t		n = nl != NULL ? (size_t) (nl - *p) : (size_t) (end - *p);
	char	   *s = malloc(n + 1);

	memcpy(s, *p, n);
	s[n] = '\0';
	*p = nl != NULL ? nl + 1 : end;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *) data;
	const char *end = p + size;
	char	   *method = split(&p, end);
	char	   *url = split(&p, end);
	size_t		rest_len = (size_t) (end - p);
	char	   *rest = malloc(rest_len + 1);
	AgMatch		m;
	AgReply		r = {0};
	char		echo[68];
	const char *bad;

	memcpy(rest, p, rest_len);
	rest[rest_len] = '\0';

	/* routing and the errors that echo method and path */
	ag_routes_match(method, url, &m);
	if (m.kind == AG_MATCH_OK)
	{
		if (m.route == NULL || strcmp(m.route->method, method) != 0)
			abort();
		if (m.route->param == NULL && strcmp(m.route->path, url) != 0)
			abort();
		if (m.route->param != NULL && m.param_value == NULL)
			abort();
	}
	else if (m.kind == AG_MATCH_NO_METHOD)
	{
		ag_err_method(&r, method, url, m.allow);
		reply_ok(&r);
		ag_reply_free(&r);
	}
	ag_err_not_found(&r, method, url);
	reply_ok(&r);
	ag_reply_free(&r);
	ag_err_path_nul(&r, method, url);
	reply_ok(&r);
	ag_reply_free(&r);
	ag_err_media_type(&r, rest);
	reply_ok(&r);
	ag_reply_free(&r);
	ag_err_bad_utf8(&r, "query parameter", url, rest_len);
	reply_ok(&r);
	ag_reply_free(&r);
	(void) ag_check_json_type(rest);

	/* the body check: valid UTF-8 without NUL, or a well-formed error */
	if (!ag_check_body_text(rest, rest_len, &r))
	{
		if (r.status != 400)
			abort();
		reply_ok(&r);
	}
	else if (rest_len > 0 && (memchr(rest, '\0', rest_len) != NULL || ag_utf8_invalid_at(rest, rest_len) != rest_len))
		abort();
	ag_reply_free(&r);

	/* clipping and echoing never split a character nor overrun */
	for (size_t max = 0; max < 12 && max <= rest_len; max += 3)
	{
		size_t n = ag_utf8_clip(rest, rest_len, max);

		if (n > max || (ag_utf8_invalid_at(rest, rest_len) == rest_len && ag_utf8_invalid_at(rest, n) != n))
			abort();
	}
	ag_utf8_echo(echo, sizeof(echo), rest, 64);
	if (strlen(echo) >= sizeof(echo))
		abort();

	/* X-Forwarded-For from a trusted and from an untrusted peer */
	if (ag_proxies_parse("127.0.0.1, ::1,10.0.0.1", &bad))
	{
		AgAddr			   peer, client;
		struct sockaddr_in sa = {.sin_family = AF_INET};
		char			   text[AG_ADDR_TEXT];

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ag_addr_from_sockaddr((struct sockaddr *) &sa, &peer);
		ag_client_resolve(&peer, rest, &client);
		if (client.family != AF_INET && client.family != AF_INET6)
			abort();
		ag_addr_text(&client, text, sizeof(text));
		sa.sin_addr.s_addr = htonl(0x0a000002); /* 10.0.0.2: not trusted */
		ag_addr_from_sockaddr((struct sockaddr *) &sa, &peer);
		ag_client_resolve(&peer, rest, &client);
		if (memcmp(&peer, &client, sizeof(peer)) != 0)
			abort();
	}
	else
		abort();
	(void) ag_proxies_parse(rest, &bad); /* any bytes: no crash */
	free(method);
	free(url);
	free(rest);
	return 0;
}
