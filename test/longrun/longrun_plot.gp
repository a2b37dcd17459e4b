# test/longrun/longrun_plot.gp — gnuplot script of test/longrun/longrun_plot.sh.
# Variables: dir (data), out (PNG folder), fast (0/1), modeb (0/1), ttl, iv (interval s),
# runmin (length of the run in minutes).
# s.dat:  x_wall_min x_sim_day events deviations active v1 db_MiB health_ms front_MiB anon_MiB rss_MiB
# t.dat:  x_wall_min x_sim_day duration_ms gap_s        e.dat: x_wall_min eval_ms
# sim.dat (fast): x_sim_day events deviations_rows active   inj.dat: x_wall_min x_sim_day
# recv.dat, due.dat (real time): x_wall_min cumulative events of the run
# A plot whose data files have no row is still written, as a PNG that says so
# in words (and a line on stdout), instead of gnuplot stopping with "x range
# is invalid": e.g. no tick was recorded because the simulator never reached
# the database.
set terminal pngcairo noenhanced size 1000,520 font ",10"
set grid
set key top left
set datafile missing "NaN"
xw = "minutes since the start of the run"
xs = "simulated days since the start"
injx = fast ? 2 : 1
# has(f): whether data file f (in dir) has at least one row
has(f) = int(system("cat '".dir."/".f."' 2>/dev/null | grep -c .")) > 0
# nodata: eval'd with msg set (and the title as usual): the plot is that sentence
nodata = "unset arrow; unset border; unset tics; unset key; unset xlabel; unset ylabel; unset y2label; " . \
         "set label 99 msg at graph 0.5, graph 0.5 center font ',14'; plot [0:1][0:1] NaN notitle; " . \
         "unset label 99; set border; set tics; set key top left; " . \
         "print 'longrun_plot: '.GPVAL_OUTPUT.': '.msg"
s0evs = system("head -1 ".dir."/s.dat | cut -d' ' -f3")
s0ev = (s0evs eq "" ? 0 : real(s0evs))
if (!fast) { set xrange [0:runmin] }
ninj = int(system("grep -c . ".dir."/inj.dat"))

injat(i) = real(system(sprintf("sed -n %dp %s/inj.dat | cut -d' ' -f%d", i, dir, injx)))
if (ninj > 0) { set for [i=1:ninj] arrow from first injat(i), graph 0 to first injat(i), graph 1 nohead dt 2 lc rgb "red" }

set output out."/events.png"
set title ttl.": events stored (dashed red: injected anomalies)"
set ylabel "events (rows)"
if (fast) {
  if (has("sim.dat")) { set xlabel xs; plot dir."/sim.dat" u 1:2 w l lw 2 t "events (by event timestamp)" } \
  else { msg = "no data: the database gave no series of events over the simulated period"; eval nodata }
} else {
  if (has("recv.dat") && has("s.dat")) { set xlabel xw; set ylabel "events since the start"; \
       plot dir."/due.dat" u 1:2 w steps lw 4 lc rgb "#bbbbbb" t "due at the pace RATE sets (simulated timestamp)", \
            dir."/recv.dat" u 1:2 w steps lw 1.5 lc rgb "#1f77b4" t "stored (received_at)", \
            dir."/s.dat" u 1:($3 - s0ev) w p pt 7 ps 0.6 lc rgb "#d62728" t "sampled: rows of events minus the first sample" } \
  else { msg = "no data: no event of the run was stored (or no sample was taken)"; eval nodata }
}

set output out."/deviations.png"
set title ttl.": deviations (dashed red: injected anomalies)"
set ylabel "rows"
set yrange [0:*]
if (fast) {
  if (has("sim.dat")) { set xlabel xs; plot dir."/sim.dat" u 1:3 w steps lw 2 t "deviations rows (every episode)", dir."/sim.dat" u 1:4 w steps lw 2 t "active (OPEN/ACK)" } \
  else { msg = "no data: the database gave no series of deviations over the simulated period"; eval nodata }
} else {
  if (has("s.dat")) { set xlabel xw; plot dir."/s.dat" u 1:4 w steps lw 2 t "deviations rows", dir."/s.dat" u 1:5 w steps lw 2 t "active (OPEN/ACK)", dir."/s.dat" u 1:6 w steps lw 2 t "deviations_v1 rows" } \
  else { msg = "no data: no sample was taken"; eval nodata }
}
unset arrow
set yrange [*:*]

set output out."/db_size.png"
set title ttl.": database size (pg_database_size)"
set ylabel "MiB"
if (!has("s.dat")) { msg = "no data: no sample was taken"; eval nodata } \
else { if (fast) { set xlabel xs; plot dir."/s.dat" u 2:7 w lp pt 7 ps 0.5 lw 2 t "database size (x: newest event's simulated time)" } \
       else { set xlabel xw; plot dir."/s.dat" u 1:7 w lp pt 7 ps 0.5 lw 2 t "database size" } }

set output out."/tick_duration.png"
set yrange [0:*]
if (modeb) {
  set title ttl.": manual GET /deviations/evaluate latency (scheduler off)"
  if (has("e.dat")) { set ylabel "ms"; set xlabel xw; plot dir."/e.dat" u 1:2 w p pt 7 ps 0.6 t "evaluate, one home, last hour" } \
  else { msg = "no data: no manual evaluate call was recorded (evals.tsv is empty)"; eval nodata }
} else {
  if (fast) { set title sprintf("%s: tick duration (ticks every %d simulated minutes)", ttl, iv/60) } \
  else { set title sprintf("%s: tick duration and spacing (interval %d s)", ttl, iv) }
  if (!has("t.dat")) { msg = "no data: no scheduler tick was recorded (ticks.tsv is empty; see sim.log)"; eval nodata } \
  else { if (fast) { set xlabel xs; set ylabel "ms"; \
              plot dir."/t.dat" u 2:3 w p pt 7 ps 0.35 lc rgb "#1f77b4" t "duration_ms per tick" } \
  else { set xlabel xw; set ylabel "duration (ms)"; set y2label "gap to previous tick (s)"; \
         set y2tics; set ytics nomirror; set y2range [0:iv*1.5]; \
         plot dir."/t.dat" u 1:3 w lp pt 7 ps 0.6 lw 2 t "duration_ms", dir."/t.dat" u 1:4 axes x1y2 w p pt 6 ps 0.8 t "gap (s, right axis)", iv*0.9 axes x1y2 w l dt 2 lc rgb "gray" t "interval ±10 %", iv*1.1 axes x1y2 w l dt 2 lc rgb "gray" t "" } }
  unset y2tics; unset y2label; set ytics mirror
}

set xrange [0:runmin]
set output out."/health_latency.png"
set title ttl.": GET /health latency"
set xlabel xw; set ylabel "ms"
set yrange [0:*]
if (has("s.dat")) { plot dir."/s.dat" u 1:8 w lp pt 7 ps 0.5 lw 2 t "latency (ms)" } \
else { msg = "no data: no sample was taken"; eval nodata }

set output out."/rss.png"
set title ttl.": memory"
set xlabel xw; set ylabel "MiB"
if (has("s.dat")) { plot dir."/s.dat" u 1:9 w l lw 2 t "agingos-http VmRSS", dir."/s.dat" u 1:10 w l lw 2 t "database processes Σ RssAnon", dir."/s.dat" u 1:11 w l lw 2 t "database processes Σ VmRSS" } \
else { msg = "no data: no sample was taken"; eval nodata }
