/*-------------------------------------------------------------------------
 * eventjson.h
 *	  Parse and validate the JSON text of one event (contract.md section 5).
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_EVENTJSON_H
#define AGINGOS_EVENTJSON_H

#include "postgres.h"

#include "ingest.h"
#include "util.h"

/*
 * ag_event_parse: json is len bytes of UTF-8 text holding one event.
 * max_future_minutes: ingest.max_future_minutes (config), compared with the
 * server clock.  On success fills ev and returns true.  On failure returns
 * false with err set (22007 timestamp format; 22023 missing/unknown member,
 * wrong type, empty/long id, category, future, payload size/depth/type;
 * 22030 duplicate member; 22P02 invalid JSON, an unpaired surrogate or a
 * malformed \u escape; 22P05 \u0000; 22003 number out of range).  Errors
 * of a string that cannot be decoded name its member ("id", "payload.room").  raw_id receives the id as far as it could be
 * read (NULL if not), so batch results can name the rejected item.
 * known_depth: how deep the text's objects and arrays nest, when the
 * caller has already measured it (a batch: ingest.c split_batch), else -1;
 * within the limit it spares the depth pre-scan (docs/bench.md section 15).
 */
extern bool ag_event_parse(const char *json, int len, int max_future_minutes, int known_depth,
						   AgParsedEvent *ev, char **raw_id, AgError *err);

/*
 * ag_event_parse_scratch: ag_event_parse run in the memory context scratch,
 * with ev (on success), *raw_id and err (on failure) copied into the
 * current context, then scratch reset: for a batch, whose 10,000 items
 * would otherwise leave megabytes of lexer buffers behind, each page
 * faulted in fresh (docs/bench.md section 15).
 */
extern bool ag_event_parse_scratch(MemoryContext scratch, const char *json, int len, int max_future_minutes,
								   int known_depth, AgParsedEvent *ev, char **raw_id, AgError *err);

/* ag_json_shorten: a member name for a message, cut to 64 bytes on a character boundary ("…" when cut). */
extern char *ag_json_shorten(const char *s);

/* ag_json_depth_ok (eventjson_scan.c): no object/array deeper than max_depth (lexer only); *where names the root member. */
extern bool ag_json_depth_ok(const char *json, int len, int max_depth, char **where);

/*
 * ag_json_path_at (eventjson_scan.c): the member path ("payload.room", "payload.list[2]", "id")
 * of the string token that starts at byte offset of json (len bytes), found
 * with PostgreSQL's lexer alone; *is_name says whether that string is a
 * member name (then the path is that of the object holding it).  NULL when
 * no string starts there or it is at the root (or the path is empty).
 */
extern char *ag_json_path_at(const char *json, int len, int offset, bool *is_name);

#endif /* AGINGOS_EVENTJSON_H */
