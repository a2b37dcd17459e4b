/*-------------------------------------------------------------------------
 * server.c
 *	  libmicrohttpd request handling.  The access handler is called once
 *	  when the headers are in, once per chunk of body, and once more at the
 *	  end; the response is queued on that last call, because queuing on the
 *	  first call disables keep-alive (platform-notes.md).  The only
 *	  exception is an error already known from the headers of a request that
 *	  carries a body: it is answered at once and the connection closed, so a
 *	  rejected body is never read.  The front decides only 404, 405, 413, 415
 *	  and text PostgreSQL cannot take (NUL bytes, invalid UTF-8) here;
 *	  everything else is the route's SQL function.  GET /metrics is served
 *	  by metrics_http.c; every answered request is counted (metrics.c) when
 *	  libmicrohttpd reports it completed.
 *-------------------------------------------------------------------------
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "checks.h"
#include "client.h"
#include "connlimit.h"
#include "db.h"
#include "errors.h"
#include "guard.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "routes.h"
#include "server.h"

#define IDLE_TIMEOUT_S 30				/* idle keep-alive connections are closed */
#define DISCARD_MAX_BYTES (16 * AG_MIB) /* read and dropped after a 413 */

static int settings_rate;  /* AGINGOS_HTTP_RATE, for the 429 body */
static int settings_burst; /* AGINGOS_HTTP_BURST */

static const char OOM_BODY[] = "{\"code\":\"53200\",\"message\":\"out of memory\",\"details\":null,\"hint\":null}";

struct AgServer
{
	struct MHD_Daemon *daemon;
};

/* AgRequest: per-request state, libmicrohttpd's *con_cls. */
typedef struct AgRequest
{
	AgMatch		match;
	AgReply		reply;
	char		method[16]; /* for the access line */
	char		path[256];	/* ditto, truncated */
	bool		started;	/* the access handler has seen the request */
	bool		path_nul;	/* the raw path holds %00; path is the raw path */
	bool		guarded;	/* the 401 hold has been decided (guard.h) */
	char		key[16];	/* the first bytes of the X-API-Key value of a 401, for its log line */
	size_t		key_len;	/* its full length */
	bool		has_key;
	char	   *body; /* accumulated body, NUL-terminated */
	size_t		body_len;
	size_t		body_cap;
	size_t		upload_total; /* bytes of upload seen, kept or not */
	int64_t		start_us;
	AgCallExtra extra; /* outcome columns of an ingest route's call (metrics.h) */
} AgRequest;

