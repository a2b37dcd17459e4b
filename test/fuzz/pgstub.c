/*-------------------------------------------------------------------------
 * pgstub.c
 *	  Just enough of the PostgreSQL backend for the fuzz targets that link
 *	  extension files outside a server (fuzz_config: src/config_yaml.c,
 *	  config_error.c, config_types.c, config_schema.c, config_build.c).
 *	  Compiled against the server's own headers so every signature is the
 *	  real one.
 *	  - memory: palloc and friends are malloc with a header; everything is
 *	    freed after each input by pgstub_reset() (memory contexts are names
 *	    only).
 *	  - errors: ereport/elog(ERROR) formats the message into
 *	    pgstub_last_error and siglongjmps to PG_exception_stack, as the
 *	    backend does (PG_TRY/PG_CATCH work); the harness sets the outermost
 *	    one.  Levels below ERROR are dropped.
 *	  - time zones: pg_tzset knows a fixed list of names (the fuzz target
 *	    checks config structure, not the zone database); the non-strict
 *	    zone scan is never reached (it aborts if it is).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "pgstub.h"

/* ---- memory ---- */
typedef struct Chunk
{
	struct Chunk *prev, *next;
	size_t		  size;
	max_align_t	  align[];
} Chunk;

static Chunk chunks = {&chunks, &chunks, 0};

static void *
take(size_t size, bool zero)
{
	Chunk *c = zero ? calloc(1, sizeof(Chunk) + size) : malloc(sizeof(Chunk) + size);

	if (c == NULL)
		abort();
	c->size = size;
	c->next = chunks.next;
	c->prev = &chunks;
	chunks.next->prev = c;
	chunks.next = c;
	return c->align;
}

static Chunk *
chunk_of(void *p)
{
	return (Chunk *) ((char *) p - offsetof(Chunk, align));
}

void
pgstub_reset(void)
{
	while (chunks.next != &chunks)
	{
		Chunk *c = chunks.next;

		chunks.next = c->next;
		free(c);
	}
	chunks.prev = &chunks;
}

void *
palloc(Size size)
{
	return take(size, false);
}

void *
palloc0(Size size)
{
	return take(size, true);
}

void *
repalloc(void *pointer, Size size)
{
	Chunk *c = chunk_of(pointer);
	Chunk *prev = c->prev, *next = c->next;
	Chunk *n = realloc(c, sizeof(Chunk) + size);

	if (n == NULL)
		abort();
	n->size = size;
	prev->next = n;
	next->prev = n;
	return n->align;
}

void
pfree(void *pointer)
{
	Chunk *c = chunk_of(pointer);

	c->prev->next = c->next;
	c->next->prev = c->prev;
	free(c);
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return take(size, false);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return take(size, true);
}

char *
MemoryContextStrdup(MemoryContext context, const char *string)
{
	return pstrdup(string);
}

char *
pstrdup(const char *in)
{
	size_t n = strlen(in);
	char  *s = take(n + 1, false);

	memcpy(s, in, n + 1);
	return s;
}

char *
pnstrdup(const char *in, Size len)
{
	size_t n = strnlen(in, len);
	char  *s = take(n + 1, false);

	memcpy(s, in, n);
	s[n] = '\0';
	return s;
}

static char *
vformat(const char *fmt, va_list ap)
{
	va_list ap2;
	int		n;
	char   *s;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	s = take((size_t) n + 1, false);
	vsnprintf(s, (size_t) n + 1, fmt, ap);
	return s;
}

char *
psprintf(const char *fmt, ...)
{
	va_list ap;
	char   *s;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	return s;
}

static struct MemoryContextData dummy_context;
MemoryContext CurrentMemoryContext = &dummy_context;
MemoryContext TopMemoryContext = &dummy_context;

MemoryContext
AllocSetContextCreateInternal(MemoryContext parent, const char *name, Size minContextSize, Size initBlockSize,
							  Size maxBlockSize)
{
	return &dummy_context;
}

void
MemoryContextSetParent(MemoryContext context, MemoryContext new_parent)
{
}

/* ---- StringInfo ---- */
void
initStringInfo(StringInfo str)
{
	str->maxlen = 64;
	str->data = palloc(str->maxlen);
	str->data[0] = '\0';
	str->len = 0;
	str->cursor = 0;
}

