#!/usr/bin/env bash
# test/longrun/longrun_sample.sh — sampling of the longrun (sourced by
# test/longrun/longrun.sh; needs psql_at from lib.sh and the variables of
# $REPORT/meta.env).
#
# sample_once appends one line to $REPORT/samples.tsv:
#   t               wall clock, epoch seconds
#   health_code     GET /health status ("000" when no answer within 5 s)
#   health_ms       its latency
#   events          rows of events;  deviations  rows of deviations (any status)
#   active          deviations OPEN or ACK;  v1  rows of deviations_v1
#   opens           deviation_history rows with reason open or reopen (new episodes)
#   db_bytes        pg_database_size;  events_bytes  pg_total_relation_size(events)
#   runs            scheduler_runs rows;  sim_clock  newest event timestamp (epoch)
#   front_rss_kb    VmRSS of agingos-http
#   pg_rss_kb       Σ VmRSS of the cluster's processes (shared buffers included)
#   pg_anon_kb      Σ RssAnon of the cluster's processes (private memory only)
#   pg_procs        number of those processes (each one's figures go to procs.tsv)
#   pg_errors, pg_warnings     ERROR/FATAL/PANIC and WARNING lines in the server log since the start
#   http_errors, http_warnings level=error and level=warn lines in the front's log since the start
# and appends the new scheduler_runs rows to $REPORT/ticks.tsv (collected as
# they appear, because the tick prunes rows older than retention.bookkeeping_days).

SAMPLE_COLS="t health_code health_ms events deviations active v1 opens db_bytes events_bytes runs sim_clock front_rss_kb pg_rss_kb pg_anon_kb pg_procs pg_errors pg_warnings http_errors http_warnings"
TICK_COLS="run_id started_at now duration_ms homes rules_total rules_ok rules_failed upserted opened closed status"

sample_header() {
	echo "$SAMPLE_COLS" | tr ' ' '\t' >"$REPORT/samples.tsv"
	echo "$TICK_COLS" | tr ' ' '\t' >"$REPORT/ticks.tsv"
	printf 't\tpid\trss_kb\tanon_kb\tcmdline\n' >"$REPORT/procs.tsv"
	echo "$RUN_ID0" >"$REPORT/.ticks_last"
}

# proc_kb PID FIELD: a /proc/PID/status field in kB (0 when gone)
proc_kb() { awk -v f="$2:" '$1 == f { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# count_lines FILE OFFSET REGEX: matching lines after byte OFFSET
count_lines() {
	[ -f "$1" ] || { echo 0; return; }
	tail -c +"$(($2 + 1))" "$1" | grep -cE "$3"
}

collect_ticks() {
	local last
	last=$(cat "$REPORT/.ticks_last")
	psql_at "$SOCK" "$PGPORT_L" agingos -tA -F $'\t' -c "
		SELECT run_id, round(extract(epoch FROM started_at), 6), round(extract(epoch FROM now), 6), duration_ms,
		       homes, rules_total, rules_ok, rules_failed, deviations_upserted, deviations_opened, deviations_closed, status
		  FROM agingos.scheduler_runs WHERE run_id > $last ORDER BY run_id" >"$REPORT/.ticks_new" 2>/dev/null || return 0
	if [ -s "$REPORT/.ticks_new" ]; then
		cat "$REPORT/.ticks_new" >>"$REPORT/ticks.tsv"
		tail -1 "$REPORT/.ticks_new" | cut -f1 >"$REPORT/.ticks_last"
	fi
}

sample_once() {
	local t h code ms db front_pid pm pids p prss panon rss=0 anon=0 n=0 frss=0
	t=$(date +%s.%N)
	h=$(curl -s -o /dev/null --max-time 5 -w '%{http_code} %{time_total}' "$BASE/health")
	code=${h% *}; ms=$(awk -v s="${h#* }" 'BEGIN { printf "%.2f", s * 1000 }')
	db=$(psql_at "$SOCK" "$PGPORT_L" agingos -tA -F $'\t' -c "
		SELECT (SELECT count(*) FROM agingos.events),
		       (SELECT count(*) FROM agingos.deviations),
		       (SELECT count(*) FROM agingos.deviations WHERE status IN ('OPEN', 'ACK')),
		       (SELECT count(*) FROM agingos.deviations_v1),
		       (SELECT count(*) FROM agingos.deviation_history WHERE reason IN ('open', 'reopen')),
		       pg_database_size(current_database()),
		       pg_total_relation_size('agingos.events'),
		       (SELECT count(*) FROM agingos.scheduler_runs),
		       coalesce((SELECT round(extract(epoch FROM max(x.m))) FROM agingos.homes h,
		                 LATERAL (SELECT max(e.\"timestamp\") AS m FROM agingos.events e
		                           WHERE e.home_id = h.home_id AND e.category <> 'longrun_probe') x), 0)" 2>/dev/null) ||
		db=$(printf 'NaN\t%.0s' 1 2 3 4 5 6 7 8; printf 'NaN')
	front_pid=$(cat "$RUN/http.pid" 2>/dev/null)
	[ -n "$front_pid" ] && frss=$(proc_kb "$front_pid" VmRSS)
	pm=$(head -1 "$DATA_DIR/postmaster.pid" 2>/dev/null)
	if [ -n "$pm" ]; then
		pids="$pm $(ps --ppid "$pm" -o pid= 2>/dev/null | tr '\n' ' ')"
		for p in $pids; do
			prss=$(proc_kb "$p" VmRSS); panon=$(proc_kb "$p" RssAnon)
			rss=$((rss + prss)); anon=$((anon + panon)); n=$((n + 1))
			printf '%.3f\t%s\t%s\t%s\t%s\n' "$t" "$p" "$prss" "$panon" \
				"$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | cut -c1-60)" >>"$REPORT/procs.tsv"
		done
	fi
	printf '%.3f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$code" "$ms" "$db" "$frss" "$rss" "$anon" "$n" \
		"$(count_lines "$PG_LOG" "$PG_LOG_OFF" '(ERROR|FATAL|PANIC):')" \
		"$(count_lines "$PG_LOG" "$PG_LOG_OFF" 'WARNING:')" \
		"$(count_lines "$HTTP_LOG" "$HTTP_LOG_OFF" 'level=error')" \
		"$(count_lines "$HTTP_LOG" "$HTTP_LOG_OFF" 'level=warn')" >>"$REPORT/samples.tsv"
	collect_ticks
}
