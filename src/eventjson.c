/*-------------------------------------------------------------------------
 * eventjson.c
 *	  Parse and validate the JSON text of one event (contract.md section 5).
 *
 *	  The text is read with PostgreSQL's own JSON parser (common/jsonapi.h)
 *	  and semantic callbacks, which lets us see what jsonb would hide:
 *	  duplicate members, the raw byte length of "payload", its nesting depth,
 *	  and \u0000.  No parser is written here.  Nothing in this file throws
 *	  for bad input: problems land in an AgError, and no message ever quotes
 *	  the payload (PostgreSQL's own JSON errors would, in their CONTEXT line).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "nodes/pg_list.h"
#include "regex/regex.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "agingos.h"
#include "eventjson.h"
#include "timeparse.h"

#define MAX_NUMBER_TOKEN 4000 /* numeric_in takes far more; jsonb text may expand 1e1000 to 1001 digits */
/*
 * The category grammar ^[a-z][a-z0-9_]{0,63}$ (contract.md section 5) is
 * checked as its length (at most 64 bytes: every matching character is
 * ASCII) and the unbounded pattern below: the same strings, but the bounded
 * {0,63} makes PostgreSQL's regex engine build a new DFA state for every
 * character of every call (4.3 µs per category against 0.12 µs,
 * docs/bench.md section 15).
 */
#define CATEGORY_RE "^[a-z][a-z0-9_]*$"
#define CATEGORY_MAX_BYTES 64

/* The four members an event may have, as bits. */
#define M_ID 0x1
#define M_TIMESTAMP 0x2
#define M_CATEGORY 0x4
#define M_PAYLOAD 0x8

/* Parser state shared by the callbacks of one event. */
typedef struct EventState
{
	JsonLexContext *lex;
	AgError		   *err;
	bool			failed;			 /* first error recorded; later ones ignored */
	int				depth;			 /* open objects and arrays; root object = 1 */
	int				member;			 /* M_* bit of the root member being parsed */
	int				seen;			 /* M_* bits already seen */
	JsonTokenType	member_types[4]; /* first token of each member's value */
	char		   *strval[3];		 /* id, timestamp, category (de-escaped) */
	char		   *payload_start;	 /* raw text of the payload value */
	int				payload_len;
	List		   *keys[AG_MAX_PAYLOAD_DEPTH + 2]; /* member names per open object */
	JsonTokenType	root_type;
} EventState;

static text *category_re = NULL;

/* fail: record the first error of this event; returns false. */
static bool
fail(EventState *st, int code, char *msg, char *detail, const char *hint)
{
	if (!st->failed)
	{
		st->failed = true;
		ag_error_set(st->err, code, msg, detail, hint);
	}
	return false;
}

/* member_bit: the M_* bit of a root member name, 0 if unknown. */
static int
member_bit(const char *name)
{
	if (strcmp(name, "id") == 0)
		return M_ID;
	if (strcmp(name, "timestamp") == 0)
		return M_TIMESTAMP;
	if (strcmp(name, "category") == 0)
		return M_CATEGORY;
	if (strcmp(name, "payload") == 0)
		return M_PAYLOAD;
	return 0;
}

/* member_index: 0..3 for M_ID, M_TIMESTAMP, M_CATEGORY, M_PAYLOAD. */
static int
member_index(int bit)
{
	return bit == M_ID ? 0 : bit == M_TIMESTAMP ? 1
						 : bit == M_CATEGORY	? 2
												: 3;
}

/* in_payload: whether the parser is inside the payload value (or at it). */
static bool
in_payload(EventState *st)
{
	return st->member == M_PAYLOAD && st->depth >= 1;
}

/* ev_open: object or array start; tracks depth and the root's type. */
static void
ev_open(EventState *st, bool is_object)
{
	if (st->depth == 0)
		st->root_type = is_object ? JSON_TOKEN_OBJECT_START : JSON_TOKEN_ARRAY_START;
	st->depth++;
	if (is_object && st->depth < lengthof(st->keys))
		st->keys[st->depth] = NIL;
}

static void
ev_object_start(void *state)
{
	ev_open((EventState *) state, true);
}

static void
ev_array_start(void *state)
{
	ev_open((EventState *) state, false);
}

static void
ev_array_end(void *state)
{
	((EventState *) state)->depth--;
}

