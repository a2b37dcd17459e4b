/*-------------------------------------------------------------------------
 * common.c
 *	  Helpers shared by the rules R-001 ... R-010: payload access
 *	  (rules.md 1.4), time arithmetic and local time through PostgreSQL's
 *	  own tz code (1.5, 1.6, D6), deviation output (1.7) and the liveness
 *	  condition of R-009 (2.4, 3.9).  Pure functions: no SPI, no clock.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "rules/rule.h"
#include "util.h"

static char *default_state_key_items[] = {"state", "value"};

/* ["state", "value"]: the STATE keys of rules without payload_state_keys. */
const AgStrList ag_state_keys_default = {2, default_state_key_items};

/*
 * ag_fold_eq: "fold(a) = fold(b)" of rules.md 1.4: byte equality after
 * lower-casing ASCII A-Z only.  No trimming; other bytes compare as is.
 */
bool
ag_fold_eq(const char *a, const char *b)
{
	for (;; a++, b++)
	{
		unsigned char ca = (unsigned char) *a;
		unsigned char cb = (unsigned char) *b;

		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb)
			return false;
		if (ca == '\0')
			return true;
	}
}

/* ag_strlist_has: s equals (exactly, case-sensitive) an item of list. */
bool
ag_strlist_has(const AgStrList *list, const char *s)
{
	for (int i = 0; i < list->n; i++)
	{
		if (strcmp(list->items[i], s) == 0)
			return true;
	}
	return false;
}

/* ag_strlist_has_fold: fold(s) equals fold(item) for an item of list (D5). */
bool
ag_strlist_has_fold(const AgStrList *list, const char *s)
{
	for (int i = 0; i < list->n; i++)
	{
		if (ag_fold_eq(list->items[i], s))
			return true;
	}
	return false;
}

/*
 * value_text: TEXT(v) of rules.md 1.4, exactly as jsonb ->> renders it:
 * string unescaped, number as numeric_out text, true/false, and an array
 * or object as its jsonb text.  v must not be a JSON null.
 */
static char *
value_text(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		case jbvBinary:
			return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
	return NULL; /* keep compiler quiet */
}

/*
 * ag_payload_first: FIRST(payload, keys) of rules.md 1.4.  Walks keys in
 * order; the first top-level key present with a non-null value gives
 * *text = TEXT(value) (palloc'd) and true.  A payload that is not an
 * object counts as {}; then, or when no key qualifies, returns false.
 */
bool
ag_payload_first(Jsonb *payload, const AgStrList *keys, char **text)
{
	if (payload == NULL || JB_ROOT_IS_SCALAR(payload) || !JB_ROOT_IS_OBJECT(payload))
		return false;
	for (int i = 0; i < keys->n; i++)
	{
		JsonbValue	v;
		const char *key = keys->items[i];

		if (getKeyJsonValueFromContainer(&payload->root, key, strlen(key), &v) == NULL)
			continue;
		if (v.type == jbvNull)
			continue;
		*text = value_text(&v);
		return true;
	}
	return false;
}

/* ag_state_is: "STATE is value" (1.4): STATE defined and fold-equal. */
bool
ag_state_is(Jsonb *payload, const AgStrList *keys, const char *value)
{
	char *state;

	return ag_payload_first(payload, keys, &state) && ag_fold_eq(state, value);
}

/* ag_state_in: STATE defined and fold-equal to one of values (D5, D21). */
bool
ag_state_in(Jsonb *payload, const AgStrList *keys, const AgStrList *values)
{
	char *state;

	return ag_payload_first(payload, keys, &state) && ag_strlist_has_fold(values, state);
}

/* ag_active: ACTIVE(p, keys, on) of 1.4: STATE undefined, or STATE is on (D4). */
bool
ag_active(Jsonb *payload, const AgStrList *keys, const char *on)
{
	char *state;

	if (!ag_payload_first(payload, keys, &state))
		return true;
	return ag_fold_eq(state, on);
}

/*
 * ag_tz_lookup: the pg_tz of an IANA name (PostgreSQL's tz database;
 * pg_tzset caches loaded zones per backend).  The config loader already
 * validated the name; an unknown one still raises 22023 here.
 */
pg_tz *
ag_tz_lookup(const char *name)
{
	pg_tz *tz = pg_tzset(name);

	if (tz == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" not recognized", name),
				 errdetail("The rule configuration names a zone PostgreSQL does not know."),
				 errhint("Use a name from pg_timezone_names and load the configuration again.")));
	return tz;
}

/*
 * ag_local: LOCAL(ts) of rules.md 1.6 in zone tz: local Julian date and
 * microseconds since local midnight (the path `timestamptz AT TIME ZONE`
 * uses: timestamp2tm with the zone).  Raises 22008 when out of range.
 */
