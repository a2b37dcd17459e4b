#!/usr/bin/env bash
# test/tools/test.sh — make test: install what is missing, build, then run the
# whole suite on throwaway clusters (own ports, own data dirs under /tmp;
# never touches the `make up` cluster):
#   1. clang-format check of the C sources
#   2. pg_regress over sql/*.sql: make installcheck (temp instance, pg_cron preloaded)
#   3. end-to-end tests test/e2e/*.sh against a fresh cluster + agingos-http
# Prints one line per test and ends with "N passed, N failed".
. "$(dirname "$0")/../../scripts/lib.sh"
"$AG_ROOT/scripts/deps.sh" || exit 1
"$AG_ROOT/scripts/build.sh" || exit 1
cd "$AG_ROOT" || exit 1

TEST_PGPORT=${AGINGOS_TEST_PGPORT:-55432}
TEST_HTTP_PORT=${AGINGOS_TEST_HTTP_PORT:-58080}
REGRESS_PORT=${AGINGOS_REGRESS_PORT:-55433}
pass=0 fail=0
W=$(mktemp -d /tmp/agingos-test.XXXXXX)
chmod 755 "$W"
cleanup() {
	[ -n "${E2E_RUN:-}" ] && throwaway_down "$E2E_RUN"
	rm -rf "$W"
}
trap cleanup EXIT

result() { # result NAME OK(0/1) [why]
	if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok $1"
	else fail=$((fail + 1)); echo "not ok $1${3:+ - $3}"; fi
}

# 1. formatting (style.md 2.10)
if make -s format-check >"$W/format.log" 2>&1; then result format-check 0
else result format-check 1 "clang-format differs; run make format"; head -20 "$W/format.log"; fi

# 2. pg_regress through PGXS (make installcheck: REGRESS and REGRESS_OPTS of
# the Makefile) in a copy postgres can write (root cannot run initdb)
mkdir -p "$W/regress/test"
cp -r Makefile agingos.control sql expected "$W/regress/" && cp test/regress.conf "$W/regress/test/"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$W/regress"
as_pg env -u PGHOST -u PGPORT make -C "$W/regress" -s installcheck PG_CONFIG="$PG_CONFIG" \
	EXTRA_REGRESS_OPTS="--port=$REGRESS_PORT" >"$W/regress.log" 2>&1
while read -r name status; do
	result "regress/$name" "$([ "$status" = ok ] && echo 0 || echo 1)"
done < <(sed -n 's/^\(test \|     \)\?\([a-z0-9_]\+\) \+\.\.\. \([a-zA-Z]\+\).*/\2 \3/p' "$W/regress.log")
if ! grep -q '\.\.\. ok' "$W/regress.log"; then
	result regress/run 1 "pg_regress did not run"; cat "$W/regress.log"
fi
if [ -s "$W/regress/regression.diffs" ]; then
	echo "---- regression.diffs (first 200 lines) ----"; head -200 "$W/regress/regression.diffs"; echo "----"
fi

# 3. end-to-end on a fresh cluster and front
E2E_RUN="$W/e2e"
throwaway_up "$E2E_RUN" "$TEST_PGPORT" "$TEST_HTTP_PORT"
export AG_ROOT AG_E2E_RUN="$E2E_RUN" AGINGOS_HTTP_PORT="$TEST_HTTP_PORT" PGBIN \
	PGHOST="$E2E_RUN/sock" PGPORT="$TEST_PGPORT" PGUSER=agingos PGDATABASE=agingos \
	PGPASSFILE="$E2E_RUN/secrets/pgpass"
for t in test/e2e/[0-9]*.sh; do
	[ -f "$t" ] || continue
	t0=$SECONDS
	out=$(bash "$t" 2>&1)
	echo "$out" | grep -E '^(ok|not ok|#) ' | sed "s#^\(ok\|not ok\) #\1 e2e/$(basename "$t" .sh)/#"
	echo "# e2e/$(basename "$t" .sh): $((SECONDS - t0)) s"
	pass=$((pass + $(echo "$out" | grep -c '^ok ')))
	fail=$((fail + $(echo "$out" | grep -c '^not ok ')))
	if ! echo "$out" | grep -qE '^(ok|not ok) '; then
		fail=$((fail + 1)); echo "not ok e2e/$(basename "$t" .sh) - printed no result"; echo "$out" | tail -20
	fi
done

# 4. the fuzz targets, briefly (make fuzz FUZZ_SECONDS=... for long runs);
# the event target uses the e2e cluster
out=$(FUZZ_SECONDS=${AGINGOS_TEST_FUZZ_SECONDS:-8} FUZZ_PGHOST_GIVEN=1 FUZZ_OUT="$W/fuzz" \
	FUZZ_ARTIFACTS="$W/fuzz/artifacts" test/tools/fuzz.sh 2>&1)
echo "$out" | grep -E '^(ok|not ok|#) '
pass=$((pass + $(echo "$out" | grep -c '^ok ')))
fail=$((fail + $(echo "$out" | grep -c '^not ok ')))
if ! echo "$out" | grep -qE '^(ok|not ok) '; then fail=$((fail + 1)); echo "not ok fuzz - printed no result"; echo "$out" | tail -10; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
