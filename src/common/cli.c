/*-------------------------------------------------------------------------
 * cli.c
 *	  --help and the usage error of the environment-configured programs
 *	  (style.md section 3: exit 0 after --help, exit 2 on a usage error).
 *-------------------------------------------------------------------------
 */
#include <signal.h>
#include <string.h>

#include "cli.h"
#include "log.h"

int
ag_cli_env_only(int argc, char **argv, void (*usage)(FILE *out))
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
	{
		usage(stdout);
		return 0;
	}
	if (argc > 1)
	{
		ag_log(AG_LOG_ERROR, "usage_error", "unknown argument; settings come from the environment, see --help", NULL);
		return 2;
	}
	return -1;
}

void
ag_cli_on_stop(void (*handler)(int signo))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
