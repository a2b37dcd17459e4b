#!/usr/bin/env bash
# 80_metrics: GET /metrics (docs/spec/contract.md §11, docs/ops/monitoring.md) on a second
# agingos-http with AGINGOS_METRICS_TOKEN, started here on its own port
# against the test cluster: text format 0.0.4 passing promtool check
# metrics, exact request and ingest counters, auth (token, admin key as
# Bearer or X-API-Key, 401, 403, per-home series), unknown parameters
# ignored, nothing secret in the answer or the logs, the outbox series
# (a stand-in table before the notifications release), a real Prometheus
# scraping it with the Bearer token, and a database outage answered with
# 200 and agingos_up 0 (not 503) when the token is given.
# Ports: AGINGOS_TEST_METRICS_HTTP_PORT (58084), AGINGOS_TEST_PROMETHEUS_PORT (59090).
. "$(dirname "$0")/lib.sh"
MPORT=${AGINGOS_TEST_METRICS_HTTP_PORT:-58084}
PPORT=${AGINGOS_TEST_PROMETHEUS_PORT:-59090}
MB="http://127.0.0.1:$MPORT"
PB="http://127.0.0.1:$PPORT"
T=$(mktemp -d /tmp/agingos-metrics.XXXXXX)
chmod 755 "$T"
TOKEN="mt-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
fpid= ppid=
cleanup() {
	[ -n "$ppid" ] && kill "$ppid" 2>/dev/null
	[ -n "$fpid" ] && kill "$fpid" 2>/dev/null
	wait 2>/dev/null
	sql "UPDATE agingos.settings SET value = 'none' WHERE name = 'auth_mode'" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# front_env CMD…: run CMD with the settings of the metrics front
front_env() {
	env AGINGOS_HTTP_PORT="$MPORT" AGINGOS_PGHOST="$AG_E2E_RUN/sock" AGINGOS_PGPORT="$PGPORT" \
		AGINGOS_PGUSER=agingos_http AGINGOS_PGDATABASE=agingos AGINGOS_HTTP_THREADS=4 "$@"
}
# mget PATH [curl args…]: GET on the metrics front, prints "STATUS" and keeps the body in $T/body
mget() {
	local path=$1; shift
	curl -sS -m 10 -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" "$MB$path"
}
# value NAME_WITH_LABELS: the sample's value in $T/body (exact series text)
value() { awk -v s="$1" 'index($0, s " ") == 1 { print $2 }' "$T/body"; }
mpost() { curl -sS -m 10 -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary "$2" "$MB$1"; }

# -- the token is checked at start
front_env AGINGOS_METRICS_TOKEN=too-short-secret "$AG_ROOT/bin/agingos-http" >"$T/short.log" 2>&1
rc=$?
check "a token under 24 characters is refused at start (exit 2)" "$rc" 2
if grep -q 'variable=AGINGOS_METRICS_TOKEN' "$T/short.log" && ! grep -q 'too-short-secret' "$T/short.log"; then
	ok "the refusal names the variable, not the value"
else nok "the refusal names the variable, not the value" "$(head -c 300 "$T/short.log")"; fi
front_env AGINGOS_METRICS_TOKEN="$TOKEN with space" "$AG_ROOT/bin/agingos-http" >"$T/space.log" 2>&1
check "a token with a space is refused at start (exit 2)" "$?" 2

if (exec 3<>"/dev/tcp/127.0.0.1/$MPORT") 2>/dev/null; then
	nok "port $MPORT is free for the metrics front" "something listens there; set AGINGOS_TEST_METRICS_HTTP_PORT"
	exit 0
fi
# started directly (not through the function), so $! is the front itself
env AGINGOS_HTTP_PORT="$MPORT" AGINGOS_PGHOST="$AG_E2E_RUN/sock" AGINGOS_PGPORT="$PGPORT" \
	AGINGOS_PGUSER=agingos_http AGINGOS_PGDATABASE=agingos AGINGOS_HTTP_THREADS=4 \
	AGINGOS_METRICS_TOKEN="$TOKEN" "$AG_ROOT/bin/agingos-http" >"$T/front.log" 2>&1 &
fpid=$!
for _ in $(seq 1 100); do curl -fsS -m 2 "$MB/health" >/dev/null 2>&1 && break; sleep 0.1; done
if ! kill -0 "$fpid" 2>/dev/null; then
	nok "metrics front started on port $MPORT" "it exited: $(tail -c 300 "$T/front.log")"
	fpid=
	exit 0
fi

# -- auth mode none: no key needed
st=$(mget /metrics)
check "GET /metrics 200 without a key in auth mode none" "$st" 200
check "Content-Type text/plain; version=0.0.4" \
	"$(awk 'tolower($1) == "content-type:" { sub(/\r$/, ""); $1 = ""; print substr($0, 2) }' "$T/headers")" \
	"text/plain; version=0.0.4; charset=utf-8"
if out=$(promtool check metrics <"$T/body" 2>&1); then ok "promtool check metrics passes"
else nok "promtool check metrics passes" "$(echo "$out" | head -5 | tr '\n' ' ')"; fi
check "agingos_up 1 while the database answers" "$(value agingos_up)" 1
for fam in agingos_http_requests_total agingos_http_request_duration_seconds agingos_events_ingested_total \
	agingos_deviations_active agingos_scheduler_ticks_total agingos_scheduler_last_tick_timestamp_seconds \
	agingos_scheduler_last_tick_duration_seconds agingos_home_last_event_timestamp_seconds agingos_homes; do
	grep -q "^# TYPE $fam " "$T/body" && ok "family $fam present" || nok "family $fam present" "no TYPE line"
done

# -- exact counters: this front has served only the requests of this test (event ids unique per run)
RID=$$-$RANDOM
E1='{"id": "m-'"$RID"'-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}'
check "new event 200" "$(mpost /event "$E1")" 200
check "same event again 200 (deduped)" "$(mpost /v1/event "$E1")" 200
check "bad event 400" "$(mpost /event '{"id": "m-'"$RID"'-2", "timestamp": "2025-12-23T12:00:00", "category": "motion"}')" 400
check "batch 200" "$(mpost /events/batch '[{"id": "m-'"$RID"'-3", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}, {"id": "m-'"$RID"'-4", "timestamp": "2025-12-23T12:00:01Z", "category": "motion"}, {"id": "m-'"$RID"'-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}, {"id": "m-'"$RID"'-5"}]')" 200
check "batch that is not an array 400" "$(mpost /events/batch '{"id": "m-'"$RID"'-6"}')" 400
check "event without JSON content type 415" "$(curl -sS -o /dev/null -w '%{http_code}' -X POST --data-binary "$E1" "$MB/event")" 415
curl -sS -o /dev/null -X PATCH -H 'Content-Type: application/json' --data-binary '{"status":"ACK"}' "$MB/deviations/424242"
curl -sS -o /dev/null "$MB/deviations/424243"
curl -sS -o /dev/null "$MB/no/such/route/$RANDOM"
curl -sS -o /dev/null "$MB/no/such/route/$RANDOM"
mget /metrics >/dev/null
check "accepted: 1 event + 2 batch items" "$(value 'agingos_events_ingested_total{outcome="accepted"}')" 3
check "deduped: 1 event + 1 batch item" "$(value 'agingos_events_ingested_total{outcome="deduped"}')" 2
check "rejected: 1 event, 1 batch item, 1 refused batch, 1 refused event" "$(value 'agingos_events_ingested_total{outcome="rejected"}')" 4
check "requests {route=/event,code=200}" "$(value 'agingos_http_requests_total{route="/event",code="200"}')" 1
check "requests {route=/v1/event,code=200}" "$(value 'agingos_http_requests_total{route="/v1/event",code="200"}')" 1
check "requests {route=/event,code=400}" "$(value 'agingos_http_requests_total{route="/event",code="400"}')" 1
check "requests {route=/event,code=415}" "$(value 'agingos_http_requests_total{route="/event",code="415"}')" 1
check "a parameter route is labelled by its template" "$(value 'agingos_http_requests_total{route="/deviations/{deviation_id}",code="404"}')" 1
check "a wrong method is labelled by the path's route" "$(value 'agingos_http_requests_total{route="/deviations/{deviation_id}",code="405"}')" 1
check "unknown paths share one label" "$(value 'agingos_http_requests_total{route="unmatched",code="404"}')" 2
check "histogram count = +Inf bucket = requests to /event" \
	"$(value 'agingos_http_request_duration_seconds_count{route="/event"}') $(value 'agingos_http_request_duration_seconds_bucket{route="/event",le="+Inf"}')" "3 3"
