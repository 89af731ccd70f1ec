#!/usr/bin/env bash
# Session Desk beside the ceiling (../shared/bench/ceiling: a raw actix-web + tokio-postgres
# page running the queue's query), in one run, on one database, at 10,000, 1,000,000 and
# 10,000,000 sessions, with the same wrk settings: 1 thread, 32 connections, 15 s, after a
# warm-up. Prints one table per size and the ratios to the ceiling.
#
# Nothing writes sessions during the run, so the queue page is served from the page of rows
# each instance keeps while nothing changed (web::sessions::pages); a last row measures the
# page with its rows read at every view (QUEUE_PAGE_TTL_SECS=0), as after any change.
#
#   bash bench/side_by_side.sh                 # every size (seeds what is missing)
#   SIZES="10000 1000000" bash bench/side_by_side.sh
#
# Databases: sd_side_10000, sd_bench (1,000,000, shared with the other benchmarks) and
# sd_side_10000000, each seeded once by `sessiondesk seed` (a bulk load) and kept. Needs
# wrk, curl, python3 and a running Postgres.
set -euo pipefail
cd "$(dirname "$0")/.."

PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
SIZES="${SIZES:-10000 1000000 10000000}"
DURATION="${BENCH_DURATION:-15s}"
CEILING_SRC="${CEILING_SRC:-../shared/bench/ceiling}"
SD_PORT=8185; CEIL_PORT=8102; COLD_PORT=8186
WORK="$(mktemp -d)"
trap 'kill "${SERVER_PID:-0}" "${CEIL_PID:-0}" "${COLD_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/sessiondesk"
# One cookie key for both Session Desk processes (see the queue without kept pages below).
export SESSION_KEY; SESSION_KEY=$("$BIN" generate-key)
CEIL_TARGET="${CEILING_TARGET:-/var/tmp/ceiling-target}"
(cd "$CEILING_SRC" && CARGO_TARGET_DIR="$CEIL_TARGET" cargo build --release --quiet)
CEILING="$CEIL_TARGET/release/ceiling"

db_for() { if [ "$1" = 1000000 ]; then echo sd_bench; else echo "sd_side_$1"; fi; }

wrk_row() { # label url script
  local out
  out=$(wrk -t1 -c32 -d"$DURATION" --latency ${3:+-s "$3"} "$2" 2>&1)
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '| %-44s | %9s | %8s | %8s |\n' "$1" "$rps" "$p50" "$p99"
  echo "$1|$rps|$p50|$p99" >>"$WORK/rows"
}