void
appendStringInfoString(StringInfo str, const char *s)
{
	size_t n = strlen(s);

	if (str->len + (int) n + 1 > str->maxlen)
	{
		str->maxlen = (str->len + (int) n + 1) * 2;
		str->data = repalloc(str->data, str->maxlen);
	}
	memcpy(str->data + str->len, s, n + 1);
	str->len += (int) n;
}

void
appendStringInfo(StringInfo str, const char *fmt, ...)
{
	va_list ap;
	char   *s;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	appendStringInfoString(str, s);
	pfree(s);
}

/* ---- errors ---- */
sigjmp_buf			 *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;
volatile sig_atomic_t InterruptPending = false;
char				  pgstub_last_error[65536];
int					  pgstub_last_sqlstate;
static int			  cur_level;

void
ProcessInterrupts(void)
{
}

bool
errstart(int elevel, const char *domain)
{
	cur_level = elevel;
	if (elevel >= ERROR)
	{
		pgstub_last_error[0] = '\0';
		pgstub_last_sqlstate = 0;
	}
	return elevel >= ERROR;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (cur_level < ERROR)
		return;
	if (PG_exception_stack == NULL)
		abort(); /* an ERROR with no handler: the harness forgot one */
	siglongjmp(*PG_exception_stack, 1);
}

void
pg_re_throw(void)
{
	if (PG_exception_stack == NULL)
		abort();
	siglongjmp(*PG_exception_stack, 1);
}

int
errcode(int sqlerrcode)
{
	pgstub_last_sqlstate = sqlerrcode;
	return 0;
}

static int
keep(const char *fmt, va_list ap)
{
	if (pgstub_last_error[0] == '\0')
		vsnprintf(pgstub_last_error, sizeof(pgstub_last_error), fmt, ap);
	return 0;
}

int
errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	keep(fmt, ap);
	va_end(ap);
	return 0;
}

int
errmsg_internal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	keep(fmt, ap);
	va_end(ap);
	return 0;
}

int
errdetail(const char *fmt, ...)
{
	return 0;
}

int
errhint(const char *fmt, ...)
{
	return 0;
}

/* ---- encodings: the database is UTF-8 ---- */
char *
pg_any_to_server(const char *s, int len, int encoding)
{
	return unconstify(char *, s);
}

char *
pg_server_to_any(const char *s, int len, int encoding)
{
	return unconstify(char *, s);
}

int
pg_mbcliplen(const char *mbstr, int len, int limit)
{
	int n = len < limit ? len : limit;

	/* back off continuation bytes so no character is split */
	while (n > 0 && n < len && ((unsigned char) mbstr[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* ---- time zones ---- */
static const char *const zones[] = {"UTC", "Etc/UTC", "Europe/Oslo", "Europe/Stockholm", "Europe/Berlin",
									"Europe/London", "America/New_York", "Asia/Tokyo"};
static pg_tz *const		 some_zone = (pg_tz *) &dummy_context;

pg_tz *
pg_tzset(const char *name)
{
	for (size_t i = 0; i < lengthof(zones); i++)
		if (strcmp(name, zones[i]) == 0)
			return some_zone;
	return NULL;
}

pg_tzenum *
pg_tzenumerate_start(void)
{
	abort();
}

pg_tz *
pg_tzenumerate_next(pg_tzenum *dir)
{
	abort();
}

void
pg_tzenumerate_end(pg_tzenum *dir)
{
	abort();
}

const char *
pg_get_timezone_name(pg_tz *tz)
{
	abort();
}

int
timestamp2tm(Timestamp dt, int *tzp, struct pg_tm *tm, fsec_t *fsec, const char **tzn, pg_tz *attimezone)
{
	abort();
}

TimestampTz
GetCurrentTransactionStartTimestamp(void)
{
	abort();
}

HTAB *
hash_create(const char *tabname, long nelem, const HASHCTL *info, int flags)
{
	abort();
}

void *
hash_search(HTAB *hashp, const void *keyPtr, HASHACTION action, bool *foundPtr)
{
	abort();
}

char *
unpack_sql_state(int sql_state)
{
	static char buf[12];

	for (int i = 0; i < 5; i++)
	{
		buf[i] = PGUNSIXBIT(sql_state);
		sql_state >>= 6;
	}
	buf[5] = '\0';
	return buf;
}
