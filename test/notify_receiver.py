#!/usr/bin/env python3
"""notify_receiver.py - a small webhook receiver for the notification tests,
the demo and the benchmark (docs/notifications.md).

    notify_receiver.py --port P --log FILE [--mode-file F] [--secret S] [--print]

Every POST is answered according to the mode file's first word, read on each
request (missing file = ok):
    ok            200
    500           500 Internal Server Error
    timeout       logged as status "timeout", answered only after 30 s (the relay gives up first)
    delay=<s>     wait <s> seconds, then 200 (the benchmark's 200 ms receiver)
Each request that was answered 200 is appended to the log as one JSON line:
    {"path", "notification_id", "signature_ok", "body"}
(signature_ok: null without --secret; else whether X-Agingos-Signature is the
sha256 HMAC of the body with S).  Requests answered otherwise are logged with
"status" so tests can count attempts.  --print writes each 200 message as a
carer would read it.  Python standard library only.
"""
import argparse
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


def mode(args):
    try:
        with open(args.mode_file) as f:
            return (f.read().split() or ["ok"])[0]
    except (OSError, TypeError):
        return "ok"


def human(path, body):
    """What a carer would read: the title/message of Apprise's json:// or the webhook's fields."""
    if isinstance(body, dict) and "message" in body and "title" in body:
        return "--- Apprise message (%s)\n%s\n%s" % (path, body["title"], body["message"])
    if isinstance(body, dict) and "deviation" in body:
        d = body["deviation"]
        lines = ["--- webhook to %s (%s)" % (body.get("contact", {}).get("name"), path),
                 "[%s] %s: %s (%s)" % (body.get("kind"), d.get("home_id"), d.get("title"), d.get("severity")),
                 "  %s" % d.get("explanation"),
                 "  since %s, status %s" % (d.get("started_at"), d.get("status"))]
        if body.get("ack_url"):
            lines.append("  acknowledge: %s" % body["ack_url"])
        return "\n".join(lines)
    return json.dumps(body)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):  # quiet
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        m = mode(self.server.args)
        status = 200
        if m == "500":
            status = 500
        elif m == "timeout":
            status = "timeout"
        elif m.startswith("delay="):
            time.sleep(float(m[6:]))
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            body = raw.decode("utf-8", "replace")
        sig_ok = None
        if self.server.args.secret is not None:
            want = "sha256=" + hmac.new(self.server.args.secret.encode(), raw, hashlib.sha256).hexdigest()
            sig_ok = hmac.compare_digest(want, self.headers.get("X-Agingos-Signature", ""))
        rec = {"path": self.path, "notification_id": self.headers.get("X-Agingos-Notification-Id"),
               "signature_ok": sig_ok, "status": status, "body": body}
        with LOCK:
            with open(self.server.args.log, "a") as f:
                f.write(json.dumps(rec) + "\n")
            if self.server.args.print and status == 200:
                print(human(self.path, body) + "\n", flush=True)
        if status == "timeout":
            time.sleep(30)  # the relay gives up first; this answer is never logged
            status = 200
        out = b'{"ok":true}' if status == 200 else b'{"ok":false}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--mode-file")
    p.add_argument("--secret")
    p.add_argument("--print", action="store_true")
    args = p.parse_args()
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 256
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.args = args
    sys.stderr.write("notify_receiver listening on 127.0.0.1:%d pid %d\n" % (args.port, os.getpid()))
    srv.serve_forever()


if __name__ == "__main__":
    main()