if grep -q 'no/such' "$T/body"; then nok "raw paths never become labels" "found"; else ok "raw paths never become labels"; fi
st=$(mget '/metrics?foo=1&bar=%ff&name[]=x')
check "unknown query parameters are ignored (200)" "$st" 200

# -- auth mode api_key
sql "UPDATE agingos.settings SET value = 'api_key' WHERE name = 'auth_mode'" >/dev/null
admin_a=$(sql "SELECT agingos_create_api_key('metrics-a', 'admin')")
read_a=$(sql "SELECT agingos_create_api_key('metrics-a', 'read')")
ingest_a=$(sql "SELECT agingos_create_api_key('metrics-a', 'ingest')")
sql "SELECT agingos_ingest('{\"id\":\"ma-1\",\"timestamp\":\"2025-12-23T12:00:00Z\",\"category\":\"motion\",\"payload\":{\"secret\":\"payload-secret-xyz\"}}', 'metrics-a')" >/dev/null
sql "SELECT agingos_ingest('{\"id\":\"mb-1\",\"timestamp\":\"2025-12-23T13:00:00Z\",\"category\":\"motion\"}', 'metrics-b')" >/dev/null
st=$(mget /metrics)
check "no key: 401 28000" "$st $(jq -r .code "$T/body")" "401 28000"
st=$(mget /metrics -H "Authorization: Bearer agk_not_a_key_at_all")
check "unknown Bearer key: 401 28000" "$st $(jq -r .code "$T/body")" "401 28000"
st=$(mget /metrics -H "Authorization: Bearer $read_a")
check "read key as Bearer: 403 42501" "$st $(jq -r .code "$T/body")" "403 42501"
st=$(mget /metrics -H "X-API-Key: $ingest_a")
check "ingest key as X-API-Key: 403 42501" "$st $(jq -r .code "$T/body")" "403 42501"
st=$(mget /metrics -H "X-API-Key: $admin_a")
check "admin key as X-API-Key: 200" "$st" 200
check "admin key sees its home" "$(value 'agingos_home_last_event_timestamp_seconds{home_id="metrics-a"}')" 1766491200.000000
check "admin key does not see another home" "$(grep -c 'home_id="metrics-b"' "$T/body")" 0
check "agingos_homes counts the key's homes" "$(value agingos_homes)" 1
st=$(mget /metrics -H "Authorization: Bearer $admin_a")
check "admin key as Bearer: 200" "$st" 200
st=$(mget /metrics -H "Authorization: Bearer $TOKEN")
check "metrics token: 200" "$st" 200
check "metrics token sees every home" "$(value 'agingos_home_last_event_timestamp_seconds{home_id="metrics-b"}')" 1766494800.000000
st=$(mget /metrics -H "Authorization: bearer   $TOKEN  ")
check "Bearer scheme is case-insensitive, blanks around the token ignored" "$st" 200
st=$(mget /metrics -H "Authorization: Bearer ${TOKEN}x")
check "token with one more character: 401" "$st" 401
st=$(mget /metrics -H "Authorization: Basic $(printf 'u:%s' "$TOKEN" | base64 -w0)")
check "the token in Basic auth does not count: 401" "$st" 401
leak=0
for s in "$TOKEN" "$admin_a" "$read_a" "payload-secret-xyz"; do
	grep -rqF -- "$s" "$T/body" "$T/front.log" "$AG_E2E_RUN/log/" 2>/dev/null && leak=1
