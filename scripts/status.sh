#!/usr/bin/env bash
# scripts/status.sh — make status: a terminal summary of the running
# `make up` system (docs/ops/monitoring.md): the front, the database, the
# scheduler (scheduler_status), homes and their deviations (homes_status),
# and the notifications outbox when it exists.  Reads only.
# HOMES_SHOWN (default 10): how many homes to list, longest silence first.
. "$(dirname "$0")/lib.sh"
[ -e "$AG_ROOT/.run" ] || die "no .run/ yet: run make up first"
RUN=$(run_dir)
SHOWN=${HOMES_SHOWN:-10}
case "$SHOWN" in '' | *[!0-9]*) die "HOMES_SHOWN must be a whole number, not '$SHOWN'" ;; esac
Q() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN/sock" -p "$AGINGOS_PGPORT" -U agingos -d agingos "$@"; }

echo "agingos status — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
front=$(curl -sS -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$AGINGOS_HTTP_PORT/health" 2>/dev/null)
if [ -f "$RUN/http.pid" ] && kill -0 "$(cat "$RUN/http.pid")" 2>/dev/null; then
	echo "front:     agingos-http pid $(cat "$RUN/http.pid") on 127.0.0.1:$AGINGOS_HTTP_PORT, GET /health $front"
else
	echo "front:     agingos-http is not running (GET /health on 127.0.0.1:$AGINGOS_HTTP_PORT: ${front:-no answer})"
fi
if ! Q -tA -c "SELECT 1" >/dev/null 2>&1; then
	echo "database:  not reachable on 127.0.0.1:$AGINGOS_PGPORT (make up starts it; AGINGOS_PGPORT must match)"
	exit 1
fi
Q -tA -c "SELECT 'database:  PostgreSQL ' || current_setting('server_version') || ' on 127.0.0.1:' || current_setting('port')
	|| ', agingos ' || (SELECT extversion FROM pg_extension WHERE extname = 'agingos')
	|| ', auth ' || (SELECT value FROM agingos.settings WHERE name = 'auth_mode')
	|| ', config version ' || coalesce((SELECT max(version)::text FROM agingos.config), 'none')
	|| ', size ' || pg_size_pretty(pg_database_size(current_database()))"
Q -tA -c "SELECT 'scheduler: ' || CASE WHEN s.job_active THEN 'job active (' || s.schedule || ')' ELSE 'job NOT active' END
	|| ', every ' || s.interval_minutes || ' min; last tick '
	|| coalesce(agingos.agingos_iso(s.last_tick_at) || ' (' || to_char(s.lag, 'HH24:MI:SS') || ' ago) ' || s.last_status
		|| ' in ' || s.last_duration_ms || ' ms', 'never')
	|| E'\n           last hour: ' || s.ticks_last_hour || ' ticks, ' || s.errors_last_hour || ' failed, '
	|| s.skipped_last_hour || ' skipped, ' || s.rules_failed_last_hour || ' rule evaluations failed, max '
	|| coalesce(s.max_duration_ms_last_hour::text, '-') || ' ms'
	|| coalesce(E'\n           last error: ' || s.last_error, '')
	|| CASE WHEN s.lag > 3 * s.interval_minutes * interval '1 minute' THEN E'\n           STALLED: no tick for more than 3 intervals' ELSE '' END
	FROM agingos.scheduler_status s"
Q -tA -c "SELECT 'homes:     ' || count(*) || ' homes, ' || count(*) FILTER (WHERE last_event_at IS NULL) || ' without events, '
	|| count(*) FILTER (WHERE lag > interval '1 hour') || ' silent for more than 1 h; active deviations: '
	|| coalesce(sum(active_high), 0) || ' HIGH, ' || coalesce(sum(active_medium), 0) || ' MEDIUM, '
	|| coalesce(sum(active_low), 0) || ' LOW (' || coalesce(sum(open_unacked), 0) || ' not acknowledged)'
	FROM agingos.homes_status"
if [ "$(Q -tA -c "SELECT to_regclass('agingos.notifications') IS NOT NULL")" = t ]; then
	Q -tA -c "SELECT 'notify:    ' || string_agg(s || ' ' || coalesce(n, 0), ', ' ORDER BY s)
		FROM (VALUES ('pending'), ('sent'), ('dead')) v(s)
		LEFT JOIN (SELECT status, count(*) AS n FROM agingos.notifications GROUP BY status) c ON c.status = v.s"
fi
echo
echo "homes, longest silence first (at most $SHOWN; SELECT * FROM homes_status for all):"
Q -P footer=off -v shown="$SHOWN" <<<"SELECT home_id, coalesce(agingos.agingos_iso(last_event_at), '-') AS last_event,
	coalesce(justify_hours(date_trunc('second', lag))::text, '-') AS lag,
	active_high AS high, active_medium AS medium, active_low AS low, open_unacked AS unacked, contacts
	FROM agingos.homes_status ORDER BY last_event_at ASC NULLS FIRST, home_id LIMIT (:'shown')::int"
