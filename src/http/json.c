/*-------------------------------------------------------------------------
 * json.c
 *	  Growable buffer and JSON string escaping for the bodies the front
 *	  builds itself: the params object (server.c) and error bodies (errors.c).
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "utf8.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD for a byte that is not UTF-8 */

void
ag_buf_init(AgBuf *buf)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
	buf->failed = false;
}

/* reserve: make room for extra more bytes plus the terminator. */
static bool
reserve(AgBuf *buf, size_t extra)
{
	size_t need;
	size_t cap;
	char  *data;

	if (buf->failed)
		return false;
	need = buf->len + extra + 1;
	if (need <= buf->cap)
		return true;
	cap = buf->cap == 0 ? 256 : buf->cap;
	while (cap < need)
		cap *= 2;
	data = realloc(buf->data, cap);
	if (data == NULL)
	{
		buf->failed = true;
		return false;
	}
	buf->data = data;
	buf->cap = cap;
	return true;
}

bool
ag_buf_append(AgBuf *buf, const char *src, size_t n)
{
	if (!reserve(buf, n))
		return false;
	memcpy(buf->data + buf->len, src, n);
	buf->len += n;
	buf->data[buf->len] = '\0';
	return true;
}

bool
ag_buf_append_str(AgBuf *buf, const char *src)
{
	return ag_buf_append(buf, src, strlen(src));
}

/* escape_byte: the escape for a byte that cannot appear raw, or NULL. */
static const char *
escape_byte(unsigned char c, char scratch[8])
{
	switch (c)
	{
		case '"':
			return "\\\"";
		case '\\':
			return "\\\\";
		case '\b':
			return "\\b";
		case '\f':
			return "\\f";
		case '\n':
			return "\\n";
		case '\r':
			return "\\r";
		case '\t':
			return "\\t";
		default:
			if (c >= 0x20)
				return NULL;
			snprintf(scratch, 8, "\\u%04x", (unsigned int) c);
			return scratch;
	}
}

bool
ag_json_append_string(AgBuf *buf, const char *src, size_t n)
{
	const unsigned char *p = (const unsigned char *) src;
	size_t				 run = 0;
	size_t				 i = 0;
	char				 scratch[8];

	if (src == NULL)
		return ag_buf_append(buf, "null", 4);
	ag_buf_append(buf, "\"", 1);
	while (i < n)
	{
		const char *esc = NULL;
		size_t		len = 1;

		if (p[i] < 0x80)
			esc = escape_byte(p[i], scratch);
		else if ((len = ag_utf8_seq_len(p + i, n - i)) == 0)
		{
			esc = REPLACEMENT;
			len = 1;
		}
		i += len;
		if (esc == NULL)
			continue;
		/* copy the plain run before this byte in one go */
		ag_buf_append(buf, src + run, i - len - run);
		ag_buf_append_str(buf, esc);
		run = i;
	}
	ag_buf_append(buf, src + run, n - run);
	return ag_buf_append(buf, "\"", 1);
}

char *
ag_buf_take(AgBuf *buf)
{
	char *data;

	if (buf->failed)
	{
		ag_buf_free(buf);
		return NULL;
	}
	if (buf->data == NULL && !reserve(buf, 0))
		return NULL;
	buf->data[buf->len] = '\0';
	data = buf->data;
	ag_buf_init(buf);
	return data;
}

void
ag_buf_free(AgBuf *buf)
{
	free(buf->data);
	ag_buf_init(buf);
}
