#!/usr/bin/env bash
# 50_scheduler_cron: what pg_regress cannot show: two sessions ticking at
# once (the second is skipped), pg_cron really firing agingos-scheduler on a
# 1-minute schedule, and an event posted over HTTP becoming an OPEN deviation
# visible on GET /deviations; with scheduler.workers: 2 both bucket jobs
# firing.  70–130 s (waits for the next cron minute, twice).
. "$(dirname "$0")/lib.sh"

sql "SELECT agingos_reset()" >/dev/null
log_start=$(stat -c %s "$AG_E2E_RUN/log/postgres.log")

# two sessions at once: the first holds the tick lock for 3 s
"$PGBIN/psql" -X -qtA -c "BEGIN; SELECT agingos_scheduler_tick(); SELECT pg_sleep(3); COMMIT;" >/dev/null 2>&1 &
slow=$!
sleep 1
check "concurrent tick is skipped" "$(sql "SELECT agingos_scheduler_tick() ->> 'status'")" skipped
wait "$slow"
check "one skipped row" "$(sql "SELECT count(*) FROM scheduler_runs WHERE status = 'skipped'")" 1
if grep -q 'agingos scheduler tick run_id=.* status=skipped' "$AG_E2E_RUN/log/postgres.log"; then ok "skipped tick logged"; else nok "skipped tick logged" "no status=skipped line"; fi

# a front door opened 15 minutes ago with no motion after it while the hall presence
# sensor still sees someone (not a departure, docs/alarm-quality.md): R-003 (scheduler-enabled)
ts=$(date -u -d '-15 minutes' +%Y-%m-%dT%H:%M:%SZ)
hall=$(date -u -d '-16 minutes' +%Y-%m-%dT%H:%M:%SZ)
r=$(post /event "{\"id\": \"cron-hall-1\", \"timestamp\": \"$hall\", \"category\": \"presence\", \"payload\": {\"state\": \"on\", \"room\": \"inngang\"}}")
check "hall presence event accepted" "$(status_of "$r")" 200
r=$(post /event "{\"id\": \"cron-door-1\", \"timestamp\": \"$ts\", \"category\": \"door\", \"payload\": {\"state\": \"open\", \"door\": \"front\", \"room\": \"inngang\"}}")
check "door event accepted" "$(status_of "$r")" 200

# pg_cron: 1-minute cadence, then wait for a run that pg_cron started
cfg=$(sed 's/^  interval_minutes: .*/  interval_minutes: 1/' "$AG_ROOT/config/rules.yaml")
"$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -v cfg="$cfg" >/dev/null <<'SQL'
SELECT agingos_load_config(:'cfg') IS NOT NULL;
SQL
sql "SELECT agingos_schedule()" >/dev/null
check "job scheduled every minute" "$(sql "SELECT schedule FROM cron.job WHERE jobname = 'agingos-scheduler'")" "* * * * *"
last=$(sql "SELECT coalesce(max(run_id), 0) FROM scheduler_runs")
found=
for _ in $(seq 1 90); do
	n=$(sql "SELECT count(*) FROM scheduler_runs WHERE run_id > $last AND status = 'ok'")
	[ "$n" -gt 0 ] && { found=1; break; }
	sleep 1
done
if [ -n "$found" ]; then ok "pg_cron fired agingos-scheduler"; else nok "pg_cron fired agingos-scheduler" "no scheduler_runs row within 90 s"; fi
check "cron run succeeded" "$(sql "SELECT d.status FROM cron.job_run_details d JOIN cron.job j USING (jobid) WHERE j.jobname = 'agingos-scheduler' ORDER BY d.runid DESC LIMIT 1")" succeeded
r=$(get /deviations)
check "GET /deviations shows the OPEN R-003" "$(status_of "$r") $(body_of "$r" | jq -c '[.[] | select(.rule_id == "R-003") | .status]')" '200 ["OPEN"]'
check "deviation evidence names the door event" "$(body_of "$r" | jq -r '.[] | select(.rule_id == "R-003") | .evidence.event_ids[0]')" cron-door-1
# scheduler.workers: 2 (docs/scheduler.md): pg_cron runs both bucket jobs, one scheduler_runs row each
cfg=$(sed 's/^  interval_minutes: .*/  interval_minutes: 1\n  workers: 2/' "$AG_ROOT/config/rules.yaml")
"$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -v cfg="$cfg" >/dev/null <<'SQL'
SELECT agingos_load_config(:'cfg') IS NOT NULL;
SQL
sql "SELECT agingos_schedule()" >/dev/null
check "bucket jobs scheduled" "$(sql "SELECT string_agg(jobname || '=' || command, ' ' ORDER BY jobname) FROM cron.job WHERE jobname LIKE 'agingos-scheduler%'")" \
	"agingos-scheduler=SELECT agingos.agingos_scheduler_tick_bucket(0, 2) agingos-scheduler-1=SELECT agingos.agingos_scheduler_tick_bucket(1, 2)"
last=$(sql "SELECT coalesce(max(run_id), 0) FROM scheduler_runs")
found=
for _ in $(seq 1 90); do
	n=$(sql "SELECT count(DISTINCT bucket) FROM scheduler_runs WHERE run_id > $last AND status = 'ok' AND buckets = 2")
	[ "$n" -eq 2 ] && { found=1; break; }
	sleep 1
done
if [ -n "$found" ]; then ok "pg_cron ran both buckets"; else nok "pg_cron ran both buckets" "not both buckets in scheduler_runs within 90 s"; fi
check "the buckets visited every home once" "$(sql "SELECT sum(homes) = (SELECT count(*) FROM homes) FROM (SELECT DISTINCT ON (bucket) homes FROM scheduler_runs WHERE run_id > $last AND buckets = 2 ORDER BY bucket, run_id) r")" t
check "health/detail still ok with bucket runs" "$(status_of "$(get /health/detail)")" 200
errors=$(tail -c +"$((log_start + 1))" "$AG_E2E_RUN/log/postgres.log" | grep -E 'ERROR|FATAL|rule_engine error' || true)
check "no ERROR lines in the server log during this test" "$errors" ""

sql "SELECT agingos_unschedule()" >/dev/null
"$PGBIN/psql" -X -qtA -v ON_ERROR_STOP=1 -v cfg="$(cat "$AG_ROOT/config/rules.yaml")" >/dev/null <<'SQL'
SELECT agingos_load_config(:'cfg') IS NOT NULL;
SQL
sql "SELECT agingos_reset()" >/dev/null
