/*-------------------------------------------------------------------------
 * settings.h
 *	  Everything agingos-sim is told: command line (args.c) and environment
 *	  (env.c), read once at startup into one struct that the rest of the
 *	  program treats as read-only.
 *-------------------------------------------------------------------------
 */
#ifndef AG_SIM_SETTINGS_H
#define AG_SIM_SETTINGS_H

#include <stdio.h>

#include "anomalies.h"
#include "log.h"

typedef enum AgMode
{
	AG_MODE_HTTP,
	AG_MODE_DB
} AgMode;

typedef struct AgSimSettings
{
	AgMode		mode;
	int			homes;
	double		days;
	uint64_t	seed;
	AgTime		start, end; /* end = start + days */
	bool		start_given;
	char		home_prefix[64];
	AgInject   *inject;
	int			ninject;
	char		url[512];
	const char *api_key;
	const char *api_key_file;
	double		speed; /* simulated seconds per wall second (http) */
	int			tick_minutes;
	int			batch;
	int			progress; /* -1 auto (stderr is a terminal), 0 off, 1 on */
	const char *stats_file;
	bool		dry_run;
	int			residents[16]; /* --residents: AgResident kinds, cycled over the homes */
	int			nresidents;	   /* 0: every home classic */
	/* environment */
	const char *pg_host, *pg_port, *pg_database, *pg_user;
	AgLogLevel	log_level;
} AgSimSettings;

/* Result of reading the command line. */
typedef enum AgArgsResult
{
	AG_ARGS_OK,
	AG_ARGS_HELP,  /* --help: usage printed, exit 0 */
	AG_ARGS_USAGE, /* bad input: message logged, exit 2 */
} AgArgsResult;

/*
 * ag_settings_read: environment, then the command line, then derived
 * values (start default, end).  Problems are logged (event=usage_error).
 */
AgArgsResult ag_settings_read(AgSimSettings *s, int argc, char **argv);

/* ag_env_read: the AGINGOS_* variables (env.c); false on a bad value. */
bool ag_env_read(AgSimSettings *s);

/* ag_usage: the --help text (options, environment, exit codes). */
void ag_usage(FILE *out);

#endif /* AG_SIM_SETTINGS_H */