/* mono_us: monotonic clock in microseconds. */
static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * begin_request: first call.  Match the route and decide what the headers
 * alone decide: 404 (a %00 in the path included), 405, 413 by
 * Content-Length, 415 (for the one route whose body is optional, 415 waits
 * until the body's size is known).
 * Returns whether the request announces a body.
 */
static bool
begin_request(struct MHD_Connection *connection, const char *url, const char *method, AgRequest *req)
{
	const AgRoute *route;
	uint64_t	   length;
	bool		   has_body = ag_check_declared_body(connection, &length);
	const char	  *type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

	ag_routes_match(method, url, &req->match);
	route = req->match.route;
	if (req->path_nul)
		ag_err_path_nul(&req->reply, method, req->path);
	else if (req->match.kind == AG_MATCH_NO_PATH)
		ag_err_not_found(&req->reply, method, url);
	else if (req->match.kind == AG_MATCH_NO_METHOD)
		ag_err_method(&req->reply, method, url, req->match.allow);
	else if (length > route->body_limit)
		ag_err_too_large(&req->reply, method, route->path, route->body_limit);
	else if ((route->flags & AG_ROUTE_JSON) != 0 && (route->flags & AG_ROUTE_BODY_OPTIONAL) == 0 && !ag_check_json_type(type))
		ag_err_media_type(&req->reply, type);
	else if ((route->flags & AG_ROUTE_FORM) != 0 && has_body && !ag_check_form_type(type))
		ag_err_form_type(&req->reply, type);
	else if (length > 0)
	{
		/* within the limit: allocate up front, but trust at most 1 MiB of it */
		size_t cap = length < AG_MIB ? (size_t) length + 1 : AG_MIB;

		req->body = malloc(cap);
		req->body_cap = req->body != NULL ? cap : 0;
	}
	return has_body;
}

/*
 * add_body: one chunk of upload.  Past the route's limit the buffer is
 * freed and the reply becomes 413; nothing beyond the limit is kept.
 */
static void
add_body(AgRequest *req, const char *data, size_t size)
{
	const AgRoute *route = req->match.route;
	size_t		   need = req->body_len + size + 1;

	if (req->body_len + size > route->body_limit)
	{
		free(req->body);
		req->body = NULL;
		req->body_len = req->body_cap = 0;
		ag_err_too_large(&req->reply, req->method, route->path, route->body_limit);
		return;
	}
	if (need > req->body_cap)
	{
		size_t cap = req->body_cap < 65536 ? 65536 : req->body_cap * 2;
		char  *body;

		if (cap < need)
			cap = need;
		if (cap > route->body_limit + 1)
			cap = route->body_limit + 1;
		body = realloc(req->body, cap);
		if (body == NULL)
		{
			ag_reply_error(&req->reply, 500, "53200", "out of memory", NULL, NULL);
			return;
		}
		req->body = body;
		req->body_cap = cap;
	}
	memcpy(req->body + req->body_len, data, size);
	req->body_len += size;
	req->body[req->body_len] = '\0';
}

/*
 * dispatch: last call of a request the headers did not reject: the late
 * 415 of a route with an optional body, text PostgreSQL could not take (NUL
 * bytes, invalid UTF-8 in the body, a query or path argument or the API
 * key; checks.c), then GET /health or the route's SQL function.
 */
static void
dispatch(struct MHD_Connection *connection, AgRequest *req)
{
	const AgRoute *route = req->match.route;
	const char	  *type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	const char	  *api_key = NULL;
	char		  *params;

	if ((route->flags & AG_ROUTE_BODY_OPTIONAL) != 0 && req->body_len > 0 && !ag_check_json_type(type))
		ag_err_media_type(&req->reply, type);
	else if (!ag_check_body_text(req->body, req->body_len, &req->reply))
		return;
	else if (route->function == NULL)
		ag_db_health(&req->reply);
	else if ((route->flags & AG_ROUTE_METRICS) != 0)
		ag_metrics_serve(connection, route, &req->reply);
	if (req->reply.status != 0)
		return;
	params = ag_check_args(connection, &req->match, &api_key, &req->reply);
	if (params == NULL)
		return;
	if (api_key != NULL && !ag_db_auth_none())
	{
		unsigned retry_after;

		if (!ag_rate_take(api_key, &retry_after))
		{
			/* over the key's rate: 429, the route is not called, nothing stored */
			ag_err_rate_limited(&req->reply, settings_rate, settings_burst, retry_after);
			free(params);
			return;
		}
	}
	if ((route->flags & (AG_ROUTE_INGEST_ONE | AG_ROUTE_INGEST_BATCH)) != 0)
	{
		AgCallArgs args = {params, req->body_len > 0 ? req->body : NULL, api_key, NULL, 0};

		ag_connlimit_busy(connection, true);
		ag_db_call_ex(route, &args, &req->reply, &req->extra);
		ag_connlimit_busy(connection, false);
	}
	else
	{
		ag_connlimit_busy(connection, true);
		ag_db_call(route, params, req->body_len > 0 ? req->body : NULL, api_key, &req->reply);
		ag_connlimit_busy(connection, false);
	}
	free(params);
	if (req->reply.status == 401)
	{
		/* unknown keys keep no bucket; the hold and log line follow in access_handler */
		ag_rate_forget(api_key);
		req->has_key = api_key != NULL;
		req->key_len = api_key != NULL ? strlen(api_key) : 0;
		snprintf(req->key, sizeof(req->key), "%s", api_key != NULL ? api_key : "");
	}
}

/* queue_reply: hand the decided reply to libmicrohttpd (it copies it). */
static enum MHD_Result
queue_reply(struct MHD_Connection *connection, AgRequest *req)
{
	AgReply				*reply = &req->reply;
	struct MHD_Response *response;
	enum MHD_Result		 ret;

	if (reply->body == NULL)
	{
		reply->status = 500;
		response = MHD_create_response_from_buffer(sizeof(OOM_BODY) - 1, (void *) OOM_BODY, MHD_RESPMEM_PERSISTENT);
	}
	else
		response = MHD_create_response_from_buffer(reply->len, reply->body, MHD_RESPMEM_MUST_COPY);
	if (response == NULL)
		return MHD_NO;
	if (reply->retry_after > 0)
	{
		char value[16];

		snprintf(value, sizeof(value), "%u", reply->retry_after);
		MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, value);
	}
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
							reply->content_type[0] != '\0' ? reply->content_type : "application/json");
	if (strncmp(reply->content_type, "text/html", 9) == 0)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store"); /* ACK pages */
	if (reply->allow != NULL)
		MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, reply->allow);
	ret = MHD_queue_response(connection, reply->status, response);
	MHD_destroy_response(response);
	return ret;
}

