/*-------------------------------------------------------------------------
 * metrics.c
 *	  The front's counters (metrics.h).  One slot per route id plus one for
 *	  requests that matched no route; per slot a counter per status code
 *	  100-599 and a histogram with fixed buckets (seconds).  The histogram
 *	  keeps non-cumulative bucket counts; _count is their sum at output, so
 *	  it always equals the +Inf bucket.  A scrape reads each atomic once;
 *	  it may see a request in one series and not yet in another, as
 *	  Prometheus client libraries allow.
 *-------------------------------------------------------------------------
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define SLOTS (AG_ROUTES_MAX + 1) /* the last one: no route matched */
#define UNMATCHED (SLOTS - 1)
#define CODES 500 /* status 100 .. 599 */
#define BUCKETS 14

#if AG_METRICS
/* upper bounds of the histogram buckets, microseconds and as printed */
static const int64_t	 bucket_us[BUCKETS] = {500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
											   250000, 500000, 1000000, 2500000, 5000000, 10000000};
static const char *const bucket_le[BUCKETS] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
											   "0.1", "0.25", "0.5", "1", "2.5", "5", "10"};

static atomic_uint_fast64_t requests[SLOTS][CODES];
static atomic_uint_fast64_t buckets[SLOTS][BUCKETS + 1]; /* the last one: above 10 s */
static atomic_uint_fast64_t sum_us[SLOTS];
static atomic_uint_fast64_t ingested[3]; /* accepted, deduped, rejected */

/* slot_of: the counter slot of a match. */
static int
slot_of(const AgMatch *match)
{
	const AgRoute *route = match->route != NULL ? match->route : match->path_route;

	return route != NULL && route->id >= 0 && route->id < AG_ROUTES_MAX ? route->id : UNMATCHED;
}

void
ag_metrics_observe(const AgMatch *match, unsigned status, int64_t duration_us)
{
	int slot = slot_of(match);
	int b = 0;

	if (status < 100 || status > 599)
		status = 500;
	if (duration_us < 0)
		duration_us = 0;
	while (b < BUCKETS && duration_us > bucket_us[b])
		b++;
	atomic_fetch_add_explicit(&requests[slot][status - 100], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&buckets[slot][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_us[slot], (uint_fast64_t) duration_us, memory_order_relaxed);
}

/* count_of: a non-negative decimal count column, or -1. */
static long long
count_of(const AgCallExtra *extra, int i)
{
	char	 *end;
	long long n;

	if (i >= extra->n || extra->isnull[i] || extra->value[i][0] < '0' || extra->value[i][0] > '9')
		return -1;
	n = strtoll(extra->value[i], &end, 10);
	return *end == '\0' ? n : -1;
}

void
ag_metrics_ingest(const AgRoute *route, const AgCallExtra *extra)
{
	if ((route->flags & AG_ROUTE_INGEST_ONE) != 0)
	{
		int k = 2;

		if (extra != NULL && extra->n >= 1 && !extra->isnull[0])
			k = strcmp(extra->value[0], "true") == 0 ? 1 : 0;
		atomic_fetch_add_explicit(&ingested[k], 1, memory_order_relaxed);
	}
	else if ((route->flags & AG_ROUTE_INGEST_BATCH) != 0)
	{
		long long n[3] = {-1, -1, -1};

		for (int i = 0; extra != NULL && i < 3; i++)
			n[i] = count_of(extra, i);
		if (n[0] < 0 || n[1] < 0 || n[2] < 0)
			atomic_fetch_add_explicit(&ingested[2], 1, memory_order_relaxed);
		else
			for (int i = 0; i < 3; i++)
				atomic_fetch_add_explicit(&ingested[i], (uint_fast64_t) n[i], memory_order_relaxed);
	}
}

/* slot_label: the route label of a slot. */
static const char *
slot_label(int slot, char *buf, size_t len)
{
	if (slot == UNMATCHED || slot >= ag_routes_count())
		return "unmatched";
	return ag_routes_template(ag_routes_at(slot), buf, len);
}

/* append_fmt: printf into buf. */
static bool
append_fmt(AgBuf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool
append_fmt(AgBuf *buf, const char *fmt, ...)
{
	char	line[256];
	va_list ap;
	int		n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t) n >= sizeof(line))
		return false;
	return ag_buf_append(buf, line, (size_t) n);
}

