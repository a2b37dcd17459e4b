/*-------------------------------------------------------------------------
 * routes.c
 *	  Route table of contract.md section 6.  Every route but GET /health is
 *	  one call of agingos.http_<name>(params, request_body, api_key);
 *	  GET /metrics adds the front's metrics-token verdict (metrics_http.c);
 *	  the /ack/<token> pages of section 10 also return their content type.
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "routes.h"

#define BODY AG_BODY_LIMIT_BYTES
#define JSON AG_ROUTE_JSON
#define IDEM AG_ROUTE_IDEMPOTENT

static const AgRoute route_table[] = {
	{0, "GET", "/health", NULL, NULL, BODY, IDEM},
	{1, "GET", "/health/detail", NULL, "http_health_detail", BODY, IDEM},
	{2, "POST", "/event", NULL, "http_event", BODY, JSON | AG_ROUTE_INGEST_ONE},
	{3, "POST", "/v1/event", NULL, "http_event", BODY, JSON | AG_ROUTE_INGEST_ONE},
	{4, "POST", "/events/batch", NULL, "http_events_batch", AG_BATCH_LIMIT_BYTES, JSON | AG_ROUTE_INGEST_BATCH},
	{5, "GET", "/events", NULL, "http_events", BODY, IDEM},
	{6, "GET", "/deviations/evaluate", NULL, "http_deviations_evaluate", BODY, IDEM},
	{7, "POST", "/deviations/persist", NULL, "http_deviations_persist", BODY, JSON | AG_ROUTE_BODY_OPTIONAL},
	{8, "GET", "/deviations", NULL, "http_deviations", BODY, IDEM},
	{9, "PATCH", "/deviations/", "deviation_id", "http_deviation_patch", BODY, JSON},
	{10, "GET", "/rules", NULL, "http_rules", BODY, IDEM},
	{11, "GET", "/metrics", NULL, "http_metrics", BODY, IDEM | AG_ROUTE_METRICS},
	{12, "GET", "/ack/", "token", "http_ack_get", BODY, IDEM | AG_ROUTE_HTML},
	{13, "POST", "/ack/", "token", "http_ack_post", BODY, AG_ROUTE_HTML | AG_ROUTE_FORM},
};

#define ROUTE_COUNT ((int) (sizeof(route_table) / sizeof(route_table[0])))

int
ag_routes_count(void)
{
	return ROUTE_COUNT;
}

const AgRoute *
ag_routes_at(int i)
{
	return &route_table[i];
}

const char *
ag_routes_template(const AgRoute *route, char *buf, size_t len)
{
	if (route->param == NULL)
		snprintf(buf, len, "%s", route->path);
	else
		snprintf(buf, len, "%s{%s}", route->path, route->param);
	return buf;
}

/*
 * path_matches: whether url is the route's path; for a parameter route the
 * segment after the prefix is stored in *param_value.
 */
static bool
path_matches(const AgRoute *route, const char *url, const char **param_value)
{
	size_t prefix_len;

	if (route->param == NULL)
		return strcmp(url, route->path) == 0;
	prefix_len = strlen(route->path);
	if (strncmp(url, route->path, prefix_len) != 0)
		return false;
	url += prefix_len;
	if (url[0] == '\0' || strchr(url, '/') != NULL)
		return false;
	*param_value = url;
	return true;
}

/* add_allow: append method to the Allow list unless it is there already. */
static void
add_allow(AgMatch *match, const char *method)
{
	size_t len = strlen(match->allow);

	if (strstr(match->allow, method) != NULL)
		return;
	if (len + strlen(method) + 3 > sizeof(match->allow))
		return;
	if (len > 0)
		strcat(match->allow, ", ");
	strcat(match->allow, method);
}

/*
 * match_pass: one pass over the literal (want_param false) or parameter
 * routes.  Returns true when some route of the pass has this path.
 */
static bool
match_pass(const char *method, const char *url, bool want_param, AgMatch *match)
{
	bool path_seen = false;

	for (int i = 0; i < ROUTE_COUNT; i++)
	{
		const AgRoute *route = &route_table[i];
		const char	  *value = NULL;

		if ((route->param != NULL) != want_param || !path_matches(route, url, &value))
			continue;
		path_seen = true;
		if (match->path_route == NULL)
			match->path_route = route;
		add_allow(match, route->method);
		if (strcmp(method, route->method) == 0 && match->kind != AG_MATCH_OK)
		{
			match->kind = AG_MATCH_OK;
			match->route = route;
			match->param_value = value;
		}
	}
	return path_seen;
}

void
ag_routes_match(const char *method, const char *url, AgMatch *match)
{
	memset(match, 0, sizeof(*match));
	match->kind = AG_MATCH_NO_PATH;
	if (!match_pass(method, url, false, match) &&
		!match_pass(method, url, true, match))
		return;
	if (match->kind != AG_MATCH_OK)
		match->kind = AG_MATCH_NO_METHOD;
}