/* duplicate_error: 22030 naming the repeated member or payload key. */
static void
duplicate_error(EventState *st, const char *fname, bool at_root)
{
	if (at_root)
		fail(st, ERRCODE_DUPLICATE_JSON_OBJECT_KEY_VALUE,
			 psprintf("duplicate event member \"%s\"", ag_json_shorten(fname)),
			 pstrdup("An event may name each member once."),
			 "Send each of id, timestamp, category and payload at most once.");
	else
		fail(st, ERRCODE_DUPLICATE_JSON_OBJECT_KEY_VALUE,
			 psprintf("duplicate key \"%s\" in event member \"payload\"", ag_json_shorten(fname)),
			 pstrdup("A JSON object inside the payload names the same key twice; jsonb would silently keep only the last value."),
			 "Send each key once per object.");
}

/* cmp_names: qsort comparator for an array of C strings. */
static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * ev_object_end: a payload object is complete; its keys are sorted and
 * neighbours compared, so the duplicate check costs n log n per object
 * (an object may hold thousands of keys within the 16 KiB limit).
 */
static void
ev_object_end(void *state)
{
	EventState *st = (EventState *) state;
	List	   *keys = st->depth < lengthof(st->keys) ? st->keys[st->depth] : NIL;

	if (!st->failed && st->depth > 1 && list_length(keys) > 1)
	{
		int		  n = list_length(keys);
		char	**names = palloc(sizeof(char *) * n);
		int		  i = 0;
		ListCell *lc;

		foreach (lc, keys)
			names[i++] = (char *) lfirst(lc);
		qsort(names, n, sizeof(char *), cmp_names);
		for (i = 1; i < n && !st->failed; i++)
			if (strcmp(names[i - 1], names[i]) == 0)
				duplicate_error(st, names[i], false);
		pfree(names);
	}
	st->depth--;
}

/*
 * note_member: remember a member name of the innermost open object.  At
 * the root (at most four known members) a repeat is reported at once;
 * payload objects are checked when they end (ev_object_end).  Only the
 * root and the payload are tracked: other members are rejected anyway, and
 * the payload is bounded to 16 KiB.
 */
static void
note_member(EventState *st, char *fname)
{
	ListCell *lc;

	if (st->depth >= lengthof(st->keys))
		return;
	if (st->depth == 1)
	{
		foreach (lc, st->keys[1])
		{
			if (strcmp((char *) lfirst(lc), fname) == 0)
			{
				duplicate_error(st, fname, true);
				return;
			}
		}
	}
	st->keys[st->depth] = lappend(st->keys[st->depth], fname);
}

/* ev_field_start: a member name; at the root, decide which member it is. */
static void
ev_field_start(void *state, char *fname, bool isnull)
{
	EventState *st = (EventState *) state;

	if (st->failed)
		return;
	if (st->depth == 1)
	{
		int bit = member_bit(fname);

		if (bit == 0)
		{
			fail(st, ERRCODE_INVALID_PARAMETER_VALUE,
				 psprintf("unknown event member \"%s\"", ag_json_shorten(fname)),
				 pstrdup("An event has exactly the members id, timestamp, category and payload."),
				 "Put sensor fields such as room or state inside \"payload\".");
			return;
		}
		note_member(st, fname);
		st->member = bit;
		st->seen |= bit;
		st->member_types[member_index(bit)] = st->lex->token_type;
		if (bit == M_PAYLOAD)
			st->payload_start = st->lex->token_start;
	}
	else if (in_payload(st))
	{
		if (st->lex->token_start - st->payload_start > AG_MAX_PAYLOAD_BYTES)
			return; /* too large: reported at the end, skip work */
		note_member(st, fname);
	}
}

/* ev_field_end: at the root, the end of a member's value. */
static void
ev_field_end(void *state, char *fname, bool isnull)
{
	EventState *st = (EventState *) state;

	if (st->depth == 1 && st->member == M_PAYLOAD && !st->failed)
		st->payload_len = st->lex->prev_token_terminator - st->payload_start;
	if (st->depth == 1)
		st->member = 0;
}

/*
 * check_number: numeric_in (used when the payload becomes jsonb) throws for
 * exponents beyond +-1000 or absurdly long numbers; reject those here with
 * 22003 so that nothing throws later.
 */
