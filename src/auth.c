/*-------------------------------------------------------------------------
 * auth.c
 *	  API keys and the caller context of the HTTP routes (contract.md
 *	  section 12, docs/security.md).
 *
 *	  One lookup (agingos.agingos_key_lookup, SECURITY DEFINER, the only
 *	  reader of settings and api_keys) gives the auth mode and the key's
 *	  id, role and homes.  ag_auth checks the role against the action and
 *	  narrows to the home the request asks for, then records the caller —
 *	  homes, role, key id — in this backend's memory.  The row-level
 *	  security policies read the homes back through agingos_caller_homes();
 *	  nothing in SQL can write them, so a route (owned by agingos_routes,
 *	  which RLS applies to) sees only the caller's homes even when its own
 *	  WHERE is wrong.  The context lasts until the end of the transaction.
 *
 *	  The auth mode fails closed: exactly 'none' (every caller is home
 *	  "default") or exactly 'api_key'; any other stored value, or no row,
 *	  is 401 for every route.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "auth.h"
#include "util.h"

PG_FUNCTION_INFO_V1(agingos_auth);
PG_FUNCTION_INFO_V1(agingos_auth_home);
PG_FUNCTION_INFO_V1(agingos_auth_homes);
PG_FUNCTION_INFO_V1(agingos_caller_homes);
PG_FUNCTION_INFO_V1(agingos_caller_actor);
PG_FUNCTION_INFO_V1(agingos_caller_set);

/* The caller of the current transaction; homes live in TopMemoryContext. */
static struct
{
	bool   set;
	int	   nhomes;
	char **homes;
	int64  key_id; /* 0: no key (auth mode none, or set by agingos_caller_set) */
	char  *actor;  /* "key:<id>", an actor given to agingos_caller_set, or NULL */
} caller;

static bool callback_registered = false;

/* caller_reset: forget the caller (end of transaction, or a new auth). */
static void
caller_reset(void)
{
	if (caller.homes != NULL)
	{
		for (int i = 0; i < caller.nhomes; i++)
			pfree(caller.homes[i]);
		pfree(caller.homes);
	}
	if (caller.actor != NULL)
		pfree(caller.actor);
	memset(&caller, 0, sizeof(caller));
}

/* xact_callback: the caller context never outlives its transaction. */
static void
xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
		caller_reset();
}

/* caller_store: remember homes (n of them), key_id and actor as the caller. */
static void
caller_store(char **homes, int n, int64 key_id, const char *actor)
{
	MemoryContext old;

	if (!callback_registered)
	{
		RegisterXactCallback(xact_callback, NULL);
		callback_registered = true;
	}
	caller_reset();
	old = MemoryContextSwitchTo(TopMemoryContext);
	caller.homes = palloc(sizeof(char *) * (n > 0 ? n : 1));
	for (int i = 0; i < n; i++)
		caller.homes[i] = pstrdup(homes[i]);
	caller.nhomes = n;
	caller.key_id = key_id;
	caller.actor = actor != NULL ? pstrdup(actor) : NULL;
	caller.set = true;
	MemoryContextSwitchTo(old);
}

/* role_allows: whether a key role may do action (contract.md section 12). */
static bool
role_allows(const char *role, AgAction action)
{
	if (strcmp(role, "admin") == 0)
		return true;
	switch (action)
	{
		case AG_ACT_POST_EVENTS:
			return strcmp(role, "ingest") == 0;
		case AG_ACT_READ:
			return strcmp(role, "read") == 0 || strcmp(role, "carer") == 0;
		case AG_ACT_ACK:
			return strcmp(role, "carer") == 0;
		default:
			return false;
	}
}

/* role_may: what a role may do, in words, for the 403 detail. */
static const char *
role_may(const char *role)
{
	if (strcmp(role, "ingest") == 0)
		return "only POST events";
	if (strcmp(role, "read") == 0)
		return "only use GET routes";
	if (strcmp(role, "carer") == 0)
		return "only use GET routes and PATCH /deviations/{id}";
	return "do everything";
}

/*
 * The lookup function, called through fmgr rather than through an SPI
 * query: the query's executor start-up and function scan cost a third of
 * what the lookup costs (docs/bench.md section 15).  The FmgrInfo is kept
 * for the backend and made again when the function's pg_proc row changes
 * (CREATE OR REPLACE in an upgrade, or the extension dropped and created
 * again under a new OID).
 */
