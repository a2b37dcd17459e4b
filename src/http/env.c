/*-------------------------------------------------------------------------
 * env.c
 *	  Read AGINGOS_* settings once at startup (style.md section 3).  A bad
 *	  value names the variable and ends the program with exit code 2.
 *-------------------------------------------------------------------------
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "env.h"
#include "envread.h"

/* read_host: a numeric IPv4 or IPv6 address (no name lookup). */
static bool
read_host(AgSettings *s)
{
	const char	   *value = ag_env_get("AGINGOS_HTTP_HOST");
	struct in6_addr scratch;

	s->http_host = value != NULL ? value : "127.0.0.1";
	s->http_host_v6 = false;
	if (inet_pton(AF_INET, s->http_host, &scratch) == 1)
		return true;
	if (inet_pton(AF_INET6, s->http_host, &scratch) == 1)
	{
		s->http_host_v6 = true;
		return true;
	}
	return ag_env_bad("AGINGOS_HTTP_HOST", s->http_host, "expected a numeric IPv4 or IPv6 address such as 127.0.0.1");
}

/* read_proxies: AGINGOS_TRUSTED_PROXIES, numeric addresses, comma-separated. */
static bool
read_proxies(AgSettings *s)
{
	const char *bad;

	s->trusted_proxies = ag_env_get("AGINGOS_TRUSTED_PROXIES");
	if (ag_proxies_parse(s->trusted_proxies, &bad))
		return true;
	return ag_env_bad("AGINGOS_TRUSTED_PROXIES", s->trusted_proxies,
					  "expected up to 16 numeric IPv4/IPv6 addresses separated by commas, e.g. 127.0.0.1,::1");
}

/*
 * read_token: AGINGOS_METRICS_TOKEN, the Bearer token of GET /metrics
 * (docs/spec/contract.md §11): at least 24 visible ASCII characters, so it
 * fits an Authorization header.  The error names the variable and the
 * problem, never the value (it is a secret).
 */
static bool
read_token(AgSettings *s)
{
	const char *value = ag_env_get("AGINGOS_METRICS_TOKEN");
	size_t		len = value != NULL ? strlen(value) : 0;

	s->metrics_token = value;
	if (value == NULL)
		return true;
	for (size_t i = 0; i < len; i++)
	{
		if ((unsigned char) value[i] < 0x21 || (unsigned char) value[i] > 0x7e)
		{
			ag_log(AG_LOG_ERROR, "config_error", "expected visible ASCII characters only (no spaces); the value is not shown",
				   "variable=AGINGOS_METRICS_TOKEN offset=%zu", i);
			return false;
		}
	}
	if (len < 24)
	{
		ag_log(AG_LOG_ERROR, "config_error", "expected at least 24 characters, e.g. from openssl rand -hex 24; the value is not shown",
			   "variable=AGINGOS_METRICS_TOKEN length=%zu", len);
		return false;
	}
	return true;
}

bool
ag_env_read(AgSettings *s)
{
	int pg_port;

	if (!ag_env_int("AGINGOS_HTTP_PORT", 8000, 1, 65535, &s->http_port) ||
		!read_host(s) ||
		!ag_env_int("AGINGOS_HTTP_THREADS", 16, 1, 64, &s->http_threads) ||
		!ag_env_level(&s->log_level) ||
		!ag_env_int("AGINGOS_PGPORT", 5432, 1, 65535, &pg_port) ||
		!ag_env_int("AGINGOS_HTTP_DB_TIMEOUT_MS", 10000, 100, 3600000, &s->db_timeout_ms) ||
		!ag_env_int("AGINGOS_HTTP_MAX_CONNECTIONS", 1000, 1, 100000, &s->max_connections) ||
		!ag_env_int("AGINGOS_HTTP_MAX_PER_CLIENT", 64, 1, 100000, &s->max_per_client) ||
		!ag_env_int("AGINGOS_HTTP_REQUEST_TIMEOUT_S", 30, 1, 3600, &s->request_timeout_s) ||
		!read_proxies(s) ||
		!ag_env_int("AGINGOS_HTTP_RATE", 50, 0, 1000000, &s->http_rate) ||
		!ag_env_int("AGINGOS_HTTP_BURST", 100, 1, 1000000, &s->http_burst) ||
		!ag_env_int("AGINGOS_HTTP_AUTH_DELAY_MS", 200, 0, 60000, &s->auth_delay_ms) ||
		!ag_env_int("AGINGOS_HTTP_AUTH_DELAY_MAX_MS", 5000, 0, 600000, &s->auth_delay_max_ms) ||
		!read_token(s))
		return false;
	s->pg_host = ag_env_get("AGINGOS_PGHOST");
	s->pg_port = ag_env_get("AGINGOS_PGPORT") != NULL ? ag_env_get("AGINGOS_PGPORT") : "5432";
	s->pg_database = ag_env_get("AGINGOS_PGDATABASE") != NULL ? ag_env_get("AGINGOS_PGDATABASE") : "agingos";
	s->pg_user = ag_env_get("AGINGOS_PGUSER") != NULL ? ag_env_get("AGINGOS_PGUSER") : "agingos_http";
	return true;
}