static void
check_number(EventState *st, const char *token)
{
	const char *e = strpbrk(token, "eE");

	if (strlen(token) > MAX_NUMBER_TOKEN || (e != NULL && abs(atoi(e + 1)) > 1000) ||
		(e != NULL && strlen(e + 1) > 6))
		fail(st, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
			 pstrdup("number out of range in event member \"payload\""),
			 pstrdup("A number has more than 4000 characters or an exponent beyond 1000."),
			 "Send the value as a string, or round it.");
}

/* ev_scalar: keep the root string members; check payload numbers. */
static void
ev_scalar(void *state, char *token, JsonTokenType tokentype)
{
	EventState *st = (EventState *) state;

	if (st->depth == 0)
		st->root_type = tokentype;
	if (st->failed || st->depth != 1)
	{
		if (!st->failed && in_payload(st) && tokentype == JSON_TOKEN_NUMBER)
			check_number(st, token);
		return;
	}
	if (tokentype != JSON_TOKEN_STRING)
		return; /* wrong types are reported after parsing */
	if (st->member == M_ID)
		st->strval[0] = token;
	else if (st->member == M_TIMESTAMP)
		st->strval[1] = token;
	else if (st->member == M_CATEGORY)
		st->strval[2] = token;
}

/*
 * escape_error: a string that cannot be decoded (contract.md section 5):
 * \u0000 (22P05, text cannot hold it) or an unpaired surrogate or a
 * malformed \u escape (22P02, as PostgreSQL's own JSON input).  The errmsg
 * names the member the string belongs to ("id", "payload.room", …) or the
 * object whose member name it is; never the value.
 */
static bool
escape_error(EventState *st, JsonParseErrorType rc, const char *what, const char *where)
{
	bool		is_name = false;
	char	   *path = ag_json_path_at(st->lex->input, st->lex->input_length,
									   (int) (st->lex->token_start - st->lex->input), &is_name);
	const char *problem = rc == JSON_UNICODE_CODE_POINT_ZERO ? "contains \\u0000" : "contains an invalid Unicode escape";
	char	   *msg;

	if (is_name && path != NULL)
		msg = psprintf("a member name in %s member \"%s\" %s", what, path, problem);
	else if (is_name)
		msg = psprintf("an %s member name %s", what, problem);
	else if (path != NULL)
		msg = psprintf("%s member \"%s\" %s", what, path, problem);
	else
		msg = psprintf("%s %s", what, problem);
	switch (rc)
	{
		case JSON_UNICODE_CODE_POINT_ZERO:
			return fail(st, ERRCODE_UNTRANSLATABLE_CHARACTER, msg,
						psprintf("The escape \\u0000 in the string %s cannot be stored in PostgreSQL text or jsonb.", where),
						"Remove the NUL character from the value.");
		case JSON_UNICODE_HIGH_ESCAPE:
			return fail(st, ERRCODE_UNTRANSLATABLE_CHARACTER, msg,
						psprintf("The \\u escape in the string %s names a character the database encoding cannot hold.", where),
						"Send the character as UTF-8.");
		case JSON_UNICODE_HIGH_SURROGATE:
		case JSON_UNICODE_LOW_SURROGATE:
			return fail(st, ERRCODE_INVALID_TEXT_REPRESENTATION, msg,
						psprintf("The string %s holds an unpaired UTF-16 surrogate (\\ud800 to \\udfff come only as a high-low pair).", where),
						"Write characters outside the BMP as a surrogate pair, or send them as UTF-8.");
		default:
			return fail(st, ERRCODE_INVALID_TEXT_REPRESENTATION, msg,
						psprintf("A \\u escape in the string %s does not have four hex digits.", where),
						"Use \\uXXXX with four hex digits.");
	}
}

/*
 * json_error: record a parse error without quoting the input.  The
 * position (line and byte offset in the line) lets a sender find it.
 */
