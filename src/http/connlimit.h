/*-------------------------------------------------------------------------
 * connlimit.h
 *	  Connection limits of the front (docs/security.md "Machine and
 *	  operations", contract.md §12): connections per client address and in
 *	  total, a deadline per request, and one log line per kind of limit
 *	  event per interval instead of one per connection.
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_CONNLIMIT_H
#define AG_HTTP_CONNLIMIT_H

#include <stdbool.h>
#include <sys/socket.h>

#include <microhttpd.h>

#define AG_CONNLIMIT_LOG_INTERVAL_S 10 /* at most one line per kind per interval */

/* AgLimits: the limits, from the environment (env.c). */
typedef struct AgLimits
{
	int max_connections;   /* AGINGOS_HTTP_MAX_CONNECTIONS: all clients together */
	int max_per_client;	   /* AGINGOS_HTTP_MAX_PER_CLIENT: one peer address */
	int request_timeout_s; /* AGINGOS_HTTP_REQUEST_TIMEOUT_S: accept (or the end
							* of the previous request) to the end of a request */
} AgLimits;

/*
 * ag_connlimit_start: set the limits and start the watchdog thread (deadlines
 * and the limit log lines).  Raises the soft open-files limit to the hard
 * one; when max_connections does not fit, it is lowered and logged.
 * Returns false (and logs) when the thread cannot start.
 */
bool ag_connlimit_start(AgLimits *limits);

/* ag_connlimit_stop: stop the watchdog (after MHD_stop_daemon). */
void ag_connlimit_stop(void);

/* ag_connlimit_accept: MHD_AcceptPolicyCallback: MHD_NO over a limit. */
enum MHD_Result ag_connlimit_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);

/* ag_connlimit_notify: MHD_NotifyConnectionCallback: counts and deadlines. */
void ag_connlimit_notify(void *cls, struct MHD_Connection *connection, void **socket_context,
						 enum MHD_ConnectionNotificationCode toe);

/* ag_connlimit_busy: the connection's request is in its SQL call (busy) or done
 * with it; a busy request is left to AGINGOS_HTTP_DB_TIMEOUT_MS. */
void ag_connlimit_busy(struct MHD_Connection *connection, bool busy);

/* ag_connlimit_request_done: a request ended; the next one's deadline starts. */
void ag_connlimit_request_done(struct MHD_Connection *connection);

/* ag_connlimit_mhd_line: whether libmicrohttpd's own message may be logged
 * (at most a few per interval; the rest are counted and summed up). */
bool ag_connlimit_mhd_line(void);

#endif /* AG_HTTP_CONNLIMIT_H */