static FmgrInfo		   lookup_finfo;
static Oid			   lookup_oid = InvalidOid;
static TransactionId   lookup_xmin = InvalidTransactionId;
static ItemPointerData lookup_tid;
static MemoryContext   lookup_cxt = NULL;

/*
 * lookup_function: the current FmgrInfo of agingos.agingos_key_lookup(text).
 * Raises 42883 when the function is missing and 42501 when the current
 * user may not execute it (as calling it through SQL would).
 */
static FmgrInfo *
lookup_function(void)
{
	HeapTuple tuple = NULL;
	AclResult aclresult;

	if (OidIsValid(lookup_oid))
		tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(lookup_oid));
	if (!HeapTupleIsValid(tuple))
	{
		Oid argtype = TEXTOID;

		lookup_oid = LookupFuncName(list_make2(makeString("agingos"), makeString("agingos_key_lookup")), 1, &argtype, false);
		tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(lookup_oid));
		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "cache lookup failed for function %u", lookup_oid);
		lookup_xmin = InvalidTransactionId;
	}
	if (lookup_xmin != HeapTupleHeaderGetRawXmin(tuple->t_data) || !ItemPointerEquals(&lookup_tid, &tuple->t_self))
	{
		if (lookup_cxt == NULL)
			lookup_cxt = AllocSetContextCreate(TopMemoryContext, "agingos key lookup", ALLOCSET_SMALL_SIZES);
		lookup_xmin = InvalidTransactionId;
		MemoryContextReset(lookup_cxt);
		fmgr_info_cxt(lookup_oid, &lookup_finfo, lookup_cxt);
		lookup_xmin = HeapTupleHeaderGetRawXmin(tuple->t_data);
		lookup_tid = tuple->t_self;
	}
	ReleaseSysCache(tuple);
	aclresult = pg_proc_aclcheck(lookup_oid, GetUserId(), ACL_EXECUTE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FUNCTION, "agingos_key_lookup");
	InvokeFunctionExecuteHook(lookup_oid);
	return &lookup_finfo;
}

/*
 * lookup: run agingos_key_lookup(api_key) → mode, key_id, role, homes.
 * Fills *mode (NULL: no settings row), *key_id (0: no active key with
 * this value), *role and the homes array, allocated in the current memory
 * context.
 */
static void
lookup(const char *api_key, char **mode, int64 *key_id, char **role, char ***homes, int *nhomes)
{
	LOCAL_FCINFO(fcinfo, 1);
	HeapTupleHeader row;
	bool			isnull;
	Datum			d;

	InitFunctionCallInfoData(*fcinfo, lookup_function(), 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = api_key ? CStringGetTextDatum(api_key) : (Datum) 0;
	fcinfo->args[0].isnull = api_key == NULL;
	d = FunctionCallInvoke(fcinfo);
	*mode = NULL;
	*key_id = 0;
	*role = NULL;
	*homes = NULL;
	*nhomes = 0;
	if (fcinfo->isnull)
		return; /* no row: as a missing settings row and no key */
	row = DatumGetHeapTupleHeader(d);
	d = GetAttributeByNum(row, 1, &isnull);
	*mode = isnull ? NULL : TextDatumGetCString(d);
	d = GetAttributeByNum(row, 2, &isnull);
	if (isnull)
		return;
	*key_id = DatumGetInt64(d);
	d = GetAttributeByNum(row, 3, &isnull);
	*role = isnull ? NULL : TextDatumGetCString(d);
	d = GetAttributeByNum(row, 4, &isnull);
	if (!isnull)
	{
		Datum *elems;
		bool  *enulls;
		int	   n;

		deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &elems, &enulls, &n);
		*homes = palloc(sizeof(char *) * (n > 0 ? n : 1));
		for (int i = 0; i < n; i++)
			(*homes)[i] = TextDatumGetCString(elems[i]);
		*nhomes = n;
	}
}

/* home_not_found: the 404 for a home outside the key (never 403: contract 12). */
static bool
home_not_found(AgError *err, const char *home)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "No home ");
	ag_append_json_string(&buf, home);
	appendStringInfoString(&buf, " is covered by this request's key.");
	return ag_error_set(err, ERRCODE_NO_DATA_FOUND, "home not found", buf.data,
						"Leave home_id out for all the key's homes, or use one of them.");
}

