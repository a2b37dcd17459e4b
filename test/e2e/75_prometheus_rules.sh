#!/usr/bin/env bash
# 75_prometheus_rules: config/prometheus/ passes promtool: the alert rules
# (check rules + the unit tests of agingos-alerts.test.yml) and the scrape
# example (check config, with its token file pointed at a temporary one).
. "$(dirname "$0")/lib.sh"
D="$AG_ROOT/config/prometheus"
T=$(mktemp -d /tmp/agingos-promrules.XXXXXX)
trap 'rm -rf "$T"' EXIT

if out=$(promtool check rules "$D/agingos-alerts.yml" 2>&1); then ok "promtool check rules agingos-alerts.yml"
else nok "promtool check rules agingos-alerts.yml" "$(echo "$out" | tr '\n' ' ' | cut -c1-300)"; fi
if out=$(cd "$D" && promtool test rules agingos-alerts.test.yml 2>&1); then ok "promtool test rules agingos-alerts.test.yml"
else nok "promtool test rules agingos-alerts.test.yml" "$(echo "$out" | tr '\n' ' ' | cut -c1-600)"; fi
echo "0123456789abcdef0123456789abcdef" >"$T/token"
sed "s#/etc/prometheus/agingos-metrics-token#$T/token#" "$D/prometheus.yml" >"$T/prometheus.yml"
cp "$D/agingos-alerts.yml" "$T/"
if out=$(promtool check config "$T/prometheus.yml" 2>&1); then ok "promtool check config prometheus.yml (scrape example)"
else nok "promtool check config prometheus.yml" "$(echo "$out" | tr '\n' ' ' | cut -c1-300)"; fi
rules=$(grep -c '^      - alert: ' "$D/agingos-alerts.yml")
tested=$(grep -o 'alertname: [A-Za-z]*' "$D/agingos-alerts.test.yml" | sort -u | wc -l)
check "every alert rule has a unit test" "$tested" "$rules"
