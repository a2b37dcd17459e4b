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
mkdir -p "$W/test"
cp -r Makefile agingos.control sql expected "$W/" && cp test/regress.conf "$W/test/"
for t in $tests; do [ -f "$W/expected/$t.out" ] || : >"$W/expected/$t.out"; done
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$W"
# pg_regress through PGXS (make installcheck), only the named tests
as_pg env -u PGHOST -u PGPORT make -C "$W" -s installcheck PG_CONFIG="$PG_CONFIG" REGRESS="$tests" \
	EXTRA_REGRESS_OPTS="--port=${AGINGOS_REGRESS_PORT:-55434}" | grep -E '^(test|     |ok|not ok)'
for t in $tests; do cp "$W/results/$t.out" "expected/$t.out"; done
