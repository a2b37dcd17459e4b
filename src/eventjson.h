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
 * 22030 duplicate member; 22P02 invalid JSON; 22P05 \u0000 or bad escape;
 * 22003 number out of range).  raw_id receives the id as far as it could be
 * read (NULL if not), so batch results can name the rejected item.
 */
extern bool ag_event_parse(const char *json, int len, int max_future_minutes,
						   AgParsedEvent *ev, char **raw_id, AgError *err);

/* ag_json_depth_ok: no object/array deeper than max_depth (lexer only); *where names the root member. */
extern bool ag_json_depth_ok(const char *json, int len, int max_depth, char **where);

#endif /* AGINGOS_EVENTJSON_H */
