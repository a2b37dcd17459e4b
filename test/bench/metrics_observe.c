/*
 * metrics_observe.c — make bench, section "metrics": the cost of the
 * front's counters per request, i.e. what request_completed() adds: one
 * ag_metrics_observe (3 relaxed atomic adds) and one ag_metrics_ingest
 * (1 more).  THREADS threads run CALLS calls each on the same route, the
 * worst case for cache-line sharing.  Usage: metrics_observe THREADS CALLS
 * Prints "threads=… calls=… ns_per_request=…".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "metrics.h"

static long calls;

static void *
run(void *arg)
{
	AgMatch		match;
	AgCallExtra extra = {1, {false}, {"false"}};

	(void) arg;
	ag_routes_match("POST", "/event", &match);
	for (long i = 0; i < calls; i++)
	{
		ag_metrics_observe(&match, 200, 1500 + (i & 1023));
		ag_metrics_ingest(match.route, &extra);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	int				threads = argc > 1 ? atoi(argv[1]) : 1;
	pthread_t		tid[64];
	struct timespec t0, t1;
	double			ns;

	calls = argc > 2 ? atol(argv[2]) : 10000000;
	if (threads < 1 || threads > 64 || calls < 1)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, run, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
	printf("threads=%d calls=%ld ns_per_request=%.1f\n", threads, calls, ns / calls);
	return 0;
}
