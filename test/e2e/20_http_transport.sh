#!/usr/bin/env bash
# 20_http_transport.sh — the answers agingos-http gives by itself (contract.md §6):
# 404 unknown route, 405 wrong method, 413 body too large, 415 wrong content type,
# GET /health, and the text checks (NUL bytes, invalid UTF-8) the front makes before SQL.  Assumes a running front on 127.0.0.1:${AGINGOS_HTTP_PORT:-8000}
# backed by the real extension.  Prints "ok <name>" or "not ok <name> - why" per check
# and always exits 0 (the runner counts the lines).  Needs curl and jq.
set -uo pipefail

BASE="http://127.0.0.1:${AGINGOS_HTTP_PORT:-8000}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { echo "ok $1"; }
not_ok() { echo "not ok $1 - $2"; }

# req NAME CURL_ARGS...: run curl, leaving the status in $TMP/NAME.status, the body in
# $TMP/NAME.body and the headers in $TMP/NAME.headers.  A curl transport error after the
# response was read (the front closes a connection whose body it refused) is tolerated.
req() {
	local name=$1
	shift
	curl -s -m 20 -o "$TMP/$name.body" -D "$TMP/$name.headers" -w '%{http_code}' "$@" \
		>"$TMP/$name.status" 2>/dev/null || true
}

status_of() { cat "$TMP/$1.status" 2>/dev/null || echo 000; }
code_of() { jq -r '.code // empty' "$TMP/$1.body" 2>/dev/null || true; }
header_of() {
	grep -i "^$2:" "$TMP/$1.headers" 2>/dev/null | head -1 | sed 's/^[^:]*:[[:space:]]*//; s/\r$//' || true
}

# check_error NAME WANT_STATUS WANT_CODE: status, error code and the four members.
check_error() {
	local name=$1 want_status=$2 want_code=$3 status code
	status=$(status_of "$name")
	code=$(code_of "$name")
	if [ "$status" != "$want_status" ]; then
		not_ok "$name" "status $status, expected $want_status"
	elif [ "$code" != "$want_code" ]; then
		not_ok "$name" "code '$code', expected $want_code"
	elif ! jq -e 'has("code") and has("message") and has("details") and has("hint")' \
		"$TMP/$name.body" >/dev/null 2>&1; then
		not_ok "$name" "body lacks code/message/details/hint"
	else
		ok "$name"
	fi
}

# GET /health: 200 {"status":"ok"}, no key needed.
req health "$BASE/health"
if [ "$(status_of health)" = 200 ] && [ "$(jq -c . "$TMP/health.body" 2>/dev/null)" = '{"status":"ok"}' ]; then
	ok "health_200"
else
	not_ok "health_200" "status $(status_of health), body $(head -c 200 "$TMP/health.body" 2>/dev/null)"
fi

# Unknown route: 404 P0002; a trailing slash is not the same path.
req unknown_route "$BASE/no/such/route"
check_error unknown_route 404 P0002
req trailing_slash -X POST -H 'Content-Type: application/json' --data '{}' "$BASE/event/"
check_error trailing_slash 404 P0002

# Wrong method: 405 AG405 with an Allow header naming the right one.
req wrong_method -X DELETE "$BASE/event"
check_error wrong_method 405 AG405
allow=$(header_of wrong_method Allow)
if [ "$allow" = "POST" ]; then ok "wrong_method_allow_header"; else not_ok "wrong_method_allow_header" "Allow '$allow', expected POST"; fi
req health_post -X POST -H 'Content-Type: application/json' --data '{}' "$BASE/health"
check_error health_post 405 AG405

# Body over 1 MiB on /event: 413 AG413, by Content-Length and while chunked.
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$TMP/big.json"
req too_large -X POST -H 'Content-Type: application/json' --data-binary "@$TMP/big.json" "$BASE/event"
check_error too_large 413 AG413
req too_large_chunked -X POST -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
	--data-binary "@$TMP/big.json" "$BASE/event"
check_error too_large_chunked 413 AG413

# Wrong content type: 415 AG415 with a hint on how to set it.
req wrong_type -X POST -H 'Content-Type: text/plain' \
	--data '{"id":"e2e-415","timestamp":"2025-12-23T12:00:00Z","category":"motion"}' "$BASE/event"
