#!/usr/bin/env bash
# scripts/uninstall_service.sh — make uninstall-service (root; docs/ops/deploy.md):
# stops and removes the units and programs that make install-service added
# (listed in $AGINGOS_ETC/manifest).  The cluster, its data, the extension
# files it needs and $AGINGOS_ETC (passwords) stay unless PURGE=1, which also
# drops the cluster 15/$CLUSTER and removes the user agingos if it created it.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || die "make uninstall-service needs root"
# the service cluster is reached through its own socket and peer auth, never a caller's PG* settings
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE
ETC=${AGINGOS_ETC:-/etc/agingos}
[ -f "$ETC/service.conf" ] || die "$ETC/service.conf not found: nothing installed there (AGINGOS_ETC)"
CLUSTER=$(sed -n 's/^CLUSTER=//p' "$ETC/service.conf") UNITDIR=$(sed -n 's/^UNITDIR=//p' "$ETC/service.conf")
if [ "$(cat /proc/1/comm)" = systemd ] && [ "$UNITDIR" = /etc/systemd/system ]; then
	systemctl disable --now agingos-http.service agingos-notify.service 2>/dev/null
fi
while read -r f; do
	case "$f" in /usr/lib/postgresql/*|/usr/share/postgresql/*) [ "${PURGE:-0}" = 1 ] && rm -f "$f";;
	*) rm -f "$f";; esac
done <"$ETC/manifest"
[ "$(cat /proc/1/comm)" = systemd ] && systemctl daemon-reload 2>/dev/null
say "removed units and programs"
if [ "${PURGE:-0}" = 1 ]; then
	if [ -n "$CLUSTER" ] && [ -d "/etc/postgresql/15/$CLUSTER" ]; then
		rm -f "/etc/postgresql/15/$CLUSTER/conf.d/agingos.conf"
		pg_dropcluster --stop 15 "$CLUSTER" || die "pg_dropcluster 15 $CLUSTER failed"
		rm -rf "/etc/postgresql/15/$CLUSTER" # only our emptied conf.d is left
	fi
	# the user goes only if this install created it (make up may use it too)
	[ -f "$ETC/user-created" ] && id agingos >/dev/null 2>&1 && userdel agingos
	rm -rf "$ETC"
	say "purged: cluster 15/$CLUSTER, $ETC, extension files (user agingos only if this install created it)"
else
	say "kept: cluster 15/$CLUSTER with its data, the extension files, $ETC (PURGE=1 removes them)"
fi
