/*-------------------------------------------------------------------------
 * env.c
 *	  AGINGOS_* environment variables (style.md section 3) and the --help
 *	  text.  libpq's own PG* variables are left to libpq.
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

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

bool
ag_env_read(AgSimSettings *s)
{
	const char *port = env_get("AGINGOS_HTTP_PORT");
	const char *level = env_get("AGINGOS_LOG_LEVEL");
	char	   *end;
	long		n;

	if (port != NULL)
	{
		errno = 0;
		n = strtol(port, &end, 10);
		if (port[0] < '0' || port[0] > '9' || *end != '\0' || errno != 0 || n < 1 || n > 65535)
			return bad_value("AGINGOS_HTTP_PORT", port, "expected an integer from 1 to 65535");
	}
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%s", port != NULL ? port : "8000");
	s->log_level = AG_LOG_INFO;
	if (level != NULL && !ag_log_parse_level(level, &s->log_level))
		return bad_value("AGINGOS_LOG_LEVEL", level, "expected debug, info, warn or error");
	s->pg_host = env_get("AGINGOS_PGHOST");
	s->pg_port = env_get("AGINGOS_PGPORT");
	s->pg_database = env_get("AGINGOS_PGDATABASE");
	s->pg_user = env_get("AGINGOS_PGUSER");
	s->api_key = env_get("AGINGOS_API_KEY");
	return true;
}

void
ag_usage(FILE *out)
{
	fputs(
		"usage: agingos-sim [--mode http|db] --homes N --days D --seed S [--start INSTANT]\n"
		"                   [--home-prefix P] [--residents LIST] [--inject RULE@INSTANT[:HOME],...] [--url URL]\n"
		"                   [--api-key K | --api-key-file PATH] [--speed X] [--realtime]\n"
		"                   [--tick-minutes M] [--batch N] [--progress|--no-progress]\n"
		"                   [--stats-file PATH] [--dry-run] [--help]\n"
		"\n"
		"Simulates elderly residents living alone (Europe/Oslo local time) and feeds\n"
		"their sensor events to agingos.  Same seed, start and injections: same events,\n"
		"same event ids (a rerun is deduplicated).  Model and anomalies: docs/sim.md.\n"
		"\n"
		"options:\n"
		"  --mode http|db      http (default): POST to URL, paced against the wall clock.\n"
		"                      db: time warp through libpq: per interval of M minutes one\n"
		"                      agingos_ingest_batch per home, then\n"
		"                      agingos_scheduler_tick(interval end); no wall clock.\n"
		"  --homes N           homes P1 ... PN (1-1000)\n"
		"  --days D            simulated days (may be fractional, e.g. 0.5)\n"
		"  --seed S            unsigned 64-bit seed\n"
		"  --start INSTANT     first simulated instant, with Z or an offset.  Default: db\n"
		"                      2026-01-05T00:00:00Z; http now (to the minute), or now minus\n"
		"                      D days when X > 1, so the run catches up with the wall clock\n"
		"  --home-prefix P     home id prefix (default \"sim-\": sim-1, sim-2, ...)\n"
		"  --residents LIST    resident kinds cycled over the homes: classic (default), early, owl,\n"
		"                      napper, outings, mmwave, pir-hold, hall-mmwave, no-stue-presence, visitors\n"
		"  --inject LIST       RULE@INSTANT[:HOME], comma-separated, repeatable: the anomaly\n"
		"                      of RULE (R-001 ... R-011) at INSTANT in home HOME (default 1)\n"
		"  --url URL           http mode base URL (default http://127.0.0.1:$AGINGOS_HTTP_PORT)\n"
		"  --api-key K         X-API-Key for every request (default $AGINGOS_API_KEY)\n"
		"  --api-key-file PATH lines \"home_id key\": each home posts with its own key.\n"
		"                      Without it every home's events go to the one caller's home\n"
		"                      (\"default\" with auth off): a warning says so when N > 1\n"
		"  --speed X           simulated seconds per wall second (default 1); an event is\n"
		"                      never sent before its own timestamp\n"
		"  --realtime          the same as --speed 1\n"
		"  --tick-minutes M    db mode interval and tick cadence (default 5)\n"
		"  --batch N           events per batch request (default 500, at most 10000); http\n"
		"                      uses POST /events/batch when behind schedule, else /event\n"
		"  --progress          progress bar on stderr (default: only if stderr is a terminal)\n"
		"  --no-progress       no progress bar\n"
		"  --stats-file PATH   JSON totals, rewritten every 10 s and at the end\n"
		"  --dry-run           print {\"home_id\":...,\"event\":{...}} lines on stdout, send nothing\n"
		"  --help              this text\n"
		"\n"
		"environment:\n"
		"  AGINGOS_HTTP_PORT   port of the default URL (8000)\n"
		"  AGINGOS_API_KEY     default for --api-key (unset: no key)\n"
		"  AGINGOS_PGHOST, AGINGOS_PGPORT, AGINGOS_PGDATABASE, AGINGOS_PGUSER\n"
		"                      db mode connection; unset ones fall back to libpq's PGHOST,\n"
		"                      PGPORT, PGDATABASE, PGUSER; database and user default to agingos\n"
		"  AGINGOS_LOG_LEVEL   debug, info (default), warn or error; logs are key=value\n"
		"                      lines on stderr\n"
		"\n"
		"exit codes:\n"
		"  0  success, or stopped by SIGINT/SIGTERM (totals written)\n"
		"  1  runtime failure: HTTP or database errors after retries, any rejected event\n"
		"  2  usage or configuration error\n",
		out);
}
