#!/usr/bin/env bash
# scripts/deps.sh — install the Debian packages agingos needs, if missing.
# Runs apt-get as root, or through sudo for a normal user.
. "$(dirname "$0")/lib.sh"
PKGS="postgresql-15 postgresql-server-dev-15 postgresql-15-cron postgresql-15-partman libyaml-dev libmicrohttpd-dev libpq-dev libcurl4-openssl-dev libssl-dev
      libcsv-dev time make gcc pkg-config procps curl jq gnuplot-nox wrk clang-format python3 python3-yaml
      prometheus systemd caddy nginx-light openssl passwd util-linux iproute2 clang libfuzzer-14-dev
      apprise prometheus-alertmanager chromium chromium-driver"
missing=()
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
say "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
	die "missing packages: ${missing[*]}; install them as root: apt-get install -y ${missing[*]}"
fi
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
	die "apt-get install failed for: ${missing[*]}"
# Debian registers (but does not start) a 15/main cluster; nothing to do with it.
