/*
 * agingos-import-ha — import a Home Assistant history export into agingos
 * (docs/spec/contract.md §13, docs/home-assistant.md).
 *
 *   agingos-import-ha --file history.csv --map entities.yaml --home <home_id>
 *                     [--stream prod] [--chunk 5000] [--progress auto|on|off]
 *
 * The CSV (RFC 4180, read with libcsv in strict mode, streamed line by
 * line so memory stays bounded) must have a header with the columns
 * entity_id, state and last_changed (more columns are ignored).  Each row of
 * a mapped entity becomes one Event v1:
 *   {"id": <uuid from SHA-256 of entity_id and last_changed as written>,
 *    "timestamp": <last_changed>, "category": <map category>,
 *    "payload": {"state", "room", "entity_id"(, "door")}}
 * sent in chunks through agingos_ingest_batch (the /events/batch path, so
 * the server's validator judges every field: a naive time is rejected, an
 * explicit offset converted).  unavailable/unknown states and unmapped
 * entities are counted and skipped; a rejected row is reported with its
 * line; a re-import stores nothing new (same ids, deduped).  The last line
 * on stdout is exactly
 *   imported N, skipped N (unmapped N, unavailable N), bad N
 * Exit status: 0 done, 3 done with bad rows, 1 fatal (file, map, header,
 * not CSV, database), 2 usage.  Connection: libpq's PG* environment
 * (scripts/import_ha.sh sets it for the `make up` cluster).
 */
#include <csv.h>
#include <errno.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map.h"

#define MAX_FIELD (64 * 1024)	 /* bytes of one CSV field we keep (longer: bad row) */
#define MAX_PARSER_BUF (1 << 20) /* libcsv's field buffer may not grow beyond this */
#define MAX_SHOWN_BAD 100		 /* bad rows printed one by one; the rest only counted */

enum
{
	COL_ENTITY,
	COL_STATE,
	COL_TIME,
	NCOLS
};
static const char *col_names[NCOLS] = {"entity_id", "state", "last_changed"};

/* One chunk of events on its way to agingos_ingest_batch. */
typedef struct Chunk
{
	Buf	  json;
	long *lines; /* lines[i]: CSV line of item i */
	int	  n;
} Chunk;

typedef struct Importer
{
	const char *file;
	const Map  *map;
	const char *home;
	const char *stream;
	int			chunk_size;
	PGconn	   *conn;
	/* CSV state */
	long line;	   /* physical line being fed */
	long rec_line; /* first line of the current record (0 = none yet) */
	int	 field;	   /* index of the next field in the record */
	bool header_done;
	int	 col[NCOLS]; /* column index of each needed column, -1 = missing */
	int	 header_fields;
	Buf	 val[NCOLS]; /* the needed fields of the current record */
	bool too_long[NCOLS];
	bool fatal;
	char fatal_msg[600];
	/* chunks: one being filled, one in flight */
	Chunk chunks[2];
	int	  filling;
	bool  in_flight;
	/* counts */
	long rows, imported, deduped, unmapped, unavailable, bad;
	/* progress */
	bool  progress;
	off_t size, done_bytes, next_report;
} Importer;

static const char *batch_sql =
	"WITH b AS MATERIALIZED (SELECT agingos.agingos_ingest_batch($1::text, $2::text, $3::text) AS j) "
	"SELECT -1, j ->> 'accepted', j ->> 'deduped', NULL::text, NULL::text FROM b "
	"UNION ALL "
	"SELECT (r ->> 'index')::int, r -> 'error' ->> 'code', r -> 'error' ->> 'message', "
	"       r -> 'error' ->> 'details', r -> 'error' ->> 'hint' "
	"  FROM b, jsonb_array_elements(b.j -> 'results') r WHERE r ->> 'status' = 'rejected'";

