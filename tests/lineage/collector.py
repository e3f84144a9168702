#!/usr/bin/env python3
"""A minimal OpenLineage collector for tests: accepts POST /api/v1/lineage (as Marquez does),
appends each body as one line to FILE, answers 201. Usage: collector.py PORT FILE"""
import http.server
import json
import sys

port, out = int(sys.argv[1]), sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/api/v1/lineage":
            self.send_response(404)
            self.end_headers()
            return
        event = json.loads(body)
        event["_auth"] = self.headers.get("Authorization", "")
        with open(out, "a") as f:
            f.write(json.dumps(event) + "\n")
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
