/*-------------------------------------------------------------------------
 * eventjson_scan.c
 *	  Token scans over event JSON text with PostgreSQL's lexer alone
 *	  (common/jsonapi.h), no parse: the depth check that runs before the
 *	  parser (so hostile nesting never reaches it) and the member path of a
 *	  byte offset, which names the member of a string that cannot be
 *	  decoded (contract.md section 5).  Used by eventjson.c and ingest.c.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"

#include "agingos.h"
#include "eventjson.h"

#define MAX_ECHO 64 /* bytes of a member name quoted in a message */

/* ag_json_shorten: see eventjson.h; a name for a message, cut to MAX_ECHO bytes on a character boundary. */
char *
ag_json_shorten(const char *s)
{
	int len = strlen(s);

	if (len <= MAX_ECHO)
		return pstrdup(s);
	return psprintf("%s…", pnstrdup(s, pg_mbcliplen(s, len, MAX_ECHO)));
}

/* One open object or array while ag_json_path_at walks the tokens. */
typedef struct PathFrame
{
	bool		is_object;
	bool		expect_name; /* object: the next string is a member name */
	const char *name;		 /* object: raw text of the current member name */
	int			name_len;
	int			index; /* array: index of the current element */
} PathFrame;

/* path_append: frame's current position ("payload", ".room", "[2]") onto buf. */
static void
path_append(StringInfo buf, const PathFrame *f)
{
	if (!f->is_object)
		appendStringInfo(buf, "[%d]", f->index);
	else if (f->name != NULL)
		appendStringInfo(buf, "%s%s", buf->len > 0 ? "." : "", ag_json_shorten(pnstrdup(f->name, Max(f->name_len, 0))));
}

/*
 * ag_json_path_at: see eventjson.h.  Walks the tokens with PostgreSQL's
 * lexer without de-escaping (so a string that cannot be decoded still
 * lexes) and keeps, per open object or array, the current member name or
 * element index.
 */
char *
ag_json_path_at(const char *json, int len, int offset, bool *is_name)
{
	JsonLexContext *lex = makeJsonLexContextCstringLen((char *) json, len, PG_UTF8, false);
	PathFrame		stack[AG_MAX_PAYLOAD_DEPTH + 2];
	int				depth = 0;
	StringInfoData	buf;
	int				upto;

	for (;;)
	{
		PathFrame		  *top = depth > 0 ? &stack[depth - 1] : NULL;
		JsonParseErrorType rc = json_lex(lex);
		bool			   at_target = lex->token_start - json == offset;

		if (rc != JSON_SUCCESS && !at_target)
			return NULL; /* a malformed \u escape fails even here: that string is the target */
		if (at_target)
		{
			*is_name = top != NULL && top->is_object && top->expect_name;
			upto = *is_name ? depth - 1 : depth;
			initStringInfo(&buf);
			for (int i = 0; i < upto; i++)
				path_append(&buf, &stack[i]);
			return buf.len > 0 ? buf.data : NULL;
		}
		switch (lex->token_type)
		{
			case JSON_TOKEN_OBJECT_START:
			case JSON_TOKEN_ARRAY_START:
				if (depth >= lengthof(stack))
					return NULL;
				stack[depth] = (PathFrame){.is_object = lex->token_type == JSON_TOKEN_OBJECT_START, .expect_name = true};
				depth++;
				break;
			case JSON_TOKEN_OBJECT_END:
			case JSON_TOKEN_ARRAY_END:
				depth--;
				break;
			case JSON_TOKEN_COMMA:
				if (top != NULL && top->is_object)
					top->expect_name = true;
				else if (top != NULL)
					top->index++;
				break;
			case JSON_TOKEN_STRING:
				if (top != NULL && top->is_object && top->expect_name)
				{
					top->name = lex->token_start + 1;
					top->name_len = (int) (lex->token_terminator - lex->token_start) - 2;
					top->expect_name = false;
				}
				break;
			case JSON_TOKEN_END:
				return NULL;
			default:
				break;
		}
	}
}

/*
 * ag_json_depth_ok: lex text with PostgreSQL's lexer and check that no
 * object or array nests deeper than max_depth, before the recursive parser
 * runs (which would otherwise hit the stack limit on hostile input).
 * *where (if not NULL) receives the name of the root member (of a root
 * object) in which the limit was passed, or NULL when it was not inside a
 * member.  A lexical error stops the scan and returns true: the parser
 * reports it.
 */
bool
ag_json_depth_ok(const char *json, int len, int max_depth, char **where)
{
	JsonLexContext *lex = makeJsonLexContextCstringLen((char *) json, len, PG_UTF8, false);
	int				depth = 0;
	const char	   *name = NULL; /* last string token at depth 1 */
	int				name_len = 0;
	char		   *member = NULL; /* root member being read */

	for (;;)
	{
		if (json_lex(lex) != JSON_SUCCESS)
			return true;
		switch (lex->token_type)
		{
			case JSON_TOKEN_OBJECT_START:
			case JSON_TOKEN_ARRAY_START:
				if (++depth > max_depth)
				{
					if (where)
						*where = member;
					return false;
				}
				break;
			case JSON_TOKEN_OBJECT_END:
			case JSON_TOKEN_ARRAY_END:
				depth--;
				break;
			case JSON_TOKEN_STRING:
				name = lex->token_start + 1;
				name_len = (int) (lex->token_terminator - lex->token_start) - 2;
				break;
			case JSON_TOKEN_COLON:
				if (depth == 1 && name != NULL)
					member = pnstrdup(name, Max(name_len, 0));
				break;
			case JSON_TOKEN_END:
				return true;
			default:
				break;
		}
	}
}
