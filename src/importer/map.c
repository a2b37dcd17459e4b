/*
 * map.c — the entity map of `make import-ha` (map.h), read with libyaml's
 * document API so every node carries its line; and the small growable
 * buffer + JSON string writer the importer builds its batches with.
 */
#include "map.h"

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- buffers and JSON strings ---- */

/* buf_append: append len bytes of s; aborts on out of memory. */
void
buf_append(Buf *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->cap)
	{
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + len + 1)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (b->data == NULL)
		{
			fprintf(stderr, "agingos-import-ha: out of memory\n");
			exit(1);
		}
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

/* buf_puts: append a NUL-terminated string. */
void
buf_puts(Buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

/*
 * json_append_string: s as a JSON string (RFC 8259 section 7): quote,
 * backslash and control characters escaped; other bytes as they are (the
 * server checks UTF-8 and rejects the event if it is not).
 */
void
json_append_string(Buf *b, const char *s, size_t len)
{
	size_t start = 0;

	buf_append(b, "\"", 1);
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		char		  esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, s + start, i - start);
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof esc, "\\%c", c);
		else
			snprintf(esc, sizeof esc, "\\u%04x", c);
		buf_puts(b, esc);
		start = i + 1;
	}
	buf_append(b, s + start, len - start);
	buf_append(b, "\"", 1);
}

/* ---- the map ---- */

typedef struct MapCtx
{
	const char	   *path;
	yaml_document_t doc;
	char		   *err;
	size_t			errlen;
} MapCtx;

