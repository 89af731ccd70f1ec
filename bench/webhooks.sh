#!/usr/bin/env bash
# Webhook throughput beside the approvals that produce the events: see bench/webhooks.py.
#
#   bash bench/webhooks.sh                        # 1,000 approvals with webhooks off, then on
#   BENCH_APPROVALS=5000 bash bench/webhooks.sh
#
# Needs psql, python3 and a running Postgres; uses the database sd_webhooks_bench.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
exec python3 bench/webhooks.py
