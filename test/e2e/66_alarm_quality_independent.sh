#!/usr/bin/env bash
# 66_alarm_quality_independent: the bounded make alarm-quality-independent run
# (docs/alarm-quality.md section 10) on the throwaway cluster with the shipped
# config: lives modelled independently of agingos-sim
# (test/alarm_quality/independent_lives.py), seed 104 (not the seeds of the
# full run), 4 one-resident homes × 7 days, then four anomalies after 3 days
# of life (a fall in the bathroom, a fall in a PIR-only hall, the front door
# at night, sensors silent).  Asserts ≤ 0.02 false episodes per home-day and
# every anomaly detected.  About 30 s.
. "$(dirname "$0")/lib.sh"
out=$(AQ_EXISTING=1 AQ_ASSERT=1 AQI_SEEDS=104 AQI_HOMES=4 AQI_DAYS=7 AQI_COUPLE= AQI_ANOMALY_DAY=3 \
	AQI_OUT="$(mktemp -d /tmp/agingos-e2e-aqi.XXXXXX)" \
	AQI_ANOMALIES="bath-fall 10:00 R-004 120
hall-fall 10:30 R-003,R-011 480
night-door 02:30 R-002 30
silent 12:00 R-009 120" \
	"$AG_ROOT/scripts/alarm_quality_independent.sh" 2>&1)
rc=$?
line=$(echo "$out" | grep 'single-resident false episodes per home-day')
if [ "$rc" = 0 ]; then ok "alarm quality, independent lives (bounded): $line"
else nok "alarm quality, independent lives (bounded)" "$line; $(echo "$out" | grep -E 'missed|failed|error' | head -5 | tr '\n' ' ')"; fi
rm -rf /tmp/agingos-e2e-aqi.*
sql "SELECT agingos_reset()" >/dev/null
sql "DELETE FROM agingos.homes WHERE home_id LIKE 'ind-%'" >/dev/null
