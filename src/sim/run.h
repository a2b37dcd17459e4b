/*-------------------------------------------------------------------------
 * run.h
 *	  One simulation run: the homes, the chosen way out (dry run, db time
 *	  warp, paced HTTP), totals, progress bar and stats file.
 *-------------------------------------------------------------------------
 */
#ifndef AG_SIM_RUN_H
#define AG_SIM_RUN_H

#include <signal.h>

#include "home.h"
#include "settings.h"

typedef struct AgRun
{
	const AgSimSettings			*s;
	AgHome						*homes;
	volatile const sig_atomic_t *stop;
	uint64_t					 http_errors, ticks, deviations_opened;
	double						 wall_start;
	double						 tick_seconds, ingest_seconds; /* db mode */
	AgTime						 sim_now;					   /* simulated progress */
	bool						 progress;					   /* bar on stderr */
	double						 last_report;				   /* wall time of the last report */
	int							 last_bucket;				   /* 10-second slot of the last log line */
	bool						 failed;
} AgRun;

/* ag_run: the whole run; returns the exit code (0, 1, or 2 for setup). */
int ag_run(const AgSimSettings *s, volatile const sig_atomic_t *stop);

/* report.c: progress bar, progress log line and stats file. */
void ag_report(AgRun *run);
void ag_report_end(AgRun *run);

/* keys.c: assign homes[i].api_key from an "home_id key" file. */
bool ag_keys_load(const char *path, AgHome *homes, int n);

#endif /* AG_SIM_RUN_H */
