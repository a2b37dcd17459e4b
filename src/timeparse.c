/*-------------------------------------------------------------------------
 * timeparse.c
 *	  Strict instants with an explicit offset (contract.md section 2).
 *
 *	  The grammar is checked with PostgreSQL's regex engine; the value is
 *	  then converted by PostgreSQL's own date/time decoder (ParseDateTime,
 *	  DecodeDateTime, tm2timestamp), so no date arithmetic is written here.
 *	  Both steps report problems as return codes, never by throwing, which
 *	  lets a batch reject one item and go on.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "regex/regex.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/memutils.h"

#include "timeparse.h"

PG_FUNCTION_INFO_V1(agingos_parse_instant);
PG_FUNCTION_INFO_V1(agingos_iso);

/* The grammar of contract.md section 2 (offset optional here, so a naive value gets its own message). */
#define INSTANT_RE "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?(?:Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
#define INSTANT_EXAMPLE "\"2025-12-23T12:00:00Z\" or \"2025-12-23T13:00:00+01:00\""
#define MAX_ECHO 64 /* bytes of a bad value quoted in a message */

static text *instant_re = NULL; /* pattern as text, kept for the backend */

/* format_error: record a 22007 for field with a quoted (shortened) value. */
static bool
format_error(AgError *err, const char *field, const char *s, int len,
			 const char *problem, const char *hint)
{
	char *shown = pnstrdup(s, pg_mbcliplen(s, len, Min(len, MAX_ECHO)));

	return ag_error_set(err, ERRCODE_INVALID_DATETIME_FORMAT,
						psprintf("invalid instant in \"%s\"", field),
						psprintf("The value \"%s%s\" %s.", shown, len > MAX_ECHO ? "…" : "", problem),
						hint);
}

/*
 * decode_normalised: convert the already grammar-checked text to a UTC
 * instant with PostgreSQL's decoder.  buf holds "YYYY-MM-DD HH:MM:SS[.f]±HH:MM".
 * Returns false (err set) when the decoder rejects a field, e.g. 2025-02-30.
 */
static bool
decode_normalised(const char *buf, const char *field, const char *s, int len,
				  TimestampTz *result, AgError *err)
{
	char		 workbuf[MAXDATELEN + MAXDATEFIELDS];
	char		*fields[MAXDATEFIELDS];
	int			 ftypes[MAXDATEFIELDS];
	int			 nf;
	int			 dtype;
	int			 tz;
	struct pg_tm tm;
	fsec_t		 fsec;

	if (ParseDateTime(buf, workbuf, sizeof(workbuf), fields, ftypes, MAXDATEFIELDS, &nf) != 0 ||
		DecodeDateTime(fields, ftypes, nf, &dtype, &tm, &fsec, &tz) != 0 ||
		dtype != DTK_DATE)
		return format_error(err, field, s, len, "is not a valid date and time",
							"Check the month (01-12), the day of that month, and an offset of at most 15 hours.");
	if (tm2timestamp(&tm, fsec, &tz, result) != 0 || !IS_VALID_TIMESTAMP(*result))
		return format_error(err, field, s, len, "is out of range", "Use a date between 4713 BC and 294276 AD.");
	return true;
}

/* is_digit: an ASCII digit (isdigit() would follow the locale). */
static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * common_shape: whether s is "YYYY-MM-DDTHH:MM:SS", optionally ".f…", then
 * "Z" or "±HH:MM": the shape sensors send, and a strict subset of
 * INSTANT_RE, tested by character class at fixed positions.  It is only a
 * cheaper check first: the regex (2–3 µs a call, a tenth of a batch
 * event's validation, docs/bench.md section 15) still decides every other
 * form and every error, and the checks after the match are the same.
 */
static bool
common_shape(const char *s, int len)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	int				  i;

	if (len < 20)
		return false;
	for (i = 0; i < 19; i++)
		if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != shape[i])
			return false;
	if (s[i] == '.')
	{
		if (++i >= len || !is_digit(s[i]))
			return false;
		while (i < len && is_digit(s[i]))
			i++;
	}
	if (i == len - 1)
		return s[i] == 'Z';
	return i == len - 6 && (s[i] == '+' || s[i] == '-') && is_digit(s[i + 1]) && is_digit(s[i + 2]) &&
		   s[i + 3] == ':' && is_digit(s[i + 4]) && is_digit(s[i + 5]);
}

