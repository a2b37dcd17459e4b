#!/usr/bin/env bash
# test/e2e/95_service_files.sh — the service install's files (docs/spec/contract.md §15):
# systemd-analyze verify of config/systemd/*.service (works without systemd as
# PID 1; ExecStart points at stand-in programs so only the unit is judged),
# caddy validate of config/proxy/Caddyfile, nginx -t of the server block
# inside a minimal wrapper config with a throwaway self-signed certificate.
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d /tmp/agingos-svcfiles.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/bin"
for p in agingos-http agingos-notify; do printf '#!/bin/sh\nexit 0\n' >"$T/bin/$p"; chmod 755 "$T/bin/$p"; done
for u in "$AG_ROOT"/config/systemd/*.service; do
	sed "s|/usr/local/bin/|$T/bin/|g" "$u" >"$T/$(basename "$u")"
done
if out=$(cd "$T" && timeout 60 systemd-analyze verify "$T"/*.service 2>&1) && [ -z "$out" ]; then ok systemd-analyze-verify
else nok systemd-analyze-verify "$(echo "$out" | head -3 | tr '\n' ' ')"; fi
for k in User=agingos Restart=on-failure ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes ProtectHome=yes \
	EnvironmentFile=/etc/agingos/agingos.env After=network.target\ postgresql@15-agingos.service; do
	n=$(grep -lx "$k" "$AG_ROOT"/config/systemd/agingos-http.service "$AG_ROOT"/config/systemd/agingos-notify.service | wc -l)
	check "unit-both-have/$k" "$n" 2
done
check notify-unit-conditional "$(grep -c '^ConditionFileIsExecutable=/usr/local/bin/agingos-notify$' "$AG_ROOT/config/systemd/agingos-notify.service")" 1
if out=$(cd "$T" && HOME=$T XDG_DATA_HOME=$T XDG_CONFIG_HOME=$T caddy validate --config "$AG_ROOT/config/proxy/Caddyfile" --adapter caddyfile 2>&1); then ok caddy-validate
else nok caddy-validate "$(echo "$out" | tail -2 | tr '\n' ' ')"; fi
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=agingos.example.org \
	-keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
sed -e "s|/etc/letsencrypt/live/agingos.example.org/fullchain.pem|$T/cert.pem|" \
	-e "s|/etc/letsencrypt/live/agingos.example.org/privkey.pem|$T/key.pem|" \
	"$AG_ROOT/config/proxy/nginx-agingos.conf" >"$T/site.conf"
cat >"$T/nginx.conf" <<CONF
pid $T/nginx.pid;
error_log $T/error.log;
events {}
http {
	access_log off;
	client_body_temp_path $T/body;
	proxy_temp_path $T/proxy;
	include $T/site.conf;
}
CONF
if out=$(nginx -t -q -p "$T" -c "$T/nginx.conf" 2>&1); then ok nginx-t
else nok nginx-t "$(echo "$out" | tail -2 | tr '\n' ' ')"; fi
