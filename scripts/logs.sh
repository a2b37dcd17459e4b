#!/usr/bin/env bash
# scripts/logs.sh — make logs: follow the server log, the front's log and
# the relay's log (.run/log/notify.log).
. "$(dirname "$0")/lib.sh"
[ -e "$AGINGOS_RUN_DIR" ] || die "no .run/ yet: run make up first"
RUN=$(run_dir)
exec tail -n 50 -F "$RUN/log/postgres.log" "$RUN/log/http.log" "$RUN/log/notify.log"
