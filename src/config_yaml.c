/*-------------------------------------------------------------------------
 * config_yaml.c
 *	  Turn the YAML text of a config into a tree of AgYamlNode with
 *	  libyaml's event parser (yaml_parser_parse), rejecting what rules.md
 *	  6.1 forbids before any schema check: more than one document,
 *	  duplicate keys, aliases, anchors, merge keys (<<), explicit tags and
 *	  non-scalar keys.  Scalars stay text; typing is config_types.c's job.
 *	  Every problem is raised as F0000 with the key path and YAML line.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <yaml.h>

#include "mb/pg_wchar.h"
#include "miscadmin.h"

#include "config_int.h"

/* One open container while the events stream in. */
typedef struct YamlFrame
{
	AgYamlNode *node;
	char	   *path;		 /* full path of the container; "" = root */
	char	   *pending_key; /* MAPPING: key read, its value not yet */
	int			pending_line;
} YamlFrame;

/* Builder state: the stack of open containers and the finished root. */
typedef struct YamlBuilder
{
	YamlFrame  *stack;
	int			depth;
	int			cap;
	AgYamlNode *root;
	int			ndocs;
} YamlBuilder;

/*
 * ag_config_yaml_get: the value of `key` in mapping `map`, or NULL when
 * map is NULL, is not a mapping or has no such key.  Keys are unique
 * (duplicates are rejected while parsing), so the first match is the match.
 */
const AgYamlNode *
ag_config_yaml_get(const AgYamlNode *map, const char *key)
{
	if (map == NULL || map->kind != AG_YAML_MAPPING)
		return NULL;
	for (int i = 0; i < map->n; i++)
	{
		if (strcmp(map->keys[i], key) == 0)
			return map->items[i];
	}
	return NULL;
}

/*
 * ag_config_yaml_kind: "a mapping", "a list", "an empty value" or "a
 * string", for messages that say what was found instead.
 */
const char *
ag_config_yaml_kind(const AgYamlNode *node)
{
	switch (node->kind)
	{
		case AG_YAML_MAPPING:
			return "a mapping";
		case AG_YAML_SEQUENCE:
			return "a list";
		case AG_YAML_SCALAR:
			break;
	}
	return node->text[0] == '\0' ? "an empty value" : "a string";
}

/*
 * child_path: path of the node the next event creates, inside the top
 * frame: "<map path>.<pending key>" or "<list path>[n]"; for a mapping
 * that awaits a key, the mapping's own path.  "" at the root.
 */
static char *
child_path(const YamlBuilder *b)
{
	const YamlFrame *top;

	if (b->depth == 0)
		return "";
	top = &b->stack[b->depth - 1];
	if (top->node->kind == AG_YAML_SEQUENCE)
		return ag_config_path_index(top->path, top->node->n);
	if (top->pending_key != NULL)
		return ag_config_path_key(top->path, top->pending_key);
	return top->path;
}

/* key_expected: true if the next node is a key of the top mapping. */
static bool
key_expected(const YamlBuilder *b)
{
	return b->depth > 0 &&
		   b->stack[b->depth - 1].node->kind == AG_YAML_MAPPING &&
		   b->stack[b->depth - 1].pending_key == NULL;
}

/*
 * reject_decorations: raise F0000 if a node carries an anchor (&name) or
 * an explicit tag (!!str, !foo, !), both forbidden by rules.md 6.1.
 * `line` is the node's 1-based line.
 */
static void
reject_decorations(const YamlBuilder *b, const yaml_char_t *anchor,
				   const yaml_char_t *tag, int line)
{
	if (anchor != NULL)
		ag_config_error(child_path(b), "anchors are not allowed",
						psprintf("The anchor \"&%s\" is at line %d.",
								 ag_config_shown((const char *) anchor), line),
						"Write the value out in full; anchors (&), aliases (*) and merge keys (<<) are not supported.");
	if (tag != NULL)
		ag_config_error(child_path(b), "explicit tags are not allowed",
						psprintf("The tag \"%s\" is at line %d.",
								 ag_config_shown((const char *) tag), line),
						"Remove the tag; every value is typed by the configuration schema, not by YAML.");
}

/* new_node: a fresh node of `kind` starting at 1-based `line`. */
static AgYamlNode *
new_node(AgYamlKind kind, int line)
{
	AgYamlNode *node = palloc0(sizeof(AgYamlNode));

	node->kind = kind;
	node->line = line;
	return node;
}

/*
 * add_key: record `key` (line `line`) as the pending key of the top
 * mapping.  A plain "<<" is a merge key; a key seen before is a duplicate;
 * both raise F0000 at the key's path.
 */
