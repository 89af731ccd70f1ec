#!/usr/bin/env bash
# Checks the Identity API against its own OpenAPI document with Schemathesis 4: every
# operation, every check (`--checks all`), a bounded number of examples and a fixed seed,
# so that a run takes a few minutes and the next one tries the same requests.
#
#   pip install 'schemathesis>=4,<5'
#   bash tests/schemathesis.sh
#   ST_MAX_EXAMPLES=50 ST_SEED=7 bash tests/schemathesis.sh   # more cases, another seed
#   bash tests/schemathesis.sh --phases fuzzing                # extra schemathesis flags
#
# Builds the debug binary, makes a fresh database (sd_schemathesis, dropped first), an
# admin and an API key holding every permission, serves on a loopback port, and runs
#
#   schemathesis run http://127.0.0.1:PORT/v1/openapi.json --checks all -H 'X-Api-Key: <key>' ...
#
# (the API's key goes in `X-Api-Key`) with the settings of tests/schemathesis.toml and the
# hooks of tests/schemathesis_hooks.py, which keep the requests meant to be valid to three
# documented rules no schema can state: a paging cursor is one the server handed out, an
# `Idempotency-Key` is not reused for another request, and a file is a real image (see
# there). The server runs with webhook deliveries off
# (the tool registers endpoints at made-up hosts) and WEBHOOK_ALLOW_PRIVATE=true, so that
# an endpoint URL is judged by the rules the document states and not by what its made-up
# host resolves to on this machine (that check is the server's, at save time and again at
# connect time, and has tests of its own).
#
# Exits non-zero on any failure. Not part of `cargo test`: it needs Python packages.
# Needs psql, curl, python3 and the Postgres of the tests (TEST_DATABASE_URL's server).
set -euo pipefail
cd "$(dirname "$0")/.."

PG="${ST_PG:-postgres://postgres@127.0.0.1:5432}"
DB_NAME="${ST_DB:-sd_schemathesis}"
PORT="${ST_PORT:-8191}"
MAX_EXAMPLES="${ST_MAX_EXAMPLES:-25}"
SEED="${ST_SEED:-20261201}"
BASE="http://127.0.0.1:$PORT"
WORK="$(mktemp -d)"

cleanup() {
  if [ -n "${SERVER_PID:-}" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v schemathesis >/dev/null || {
  echo "schemathesis is not installed: pip install 'schemathesis>=4,<5'" >&2
  exit 2
}

cargo build --quiet
BIN="${CARGO_TARGET_DIR:-target}/debug/sessiondesk"

psql "$PG/postgres" -Atqc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null
export DATABASE_URL="$PG/$DB_NAME"
"$BIN" migrate >/dev/null

# An admin, and a key of theirs holding every permission (src/domain/kinds.rs, Permission).
PW="schemathesis-$(python3 -c 'import secrets; print(secrets.token_urlsafe(16))')"
printf '%s' "$PW" | "$BIN" create-user --username st.admin --role admin \
  --display-name "Schemathesis Admin" --password-stdin >/dev/null
API_KEY="sk_test_$(python3 -c 'import secrets, string; a = string.ascii_letters + string.digits; print("".join(secrets.choice(a) for _ in range(43)))')"
KEY_HASH=$(printf '%s' "$API_KEY" | sha256sum | cut -d' ' -f1)
PERMISSIONS='{accounts:read,accounts:write,sessions:read,sessions:write,sessions:decide,sessions:redact,documents:write,verifications:write,webhooks:manage}'
psql "$DATABASE_URL" -Atqc "INSERT INTO api_keys (name, prefix, secret_hash, permissions, created_by)
  SELECT 'schemathesis', '${API_KEY:0:12}', decode('$KEY_HASH', 'hex'), '$PERMISSIONS', id
  FROM users WHERE username = 'st.admin'" >/dev/null

COOKIE_SECURE=false BIND="127.0.0.1:$PORT" WEBHOOK_DELIVER=false WEBHOOK_ALLOW_PRIVATE=true RUST_LOG=warn \
  "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fs "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done

# A few real resources, for the operations that look their resource up before reading the
# rest of the request (tests/schemathesis.toml names them): an endpoint first, so that the
# events of the rest leave deliveries to list; an account, a session and an ID document.
# (The tool also drives, redacts and expires every session it finds, so most of its
# uploads meet a redacted session: 409. `--include-operation-id uploadDocumentFile` tests
# the uploads on their own.)
api() {
  curl -fsS -X POST "$BASE/v1/identity/$1" -H "X-Api-Key: $API_KEY" \
    -H 'Content-Type: application/vnd.api+json' -d "$2" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["id"])'
}
ST_ENDPOINT=$(api webhook-endpoints '{"data": {"type": "webhook_endpoint", "attributes": {"url": "https://receiver.example/hooks"}}}')
ST_ACCOUNT=$(api accounts '{"data": {"type": "account"}}')
ST_SESSION=$(api sessions '{"data": {"type": "session", "relationships": {"account": {"data": {"type": "account", "id": "'"$ST_ACCOUNT"'"}}}}}')
ST_DOCUMENT=$(api documents/idvs '{"data": {"type": "document/idv", "attributes": {"document_type": "passport"}, "relationships": {"session": {"data": {"type": "session", "id": "'"$ST_SESSION"'"}}}}}')
export ST_ENDPOINT ST_SESSION ST_DOCUMENT

export ST_CACHE_DIR="${CARGO_TARGET_DIR:-$PWD/target}/schemathesis"
status=0
SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$PWD/tests${PYTHONPATH:+:$PYTHONPATH}" \
schemathesis --config-file tests/schemathesis.toml run "$BASE/v1/openapi.json" \
  --checks all \
  -H "X-Api-Key: $API_KEY" \
  --max-examples "$MAX_EXAMPLES" \
  --seed "$SEED" \
  --generation-database none \
  --workers 1 \
  --no-color \
  "$@" || status=$?

if grep -q 'panicked' "$WORK/server.log"; then
  echo "the server panicked:" >&2
  grep -A5 'panicked' "$WORK/server.log" >&2
  status=1
fi
exit "$status"