static bool
json_error(EventState *st, JsonParseErrorType rc, const char *what)
{
	int	  offset = (int) (st->lex->token_start - st->lex->input) + 1;
	char *where = psprintf("at byte %d", Max(offset, 1));

	if (rc == JSON_EXPECTED_MORE || st->lex->token_start >= st->lex->input + st->lex->input_length)
		return fail(st, ERRCODE_INVALID_TEXT_REPRESENTATION,
					psprintf("%s is not valid JSON", what),
					pstrdup("The JSON text ends before its last object or array is closed."),
					"Check that every { and [ is closed and the body was not cut off.");
	switch (rc)
	{
		case JSON_UNICODE_CODE_POINT_ZERO:
		case JSON_UNICODE_HIGH_ESCAPE:
		case JSON_UNICODE_ESCAPE_FORMAT:
		case JSON_UNICODE_HIGH_SURROGATE:
		case JSON_UNICODE_LOW_SURROGATE:
			return escape_error(st, rc, what, where);
		default:
			return fail(st, ERRCODE_INVALID_TEXT_REPRESENTATION,
						psprintf("%s is not valid JSON", what),
						psprintf("The JSON syntax is broken %s.", where),
						"Send one JSON object such as {\"id\": \"…\", \"timestamp\": \"2025-12-23T12:00:00Z\", \"category\": \"motion\", \"payload\": {}}.");
	}
}

/* depth_error: 22023 for an event nested deeper than the payload allows. */
static bool
depth_error(EventState *st, const char *member)
{
	if (member != NULL && strcmp(member, "payload") == 0)
		return fail(st, ERRCODE_INVALID_PARAMETER_VALUE, pstrdup("event member \"payload\" is nested too deeply"),
					psprintf("The payload may nest at most %d levels, counting the payload object itself as 1.", AG_MAX_PAYLOAD_DEPTH),
					"Flatten the payload.");
	if (member != NULL)
		return fail(st, ERRCODE_INVALID_PARAMETER_VALUE, psprintf("event member \"%s\" is nested too deeply", ag_json_shorten(member)),
					pstrdup("Only \"payload\" may hold objects and arrays; id, timestamp and category are strings."),
					"Send id, timestamp and category as strings and put sensor fields inside \"payload\".");
	return fail(st, ERRCODE_INVALID_PARAMETER_VALUE, pstrdup("event is nested too deeply"),
				pstrdup("An event is one JSON object whose payload may nest at most 32 levels."),
				"Send one JSON object with id, timestamp, category and optionally payload.");
}

