/*-------------------------------------------------------------------------
 * env.c
 *	  AGINGOS_* environment variables (style.md section 3) and the --help
 *	  text.  libpq's own PG* variables are left to libpq.
 *-------------------------------------------------------------------------
 */
#include <stdio.h>

#include "envread.h"
#include "settings.h"

bool
ag_env_read(AgSimSettings *s)
{
	int port;

	if (!ag_env_int("AGINGOS_HTTP_PORT", 8000, 1, 65535, &port))
		return false;
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", port);
	if (!ag_env_level(&s->log_level))
		return false;
	s->pg_host = ag_env_get("AGINGOS_PGHOST");
	s->pg_port = ag_env_get("AGINGOS_PGPORT");
	s->pg_database = ag_env_get("AGINGOS_PGDATABASE");
	s->pg_user = ag_env_get("AGINGOS_PGUSER");
	s->api_key = ag_env_get("AGINGOS_API_KEY");
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
		"                      With scheduler.workers n > 1: its n bucket runs side by\n"
		"                      side on n sessions (docs/scheduler.md).\n"
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