/* fail: format "<path>:<line>: <problem>" into the error buffer; returns false. */
static bool
fail(MapCtx *m, const yaml_node_t *node, const char *fmt, ...)
{
	char	problem[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(problem, sizeof problem, fmt, ap);
	va_end(ap);
	if (node)
		snprintf(m->err, m->errlen, "%s:%lu: %s", m->path, (unsigned long) node->start_mark.line + 1, problem);
	else
		snprintf(m->err, m->errlen, "%s: %s", m->path, problem);
	return false;
}

/* scalar: the text of a scalar node, or NULL for another kind. */
static const char *
scalar(const yaml_node_t *n)
{
	return (n && n->type == YAML_SCALAR_NODE) ? (const char *) n->data.scalar.value : NULL;
}

/* kind: the YAML kind of a node for messages. */
static const char *
kind(const yaml_node_t *n)
{
	if (n == NULL)
		return "nothing";
	return n->type == YAML_MAPPING_NODE ? "a mapping" : n->type == YAML_SEQUENCE_NODE ? "a list"
																					  : "a scalar";
}

/* name_value: a scalar of 1..max characters into *out (strdup). */
static bool
name_value(MapCtx *m, const yaml_node_t *v, const char *where, size_t max, char **out)
{
	const char *s = scalar(v);

	if (s == NULL)
		return fail(m, v, "%s: must be a string, not %s", where, kind(v));
	if (strlen(s) < 1 || strlen(s) > max)
		return fail(m, v, "%s: must be 1 to %zu characters (got %zu)", where, max, strlen(s));
	*out = strdup(s);
	return true;
}

/* entity: one entities.<id> entry. */
static bool
entity(MapCtx *m, const char *id, yaml_node_t *v, regex_t *cat_re, MapEntity *e)
{
	char where[400];

	memset(e, 0, sizeof *e);
	e->entity_id = strdup(id);
	if (v == NULL || v->type != YAML_MAPPING_NODE)
		return fail(m, v, "entities.%s: must be a mapping {category, room, door}, not %s", id, kind(v));
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++)
	{
		yaml_node_t *k = yaml_document_get_node(&m->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(&m->doc, p->value);
		const char	*key = scalar(k);
		char	   **slot;

		if (key == NULL)
			return fail(m, k, "entities.%s: keys must be strings", id);
		snprintf(where, sizeof where, "entities.%s.%s", id, key);
		slot = strcmp(key, "category") == 0 ? &e->category : strcmp(key, "room") == 0 ? &e->room
														 : strcmp(key, "door") == 0	  ? &e->door
																					  : NULL;
		if (slot == NULL)
			return fail(m, k, "%s: unknown key (allowed: category, room, door)", where);
		if (*slot != NULL)
			return fail(m, k, "%s: duplicate key", where);
		if (!name_value(m, val, where, strcmp(key, "category") == 0 ? 64 : 128, slot))
			return false;
		if (slot == &e->category && regexec(cat_re, e->category, 0, NULL, 0) != 0)
			return fail(m, val, "%s: \"%s\" does not match the event category pattern ^[a-z][a-z0-9_]{0,63}$", where, e->category);
	}
	if (e->category == NULL)
		return fail(m, v, "entities.%s.category: required", id);
	if (e->room == NULL)
		return fail(m, v, "entities.%s.room: required", id);
	return true;
}

/* cmp_entity: qsort/bsearch order of entries. */
static int
cmp_entity(const void *a, const void *b)
{
	return strcmp(((const MapEntity *) a)->entity_id, ((const MapEntity *) b)->entity_id);
}

/* vocabulary: the vocabulary block as a JSON object (strings and lists of strings). */
static bool
vocabulary(MapCtx *m, yaml_node_t *v, Map *map)
{
	static const char *known[] = {"bathroom", "living_room", "bedroom", "front_door_room",
								  "front_door_name", "front_door_entity_ids",
								  "liveness_categories", "timezone", NULL};
	Buf				   b = {0};

	if (v == NULL || v->type != YAML_MAPPING_NODE)
		return fail(m, v, "vocabulary: must be a mapping, not %s", kind(v));
	buf_puts(&b, "{");
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++)
	{
		yaml_node_t *k = yaml_document_get_node(&m->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(&m->doc, p->value);
		const char	*key = scalar(k);
		bool		 ok = false;

		for (int i = 0; key && known[i]; i++)
			ok |= strcmp(key, known[i]) == 0;
		if (!ok)
			return fail(m, k, "vocabulary.%s: unknown key (allowed: bathroom, living_room, bedroom, front_door_room, front_door_name, front_door_entity_ids, liveness_categories, timezone)", key ? key : "?");
		if (p != v->data.mapping.pairs.start)
			buf_puts(&b, ",");
		json_append_string(&b, key, strlen(key));
		buf_puts(&b, ":");
		if (strcmp(key, "front_door_entity_ids") == 0 || strcmp(key, "liveness_categories") == 0)
		{
			if (val == NULL || val->type != YAML_SEQUENCE_NODE)
				return fail(m, val, "vocabulary.%s: must be a list, not %s", key, kind(val));
			buf_puts(&b, "[");
			for (yaml_node_item_t *it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++)
			{
				yaml_node_t *e = yaml_document_get_node(&m->doc, *it);

				if (scalar(e) == NULL)
					return fail(m, e, "vocabulary.%s: items must be strings, not %s", key, kind(e));
				if (it != val->data.sequence.items.start)
					buf_puts(&b, ",");
				json_append_string(&b, scalar(e), strlen(scalar(e)));
			}
			buf_puts(&b, "]");
		}
		else
		{
			if (scalar(val) == NULL)
				return fail(m, val, "vocabulary.%s: must be a string, not %s", key, kind(val));
			json_append_string(&b, scalar(val), strlen(scalar(val)));
		}
	}
	buf_puts(&b, "}");
	map->vocabulary_json = b.data;
	return true;
}

/* load_root: the top-level mapping {entities, vocabulary}. */
static bool
load_root(MapCtx *m, Map *map)
{
	yaml_node_t *root = yaml_document_get_root_node(&m->doc);
	yaml_node_t *ents = NULL;
	regex_t		 cat_re;
	bool		 ok = true;

	if (root == NULL)
		return fail(m, NULL, "the map is empty; it needs an entities: mapping");
	if (root->type != YAML_MAPPING_NODE)
		return fail(m, root, "the map must be a mapping with entities: (and optionally vocabulary:), not %s", kind(root));
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++)
	{
		yaml_node_t *k = yaml_document_get_node(&m->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&m->doc, p->value);
		const char	*key = scalar(k);

		if (key && strcmp(key, "entities") == 0)
		{
			if (ents)
				return fail(m, k, "entities: duplicate key");
			ents = v;
		}
		else if (key && strcmp(key, "vocabulary") == 0)
		{
			if (map->vocabulary_json)
				return fail(m, k, "vocabulary: duplicate key");
			if (!vocabulary(m, v, map))
				return false;
		}
		else
			return fail(m, k, "%s: unknown key (allowed: entities, vocabulary)", key ? key : "?");
	}
	if (ents == NULL)
		return fail(m, root, "entities: required (a mapping from entity_id to {category, room, door})");
	if (ents->type != YAML_MAPPING_NODE || ents->data.mapping.pairs.top == ents->data.mapping.pairs.start)
		return fail(m, ents, "entities: must be a non-empty mapping, not %s", ents->type == YAML_MAPPING_NODE ? "an empty one" : kind(ents));
	if (regcomp(&cat_re, "^[a-z][a-z0-9_]{0,63}$", REG_EXTENDED | REG_NOSUB) != 0)
		return fail(m, NULL, "internal error: category pattern");
	map->n = 0;
	map->entities = calloc(ents->data.mapping.pairs.top - ents->data.mapping.pairs.start, sizeof(MapEntity));
	for (yaml_node_pair_t *p = ents->data.mapping.pairs.start; ok && p < ents->data.mapping.pairs.top; p++)
	{
		yaml_node_t *k = yaml_document_get_node(&m->doc, p->key);
		const char	*id = scalar(k);

		if (id == NULL || strlen(id) < 1 || strlen(id) > 255)
			ok = fail(m, k, "entities: each key must be an entity id of 1 to 255 characters");
		for (size_t i = 0; ok && i < map->n; i++)
			if (strcmp(map->entities[i].entity_id, id) == 0)
				ok = fail(m, k, "entities.%s: duplicate entity", id);
		if (ok)
			ok = entity(m, id, yaml_document_get_node(&m->doc, p->value), &cat_re, &map->entities[map->n++]);
	}
	regfree(&cat_re);
	if (ok)
		qsort(map->entities, map->n, sizeof(MapEntity), cmp_entity);
	return ok;
}

/* map_load: see map.h. */
bool
map_load(const char *path, Map *map, char *err, size_t errlen)
{
	MapCtx		  m = {.path = path, .err = err, .errlen = errlen};
	yaml_parser_t parser;
	FILE		 *f = fopen(path, "rb");
	bool		  ok;

	memset(map, 0, sizeof *map);
	if (f == NULL)
	{
		snprintf(err, errlen, "%s: cannot open the map: %s", path, strerror(errno));
		return false;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &m.doc))
	{
		snprintf(err, errlen, "%s:%lu: not valid YAML: %s", path,
				 (unsigned long) parser.problem_mark.line + 1, parser.problem ? parser.problem : "parse error");
		yaml_parser_delete(&parser);
		fclose(f);
		return false;
	}
	ok = load_root(&m, map);
	yaml_document_delete(&m.doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return ok;
}

/* map_find: see map.h. */
const MapEntity *
map_find(const Map *map, const char *entity_id)
{
	MapEntity key = {.entity_id = (char *) entity_id};

	return bsearch(&key, map->entities, map->n, sizeof(MapEntity), cmp_entity);
}
