#!/usr/bin/env python3
"""Webhook throughput, beside the approvals that produce the events.

    python3 bench/webhooks.py            # 1,000 approvals each way; BENCH_APPROVALS=N for more

Builds nothing itself (bench/webhooks.sh builds the release binary first). On a fresh
database `sd_webhooks_bench` it seeds sessions, signs a reviewer in, and approves N completed
sessions through the dashboard from 16 client threads twice: once with no endpoint
registered (webhooks off), once with one endpoint subscribed to every event, on a receiver on
loopback that answers 200 (webhooks on). It prints both approve rates, and how fast the
deliveries reached the receiver: from the first approval until the last of the N
`session.approved` deliveries arrived.
"""
import hashlib
import http.client
import http.server
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "sd_webhooks_bench"
# Loopback without TLS, as the other benchmarks connect; BENCH_PG_OPTS="" keeps the default.
URL = f"{PG}/{DB}" + os.environ.get("BENCH_PG_OPTS", "?sslmode=disable")
N = int(os.environ.get("BENCH_APPROVALS", "1000"))
PORT = int(os.environ.get("BENCH_PORT", "8182"))
THREADS = 16
TARGET = os.environ.get("CARGO_TARGET_DIR", "target")
BIN = os.path.join(TARGET, "release", "sessiondesk")


def psql(db_url, sql):
    out = subprocess.run(["psql", db_url, "-Atqc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


class Receiver(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.approved = 0
        self.total = 0
        self.last = None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        with self.server.lock:
            self.server.total += 1
            if b'"session.approved"' in body:
                self.server.approved += 1
                self.server.last = time.monotonic()
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def sign_in(username, password):
    conn = http.client.HTTPConnection("127.0.0.1", PORT)
    conn.request("GET", "/login")
    r = conn.getresponse()
    cookie = r.getheader("set-cookie").split(";")[0]
    token = re.search(r'name="csrf-token" content="([^"]+)"', r.read().decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": password})
    conn.request("POST", "/login", form, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    cookie = r.getheader("set-cookie").split(";")[0]
    conn.request("GET", "/account", headers={"Cookie": cookie})
    r = conn.getresponse()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', r.read().decode()).group(1)
    return cookie, csrf


def approve_all(ids, cookie, csrf):
    """Approves every id from THREADS threads; the seconds it took."""
    chunks = [ids[i::THREADS] for i in range(THREADS)]
    failures = []

    def work(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", PORT)
        body = urllib.parse.urlencode({"csrf_token": csrf})
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        for sid in chunk:
            conn.request("POST", f"/sessions/{sid}/approve", body, headers)
            r = conn.getresponse()
            r.read()
            if r.status != 303 or "flash" in (r.getheader("location") or ""):
                failures.append(r.status)

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    if failures:
        sys.exit(f"{len(failures)} approvals failed: {failures[:5]}")
    return started, took


def main():
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB}"], check=True)
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {DB}"], check=True)
    env = dict(os.environ, DATABASE_URL=URL)
    subprocess.run([BIN, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([BIN, "seed", "--sessions", str(max(40_000, 40 * N))], env=env, check=True,
                   capture_output=True)
    completed = psql(URL, f"SELECT id FROM sessions WHERE status = 'completed' LIMIT {2 * N}").split()
    if len(completed) < 2 * N:
        sys.exit(f"only {len(completed)} completed sessions; need {2 * N}")
    psql(URL, "VACUUM ANALYZE")
    password = "bench-" + secrets.token_urlsafe(16)
    subprocess.run([BIN, "create-user", "--username", "bench.reviewer", "--role", "reviewer",
                    "--password-stdin"], env=env, input=password, text=True, check=True,
                   capture_output=True)

    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    server_env = dict(env, BIND=f"127.0.0.1:{PORT}", COOKIE_SECURE="false", RUST_LOG="warn",
                      WEBHOOK_ALLOW_INSECURE="true", WEBHOOK_ALLOW_PRIVATE="true")
    server = subprocess.Popen([BIN, "serve"], env=server_env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", PORT)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        cookie, csrf = sign_in("bench.reviewer", password)

        _, off = approve_all(completed[:N], cookie, csrf)
        print(f"| webhooks off | {N} approvals in {off:.2f} s | {N / off:.0f} approvals/s | |")

        # An endpoint for every event, registered as an admin's key would.
        key = "sk_bench_" + secrets.token_urlsafe(32)
        key_hash = hashlib.sha256(key.encode()).hexdigest()
        psql(URL, "INSERT INTO api_keys (name, prefix, secret_hash, permissions) VALUES "
                  f"('bench', 'sk_bench', decode('{key_hash}', 'hex'), '{{webhooks:manage}}')")
        c = http.client.HTTPConnection("127.0.0.1", PORT)
        body = ('{"data": {"type": "webhook_endpoint", "attributes": {"url": '
                f'"http://127.0.0.1:{receiver.server_address[1]}/hooks"}}}}}}')
        c.request("POST", "/v1/identity/webhook-endpoints", body,
                  {"X-Api-Key": key, "Content-Type": "application/vnd.api+json"})
        r = c.getresponse()
        if r.status != 201:
            sys.exit(f"registering the endpoint: {r.status} {r.read()[:300]!r}")
        r.read()

        started, on = approve_all(completed[N:2 * N], cookie, csrf)
        deadline = time.monotonic() + 120
        while receiver.approved < N and time.monotonic() < deadline:
            time.sleep(0.05)
        if receiver.approved < N:
            sys.exit(f"only {receiver.approved} of {N} deliveries arrived within 2 minutes")
        span = receiver.last - started
        print(f"| webhooks on  | {N} approvals in {on:.2f} s | {N / on:.0f} approvals/s "
              f"| {N} deliveries in {span:.2f} s from the first approval: {N / span:.0f} deliveries/s |")
        print(f"approve rate with webhooks on: {100 * off / on:.0f} % of the rate with them off")
        # The server re-executes itself with its allocator settings, keeping its pid.
        with open(f"/proc/{server.pid}/status") as status:
            peak = next(line.split()[1] for line in status if line.startswith("VmHWM"))
        print(f"server peak memory (VmHWM): {peak} kB")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