/* access_handler: MHD_AccessHandlerCallback, see the file comment. */
static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
			   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	AgRequest *req = *con_cls;

	(void) cls;
	(void) version;
	if (req == NULL)
		return MHD_NO; /* uri_logger ran out of memory */
	if (!req->started)
	{
		bool has_body;

		req->started = true;
		snprintf(req->method, sizeof(req->method), "%s", method);
		if (!req->path_nul)
			snprintf(req->path, sizeof(req->path), "%s", url);
		has_body = begin_request(connection, url, method, req);
		if (req->reply.status != 0 && has_body)
			return queue_reply(connection, req);
		return MHD_YES;
	}
	if (*upload_data_size != 0)
	{
		/*
		 * After an error the rest of the upload is read and dropped:
		 * libmicrohttpd 0.9.75 cannot queue a response in mid-upload.  A
		 * client that goes on far past the limit is cut off instead.
		 */
		req->upload_total += *upload_data_size;
		if (req->reply.status == 0)
			add_body(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		if (req->reply.status == 413 && req->upload_total > req->match.route->body_limit + DISCARD_MAX_BYTES)
		{
			ag_log(AG_LOG_INFO, "upload_aborted", "request body far over the limit; connection closed",
				   "method=%s path=%s", req->method, req->match.route->path);
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (req->reply.status == 0)
		dispatch(connection, req);
	if (req->reply.status == 401 && !req->guarded)
	{
		/* a wrong key: log it (prefix, address) and hold the answer a while */
		int delay;

		req->guarded = true;
		delay = ag_auth_failed(connection, req->has_key ? req->key : NULL, req->key_len, req->path);
		memset(req->key, 0, sizeof(req->key));
		if (ag_guard_hold(connection, delay))
			return MHD_YES; /* called again when resumed */
	}
	return queue_reply(connection, req);
}

/* has_encoded_nul: whether the raw path (len bytes) holds "%00". */
static bool
has_encoded_nul(const char *path, size_t len)
{
	for (size_t i = 0; i + 2 < len; i++)
	{
		if (path[i] == '%' && path[i + 1] == '0' && path[i + 2] == '0')
			return true;
	}
	return false;
}

/*
 * uri_logger: MHD_OPTION_URI_LOG_CALLBACK.  Called with the request line's
 * URI before libmicrohttpd decodes it in place; what it returns becomes the
 * request's *con_cls (and request_completed frees it).  A %00 in the path
 * would cut the decoded url, a C string, short ("/event%00x" would be
 * "/event"), so it is noted here and the request gets 404.
 */
static void *
uri_logger(void *cls, const char *uri, struct MHD_Connection *connection)
{
	AgRequest *req = calloc(1, sizeof(*req));

	(void) cls;
	(void) connection;
	if (req == NULL)
		return NULL;
	req->start_us = mono_us();
	if (uri != NULL)
	{
		size_t path_len = strcspn(uri, "?");

		req->path_nul = has_encoded_nul(uri, path_len);
		if (req->path_nul)
			snprintf(req->path, sizeof(req->path), "%.*s", (int) (path_len < 255 ? path_len : 255), uri);
	}
	return req;
}

/*
 * request_completed: the metrics (metrics.h) and the access line (debug
 * only) of an answered request, then cleanup.
 */
static void
request_completed(void *cls, struct MHD_Connection *connection, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	AgRequest *req = *con_cls;
	char	   path[300];

	(void) cls;
	ag_connlimit_request_done(connection);
	if (req == NULL)
		return;
	if (req->started && req->reply.status != 0)
	{
		ag_metrics_observe(&req->match, req->reply.status, mono_us() - req->start_us);
		if (req->match.route != NULL)
			ag_metrics_ingest(req->match.route, &req->extra);
	}
	if (req->started && ag_log_enabled(AG_LOG_DEBUG))
	{
		char client[AG_ADDR_TEXT];

		ag_log(AG_LOG_DEBUG, "request", NULL, "method=%s path=%s status=%u duration_ms=%lld completed=%s client=%s",
			   req->method, ag_log_quote(path, sizeof(path), req->path), req->reply.status,
			   (long long) ((mono_us() - req->start_us) / 1000), toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "yes" : "no",
			   ag_server_client(connection, client, sizeof(client)));
	}
	free(req->body);
	ag_reply_free(&req->reply);
	free(req);
	*con_cls = NULL;
}

const char *
ag_server_client(struct MHD_Connection *connection, char *dst, size_t dstlen)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	AgAddr							peer, client;

	ag_addr_from_sockaddr(ci != NULL ? ci->client_addr : NULL, &peer);
	ag_client_resolve(&peer, MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Forwarded-For"), &client);
	return ag_addr_text(&client, dst, dstlen);
}

/* mhd_logger: libmicrohttpd's own messages as log lines. */
static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char   msg[512];
	size_t len;

	(void) cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	if (ag_connlimit_mhd_line()) /* a flood must not become a flood of lines */
		ag_log(AG_LOG_WARN, "mhd", msg, NULL);
}

/* fill_addr: the bind address; env.c has validated the text already. */
static void
fill_addr(const AgSettings *settings, struct sockaddr_storage *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (settings->http_host_v6)
	{
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *) addr;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t) settings->http_port);
		inet_pton(AF_INET6, settings->http_host, &a6->sin6_addr);
	}
	else
	{
		struct sockaddr_in *a4 = (struct sockaddr_in *) addr;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t) settings->http_port);
		inet_pton(AF_INET, settings->http_host, &a4->sin_addr);
	}
}

