/*-------------------------------------------------------------------------
 * util.h
 *	  Small shared helpers: a non-throwing error record (AgError), ISO 8601
 *	  instant output (contract.md section 2) and JSON text building on
 *	  PostgreSQL's own escape_json.
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_UTIL_H
#define AGINGOS_UTIL_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/timestamp.h"

/*
 * AgError: what a validator found wrong, in the shape of an ereport:
 * sqlstate (MAKE_SQLSTATE value), errmsg, errdetail, errhint.
 * Validators fill one and return false instead of throwing, so that
 * agingos_ingest can ereport it and agingos_ingest_batch can keep it as
 * results[i].error (style.md 2.5).
 */
typedef struct AgError
{
	int	  sqlstate; /* 0 = no error */
	char *message;
	char *detail; /* may be NULL */
	char *hint;	  /* may be NULL */
} AgError;

/* ag_error_set: fill err (strings are palloc'd in CurrentMemoryContext). */
extern bool ag_error_set(AgError *err, int sqlstate, const char *message,
						 const char *detail, const char *hint);

/* ag_error_raise: ereport(ERROR) the recorded error; does not return. */
extern void ag_error_raise(const AgError *err) pg_attribute_noreturn();

/* ag_error_json: append {"code","message","details","hint"} (contract 6). */
extern void ag_error_json(StringInfo buf, const AgError *err);

/*
 * ag_append_instant: append ts as ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ",
 * with exactly 6 fraction digits only when the microsecond part is
 * non-zero (contract.md section 2).  Infinite values raise 22008.
 */
extern void ag_append_instant(StringInfo buf, TimestampTz ts);

/* ag_append_json_string: append s as a JSON string (escape_json). */
extern void ag_append_json_string(StringInfo buf, const char *s);

/*
 * ag_log_line: msg at level LOG as exactly one line, no CONTEXT or
 * STATEMENT (contract.md section 9); src/log.c.
 */
extern void ag_log_line(const char *msg);

#endif /* AGINGOS_UTIL_H */
