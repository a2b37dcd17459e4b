/*-------------------------------------------------------------------------
 * params.c
 *	  Build the params JSON object from the query string and path
 *	  parameter.  The front only escapes; it never interprets a value.
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "params.h"

/* One argument; pointers into libmicrohttpd's request memory. */
typedef struct Pair
{
	const char *key;
	size_t		key_len;
	const char *value;
	size_t		value_len;
} Pair;

typedef struct PairList
{
	Pair  *items;
	size_t count;
	size_t cap;
	bool   has_nul;
	bool   failed;
} PairList;

/* pair_set: add key=value, or replace the value of an earlier same key. */
static void
pair_set(PairList *list, const char *key, size_t key_len, const char *value, size_t value_len)
{
	for (size_t i = 0; i < list->count; i++)
	{
		if (list->items[i].key_len == key_len && memcmp(list->items[i].key, key, key_len) == 0)
		{
			list->items[i].value = value;
			list->items[i].value_len = value_len;
			return;
		}
	}
	if (list->count == list->cap)
	{
		size_t cap = list->cap == 0 ? 8 : list->cap * 2;
		Pair  *items = realloc(list->items, cap * sizeof(Pair));

		if (items == NULL)
		{
			list->failed = true;
			return;
		}
		list->items = items;
		list->cap = cap;
	}
	list->items[list->count++] = (Pair){key, key_len, value, value_len};
}

/* collect: MHD_KeyValueIteratorN over the GET arguments. */
static enum MHD_Result
collect(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size, const char *value, size_t value_size)
{
	PairList *list = cls;

	(void) kind;
	if (value == NULL)
	{
		value = "";
		value_size = 0;
	}
	/* a decoded %00 shortens the C string below the reported size */
	if (memchr(key, '\0', key_size) != NULL || memchr(value, '\0', value_size) != NULL)
	{
		list->has_nul = true;
		return MHD_NO;
	}
	pair_set(list, key, key_size, value, value_size);
	return list->failed ? MHD_NO : MHD_YES;
}

char *
ag_params_build(struct MHD_Connection *connection, const char *path_name, const char *path_value, bool *has_nul)
{
	PairList list = {0};
	AgBuf	 buf;

	MHD_get_connection_values_n(connection, MHD_GET_ARGUMENT_KIND, collect, &list);
	if (path_name != NULL && !list.has_nul)
		pair_set(&list, path_name, strlen(path_name), path_value, strlen(path_value));
	*has_nul = list.has_nul;
	if (list.has_nul || list.failed)
	{
		free(list.items);
		return NULL;
	}
	ag_buf_init(&buf);
	ag_buf_append(&buf, "{", 1);
	for (size_t i = 0; i < list.count; i++)
	{
		if (i > 0)
			ag_buf_append(&buf, ",", 1);
		ag_json_append_string(&buf, list.items[i].key, list.items[i].key_len);
		ag_buf_append(&buf, ":", 1);
		ag_json_append_string(&buf, list.items[i].value, list.items[i].value_len);
	}
	ag_buf_append(&buf, "}", 1);
	free(list.items);
	return ag_buf_take(&buf);
}