void
ag_env_usage(FILE *out)
{
	fputs("usage: agingos-http [--help]\n"
		  "\n"
		  "HTTP front of agingos: each route calls one SQL function agingos.http_<name>\n"
		  "and sends back the status and JSON body it returns (docs/http.md).\n"
		  "\n"
		  "Environment (an unset or empty variable takes the default):\n"
		  "  AGINGOS_HTTP_PORT     TCP port to listen on (1-65535)           default 8000\n"
		  "  AGINGOS_HTTP_HOST     numeric IPv4/IPv6 address to bind         default 127.0.0.1\n"
		  "  AGINGOS_HTTP_THREADS  worker threads = database connections (1-64) default 16\n"
		  "  AGINGOS_HTTP_DB_TIMEOUT_MS  longest wait for a route's SQL call in ms,\n"
		  "                        100-3600000; then 503 and a cancel    default 10000\n"
		  "  AGINGOS_HTTP_MAX_CONNECTIONS  open connections of all clients   default 1000\n"
		  "                        (1-100000; lowered to fit the open-files limit)\n"
		  "  AGINGOS_HTTP_MAX_PER_CLIENT   open connections of one client address\n"
		  "                        (1-100000; a trusted proxy is exempt)     default 64\n"
		  "  AGINGOS_HTTP_REQUEST_TIMEOUT_S  seconds a request may take to arrive\n"
		  "                        (1-3600; the SQL call has its own limit)  default 30\n"
		  "  AGINGOS_TRUSTED_PROXIES  reverse proxies whose X-Forwarded-For names\n"
		  "                        the client: numeric addresses, comma-separated; default none\n"
		  "  AGINGOS_HTTP_RATE     requests per second per API key (0-1000000,\n"
		  "                        0 = no limit; auth mode none: no limit) default 50\n"
		  "  AGINGOS_HTTP_BURST    bursts per API key (1-1000000)            default 100\n"
		  "  AGINGOS_HTTP_AUTH_DELAY_MS  first hold of an answer to a wrong key,\n"
		  "                        doubling per failure from the same address (0-60000) default 200\n"
		  "  AGINGOS_HTTP_AUTH_DELAY_MAX_MS  longest such hold (0-600000)  default 5000\n"
		  "  AGINGOS_LOG_LEVEL     debug, info, warn or error                default info\n"
		  "                        (debug adds one access line per request)\n"
		  "  AGINGOS_PGHOST        database host or socket directory         default libpq's (PGHOST)\n"
		  "  AGINGOS_PGPORT        database port (1-65535)                   default 5432\n"
		  "  AGINGOS_PGDATABASE    database name                             default agingos\n"
		  "  AGINGOS_PGUSER        database role                             default agingos_http\n"
		  "  AGINGOS_METRICS_TOKEN Bearer token for GET /metrics, >= 24 visible ASCII\n"
		  "                        characters; checked without the database  default none\n"
		  "Other libpq settings (PGPASSWORD, PGPASSFILE, PGSSLMODE, ...) are read by libpq.\n"
		  "\n"
		  "Logs: one key=value line per event on stderr (ts=... level=... event=...).\n"
		  "\n"
		  "Exit codes:\n"
		  "  0  clean shutdown after SIGINT or SIGTERM (or --help)\n"
		  "  1  runtime failure, e.g. the address cannot be bound\n"
		  "  2  usage or configuration error (the log line names the variable)\n",
		  out);
}
