#!/usr/bin/env python3
"""test/bench/perf_ingest.py: where an ingest request's CPU goes (docs/bench.md section 15).

Reads `perf script -F comm,pid,ip,sym` of a `perf record -a -g` taken while wrk (POST /event)
or curl (POST /events/batch) ran, keeps the samples of the given pids (the cluster's
backends and the front; wrk and curl always), and puts each sample in the first part whose
frames are all on its call stack.  Prints each part's share and its CPU per request (or per
event): samples / frequency / count.

  perf record -a -g -F 499 -o ev.data -- sleep 10 &   wrk -t2 -c32 -d10s ... -- 1
  perf script -i ev.data -F comm,pid,ip,sym | test/bench/perf_ingest.py --mode event \\
      --pids "$(pgrep -d, -P $POSTMASTER),$FRONT_PID" --count REQUESTS --freq 499
"""
import argparse
import collections
import re
import sys

# (part, frames that must all be on the stack; "comm=x" matches the command name's start,
# "!f" a frame that must not be there).  First match wins.
EVENT = [
    ("load generator (wrk)", ["comm=wrk"]),
    ("front: libmicrohttpd, libpq, syscalls", ["comm=MHD"]),
    ("front: libmicrohttpd, libpq, syscalls", ["comm=agingos-http"]),
    ("auth: key lookup, SQL function parsed and planned", ["ag_auth", "fmgr_sql"]),
    ("auth: key lookup", ["ag_auth"]),
    ("validator (ag_event_parse)", ["ag_event_parse"]),
    ("INSERT (store_event)", ["store_event"]),
    ("route function, rest (params, JSON body)", ["agingos_http_event"]),
    ("commit: WAL flush", ["CommitTransactionCommand", "XLogFlush"]),
    ("commit, rest", ["CommitTransactionCommand"]),
    ("protocol and route statement (bind, plan cache, SECURITY DEFINER, socket)", ["comm=postgres"]),
]
BATCH = [
    ("client (curl)", ["comm=curl"]),
    ("front", ["comm=MHD"]),
    ("validate: instant regex", ["ag_parse_instant", "RE_compile_and_execute"]),
    ("validate: instant, rest", ["ag_parse_instant"]),
    ("validate: category regex", ["ag_event_parse", "RE_compile_and_execute"]),
    ("validate: payload jsonb_in", ["ag_event_parse", "jsonb_in"]),
    ("validate: depth pre-scan", ["ag_event_parse", "ag_json_depth_ok"]),
    ("validate: JSON parse", ["ag_event_parse", "pg_parse_json"]),
    ("validate: rest", ["ag_event_parse"]),
    ("INSERT (chunks of 1000 rows)", ["ag_ingest_batch", "SPI_execute_plan"]),
    ("split the array, sort, results JSON", ["ag_ingest_batch"]),
    ("route function, rest", ["agingos_http_events_batch"]),
    ("outcome counts for the metrics", ["comm=postgres", "jsonb_in"]),
    ("outcome counts for the metrics", ["comm=postgres", "regexp_match"]),
    ("commit", ["CommitTransactionCommand"]),
    ("PostgreSQL, rest (protocol, socket)", ["comm=postgres"]),
]


def matches(comm, frames, need):
    for n in need:
        if n.startswith("comm="):
            if not comm.startswith(n[5:]):
                return False
        elif n.startswith("!"):
            if n[1:] in frames:
                return False
        elif n not in frames:
            return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["event", "batch"], required=True)
    ap.add_argument("--pids", required=True, help="comma-separated pids to keep (wrk, curl always kept)")
    ap.add_argument("--count", type=float, required=True, help="requests (event) or events (batch)")
    ap.add_argument("--freq", type=float, required=True, help="perf record -F")
    a = ap.parse_args()
    parts = EVENT if a.mode == "event" else BATCH
    pids = set(p for p in a.pids.split(",") if p)
    counts = collections.Counter()
    total = 0
    comm, pid, frames = None, None, set()

    def flush():
        nonlocal total
        if comm is None or (pid not in pids and comm not in ("wrk", "curl")):
            return
        for name, need in parts:
            if matches(comm, frames, need):
                counts[name] += 1
                total += 1
                return

    for line in sys.stdin:
        if not line.strip():
            flush()
            comm, frames = None, set()
        elif not line[0].isspace():
            f = line.split()
            comm, pid, frames = f[0], f[1], set()
        else:
            f = line.split()
            if len(f) >= 2:
                frames.add(re.sub(r"\+0x.*", "", f[1]))
    flush()
    if total == 0:
        sys.exit("no samples of these pids")
    unit = "request" if a.mode == "event" else "event"
    print(f"{total} samples, CPU per {unit}: {total / a.freq / a.count * 1e6:.1f} µs")
    print(f"| part | share | µs per {unit} |\n| --- | --- | --- |")
    for name in dict.fromkeys(n for n, _ in parts):
        if counts[name]:
            print(f"| {name} | {100 * counts[name] / total:.1f} % | {counts[name] / a.freq / a.count * 1e6:.1f} |")


if __name__ == "__main__":
    main()
