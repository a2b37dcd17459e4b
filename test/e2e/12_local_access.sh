#!/usr/bin/env bash
# 12_local_access: a local operating-system user other than the cluster's
# owner gets nowhere (contract.md §12, docs/security.md "Machine and
# operations"): no trust line in pg_hba.conf, the socket directory is closed
# to others, TCP needs a password from a 0600 file, COPY ... TO PROGRAM is out
# of reach; the run directory belongs to the user running make (only data/,
# sock/ and log/postgres.log to postgres); the front does not run as root;
# pid files are not followed through symlinks nor trusted blindly.
# The attacker is the OS user nobody.  Runs in a few seconds.
. "$(dirname "$0")/lib.sh"
RUN=$AG_E2E_RUN
SOCK=$PGHOST
T=$(mktemp -d /tmp/ag_e2e_access.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
me=$(id -un)

check "no trust line in pg_hba.conf" "$(sql "SELECT count(*) FROM pg_hba_file_rules WHERE auth_method = 'trust'")" 0
check "pg_hba.conf has no errors" "$(sql "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL")" 0
check "TCP lines are scram-sha-256" \
	"$(sql "SELECT string_agg(DISTINCT auth_method, ',') FROM pg_hba_file_rules WHERE type = 'host'")" scram-sha-256
check "socket lines: peer with map, else scram" \
	"$(sql "SELECT string_agg(auth_method || coalesce(' ' || array_to_string(options, ' '), ''), ',' ORDER BY line_number) FROM pg_hba_file_rules WHERE type = 'local'")" \
	"peer map=agingos,scram-sha-256"

if [ "$(id -u)" -ne 0 ]; then
	ok "attacker checks skipped: they need root to become another user (run make test as root)"
else
	# the attacker's psql must be able to run: PGBIN is world-readable
	nobody_psql() { (cd / && runuser -u nobody -- env -u PGPASSFILE PGPASSWORD= "$PGBIN/psql" -X -w -tA "$@") 2>&1; }
	out=$(nobody_psql -h 127.0.0.1 -p "$PGPORT" -U agingos -d agingos -c "SELECT 'in'")
	case "$out" in *"no password supplied"*) ok "nobody over 127.0.0.1 as agingos: refused (no password)";;
		*) nok "nobody over 127.0.0.1 as agingos: refused" "got: $out";; esac
	out=$(nobody_psql -h 127.0.0.1 -p "$PGPORT" -U agingos_http -d agingos -c "SELECT 'in'")
	case "$out" in *"no password supplied"*) ok "nobody over 127.0.0.1 as agingos_http: refused";;
		*) nok "nobody over 127.0.0.1 as agingos_http: refused" "got: $out";; esac
	out=$( (cd / && runuser -u nobody -- env PGPASSWORD=agingos "$PGBIN/psql" -X -w -tA -h 127.0.0.1 -p "$PGPORT" -U agingos -d agingos -c "SELECT 'in'") 2>&1)
	case "$out" in *"password authentication failed"*) ok "nobody with a guessed password: refused";;
		*) nok "nobody with a guessed password: refused" "got: $out";; esac
	out=$(nobody_psql -h "$SOCK" -p "$PGPORT" -U agingos -d agingos -c "SELECT 'in'")
	case "$out" in *"Permission denied"*) ok "nobody via the socket: refused (directory closed)";;
		*) nok "nobody via the socket: refused" "got: $out";; esac
	out=$(nobody_psql -h "$SOCK" -p "$PGPORT" -U agingos -d agingos -c "COPY (SELECT 1) TO PROGRAM 'touch $T/pwned-socket'")
	out2=$(nobody_psql -h 127.0.0.1 -p "$PGPORT" -U agingos -d agingos -c "COPY (SELECT 1) TO PROGRAM 'touch $T/pwned-tcp'")
	if [ ! -e "$T/pwned-socket" ] && [ ! -e "$T/pwned-tcp" ]; then ok "COPY ... TO PROGRAM not reachable by nobody"
	else nok "COPY ... TO PROGRAM not reachable by nobody" "a command ran: $out $out2"; fi
	out=$( (cd / && runuser -u "${AGINGOS_RUN_USER:-agingos}" -- "$PGBIN/psql" -X -w -tA -h "$SOCK" -p "$PGPORT" -U agingos -d agingos -c "SELECT 'in'") 2>&1)
	case "$out" in *"Peer authentication failed"*) ok "service user may not be agingos (peer map)";;
		*) nok "service user may not be agingos (peer map)" "got: $out";; esac
	out=$( (cd / && runuser -u "${AGINGOS_RUN_USER:-agingos}" -- "$PGBIN/psql" -X -w -tA -h "$SOCK" -p "$PGPORT" -U agingos_http -d agingos -c "SELECT current_user") 2>&1)
	check "service user logs in as agingos_http by peer" "$out" agingos_http
	out=$(nobody_psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d agingos -c "SELECT 'in'")
	case "$out" in *"no password supplied"*|*"does not exist"*) ok "nobody as postgres over TCP: refused";;
		*) nok "nobody as postgres over TCP: refused" "got: $out";; esac
