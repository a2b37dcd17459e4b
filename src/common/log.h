/*-------------------------------------------------------------------------
 * log.h
 *	  One key=value line per event on stderr (style.md section 3), shared
 *	  by every program (agingos-http, agingos-sim, agingos-notify).
 *-------------------------------------------------------------------------
 */
#ifndef AG_COMMON_LOG_H
#define AG_COMMON_LOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum AgLogLevel
{
	AG_LOG_DEBUG = 0,
	AG_LOG_INFO,
	AG_LOG_WARN,
	AG_LOG_ERROR
} AgLogLevel;

/*
 * ag_log_parse_level: map "debug", "info", "warn" or "error" (exact, lower
 * case) to *level.  Returns false, leaving *level alone, for anything else.
 */
bool ag_log_parse_level(const char *text, AgLogLevel *level);

/*
 * ag_log_set_level: lines below level are dropped from now on.  Call once at
 * startup, before any thread is started; the default is AG_LOG_INFO.
 */
void ag_log_set_level(AgLogLevel level);

/* ag_log_enabled: whether a line at level would be written. */
bool ag_log_enabled(AgLogLevel level);

/*
 * ag_log_set_progress_line: while true, every log line first clears the
 * progress bar a program keeps on the current terminal line (agingos-sim's
 * report.c).  Default false.
 */
void ag_log_set_progress_line(bool active);

/*
 * ag_log: write "ts=... level=... event=<event> <fields> msg=\"<msg>\"" as one
 * line with one write(2), so lines of concurrent threads never interleave.
 * fields is a printf format producing space-separated key=value pairs (or
 * NULL); string values that may hold spaces must be passed through
 * ag_log_quote first.  msg may be NULL; it is quoted and escaped here, and
 * control characters (a libpq message has newlines) become spaces.  Lines
 * longer than 2 KiB are truncated.  Never pass bodies, payloads or API keys.
 */
void ag_log(AgLogLevel level, const char *event, const char *msg, const char *fields, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * ag_log_quote: write src into dst (size dstlen > 2) as a double-quoted
 * value with '"' and '\' escaped, control characters replaced by spaces and
 * bytes that are not valid UTF-8 by '?', truncated to fit on a character
 * boundary.  Returns dst.
 */
const char *ag_log_quote(char *dst, size_t dstlen, const char *src);

#endif /* AG_COMMON_LOG_H */
