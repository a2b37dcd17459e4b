#!/usr/bin/env bash
# scripts/reload_config.sh — make reload-config: load AGINGOS_CONFIG into the
# running database and reschedule the scheduler job.
. "$(dirname "$0")/lib.sh"
[ -e "$AGINGOS_RUN_DIR" ] || die "no .run/ yet: run make up first"
RUN=$(run_dir)
cd "$AG_ROOT" && db_load_config "$RUN/sock" "$AGINGOS_PGPORT" "$AGINGOS_CONFIG"
if db_has_function "$RUN/sock" "$AGINGOS_PGPORT" agingos_schedule && [ "$SCHEDULER_ENABLED" != 0 ]; then
	psql_at "$RUN/sock" "$AGINGOS_PGPORT" agingos -tA -c "SELECT agingos.agingos_schedule()" >/dev/null && say "rescheduled agingos-scheduler"
fi
