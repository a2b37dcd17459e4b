/*-------------------------------------------------------------------------
 * cli.h
 *	  The command line of a program whose settings all come from the
 *	  environment (agingos-http, agingos-notify; style.md section 3):
 *	  --help / -h prints the usage, anything else is a usage error.
 *-------------------------------------------------------------------------
 */
#ifndef AG_COMMON_CLI_H
#define AG_COMMON_CLI_H

#include <stdio.h>

/*
 * ag_cli_env_only: check argv.  Returns -1 when there are no arguments (the
 * program goes on); 0 after printing usage(stdout) for a lone --help or -h;
 * 2 after a level=error event=usage_error log line for anything else.  The
 * caller returns that value from main when it is not -1.
 */
int ag_cli_env_only(int argc, char **argv, void (*usage)(FILE *out));

/*
 * ag_cli_on_stop: run handler on SIGINT and SIGTERM (no SA_RESTART, so a
 * blocking call returns EINTR) and ignore SIGPIPE (a peer that went away is
 * an EPIPE from write, not the end of the program).
 */
void ag_cli_on_stop(void (*handler)(int signo));

#endif /* AG_COMMON_CLI_H */