/* is_blank: whether the text is empty or only JSON whitespace. */
static bool
is_blank(const char *s, int len)
{
	for (int i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

/*
 * parse_structure: run the parser; false with err set on any problem.
 * known_depth: see ag_event_parse.
 */
static bool
parse_structure(const char *json, int len, int known_depth, EventState *st)
{
	JsonSemAction	   sem = {0};
	JsonParseErrorType rc;
	char			  *where = NULL;

	if (is_blank(json, len))
		return fail(st, ERRCODE_INVALID_TEXT_REPRESENTATION, pstrdup("event is empty"),
					pstrdup("The request body has no JSON text."),
					"Send one JSON object with id, timestamp, category and optionally payload.");
	if ((known_depth < 0 || known_depth > AG_MAX_PAYLOAD_DEPTH + 1) &&
		!ag_json_depth_ok(json, len, AG_MAX_PAYLOAD_DEPTH + 1, &where))
		return depth_error(st, where);
	st->lex = makeJsonLexContextCstringLen((char *) json, len, PG_UTF8, true);
	sem.semstate = st;
	sem.object_start = ev_object_start;
	sem.object_end = ev_object_end;
	sem.array_start = ev_array_start;
	sem.array_end = ev_array_end;
	sem.object_field_start = ev_field_start;
	sem.object_field_end = ev_field_end;
	sem.scalar = ev_scalar;
	rc = pg_parse_json(st->lex, &sem);
	if (rc != JSON_SUCCESS)
	{
		st->failed = false; /* a syntax error outranks what was seen before it */
		return json_error(st, rc, "event");
	}
	if (st->root_type != JSON_TOKEN_OBJECT_START)
	{
		st->failed = false;
		return fail(st, ERRCODE_INVALID_PARAMETER_VALUE, pstrdup("event must be a JSON object"),
					pstrdup(st->root_type == JSON_TOKEN_ARRAY_START ? "The body is a JSON array; use the batch route for several events." : "The body is a JSON scalar."),
					"Send one JSON object with id, timestamp, category and optionally payload.");
	}
	return !st->failed;
}

/* require_string: the member must be present and a JSON string (22023). */
static bool
require_string(EventState *st, int bit, const char *name, JsonTokenType type, const char *example)
{
	if (!(st->seen & bit))
		return fail(st, ERRCODE_INVALID_PARAMETER_VALUE, psprintf("event member \"%s\" is missing", name),
					psprintf("Every event needs \"%s\".", name), example);
	if (type != JSON_TOKEN_STRING)
		return fail(st, ERRCODE_INVALID_PARAMETER_VALUE, psprintf("event member \"%s\" must be a string", name),
					psprintf("The value of \"%s\" is a JSON %s.", name,
							 type == JSON_TOKEN_NUMBER ? "number" : type == JSON_TOKEN_NULL		  ? "null"
																: type == JSON_TOKEN_OBJECT_START ? "object"
																: type == JSON_TOKEN_ARRAY_START  ? "array"
																								  : "boolean"),
					example);
	return true;
}

/* normalise_uuid: a 8-4-4-4-12 hex id in lower case; other ids unchanged. */
static char *
normalise_uuid(const char *id)
{
	char *out;

	if (strlen(id) != 36)
		return pstrdup(id);
	for (int i = 0; i < 36; i++)
	{
		bool dash = (i == 8 || i == 13 || i == 18 || i == 23);

		if (dash ? id[i] != '-' : !isxdigit((unsigned char) id[i]))
			return pstrdup(id);
	}
	out = pstrdup(id);
	for (int i = 0; i < 36; i++)
		out[i] = pg_ascii_tolower((unsigned char) out[i]);
	return out;
}

/* check_id: non-empty, at most AG_MAX_ID_LEN characters. */
static bool
check_id(EventState *st, const char *id, AgParsedEvent *ev)
{
	int nchars = pg_mbstrlen_with_len(id, strlen(id));

	if (nchars == 0)
		return fail(st, ERRCODE_INVALID_PARAMETER_VALUE, pstrdup("event member \"id\" is empty"),
					pstrdup("An event id identifies the event for deduplication."),
					"Send a UUID, a ULID or another unique string of 1 to 128 characters.");
	if (nchars > AG_MAX_ID_LEN)
		return fail(st, ERRCODE_INVALID_PARAMETER_VALUE, pstrdup("event member \"id\" is too long"),
					psprintf("The id has %d characters; at most %d are allowed.", nchars, AG_MAX_ID_LEN),
					"Send a UUID, a ULID or another unique string of 1 to 128 characters.");
	ev->event_id = normalise_uuid(id);
	return true;
}

/*
 * plain_category: whether cat is a lower-case letter followed by lower-case
 * letters, digits and underscores, tested by character class: a cheaper
 * check first (the regex call costs about 1 µs a batch event under load,
 * docs/bench.md section 15); a string it refuses goes to the regex, which
 * decides the error.
 */
static bool
plain_category(const char *cat)
{
	if (*cat < 'a' || *cat > 'z')
		return false;
	for (cat++; *cat != '\0'; cat++)
		if (!((*cat >= 'a' && *cat <= 'z') || (*cat >= '0' && *cat <= '9') || *cat == '_'))
			return false;
	return true;
}

/* check_category: ^[a-z][a-z0-9_]{0,63}$, checked with PostgreSQL's regex engine. */
static bool
check_category(EventState *st, const char *cat, AgParsedEvent *ev)
{
	if (category_re == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

		category_re = cstring_to_text(CATEGORY_RE);
		MemoryContextSwitchTo(oldcxt);
	}
	if (strlen(cat) > CATEGORY_MAX_BYTES ||
		(!plain_category(cat) &&
		 !RE_compile_and_execute(category_re, (char *) cat, strlen(cat), REG_ADVANCED, C_COLLATION_OID, 0, NULL)))
		return fail(st, ERRCODE_INVALID_PARAMETER_VALUE, pstrdup("invalid event member \"category\""),
					psprintf("The value \"%s\" does not match the pattern ^[a-z][a-z0-9_]{0,63}$.", ag_json_shorten(cat)),
					"Use 1 to 64 lower-case letters, digits and underscores, starting with a letter, for example \"motion\" or \"door\".");
	ev->category = pstrdup(cat);
	return true;
}

/* check_timestamp: strict instant, not too far in the future (22007/22023). */
static bool
check_timestamp(EventState *st, const char *ts, int max_future_minutes, AgParsedEvent *ev)
{
	TimestampTz now = GetCurrentTimestamp();

	if (!ag_parse_instant(ts, strlen(ts), "timestamp", &ev->ts, st->err))
	{
		st->failed = true;
		return false;
	}
	if (ev->ts > now + (int64) max_future_minutes * USECS_PER_MINUTE)
		return fail(st, ERRCODE_INVALID_PARAMETER_VALUE, pstrdup("event member \"timestamp\" is in the future"),
					psprintf("The instant is more than %d minutes after the server's clock.", max_future_minutes),
					"Check the sensor's clock and time zone; the limit is ingest.max_future_minutes in config/rules.yaml.");
	return true;
}

/* check_payload: an object of at most 16 KiB raw text; made into jsonb. */
static bool
check_payload(EventState *st, AgParsedEvent *ev)
{
	char *raw;

	if (!(st->seen & M_PAYLOAD))
	{
		ev->payload = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));
		return true;
	}
	if (st->payload_len > AG_MAX_PAYLOAD_BYTES)
		return fail(st, ERRCODE_INVALID_PARAMETER_VALUE, pstrdup("event member \"payload\" is too large"),
					psprintf("The payload text has %d bytes; at most %d are allowed.", st->payload_len, AG_MAX_PAYLOAD_BYTES),
					"Send only the sensor fields the rules need, such as state and room.");
	raw = pnstrdup(st->payload_start, st->payload_len);
	/* Safe: the same parser has accepted this text, numbers are bounded. */
	ev->payload = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(raw)));
	return true;
}