for size in $SIZES; do
  DB="$(db_for "$size")"
  # Loopback without TLS, as the ceiling connects; BENCH_PG_OPTS="" keeps libpq's default.
  export DATABASE_URL="$PG/$DB${BENCH_PG_OPTS-?sslmode=disable}"
  psql "$PG/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
    || psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
  "$BIN" migrate >/dev/null
  have=$(psql "$DATABASE_URL" -Atqc "SELECT count(*) FROM sessions")
  if [ "$have" -lt "$size" ]; then
    echo "seeding $((size - have)) sessions into $DB"
    "$BIN" seed --sessions $((size - have)) | tail -2
  fi
  psql "$DATABASE_URL" -qc "VACUUM ANALYZE sessions" >/dev/null

  PW="side-by-side-$(date +%s)"
  psql "$DATABASE_URL" -qc "DELETE FROM users WHERE username = 'bench.side'" >/dev/null 2>&1 || true
  printf '%s' "$PW" | "$BIN" create-user --username bench.side --role reviewer --password-stdin >/dev/null
  API_KEY="sk_bench_$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
  KEY_HASH=$(printf '%s' "$API_KEY" | sha256sum | cut -d' ' -f1)
  psql "$DATABASE_URL" -qc "DELETE FROM api_key_reads WHERE api_key_id IN (SELECT id FROM api_keys WHERE name = 'side by side'); DELETE FROM api_keys WHERE name = 'side by side'" >/dev/null
  psql "$DATABASE_URL" -qc "INSERT INTO api_keys (name, prefix, secret_hash, permissions) VALUES ('side by side', 'sk_bench', decode('$KEY_HASH', 'hex'), '{sessions:read}')" >/dev/null
  export API_KEY

  REQUIRE_MFA=off COOKIE_SECURE=false BIND="127.0.0.1:$SD_PORT" RUST_LOG=warn "$BIN" serve >"$WORK/sd.log" 2>&1 &
  SERVER_PID=$!
  BIND="127.0.0.1:$CEIL_PORT" "$CEILING" >"$WORK/ceiling.log" 2>&1 &
  CEIL_PID=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$SD_PORT/readyz" >/dev/null && curl -sf "http://127.0.0.1:$CEIL_PORT/sessions" >/dev/null && break
    sleep 0.1
  done
  JAR="$WORK/jar"; rm -f "$JAR"
  TOKEN=$(curl -s -c "$JAR" "http://127.0.0.1:$SD_PORT/login" | grep -o 'name="csrf-token" content="[^"]*"' | sed 's/.*content="//;s/"//')
  curl -s -o /dev/null -b "$JAR" -c "$JAR" --data-urlencode "csrf_token=$TOKEN" \
    --data-urlencode "username=bench.side" --data-urlencode "password=$PW" "http://127.0.0.1:$SD_PORT/login"
  export COOKIE="sd_session=$(awk '$6 == "sd_session" {print $7}' "$JAR")"
  psql "$DATABASE_URL" -Atqc "SELECT id FROM sessions WHERE status IN ('completed', 'marked_for_review') ORDER BY random() LIMIT 2000" >"$WORK/case_ids.txt"
  export CASE_IDS="$WORK/case_ids.txt"

  CEIL_URL="http://127.0.0.1:$CEIL_PORT/sessions?status=marked_for_review"
  QUEUE_URL="http://127.0.0.1:$SD_PORT/sessions?status=marked_for_review&sort=newest"
  # Warm-up: both servers, every page measured.
  wrk -t1 -c32 -d5s "$CEIL_URL" >/dev/null 2>&1
  wrk -t1 -c32 -d5s -s bench/cookie.lua "$QUEUE_URL" >/dev/null 2>&1
  wrk -t1 -c32 -d3s -s bench/case.lua "http://127.0.0.1:$SD_PORT/sessions" >/dev/null 2>&1
  wrk -t1 -c32 -d3s -s bench/api.lua "http://127.0.0.1:$SD_PORT/v1/identity/sessions?page%5Bsize%5D=50" >/dev/null 2>&1
  # The warm-up wrote the first read-audit events into an empty table: statistics as a
  # running system's autovacuum keeps them, so that no plan rests on "no rows".
  psql "$DATABASE_URL" -qc "ANALYZE" >/dev/null

  : >"$WORK/rows"
  echo
  echo "### $(printf "%'d" "$size") sessions ($DB, $(psql "$DATABASE_URL" -Atqc "SELECT pg_size_pretty(pg_database_size(current_database()))"))"
  echo
  echo "| target (wrk -t1 -c32 $DURATION) | req/s | p50 | p99 |"
  echo "|---|---|---|---|"
  wrk_row "ceiling: raw page, same query" "$CEIL_URL"
  wrk_row "Session Desk: queue page" "$QUEUE_URL" bench/cookie.lua
  wrk_row "Session Desk: case page" "http://127.0.0.1:$SD_PORT/sessions" bench/case.lua
  wrk_row "Session Desk: API session list (50)" "http://127.0.0.1:$SD_PORT/v1/identity/sessions?page%5Bsize%5D=50" bench/api.lua
  PEAK=$(awk '/VmHWM/ {print $2, $3}' "/proc/$SERVER_PID/status")
  # The queue page as it is after any session changed: a second process that keeps no page
  # (QUEUE_PAGE_TTL_SECS=0) and reads the rows at every view; the same reviewer's cookie.
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  QUEUE_PAGE_TTL_SECS=0 REQUIRE_MFA=off COOKIE_SECURE=false BIND="127.0.0.1:$COLD_PORT" RUST_LOG=warn "$BIN" serve >"$WORK/cold.log" 2>&1 &
  COLD_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$COLD_PORT/readyz" >/dev/null && break; sleep 0.1; done
  COLD_URL="http://127.0.0.1:$COLD_PORT/sessions?status=marked_for_review&sort=newest"
  wrk -t1 -c32 -d5s -s bench/cookie.lua "$COLD_URL" >/dev/null 2>&1
  wrk_row "Session Desk: queue page, rows read every view" "$COLD_URL" bench/cookie.lua
  python3 - "$WORK/rows" <<'PY'
import sys
def ms(v):
    return float(v[:-2]) if v.endswith("ms") else float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-1]) * 1000
rows = [l.rstrip("\n").split("|") for l in open(sys.argv[1]) if l.strip()]
c = rows[0]
print()
for r in rows[1:]:
    print(f"- {r[0]}: {float(r[1]) / float(c[1]) * 100:.0f} % of the ceiling's req/s, p99 {ms(r[3]) / ms(c[3]):.2f}x the ceiling's")
PY
  echo "- Session Desk's peak memory: $PEAK (the process without kept pages: $(awk '/VmHWM/ {print $2, $3}' "/proc/$COLD_PID/status"))"
  kill "$CEIL_PID" "$COLD_PID" 2>/dev/null || true
  wait "$CEIL_PID" "$COLD_PID" 2>/dev/null || true
done
