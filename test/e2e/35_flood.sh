#!/usr/bin/env bash
# 35_flood: the front under a slow-loris flood (contract.md §12,
# docs/security.md "Machine and operations").  A second front on its own
# port (AGINGOS_FLOOD_HTTP_PORT, default 58095) against the test database,
# with AGINGOS_HTTP_MAX_PER_CLIENT=32 and AGINGOS_HTTP_REQUEST_TIMEOUT_S=8.
# The attacker (slowloris.py) keeps 1,050 connections that trickle header
# bytes from source address 127.0.0.2 (all of 127.0.0.0/8 is local on
# Linux; binding another loopback address makes it another client); GET
# /health from 127.0.0.1 must answer all the while.  The log stays bounded:
# one line per kind of limit event per 10 s.  Then X-Forwarded-For: believed
# only from a trusted proxy.  About 45 s.
. "$(dirname "$0")/lib.sh"
FP=${AGINGOS_FLOOD_HTTP_PORT:-58095}
ATTACK_S=${FLOOD_SECONDS:-25}
T=$(mktemp -d /tmp/ag_e2e_flood.XXXXXX)
chmod 755 "$T"
front_up() { # front_up ENV...: a front on FP with extra settings
	(
		. "$AG_ROOT/scripts/lib.sh"
		run_prepare "$T/run"
		env "$@" bash -c ". '$AG_ROOT/scripts/lib.sh'; http_start '$T/run' '$PGHOST' '$PGPORT' '$FP'"
	)
}
front_down() { ( . "$AG_ROOT/scripts/lib.sh"; http_stop "$T/run" ); }
trap 'front_down; rm -rf "$T"' EXIT

if ! front_up AGINGOS_HTTP_MAX_PER_CLIENT=32 AGINGOS_HTTP_REQUEST_TIMEOUT_S=8 AGINGOS_HTTP_THREADS=4 >"$T/up.log" 2>&1; then
	nok "flood: second front" "$(tail -3 "$T/up.log")"; exit 0
fi
LOG=$T/run/log/http.log
check "flood: front logs its limits" "$(grep -c 'event=start .*max_per_client=32 request_timeout_s=8' "$LOG")" 1
before=$(wc -l <"$LOG")

python3 "$AG_ROOT/test/e2e/slowloris.py" --port "$FP" --source 127.0.0.2 --connections 1050 --seconds "$ATTACK_S" >"$T/attack.out" 2>&1 &
attacker=$!
sleep 3
probes=0 answered=0 max_held=0
while kill -0 "$attacker" 2>/dev/null; do
	st=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FP/health")
	probes=$((probes + 1))
	[ "$st" = 200 ] && answered=$((answered + 1))
	held=$(ss -Htn state established "( sport = :$FP and dst 127.0.0.2 )" 2>/dev/null | wc -l)
	[ "$held" -gt "$max_held" ] && max_held=$held
	sleep 1
done
wait "$attacker"
echo "# attacker: $(cat "$T/attack.out")"
echo "# probes answered: $answered/$probes; most attacker connections held by the front at once: $max_held"
if [ "$probes" -ge 10 ] && [ "$answered" = "$probes" ]; then ok "flood: /health from 127.0.0.1 answered every time during the attack ($answered/$probes)"
else nok "flood: /health answered during the attack" "$answered of $probes probes got 200"; fi
# ss counts every socket the kernel has established, including the few in the
# listen backlog that the front has not accepted (and then refused) yet: a
# sample may see the limit (32) plus those, never hundreds.
if [ "$max_held" -le 36 ] && [ "$max_held" -gt 0 ]; then ok "flood: at most 32 connections held for the attacker's address, + backlog ($max_held)"
else nok "flood: at most 32 connections for one address (+ up to 4 not yet accepted)" "saw $max_held"; fi
closed=$(sed -n 's/.*closed_by_server=\([0-9]*\).*/\1/p' "$T/attack.out")
if [ "${closed:-0}" -gt 1000 ]; then ok "flood: the front closed the attacker's extra connections ($closed)"
else nok "flood: the front closed the attacker's extra connections" "closed_by_server=$closed"; fi

lines=$(tail -n +"$((before + 1))" "$LOG" | grep -vc 'event=request ')
echo "# log lines during the attack: $lines"; tail -n +"$((before + 1))" "$LOG" | grep -v 'event=request ' | head -5 | sed 's/^/#   /'
if [ "$lines" -le $(((ATTACK_S / 10 + 1) * 4 + 8)) ]; then ok "flood: log bounded ($lines lines in ${ATTACK_S} s)"
else nok "flood: log bounded" "$lines lines in ${ATTACK_S} s"; fi
check "flood: per-client limit logged" "$(tail -n +"$((before + 1))" "$LOG" | grep -c 'event=connection_limit .*kind=per_client' | awk '{ print ($1 >= 1) }')" 1
check "flood: request deadline cut slow senders" "$(tail -n +"$((before + 1))" "$LOG" | grep -c 'event=connection_limit .*kind=request_timeout .*last_client=127.0.0.2' | awk '{ print ($1 >= 1) }')" 1
check "flood: /health after the attack" "$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FP/health")" 200
check "flood: the test front still answers too" "$(status_of "$(get /health)")" 200

# X-Forwarded-For: only from a trusted proxy (127.0.0.3 here)
front_down
out=$(AGINGOS_TRUSTED_PROXIES="127.0.0.1,bogus" AGINGOS_HTTP_PORT=$FP "$AG_ROOT/bin/agingos-http" 2>&1; echo "rc=$?")
case "$out" in *"variable=AGINGOS_TRUSTED_PROXIES"*"rc=2") ok "flood: bad AGINGOS_TRUSTED_PROXIES is exit 2 naming the variable";;
	*) nok "flood: bad AGINGOS_TRUSTED_PROXIES" "got: $out";; esac
if front_up AGINGOS_TRUSTED_PROXIES=127.0.0.3 AGINGOS_LOG_LEVEL=debug >"$T/up2.log" 2>&1; then
	curl -s -o /dev/null -H 'X-Forwarded-For: 203.0.113.9' "http://127.0.0.1:$FP/health"
	curl -s -o /dev/null --interface 127.0.0.3 -H 'X-Forwarded-For: 198.51.100.7' "http://127.0.0.1:$FP/health"
	curl -s -o /dev/null --interface 127.0.0.3 -H 'X-Forwarded-For: 198.51.100.8, 127.0.0.3' "http://127.0.0.1:$FP/health"
	curl -s -o /dev/null --interface 127.0.0.3 -H 'X-Forwarded-For: not-an-address' "http://127.0.0.1:$FP/health"
	sleep 0.5
	check "flood: X-Forwarded-For from an untrusted peer is ignored, trusted proxy's is used" \
		"$(grep 'event=request ' "$LOG" | tail -4 | sed -n 's/.*client=\([^ ]*\).*/\1/p' | tr '\n' ' ')" \
		"127.0.0.1 198.51.100.7 198.51.100.8 127.0.0.3 "
else
	nok "flood: front with trusted proxies" "$(tail -3 "$T/up2.log")"
fi