done
check "no token, key or payload in answers or logs" "$leak" 0

# -- a real Prometheus scrapes the front with the Bearer token
printf '%s\n' "$TOKEN" >"$T/token"
cp "$AG_ROOT/config/prometheus/agingos-alerts.yml" "$T/"
cat >"$T/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - agingos-alerts.yml
scrape_configs:
  - job_name: agingos
    scrape_timeout: 1s
    authorization:
      type: Bearer
      credentials_file: $T/token
    static_configs:
      - targets: ["127.0.0.1:$MPORT"]
YML
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$T/prometheus.log" 2>&1 &
ppid=$!
# pq QUERY: the first value of an instant query, or empty
pq() { curl -sS -m 5 -G "$PB/api/v1/query" --data-urlencode "query=$1" 2>/dev/null | jq -r '.data.result[0].value[1] // empty' 2>/dev/null; }
# pwait QUERY WANT: poll until QUERY gives WANT (at most 30 s); prints what it got
pwait() {
	local got=
	for _ in $(seq 1 60); do
		got=$(pq "$1")
		[ "$got" = "$2" ] && break
		sleep 0.5
	done
	echo "$got"
}
check "Prometheus scrapes the front with the Bearer token: up == 1" "$(pwait 'up{job="agingos"}' 1)" 1
check "Prometheus has agingos_up 1" "$(pwait 'agingos_up{job="agingos"}' 1)" 1
check "Prometheus has the request counters" "$(pwait 'count(agingos_http_requests_total{job="agingos"}) > bool 0' 1)" 1
check "Prometheus has both homes' last event" "$(pwait 'count(agingos_home_last_event_timestamp_seconds{home_id=~"metrics-.*"})' 2)" 2
check "Prometheus has the scheduler counters" "$(pwait 'count(agingos_scheduler_ticks_total)' 3)" 3
rules_ok=$(curl -sS -m 5 "$PB/api/v1/rules" | jq '[.data.groups[].rules[] | select(.health == "ok")] | length')
check "Prometheus loaded the shipped alert rules" "$rules_ok" "$(grep -c '^      - alert: ' "$T/agingos-alerts.yml")"