check_error wrong_type 415 AG415
if jq -e '.hint | test("application/json")' "$TMP/wrong_type.body" >/dev/null 2>&1; then
	ok "wrong_type_hint"
else
	not_ok "wrong_type_hint" "hint does not say application/json"
fi
ctype=$(header_of wrong_type Content-Type)
case "$ctype" in
	application/json*) ok "error_content_type_json" ;;
	*) not_ok "error_content_type_json" "Content-Type '$ctype'" ;;
esac

# check_utf8 NAME: the body is valid UTF-8 (jq would silently repair it, iconv does not).
check_utf8() {
	if iconv -f UTF-8 -t UTF-8 "$TMP/$1.body" >/dev/null 2>&1; then
		ok "$1_body_utf8"
	else
		not_ok "$1_body_utf8" "body is not valid UTF-8: $(head -c 120 "$TMP/$1.body" | od -An -c | head -2 | tr -s ' ')"
	fi
}

# Request bytes echoed into an error body come back as valid UTF-8, cut short.
req echo_bad_ctype -X POST -H $'Content-Type: text/\xff\xfe' --data '{}' "$BASE/event"
check_error echo_bad_ctype 415 AG415
check_utf8 echo_bad_ctype
req echo_bad_path "$BASE/%ff%fe"
check_error echo_bad_path 404 P0002
check_utf8 echo_bad_path
req echo_cut_path "$BASE/%C3"
check_error echo_cut_path 404 P0002
check_utf8 echo_cut_path
req echo_long_path "$BASE/$(printf 'x%.0s' $(seq 1 2000))"
len=$(jq -r '.message | length' "$TMP/echo_long_path.body" 2>/dev/null || echo 9999)
if [ "$len" -le 120 ]; then ok "echo_long_path_cut"; else not_ok "echo_long_path_cut" "message is $len characters"; fi

# An encoded NUL in the path never routes: /event%00x is not /event.
req nul_path_post -X POST -H 'Content-Type: application/json' \
	--data '{"id":"e2e-nul-path","timestamp":"2025-12-23T12:00:00Z","category":"motion"}' "$BASE/event%00x"
check_error nul_path_post 404 P0002
req nul_path_patch -X PATCH -H 'Content-Type: application/json' --data '{"status":"ACK"}' "$BASE/deviations/1%00"
check_error nul_path_patch 404 P0002
if jq -e '.details | test("NUL")' "$TMP/nul_path_patch.body" >/dev/null 2>&1; then
	ok "nul_path_patch_not_routed"
else
	not_ok "nul_path_patch_not_routed" "the SQL function answered: $(head -c 160 "$TMP/nul_path_patch.body")"
fi
req nul_query "$BASE/events?category=a%00b"
check_error nul_query 400 22P05

# Invalid UTF-8 in the body or a query argument: the front answers 400 22021 itself.
printf '{"id":"e2e-bad-utf8","timestamp":"2025-12-23T12:00:00Z","category":"mo\xfftion"}' >"$TMP/bad_utf8.json"
req bad_utf8_body -X POST -H 'Content-Type: application/json' --data-binary "@$TMP/bad_utf8.json" "$BASE/event"
check_error bad_utf8_body 400 22021
if jq -e '.message == "request body is not valid UTF-8" and (.details | test("offset 70 "))' \
	"$TMP/bad_utf8_body.body" >/dev/null 2>&1; then
	ok "bad_utf8_body_offset"
else
	not_ok "bad_utf8_body_offset" "$(head -c 200 "$TMP/bad_utf8_body.body")"
fi
req bad_utf8_query "$BASE/events?category=mo%fftion"
check_error bad_utf8_query 400 22021
if jq -e '.message | test("query parameter \"category\"")' "$TMP/bad_utf8_query.body" >/dev/null 2>&1; then
	ok "bad_utf8_query_names_parameter"
else
	not_ok "bad_utf8_query_names_parameter" "$(head -c 200 "$TMP/bad_utf8_query.body")"
fi
req good_utf8_query "$BASE/events?category=%C3%A6&limit=1"
if [ "$(status_of good_utf8_query)" = 200 ]; then ok "good_utf8_query"; else not_ok "good_utf8_query" "status $(status_of good_utf8_query)"; fi

exit 0
