#!/usr/bin/env python3
"""A stand-in for the hosts external links lead to, for scripts/bench-external.sh: one
HTTP server on port PORT of each loopback address given (127.0.0.1, 127.0.0.2, ...: each
is a host of its own to a link checker), answering after DELAY milliseconds, as a
distant host would:

  /ok/N     200, an HTML page with the ids `intro` and `details`
  /gone/N   404
  /moved/N  301 to /ok/N
  /__stats  {"requests": R, "most_in_flight": M} over all hosts, not counted
  /__reset  sets both to 0

    scripts/external-mirror.py PORT DELAY_MS 127.0.0.1 127.0.0.2 ...
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
stats = {"requests": 0, "in_flight": 0, "most_in_flight": 0}
delay = 0.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/__stats":
            with lock:
                body = json.dumps({k: stats[k] for k in ("requests", "most_in_flight")}).encode()
            return self.send(200, body, [("Content-Type", "application/json")])
        if path == "/__reset":
            with lock:
                stats.update(requests=0, most_in_flight=0)
            return self.send(200)
        with lock:
            stats["requests"] += 1
            stats["in_flight"] += 1
            stats["most_in_flight"] = max(stats["most_in_flight"], stats["in_flight"])
        try:
            time.sleep(delay)
            parts = path.strip("/").split("/")
            if parts[0] == "ok":
                page = '<!doctype html><title>ok</title><h1 id="intro">Intro</h1><h2 id="details">Details</h2>'
                self.send(200, page.encode(), [("Content-Type", "text/html; charset=utf-8")])
            elif parts[0] == "moved" and len(parts) > 1:
                self.send(301, headers=[("Location", "/ok/" + parts[1])])
            else:
                self.send(404, b"not found", [("Content-Type", "text/plain")])
        finally:
            with lock:
                stats["in_flight"] -= 1


def main():
    global delay
    port, delay = int(sys.argv[1]), int(sys.argv[2]) / 1000
    servers = [ThreadingHTTPServer((address, port), Handler) for address in sys.argv[3:]]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("serving", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
