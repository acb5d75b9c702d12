#!/usr/bin/env python3
"""faultproxy.py: a small HTTP proxy on loopback in front of a plain-HTTP registry, for the
registry tests. It forwards every request and logs "METHOD PATH RANGE" lines, and can
  --corrupt DIGEST      serve that blob with its bytes altered (same length)
  --corrupt-manifest    serve manifests with one extra space (their digest no longer matches)
  --throttle DIGEST:BPS serve that blob at BPS bytes per second (to kill a pull mid-download)
  --bearer USER:PASS    act as a token-auth registry: /v2/ wants "Bearer <token>", and /token
                        hands tokens out for USER:PASS (anonymous ones that grant nothing
                        without credentials; 401 "incorrect username or password" for wrong ones)
  --drop DIGEST:BYTES   the first GET of that blob sends BYTES bytes and then closes the connection
  --token-uses N        with --bearer: a token is good for N requests, then it has "expired"
usage: faultproxy.py PORTFILE UPSTREAM_PORT LOG [--corrupt D] [--throttle D:BPS]
It binds a free port on 127.0.0.1 and writes it to PORTFILE."""
import http.client, http.server, sys, time

portfile, upstream, logpath = sys.argv[1], int(sys.argv[2]), sys.argv[3]
corrupt, throttle, bearer, token_uses, tokens, drop = set(), {}, None, 0, {}, {}
corrupt_manifest = False
args = sys.argv[4:]
while args:
    if args[0] == "--corrupt":
        corrupt.add(args[1]); args = args[2:]
    elif args[0] == "--corrupt-manifest":
        corrupt_manifest = True; args = args[1:]
    elif args[0] == "--drop":
        d, n = args[1].rsplit(":", 1); drop[d] = int(n); args = args[2:]
    elif args[0] == "--token-uses":
        token_uses = int(args[1]); args = args[2:]
    elif args[0] == "--bearer":
        bearer = args[1]; args = args[2:]
    elif args[0] == "--throttle":
        d, bps = args[1].rsplit(":", 1); throttle[d] = int(bps); args = args[2:]
    else:
        sys.exit("faultproxy: unknown argument " + args[0])
log = open(logpath, "a", buffering=1)

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        log.write("%s %s %s\n" % (self.command, self.path, self.headers.get("Range", "-")))
        if bearer and self.bearer_gate():
            return
        c = http.client.HTTPConnection("127.0.0.1", upstream, timeout=120)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        hdrs["Host"] = "127.0.0.1:%d" % upstream
        c.request(self.command, self.path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        blob = self.path.rsplit("/", 1)[-1] if "/blobs/sha256:" in self.path else None
        if corrupt_manifest and "/manifests/" in self.path and self.command == "GET" and data:
            data = data + b" "
        if blob in corrupt and self.command == "GET" and data:
            data = bytes([data[0] ^ 0xff]) + data[1:]
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)) if self.command != "HEAD" else r.getheader("Content-Length", "0"))
        self.end_headers()
        if self.command == "HEAD":
            return
        if self.command == "GET" and blob in drop:
            n = drop.pop(blob)
            self.wfile.write(data[:n]); self.wfile.flush()
            self.close_connection = True
            import socket
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        bps = throttle.get(blob) if self.command == "GET" else None
        if not bps:
            self.wfile.write(data); return
        step = max(1, bps // 20)
        for i in range(0, len(data), step):
            self.wfile.write(data[i:i + step]); self.wfile.flush(); time.sleep(0.05)
    def reply(self, status, body, hdrs=()):
        self.send_response(status)
        for k, v in hdrs: self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)
    def bearer_gate(self):
        """True when the request was answered here (token endpoint or a 401)."""
        import base64, urllib.parse
        auth = self.headers.get("Authorization", "")
        if self.path.startswith("/token"):
            q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
            if not auth:
                tok = "anon"
            elif auth == "Basic " + base64.b64encode(bearer.encode()).decode():
                tok = "good:%d:%s" % (len(tokens), ",".join(q.get("scope", [])))
                tokens[tok] = token_uses
            else:
                self.reply(401, b'{"details":"incorrect username or password"}'); return True
            self.reply(200, ('{"token":"%s"}' % tok).encode()); return True
        if auth.startswith("Bearer good:"):
            tok = auth[7:]
            if not token_uses:
                return False
            if tokens.get(tok, 0) > 0:
                tokens[tok] -= 1
                return False
            log.write("expired %s\n" % tok)
        ch = 'Bearer realm="http://127.0.0.1:%d/token",service="faultproxy"' % self.server.server_address[1]
        self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}',
                   [("WWW-Authenticate", ch)])
        return True
    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
with open(portfile + ".tmp", "w") as f: f.write(str(srv.server_address[1]))
import os; os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
