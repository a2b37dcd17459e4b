#!/usr/bin/env bash
# scripts/restore.sh — make restore BACKUP=dir [RESTORE_FORCE=1]: stop the
# front, restore roles and database agingos from a make backup directory
# into the make-up cluster (starting it if needed), start the front again.
. "$(dirname "$0")/lib.sh"
[ -n "${BACKUP:-}" ] || die "give the backup directory: make restore BACKUP=backups/<time>"
RUN=$(run_dir)
pg_ready "$RUN/data" "$AGINGOS_PGPORT" "$RUN/sock" "$RUN/log/postgres.log"
http_stop "$RUN"
db_restore "$RUN/sock" "$AGINGOS_PGPORT" "$BACKUP" "${RESTORE_FORCE:-0}"
db_setup "$RUN/sock" "$AGINGOS_PGPORT"
http_start "$RUN" "$RUN/sock" "$AGINGOS_PGPORT" "$AGINGOS_HTTP_PORT"
say "restore done: auth mode $(psql_at "$RUN/sock" "$AGINGOS_PGPORT" agingos -tA -c "SELECT value FROM agingos.settings WHERE name = 'auth_mode'")"
