/*-------------------------------------------------------------------------
 * fuzz_event.c
 *	  libFuzzer target: the event validator with its timestamp grammar
 *	  (src/eventjson.c, src/timeparse.c).  They need the backend (jsonb,
 *	  PostgreSQL's regex and datetime code), which cannot be linked into a
 *	  program, so this harness drives them through one persistent backend
 *	  over libpq: agingos_ingest(text) inside a subtransaction that is
 *	  always rolled back, and agingos_parse_instant(text).  libFuzzer sees
 *	  the harness's coverage only, not the backend's: the search is guided
 *	  by the seed corpus and the dictionary, the mutation is blind
 *	  (docs/security.md).  Connection: libpq's PG* variables (make fuzz
 *	  sets them to a throwaway cluster).
 *	  Invariants (abort on violation): the backend survives; a rejection is
 *	  a SQLSTATE of class 22 (data exception) or 23 (duplicate id) with a
 *	  message, never XX000, 42xxx or a lost connection.
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

static PGconn *conn;

static const char SETUP[] =
	"SET client_min_messages = warning;"
	"CREATE FUNCTION pg_temp.fuzz_ingest(t text) RETURNS text LANGUAGE plpgsql AS $f$"
	"BEGIN"
	"  BEGIN"
	"    PERFORM agingos.agingos_ingest(t, 'fuzz', 'fuzz');"
	"    RAISE EXCEPTION 'undo' USING ERRCODE = 'P0099';"
	"  EXCEPTION WHEN SQLSTATE 'P0099' THEN RETURN 'stored';"
	"    WHEN OTHERS THEN RETURN SQLSTATE || ' ' || SQLERRM;"
	"  END;"
	"END $f$;"
	"CREATE FUNCTION pg_temp.fuzz_instant(t text) RETURNS text LANGUAGE plpgsql AS $f$"
	"BEGIN"
	"  RETURN agingos.agingos_parse_instant(t, 'timestamp')::text;"
	"EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ' ' || SQLERRM;"
	"END $f$;";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	PGresult *r;

	conn = PQconnectdb("");
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "fuzz_event: cannot connect (set PGHOST/PGPORT/PGUSER/PGDATABASE): %s", PQerrorMessage(conn));
		exit(2);
	}
	r = PQexec(conn, SETUP);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
	{
		fprintf(stderr, "fuzz_event: setup failed: %s", PQerrorMessage(conn));
		exit(2);
	}
	PQclear(r);
	return 0;
}

/* verdict: "stored", a timestamp, or "SQLSTATE message" of an allowed class. */
static void
verdict(PGresult *r, const char *what)
{
	const char *v;

	if (PQstatus(conn) != CONNECTION_OK || PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		fprintf(stderr, "fuzz_event: %s: the call itself failed (backend crash?): %s", what, PQerrorMessage(conn));
		abort();
	}
	v = PQgetvalue(r, 0, 0);
	if (strcmp(v, "stored") == 0 || (v[0] >= '0' && v[0] <= '9' && v[4] == '-'))
		return;
	if (strlen(v) > 6 && (strncmp(v, "22", 2) == 0 || strncmp(v, "23", 2) == 0 || strncmp(v, "54", 2) == 0))
		return;
	fprintf(stderr, "fuzz_event: %s: unexpected result: %s\n", what, v);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text;
	const char *params[1];
	PGresult   *r;

	/* text parameters cannot hold NUL; PostgreSQL rejects invalid UTF-8 before the function */
	if (size > 65536 || memchr(data, '\0', size) != NULL)
		return -1;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	params[0] = text;
	r = PQexecParams(conn, "SELECT pg_temp.fuzz_ingest($1)", 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_FATAL_ERROR && strncmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "22021", 5) == 0)
	{
		PQclear(r); /* invalid UTF-8: refused by the server's input check */
		free(text);
		return -1;
	}
	verdict(r, "agingos_ingest");
	PQclear(r);
	/* the timestamp grammar on its own, on the first line */
	text[strcspn(text, "\n")] = '\0';
	r = PQexecParams(conn, "SELECT pg_temp.fuzz_instant($1)", 1, NULL, params, NULL, NULL, 0);
	verdict(r, "agingos_parse_instant");
	PQclear(r);
	free(text);
	return 0;
}
