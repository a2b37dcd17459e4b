/*-------------------------------------------------------------------------
 * connlimit.c
 *	  Connection limits (connlimit.h).  A slow client that trickles header
 *	  bytes costs a connection and a file descriptor but no worker thread
 *	  (libmicrohttpd polls); without limits about a thousand of them from
 *	  one address exhaust the descriptors and nobody else gets in.
 *
 *	  - per client address: live connections are counted per peer address
 *	    (notify callback); the accept policy refuses a peer at its limit.
 *	    A trusted proxy (AGINGOS_TRUSTED_PROXIES) is exempt: all its clients
 *	    share its address; the total limit still holds.
 *	  - total: the accept policy refuses past max_connections.
 *	  - deadline: a watchdog thread shuts down (shutdown(2), libmicrohttpd
 *	    then closes it) a connection whose request is not done within
 *	    request_timeout_s of the accept or of the end of the previous
 *	    request, unless the request is in its SQL call.
 *	  - logs: each kind of limit event is counted and logged by the
 *	    watchdog at most once per AG_CONNLIMIT_LOG_INTERVAL_S with the count.
 *	  One mutex guards the table and the list; every critical section is a
 *	  few pointer operations.
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "client.h"
#include "connlimit.h"
#include "log.h"

#define BUCKETS 1024
#define MHD_LINES_PER_INTERVAL 5

/* PeerCount: live connections of one peer address (hash chain node). */
typedef struct PeerCount
{
	AgAddr			  addr;
	int				  live;
	struct PeerCount *next;
} PeerCount;

/* Conn: one live connection (the notify callback's socket context). */
typedef struct Conn
{
	struct MHD_Connection *connection;
	int					   fd;
	AgAddr				   peer;
	int64_t				   since_us; /* deadline base */
	bool				   busy;	 /* in its SQL call */
	bool				   cut;		 /* shut down by the watchdog */
	struct Conn			  *prev, *next;
} Conn;

/* Counter: one kind of limit event between two log lines. */
typedef struct Counter
{
	const char *kind;
	long		count;
	AgAddr		last; /* the address of the latest event */
	int64_t		logged_us;
} Counter;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t  wake = PTHREAD_COND_INITIALIZER;
static pthread_t	   watchdog;
static bool			   running = false;
static bool			   stopping = false;
static AgLimits		   lim;
static PeerCount	  *table[BUCKETS];
static Conn			  *conns = NULL;
static int			   live_total = 0;
static Counter		   per_client = {.kind = "per_client"};
static Counter		   total = {.kind = "total"};
static Counter		   timeouts = {.kind = "request_timeout"};
static long			   mhd_lines = 0, mhd_suppressed = 0;
static int64_t		   mhd_window_us = 0, mhd_logged_us = 0;

/* mono_us: monotonic clock in microseconds. */
static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* bucket_of: FNV-1a over the address bytes. */
static unsigned
bucket_of(const AgAddr *a)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(*a); i++)
		h = (h ^ ((const unsigned char *) a)[i]) * 16777619u;
	return h % BUCKETS;
}

