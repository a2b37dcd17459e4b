/*-------------------------------------------------------------------------
 * guard.c
 *	  Per-key token buckets and held answers to wrong keys (guard.h,
 *	  docs/security.md).
 *
 *	  Buckets live in a fixed open-addressing table (BUCKETS slots, probed
 *	  PROBE deep) under one mutex; a key is known only by a 64-bit FNV-1a
 *	  hash seeded from /dev/urandom at start.  When every probed slot is
 *	  taken, the fullest bucket (the idlest key) gives its slot up, which
 *	  costs that key nothing but a fresh burst.
 *
 *	  Wrong keys: a table of client addresses counts failures within
 *	  FAIL_WINDOW_MS; the answer is held base·2^(n−1) ms, at most max ms.
 *	  Held connections are suspended (libmicrohttpd's suspend/resume) and a
 *	  small thread resumes them when due, so no worker thread sleeps.
 *-------------------------------------------------------------------------
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "guard.h"
#include "log.h"

#define BUCKETS 8192		 /* per-key buckets kept at once */
#define PROBE 8				 /* slots probed per key */
#define ADDRS 1024			 /* client addresses with recent failures */
#define ADDR_PROBE 4		 /* slots probed per address */
#define FAIL_WINDOW_MS 60000 /* failures older than this are forgotten */
#define MAX_HELD 4096		 /* held answers at once; more are answered at once */
#define PREFIX_MAX 8		 /* key characters a log line may show */

typedef struct Bucket
{
	uint64_t hash; /* 0 = free */
	double	 tokens;
	int64_t	 last_ms;
} Bucket;

typedef struct AddrSlot
{
	bool	used;
	uint8_t addr[16]; /* IPv6, or IPv4-mapped */
	int		fails;
	int64_t last_ms;
} AddrSlot;

typedef struct Held
{
	struct MHD_Connection *connection;
	int64_t				   due_ms;
} Held;

static double	rate_per_s;
static double	burst;
static int		delay_base_ms;
static int		delay_max_ms;
static uint64_t hash_seed;

static pthread_mutex_t bucket_lock = PTHREAD_MUTEX_INITIALIZER;
static Bucket		   buckets[BUCKETS];

static pthread_mutex_t addr_lock = PTHREAD_MUTEX_INITIALIZER;
static AddrSlot		   addrs[ADDRS];

static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t  held_cond;
static Held			   held[MAX_HELD];
static int			   held_count;
static bool			   held_running;
static pthread_t	   held_thread;

