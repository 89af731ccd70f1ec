#!/usr/bin/env bash
# The CSV export of a million-row queue: time to stream it, and the server's memory while it
# does (sampled every half second), from the release build on the benchmark database.
#
#   bash bench/export_csv.sh          # seeds sd_bench with 1,000,000 sessions if it has fewer
#
# Needs curl, bc and a running Postgres. Prints the rows and bytes received, the seconds the
# download took, the server's resident memory before, during (lowest and highest sample)
# and its peak since start (VmHWM: the sign-in's argon2id hash, 19 MiB, is part of it).
set -euo pipefail
cd "$(dirname "$0")/.."

DB_NAME="${BENCH_DB:-sd_bench}"
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
# Loopback without TLS, as the ceiling connects (libpq would negotiate it with Postgres's
# snakeoil certificate otherwise); BENCH_PG_OPTS="" keeps libpq's default.
export DATABASE_URL="$PG/$DB_NAME${BENCH_PG_OPTS-?sslmode=disable}"
PORT="${BENCH_PORT:-8183}"
BASE="http://127.0.0.1:$PORT"
WORK="$(mktemp -d)"
PASSWORD='export benchmark password, long enough'
trap 'kill "${SERVER_PID:-0}" "${SAMPLER_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

source bench/common.sh 1000000
echo "$PASSWORD" | "$BIN" create-user --username bench.exporter --role admin --password-stdin >/dev/null 2>&1 || true

REQUIRE_MFA=off COOKIE_SECURE=false BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 1; done

JAR="$WORK/cookies"
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | grep -o 'name="csrf-token" content="[^"]*"' | sed 's/.*content="//;s/"//')
curl -s -o /dev/null -c "$JAR" -b "$JAR" -H "Origin: $BASE" --data-urlencode "csrf_token=$TOKEN" \
  --data-urlencode "username=bench.exporter" --data-urlencode "password=$PASSWORD" "$BASE/login"

rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
echo "server RSS before: $(rss) kB"
( while kill -0 "$SERVER_PID" 2>/dev/null; do rss >>"$WORK/rss"; sleep 0.5; done ) &
SAMPLER_PID=$!
START=$(date +%s.%N)
curl -s -b "$JAR" "$BASE/sessions/export.csv?sort=newest" -o "$WORK/export.csv"
END=$(date +%s.%N)
kill "$SAMPLER_PID" 2>/dev/null || true
echo "rows: $(( $(wc -l <"$WORK/export.csv") - 1 )), bytes: $(stat -c %s "$WORK/export.csv")"
echo "seconds: $(echo "$END - $START" | bc)"
echo "server RSS during (kB): lowest $(sort -n "$WORK/rss" | head -1), highest $(sort -n "$WORK/rss" | tail -1), $(wc -l <"$WORK/rss") samples"
echo "server peak since start: $(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status") kB"
