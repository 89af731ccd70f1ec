#!/usr/bin/env bash
# Peak memory of the release server while it runs parallel ID verifications of one passport
# whose document holds many large front images (default: 4 verifications, 60 files of
# about 9 MiB). Only the first file goes through the API; the others are copies written
# straight into the database, past the 20-files-per-document limit the API enforces, so the
# same setup measures a build from before the limit existed and one after.
#
#   bash bench/verification_memory.sh
#   BENCH_BIN=/path/to/other/sessiondesk bash bench/verification_memory.sh   # another build
#   BENCH_FILES=20 BENCH_PARALLEL=8 bash bench/verification_memory.sh
#
# Needs curl, jq, python3, psql and a running Postgres (postgres@127.0.0.1:5432). Prints
# the server's peak resident memory (VmHWM) at rest and during the verifications, and the
# wall time of the verifications. The database BENCH_DB is made anew for each run and
# dropped afterwards (BENCH_KEEP=1 keeps it, 60 files take about 530 MB).
set -euo pipefail
cd "$(dirname "$0")/.."

DB_NAME="${BENCH_DB:-sd_verification_memory}"
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
# Loopback without TLS, as the ceiling connects (libpq would negotiate it with Postgres's
# snakeoil certificate otherwise); BENCH_PG_OPTS="" keeps libpq's default.
export DATABASE_URL="$PG/$DB_NAME${BENCH_PG_OPTS-?sslmode=disable}"
PORT="${BENCH_PORT:-8182}"
BASE="http://127.0.0.1:$PORT"
FILES="${BENCH_FILES:-60}"
PARALLEL="${BENCH_PARALLEL:-4}"
WORK="$(mktemp -d)"
drop_db() {
  PGOPTIONS='-c client_min_messages=warning' psql "$PG/postgres" -Atqc "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)"
}
cleanup() {
  kill "${SERVER_PID:-0}" 2>/dev/null || true
  wait "${SERVER_PID:-0}" 2>/dev/null || true
  rm -rf "$WORK"
  [ -n "${BENCH_KEEP:-}" ] || drop_db
}
trap cleanup EXIT

if [ -z "${BENCH_BIN:-}" ]; then
  cargo build --release --quiet
  BENCH_BIN="${CARGO_TARGET_DIR:-target}/release/sessiondesk"
fi
psql_q() { psql "$DATABASE_URL" -Atqc "$1"; }
kib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }

drop_db
"$BENCH_BIN" migrate >/dev/null

API_KEY="sk_bench_$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
KEY_HASH=$(printf '%s' "$API_KEY" | sha256sum | cut -d' ' -f1)
psql_q "INSERT INTO api_keys (name, prefix, secret_hash, permissions) VALUES ('bench', 'sk_bench',
        decode('$KEY_HASH', 'hex'),
        '{accounts:write,sessions:read,sessions:write,documents:write,verifications:write}')" >/dev/null

COOKIE_SECURE=false BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BENCH_BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 50); do curl -fs "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

api() { # method path [json body]
  curl -s -X "$1" "$BASE/v1/identity$2" -H "X-Api-Key: $API_KEY" \
    -H 'Content-Type: application/vnd.api+json' ${3:+--data "$3"}
}

# A 1,700 x 1,800 PNG of noise: it does not compress, so it is about 9 MiB, and the engine
# decodes it whole (it is larger than the 600 x 400 minimum).
python3 - "$WORK/front.png" <<'PY'
import os, struct, sys, zlib
w, h = 1700, 1800
rows = b"".join(b"\x00" + os.urandom(w * 3) for _ in range(h))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))
open(sys.argv[1], "wb").write(png)
PY

ACCOUNT=$(api POST /accounts '{"data": {"type": "account"}}' | jq -r .data.id)
SESSION=$(api POST /sessions "{\"data\": {\"type\": \"session\", \"relationships\":
  {\"account\": {\"data\": {\"type\": \"account\", \"id\": \"$ACCOUNT\"}}}}}" | jq -r .data.id)
MRZ='P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10'
DOC=$(api POST /documents/idvs "{\"data\": {\"type\": \"document/idv\",
  \"attributes\": {\"document_type\": \"passport\", \"mrz\": \"$MRZ\"},
  \"relationships\": {\"session\": {\"data\": {\"type\": \"session\", \"id\": \"$SESSION\"}}}}}" | jq -r .data.id)
curl -s -o /dev/null "$BASE/v1/identity/documents/$DOC/files" -H "X-Api-Key: $API_KEY" \
  -F side=front -F "file=@$WORK/front.png;type=image/png"
FIRST=$(psql_q "SELECT id FROM document_files WHERE document_id = '$DOC'")
[ -n "$FIRST" ] || { echo "the upload failed" >&2; exit 1; }
psql_q "INSERT INTO document_files (document_id, side, filename, content_type, byte_size, sha256, content, created_at)
        SELECT document_id, side, filename, content_type, byte_size, sha256, content,
               created_at - make_interval(secs => g)
        FROM document_files, generate_series(1, $FILES - 1) g WHERE id = '$FIRST'" >/dev/null
echo "document $DOC: $(psql_q "SELECT count(*) || ' files, ' || pg_size_pretty(sum(byte_size)) FROM document_files WHERE document_id = '$DOC'")"

hwm() { awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status"; }
REST=$(hwm)
# Forget the peak so far (the upload), so that the next peak is the verifications'.
echo 5 >"/proc/$SERVER_PID/clear_refs"
BODY="{\"data\": {\"type\": \"verification/idv\", \"relationships\": {
  \"document\": {\"data\": {\"type\": \"document/idv\", \"id\": \"$DOC\"}},
  \"session\": {\"data\": {\"type\": \"session\", \"id\": \"$SESSION\"}}}}}"
START=$(date +%s.%N)
CLIENTS=()
for i in $(seq 1 "$PARALLEL"); do
  api POST /verifications "$BODY" >"$WORK/verification.$i.json" &
  CLIENTS+=($!)
done
wait "${CLIENTS[@]}"
END=$(date +%s.%N)
PEAK=$(hwm)
for i in $(seq 1 "$PARALLEL"); do
  jq -r 'if .data then .data.attributes | "\(.status), failed checks: \([.checks[]
         | select(.status == "failed") | .name] | join(", "))" else .errors[0].detail end' \
    "$WORK/verification.$i.json"
done | sort | uniq -c | sed 's/^/  verifications: /'
echo "peak RSS at rest (after the upload): $(kib "$REST")"
echo "peak RSS during $PARALLEL parallel verifications: $(kib "$PEAK")"
awk -v s="$START" -v e="$END" 'BEGIN { printf "wall time of the verifications: %.2f s\n", e - s }'
