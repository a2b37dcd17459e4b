/*
 * map.h — the entity map of `make import-ha` (docs/spec/contract.md §13,
 * docs/home-assistant.md "The map"): which Home Assistant entity becomes
 * which event category and room, plus an optional per-home vocabulary.
 *
 *   entities:                       # required, a mapping, may not be empty
 *     <entity_id>:
 *       category: <category>        # required, ^[a-z][a-z0-9_]{0,63}$
 *       room: <room>                # required, 1..128 characters
 *       door: <name>                # optional, 1..128 characters
 *   vocabulary:                     # optional: agingos_set_home_vocabulary
 *     bathroom: <room> ...          # keys of docs/home-assistant.md
 *
 * Read with libyaml; strict: an unknown key, a wrong type, a duplicate
 * entity or a bad category is an error naming the key and its line.
 */
#ifndef AGINGOS_IMPORT_MAP_H
#define AGINGOS_IMPORT_MAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct MapEntity
{
	char *entity_id;
	char *category;
	char *room;
	char *door; /* NULL when not given */
} MapEntity;

typedef struct Map
{
	MapEntity *entities; /* sorted by entity_id (strcmp) */
	size_t	   n;
	char	  *vocabulary_json; /* the vocabulary block as a JSON object, or NULL */
} Map;

/*
 * map_load: read and check the map file at path into *map.  On error
 * returns false with a message "<path>:<line>: <problem>" in err.
 */
extern bool map_load(const char *path, Map *map, char *err, size_t errlen);

/* map_find: the entity entry of entity_id, or NULL (binary search). */
extern const MapEntity *map_find(const Map *map, const char *entity_id);

/* json_append_string: append s (len bytes) to a growable buffer as a JSON string. */
typedef struct Buf
{
	char  *data;
	size_t len;
	size_t cap;
} Buf;

extern void buf_append(Buf *b, const char *s, size_t len);
extern void buf_puts(Buf *b, const char *s);
extern void json_append_string(Buf *b, const char *s, size_t len);

#endif
