#!/usr/bin/env python3
"""test/e2e/loadgen.py — steady POST /event load for 88_faults.sh.

--rate events/s over --threads keep-alive connections for --seconds; every
event has a unique id PREFIX-<thread>-<n>.  Each id the front acknowledged
(2xx) is written to --acked, one per line; a transport error or a non-2xx
reply is counted, the connection is opened again and the next id is sent
(an unacknowledged id is never counted as stored).  Prints one line of
key=value counts at the end.
"""
import argparse
import http.client
import json
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--rate", type=float, default=200)
ap.add_argument("--threads", type=int, default=4)
ap.add_argument("--seconds", type=float, default=20)
ap.add_argument("--prefix", default="f")
ap.add_argument("--acked", required=True)
a = ap.parse_args()

lock = threading.Lock()
counts = {"sent": 0, "acked": 0, "non_2xx": 0, "transport_errors": 0}
statuses = {}
acked = []


def worker(t):
    per = a.rate / a.threads
    conn = None
    n = 0
    start = time.monotonic()
    end = start + a.seconds
    while time.monotonic() < end:
        due = start + n / per
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        n += 1
        eid = f"{a.prefix}-{t}-{n}"
        body = json.dumps({"id": eid, "timestamp": "2025-12-23T12:00:00Z", "category": "motion",
                           "payload": {"room": "kitchen"}})
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=5)
            conn.request("POST", "/event", body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            with lock:
                counts["sent"] += 1
                statuses[r.status] = statuses.get(r.status, 0) + 1
                if 200 <= r.status < 300:
                    counts["acked"] += 1
                    acked.append(eid)
                else:
                    counts["non_2xx"] += 1
        except (OSError, http.client.HTTPException):
            with lock:
                counts["sent"] += 1
                counts["transport_errors"] += 1
            try:
                conn.close()
            except Exception:
                pass
            conn = None
            time.sleep(0.05)


ths = [threading.Thread(target=worker, args=(i,)) for i in range(a.threads)]
for th in ths:
    th.start()
for th in ths:
    th.join()
with open(a.acked, "w") as f:
    f.write("\n".join(acked) + ("\n" if acked else ""))
print(" ".join(f"{k}={v}" for k, v in counts.items()) + " statuses=" +
      ",".join(f"{k}:{v}" for k, v in sorted(statuses.items())))