AgServer *
ag_server_start(const AgSettings *settings)
{
	struct sockaddr_storage addr;
	unsigned int			flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	AgServer			   *server = calloc(1, sizeof(*server));

	AgLimits limits = {settings->max_connections, settings->max_per_client, settings->request_timeout_s};

	if (server == NULL)
		return NULL;
	settings_rate = settings->http_rate;
	settings_burst = settings->http_burst;
	if (!ag_connlimit_start(&limits))
	{
		free(server);
		return NULL;
	}
	if (!ag_guard_start(settings))
	{
		ag_connlimit_stop();
		free(server);
		return NULL;
	}
	fill_addr(settings, &addr);
	if (settings->http_host_v6)
		flags |= MHD_USE_IPv6;
	server->daemon = MHD_start_daemon(flags, (uint16_t) settings->http_port, ag_connlimit_accept, NULL, access_handler, NULL,
									  MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
									  MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
									  MHD_OPTION_THREAD_POOL_SIZE, (unsigned int) settings->http_threads,
									  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) IDLE_TIMEOUT_S,
									  MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
									  MHD_OPTION_URI_LOG_CALLBACK, uri_logger, NULL,
									  /* connlimit.c decides; libmicrohttpd's own limit is the backstop */
									  MHD_OPTION_CONNECTION_LIMIT, (unsigned int) limits.max_connections + 16,
									  MHD_OPTION_NOTIFY_CONNECTION, ag_connlimit_notify, NULL,
									  MHD_OPTION_END);
	if (server->daemon == NULL)
	{
		ag_log(AG_LOG_ERROR, "startup_error", "could not listen on the address", "host=%s port=%d",
			   settings->http_host, settings->http_port);
		ag_guard_stop();
		ag_connlimit_stop();
		free(server);
		return NULL;
	}
	return server;
}

void
ag_server_stop(AgServer *server)
{
	ag_guard_stop(); /* resumes every held connection first */
	MHD_stop_daemon(server->daemon);
	ag_connlimit_stop();
	free(server);
}