void
ag_local(TimestampTz ts, pg_tz *tz, AgLocal *out)
{
	struct pg_tm tm;
	fsec_t		 fsec;
	int			 tzoff;

	if (TIMESTAMP_NOT_FINITE(ts) || timestamp2tm(ts, &tzoff, &tm, &fsec, NULL, tz) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range"),
				 errdetail("A rule needed the local time of an instant outside the supported range.")));
	out->jdate = date2j(tm.tm_year, tm.tm_mon, tm.tm_mday);
	out->tod_us = ((int64) ((tm.tm_hour * 60 + tm.tm_min) * 60 + tm.tm_sec)) * USECS_PER_SEC + fsec;
}

/*
 * ag_instant: INSTANT(d, hh:mm:ss) of rules.md 1.6: the instant whose
 * local wall clock in tz reads Julian date jdate at tod_s seconds after
 * midnight (tod_s may be 0 .. 86399).  Same path as `timestamp AT TIME
 * ZONE` (DetermineTimeZoneOffset): a time in a spring-forward gap uses the
 * offset before the transition, a repeated time the offset after (D6).
 */
TimestampTz
ag_instant(int jdate, int tod_s, pg_tz *tz)
{
	struct pg_tm tm;
	int			 tzoff;
	Timestamp	 result;

	memset(&tm, 0, sizeof(tm));
	j2date(jdate, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tm.tm_hour = tod_s / 3600;
	tm.tm_min = (tod_s / 60) % 60;
	tm.tm_sec = tod_s % 60;
	tzoff = DetermineTimeZoneOffset(&tm, tz);
	if (tm2timestamp(&tm, 0, &tzoff, &result) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range"),
				 errdetail("A rule needed a local wall-clock time outside the supported range.")));
	return (TimestampTz) result;
}

/*
 * ag_in_daypart: IN_DAYPART(t, S, E) of rules.md 1.6 for a time of day
 * tod_us (microseconds) and bounds in seconds.  S < E: S <= t < E;
 * S > E (crosses midnight): t >= S or t < E; S = E: false (rejected by
 * the config loader).
 */
bool
ag_in_daypart(int64 tod_us, int start_s, int end_s)
{
	int64 s = (int64) start_s * USECS_PER_SEC;
	int64 e = (int64) end_s * USECS_PER_SEC;

	if (s < e)
		return tod_us >= s && tod_us < e;
	if (s > e)
		return tod_us >= s || tod_us < e;
	return false;
}

/* ag_minutes_between: MINUTES(a, b) = floor((b - a) / 60 s), toward -inf (1.5). */
int64
ag_minutes_between(TimestampTz a, TimestampTz b)
{
	int64 d = b - a;
	int64 q = d / AG_USECS_PER_MINUTE;

	if (d % AG_USECS_PER_MINUTE != 0 && d < 0)
		q--;
	return q;
}

/* ag_add_minutes: ts + n x 60 s (absolute time, 1.5). */
TimestampTz
ag_add_minutes(TimestampTz ts, int64 minutes)
{
	return ts + minutes * AG_USECS_PER_MINUTE;
}

/*
 * ag_events_lower_bound: index of the first event with ts >= the given
 * instant in an EVENT ORDER array of n events (n when there is none).
 */
