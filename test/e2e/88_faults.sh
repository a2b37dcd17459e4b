#!/usr/bin/env bash
# 88_faults: crashes under load (contract.md §12, docs/security.md "Machine
# and operations").  A private system started by scripts/up.sh itself
# (AGINGOS_RUN_DIR, ports AGINGOS_FAULT_PGPORT=55483 and
# AGINGOS_FAULT_HTTP_PORT=58096) takes ~200 events/s (loadgen.py) while
#   A. the front is killed with SIGKILL, and make up (scripts/up.sh) starts it again;
#   B. the postmaster is killed with SIGKILL and started again; the front
#      reconnects by itself (same pid).
# After each: every acknowledged (2xx) id is stored, exactly once.  About 60 s.
. "$(dirname "$0")/lib.sh"
PGP=${AGINGOS_FAULT_PGPORT:-55483}
HP=${AGINGOS_FAULT_HTTP_PORT:-58096}
T=$(mktemp -d /tmp/ag_e2e_faults.XXXXXX)
chmod 755 "$T"
trap 'cluster_down "$T/run"; rm -rf "$T"' EXIT
up() { AGINGOS_RUN_DIR="$T/run" AGINGOS_PGPORT=$PGP AGINGOS_HTTP_PORT=$HP SCHEDULER_ENABLED=0 bash "$AG_ROOT/scripts/up.sh"; }
Q() { "$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -h "$T/run/sock" -p "$PGP" -U agingos -d agingos "$@"; }
front_pid() { cat "$T/run/http.pid" 2>/dev/null; }

# stored_check NAME FILE: every id in FILE is in events once
stored_check() {
	local name=$1 file=$2 n missing
	n=$(grep -c . "$file")
	missing=$(Q -c "CREATE TEMP TABLE acked (id text); COPY acked FROM STDIN; SELECT count(*) FROM acked a WHERE (SELECT count(*) FROM events e WHERE e.event_id = a.id) <> 1" <"$file" 2>&1 | tail -1)
	if [ "$n" -gt 100 ] && [ "$missing" = 0 ]; then ok "$name: all $n acknowledged ids stored exactly once"
	else nok "$name: every acknowledged id stored" "$n acknowledged, $missing missing or doubled"; fi
}

if ! up >"$T/up.log" 2>&1; then nok "faults: make up on a private run dir" "$(tail -3 "$T/up.log")"; exit 0; fi
ok "faults: make up (scripts/up.sh) on a private run dir"

# A. kill -9 of the front under load; make up restarts it
python3 "$AG_ROOT/test/e2e/loadgen.py" --port "$HP" --rate 200 --seconds 24 --prefix a --acked "$T/acked_a" >"$T/load_a.out" 2>&1 &
load=$!
sleep 5
old=$(front_pid)
kill -9 "$old"
sleep 1
check "A: front is down after SIGKILL" "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/health")" 000
if up >"$T/up2.log" 2>&1; then ok "A: make up again after the front died"; else nok "A: make up again" "$(tail -3 "$T/up2.log")"; fi
new=$(front_pid)
if [ -n "$new" ] && [ "$new" != "$old" ] && kill -0 "$new" 2>/dev/null; then ok "A: make up started a new front (pid $old -> $new)"
else nok "A: make up started a new front" "pid file says '$new' (old $old)"; fi
check "A: health after restart" "$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/health")" 200
t_restart=$(Q -c "SELECT now()")
wait "$load"
echo "# A load: $(cat "$T/load_a.out")"
stored_check "A" "$T/acked_a"
late=$(Q -c "SELECT count(*) FROM events WHERE event_id LIKE 'a-%' AND received_at > '$t_restart'")
if [ "$late" -gt 100 ]; then ok "A: events stored through the new front ($late)"; else nok "A: events stored through the new front" "$late"; fi

# B. kill -9 of the postmaster under load; the front reconnects by itself
pid_before=$(front_pid)
python3 "$AG_ROOT/test/e2e/loadgen.py" --port "$HP" --rate 200 --seconds 20 --prefix b --acked "$T/acked_b" >"$T/load_b.out" 2>&1 &
load=$!
sleep 5
pm=$(head -1 "$T/run/data/postmaster.pid")
kill -9 "$pm"
sleep 2
st=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/health")
check "B: /health 503 while the database is gone" "$st" 503
# the old backends notice the postmaster's death and exit; then a normal start (crash recovery)
started=no
for _ in $(seq 1 20); do
	if ( . "$AG_ROOT/scripts/lib.sh"; pg_start "$T/run/data" "$PGP" "$T/run/log/postgres.log" ) >>"$T/restart.log" 2>&1; then started=yes; break; fi
	sleep 1
done
check "B: PostgreSQL starts again after SIGKILL (crash recovery)" "$started" yes
st=000
for _ in $(seq 1 50); do
	st=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/health")
	[ "$st" = 200 ] && break
	sleep 0.2
done
check "B: the front answers 200 again by itself" "$st" 200
check "B: same front process (reconnected, not restarted)" "$(front_pid)" "$pid_before"
wait "$load"
echo "# B load: $(cat "$T/load_b.out")"
stored_check "B" "$T/acked_b"
late=$(Q -c "SELECT count(*) FROM events WHERE event_id LIKE 'b-%' AND received_at > (SELECT pg_postmaster_start_time())")
if [ "$late" -gt 100 ]; then ok "B: events stored after the restart ($late)"; else nok "B: events stored after the restart" "$late"; fi
check "B: no PANIC in the server log" "$(grep -c PANIC "$T/run/log/postgres.log")" 0