/* now_ms: monotonic clock in milliseconds. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* key_hash: seeded FNV-1a of the key; never 0 (0 marks a free slot). */
static uint64_t
key_hash(const char *key)
{
	uint64_t h = 1469598103934665603ULL ^ hash_seed;

	for (const unsigned char *p = (const unsigned char *) key; *p != '\0'; p++)
	{
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h == 0 ? 1 : h;
}

/* refill: tokens of b at now (not stored). */
static double
refill(const Bucket *b, int64_t now)
{
	double t = b->tokens + (double) (now - b->last_ms) / 1000.0 * rate_per_s;

	return t > burst ? burst : t;
}

bool
ag_rate_take(const char *api_key, unsigned *retry_after_s)
{
	uint64_t h;
	int64_t	 now;
	Bucket	*slot = NULL;
	Bucket	*spare = NULL;
	double	 spare_tokens = -1;
	bool	 ok;

	if (rate_per_s <= 0 || api_key == NULL)
		return true;
	h = key_hash(api_key);
	now = now_ms();
	pthread_mutex_lock(&bucket_lock);
	for (int i = 0; i < PROBE && slot == NULL; i++)
	{
		Bucket *b = &buckets[(h + (uint64_t) i) % BUCKETS];

		if (b->hash == h)
			slot = b;
		else if (b->hash == 0 && spare_tokens < burst + 1)
		{
			spare = b;
			spare_tokens = burst + 1; /* a free slot beats any taken one */
		}
		else if (b->hash != 0 && refill(b, now) > spare_tokens)
		{
			spare = b;
			spare_tokens = refill(b, now);
		}
	}
	if (slot == NULL)
	{
		slot = spare;
		slot->hash = h;
		slot->tokens = burst;
		slot->last_ms = now;
	}
	slot->tokens = refill(slot, now);
	slot->last_ms = now;
	ok = slot->tokens >= 1.0;
	if (ok)
		slot->tokens -= 1.0;
	else
	{
		double	 wait_s = (1.0 - slot->tokens) / rate_per_s;
		unsigned s = (unsigned) wait_s;

		*retry_after_s = (double) s < wait_s ? s + 1 : s;
		if (*retry_after_s == 0)
			*retry_after_s = 1;
	}
	pthread_mutex_unlock(&bucket_lock);
	return ok;
}

void
ag_rate_forget(const char *api_key)
{
	uint64_t h;

	if (api_key == NULL)
		return;
	h = key_hash(api_key);
	pthread_mutex_lock(&bucket_lock);
	for (int i = 0; i < PROBE; i++)
	{
		Bucket *b = &buckets[(h + (uint64_t) i) % BUCKETS];

		if (b->hash == h)
			b->hash = 0;
	}
	pthread_mutex_unlock(&bucket_lock);
}

/*
 * client_addr: the client of the connection as 16 bytes (IPv4 mapped) and
 * text: the peer, or behind a trusted proxy (AGINGOS_TRUSTED_PROXIES) the
 * X-Forwarded-For client (client.h), so clients behind one proxy are not
 * held for each other's wrong keys (docs/security.md).
 */
static void
client_addr(struct MHD_Connection *connection, uint8_t out[16], char *text, size_t textlen)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	AgAddr							peer, client;

	ag_addr_from_sockaddr(info != NULL ? info->client_addr : NULL, &peer);
	ag_client_resolve(&peer, MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Forwarded-For"), &client);
	memset(out, 0, 16);
	if (client.family == AF_INET)
	{
		out[10] = out[11] = 0xff;
		memcpy(out + 12, client.bytes, 4);
	}
	else if (client.family == AF_INET6)
		memcpy(out, client.bytes, 16);
	if (client.family == 0)
		snprintf(text, textlen, "unknown");
	else
		ag_addr_text(&client, text, textlen);
}

/* note_failure: count one failure of addr; returns the failures in the window. */
static int
note_failure(const uint8_t addr[16])
{
	uint64_t  h = 1469598103934665603ULL ^ hash_seed;
	int64_t	  now = now_ms();
	AddrSlot *slot = NULL;
	AddrSlot *oldest = NULL;
	int		  fails;

	for (int i = 0; i < 16; i++)
	{
		h ^= addr[i];
		h *= 1099511628211ULL;
	}
	pthread_mutex_lock(&addr_lock);
	for (int i = 0; i < ADDR_PROBE && slot == NULL; i++)
	{
		AddrSlot *s = &addrs[(h + (uint64_t) i) % ADDRS];

		if (s->used && memcmp(s->addr, addr, 16) == 0)
			slot = s;
		else if (oldest == NULL || !s->used || (oldest->used && s->last_ms < oldest->last_ms))
			oldest = s;
	}
	if (slot == NULL)
	{
		slot = oldest;
		slot->used = true;
		memcpy(slot->addr, addr, 16);
		slot->fails = 0;
	}
	if (now - slot->last_ms > FAIL_WINDOW_MS)
		slot->fails = 0;
	if (slot->fails < 1000000)
		slot->fails++;
	slot->last_ms = now;
	fails = slot->fails;
	pthread_mutex_unlock(&addr_lock);
	return fails;
}

int
ag_auth_failed(struct MHD_Connection *connection, const char *key_start, size_t key_len, const char *path)
{
	uint8_t addr[16];
	char	addr_text[INET6_ADDRSTRLEN + 1];
	char	prefix[PREFIX_MAX + 1];
	char	quoted_prefix[2 * PREFIX_MAX + 4];
	char	quoted_path[96];
	size_t	len = key_start != NULL ? key_len : 0;
	size_t	show = len / 3 < PREFIX_MAX ? len / 3 : PREFIX_MAX;
	int		fails;
	int64_t delay = 0;

	client_addr(connection, addr, addr_text, sizeof(addr_text));
	fails = note_failure(addr);
	if (delay_base_ms > 0)
	{
		delay = delay_base_ms;
		for (int i = 1; i < fails && delay < delay_max_ms; i++)
			delay *= 2;
		if (delay > delay_max_ms)
			delay = delay_max_ms;
	}
	/* at most 8 characters of the key, and at most a third of a short one */
	if (key_start != NULL && strlen(key_start) < show)
		show = strlen(key_start);
	memcpy(prefix, key_start != NULL ? key_start : "", show);
	prefix[show] = '\0';
	ag_log(AG_LOG_WARN, "auth_failed", "request refused: missing, unknown or revoked API key",
		   "client=%s key=%s key_prefix=%s key_length=%zu path=%s failures=%d delay_ms=%lld", addr_text,
		   key_start != NULL ? "given" : "missing", ag_log_quote(quoted_prefix, sizeof(quoted_prefix), prefix), len,
		   ag_log_quote(quoted_path, sizeof(quoted_path), path), fails, (long long) delay);
	return (int) delay;
}

bool
ag_guard_hold(struct MHD_Connection *connection, int delay_ms)
{
	bool held_it = false;

	if (delay_ms <= 0)
		return false;
	pthread_mutex_lock(&held_lock);
	if (held_running && held_count < MAX_HELD)
	{
		MHD_suspend_connection(connection);
		held[held_count].connection = connection;
		held[held_count].due_ms = now_ms() + delay_ms;
		held_count++;
		held_it = true;
		pthread_cond_signal(&held_cond);
	}
	pthread_mutex_unlock(&held_lock);
	return held_it;
}

/* resumer: resume held connections when due; all of them at stop. */
static void *
resumer(void *arg)
{
	(void) arg;
	pthread_mutex_lock(&held_lock);
	for (;;)
	{
		int64_t now = now_ms();
		int64_t next = -1;

		for (int i = 0; i < held_count;)
		{
			if (!held_running || held[i].due_ms <= now)
			{
				MHD_resume_connection(held[i].connection);
				held[i] = held[--held_count];
				continue;
			}
			if (next < 0 || held[i].due_ms < next)
				next = held[i].due_ms;
			i++;
		}
		if (!held_running)
			break;
		if (next < 0)
			pthread_cond_wait(&held_cond, &held_lock);
		else
		{
			struct timespec ts;
			int64_t			wait = next - now;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += wait / 1000;
			ts.tv_nsec += (wait % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000)
			{
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&held_cond, &held_lock, &ts);
		}
	}
	pthread_mutex_unlock(&held_lock);
	return NULL;
}

bool
ag_guard_start(const AgSettings *settings)
{
	pthread_condattr_t attr;
	int				   fd;

	rate_per_s = settings->http_rate;
	burst = settings->http_burst;
	delay_base_ms = settings->auth_delay_ms;
	delay_max_ms = settings->auth_delay_max_ms < settings->auth_delay_ms ? settings->auth_delay_ms
																		 : settings->auth_delay_max_ms;
	fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0 || read(fd, &hash_seed, sizeof(hash_seed)) != (ssize_t) sizeof(hash_seed))
		hash_seed = (uint64_t) time(NULL) * 2654435761ULL ^ (uint64_t) getpid();
	if (fd >= 0)
		close(fd);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&held_cond, &attr);
	pthread_condattr_destroy(&attr);
	held_running = true;
	if (pthread_create(&held_thread, NULL, resumer, NULL) != 0)
	{
		held_running = false;
		ag_log(AG_LOG_ERROR, "startup_error", "could not start the thread for held answers", NULL);
		return false;
	}
	return true;
}

void
ag_guard_stop(void)
{
	pthread_mutex_lock(&held_lock);
	if (!held_running)
	{
		pthread_mutex_unlock(&held_lock);
		return;
	}
	held_running = false;
	pthread_cond_signal(&held_cond);
	pthread_mutex_unlock(&held_lock);
	pthread_join(held_thread, NULL);
}
