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
#include "utf8.h"

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
	Pair		 *items;
	size_t		  count;
	size_t		  cap;
	bool		  failed; /* err says why */
	AgParamsError err;
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
			list->err.fault = AG_PARAMS_OOM;
			return;
		}
		list->items = items;
		list->cap = cap;
	}
	list->items[list->count++] = (Pair){key, key_len, value, value_len};
}

/*
 * text_ok: whether a key or value can go to PostgreSQL as text: no NUL byte
 * (a decoded %00 shortens the C string below the reported size) and valid
 * UTF-8.  Otherwise list->err says what is wrong.
 */
static bool
text_ok(PairList *list, const char *what, const char *name, const char *text, size_t size)
{
	size_t bad;

	if (memchr(text, '\0', size) != NULL)
	{
		list->err = (AgParamsError){AG_PARAMS_NUL, what, name, 0};
		return false;
	}
	bad = ag_utf8_invalid_at(text, size);
	if (bad < size)
	{
		list->err = (AgParamsError){AG_PARAMS_BAD_UTF8, what, name, bad};
		return false;
	}
	return true;
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
	if (!text_ok(list, "query parameter name", key, key, key_size) ||
		!text_ok(list, "query parameter", key, value, value_size))
	{
		list->failed = true;
		return MHD_NO;
	}
	pair_set(list, key, key_size, value, value_size);
	return list->failed ? MHD_NO : MHD_YES;
}

char *
ag_params_build(struct MHD_Connection *connection, const char *path_name, const char *path_value,
				AgParamsError *err)
{
	PairList list = {0};
	AgBuf	 buf;

	list.err.fault = AG_PARAMS_OOM;
	MHD_get_connection_values_n(connection, MHD_GET_ARGUMENT_KIND, collect, &list);
	if (path_name != NULL && !list.failed)
	{
		if (text_ok(&list, "path parameter", path_name, path_value, strlen(path_value)))
			pair_set(&list, path_name, strlen(path_name), path_value, strlen(path_value));
		else
			list.failed = true;
	}
	*err = list.err;
	if (list.failed)
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
