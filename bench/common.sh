# Sourced by the benchmark scripts: the release build (BIN), migrated, on DATABASE_URL,
# seeded to at least $1 sessions (default 1,000,000).
cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/sessiondesk"
"$BIN" migrate >/dev/null
bench_want="${1:-1000000}"
bench_have=$(psql "$DATABASE_URL" -Atqc "SELECT count(*) FROM sessions")
if [ "$bench_have" -lt "$bench_want" ]; then
  echo "seeding $((bench_want - bench_have)) sessions into ${DATABASE_URL##*/}"
  "$BIN" seed --sessions $((bench_want - bench_have))
fi