fi

# the legitimate TCP path: the password file, readable by its owner only
check "password files are 0600 and the make user's" \
	"$(stat -c '%a %U' "$RUN/secrets/agingos.password" "$RUN/secrets/agingos_http.password" "$RUN/secrets/pgpass" | sort -u)" "600 $me"
check "secrets/ is 0700" "$(stat -c %a "$RUN/secrets")" 700
check "pgpass logs in over 127.0.0.1" \
	"$(PGPASSFILE="$RUN/secrets/pgpass" "$PGBIN/psql" -X -w -tA -h 127.0.0.1 -p "$PGPORT" -U agingos_http -d agingos -c "SELECT current_user" 2>&1)" agingos_http
# the front's role cannot run programs either
out=$("$PGBIN/psql" -X -w -tA -U agingos_http -c "COPY (SELECT 1) TO PROGRAM 'touch $T/pwned-http'" 2>&1)
case "$out" in *"permission denied"*|*"must be superuser"*) check "agingos_http: COPY TO PROGRAM refused" "$([ -e "$T/pwned-http" ] && echo ran || echo refused)" refused;;
	*) nok "agingos_http: COPY TO PROGRAM refused" "got: $out";; esac
check "pg_cron runs jobs in background workers (no TCP login)" "$(sql "SHOW cron.use_background_workers")" on

# socket directory: closed to others
mode=$(stat -c %a "$SOCK")
case "$mode" in 700|750) ok "socket directory mode $mode";; *) nok "socket directory closed to others" "mode $mode";; esac

# ownership of the run directory
pid=$(cat "$RUN/http.pid")
front_user=$(ps -o user= -p "$pid" | tr -d ' ')
if [ -n "$front_user" ] && [ "$front_user" != root ]; then ok "front runs as $front_user, not root"
else nok "front does not run as root" "ps says '$front_user' for pid $pid"; fi
check "front's real and effective uid" "$(awk '/^Uid:/ { print ($2 == 0 || $3 == 0) ? "root" : "unprivileged" }' "/proc/$pid/status")" unprivileged
check "http.pid, log/, http.log, secrets/ belong to $me" \
	"$(stat -c %U "$RUN" "$RUN/http.pid" "$RUN/log" "$RUN/log/http.log" "$RUN/secrets" | sort -u)" "$me"
if [ "$(id -u)" -eq 0 ]; then
	stray=$(find "$RUN" -user postgres -not -path "$RUN/data" -not -path "$RUN/data/*" -not -path "$RUN/sock" \
		-not -path "$RUN/sock/*" -not -path "$RUN/log/postgres.log" 2>/dev/null)
	check "nothing else under the run dir belongs to postgres" "$stray" ""
	check "data dir postgres 700" "$(stat -c '%U %a' "$RUN/data")" "postgres 700"
fi
check "nothing under the run dir is world-writable" "$(find "$RUN" -perm -o+w -not -type s -not -type l 2>/dev/null)" ""

# pid files: a planted symlink is never followed, a foreign pid never killed
(
	. "$AG_ROOT/scripts/lib.sh"
	mkdir -p "$T/run"
	echo keep >"$T/victim"
	ln -s "$T/victim" "$T/run/http.pid"
	pid_write "$T/run/http.pid" 4242
	echo "victim=$(cat "$T/victim") link=$([ -L "$T/run/http.pid" ] && echo yes || echo no)"
) >"$T/out1" 2>&1
check "pid_write replaces a symlink instead of writing through it" "$(cat "$T/out1")" "victim=keep link=no"
sleep 300 &
victim=$!
(
	. "$AG_ROOT/scripts/lib.sh"
	echo "$victim" >"$T/run/http.pid"
	http_stop "$T/run"
) >/dev/null 2>&1
check "http_stop leaves a process that is not agingos-http alone" "$(kill -0 "$victim" 2>/dev/null && echo alive || echo killed)" alive
kill "$victim" 2>/dev/null
wait "$victim" 2>/dev/null
