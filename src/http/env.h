/*-------------------------------------------------------------------------
 * env.h
 *	  Settings of agingos-http, read once from the environment
 *	  (style.md section 3; the list is in docs/http.md and --help).
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_ENV_H
#define AG_HTTP_ENV_H

#include <stdbool.h>
#include <stdio.h>

#include "log.h"

typedef struct AgSettings
{
	int			http_port;		   /* AGINGOS_HTTP_PORT, 1..65535 */
	const char *http_host;		   /* AGINGOS_HTTP_HOST, numeric IPv4 or IPv6 */
	bool		http_host_v6;	   /* http_host is an IPv6 address */
	int			http_threads;	   /* AGINGOS_HTTP_THREADS, 1..64 pool threads */
	AgLogLevel	log_level;		   /* AGINGOS_LOG_LEVEL */
	const char *pg_host;		   /* AGINGOS_PGHOST, NULL = libpq's default */
	const char *pg_port;		   /* AGINGOS_PGPORT, digits, 1..65535 */
	const char *pg_database;	   /* AGINGOS_PGDATABASE */
	const char *pg_user;		   /* AGINGOS_PGUSER */
	int			db_timeout_ms;	   /* AGINGOS_HTTP_DB_TIMEOUT_MS, wait for a route call */
	int			http_rate;		   /* AGINGOS_HTTP_RATE, requests/s per API key, 0 = no limit */
	int			http_burst;		   /* AGINGOS_HTTP_BURST, bucket size per API key */
	int			auth_delay_ms;	   /* AGINGOS_HTTP_AUTH_DELAY_MS, first hold of a 401, 0 = none */
	int			auth_delay_max_ms; /* AGINGOS_HTTP_AUTH_DELAY_MAX_MS, longest hold of a 401 */
	const char *metrics_token;	   /* AGINGOS_METRICS_TOKEN, NULL = none (metrics_http.h) */
} AgSettings;

/*
 * ag_env_read: fill *settings from the environment; an unset or empty
 * variable takes its default.  Strings point into the environment, which the
 * program never changes.  On a bad value, logs one level=error
 * event=config_error line naming the variable and returns false (the caller
 * exits 2).
 */
bool ag_env_read(AgSettings *settings);

/* ag_env_usage: the --help text: variables, defaults, exit codes. */
void ag_env_usage(FILE *out);

#endif /* AG_HTTP_ENV_H */
