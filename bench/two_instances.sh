#!/usr/bin/env bash
# Two `sessiondesk serve` processes behind HAProxy (Debian's), as one product, on the
# benchmark database:
#   - a reviewer signed in through the balancer is signed in on each instance (one
#     SESSION_KEY; the session lives in the signed cookie), and a flash set by a request
#     one instance answered shows on the next page the other answers;
#   - a decision made through one instance shows on the case page read from the other;
#   - the background jobs' tick: `job_ticks.runs` grows once per interval, not twice;
#   - the queue page through the balancer with one instance up, then with two (wrk);
#   - a rolling restart (SIGTERM one, wait for it to drain and come back, then the other)
#     under wrk load: the requests that failed, which should be none.
#
#   bash bench/two_instances.sh        # seeds sd_bench with 1,000,000 sessions if it has fewer
#
# Needs haproxy and wrk (apt-get install haproxy wrk), curl and a running Postgres.
set -euo pipefail
cd "$(dirname "$0")/.."

DB_NAME="${BENCH_DB:-sd_bench}"
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
# Loopback without TLS, as the ceiling connects (libpq would negotiate it with Postgres's
# snakeoil certificate otherwise); BENCH_PG_OPTS="" keeps libpq's default.
export DATABASE_URL="$PG/$DB_NAME${BENCH_PG_OPTS-?sslmode=disable}"
LB=8190; A=8191; B=8192
DURATION="${BENCH_DURATION:-15s}"
WORK="$(mktemp -d)"
PASSWORD='two instances benchmark password'
declare -A PID
cleanup() {
  for p in "${PID[@]}" ${HAPROXY_PID:-}; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

source bench/common.sh 1000000
echo "$PASSWORD" | "$BIN" create-user --username bench.pair --role admin --password-stdin >/dev/null 2>&1 || true
export SESSION_KEY; SESSION_KEY=$("$BIN" generate-key)

start() { # name port
  REQUIRE_MFA=off COOKIE_SECURE=false BIND="127.0.0.1:$2" EXPIRY_INTERVAL_SECS=2 RUST_LOG=warn \
    "$BIN" serve >>"$WORK/$1.log" 2>&1 &
  PID[$1]=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$2/readyz" >/dev/null && return; sleep 0.1; done
  echo "instance $1 did not become ready" >&2; exit 1
}
balancer() { # servers...
  {
    echo "global"
    echo "  maxconn 4096"
    echo "defaults"
    echo "  mode http"
    echo "  timeout connect 2s"
    echo "  timeout client 30s"
    echo "  timeout server 30s"
    echo "  retries 3"
    echo "  option redispatch"
    echo "  retry-on conn-failure empty-response response-timeout"
    echo "frontend fe"
    echo "  bind 127.0.0.1:$LB"
    echo "  default_backend sd"
    echo "backend sd"
    echo "  balance roundrobin"
    echo "  option httpchk GET /readyz"
    echo "  http-check expect status 200"
    echo "  default-server inter 300ms fall 1 rise 2"
    for s in "$@"; do echo "  server ${s%%:*} 127.0.0.1:${s#*:} check"; done
  } >"$WORK/haproxy.cfg"
  if [ -n "${HAPROXY_PID:-}" ]; then kill "$HAPROXY_PID" 2>/dev/null || true; sleep 0.3; fi
  haproxy -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  sleep 1.5
}

start a $A
start b $B
balancer "a:$A" "b:$B"
BASE="http://127.0.0.1:$LB"

JAR="$WORK/jar"
csrf() { curl -s -b "$JAR" -c "$JAR" "$1" | grep -o 'name="csrf-token" content="[^"]*"' | sed 's/.*content="//;s/"//'; }
TOKEN=$(csrf "$BASE/login")
curl -s -o /dev/null -b "$JAR" -c "$JAR" -H "Origin: $BASE" --data-urlencode "csrf_token=$TOKEN" \
  --data-urlencode "username=bench.pair" --data-urlencode "password=$PASSWORD" "$BASE/login"
echo "signed in through the balancer; the queue answered by each instance:" \
  "a $(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" "http://127.0.0.1:$A/sessions")," \
  "b $(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" "http://127.0.0.1:$B/sessions")"

# A decision through a, read from b; its flash set by a, shown by b.
ID=$(psql "$DATABASE_URL" -Atqc "SELECT id FROM sessions WHERE status = 'completed' ORDER BY created_at DESC LIMIT 1")
TOKEN=$(csrf "http://127.0.0.1:$A/sessions/$ID")
curl -s -o /dev/null -b "$JAR" -c "$JAR" -H "Origin: http://127.0.0.1:$A" --data-urlencode "csrf_token=$TOKEN" \
  "http://127.0.0.1:$A/sessions/$ID/approve"
PAGE=$(curl -s -b "$JAR" -c "$JAR" "http://127.0.0.1:$B/sessions/$ID")
echo "approved through a; b's case page: status $(grep -o 'badge badge-approved' <<<"$PAGE" | head -1 | sed 's/badge badge-//'), flash: $(grep -o 'class="flash flash-success"[^<]*' <<<"$PAGE" | sed 's/.*>//')"

# The jobs' tick, every 2 s on each instance: once per interval between them.
R0=$(psql "$DATABASE_URL" -Atqc "SELECT runs FROM job_ticks WHERE name = 'maintenance'")
sleep 10
R1=$(psql "$DATABASE_URL" -Atqc "SELECT runs FROM job_ticks WHERE name = 'maintenance'")
echo "jobs' ticks in 10 s with two instances each ticking every 2 s: $((R1 - R0)) (one instance alone: 5)"

COOKIE="sd_session=$(awk '$6 == "sd_session" {print $7}' "$JAR")"
export COOKIE
QUEUE="/sessions?status=marked_for_review&sort=newest"
measure() { # label
  local out
  out=$(wrk -t1 -c32 -d"$DURATION" --latency -s bench/cookie.lua "$BASE$QUEUE" 2>&1)
  printf '| %-32s | %8s | %7s | %7s | %s |\n' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
    "$(awk '/Non-2xx or 3xx/ {print $5}' <<<"$out")$(awk '/Socket errors/ {print " " $0}' <<<"$out")"
}
echo
echo "| through HAProxy (wrk -t1 -c32 $DURATION) | req/s | p50 | p99 | failed |"
echo "|---|---|---|---|---|"
wrk -t1 -c32 -d3s -s bench/cookie.lua "$BASE$QUEUE" >/dev/null 2>&1
balancer "a:$A"
measure "one instance"
balancer "a:$A" "b:$B"
measure "two instances"

# Rolling restart under load: each instance in turn gets SIGTERM (it stops accepting,
# finishes what it has, exits), the balancer's health checks take it out, it comes back.
out="$WORK/rolling.txt"
wrk -t1 -c32 -d24s --latency -s bench/cookie.lua "$BASE$QUEUE" >"$out" 2>&1 &
WRK_PID=$!
for name in a b; do
  sleep 4
  port=$A; [ "$name" = b ] && port=$B
  kill -TERM "${PID[$name]}"; wait "${PID[$name]}" 2>/dev/null || true
  start "$name" "$port"
done
wait "$WRK_PID"
echo
echo "rolling restart of both instances under load (24 s):" \
  "$(awk '/requests in/ {print $1, "requests"}' "$out"), $(awk '/Requests\/sec/ {print $2, "req/s"}' "$out")," \
  "non-2xx: $(awk '/Non-2xx or 3xx/ {print $5}' "$out" | grep . || echo 0)," \
  "socket errors: $(awk '/Socket errors/ {print $0}' "$out" | grep . || echo none)"
for name in a b; do
  echo "instance $name peak memory (VmHWM): $(awk '/VmHWM/ {print $2, $3}' "/proc/${PID[$name]}/status")"
done
