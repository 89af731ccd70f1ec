#!/usr/bin/env bash
# The Session Desk benchmark: a million sessions, the release build, wrk at 32 connections.
#
#   bash bench/run.sh            # seeds sd_bench with 1,000,000 sessions if it has fewer
#   BENCH_ONLY='search|case' bash bench/run.sh   # only the scenarios whose label matches
#
# Needs wrk (apt-get install wrk), curl, python3 and a running Postgres. Prints requests
# per second and p50/p99 latency for each scenario, and the server's peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."

DB_NAME="${BENCH_DB:-sd_bench}"
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
# Loopback without TLS, as the ceiling connects (libpq would negotiate it with Postgres's
# snakeoil certificate otherwise); BENCH_PG_OPTS="" keeps libpq's default.
export DATABASE_URL="$PG/$DB_NAME${BENCH_PG_OPTS-?sslmode=disable}"
PORT="${BENCH_PORT:-8181}"
BASE="http://127.0.0.1:$PORT"
DURATION="${BENCH_DURATION:-20s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
WORK="$(mktemp -d)"
trap 'kill "${SERVER_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

psql_q() { psql "$DATABASE_URL" -Atqc "$1"; }

cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/sessiondesk"
"$BIN" migrate >/dev/null

have=$(psql_q "SELECT count(*) FROM sessions")
if [ "$have" -lt 1000000 ]; then
  echo "seeding $((1000000 - have)) sessions into $DB_NAME"
  "$BIN" seed --sessions $((1000000 - have))
fi

# Earlier runs approved sessions: put them back to `completed` (their approver, an earlier
# bench.reviewer, no longer exists), so every run has as many to approve. Then let
# autovacuum's work be done before measuring.
psql_q "UPDATE sessions SET status = 'completed', previous_status = NULL, decision = NULL,
          decision_reason = NULL, decision_comment = NULL, decided_by_type = NULL, decided_by = NULL,
          decisioned_at = NULL, last_activity = 'session.completed'
        WHERE status = 'approved' AND decided_by_type = 'user'
          AND (decided_by NOT IN (SELECT id FROM users) OR decided_by IN (SELECT id FROM users WHERE username = 'bench.reviewer'))" >/dev/null
psql_q "VACUUM ANALYZE sessions" >/dev/null

# A reviewer to sign in as, and an API key with every read permission.
PW="bench-password-$(date +%s)"
psql_q "DELETE FROM users WHERE username = 'bench.reviewer'" >/dev/null 2>&1 || true
printf '%s' "$PW" | "$BIN" create-user --username bench.reviewer --role reviewer --display-name "Bench Reviewer" --password-stdin >/dev/null
API_KEY="sk_bench_$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
KEY_HASH=$(printf '%s' "$API_KEY" | sha256sum | cut -d' ' -f1)
psql_q "INSERT INTO api_keys (name, prefix, secret_hash, permissions) VALUES ('bench', 'sk_bench', decode('$KEY_HASH', 'hex'), '{sessions:read,accounts:read}')" >/dev/null

COOKIE_SECURE=false BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 50); do curl -fs "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

# Sign in through the form, as a browser would.
JAR="$WORK/jar"
TOKEN=$(curl -s -c "$JAR" "$BASE/login" | python3 -c 'import re,sys; print(re.search(r"name=\"csrf-token\" content=\"([^\"]+)\"", sys.stdin.read()).group(1))')
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "csrf_token=$TOKEN" --data-urlencode "username=bench.reviewer" --data-urlencode "password=$PW" "$BASE/login"
export COOKIE="sd_session=$(awk '$6 == "sd_session" {print $7}' "$JAR")"
export CSRF=$(curl -s -b "$JAR" "$BASE/account" | python3 -c 'import re,sys; print(re.search(r"name=\"csrf-token\" content=\"([^\"]+)\"", sys.stdin.read()).group(1))')
export API_KEY

# Case pages to read, and completed sessions to approve (never the same one twice).
psql_q "SELECT id FROM sessions WHERE status IN ('completed', 'marked_for_review') ORDER BY random() LIMIT 2000" >"$WORK/case_ids.txt"
psql_q "SELECT id FROM sessions WHERE status = 'completed' ORDER BY created_at DESC LIMIT 40000" >"$WORK/approve_ids.txt"
export CASE_IDS="$WORK/case_ids.txt" APPROVE_IDS="$WORK/approve_ids.txt"
if [ "$(wc -l <"$WORK/approve_ids.txt")" -lt 40000 ]; then
  echo "warning: only $(wc -l <"$WORK/approve_ids.txt") completed sessions to approve; approvals past them are refused (303 with a flash)" >&2
fi
NAME=$(psql_q "SELECT last_name FROM sessions WHERE last_name IS NOT NULL AND status = 'completed' ORDER BY created_at DESC LIMIT 1")
FULL=$(psql_q "SELECT first_name || ' ' || last_name FROM sessions WHERE last_name IS NOT NULL ORDER BY created_at DESC OFFSET 500 LIMIT 1")

run() {
  local label="$1" script="$2" path="$3"
  if [ -n "${BENCH_ONLY:-}" ] && ! grep -qiE "$BENCH_ONLY" <<<"$label"; then return; fi
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "bench/$script" "$BASE$path" 2>&1)
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx/ {print $5}' <<<"$out")
  if [ -z "$rps" ]; then
    echo "$label: wrk failed:" >&2
    tail -5 <<<"$out" >&2
    return
  fi
  printf '| %-34s | %9s | %8s | %8s | %s |\n' "$label" "$rps" "$p50" "$p99" "${non2xx:-0}"
}

enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

echo
echo "| scenario ($CONNECTIONS connections, $DURATION) | req/s | p50 | p99 | non-2xx/3xx |"
echo "|---|---|---|---|---|"
run "work queue (reviewer's default)" cookie.lua "/sessions"
run "queue by status (pending, newest)" cookie.lua "/sessions?status=pending&sort=newest"
run "queue, name search ($FULL)" cookie.lua "/sessions?q=$(enc "$FULL")"
run "queue, status + surname ($NAME)" cookie.lua "/sessions?status=completed&q=$(enc "$NAME")"
run "case page" case.lua "/sessions"
run "API session list" api.lua "/v1/identity/sessions?page%5Bsize%5D=15"
run "approve under load" approve.lua "/sessions"
echo
echo "server peak memory (VmHWM): $(awk '/VmHWM/ {print $2, $3}' /proc/$SERVER_PID/status)"
