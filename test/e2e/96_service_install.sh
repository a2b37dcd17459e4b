#!/usr/bin/env bash
# test/e2e/96_service_install.sh — make install-service end to end
# (docs/spec/contract.md §15): a Debian cluster 15/agingos_test_<port> on
# AGINGOS_SERVICE_TEST_PGPORT, programs/units/etc under a scratch prefix, the
# front started as the unit would (its User, EnvironmentFiles and ExecStart
# parsed from the installed unit), /health and one tick, a second install that
# changes nothing, then uninstall and PURGE=1 (no cluster left).  Only the
# cluster this test names is ever created or dropped.  Needs root.
. "$(dirname "$0")/lib.sh"
# the service cluster is reached through its own socket and peer auth, never a caller's PG* settings
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE
if [ "$(id -u)" -ne 0 ]; then ok "service-install # SKIP needs root"; exit 0; fi
SPORT=${AGINGOS_SERVICE_TEST_PGPORT:-55480} SHPORT=${AGINGOS_SERVICE_TEST_HTTP_PORT:-55481}
CL=agingos_test_$SPORT
T=$(mktemp -d /tmp/agingos-svc-e2e.XXXXXX); chmod 755 "$T"
export PREFIX=$T/usr/local AGINGOS_ETC=$T/etc/agingos UNITDIR=$T/etc/systemd/system CLUSTER=$CL \
	SERVICE_PGPORT=$SPORT SERVICE_HTTP_PORT=$SHPORT
had_user=0; id agingos >/dev/null 2>&1 && had_user=1
FPID=
cleanup() {
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null
	[ -f "/etc/postgresql/15/$CL/postgresql.conf" ] && pg_dropcluster --stop 15 "$CL" 2>/dev/null
	rm -rf "/etc/postgresql/15/$CL"
	[ "$had_user" = 0 ] && id agingos >/dev/null 2>&1 && userdel agingos 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
if [ -d "/etc/postgresql/15/$CL" ]; then nok service-install "cluster 15/$CL exists already"; exit 0; fi
# PURGE=1 takes the extension's files out of the system PostgreSQL; keep the
# ones there before this test (make test's own install) and put them back after
SYSPG=/usr/lib/postgresql/15/bin/pg_config
keep_ext() { (cd / && find "$("$SYSPG" --pkglibdir)" "$("$SYSPG" --sharedir)/extension" -maxdepth 2 \
	\( -name 'agingos*' -o -path '*/bitcode/agingos*' \) -print 2>/dev/null | sed 's#^/##'); }
keep_list=$(keep_ext)
[ -n "$keep_list" ] && (cd / && echo "$keep_list" | tar -cf "$T/ext-before.tar" -T -)
out=$(timeout 300 "$AG_ROOT/scripts/install_service.sh" 2>&1)
check install-rc $? 0
[ -d "/etc/postgresql/15/$CL" ] || { nok install "no cluster: $(echo "$out" | tail -3 | tr '\n' ' ')"; exit 0; }
check cluster-online "$(pg_lsclusters -h 15 "$CL" | awk '{print $4}')" online
check conf-preload "$(grep -c "^shared_preload_libraries = 'pg_cron'" "/etc/postgresql/15/$CL/conf.d/agingos.conf")" 1
check hba-no-trust "$(grep -v '^#' "/etc/postgresql/15/$CL/pg_hba.conf" | grep -c trust)" 0
check secret-mode "$(stat -c '%a %U' "$AGINGOS_ETC/http.env")" "600 root"
check env-mode "$(stat -c '%a %G' "$AGINGOS_ETC/agingos.env")" "640 agingos"
U=$UNITDIR/agingos-http.service
check unit-execstart "$(sed -n 's/^ExecStart=//p' "$U")" "$PREFIX/bin/agingos-http"
# start the front as the unit would: User=, EnvironmentFile= (in order), ExecStart=
user=$(sed -n 's/^User=//p' "$U")
envargs=()
while read -r f; do
	while IFS= read -r line; do
		case "$line" in ''|\#*) continue;; esac
		envargs+=("$line")
	done <"$f"
done < <(sed -n 's/^EnvironmentFile=-\?//p' "$U")
read -r -a cmd <<<"$(sed -n 's/^ExecStart=//p' "$U")"
(cd / && exec runuser -u "$user" -- env -i PATH=/usr/bin:/bin "${envargs[@]}" "${cmd[@]}" >"$T/http.log" 2>&1) &
FPID=$!
code=000
for _ in $(seq 1 100); do
	code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SHPORT/health") && [ "$code" = 200 ] && break
	sleep 0.1
done
check health-200 "$code" 200
check front-db "$(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$SHPORT/deviations")" 200
check front-user "$(ps -o user= -p "$(pgrep -P "$FPID" -x agingos-http || echo "$FPID")" | tr -d ' ')" agingos
PSQL=(runuser -u postgres -- psql -X -qtA -p "$SPORT" -d agingos)
check one-tick "$(cd / && "${PSQL[@]}" -c "SELECT (agingos.agingos_scheduler_tick() ->> 'status') IS NOT NULL" 2>&1)" t
check tick-row "$(cd / && "${PSQL[@]}" -c "SELECT count(*) > 0 FROM agingos.scheduler_runs")" t
check cron-job "$(cd / && "${PSQL[@]}" -c "SELECT count(*) FROM cron.job WHERE jobname = 'agingos-scheduler'")" 1
st=$(AGINGOS_ETC=$AGINGOS_ETC "$PREFIX/bin/agingos-status" 2>&1); check status-rc $? 0
check status-lines "$(echo "$st" | grep -c -E '^(cluster|front|pg_cron job|last tick)')" 4
out2=$(timeout 120 "$AG_ROOT/scripts/install_service.sh" 2>&1)
check second-install-unchanged "$(echo "$out2" | tail -1)" "agingos: install-service: nothing changed"
kill "$FPID"; wait "$FPID" 2>/dev/null; FPID=
"$AG_ROOT/scripts/uninstall_service.sh" >/dev/null 2>&1
check uninstall-units "$(ls "$UNITDIR" 2>/dev/null | wc -l)" 0
check uninstall-keeps-cluster "$([ -d "/etc/postgresql/15/$CL" ] && echo kept)" kept
"$AG_ROOT/scripts/install_service.sh" >/dev/null 2>&1
PURGE=1 "$AG_ROOT/scripts/uninstall_service.sh" >/dev/null 2>&1
check purge-no-cluster "$(pg_lsclusters -h 2>/dev/null | awk -v c="$CL" '$2 == c' | wc -l)" 0
check purge-no-etc "$([ -e "$AGINGOS_ETC" ] && echo left || echo gone)" gone
if [ -n "$keep_list" ]; then
	tar -xf "$T/ext-before.tar" -C /
	check ext-files-restored "$(keep_ext | wc -l)" "$(echo "$keep_list" | wc -l)"
fi
