#!/usr/bin/env bash
# scripts/psql.sh — make psql: psql as agingos on the running cluster.
# With SQL="…" runs that one statement; extra arguments go to psql.
. "$(dirname "$0")/lib.sh"
[ -e "$AGINGOS_RUN_DIR" ] || die "no .run/ yet: run make up first"
RUN=$(run_dir)
if [ -n "${SQL:-}" ]; then
	exec "$PGBIN/psql" -X -v ON_ERROR_STOP=1 -h "$RUN/sock" -p "$AGINGOS_PGPORT" -U agingos -d agingos -c "$SQL" "$@"
fi
exec "$PGBIN/psql" -X -v ON_ERROR_STOP=1 -h "$RUN/sock" -p "$AGINGOS_PGPORT" -U agingos -d agingos "$@"
