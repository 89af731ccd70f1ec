#!/usr/bin/env bash
# A bulk assignment of every completed or failed session (about 100,000 of the 1,000,000 the
# benchmark database holds) to one reviewer, asked for from the queue's bulk bar as a
# manager would: the time until the background worker has settled the last one, the
# progress the result page shows on the way, and the server's memory.
#
#   bash bench/bulk_assign.sh          # seeds sd_bench with 1,000,000 sessions if it has fewer
#
# Needs curl, jq and a running Postgres. Afterwards the sessions are unassigned again with
# one UPDATE, so that the next run starts from the same place (their events stay).
set -euo pipefail
cd "$(dirname "$0")/.."

DB_NAME="${BENCH_DB:-sd_bench}"
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
# Loopback without TLS, as the ceiling connects (libpq would negotiate it with Postgres's
# snakeoil certificate otherwise); BENCH_PG_OPTS="" keeps libpq's default.
export DATABASE_URL="$PG/$DB_NAME${BENCH_PG_OPTS-?sslmode=disable}"
PORT="${BENCH_PORT:-8184}"
BASE="http://127.0.0.1:$PORT"
WORK="$(mktemp -d)"
PASSWORD='bulk benchmark password, long enough'
QUERY='status=completed&status=failed&sort=oldest'
trap 'kill "${SERVER_PID:-0}" "${SAMPLER_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

source bench/common.sh 1000000
echo "$PASSWORD" | "$BIN" create-user --username bench.lead --role admin --password-stdin >/dev/null 2>&1 || true
echo "$PASSWORD" | "$BIN" create-user --username bench.assignee --role reviewer --password-stdin >/dev/null 2>&1 || true
ASSIGNEE=$(psql "$DATABASE_URL" -Atqc "SELECT id FROM users WHERE username = 'bench.assignee'")
psql "$DATABASE_URL" -qc "UPDATE sessions SET assigned_to = NULL, claimed_at = NULL WHERE assigned_to = '$ASSIGNEE'" >/dev/null
MATCHING=$(psql "$DATABASE_URL" -Atqc "SELECT count(*) FROM sessions WHERE status IN ('completed', 'failed')")
echo "sessions matching $QUERY: $MATCHING"

REQUIRE_MFA=off COOKIE_SECURE=false BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 1; done

JAR="$WORK/cookies"
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | grep -o 'name="csrf-token" content="[^"]*"' | sed 's/.*content="//;s/"//')
curl -s -o /dev/null -c "$JAR" -b "$JAR" -H "Origin: $BASE" --data-urlencode "csrf_token=$TOKEN" \
  --data-urlencode "username=bench.lead" --data-urlencode "password=$PASSWORD" "$BASE/login"
TOKEN=$(curl -s -b "$JAR" "$BASE/sessions?$QUERY" | grep -o 'name="csrf-token" content="[^"]*"' | sed 's/.*content="//;s/"//')

rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
echo "server RSS before: $(rss) kB"
( while kill -0 "$SERVER_PID" 2>/dev/null; do rss >>"$WORK/rss"; sleep 0.5; done ) &
SAMPLER_PID=$!

START=$(date +%s.%N)
LOCATION=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$JAR" -H "Origin: $BASE" \
  --data-urlencode "csrf_token=$TOKEN" --data-urlencode "action=assign" \
  --data-urlencode "assignee=$ASSIGNEE" --data-urlencode "all=1" --data-urlencode "confirm=1" \
  --data-urlencode "query=$QUERY" "$BASE/sessions/bulk")
ASKED=$(date +%s.%N)
echo "asked in $(echo "$ASKED - $START" | bc) s; result page: ${LOCATION#"$BASE"}"
ID="${LOCATION##*/}"
curl -s -b "$JAR" "$BASE/bulk/$ID" | grep -o '<progress[^>]*>' | head -1
while true; do
  P=$(curl -s -b "$JAR" "$BASE/bulk/$ID/progress")
  if [ "$(echo "$P" | jq -r .finished)" = "true" ]; then break; fi
  echo "  $(date +%T) $(echo "$P" | jq -r '"\(.done) of \(.total // "?") settled"')"
  sleep 5
done
END=$(date +%s.%N)
kill "$SAMPLER_PID" 2>/dev/null || true
echo "finished: $P"
echo "seconds until the last was settled: $(echo "$END - $START" | bc)"
echo "sessions per second: $(echo "$(echo "$P" | jq .done) / ($END - $START)" | bc)"
echo "server RSS during (kB): lowest $(sort -n "$WORK/rss" | head -1), highest $(sort -n "$WORK/rss" | tail -1)"
echo "server peak since start: $(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status") kB"
psql "$DATABASE_URL" -qc "UPDATE sessions SET assigned_to = NULL, claimed_at = NULL WHERE assigned_to = '$ASSIGNEE'" >/dev/null