# -- the notifications outbox (docs/spec/contract.md §10): emitted only once its table exists
if [ "$(sql "SELECT to_regclass('agingos.notifications') IS NULL")" = t ]; then
	# before the outbox's release: a stand-in with the columns agingos_metrics() reads
	sql "CREATE TABLE agingos.notifications (home_id text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL, next_attempt_at timestamptz)" >/dev/null
	mget /metrics -H "Authorization: Bearer $TOKEN" >/dev/null
	check "no outbox rows: every status 0" \
		"$(value 'agingos_notifications{status="pending"}') $(value 'agingos_notifications{status="sent"}') $(value 'agingos_notifications{status="dead"}') $(value agingos_notifications_pending_overdue_seconds)" "0 0 0 0"
	sql "INSERT INTO agingos.notifications VALUES
		('metrics-a', 'pending', now() - interval '20 minutes', now() - interval '10 minutes'),
		('metrics-a', 'pending', now(), now() + interval '1 hour'),
		('metrics-a', 'sent', now() - interval '1 hour', NULL),
		('metrics-a', 'dead', now() - interval '2 hours', now() - interval '1 hour'),
		('metrics-b', 'pending', now() - interval '30 minutes', NULL)" >/dev/null
	mget /metrics -H "Authorization: Bearer $TOKEN" >/dev/null
	check "outbox by status, every home (token)" \
		"$(value 'agingos_notifications{status="pending"}') $(value 'agingos_notifications{status="sent"}') $(value 'agingos_notifications{status="dead"}')" "3 1 1"
	overdue=$(value agingos_notifications_pending_overdue_seconds)
	check "most overdue pending: metrics-b's, due 30 minutes ago" "$(awk -v v="$overdue" 'BEGIN { print (v >= 1800 && v < 1900) ? "yes" : v }')" yes
	mget /metrics -H "X-API-Key: $admin_a" >/dev/null
	check "outbox by status, the admin key's home only" \
		"$(value 'agingos_notifications{status="pending"}') $(value 'agingos_notifications{status="sent"}') $(value 'agingos_notifications{status="dead"}')" "2 1 1"
	overdue=$(value agingos_notifications_pending_overdue_seconds)
	check "most overdue pending of that home: due 10 minutes ago (a held one is not due)" "$(awk -v v="$overdue" 'BEGIN { print (v >= 600 && v < 700) ? "yes" : v }')" yes
	if out=$(promtool check metrics <"$T/body" 2>&1); then ok "with the outbox: promtool check metrics passes"
	else nok "with the outbox: promtool check metrics passes" "$(echo "$out" | head -3 | tr '\n' ' ')"; fi
	sql "DROP TABLE agingos.notifications" >/dev/null
	mget /metrics -H "Authorization: Bearer $TOKEN" >/dev/null
	check "without the outbox table: no agingos_notifications family" "$(grep -c '^# TYPE agingos_notifications' "$T/body")" 0
else
	mget /metrics -H "Authorization: Bearer $TOKEN" >/dev/null
	check "the outbox exists: agingos_notifications has pending, sent and dead" \
		"$(grep -cE '^agingos_notifications\{status="(pending|sent|dead)"\} [0-9]+$' "$T/body")" 3
	grep -q '^agingos_notifications_pending_overdue_seconds ' "$T/body" && ok "the outbox exists: overdue gauge present" ||
		nok "the outbox exists: overdue gauge present" "missing"
fi

# -- database outage: 200 with agingos_up 0 for the token, 503 for a key
db_stop
st=$(mget /metrics -H "Authorization: Bearer $TOKEN")
check "database down, token: 200 (not 503)" "$st" 200
check "database down: agingos_up 0" "$(value agingos_up)" 0
check "database down: the front's series are still there" "$(value 'agingos_events_ingested_total{outcome="accepted"}')" 3
if out=$(promtool check metrics <"$T/body" 2>&1); then ok "database down: promtool check metrics passes"
else nok "database down: promtool check metrics passes" "$(echo "$out" | head -3 | tr '\n' ' ')"; fi
st=$(mget /metrics -H "X-API-Key: $admin_a")
check "database down, admin key (cannot be checked): 503 08006" "$st $(jq -r .code "$T/body")" "503 08006"
st=$(mget /metrics)
check "database down, no credentials: 503 08006" "$st $(jq -r .code "$T/body")" "503 08006"
check "Prometheus sees agingos_up 0 while the front stays up" "$(pwait 'agingos_up{job="agingos"} == 0 and on() up{job="agingos"} == 1' 0)" 0
db_start
st=000
for _ in $(seq 1 50); do
	st=$(mget /metrics -H "Authorization: Bearer $TOKEN")
	[ "$st" = 200 ] && [ "$(value agingos_up)" = 1 ] && break
	sleep 0.2
done
check "database back: agingos_up 1 again" "$st $(value agingos_up)" "200 1"
