#!/usr/bin/env bash
# test/tools/regress-accept.sh TEST… — developer tool: run pg_regress for the
# named tests (all when none) and copy their results/*.out over expected/.
# Review `git diff expected/` line by line before committing: the expected
# files assert real values.
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$AG_ROOT" || exit 1
W=$(mktemp -d /tmp/agingos-accept.XXXXXX); chmod 755 "$W"; trap 'rm -rf "$W"' EXIT
tests=${*:-$(make -s -f - print-regress <<'MK'
include Makefile
print-regress:
	@echo $(REGRESS)
MK
)}
cp -r sql expected "$W/" && cp test/regress.conf "$W/"
for t in $tests; do [ -f "$W/expected/$t.out" ] || : >"$W/expected/$t.out"; done
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$W"
PGXS_DIR=$(dirname "$("$PG_CONFIG" --pgxs)")
as_pg "$PGXS_DIR/../test/regress/pg_regress" --temp-instance="$W/tmp_check" --temp-config="$W/regress.conf" \
	--load-extension=pg_cron --load-extension=agingos --inputdir="$W" --outputdir="$W" \
	--bindir="$PGBIN" --port="${AGINGOS_REGRESS_PORT:-55434}" --dbname=contrib_regression $tests | grep -E '^(test|     |ok|not ok)'
for t in $tests; do cp "$W/results/$t.out" "expected/$t.out"; done
