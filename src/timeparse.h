/*-------------------------------------------------------------------------
 * timeparse.h
 *	  Strict ISO 8601 / RFC 3339 instants with an explicit UTC offset
 *	  (contract.md section 2).
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_TIMEPARSE_H
#define AGINGOS_TIMEPARSE_H

#include "postgres.h"

#include "utils/timestamp.h"

#include "util.h"

/*
 * ag_parse_instant: parse text s (len bytes, need not be NUL-terminated) as
 * `YYYY-MM-DD(T|t| )HH:MM:SS(.d{1,6})?(Z|z|±HH:MM|±HHMM|±HH)` into a UTC
 * instant.  field names the input in messages (e.g. "timestamp", "since").
 * Returns false with err set to 22007 for any format problem: a naive value
 * (no offset), hour 24, second 60, 7+ fraction digits, an impossible date.
 * Never throws for bad input.
 */
extern bool ag_parse_instant(const char *s, int len, const char *field,
							 TimestampTz *result, AgError *err);

#endif /* AGINGOS_TIMEPARSE_H */
