/*-------------------------------------------------------------------------
 * main.c
 *	  agingos-sim: wiring only.  Read settings, set the local zone, catch
 *	  SIGINT/SIGTERM, run.  Exit codes: 0 success or stopped by a signal,
 *	  1 runtime failure, 2 usage or configuration error (style.md 3).
 *-------------------------------------------------------------------------
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "run.h"
#include "settings.h"

static volatile sig_atomic_t stop_signal = 0;

/* on_signal: ask the run to stop at its next step. */
static void
on_signal(int signo)
{
	stop_signal = signo;
}

int
main(int argc, char **argv)
{
	AgSimSettings settings;
	int			  code;

	/* local time first: --inject checks look at Europe/Oslo clock times */
	if (!ag_clock_init())
	{
		ag_log(AG_LOG_ERROR, "config_error", "the tz database has no Europe/Oslo; install tzdata", NULL);
		return 2;
	}
	switch (ag_settings_read(&settings, argc, argv))
	{
		case AG_ARGS_HELP:
			ag_usage(stdout);
			return 0;
		case AG_ARGS_USAGE:
			return 2;
		case AG_ARGS_OK:
			break;
	}
	ag_log_set_level(settings.log_level);
	ag_cli_on_stop(on_signal);
	code = ag_run(&settings, &stop_signal);
	if (stop_signal != 0)
		ag_log(AG_LOG_INFO, "stop", NULL, "signal=%s", stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
	return code;
}