/* bad_row: count a bad row and report it on stderr (the first MAX_SHOWN_BAD). */
static void
bad_row(Importer *im, long line, const char *msg, const char *detail)
{
	im->bad++;
	if (im->bad <= MAX_SHOWN_BAD)
		fprintf(stderr, "%s:%ld: %s%s%s\n", im->file, line, msg, detail ? ": " : "", detail ? detail : "");
	else if (im->bad == MAX_SHOWN_BAD + 1)
		fprintf(stderr, "%s: more bad rows follow; only their count is shown\n", im->file);
}

/* event_id: the event id of (entity_id, last_changed): a UUID (version 8) from SHA-256. */
static void
event_id(const char *entity, size_t elen, const char *ts, size_t tlen, char out[37])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int  mdlen = 0;
	EVP_MD_CTX	 *c = EVP_MD_CTX_new();

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, "agingos-ha\n", 11);
	EVP_DigestUpdate(c, entity, elen);
	EVP_DigestUpdate(c, "\n", 1);
	EVP_DigestUpdate(c, ts, tlen);
	EVP_DigestFinal_ex(c, md, &mdlen);
	EVP_MD_CTX_free(c);
	md[6] = (md[6] & 0x0f) | 0x80;
	md[8] = (md[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10],
			 md[11], md[12], md[13], md[14], md[15]);
}

/* fatal_db: report a failed database call and exit 1. */
static void
fatal_db(Importer *im, PGresult *res, const char *what)
{
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *code = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	fprintf(stderr, "agingos-import-ha: %s failed: %s%s%s%s%s [SQLSTATE %s]\n", what,
			res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : PQerrorMessage(im->conn),
			detail ? "\n  detail: " : "", detail ? detail : "", hint ? "\n  hint: " : "", hint ? hint : "",
			code ? code : "-");
	exit(1);
}

/* collect: wait for the chunk in flight and count its results. */
static void
collect(Importer *im)
{
	Chunk	 *ch = &im->chunks[1 - im->filling];
	PGresult *res;

	if (!im->in_flight)
		return;
	while ((res = PQgetResult(im->conn)) != NULL)
	{
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			fatal_db(im, res, "agingos_ingest_batch");
		for (int r = 0; r < PQntuples(res); r++)
		{
			int idx = atoi(PQgetvalue(res, r, 0));

			if (idx < 0)
			{
				im->imported += atol(PQgetvalue(res, r, 1));
				im->deduped += atol(PQgetvalue(res, r, 2));
			}
			else if (idx < ch->n)
			{
				char detail[1200];

				snprintf(detail, sizeof detail, "%s [SQLSTATE %s]%s%s",
						 PQgetisnull(res, r, 3) ? "" : PQgetvalue(res, r, 3), PQgetvalue(res, r, 1),
						 PQgetisnull(res, r, 4) ? "" : " hint: ", PQgetisnull(res, r, 4) ? "" : PQgetvalue(res, r, 4));
				bad_row(im, ch->lines[idx], PQgetvalue(res, r, 2), detail);
			}
		}
		PQclear(res);
	}
	im->in_flight = false;
	ch->n = 0;
	ch->json.len = 0;
}

/* flush: send the chunk being filled (after collecting the one in flight). */
static void
flush(Importer *im)
{
	Chunk	   *ch = &im->chunks[im->filling];
	const char *params[3];

	if (ch->n == 0)
		return;
	buf_puts(&ch->json, "]");
	collect(im);
	params[0] = ch->json.data;
	params[1] = im->home;
	params[2] = im->stream;
	if (!PQsendQueryParams(im->conn, batch_sql, 3, NULL, params, NULL, NULL, 0))
		fatal_db(im, NULL, "sending a batch");
	im->in_flight = true;
	im->filling = 1 - im->filling;
}

