#!/usr/bin/env bash
# scripts/down.sh — make down: stop agingos-notify, agingos-http and the
# cluster; data kept.
. "$(dirname "$0")/lib.sh"
[ -e "$AGINGOS_RUN_DIR" ] || { say "nothing is running (no .run/)"; exit 0; }
RUN=$(run_dir)
notify_stop "$RUN"
http_stop "$RUN"
[ -f "$RUN/data/PG_VERSION" ] && pg_stop "$RUN/data"
say "down (data kept in .run/data)"