/* append_requests: agingos_http_requests_total, non-zero pairs only. */
static void
append_requests(AgBuf *buf, int nslots)
{
	char label[64];

	ag_buf_append_str(buf, "# HELP agingos_http_requests_total HTTP requests answered by agingos-http, by route template and status code.\n"
						   "# TYPE agingos_http_requests_total counter\n");
	for (int s = 0; s < SLOTS; s++)
	{
		if (s >= nslots && s != UNMATCHED)
			continue;
		for (int c = 0; c < CODES; c++)
		{
			uint_fast64_t n = atomic_load_explicit(&requests[s][c], memory_order_relaxed);

			if (n > 0)
				append_fmt(buf, "agingos_http_requests_total{route=\"%s\",code=\"%d\"} %" PRIuFAST64 "\n",
						   slot_label(s, label, sizeof(label)), c + 100, n);
		}
	}
}

/* append_histogram: agingos_http_request_duration_seconds for every route. */
static void
append_histogram(AgBuf *buf, int nslots)
{
	char buf_label[64];

	ag_buf_append_str(buf, "# HELP agingos_http_request_duration_seconds Time from the request line to the end of the answer, by route template.\n"
						   "# TYPE agingos_http_request_duration_seconds histogram\n");
	for (int s = 0; s < SLOTS; s++)
	{
		uint_fast64_t cum = 0;
		uint_fast64_t sum;
		const char	 *label;

		if (s >= nslots && s != UNMATCHED)
			continue;
		label = slot_label(s, buf_label, sizeof(buf_label));
		for (int b = 0; b <= BUCKETS; b++)
		{
			cum += atomic_load_explicit(&buckets[s][b], memory_order_relaxed);
			append_fmt(buf, "agingos_http_request_duration_seconds_bucket{route=\"%s\",le=\"%s\"} %" PRIuFAST64 "\n",
					   label, b < BUCKETS ? bucket_le[b] : "+Inf", cum);
		}
		sum = atomic_load_explicit(&sum_us[s], memory_order_relaxed);
		append_fmt(buf, "agingos_http_request_duration_seconds_sum{route=\"%s\"} %" PRIuFAST64 ".%06" PRIuFAST64 "\n",
				   label, sum / 1000000, sum % 1000000);
		append_fmt(buf, "agingos_http_request_duration_seconds_count{route=\"%s\"} %" PRIuFAST64 "\n", label, cum);
	}
}

bool
ag_metrics_append(AgBuf *buf)
{
	static const char *const outcome[3] = {"accepted", "deduped", "rejected"};
	int						 nslots = ag_routes_count();

	append_requests(buf, nslots);
	append_histogram(buf, nslots);
	ag_buf_append_str(buf, "# HELP agingos_events_ingested_total Events the front handled, by outcome; a request refused as a whole counts as one rejected event.\n"
						   "# TYPE agingos_events_ingested_total counter\n");
	for (int i = 0; i < 3; i++)
		append_fmt(buf, "agingos_events_ingested_total{outcome=\"%s\"} %" PRIuFAST64 "\n", outcome[i],
				   atomic_load_explicit(&ingested[i], memory_order_relaxed));
	return !buf->failed;
}

#else /* !AG_METRICS */

void
ag_metrics_observe(const AgMatch *match, unsigned status, int64_t duration_us)
{
	(void) match;
	(void) status;
	(void) duration_us;
}

void
ag_metrics_ingest(const AgRoute *route, const AgCallExtra *extra)
{
	(void) route;
	(void) extra;
}

bool
ag_metrics_append(AgBuf *buf)
{
	return !buf->failed;
}

#endif /* AG_METRICS */
