/*-------------------------------------------------------------------------
 * report.c
 *	  What a run tells while it runs and at the end: the progress bar on
 *	  stderr (a terminal, or --progress), an event=progress log line every
 *	  10 s otherwise, and the --stats-file JSON (rewritten every 10 s and
 *	  at the end, through a temporary file and rename, so a reader never
 *	  sees half a file).
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "run.h"

/* Totals over the homes. */
typedef struct Totals
{
	uint64_t sent, accepted, deduped, rejected;
} Totals;

/* totals: sum of the homes' counts. */
static Totals
totals(const AgRun *run)
{
	Totals t = {0, 0, 0, 0};

	for (int i = 0; i < run->s->homes; i++)
	{
		t.sent += run->homes[i].counts.sent;
		t.accepted += run->homes[i].counts.accepted;
		t.deduped += run->homes[i].counts.deduped;
		t.rejected += run->homes[i].counts.rejected;
	}
	return t;
}

/* fraction: the share of the simulated period done, 0 ... 1. */
static double
fraction(const AgRun *run)
{
	double f = (double) (run->sim_now - run->s->start) / (double) (run->s->end - run->s->start);

	return f < 0 ? 0 : f > 1 ? 1
							 : f;
}

/* draw_bar: one terminal line, redrawn in place. */
static void
draw_bar(const AgRun *run)
{
	char   bar[31], ts[32], line[256];
	double f = fraction(run);
	int	   fill = (int) (f * 30);
	Totals t = totals(run);
	int	   n;

	memset(bar, '#', (size_t) fill);
	memset(bar + fill, '.', (size_t) (30 - fill));
	bar[30] = '\0';
	n = snprintf(line, sizeof(line), "\r[%s] %5.1f%%  %.16sZ  events %llu  ticks %llu  opened %llu  %.0fs\033[K", bar,
				 f * 100, ag_format_instant(run->sim_now, ts), (unsigned long long) t.sent,
				 (unsigned long long) run->ticks, (unsigned long long) run->deviations_opened,
				 ag_wall_now() - run->wall_start);
	if (write(STDERR_FILENO, line, (size_t) n) < 0)
		return;
	ag_log_set_progress_line(true);
}

/* write_stats: the stats file (see the header comment). */
static void
write_stats(const AgRun *run, bool final)
{
	const AgSimSettings *s = run->s;
	char				 tmp[1100], a[32], b[32], c[32];
	Totals				 t = totals(run);
	FILE				*f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", s->stats_file);
	if ((f = fopen(tmp, "w")) == NULL)
	{
		ag_log(AG_LOG_WARN, "stats_file_failed", "cannot write the stats file", NULL);
		return;
	}
	fprintf(f, "{\"final\":%s,\"mode\":\"%s\",\"dry_run\":%s,\"seed\":%llu,\"homes\":%d,\"days\":%g,", final ? "true" : "false",
			s->mode == AG_MODE_DB ? "db" : "http", s->dry_run ? "true" : "false", (unsigned long long) s->seed, s->homes,
			s->days);
	fprintf(f, "\"start\":\"%s\",\"end\":\"%s\",\"simulated_until\":\"%s\",", ag_format_instant(s->start, a),
			ag_format_instant(s->end, b), ag_format_instant(run->sim_now, c));
	fprintf(f, "\"events_sent\":%llu,\"events_accepted\":%llu,\"events_deduped\":%llu,\"events_rejected\":%llu,",
			(unsigned long long) t.sent, (unsigned long long) t.accepted, (unsigned long long) t.deduped,
			(unsigned long long) t.rejected);
	fprintf(f, "\"http_errors\":%llu,\"ticks\":%llu,\"deviations_opened\":%llu,\"wall_seconds\":%.3f,",
			(unsigned long long) run->http_errors, (unsigned long long) run->ticks,
			(unsigned long long) run->deviations_opened, ag_wall_now() - run->wall_start);
	fprintf(f, "\"tick_seconds\":%.3f,\"ingest_seconds\":%.3f,\"simulated_seconds\":%lld,\"per_home\":{",
			run->tick_seconds, run->ingest_seconds, (long long) (run->sim_now - s->start));
	for (int i = 0; i < s->homes; i++)
	{
		const AgCounts *k = &run->homes[i].counts;

		fprintf(f, "%s\"%s\":{\"events_sent\":%llu,\"events_accepted\":%llu,\"events_deduped\":%llu,\"events_rejected\":%llu}",
				i ? "," : "", run->homes[i].name, (unsigned long long) k->sent, (unsigned long long) k->accepted,
				(unsigned long long) k->deduped, (unsigned long long) k->rejected);
	}
	fputs("},\"injected\":[", f);
	for (int i = 0; i < s->ninject; i++)
		fprintf(f, "%s{\"rule\":\"R-%03d\",\"instant\":\"%s\",\"home\":%d,\"home_id\":\"%s%d\"}", i ? "," : "",
				s->inject[i].rule, ag_format_instant(s->inject[i].at, a), s->inject[i].home, s->home_prefix,
				s->inject[i].home);
	fputs("]}\n", f);
	if (fclose(f) != 0 || rename(tmp, s->stats_file) != 0)
		ag_log(AG_LOG_WARN, "stats_file_failed", "cannot write the stats file", NULL);
}

void
ag_report(AgRun *run)
{
	double now = ag_wall_now();
	int	   bucket = (int) ((now - run->wall_start) / 10);
	char   ts[32];

	if (now - run->last_report < 0.2)
		return;
	run->last_report = now;
	if (run->progress)
		draw_bar(run);
	if (bucket == run->last_bucket)
		return;
	run->last_bucket = bucket;
	if (!run->progress)
		ag_log(AG_LOG_INFO, "progress", NULL, "simulated_until=%s percent=%.1f events_sent=%llu ticks=%llu",
			   ag_format_instant(run->sim_now, ts), fraction(run) * 100, (unsigned long long) totals(run).sent,
			   (unsigned long long) run->ticks);
	if (run->s->stats_file != NULL)
		write_stats(run, false);
}

void
ag_report_end(AgRun *run)
{
	Totals t = totals(run);
	char   ts[32];

	if (run->progress)
	{
		draw_bar(run);
		ag_log_set_progress_line(false);
		if (write(STDERR_FILENO, "\n", 1) < 0)
			return;
	}
	if (run->s->stats_file != NULL)
		write_stats(run, true);
	ag_log(run->failed ? AG_LOG_ERROR : AG_LOG_INFO, "done", run->failed ? "run failed; see the lines above" : NULL,
		   "simulated_until=%s events_sent=%llu events_accepted=%llu events_deduped=%llu events_rejected=%llu http_errors=%llu ticks=%llu deviations_opened=%llu wall_seconds=%.2f tick_seconds=%.2f ingest_seconds=%.2f stopped=%s",
		   ag_format_instant(run->sim_now, ts), (unsigned long long) t.sent, (unsigned long long) t.accepted,
		   (unsigned long long) t.deduped, (unsigned long long) t.rejected, (unsigned long long) run->http_errors,
		   (unsigned long long) run->ticks, (unsigned long long) run->deviations_opened,
		   ag_wall_now() - run->wall_start, run->tick_seconds, run->ingest_seconds, *run->stop ? "true" : "false");
}
