#!/usr/bin/env bash
# test/bench/front_callgrind.sh BIN LABEL OUTDIR PGSOCK PGPORT HTTPPORT N — make bench,
# section 7: run agingos-http BIN (one worker) under callgrind, send N POST /event
# (new events, one connection each), stop it and print the instructions per request
# spent in the front's request callbacks (access_handler + request_completed,
# inclusive: libpq and libmicrohttpd calls made from them included).
bin=$1 label=$2 out=$3 sock=$4 pgport=$5 port=$6 n=${7:-500}
AGINGOS_HTTP_PORT=$port AGINGOS_PGHOST=$sock AGINGOS_PGPORT=$pgport AGINGOS_PGUSER=agingos_http \
	AGINGOS_PGDATABASE=agingos AGINGOS_HTTP_THREADS=1 \
	valgrind --tool=callgrind --callgrind-out-file="$out/cg.$label.out" "$bin" >"$out/cg.$label.log" 2>&1 &
vp=$!
for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.3; done
for i in $(seq 1 "$n"); do
	curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
		--data-binary "{\"id\":\"cg-$label-$$-$i\",\"timestamp\":\"2025-12-23T12:00:00Z\",\"category\":\"motion\"}" "http://127.0.0.1:$port/event"
done
kill "$vp"; wait "$vp" 2>/dev/null
callgrind_annotate --inclusive=yes "$out/cg.$label.out" 2>/dev/null |
	awk -v n="$n" -v l="$label" '$NF ~ /^\[/ && ($3 ~ /:access_handler$/ || $3 ~ /:request_completed$/) { gsub(",", "", $1); s += $1 }
		END { printf "%s: %.0f instructions per request in access_handler + request_completed\n", l, s / n }'