/* ag_auth: see auth.h. */
bool
ag_auth(const char *api_key, AgAction action, const char *want_home, AgCaller *out, AgError *err)
{
	char  *mode;
	char  *role;
	int64  key_id;
	char **homes;
	int	   nhomes;
	char  *actor;

	memset(out, 0, sizeof(*out));
	caller_reset();
	lookup(api_key, &mode, &key_id, &role, &homes, &nhomes);
	if (mode != NULL && strcmp(mode, "none") == 0)
	{
		static char *def[] = {"default"};

		if (want_home != NULL && strcmp(want_home, "default") != 0)
			return home_not_found(err, want_home);
		caller_store(def, 1, 0, NULL);
		out->nhomes = 1;
		out->homes = palloc(sizeof(char *));
		out->homes[0] = pstrdup("default");
		out->role = "admin";
		return true;
	}
	if (mode == NULL || strcmp(mode, "api_key") != 0)
		return ag_error_set(err, ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION, "authentication is misconfigured",
							"The stored auth mode is neither \"none\" nor \"api_key\", so every request is refused.",
							"An operator sets it: UPDATE agingos.settings SET value = 'api_key' WHERE name = 'auth_mode' (or make up AGINGOS_AUTH_MODE=api_key).");
	if (api_key == NULL)
		return ag_error_set(err, ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION, "missing API key",
							"This server runs with AGINGOS_AUTH_MODE=api_key.",
							"Send the key in the X-API-Key header; an operator creates keys with agingos_create_api_key(home_id, role).");
	if (key_id == 0)
		return ag_error_set(err, ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION, "unknown API key",
							"No active key with this value is registered (it may have been revoked).",
							"Check the X-API-Key header; keys are shown only once, when agingos_create_api_key creates them.");
	if (!role_allows(role, action))
		return ag_error_set(err, ERRCODE_INSUFFICIENT_PRIVILEGE, "API key role not allowed for this request",
							psprintf("A key with role \"%s\" may %s.", role, role_may(role)),
							"Use a key with the right role: ingest posts events, read uses GET routes, carer also acknowledges and closes, admin may do all.");
	if (want_home != NULL)
	{
		bool found = false;

		for (int i = 0; i < nhomes && !found; i++)
			found = strcmp(homes[i], want_home) == 0;
		if (!found)
			return home_not_found(err, want_home);
		homes[0] = pstrdup(want_home);
		nhomes = 1;
	}
	actor = psprintf("key:" INT64_FORMAT, key_id);
	caller_store(homes, nhomes, key_id, actor);
	out->nhomes = nhomes;
	out->homes = homes;
	out->key_id = key_id;
	out->role = role;
	out->actor = actor;
	return true;
}

/* ag_auth_one: see auth.h. */
bool
ag_auth_one(const AgCaller *c, const char **home_id, AgError *err)
{
	if (c->nhomes == 1)
	{
		*home_id = c->homes[0];
		return true;
	}
	return ag_error_set(err, ERRCODE_INVALID_PARAMETER_VALUE, "query parameter \"home_id\" is required",
						psprintf("This key covers %d homes and the request is for one of them.", c->nhomes),
						"Add ?home_id=<one of the key's homes> to the request.");
}

/* action_from_text: 'ingest' | 'read' | 'ack' | 'admin' → AgAction (22023 otherwise). */
static AgAction
action_from_text(const char *s)
{
	if (strcmp(s, "ingest") == 0)
		return AG_ACT_POST_EVENTS;
	if (strcmp(s, "read") == 0)
		return AG_ACT_READ;
	if (strcmp(s, "ack") == 0)
		return AG_ACT_ACK;
	if (strcmp(s, "admin") == 0)
		return AG_ACT_ADMIN;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid argument \"action\""),
			 errdetail("The value \"%s\" is not an action.", s),
			 errhint("Use 'ingest', 'read', 'ack' or 'admin'.")));
	pg_unreachable();
}

/* spi_strdup: s copied to memory that outlives SPI_finish (NULL stays NULL). */
static char *
spi_strdup(const char *s)
{
	char *r;

	if (s == NULL)
		return NULL;
	r = SPI_palloc(strlen(s) + 1);
	strcpy(r, s);
	return r;
}

