"""The notes' example app: a small stdlib HTTP server on port 8000 that reports which
environment (ENV_FOR_DYNACONF: dev or prod) the image was built for."""
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({
            "app": "seed-python",
            "env": os.environ.get("ENV_FOR_DYNACONF", "unset"),
            "always_load_env_vars": os.environ.get("DYNACONF_ALWAYS_LOAD_ENV_VARS", "unset"),
            "path": self.path,
        }) + "\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, fmt, *args):
        print("%s - %s" % (self.address_string(), fmt % args), flush=True)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8000"))
    print("serving on port %d (env %s)" % (port, os.environ.get("ENV_FOR_DYNACONF", "unset")), flush=True)
    HTTPServer(("0.0.0.0", port), Handler).serve_forever()
