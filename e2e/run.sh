#!/usr/bin/env bash
# End-to-end tests: builds the release web app and the server, starts portal-server on a
# random port with a fresh data dir, runs the Playwright (playwright-core + Debian chromium)
# tests against it, and exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=/root/.cache/partner-portal/tools
export PATH=$TOOLS/bin:$TOOLS/npm/node_modules/.bin:$PATH
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-web}

trunk build --release --offline --skip-version-check
cargo build -p portal-server
(cd e2e && npm install --no-audit --no-fund >/dev/null)

DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LOG=$DATA/server.log
"$CARGO_TARGET_DIR/debug/portal-server" serve --listen "127.0.0.1:$PORT" --data-dir "$DATA/data" --web-dir "$ROOT/dist" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT

# Wait (with a deadline) for health and the demo token.
for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$PORT/api/health?api-version=2017-10-31" >/dev/null 2>&1 && grep -q "API token:" "$LOG"; then
    break
  fi
  kill -0 $SERVER 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 0.1
done
TOKEN=$(sed -n 's/.*API token: //p' "$LOG" | head -1)
[ -n "$TOKEN" ] || { echo "no demo token"; cat "$LOG"; exit 1; }

export PORTAL_URL="http://127.0.0.1:$PORT" PORTAL_TOKEN="$TOKEN"
cd e2e && node --test --test-concurrency=1 tests/
