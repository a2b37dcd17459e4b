/*-------------------------------------------------------------------------
 * utf8.h
 *	  UTF-8 validation and clipping (RFC 3629: no overlong forms, no
 *	  surrogates, nothing above U+10FFFF), the same rules PostgreSQL's UTF8
 *	  encoding checks.  Everything a program writes into JSON or a log line
 *	  goes through these.
 *-------------------------------------------------------------------------
 */
#ifndef AG_COMMON_UTF8_H
#define AG_COMMON_UTF8_H

#include <stddef.h>

/*
 * ag_utf8_seq_len: the length (1-4) of the valid UTF-8 sequence at the
 * start of s (n > 0 bytes available), or 0 when s does not start with one.
 * A NUL byte is a valid one-byte sequence here; callers that cannot take
 * NUL check for it themselves.
 */
size_t ag_utf8_seq_len(const unsigned char *s, size_t n);

/*
 * ag_utf8_invalid_at: the offset of the first byte of s (n bytes) that is
 * not part of a valid UTF-8 sequence, or n when all of s is valid.
 */
size_t ag_utf8_invalid_at(const char *s, size_t n);

/*
 * ag_utf8_clip: the length of the longest prefix of s (n bytes) that is at
 * most max bytes and does not split a valid UTF-8 sequence (an invalid byte
 * counts as one unit).
 */
size_t ag_utf8_clip(const char *s, size_t n, size_t max);

/*
 * ag_utf8_echo: copy a request-derived value into dst (dstlen > 4) for an
 * error message: at most max bytes (max + 4 <= dstlen), cut on a character
 * boundary with "…" added when cut.  Invalid sequences are left for the
 * JSON writer, which replaces them with U+FFFD.  Returns dst.
 */
const char *ag_utf8_echo(char *dst, size_t dstlen, const char *src, size_t max);

#endif /* AG_COMMON_UTF8_H */
