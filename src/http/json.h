/*-------------------------------------------------------------------------
 * json.h
 *	  A growable byte buffer and JSON string escaping (RFC 8259 section 7).
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_JSON_H
#define AG_HTTP_JSON_H

#include <stdbool.h>
#include <stddef.h>

/*
 * AgBuf: bytes plus a terminating NUL that is not counted in len.  After a
 * failed allocation every append is a no-op and failed stays true, so a
 * caller may check once at the end.
 */
typedef struct AgBuf
{
	char  *data;
	size_t len;
	size_t cap;
	bool   failed;
} AgBuf;

/* ag_buf_init: an empty buffer that owns no memory yet. */
void ag_buf_init(AgBuf *buf);

/* ag_buf_append: append n bytes of src.  Returns false on out of memory. */
bool ag_buf_append(AgBuf *buf, const char *src, size_t n);

/* ag_buf_append_str: append a NUL-terminated string. */
bool ag_buf_append_str(AgBuf *buf, const char *src);

/*
 * ag_json_append_string: append src (n bytes, any content) as a JSON string
 * in double quotes: '"' and '\' are escaped, control characters below 0x20
 * become \b \f \n \r \t or \u00XX, valid UTF-8 passes through unchanged and
 * every byte that is not part of a valid UTF-8 sequence becomes U+FFFD, so
 * the result is always valid UTF-8 JSON.  NULL src appends the literal null.
 */
bool ag_json_append_string(AgBuf *buf, const char *src, size_t n);

/*
 * ag_buf_take: hand over the NUL-terminated data (malloc'd; "" when nothing
 * was appended) and reset buf.  Returns NULL when any allocation failed.
 */
char *ag_buf_take(AgBuf *buf);

/* ag_buf_free: release the data; buf is empty again. */
void ag_buf_free(AgBuf *buf);

#endif /* AG_HTTP_JSON_H */