/*
 * ag_event_parse: see eventjson.h.  Order of checks: JSON syntax and
 * structure (members, duplicates, depth), then id, timestamp, category,
 * payload; the first problem is reported.
 */
bool
ag_event_parse(const char *json, int len, int max_future_minutes, int known_depth,
			   AgParsedEvent *ev, char **raw_id, AgError *err)
{
	EventState	st = {0};
	const char *example = "Send for example {\"id\": \"…\", \"timestamp\": \"2025-12-23T12:00:00Z\", \"category\": \"motion\", \"payload\": {\"state\": \"on\"}}.";

	st.err = err;
	*raw_id = NULL;
	if (!parse_structure(json, len, known_depth, &st))
	{
		*raw_id = st.strval[0];
		return false;
	}
	*raw_id = st.strval[0];
	if (!require_string(&st, M_ID, "id", st.member_types[0], example) ||
		!check_id(&st, st.strval[0], ev))
		return false;
	*raw_id = ev->event_id;
	if (!require_string(&st, M_TIMESTAMP, "timestamp", st.member_types[1], example) ||
		!check_timestamp(&st, st.strval[1], max_future_minutes, ev))
		return false;
	if (!require_string(&st, M_CATEGORY, "category", st.member_types[2], example) ||
		!check_category(&st, st.strval[2], ev))
		return false;
	if ((st.seen & M_PAYLOAD) && st.member_types[3] != JSON_TOKEN_OBJECT_START)
		return fail(&st, ERRCODE_INVALID_PARAMETER_VALUE, pstrdup("event member \"payload\" must be a JSON object"),
					pstrdup("The payload holds the sensor's fields as an object, such as {\"state\": \"on\", \"room\": \"stue\"}."),
					"Send an object, or leave \"payload\" out for {}.");
	return check_payload(&st, ev);
}

/* ag_event_parse_scratch: see eventjson.h. */
bool
ag_event_parse_scratch(MemoryContext scratch, const char *json, int len, int max_future_minutes,
					   int known_depth, AgParsedEvent *ev, char **raw_id, AgError *err)
{
	MemoryContext caller = MemoryContextSwitchTo(scratch);
	AgParsedEvent got = {0};
	AgError		  e = {0};
	char		 *id;
	bool		  ok = ag_event_parse(json, len, max_future_minutes, known_depth, &got, &id, &e);

	MemoryContextSwitchTo(caller);
	*raw_id = id != NULL ? pstrdup(id) : NULL;
	if (ok)
	{
		*ev = got;
		ev->event_id = *raw_id; /* on success raw_id is the (normalised) event id */
		ev->category = pstrdup(got.category);
		ev->payload = palloc(VARSIZE(got.payload));
		memcpy(ev->payload, got.payload, VARSIZE(got.payload));
	}
	else
		ag_error_set(err, e.sqlstate, e.message, e.detail, e.hint);
	MemoryContextReset(scratch);
	return ok;
}
