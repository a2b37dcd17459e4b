/*-------------------------------------------------------------------------
 * main.c
 *	  agingos-http: wiring only.  Read settings, start the server, wait for
 *	  SIGINT/SIGTERM, stop.  Exit codes: 0 clean stop, 1 runtime failure,
 *	  2 usage or configuration error (style.md section 3).
 *-------------------------------------------------------------------------
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "db.h"
#include "env.h"
#include "log.h"
#include "metrics_http.h"
#include "server.h"

static volatile sig_atomic_t stop_signal = 0;

/* on_signal: remember which signal asked us to stop. */
static void
on_signal(int signo)
{
	stop_signal = signo;
}

/*
 * block_stop_signals: install the handler and block SIGINT/SIGTERM so the
 * server threads (started later) inherit the mask; *old gets the previous
 * mask, which sigsuspend uses to take the signals in the main thread only.
 */
static void
block_stop_signals(sigset_t *old)
{
	sigset_t set;

	ag_cli_on_stop(on_signal);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, old);
	sigdelset(old, SIGINT);
	sigdelset(old, SIGTERM);
}

int
main(int argc, char **argv)
{
	AgSettings settings;
	sigset_t   wait_mask;
	AgServer  *server;
	int		   rc;

	if ((rc = ag_cli_env_only(argc, argv, ag_env_usage)) >= 0)
		return rc;
	if (!ag_env_read(&settings))
		return 2;
	ag_log_set_level(settings.log_level);
	block_stop_signals(&wait_mask);
	if (!ag_db_setup(&settings) || !ag_metrics_setup(&settings) || (server = ag_server_start(&settings)) == NULL)
		return 1;
	ag_log(AG_LOG_INFO, "start", NULL,
		   "host=%s port=%d threads=%d pg_port=%s pg_database=%s pg_user=%s max_connections=%d max_per_client=%d "
		   "request_timeout_s=%d trusted_proxies=%s metrics_token=%s uid=%d",
		   settings.http_host, settings.http_port, settings.http_threads,
		   settings.pg_port, settings.pg_database, settings.pg_user, settings.max_connections,
		   settings.max_per_client, settings.request_timeout_s,
		   settings.trusted_proxies != NULL ? settings.trusted_proxies : "-",
		   settings.metrics_token != NULL ? "set" : "unset", (int) geteuid());
	while (stop_signal == 0)
		sigsuspend(&wait_mask);
	ag_log(AG_LOG_INFO, "stop", NULL, "signal=%s", stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
	ag_server_stop(server);
	return 0;
}
