#!/usr/bin/env bash
# scripts/build.sh — build the extension and programs, install the extension
# (make install needs root: done directly, or through sudo).
. "$(dirname "$0")/lib.sh"
cd "$AG_ROOT" || exit 1
make -s PG_CONFIG="$PG_CONFIG" all programs >/dev/null || die "build failed (run 'make' to see the compiler output)"
as_root make -s PG_CONFIG="$PG_CONFIG" install >/dev/null || die "make install failed"
