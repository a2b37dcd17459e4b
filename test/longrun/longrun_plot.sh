#!/usr/bin/env bash
# test/longrun/longrun_plot.sh REPORT_DIR — the PNG plots of a longrun
# (test/longrun/longrun_plot.gp) from samples.tsv, ticks.tsv, evals.tsv and, for
# longrun-fast, series over simulated time read from the database.
# Real time: x is minutes since the start of the run.  Fast: x is simulated
# days since the start of the simulated period (health latency and RSS stay
# on the wall clock, the only clock they have).
. "$(dirname "$0")/../../scripts/lib.sh"
REPORT=$(cd "${1:?usage: longrun_plot.sh REPORT_DIR}" && pwd) || exit 2
. "$REPORT/meta.env"
P="$REPORT/.plot"; rm -rf "$P"; mkdir -p "$P"
# Q SQL: SQL on stdin; the run's values reach it as psql variables
# (t_start, sim_start, sim_end, rate, event_id0, dev_id0), never pasted into the text.
Q() {
	psql_at "$SOCK" "$PGPORT_L" agingos -tA -F ' ' -v t_start="${T_START:-}" -v sim_start="${SIM_START:-}" \
		-v sim_end="${SIM_END:-}" -v rate="${RATE:-}" -v event_id0="${EVENT_ID0:-}" -v dev_id0="${DEV_ID0:-}" <<<"$1"
}

# samples: x_wall_min x_sim_day events deviations active v1 db_MiB health_ms front_MiB anon_MiB rss_MiB
awk -F'\t' -v t0="$T_START" -v s0="$SIM_START" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ printf "%.3f %.4f %s %s %s %s %.3f %s %.2f %.2f %.2f\n", ($1 - t0) / 60, ($c["sim_clock"] - s0) / 86400,
	  $c["events"], $c["deviations"], $c["active"], $c["v1"], $c["db_bytes"] / 1048576, $c["health_ms"],
	  $c["front_rss_kb"] / 1024, $c["pg_anon_kb"] / 1024, $c["pg_rss_kb"] / 1024 }' "$REPORT/samples.tsv" >"$P/s.dat"
# ticks: x_wall_min x_sim_day duration_ms gap_s
awk -F'\t' -v t0="$T_START" -v s0="$SIM_START" 'NR == 1 { next }
	{ printf "%.3f %.4f %s %s\n", ($2 - t0) / 60, ($3 - s0) / 86400, $4, (NR > 2 ? $2 - p : "NaN"); p = $2 }' "$REPORT/ticks.tsv" >"$P/t.dat"
# mode B evaluate calls: x_wall_min eval_ms
[ -f "$REPORT/evals.tsv" ] && awk -F'\t' -v t0="$T_START" 'NR > 1 { printf "%.3f %s\n", ($1 - t0) / 60, $4 }' "$REPORT/evals.tsv" >"$P/e.dat"
# injected anomalies: x_wall_min x_sim_day
: >"$P/inj.dat"
for inj in $(echo "$INJECT" | tr ',' ' '); do
	at=${inj#*@}; [[ $at =~ ^(.*Z):[0-9]+$ ]] && at=${BASH_REMATCH[1]}
	e=$(date -u -d "$at" +%s 2>/dev/null) || continue
	awk -v e="$e" -v t0="$T_START" -v s0="$SIM_START" -v r="$RATE" -v f="$FAST" 'BEGIN {
		w = (f == 1 ? 0 : (e - t0) / 60); printf "%.3f %.4f\n", w, (e - s0) / 86400 }' >>"$P/inj.dat"
done
if [ "$FAST" = 0 ]; then
	# events of the run, cumulative: when stored (received_at) and when due at the pace RATE sets
	Q "SELECT round((extract(epoch FROM received_at) - (:'t_start')::numeric) / 60, 4),
	          round((extract(epoch FROM \"timestamp\") - (:'sim_start')::numeric) / (:'rate')::numeric / 60, 4)
	     FROM agingos.events WHERE id > (:'event_id0')::bigint AND category <> 'longrun_probe'" >"$P/ev.raw"
	cut -d' ' -f1 "$P/ev.raw" | sort -g | awk 'NF { print $1, NR }' >"$P/recv.dat"
	cut -d' ' -f2 "$P/ev.raw" | sort -g | awk 'NF { print $1, NR }' >"$P/due.dat"
fi
if [ "$FAST" = 1 ]; then
	# cumulative events and deviation rows per simulated hour
	Q "WITH h AS (SELECT generate_series(to_timestamp((:'sim_start')::double precision), to_timestamp((:'sim_end')::double precision), interval '1 hour') AS t)
	   SELECT round(extract(epoch FROM h.t - to_timestamp((:'sim_start')::double precision))::numeric / 86400, 4),
	          (SELECT count(*) FROM agingos.events e WHERE e.id > (:'event_id0')::bigint AND e.category <> 'longrun_probe' AND e.\"timestamp\" < h.t),
	          (SELECT count(*) FROM agingos.deviations d WHERE d.deviation_id > (:'dev_id0')::bigint AND d.started_at <= h.t),
	          (SELECT count(*) FROM agingos.deviations d WHERE d.deviation_id > (:'dev_id0')::bigint AND d.started_at <= h.t AND (d.closed_at IS NULL OR d.closed_at > h.t))
	     FROM h ORDER BY h.t" >"$P/sim.dat"
fi
title="agingos longrun $( [ "$FAST" = 1 ] && echo "fast, $DAYS simulated days" || echo "mode $MODE, RATE=$RATE"), $HOMES homes"
gnuplot -e "dir='$P'; out='$REPORT'; fast=$FAST; modeb=$([ "$MODE" = B ] && echo 1 || echo 0); ttl='$title'; iv=$INTERVAL_S; runmin=$(awk -v a="$T_START" -v b="$T_END" 'BEGIN { printf "%.2f", (b - a) / 60 }')" \
	"$AG_ROOT/test/longrun/longrun_plot.gp"
