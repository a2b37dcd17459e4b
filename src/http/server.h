/*-------------------------------------------------------------------------
 * server.h
 *	  The libmicrohttpd daemon: thread pool, request life cycle, the front's
 *	  own transport checks (contract.md section 6).
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_SERVER_H
#define AG_HTTP_SERVER_H

#include <stddef.h>

#include <microhttpd.h>

#include "env.h"

typedef struct AgServer AgServer;

/*
 * ag_server_start: listen on settings' host and port with a pool of
 * http_threads threads (each with its own database connection, db.c).
 * Returns NULL after logging when the address cannot be bound (exit 1).
 * The caller must block SIGINT/SIGTERM before, so the pool threads inherit
 * the mask and the signals reach the main thread only.
 */
AgServer *ag_server_start(const AgSettings *settings);

/*
 * ag_server_stop: stop accepting, finish the requests being served, join
 * the threads (which closes their database connections) and free server.
 */
void ag_server_stop(AgServer *server);

/*
 * ag_server_client: the client's address of a request as text in dst
 * (AG_ADDR_TEXT bytes): the peer, or what X-Forwarded-For says when the
 * peer is a trusted proxy (client.h).  For log lines.
 */
const char *ag_server_client(struct MHD_Connection *connection, char *dst, size_t dstlen);

#endif /* AG_HTTP_SERVER_H */
