#!/usr/bin/env bash
# scripts/up.sh — make up: packages, build + install, cluster under .run/,
# extensions, config, scheduler, agingos-http (waits for /health 200) and
# agingos-notify (the relay of carer notifications).
. "$(dirname "$0")/lib.sh"
case "$AGINGOS_AUTH_MODE" in ''|none|api_key) ;; *) die "AGINGOS_AUTH_MODE must be none or api_key, not '$AGINGOS_AUTH_MODE'";; esac
check_api_key
# the Bearer token of GET /metrics (docs/ops/monitoring.md); agingos-http checks it too
if [ -n "${AGINGOS_METRICS_TOKEN:-}" ] && { [ ${#AGINGOS_METRICS_TOKEN} -lt 24 ] || [[ "$AGINGOS_METRICS_TOKEN" =~ [^!-~] ]]; }; then
	die "AGINGOS_METRICS_TOKEN must be at least 24 visible ASCII characters without spaces (e.g. AGINGOS_METRICS_TOKEN=\$(openssl rand -hex 24)); it has ${#AGINGOS_METRICS_TOKEN}"
fi
"$AG_ROOT/scripts/deps.sh" || exit 1
"$AG_ROOT/scripts/build.sh" || exit 1
RUN=$(run_dir)
pg_ready "$RUN/data" "$AGINGOS_PGPORT" "$RUN/sock" "$RUN/log/postgres.log"
db_setup "$RUN/sock" "$AGINGOS_PGPORT"
db_auth "$RUN/sock" "$AGINGOS_PGPORT"
cd "$AG_ROOT" && db_load_config_changed "$RUN/sock" "$AGINGOS_PGPORT" "$AGINGOS_CONFIG"
if db_has_function "$RUN/sock" "$AGINGOS_PGPORT" agingos_schedule; then
	if [ "$SCHEDULER_ENABLED" = 0 ]; then
		psql_at "$RUN/sock" "$AGINGOS_PGPORT" agingos -tA -c "SELECT agingos.agingos_unschedule()" >/dev/null
		say "scheduler off (SCHEDULER_ENABLED=0)"
	else
		psql_at "$RUN/sock" "$AGINGOS_PGPORT" agingos -tA -c "SELECT agingos.agingos_schedule()" >/dev/null
		say "scheduler job agingos-scheduler scheduled"
	fi
fi
http_start "$RUN" "$RUN/sock" "$AGINGOS_PGPORT" "$AGINGOS_HTTP_PORT"
notify_start "$RUN" "$RUN/sock" "$AGINGOS_PGPORT" "$AGINGOS_HTTP_PORT"
say "up: PostgreSQL on 127.0.0.1:$AGINGOS_PGPORT (database agingos), HTTP on http://127.0.0.1:$AGINGOS_HTTP_PORT, auth $(db_auth_mode "$RUN/sock" "$AGINGOS_PGPORT")"
if [ "$AGINGOS_PGPORT" = 5432 ]; then say "try: make psql SQL=\"select count(*) from events;\""
else say "try: AGINGOS_PGPORT=$AGINGOS_PGPORT make psql SQL=\"select count(*) from events;\" (make psql, make down need the same AGINGOS_PGPORT)"; fi