/* peer_find: the node of addr, or NULL; with create, a new node (NULL on OOM). */
static PeerCount *
peer_find(const AgAddr *addr, bool create)
{
	unsigned   b = bucket_of(addr);
	PeerCount *p;

	for (p = table[b]; p != NULL; p = p->next)
	{
		if (memcmp(&p->addr, addr, sizeof(*addr)) == 0)
			return p;
	}
	if (!create || (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->addr = *addr;
	p->next = table[b];
	table[b] = p;
	return p;
}

/* peer_release: one connection of addr less; frees the node at zero. */
static void
peer_release(const AgAddr *addr)
{
	unsigned	b = bucket_of(addr);
	PeerCount **pp;

	for (pp = &table[b]; *pp != NULL; pp = &(*pp)->next)
	{
		if (memcmp(&(*pp)->addr, addr, sizeof(*addr)) == 0)
		{
			PeerCount *p = *pp;

			if (--p->live <= 0)
			{
				*pp = p->next;
				free(p);
			}
			return;
		}
	}
}

/* count_event: one more event of a kind (caller holds the lock). */
static void
count_event(Counter *c, const AgAddr *addr)
{
	c->count++;
	c->last = *addr;
}

/* flush_counter: the kind's log line if due (caller holds the lock). */
static void
flush_counter(Counter *c, int64_t now)
{
	char addr[AG_ADDR_TEXT];

	if (c->count == 0 || (c->logged_us != 0 && now - c->logged_us < (int64_t) AG_CONNLIMIT_LOG_INTERVAL_S * 1000000))
		return;
	ag_log(AG_LOG_WARN, "connection_limit", "connections refused or cut; further events of this kind are summed up",
		   "kind=%s events=%ld last_client=%s max_per_client=%d max_connections=%d request_timeout_s=%d "
		   "live=%d interval_s=%d",
		   c->kind, c->count, ag_addr_text(&c->last, addr, sizeof(addr)), lim.max_per_client, lim.max_connections,
		   lim.request_timeout_s, live_total, AG_CONNLIMIT_LOG_INTERVAL_S);
	c->count = 0;
	c->logged_us = now;
}

/* watch: the watchdog thread: once a second, deadlines and log lines. */
static void *
watch(void *arg)
{
	(void) arg;
	pthread_mutex_lock(&lock);
	while (!stopping)
	{
		struct timespec until;
		int64_t			now = mono_us();
		int64_t			limit = (int64_t) lim.request_timeout_s * 1000000;

		for (Conn *c = conns; c != NULL; c = c->next)
		{
			if (!c->busy && !c->cut && now - c->since_us > limit)
			{
				/* the fd is still open: the notify callback removes c before
				 * libmicrohttpd closes it, and both hold this lock */
				shutdown(c->fd, SHUT_RDWR);
				c->cut = true;
				count_event(&timeouts, &c->peer);
			}
		}
		flush_counter(&per_client, now);
		flush_counter(&total, now);
		flush_counter(&timeouts, now);
		if (mhd_suppressed > 0 && now - mhd_logged_us >= (int64_t) AG_CONNLIMIT_LOG_INTERVAL_S * 1000000)
		{
			ag_log(AG_LOG_WARN, "mhd_suppressed", "libmicrohttpd messages over the budget were not logged",
				   "lines=%ld interval_s=%d", mhd_suppressed, AG_CONNLIMIT_LOG_INTERVAL_S);
			mhd_suppressed = 0;
			mhd_logged_us = now;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&wake, &lock, &until);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* fit_fd_limit: raise the soft RLIMIT_NOFILE; keep max_connections under it. */
static void
fit_fd_limit(AgLimits *limits)
{
	struct rlimit rl;
	int			  room;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max)
	{
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	/* room for the listen socket, the pool's database connections, logs */
	room = rl.rlim_cur > 100000 ? 100000 : (int) rl.rlim_cur - 128;
	if (room < 16)
		room = 16;
	if (limits->max_connections > room)
	{
		ag_log(AG_LOG_WARN, "config_adjusted", "AGINGOS_HTTP_MAX_CONNECTIONS lowered to fit the open-files limit",
			   "requested=%d used=%d open_files=%llu", limits->max_connections, room, (unsigned long long) rl.rlim_cur);
		limits->max_connections = room;
	}
}

bool
ag_connlimit_start(AgLimits *limits)
{
	fit_fd_limit(limits);
	lim = *limits;
	stopping = false;
	if (pthread_create(&watchdog, NULL, watch, NULL) != 0)
	{
		ag_log(AG_LOG_ERROR, "startup_error", "could not start the connection watchdog", NULL);
		return false;
	}
	running = true;
	return true;
}

void
ag_connlimit_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(watchdog, NULL);
	running = false;
}

enum MHD_Result
ag_connlimit_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	AgAddr			peer;
	PeerCount	   *p;
	enum MHD_Result ret = MHD_YES;

	(void) cls;
	(void) addrlen;
	ag_addr_from_sockaddr(addr, &peer);
	pthread_mutex_lock(&lock);
	if (live_total >= lim.max_connections)
	{
		count_event(&total, &peer);
		ret = MHD_NO;
	}
	else if (!ag_proxy_trusted(&peer) && (p = peer_find(&peer, false)) != NULL && p->live >= lim.max_per_client)
	{
		count_event(&per_client, &peer);
		ret = MHD_NO;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

void
ag_connlimit_notify(void *cls, struct MHD_Connection *connection, void **socket_context,
					enum MHD_ConnectionNotificationCode toe)
{
	(void) cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
	{
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		const union MHD_ConnectionInfo *fi = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
		Conn						   *c = calloc(1, sizeof(*c));
		PeerCount					   *p;

		*socket_context = c;
		if (c == NULL)
			return;
		c->connection = connection;
		c->fd = fi != NULL ? fi->connect_fd : -1;
		ag_addr_from_sockaddr(ci != NULL ? ci->client_addr : NULL, &c->peer);
		c->since_us = mono_us();
		pthread_mutex_lock(&lock);
		if ((p = peer_find(&c->peer, true)) != NULL)
			p->live++;
		live_total++;
		c->next = conns;
		if (conns != NULL)
			conns->prev = c;
		conns = c;
		if (c->fd < 0)
			c->cut = true; /* never shut down an unknown descriptor */
		pthread_mutex_unlock(&lock);
	}
	else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
	{
		Conn *c = *socket_context;

		if (c == NULL)
			return;
		pthread_mutex_lock(&lock);
		peer_release(&c->peer);
		live_total--;
		if (c->prev != NULL)
			c->prev->next = c->next;
		else
			conns = c->next;
		if (c->next != NULL)
			c->next->prev = c->prev;
		pthread_mutex_unlock(&lock);
		free(c);
		*socket_context = NULL;
	}
}

/* conn_of: the guard's record of a connection, or NULL. */
static Conn *
conn_of(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info != NULL ? info->socket_context : NULL;
}

void
ag_connlimit_busy(struct MHD_Connection *connection, bool busy)
{
	Conn *c = conn_of(connection);

	if (c == NULL)
		return;
	pthread_mutex_lock(&lock);
	c->busy = busy;
	if (!busy)
		c->since_us = mono_us(); /* the reply gets a full deadline to go out */
	pthread_mutex_unlock(&lock);
}

void
ag_connlimit_request_done(struct MHD_Connection *connection)
{
	Conn *c = conn_of(connection);

	if (c == NULL)
		return;
	pthread_mutex_lock(&lock);
	c->since_us = mono_us();
	c->busy = false;
	pthread_mutex_unlock(&lock);
}

bool
ag_connlimit_mhd_line(void)
{
	bool ok;

	int64_t now = mono_us();

	pthread_mutex_lock(&lock);
	if (now - mhd_window_us >= (int64_t) AG_CONNLIMIT_LOG_INTERVAL_S * 1000000)
	{
		mhd_window_us = now;
		mhd_lines = 0;
	}
	ok = ++mhd_lines <= MHD_LINES_PER_INTERVAL;
	if (!ok)
		mhd_suppressed++;
	pthread_mutex_unlock(&lock);
	return ok;
}
