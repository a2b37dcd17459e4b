#!/usr/bin/env bash
# test/tools/fuzz.sh — make fuzz: build the libFuzzer targets of test/fuzz/
# (clang -fsanitize=fuzzer,address,undefined) into bin/fuzz/ and run each
# for FUZZ_SECONDS (default 60) on a copy of its seed corpus
# test/fuzz/corpus/<target>/ (docs/security.md "Fuzzing").
#   front   src/http request handling before libpq (routes, UTF-8, errors, X-Forwarded-For)
#   config  the YAML config loader (src/config_yaml.c + config_error.c + config_types.c + config_schema.c + config_build.c)
#   event   the event validator and timestamp grammar through a backend (libpq)
# FUZZ_TARGETS="front config event" picks targets.  The event target uses the
# cluster in PGHOST/PGPORT when FUZZ_PGHOST_GIVEN=1 (make test), else starts a
# throwaway cluster on AGINGOS_FUZZ_PGPORT (default 55484).  Crashes are kept
# in FUZZ_ARTIFACTS (default bin/fuzz/artifacts).  One line per target:
# "ok fuzz/<t> ..." or "not ok fuzz/<t> - ..."; exit 1 on any crash.
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$AG_ROOT" || exit 1
SECS=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-front config event}
OUT=${FUZZ_OUT:-$AG_ROOT/bin/fuzz}
ART=${FUZZ_ARTIFACTS:-$OUT/artifacts}
FPORT=${AGINGOS_FUZZ_PGPORT:-55484}
command -v clang >/dev/null || die "clang is missing (Debian packages clang and libfuzzer-14-dev; make deps)"
mkdir -p "$OUT" "$ART"
W=$(mktemp -d /tmp/agingos-fuzz.XXXXXX); chmod 755 "$W"
OWN=0
cleanup() { [ "$OWN" = 1 ] && pg_stop "$W/run/data" >/dev/null 2>&1; rm -rf "$W"; }
trap cleanup EXIT

SAN="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
H=src/http C=src/common
PGINC=$("$PG_CONFIG" --includedir) PGSRV=$("$PG_CONFIG" --includedir-server) PGPKG=$("$PG_CONFIG" --pkglibdir)
build() {
	case $1 in
		front) clang $SAN -I$H -I$C $(pkg-config --cflags libmicrohttpd) -I"$PGINC" test/fuzz/fuzz_front.c \
				$H/routes.c $H/checks.c $H/params.c $C/utf8.c $H/errors.c $H/json.c $H/client.c $C/log.c \
				-o "$OUT/fuzz_front" $(pkg-config --libs libmicrohttpd) ;;
		config) clang $SAN -w -Isrc -Itest/fuzz -I"$PGSRV" test/fuzz/fuzz_config.c test/fuzz/pgstub.c \
				src/config_yaml.c src/config_error.c src/config_types.c src/config_schema.c src/config_build.c -L"$PGPKG" -lpgport -lyaml -lm \
				-o "$OUT/fuzz_config" ;;
		event) clang $SAN -I"$PGINC" test/fuzz/fuzz_event.c -L"$("$PG_CONFIG" --libdir)" -lpq -o "$OUT/fuzz_event" ;;
		*) die "unknown fuzz target '$1' (front, config, event)" ;;
	esac
}

fail=0
for t in $TARGETS; do
	if ! build "$t" >"$W/build-$t.log" 2>&1; then
		echo "not ok fuzz/$t - build failed"; grep -m5 error "$W/build-$t.log"; fail=1; continue
	fi
	if [ "$t" = event ] && [ "${FUZZ_PGHOST_GIVEN:-0}" != 1 ] && [ "$OWN" = 0 ]; then
		port_busy "$FPORT" && die "port $FPORT is in use; set AGINGOS_FUZZ_PGPORT"
		( run_prepare "$W/run"; pg_ready "$W/run/data" "$FPORT" "$W/run/sock" "$W/run/log/postgres.log"
		  db_setup "$W/run/sock" "$FPORT" ) >"$W/cluster.log" 2>&1 || { cat "$W/cluster.log"; die "fuzz cluster failed"; }
		OWN=1
		export PGHOST="$W/run/sock" PGPORT="$FPORT" PGUSER=agingos PGDATABASE=agingos
	fi
	mkdir -p "$W/corpus/$t"
	cp test/fuzz/corpus/"$t"/* "$W/corpus/$t/" 2>/dev/null
	before=$(ls "$ART" | wc -l)
	nice -n "${FUZZ_NICE:-0}" "$OUT/fuzz_$t" -max_total_time="$SECS" -print_final_stats=1 -timeout=20 \
		-rss_limit_mb=4096 -artifact_prefix="$ART/$t-" "$W/corpus/$t" >"$W/run-$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$W/run-$t.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$W/run-$t.log")
	crashes=$(( $(ls "$ART" | wc -l) - before ))
	if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]; then
		echo "ok fuzz/$t: ${execs:-?} execs in ${SECS} s (${rate:-?}/s), 0 crashes, corpus $(ls "$W/corpus/$t" | wc -l)"
	else
		fail=1
		echo "not ok fuzz/$t - exit $rc, $crashes new artifact(s) in $ART"
		grep -m3 -E 'ERROR|SUMMARY|fuzz_event:' "$W/run-$t.log" | sed 's/^/# /'
	fi
done
exit "$fail"
