#!/usr/bin/env bash
# scripts/backup.sh — make backup [BACKUP=dir]: roles + pg_dump of the
# running make-up cluster into BACKUP (default backups/<UTC time>), mode 0700.
. "$(dirname "$0")/lib.sh"
[ -e "${AGINGOS_RUN_DIR:-$AG_ROOT/.run}" ] || die "no .run/ yet: run make up first"
RUN=$(run_dir)
OUT=${BACKUP:-$AG_ROOT/backups/$(date -u +%Y%m%dT%H%M%SZ)}
db_backup "$RUN/sock" "$AGINGOS_PGPORT" "$OUT"