static void
add_key(YamlBuilder *b, const AgYamlNode *key)
{
	YamlFrame  *top = &b->stack[b->depth - 1];
	AgYamlNode *map = top->node;
	char	   *path = ag_config_path_key(top->path, key->text);

	if (key->plain && strcmp(key->text, "<<") == 0)
		ag_config_error(path, "merge keys are not allowed",
						psprintf("The merge key \"<<\" is at line %d.", key->line),
						"Write the keys out in full; anchors (&), aliases (*) and merge keys (<<) are not supported.");
	for (int i = 0; i < map->n; i++)
	{
		if (strcmp(map->keys[i], key->text) == 0)
			ag_config_error(path, "duplicate key",
							psprintf("The key \"%s\" at line %d was already given at line %d.",
									 ag_config_shown(key->text), key->line, map->key_lines[i]),
							"Keep only one entry for this key.");
	}
	top->pending_key = key->text;
	top->pending_line = key->line;
}

/* grow_array: (re)allocate an array of `cap` elements of `elem` bytes. */
static void *
grow_array(void *ptr, int cap, size_t elem)
{
	if (ptr == NULL)
		return palloc(cap * elem);
	return repalloc(ptr, cap * elem);
}

/*
 * attach: hang a finished node under the top container (as the pending
 * key's value or as the next list element), or make it the root.
 */
static void
attach(YamlBuilder *b, AgYamlNode *node)
{
	YamlFrame  *top;
	AgYamlNode *parent;

	if (b->depth == 0)
	{
		b->root = node;
		return;
	}
	top = &b->stack[b->depth - 1];
	parent = top->node;
	if (parent->n == parent->cap)
	{
		parent->cap = parent->cap == 0 ? 8 : parent->cap * 2;
		parent->items = grow_array(parent->items, parent->cap, sizeof(AgYamlNode *));
		if (parent->kind == AG_YAML_MAPPING)
		{
			parent->keys = grow_array(parent->keys, parent->cap, sizeof(char *));
			parent->key_lines = grow_array(parent->key_lines, parent->cap, sizeof(int));
		}
	}
	if (parent->kind == AG_YAML_MAPPING)
	{
		parent->keys[parent->n] = top->pending_key;
		parent->key_lines[parent->n] = top->pending_line;
		top->pending_key = NULL;
	}
	parent->items[parent->n++] = node;
}

/*
 * scalar_text: copy a libyaml scalar (UTF-8, `len` bytes) into a
 * NUL-terminated string in the server encoding.  A NUL character (YAML
 * "\0" escape) cannot be stored in text or jsonb and raises F0000.
 */
static char *
scalar_text(const YamlBuilder *b, const yaml_event_t *ev, int line)
{
	const char *value = (const char *) ev->data.scalar.value;
	size_t		len = ev->data.scalar.length;
	char	   *copy;

	if (memchr(value, '\0', len) != NULL)
		ag_config_error(child_path(b), "NUL characters are not allowed",
						psprintf("The value at line %d contains the character U+0000.", line),
						"Remove the \"\\0\" escape from the value.");
	copy = pnstrdup(value, len);
	return pg_any_to_server(copy, (int) len, PG_UTF8);
}

/*
 * open_container: start a mapping or list node and push it; a container
 * in key position (complex key) raises F0000.
 */
static void
open_container(YamlBuilder *b, AgYamlKind kind, int line)
{
	YamlFrame *frame;

	if (key_expected(b))
		ag_config_error(child_path(b), "keys must be plain strings",
						psprintf("A %s is used as a key at line %d.",
								 kind == AG_YAML_MAPPING ? "mapping" : "list", line),
						"Use a plain string as the key.");
	if (b->depth == b->cap)
	{
		b->cap *= 2;
		b->stack = repalloc(b->stack, b->cap * sizeof(YamlFrame));
	}
	frame = &b->stack[b->depth];
	frame->path = child_path(b);
	frame->node = new_node(kind, line);
	frame->pending_key = NULL;
	b->depth++;
}

/* close_container: pop the top container and attach it to its parent. */
static void
close_container(YamlBuilder *b)
{
	AgYamlNode *node = b->stack[b->depth - 1].node;

	b->depth--;
	attach(b, node);
}

/*
 * handle_event: apply one libyaml event to the builder.  Raises F0000 for
 * a second document, aliases, anchors, tags, merge keys, duplicate keys,
 * complex keys and NUL characters.
 */
