#!/usr/bin/env bash
# scripts/import_ha.sh — make import-ha FILE=history.csv MAP=entities.yaml HOME=<home_id>
# Imports a Home Assistant history export into the running `make up`
# cluster with bin/agingos-import-ha (docs/home-assistant.md, contract.md 13).
# The cluster can be another one: AGINGOS_PGHOST/AGINGOS_PGPORT (or PG* env).
# Exit status is the importer's: 0 done, 3 done with bad rows, 1 fatal, 2 usage.
. "$(dirname "$0")/lib.sh"
[ -n "${FILE:-}" ] || die "FILE= is required: make import-ha FILE=history.csv MAP=entities.yaml HOME=<home_id>"
[ -n "${MAP:-}" ] || die "MAP= is required: make import-ha FILE=history.csv MAP=entities.yaml HOME=<home_id>"
[ -n "${HOME_ID:-}" ] || die "HOME= is required (the home id the events belong to)"
[ -f "$FILE" ] || [ "$FILE" = - ] || die "FILE '$FILE' not found"
[ -f "$MAP" ] || die "MAP '$MAP' not found"
if [ -z "${AGINGOS_PGHOST:-}" ]; then
	[ -e "$AG_ROOT/.run" ] || die "no .run/ yet: run make up first (or set AGINGOS_PGHOST)"
	AGINGOS_PGHOST="$(run_dir)/sock"
fi
PGHOST=$AGINGOS_PGHOST PGPORT=$AGINGOS_PGPORT PGUSER=${PGUSER:-agingos} PGDATABASE=${PGDATABASE:-agingos} \
	exec "$AG_ROOT/bin/agingos-import-ha" --file "$FILE" --map "$MAP" --home "$HOME_ID" ${STREAM:+--stream "$STREAM"}
