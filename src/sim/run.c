/*-------------------------------------------------------------------------
 * run.c
 *	  The three drivers:
 *	  - dry run: every event, in time order, as a JSON line on stdout;
 *	  - db: time warp; per interval [t, t + M) one agingos_ingest_batch per
 *	    home with events, then agingos_scheduler_tick(t + M);
 *	  - http: each event is sent when the wall clock reaches
 *	    max(wall_start + (ts - start) / speed, ts): never before its own
 *	    timestamp; one due event goes to POST /event, several to
 *	    POST /events/batch (per home, at most --batch each).
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "emit.h"
#include "run.h"

/* next_home: the home whose next event is earliest (ties: lower number). */
static AgHome *
next_home(AgRun *run)
{
	AgHome		  *best = NULL;
	const AgEvent *best_e = NULL;

	for (int i = 0; i < run->s->homes; i++)
	{
		const AgEvent *e = ag_home_peek(&run->homes[i]);

		if (e != NULL && (best_e == NULL || e->ts < best_e->ts))
		{
			best = &run->homes[i];
			best_e = e;
		}
	}
	return best;
}

/* run_dry: print {"home_id":...,"event":{...}} lines. */
static void
run_dry(AgRun *run)
{
	AgBuf	line = {0};
	AgHome *h;

	while (!*run->stop && (h = next_home(run)) != NULL)
	{
		run->sim_now = ag_home_peek(h)->ts;
		ag_buf_reset(&line);
		ag_buf_printf(&line, "{\"home_id\":\"%s\",\"event\":", h->name);
		ag_home_pop(h, &line);
		ag_buf_puts(&line, "}\n");
		if (fwrite(line.data, 1, line.len, stdout) != line.len)
			break;
		ag_report(run);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
	{
		ag_log(AG_LOG_ERROR, "output_failed", "cannot write the events to stdout", NULL);
		run->failed = true;
	}
	ag_buf_free(&line);
	if (!*run->stop && !run->failed)
		run->sim_now = run->s->end;
}

/* count_result: fold a server answer into a home's counts. */
static void
count_result(AgRun *run, AgHome *h, const AgIngestResult *r)
{
	h->counts.accepted += r->accepted;
	h->counts.deduped += r->deduped;
	h->counts.rejected += r->rejected;
	if (r->rejected > 0)
		run->failed = true;
}

/* Buffers of one db interval: JSON arrays and the calls made of them. */
typedef struct DbInterval
{
	AgBuf		   *json;
	AgDbItem	   *items;
	AgHome		  **owner;
	AgIngestResult *results;
	int				n, cap;
} DbInterval;

/* db_item: a new empty batch for home h. */
static AgBuf *
db_item(DbInterval *iv, AgHome *h)
{
	if (iv->n == iv->cap)
	{
		int old = iv->cap;

		iv->cap = iv->cap ? iv->cap * 2 : 16;
		iv->json = realloc(iv->json, (size_t) iv->cap * sizeof(AgBuf));
		iv->items = realloc(iv->items, (size_t) iv->cap * sizeof(AgDbItem));
		iv->owner = realloc(iv->owner, (size_t) iv->cap * sizeof(AgHome *));
		iv->results = realloc(iv->results, (size_t) iv->cap * sizeof(AgIngestResult));
		if (iv->json == NULL || iv->items == NULL || iv->owner == NULL || iv->results == NULL)
			abort();
		memset(iv->json + old, 0, (size_t) (iv->cap - old) * sizeof(AgBuf));
	}
	iv->owner[iv->n] = h;
	ag_buf_reset(&iv->json[iv->n]);
	return &iv->json[iv->n++];
}

/* db_gather: every home's events before limit, in batches of --batch. */
static void
db_gather(AgRun *run, DbInterval *iv, AgTime limit)
{
	iv->n = 0;
	for (int i = 0; i < run->s->homes; i++)
	{
		AgHome		  *h = &run->homes[i];
		const AgEvent *e;

		while ((e = ag_home_peek(h)) != NULL && e->ts < limit)
		{
			AgBuf *json = db_item(iv, h);
			int	   n = 0;

			ag_buf_puts(json, "[");
			while (n < run->s->batch && (e = ag_home_peek(h)) != NULL && e->ts < limit)
			{
				if (n++ > 0)
					ag_buf_puts(json, ",");
				ag_home_pop(h, json);
			}
			ag_buf_puts(json, "]");
		}
	}
	for (int i = 0; i < iv->n; i++)
		iv->items[i] = (AgDbItem){iv->owner[i]->name, iv->json[i].data};
}

/* run_db: the time warp. */
static bool
run_db(AgRun *run)
{
	const AgSimSettings *s = run->s;
	AgDb				*db = ag_db_open(s);
	DbInterval			 iv = {0};
	bool				 ok = db != NULL;

	for (AgTime t = s->start; ok && t < s->end && !*run->stop;)
	{
		AgTime		 next = t + (AgTime) s->tick_minutes * 60 < s->end ? t + (AgTime) s->tick_minutes * 60 : s->end;
		AgTickResult tick;
		double		 t0;

		db_gather(run, &iv, next);
		t0 = ag_wall_now();
		ok = ag_db_interval(db, iv.items, iv.n, next, iv.results, &tick);
		for (int i = 0; ok && i < iv.n; i++)
			count_result(run, iv.owner[i], &iv.results[i]);
		if (ok)
		{
			/* the tick's own duration_ms; the rest of the round trip is ingest */
			run->ticks++;
			run->deviations_opened += (uint64_t) tick.opened;
			run->tick_seconds += tick.duration_ms / 1000;
			run->ingest_seconds += ag_wall_now() - t0 - tick.duration_ms / 1000;
		}
		run->sim_now = t = next;
		ag_report(run);
	}
	for (int i = 0; i < iv.cap; i++)
		ag_buf_free(&iv.json[i]);
	free(iv.json);
	free(iv.items);
	free(iv.owner);
	free(iv.results);
	ag_db_close(db);
	return ok;
}

/* send_at: the wall time at which an event stamped ts may go out. */
static double
send_at(const AgRun *run, AgTime ts)
{
	double paced = run->wall_start + (double) (ts - run->s->start) / run->s->speed;

	return paced > (double) ts ? paced : (double) ts;
}

/* paced_now: the simulated instant the pacing has reached (progress). */
static AgTime
paced_now(const AgRun *run)
{
	double now = ag_wall_now();
	double t = (double) run->s->start + (now - run->wall_start) * run->s->speed;

	t = t < now ? t : now;
	return t < (double) run->s->end ? (AgTime) t : run->s->end;
}

/* nap_until: sleep towards wall time t, at most 0.25 s. */
static void
nap_until(double t)
{
	double			d = t - ag_wall_now();
	struct timespec ts;

	if (d <= 0)
		return;
	d = d > 0.25 ? 0.25 : d;
	ts.tv_sec = 0;
	ts.tv_nsec = (long) (d * 1e9);
	nanosleep(&ts, NULL);
}

/* http_flush: send what was gathered: one event alone, else batches. */
static bool
http_flush(AgRun *run, AgHttp *http, AgBuf *per_home, int *count, int total)
{
	for (int i = 0; i < run->s->homes; i++)
	{
		AgHome		  *h = &run->homes[i];
		const char	  *key = h->api_key ? h->api_key : run->s->api_key;
		AgIngestResult r = {0};
		bool		   ok;

		if (count[i] == 0)
			continue;
		ag_buf_puts(&per_home[i], "]");
		if (total == 1)
		{
			per_home[i].data[per_home[i].len - 1] = '\0'; /* the object alone */
			ok = ag_http_post(http, "/event", key, per_home[i].data + 1, 1, &r, &run->http_errors);
		}
		else
			ok = ag_http_post(http, "/events/batch", key, per_home[i].data, count[i], &r, &run->http_errors);
		if (!ok)
			return false;
		count_result(run, h, &r);
		count[i] = 0;
		ag_buf_reset(&per_home[i]);
	}
	return true;
}

/* http_gather: every due event, per home, at most --batch each. */
static int
http_gather(AgRun *run, double now, AgBuf *per_home, int *count)
{
	int total = 0;

	for (int i = 0; i < run->s->homes; i++)
	{
		AgHome		  *h = &run->homes[i];
		const AgEvent *e;

		while (count[i] < run->s->batch && (e = ag_home_peek(h)) != NULL && send_at(run, e->ts) <= now)
		{
			ag_buf_puts(&per_home[i], count[i]++ == 0 ? "[" : ",");
			run->sim_now = e->ts;
			ag_home_pop(h, &per_home[i]);
			total++;
		}
	}
	return total;
}

/* run_http: paced sending, then wait for the end of the simulated period. */
static bool
run_http(AgRun *run)
{
	AgHttp *http = ag_http_open(run->s->url, run->stop);
	AgBuf  *per_home = calloc((size_t) run->s->homes, sizeof(AgBuf));
	int	   *count = calloc((size_t) run->s->homes, sizeof(int));
	bool	ok = http != NULL && per_home != NULL && count != NULL;
	AgHome *h;

	while (ok && !*run->stop && (h = next_home(run)) != NULL)
	{
		double now = ag_wall_now();
		int	   total;

		if (now < send_at(run, ag_home_peek(h)->ts))
		{
			nap_until(send_at(run, ag_home_peek(h)->ts));
			run->sim_now = paced_now(run) > run->sim_now ? paced_now(run) : run->sim_now;
			ag_report(run);
			continue;
		}
		total = http_gather(run, now, per_home, count);
		/* a signal during retries is a clean stop, not a failure */
		ok = http_flush(run, http, per_home, count, total) || *run->stop;
		ag_report(run);
	}
	/* the run lasts its whole period, even after the last event */
	while (ok && !*run->stop && ag_wall_now() < send_at(run, run->s->end))
	{
		nap_until(send_at(run, run->s->end));
		run->sim_now = paced_now(run) > run->sim_now ? paced_now(run) : run->sim_now;
		ag_report(run);
	}
	if (ok && !*run->stop)
		run->sim_now = run->s->end;
	for (int i = 0; per_home != NULL && i < run->s->homes; i++)
		ag_buf_free(&per_home[i]);
	free(per_home);
	free(count);
	ag_http_close(http);
	return ok;
}

/* log_start: one line with what this run does. */
static void
log_start(const AgSimSettings *s)
{
	char a[32], b[32];

	ag_log(AG_LOG_INFO, "start", NULL, "mode=%s dry_run=%s homes=%d days=%g seed=%llu start=%s end=%s prefix=%s injections=%d",
		   s->mode == AG_MODE_DB ? "db" : "http", s->dry_run ? "true" : "false", s->homes, s->days,
		   (unsigned long long) s->seed, ag_format_instant(s->start, a), ag_format_instant(s->end, b), s->home_prefix,
		   s->ninject);
	if (s->mode == AG_MODE_HTTP && !s->dry_run && s->homes > 1 && s->api_key_file == NULL)
		ag_log(AG_LOG_WARN, "single_home_target",
			   "without --api-key-file every home's events go to the caller's home (\"default\" with auth off); the homes' ids stay apart but their events mix",
			   "homes=%d", s->homes);
}

int
ag_run(const AgSimSettings *s, volatile const sig_atomic_t *stop)
{
	AgRun run;
	bool  ok = true;

	memset(&run, 0, sizeof(run));
	run.s = s;
	run.stop = stop;
	run.sim_now = s->start;
	run.wall_start = ag_wall_now();
	run.progress = s->progress == 1 || (s->progress == -1 && isatty(STDERR_FILENO));
	if ((run.homes = calloc((size_t) s->homes, sizeof(AgHome))) == NULL)
		abort();
	for (int i = 0; i < s->homes; i++)
		ag_home_init(&run.homes[i], i + 1, s->home_prefix, s->seed, s->start, s->end, s->inject, s->ninject,
					 s->nresidents > 0 ? s->residents[i % s->nresidents] : 0);
	if (s->mode == AG_MODE_HTTP && !s->dry_run && s->api_key_file != NULL && !ag_keys_load(s->api_key_file, run.homes, s->homes))
		return 2;
	log_start(s);
	if (s->dry_run)
		run_dry(&run);
	else if (s->mode == AG_MODE_DB)
		ok = run_db(&run);
	else
		ok = run_http(&run);
	run.failed = run.failed || !ok;
	ag_report_end(&run);
	for (int i = 0; i < s->homes; i++)
	{
		free((void *) run.homes[i].api_key);
		ag_home_free(&run.homes[i]);
	}
	free(run.homes);
	return run.failed ? 1 : 0;
}