/*
 * ag_parse_instant: see timeparse.h.  s is len bytes of UTF-8 text.
 * Errors (all 22007): no match of the grammar, no offset (naive value),
 * more than 6 fraction digits, hour above 23, second above 59, a date or
 * offset the decoder rejects.
 */
bool
ag_parse_instant(const char *s, int len, const char *field,
				 TimestampTz *result, AgError *err)
{
	int			   off_start;
	char		  *copy = pnstrdup(s, len);
	StringInfoData buf;

	if (instant_re == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

		instant_re = cstring_to_text(INSTANT_RE);
		MemoryContextSwitchTo(oldcxt);
	}

	/*
	 * Match without sub-match capture: PostgreSQL's regex engine then runs
	 * its plain DFA, which is about a hundred times cheaper per call than
	 * the capturing path.  The grammar fixes every position up to the
	 * seconds (0..18), so the optional fraction and offset are found by
	 * position below.
	 */
	if (!common_shape(copy, len) &&
		!RE_compile_and_execute(instant_re, copy, len, REG_ADVANCED, C_COLLATION_OID, 0, NULL))
	{
		if (len > 19 && strchr(copy + 19, ' ') != NULL)
			return format_error(err, field, s, len, "has a space where the offset should start",
								"If the value came from a URL, write the offset's + as %2B: a plain + in a query string means a space.");
		return format_error(err, field, s, len, "is not an ISO 8601 instant",
							"Use YYYY-MM-DDTHH:MM:SS with optional .ffffff and an offset, for example " INSTANT_EXAMPLE ".");
	}
	off_start = 19;
	if (copy[19] == '.')
		while (++off_start < len && isdigit((unsigned char) copy[off_start]))
			;
	if (off_start >= len)
		return format_error(err, field, s, len, "has no UTC offset, so it is a local time that is ambiguous around daylight-saving changes",
							"Append \"Z\" or an offset such as \"+01:00\", for example " INSTANT_EXAMPLE ".");
	if (off_start - 20 > 6)
		return format_error(err, field, s, len, "has more than 6 fraction digits",
							"Give seconds with at most microsecond precision (6 digits).");
	if ((copy[11] - '0') * 10 + (copy[12] - '0') > 23)
		return format_error(err, field, s, len, "has an hour above 23", "Write midnight as 00:00:00 of the next day.");
	if ((copy[17] - '0') * 10 + (copy[18] - '0') > 59)
		return format_error(err, field, s, len, "has a second above 59", "Leap seconds are not accepted; use :59.");

	/* Normalise separators and offset so the decoder sees one form. */
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, copy, 10);
	appendStringInfoChar(&buf, ' ');
	appendBinaryStringInfo(&buf, copy + 11, off_start - 11);
	if (copy[off_start] == 'Z' || copy[off_start] == 'z')
		appendStringInfoString(&buf, "+00:00");
	else
	{
		const char *off = copy + off_start;
		int			offlen = len - off_start;

		appendBinaryStringInfo(&buf, off, 3); /* sign and hours */
		appendStringInfoChar(&buf, ':');
		if (offlen == 3)
			appendStringInfoString(&buf, "00");
		else
			appendBinaryStringInfo(&buf, off + offlen - 2, 2);
	}
	return decode_normalised(buf.data, field, s, len, result, err);
}

/*
 * agingos_parse_instant(value text, field text) → timestamptz
 * A strict instant with offset (contract.md section 2), for query-string
 * values such as since/until/now.  NULL in, NULL out.  Raises 22007 naming
 * field for a naive or malformed value.
 */
Datum
agingos_parse_instant(PG_FUNCTION_ARGS)
{
	text	   *value;
	TimestampTz ts;
	AgError		err;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	value = PG_GETARG_TEXT_PP(0);
	if (!ag_parse_instant(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value),
						  PG_ARGISNULL(1) ? "value" : text_to_cstring(PG_GETARG_TEXT_PP(1)), &ts, &err))
		ag_error_raise(&err);
	PG_RETURN_TIMESTAMPTZ(ts);
}

/*
 * agingos_iso(ts timestamptz) → text
 * The instant as ISO 8601 UTC with "Z" and a 6-digit fraction only when
 * the microseconds are non-zero (contract.md section 2), whatever the
 * session TimeZone.
 */
Datum
agingos_iso(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	initStringInfo(&buf);
	ag_append_instant(&buf, PG_GETARG_TIMESTAMPTZ(0));
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}