/* auth_call: shared body of the SQL-callable auth functions. */
static AgCaller
auth_call(FunctionCallInfo fcinfo, bool has_home)
{
	char	*key = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	AgAction action;
	char	*want = NULL;
	AgCaller c;
	AgError	 err = {0};

	if (PG_ARGISNULL(1))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("argument \"action\" must not be null")));
	action = action_from_text(text_to_cstring(PG_GETARG_TEXT_PP(1)));
	if (has_home && !PG_ARGISNULL(2))
		want = text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!ag_auth(key, action, want, &c, &err))
	{
		/* copy out of SPI memory before it goes */
		AgError e;

		e.sqlstate = err.sqlstate;
		e.message = spi_strdup(err.message);
		e.detail = spi_strdup(err.detail);
		e.hint = spi_strdup(err.hint);
		SPI_finish();
		ag_error_raise(&e);
	}
	{
		AgCaller copy = c;

		copy.homes = SPI_palloc(sizeof(char *) * (c.nhomes > 0 ? c.nhomes : 1));
		for (int i = 0; i < c.nhomes; i++)
		{
			copy.homes[i] = spi_strdup(c.homes[i]);
		}
		copy.role = NULL;
		copy.actor = NULL;
		SPI_finish();
		return copy;
	}
}

/*
 * agingos_auth(api_key text, action text) → text home_id
 * For SQL route functions: authorise the key for action ('ingest' POST
 * events, 'read' GET, 'ack' PATCH a deviation, 'admin' the rest), set the
 * caller context and return the caller's one home.  28000 for a missing,
 * unknown or revoked key and for a bad stored auth mode, 42501 for a role
 * that may not, 22023 when the key covers several homes (use the
 * three-argument form).
 */
Datum
agingos_auth(PG_FUNCTION_ARGS)
{
	AgCaller	c = auth_call(fcinfo, false);
	const char *home;
	AgError		err;

	if (!ag_auth_one(&c, &home, &err))
		ag_error_raise(&err);
	PG_RETURN_TEXT_P(cstring_to_text(home));
}

/*
 * agingos_auth(api_key text, action text, home_id text) → text home_id
 * As the two-argument form, narrowed to home_id when it is not null: a
 * home the key does not cover is P0002 (404, never 403: contract 12).
 */
Datum
agingos_auth_home(PG_FUNCTION_ARGS)
{
	AgCaller	c = auth_call(fcinfo, true);
	const char *home;
	AgError		err;

	if (!ag_auth_one(&c, &home, &err))
		ag_error_raise(&err);
	PG_RETURN_TEXT_P(cstring_to_text(home));
}

/* homes_array: text[] of n C strings. */
static ArrayType *
homes_array(char **homes, int n)
{
	Datum *elems = palloc(sizeof(Datum) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(homes[i]);
	return construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT);
}

/*
 * agingos_auth_homes(api_key text, action text, home_id text) → text[]
 * For listing routes: as agingos_auth, but returns every home of the key
 * (or just home_id when given and covered; P0002 otherwise).
 */
Datum
agingos_auth_homes(PG_FUNCTION_ARGS)
{
	AgCaller c = auth_call(fcinfo, true);

	PG_RETURN_ARRAYTYPE_P(homes_array(c.homes, c.nhomes));
}

/*
 * agingos_caller_homes() → text[]
 * The homes of the current transaction's caller, as agingos_auth set
 * them; an empty array when nothing has authenticated.  The row-level
 * security policies for agingos_routes call it.
 */
Datum
agingos_caller_homes(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(homes_array(caller.set ? caller.homes : NULL, caller.set ? caller.nhomes : 0));
}

/*
 * agingos_caller_actor() → text
 * "key:<key_id>" after agingos_auth with a key, the actor given to
 * agingos_caller_set, or NULL (auth mode none; nothing authenticated):
 * for deviation_history.actor.
 */
Datum
agingos_caller_actor(PG_FUNCTION_ARGS)
{
	if (!caller.set || caller.actor == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(caller.actor));
}

/*
 * agingos_caller_set(home_ids text[], actor text) → void
 * Set the caller context without a key, for routes that authenticate
 * another way (e.g. a signed ACK-link token).  Executable by no role but
 * the extension's owner: call it from a SECURITY DEFINER function owned
 * by it, after checking the credential.  22023 for a null or empty list.
 */
Datum
agingos_caller_set(PG_FUNCTION_ARGS)
{
	Datum *elems;
	bool  *enulls;
	int	   n;
	char **homes;

	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("argument \"home_ids\" must not be null")));
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), TEXTOID, -1, false, TYPALIGN_INT, &elems, &enulls, &n);
	if (n == 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("argument \"home_ids\" must not be empty")));
	homes = palloc(sizeof(char *) * n);
	for (int i = 0; i < n; i++)
	{
		if (enulls[i])
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("argument \"home_ids\" must not hold null")));
		homes[i] = TextDatumGetCString(elems[i]);
	}
	caller_store(homes, n, 0, PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1)));
	PG_RETURN_VOID();
}
