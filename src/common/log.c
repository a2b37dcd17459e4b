/*-------------------------------------------------------------------------
 * log.c
 *	  key=value log lines on stderr: ts, level, event, fields, msg.
 *	  Format: style.md section 3; timestamps as contract.md section 2.
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "utf8.h"

#define AG_LOG_LINE_MAX 2048

static AgLogLevel min_level = AG_LOG_INFO;
static bool		  progress_line = false;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

bool
ag_log_parse_level(const char *text, AgLogLevel *level)
{
	for (int i = 0; i <= (int) AG_LOG_ERROR; i++)
	{
		if (strcmp(text, level_names[i]) == 0)
		{
			*level = (AgLogLevel) i;
			return true;
		}
	}
	return false;
}

void
ag_log_set_level(AgLogLevel level)
{
	min_level = level;
}

bool
ag_log_enabled(AgLogLevel level)
{
	return level >= min_level;
}

void
ag_log_set_progress_line(bool active)
{
	progress_line = active;
}

/*
 * format_ts: ISO 8601 UTC with "Z"; six fraction digits unless the
 * microsecond part is zero (contract.md section 2).  Returns chars written.
 */
static int
format_ts(char *dst, size_t dstlen)
{
	struct timespec now;
	struct tm		tm;
	char			base[32];
	unsigned		usec;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	usec = (unsigned) (now.tv_nsec / 1000) % 1000000u;
	if (usec == 0)
		return snprintf(dst, dstlen, "%sZ", base);
	return snprintf(dst, dstlen, "%s.%06uZ", base, usec);
}

const char *
ag_log_quote(char *dst, size_t dstlen, const char *src)
{
	const unsigned char *p = (const unsigned char *) src;
	size_t				 n = strlen(src);
	size_t				 o = 0;

	dst[o++] = '"';
	for (size_t i = 0; i < n;)
	{
		unsigned char c = p[i];
		size_t		  len = c < 0x80 ? 1 : ag_utf8_seq_len(p + i, n - i);

		/* keep room for an escape, the closing quote and the terminator */
		if (o + (len > 1 ? len : 2) + 2 > dstlen)
			break;
		if (len > 1)
		{
			memcpy(dst + o, p + i, len);
			o += len;
			i += len;
			continue;
		}
		if (c == '"' || c == '\\')
			dst[o++] = '\\';
		if (len == 0)
			dst[o++] = '?'; /* not UTF-8: log lines stay valid text */
		else
			dst[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char) c;
		i++;
	}
	/* a libpq message ends in a newline: drop trailing blanks */
	while (o > 1 && dst[o - 1] == ' ')
		o--;
	dst[o++] = '"';
	dst[o] = '\0';
	return dst;
}

void
ag_log(AgLogLevel level, const char *event, const char *msg, const char *fields, ...)
{
	char	line[AG_LOG_LINE_MAX];
	char	ts[64];
	size_t	len;
	va_list ap;

	if (!ag_log_enabled(level))
		return;
	format_ts(ts, sizeof(ts));
	/* "\r\033[K" erases a progress bar drawn on the terminal line */
	len = (size_t) snprintf(line, sizeof(line), "%sts=%s level=%s event=%s", progress_line ? "\r\033[K" : "",
							ts, level_names[level], event);
	if (fields != NULL && len < sizeof(line) - 1)
	{
		line[len++] = ' ';
		va_start(ap, fields);
		vsnprintf(line + len, sizeof(line) - len, fields, ap);
		va_end(ap);
		len = strlen(line);
	}
	if (msg != NULL && len + 6 < sizeof(line) - 1)
	{
		memcpy(line + len, " msg=", 5);
		len += 5;
		ag_log_quote(line + len, sizeof(line) - len, msg);
		len = strlen(line);
	}
	if (len >= sizeof(line) - 1)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	/* one write per line; a short write to stderr is not worth retrying */
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}