/* add_event: one mapped row as Event v1 into the chunk being filled. */
static void
add_event(Importer *im, const MapEntity *e)
{
	Chunk *ch = &im->chunks[im->filling];
	Buf	  *b = &ch->json;
	char   id[37];

	event_id(im->val[COL_ENTITY].data, im->val[COL_ENTITY].len, im->val[COL_TIME].data, im->val[COL_TIME].len, id);
	buf_puts(b, ch->n == 0 ? "[" : ",");
	buf_puts(b, "{\"id\":\"");
	buf_puts(b, id);
	buf_puts(b, "\",\"timestamp\":");
	json_append_string(b, im->val[COL_TIME].data, im->val[COL_TIME].len);
	buf_puts(b, ",\"category\":");
	json_append_string(b, e->category, strlen(e->category));
	buf_puts(b, ",\"payload\":{\"state\":");
	json_append_string(b, im->val[COL_STATE].data, im->val[COL_STATE].len);
	buf_puts(b, ",\"room\":");
	json_append_string(b, e->room, strlen(e->room));
	buf_puts(b, ",\"entity_id\":");
	json_append_string(b, e->entity_id, strlen(e->entity_id));
	if (e->door)
	{
		buf_puts(b, ",\"door\":");
		json_append_string(b, e->door, strlen(e->door));
	}
	buf_puts(b, "}}");
	ch->lines[ch->n++] = im->rec_line;
	if (ch->n >= im->chunk_size)
		flush(im);
}

/* header: check the header record and find the needed columns. */
static void
header(Importer *im)
{
	char missing[128] = "";

	for (int c = 0; c < NCOLS; c++)
	{
		if (im->col[c] < 0)
		{
			if (missing[0])
				strcat(missing, ", ");
			strcat(missing, col_names[c]);
		}
	}
	if (missing[0])
	{
		im->fatal = true;
		snprintf(im->fatal_msg, sizeof im->fatal_msg,
				 "%s:%ld: the header lacks the column(s) %s (it has %d column(s)); is it CSV? A Home Assistant history export starts with entity_id,state,last_changed",
				 im->file, im->rec_line, missing, im->header_fields);
	}
	im->header_done = true;
}

/* row: one data record. */
static void
row(Importer *im)
{
	const MapEntity *e;

	im->rows++;
	for (int c = 0; c < NCOLS; c++)
	{
		if (im->col[c] >= im->field)
		{
			char detail[160];

			snprintf(detail, sizeof detail, "the row has %d field(s), the header names %s as column %d",
					 im->field, col_names[c], im->col[c] + 1);
			bad_row(im, im->rec_line, "too few fields", detail);
			return;
		}
		if (im->too_long[c])
		{
			bad_row(im, im->rec_line, col_names[c], "longer than 64 KiB");
			return;
		}
	}
	e = map_find(im->map, im->val[COL_ENTITY].data);
	if (e == NULL)
	{
		im->unmapped++;
		return;
	}
	if (strcmp(im->val[COL_STATE].data, "unavailable") == 0 || strcmp(im->val[COL_STATE].data, "unknown") == 0)
	{
		im->unavailable++;
		return;
	}
	if (im->val[COL_STATE].len == 0)
	{
		bad_row(im, im->rec_line, "state is empty", "a state change needs a state");
		return;
	}
	add_event(im, e);
}