static void
handle_event(YamlBuilder *b, const yaml_event_t *ev)
{
	int line = (int) ev->start_mark.line + 1;

	switch (ev->type)
	{
		case YAML_DOCUMENT_START_EVENT:
			if (b->ndocs++ > 0)
				ag_config_error("(root)", "only one YAML document is allowed",
								psprintf("A second document starts at line %d.", line),
								"Remove the second \"---\" and what follows it, or merge the documents into one.");
			break;
		case YAML_ALIAS_EVENT:
			ag_config_error(child_path(b), "aliases are not allowed",
							psprintf("The alias \"*%s\" is at line %d.",
									 ag_config_shown((const char *) ev->data.alias.anchor), line),
							"Write the value out in full; anchors (&), aliases (*) and merge keys (<<) are not supported.");
			break;
		case YAML_SCALAR_EVENT:
		{
			AgYamlNode *node;

			reject_decorations(b, ev->data.scalar.anchor, ev->data.scalar.tag, line);
			node = new_node(AG_YAML_SCALAR, line);
			node->text = scalar_text(b, ev, line);
			node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			if (key_expected(b))
				add_key(b, node);
			else
				attach(b, node);
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
			reject_decorations(b, ev->data.sequence_start.anchor,
							   ev->data.sequence_start.tag, line);
			open_container(b, AG_YAML_SEQUENCE, line);
			break;
		case YAML_MAPPING_START_EVENT:
			reject_decorations(b, ev->data.mapping_start.anchor,
							   ev->data.mapping_start.tag, line);
			open_container(b, AG_YAML_MAPPING, line);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			close_container(b);
			break;
		default:
			/* stream start/end, document end, no-op events */
			break;
	}
}

/*
 * report_syntax_error: raise F0000 for a libyaml reader, scanner or parser
 * error, at the path of the innermost open container, with libyaml's own
 * problem text and the 1-based line and column.
 */
static void
report_syntax_error(const YamlBuilder *b, const yaml_parser_t *parser)
{
	const char *path = child_path(b);
	const char *problem = parser->problem ? parser->problem : "unknown error";
	int			line = (int) parser->problem_mark.line + 1;
	char	   *detail;

	if (parser->error == YAML_MEMORY_ERROR)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while parsing the configuration")));
	if (path[0] == '\0')
		path = "(root)";
	if (parser->error == YAML_READER_ERROR)
	{
		detail = psprintf("The text is not valid UTF-8 at byte offset %zu.",
						  parser->problem_offset);
		line = 0;
	}
	else if (parser->context != NULL)
		detail = psprintf("The parser stopped at line %d, column %d, %s at line %d.",
						  line, (int) parser->problem_mark.column + 1,
						  parser->context, (int) parser->context_mark.line + 1);
	else
		detail = psprintf("The parser stopped at line %d, column %d.",
						  line, (int) parser->problem_mark.column + 1);
	ag_config_error(path, psprintf("YAML syntax error: %s", problem), detail,
					line > 0
						? psprintf("Fix the YAML near line %d (indentation, colons, quotes, brackets); the previous configuration stays active.", line)
						: "Save the configuration as UTF-8 text; the previous configuration stays active.");
}

/*
 * finish_root: the document's root, or NULL for an empty document (no
 * document at all, or a document holding only an empty plain scalar),
 * which means all defaults.  A root that is not a mapping raises F0000.
 */
static AgYamlNode *
finish_root(AgYamlNode *root)
{
	if (root == NULL)
		return NULL;
	if (root->kind == AG_YAML_SCALAR && root->plain && root->text[0] == '\0')
		return NULL;
	if (root->kind != AG_YAML_MAPPING)
		ag_config_error("(root)", "expected a mapping",
						root->kind == AG_YAML_SCALAR
							? psprintf("The document is the value \"%s\" (line %d).",
									   ag_config_shown(root->text), root->line)
							: psprintf("The document is a list (line %d).", root->line),
						"Write the configuration as top-level keys such as \"timezone:\" and \"rules:\".");
	return root;
}

/*
 * ag_config_yaml_parse: parse `text` (NUL-terminated, server encoding) into
 * a node tree allocated in CurrentMemoryContext.  Returns NULL for an
 * empty document.  Raises F0000 (rules.md 6.1) on YAML syntax errors and
 * on every construct the config format forbids; the libyaml parser is
 * released on every path.
 */
AgYamlNode *
ag_config_yaml_parse(const char *text)
{
	yaml_parser_t parser;
	yaml_event_t  event;
	volatile bool have_event = false;
	YamlBuilder	  b;
	const char	 *utf8 = pg_server_to_any(text, (int) strlen(text), PG_UTF8);

	memset(&b, 0, sizeof(b));
	b.cap = 16;
	b.stack = palloc(b.cap * sizeof(YamlFrame));
	if (!yaml_parser_initialize(&parser))
		elog(ERROR, "could not initialize the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *) utf8, strlen(utf8));

	PG_TRY();
	{
		bool done = false;

		while (!done)
		{
			CHECK_FOR_INTERRUPTS();
			if (!yaml_parser_parse(&parser, &event))
				report_syntax_error(&b, &parser);
			have_event = true;
			handle_event(&b, &event);
			done = event.type == YAML_STREAM_END_EVENT;
			yaml_event_delete(&event);
			have_event = false;
		}
	}
	PG_FINALLY();
	{
		if (have_event)
			yaml_event_delete(&event);
		yaml_parser_delete(&parser);
	}
	PG_END_TRY();

	return finish_root(b.root);
}
