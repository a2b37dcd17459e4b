/*-------------------------------------------------------------------------
 * utf8.c
 *	  UTF-8 checks for the front: the body and query arguments are checked
 *	  before any SQL runs (400 22021), and every string echoed into an error
 *	  body is clipped on a character boundary (json.c replaces what is
 *	  still invalid with U+FFFD).
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

#define ELLIPSIS "\xe2\x80\xa6" /* U+2026 */

/* is_cont: whether c is a continuation byte 10xxxxxx. */
static inline int
is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

size_t
ag_utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80; /* allowed range of the second byte */
	unsigned char hi = 0xBF;
	size_t		  len;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		len = 3;
		if (c == 0xE0)
			lo = 0xA0; /* no overlong forms */
		else if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F; /* nothing above U+10FFFF */
	}
	else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
	{
		if (!is_cont(s[i]))
			return 0;
	}
	return len;
}

size_t
ag_utf8_invalid_at(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t				 i = 0;

	while (i < n)
	{
		size_t len;

		/* ASCII fast path, eight bytes at a time */
		if (n - i >= 8)
		{
			uint64_t word;

			memcpy(&word, p + i, 8);
			if ((word & UINT64_C(0x8080808080808080)) == 0)
			{
				i += 8;
				continue;
			}
		}
		len = ag_utf8_seq_len(p + i, n - i);
		if (len == 0)
			return i;
		i += len;
	}
	return n;
}

size_t
ag_utf8_clip(const char *s, size_t n, size_t max)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t				 i = 0;

	if (n <= max)
		return n;
	while (i < max)
	{
		size_t len = ag_utf8_seq_len(p + i, n - i);

		if (len == 0)
			len = 1;
		if (i + len > max)
			break;
		i += len;
	}
	return i;
}

const char *
ag_utf8_echo(char *dst, size_t dstlen, const char *src, size_t max)
{
	size_t n = strlen(src);
	size_t keep;

	if (max + 4 > dstlen)
		max = dstlen - 4;
	keep = ag_utf8_clip(src, n, max);
	snprintf(dst, dstlen, "%.*s%s", (int) keep, src, keep < n ? ELLIPSIS : "");
	return dst;
}