int
ag_events_lower_bound(const AgEvent *events, int n, TimestampTz ts)
{
	int lo = 0;
	int hi = n;

	while (lo < hi)
	{
		int mid = lo + (hi - lo) / 2;

		if (events[mid].ts < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * ag_dev_begin: start a deviation: severity, window, the title and
 * explanation in the configured locale (rules.md 1.7; the explanation is
 * a palloc'd copy so a rule may substitute {name}), and an open evidence
 * object.
 */
void
ag_dev_begin(AgDeviation *dev, const AgRuleTexts *texts, const AgConfig *cfg,
			 AgSeverity severity, TimestampTz window_since, TimestampTz window_until)
{
	bool en = (cfg->locale == AG_LOCALE_EN);

	dev->severity = severity;
	dev->title = en ? texts->title_en : texts->title_nb;
	dev->explanation = pstrdup(en ? texts->explanation_en : texts->explanation_nb);
	dev->window_since = window_since;
	dev->window_until = window_until;
	dev->evidence = NULL;
	pushJsonbValue(&dev->evidence, WJB_BEGIN_OBJECT, NULL);
}

/* ag_text_subst_int: text with every "{name}" replaced by value in decimal (1.7). */
char *
ag_text_subst_int(const char *text, const char *name, int64 value)
{
	StringInfoData buf;
	char		  *pattern = psprintf("{%s}", name);
	size_t		   plen = strlen(pattern);
	const char	  *p = text;
	const char	  *hit;

	initStringInfo(&buf);
	while ((hit = strstr(p, pattern)) != NULL)
	{
		appendBinaryStringInfo(&buf, p, hit - p);
		appendStringInfo(&buf, INT64_FORMAT, value);
		p = hit + plen;
	}
	appendStringInfoString(&buf, p);
	return buf.data;
}

/* ag_instant_text: ts as "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (1.7, contract 2). */
char *
ag_instant_text(TimestampTz ts)
{
	StringInfoData buf;

	initStringInfo(&buf);
	ag_append_instant(&buf, ts);
	return buf.data;
}

/* ag_tod_text: a time of day given in seconds as "HH:MM:SS" (1.7). */
char *
ag_tod_text(int seconds)
{
	return psprintf("%02d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
}

/* push_string: push a jsonb string as WJB_KEY, WJB_VALUE or WJB_ELEM. */
static void
push_string(JsonbParseState **st, JsonbIteratorToken tok, const char *s)
{
	JsonbValue v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = strlen(s);
	pushJsonbValue(st, tok, &v);
}

/* ag_ev_key: push an object key into the evidence being built. */
void
ag_ev_key(JsonbParseState **st, const char *key)
{
	push_string(st, WJB_KEY, key);
}

/* ag_ev_str: key: string, or key: null when value is NULL. */
void
ag_ev_str(JsonbParseState **st, const char *key, const char *value)
{
	if (value == NULL)
	{
		ag_ev_null(st, key);
		return;
	}
	ag_ev_key(st, key);
	push_string(st, WJB_VALUE, value);
}

/* ag_ev_int: key: integer (a JSON number). */
void
ag_ev_int(JsonbParseState **st, const char *key, int64 value)
{
	JsonbValue v;

	ag_ev_key(st, key);
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(value);
	pushJsonbValue(st, WJB_VALUE, &v);
}

/* ag_ev_bool: key: true/false. */
void
ag_ev_bool(JsonbParseState **st, const char *key, bool value)
{
	JsonbValue v;

	ag_ev_key(st, key);
	v.type = jbvBool;
	v.val.boolean = value;
	pushJsonbValue(st, WJB_VALUE, &v);
}

/* ag_ev_null: key: null. */
void
ag_ev_null(JsonbParseState **st, const char *key)
{
	JsonbValue v;

	ag_ev_key(st, key);
	v.type = jbvNull;
	pushJsonbValue(st, WJB_VALUE, &v);
}

/* ag_ev_instant: key: "YYYY-MM-DDTHH:MM:SS[.ffffff]Z". */
void
ag_ev_instant(JsonbParseState **st, const char *key, TimestampTz ts)
{
	ag_ev_str(st, key, ag_instant_text(ts));
}

/* ag_ev_strlist: key: [strings of list] in list order. */
void
ag_ev_strlist(JsonbParseState **st, const char *key, const AgStrList *list)
{
	ag_ev_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < list->n; i++)
		push_string(st, WJB_ELEM, list->items[i]);
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/* ag_ev_ids: key: [ids of events[0 .. n-1]] in the given order (D3). */
void
ag_ev_ids(JsonbParseState **st, const char *key, const AgEvent *const *events, int n)
{
	ag_ev_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < n; i++)
		push_string(st, WJB_ELEM, events[i]->id);
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/* ag_ev_begin_object: key: { ... nested object, closed by ag_ev_end_object. */
void
ag_ev_begin_object(JsonbParseState **st, const char *key)
{
	ag_ev_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
}

/* ag_ev_end_object: close the object opened by ag_ev_begin_object. */
void
ag_ev_end_object(JsonbParseState **st)
{
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/*
 * ag_liveness_check: the R-009 condition (rules.md 3.9) for the given
 * max age (minutes) and categories, from the engine's per-category latest
 * events (ts < now, R-009 stream filter applied).  out->fires is true when
 * no qualifying event exists or MINUTES(last.ts, now) > max_age_minutes.
 */
void
ag_liveness_check(const AgRuleInput *in, int max_age_minutes,
				  const AgStrList *categories, AgLiveness *out)
{
	const AgHomeFacts *facts = in->facts;

	if (facts == NULL || !facts->liveness_known)
		elog(ERROR, "agingos engine did not probe the liveness categories");
	out->found = false;
	out->last_ts = 0;
	for (int i = 0; i < facts->nliveness; i++)
	{
		const AgLivenessFact *f = &facts->liveness[i];

		if (!f->found || !ag_strlist_has(categories, f->category))
			continue;
		if (!out->found || f->ts > out->last_ts)
			out->last_ts = f->ts;
		out->found = true;
	}
	out->lag_minutes = out->found ? ag_minutes_between(out->last_ts, in->now) : 0;
	out->fires = !out->found || out->lag_minutes > max_age_minutes;
}

/*
 * ag_liveness_gate_fires: the liveness gate of rules.md 2.4: true when the
 * R-009 condition holds with max age = max_age_override (if >= 0) else
 * R-009's, categories = categories_override (if non-NULL and non-empty)
 * else R-009's; the stream is always R-009's (the engine applied it).
 */
bool
ag_liveness_gate_fires(const AgRuleInput *in, int max_age_override,
					   const AgStrList *categories_override)
{
	const AgR009Params *r9 = &in->cfg->r009;
	AgLiveness			live;

	ag_liveness_check(in,
					  max_age_override >= 0 ? max_age_override : r9->max_age_minutes,
					  (categories_override != NULL && categories_override->n > 0) ? categories_override : &r9->liveness_categories,
					  &live);
	return live.fires;
}
