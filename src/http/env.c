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

#include "env.h"

/* env_get: the variable's value, or NULL when it is unset or empty. */
static const char *
env_get(const char *name)
{
	const char *value = getenv(name);

	return (value == NULL || value[0] == '\0') ? NULL : value;
}

/* bad_value: the config_error line for name; always returns false. */
static bool
bad_value(const char *name, const char *value, const char *why)
{
	char quoted[160];

	ag_log(AG_LOG_ERROR, "config_error", why, "variable=%s value=%s", name,
		   ag_log_quote(quoted, sizeof(quoted), value));
	return false;
}

/*
 * read_int: name as a decimal integer in [min, max], or dflt when unset.
 * Leading/trailing junk, signs other than none and overflow are errors.
 */
static bool
read_int(const char *name, int dflt, int min, int max, int *out)
{
	const char *value = env_get(name);
	char		why[96];
	char	   *end;
	long		n;

	*out = dflt;
	if (value == NULL)
		return true;
	errno = 0;
	n = strtol(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || *end != '\0' || errno != 0 || n < min || n > max)
	{
		snprintf(why, sizeof(why), "expected an integer from %d to %d", min, max);
		return bad_value(name, value, why);
	}
	*out = (int) n;
	return true;
}

/* read_host: a numeric IPv4 or IPv6 address (no name lookup). */
static bool
read_host(AgSettings *s)
{
	const char	   *value = env_get("AGINGOS_HTTP_HOST");
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
	return bad_value("AGINGOS_HTTP_HOST", s->http_host, "expected a numeric IPv4 or IPv6 address such as 127.0.0.1");
}

/* read_level: AGINGOS_LOG_LEVEL, one of debug, info, warn, error. */
static bool
read_level(AgSettings *s)
{
	const char *value = env_get("AGINGOS_LOG_LEVEL");

	s->log_level = AG_LOG_INFO;
	if (value == NULL || ag_log_parse_level(value, &s->log_level))
		return true;
	return bad_value("AGINGOS_LOG_LEVEL", value, "expected one of debug, info, warn, error");
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
	const char *value = env_get("AGINGOS_METRICS_TOKEN");
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

	if (!read_int("AGINGOS_HTTP_PORT", 8000, 1, 65535, &s->http_port) ||
		!read_host(s) ||
		!read_int("AGINGOS_HTTP_THREADS", 16, 1, 64, &s->http_threads) ||
		!read_level(s) ||
		!read_int("AGINGOS_PGPORT", 5432, 1, 65535, &pg_port) ||
		!read_int("AGINGOS_HTTP_DB_TIMEOUT_MS", 10000, 100, 3600000, &s->db_timeout_ms) ||
		!read_int("AGINGOS_HTTP_RATE", 50, 0, 1000000, &s->http_rate) ||
		!read_int("AGINGOS_HTTP_BURST", 100, 1, 1000000, &s->http_burst) ||
		!read_int("AGINGOS_HTTP_AUTH_DELAY_MS", 200, 0, 60000, &s->auth_delay_ms) ||
		!read_int("AGINGOS_HTTP_AUTH_DELAY_MAX_MS", 5000, 0, 600000, &s->auth_delay_max_ms) ||
		!read_token(s))
		return false;
	s->pg_host = env_get("AGINGOS_PGHOST");
	s->pg_port = env_get("AGINGOS_PGPORT") != NULL ? env_get("AGINGOS_PGPORT") : "5432";
	s->pg_database = env_get("AGINGOS_PGDATABASE") != NULL ? env_get("AGINGOS_PGDATABASE") : "agingos";
	s->pg_user = env_get("AGINGOS_PGUSER") != NULL ? env_get("AGINGOS_PGUSER") : "agingos_http";
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
