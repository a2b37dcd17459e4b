/*-------------------------------------------------------------------------
 * checks.h
 *	  The transport checks the front makes itself before any SQL runs
 *	  (contract.md section 6): the Content-Type, the announced body, and
 *	  text PostgreSQL could not take (NUL bytes, invalid UTF-8).
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_CHECKS_H
#define AG_HTTP_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "errors.h"
#include "routes.h"

/*
 * ag_check_json_type: whether a Content-Type value (or NULL) is
 * application/json, compared case-insensitively, optionally followed by
 * parameters ("; charset=utf-8").
 */
bool ag_check_json_type(const char *value);

/*
 * ag_check_form_type: the same for application/x-www-form-urlencoded (the
 * POST of an HTML form, e.g. the button of the /ack pages).
 */
bool ag_check_form_type(const char *value);

/*
 * ag_check_declared_body: whether the headers announce a body
 * (Content-Length above 0, or a Transfer-Encoding, which for a request can
 * only be chunked); *length gets the Content-Length or 0.
 */
bool ag_check_declared_body(struct MHD_Connection *connection, uint64_t *length);

/*
 * ag_check_body_text: whether the body (len bytes, 0 for none) can go to
 * PostgreSQL as text: no NUL byte (400 22P05) and valid UTF-8 (400 22021,
 * details with the offset of the first bad byte).  Otherwise reply is set.
 */
bool ag_check_body_text(const char *body, size_t len, AgReply *reply);

/*
 * ag_check_args: the params object of the request (params.h) and its
 * X-API-Key (*api_key, or NULL), both checked like the body.  Returns the
 * malloc'd params text, or NULL with reply set (400 22P05 / 22021, or 500
 * when memory ran out).
 */
char *ag_check_args(struct MHD_Connection *connection, const AgMatch *match, const char **api_key, AgReply *reply);

#endif /* AG_HTTP_CHECKS_H */