/* on_field: libcsv field callback: keep the needed columns of this record. */
static void
on_field(void *s, size_t len, void *data)
{
	Importer *im = data;

	if (im->fatal)
		return;
	if (im->rec_line == 0)
		im->rec_line = im->line;
	if (!im->header_done)
	{
		/* a UTF-8 byte order mark before the first column name is dropped */
		if (im->field == 0 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
			s = (char *) s + 3, len -= 3;
		for (int c = 0; c < NCOLS; c++)
			if (im->col[c] < 0 && len == strlen(col_names[c]) && memcmp(s, col_names[c], len) == 0)
				im->col[c] = im->field;
	}
	else
	{
		for (int c = 0; c < NCOLS; c++)
		{
			if (im->col[c] != im->field)
				continue;
			im->val[c].len = 0;
			im->too_long[c] = len > MAX_FIELD;
			buf_append(&im->val[c], s ? s : "", im->too_long[c] ? 0 : len);
		}
	}
	im->field++;
}

/* on_record: libcsv record callback. */
static void
on_record(int c, void *data)
{
	Importer *im = data;

	(void) c;
	if (im->fatal)
		return;
	if (!im->header_done)
	{
		im->header_fields = im->field;
		header(im);
	}
	else
		row(im);
	im->field = 0;
	im->rec_line = 0;
	for (int k = 0; k < NCOLS; k++)
		im->val[k].len = 0, im->too_long[k] = false;
}

/* bounded_realloc: libcsv's allocator, refusing to grow a field beyond MAX_PARSER_BUF. */
static void *
bounded_realloc(void *p, size_t n)
{
	return n > MAX_PARSER_BUF ? NULL : realloc(p, n);
}

/* progress: a one-line bar on stderr (terminal only). */
static void
progress(Importer *im, bool last)
{
	int pct;

	if (!im->progress || im->size <= 0 || (!last && im->done_bytes < im->next_report))
		return;
	im->next_report = im->done_bytes + im->size / 200 + 1;
	pct = (int) (100.0 * im->done_bytes / im->size);
	fprintf(stderr, "\r[%-40.*s] %3d%% %ld rows", pct * 40 / 100,
			"########################################", pct, im->rows);
	if (last)
		fputc('\n', stderr);
	fflush(stderr);
}

/* parse_error: the fatal message of a libcsv error at the current line. */
static void
parse_error(Importer *im, struct csv_parser *p)
{
	int e = csv_error(p);

	im->fatal = true;
	snprintf(im->fatal_msg, sizeof im->fatal_msg, "%s:%ld: not CSV: %s", im->file, im->line,
			 e == CSV_EPARSE					   ? "a quote inside an unquoted field, or text after a closing quote (RFC 4180 quotes a field whole and doubles quotes inside it)"
			 : e == CSV_ENOMEM || e == CSV_ETOOBIG ? "a field longer than 1 MiB (an unclosed quote?)"
												   : csv_strerror(e));
}

/* import_file: stream the CSV through libcsv, line by line. */
static void
import_file(Importer *im)
{
	FILE			 *f = strcmp(im->file, "-") == 0 ? stdin : fopen(im->file, "rb");
	struct csv_parser p;
	char			 *linebuf = NULL;
	size_t			  cap = 0;
	ssize_t			  n;
	struct stat		  st;

	if (f == NULL)
	{
		fprintf(stderr, "agingos-import-ha: cannot open %s: %s\n", im->file, strerror(errno));
		exit(1);
	}
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
		im->size = st.st_size;
	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	csv_set_realloc_func(&p, bounded_realloc);
	while (!im->fatal && (n = getline(&linebuf, &cap, f)) > 0)
	{
		im->line++;
		if (memchr(linebuf, '\0', n) != NULL)
		{
			im->fatal = true;
			snprintf(im->fatal_msg, sizeof im->fatal_msg, "%s:%ld: not CSV: a NUL byte (a binary file?)", im->file, im->line);
			break;
		}
		if (csv_parse(&p, linebuf, n, on_field, on_record, im) != (size_t) n)
			parse_error(im, &p);
		im->done_bytes += n;
		progress(im, false);
		if ((size_t) n > MAX_PARSER_BUF && cap > MAX_PARSER_BUF)
		{
			free(linebuf); /* do not keep a huge line buffer around */
			linebuf = NULL;
			cap = 0;
		}
	}
	if (!im->fatal && csv_fini(&p, on_field, on_record, im) != 0)
		parse_error(im, &p);
	csv_free(&p);
	free(linebuf);
	if (f != stdin)
		fclose(f);
	if (!im->fatal && !im->header_done)
	{
		im->fatal = true;
		snprintf(im->fatal_msg, sizeof im->fatal_msg, "%s: empty file; a Home Assistant history export starts with entity_id,state,last_changed", im->file);
	}
	progress(im, true);
}

/* check_home: the home id through the same validation as the batch path (22023 if bad). */
static void
check_home(Importer *im)
{
	const char *params[3] = {"[]", im->home, im->stream};
	PGresult   *res = PQexecParams(im->conn, "SELECT agingos.agingos_ingest_batch($1::text, $2::text, $3::text)",
								   3, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fatal_db(im, res, "checking the home id");
	PQclear(res);
}

/* set_vocabulary: the map's vocabulary block through agingos_set_home_vocabulary. */
static void
set_vocabulary(Importer *im)
{
	const char *params[2] = {im->home, im->map->vocabulary_json};
	PGresult   *res;

	if (im->map->vocabulary_json == NULL)
		return;
	res = PQexecParams(im->conn, "SELECT agingos.agingos_set_home_vocabulary($1::text, $2::jsonb)::text",
					   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fatal_db(im, res, "setting the home's vocabulary (map: vocabulary)");
	printf("vocabulary of home %s: %s\n", im->home, PQgetvalue(res, 0, 0));
	PQclear(res);
}

static void
usage(void)
{
	fprintf(stderr, "usage: agingos-import-ha --file history.csv --map entities.yaml --home HOME_ID\n"
					"                         [--stream prod] [--chunk 5000] [--progress auto|on|off]\n"
					"  connects with libpq's PG* environment variables (make import-ha sets them)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	Importer	im;
	Map			map;
	char		err[700];
	const char *map_path = NULL;
	const char *prog = "auto";

	memset(&im, 0, sizeof im);
	im.stream = "prod";
	im.chunk_size = 5000;
	for (int i = 1; i < argc; i++)
	{
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		if (strcmp(a, "--file") == 0)
			im.file = v;
		else if (strcmp(a, "--map") == 0)
			map_path = v;
		else if (strcmp(a, "--home") == 0)
			im.home = v;
		else if (strcmp(a, "--stream") == 0)
			im.stream = v;
		else if (strcmp(a, "--chunk") == 0)
			im.chunk_size = atoi(v);
		else if (strcmp(a, "--progress") == 0)
			prog = v;
		else
			usage();
		i++;
	}
	if (im.file == NULL || map_path == NULL || im.home == NULL || im.chunk_size < 1 || im.chunk_size > 10000)
		usage();
	im.progress = strcmp(prog, "on") == 0 || (strcmp(prog, "auto") == 0 && isatty(STDERR_FILENO));
	if (!map_load(map_path, &map, err, sizeof err))
	{
		fprintf(stderr, "agingos-import-ha: %s\n", err);
		return 1;
	}
	im.map = &map;
	for (int c = 0; c < NCOLS; c++)
		im.col[c] = -1;
	for (int k = 0; k < 2; k++)
		im.chunks[k].lines = calloc(im.chunk_size, sizeof(long));
	im.conn = PQconnectdb("application_name=agingos-import-ha");
	if (PQstatus(im.conn) != CONNECTION_OK)
	{
		fprintf(stderr, "agingos-import-ha: cannot connect to the database: %s", PQerrorMessage(im.conn));
		return 1;
	}
	check_home(&im);
	import_file(&im);
	flush(&im); /* after a fatal error too: the rows before it were valid */
	collect(&im);
	if (im.fatal)
		fprintf(stderr, "agingos-import-ha: %s\n", im.fatal_msg);
	else
		set_vocabulary(&im); /* only for a file that was read to its end */
	if (im.deduped > 0)
		printf("already stored %ld (a re-import adds nothing)\n", im.deduped);
	printf("imported %ld, skipped %ld (unmapped %ld, unavailable %ld), bad %ld\n", im.imported,
		   im.unmapped + im.unavailable, im.unmapped, im.unavailable, im.bad);
	PQfinish(im.conn);
	return im.fatal ? 1 : im.bad > 0 ? 3
									 : 0;
}
