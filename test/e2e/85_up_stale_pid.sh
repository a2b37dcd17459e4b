#!/usr/bin/env bash
# 85_up_stale_pid: issue 9 item 3.  make up (scripts/up.sh) on its own run
# directory and ports trusts .run/http.pid only when it names a live
# agingos-http of this checkout that answers /health; otherwise it starts the
# front.  Cases: the front killed with kill -9; the pid file naming a zombie
# (kill -0 passes for it); the pid file naming another live program (a reused
# pid), which make up and make down leave alone.
# Ports: AGINGOS_TEST_UP_PGPORT (55472), AGINGOS_TEST_UP_HTTP_PORT (58112).
# About 20 s.
. "$(dirname "$0")/lib.sh"

W=$(mktemp -d /tmp/agingos-e2e-up.XXXXXX)
chmod 755 "$W"
export AGINGOS_RUN_DIR="$W/run" AGINGOS_PGPORT=${AGINGOS_TEST_UP_PGPORT:-55472}
export AGINGOS_HTTP_PORT=${AGINGOS_TEST_UP_HTTP_PORT:-58112} AGINGOS_AUTH_MODE=none SCHEDULER_ENABLED=0
UPBASE="http://127.0.0.1:$AGINGOS_HTTP_PORT"
others=()
cleanup() {
	local p
	for p in "${others[@]}"; do kill "$p" 2>/dev/null; done
	p=$(cat "$W/run/http.pid" 2>/dev/null)
	[ -n "$p" ] && [ "$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | head -1)" = "$AG_ROOT/bin/agingos-http" ] && kill "$p"
	bash "$AG_ROOT/scripts/down.sh" >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT

front_pid() { cat "$W/run/http.pid" 2>/dev/null; }
# is_front PID: a live (non-zombie) agingos-http of this checkout
is_front() {
	local st
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$(tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | head -1)" = "$AG_ROOT/bin/agingos-http" ]
}
health() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$UPBASE/health"; }
# up_case NAME: make up, then: exit 0, prints "up:", /health 200, http.pid a live front
up_case() {
	local rc pid
	bash "$AG_ROOT/scripts/up.sh" >"$W/up.out" 2>&1
	rc=$?
	pid=$(front_pid)
	if [ "$rc" = 0 ] && grep -q 'agingos: up:' "$W/up.out" && [ "$(health)" = 200 ] && is_front "$pid"; then
		ok "make up $1: up, /health 200, http.pid names a live agingos-http"
	else
		nok "make up $1: up, /health 200, http.pid names a live agingos-http" \
			"exit $rc, /health $(health), pid '$pid' front: $(is_front "$pid" && echo yes || echo no); $(tail -3 "$W/up.out" | tr '\n' ' ')"
	fi
}
# kill_front: kill -9 the running front and wait until it is gone or a zombie
kill_front() {
	local pid st
	pid=$(front_pid)
	kill -9 "$pid" 2>/dev/null
	for _ in $(seq 1 50); do
		st=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
		[ -z "$st" ] || [ "$st" = Z ] && break
		sleep 0.1
	done
}

up_case "on a fresh run directory"
first=$(front_pid)
cfgv() { bash -c '. "$1/scripts/lib.sh"; psql_at "$2" "$3" agingos -tA -c "SELECT count(*) FROM agingos.config"' _ "$AG_ROOT" "$W/run/sock" "$AGINGOS_PGPORT" 2>&1; }
versions=$(cfgv)

kill_front
up_case "after kill -9 of agingos-http"
if [ "$(front_pid)" != "$first" ]; then ok "make up after kill -9: a new front was started"
else nok "make up after kill -9: a new front was started" "http.pid still names $first"; fi

# a zombie: the child exits (after the exec, so bash cannot reap it first), its parent (exec'd into sleep) never reaps it
kill_front
bash -c 'sleep 0.5 & echo $! >"$1/zombie.pid"; exec sleep 120' _ "$W" &
others+=($!)
for _ in $(seq 1 50); do
	z=$(cat "$W/zombie.pid" 2>/dev/null)
	[ -n "$z" ] && [ "$(sed 's/^.*) //' "/proc/$z/stat" 2>/dev/null | cut -d' ' -f1)" = Z ] && break
	sleep 0.1
done
if [ -n "$z" ] && kill -0 "$z" 2>/dev/null; then
	cp "$W/zombie.pid" "$W/run/http.pid"
	up_case "with http.pid naming a zombie (kill -0 passes)"
else
	nok "make up with http.pid naming a zombie" "could not make a zombie for the test"
fi

# a reused pid: another live program
kill_front
sleep 300 &
foreign=$!
others+=("$foreign")
echo "$foreign" >"$W/run/http.pid"
up_case "with http.pid naming another program (reused pid)"
if kill -0 "$foreign" 2>/dev/null; then ok "make up left the other program alone"; else nok "make up left the other program alone" "pid $foreign is gone"; fi

# make down with a foreign pid in http.pid signals nothing
real=$(front_pid)
echo "$foreign" >"$W/run/http.pid"
bash -c '. "$1/scripts/lib.sh"; http_stop "$2"' _ "$AG_ROOT" "$W/run"
if kill -0 "$foreign" 2>/dev/null; then ok "http_stop (make down) does not signal a pid that is not our front"
else nok "http_stop (make down) does not signal a pid that is not our front" "pid $foreign was killed"; fi
echo "$real" >"$W/run/http.pid"

# make up with the front alive and answering changes nothing
up_case "with the front running"
check "make up with the front running keeps that front" "$(front_pid)" "$real"
# the same config/rules.yaml is not loaded again as a new version (scripts/lib.sh db_load_config_changed)
check "make up four times: one config version (${versions})" "$(cfgv)" "$versions"
grep -q 'config .* unchanged (active version' "$W/up.out" && ok "make up says the config is unchanged" ||
	nok "make up says the config is unchanged" "$(grep config "$W/up.out" | head -2 | tr '\n' ' ')"
bash "$AG_ROOT/scripts/down.sh" >/dev/null 2>&1
if is_front "$real"; then nok "make down stops the front" "pid $real still runs"; else ok "make down stops the front"; fi
