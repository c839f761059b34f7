#!/usr/bin/env bash
# End-to-end tests: builds the release web app and the server, starts portal-server on a
# random port with a fresh data dir, runs the Playwright (playwright-core + Debian chromium)
# tests against it, and exits non-zero on any failure.
#
#   E2E_SKIP_BUILD=1     use the existing dist/ (scripts/test.sh builds it first)
#   PORTAL_SERVER_BIN=…  use this portal-server binary instead of building one
#   E2E_VERBOSE=1        print each field the guided fill fixes
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=/root/.cache/partner-portal/tools
export PATH=$TOOLS/bin:$TOOLS/npm/node_modules/.bin:$PATH
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-web}

if [ "${E2E_SKIP_BUILD:-0}" != 1 ]; then
  scripts/build-web.sh
fi
[ -f "$ROOT/dist/index.html" ] || { echo "no web bundle in dist/ (run scripts/build-web.sh)"; exit 1; }
SERVER_BIN=${PORTAL_SERVER_BIN:-}
if [ -z "$SERVER_BIN" ]; then
  cargo build -p portal-server
  SERVER_BIN=$CARGO_TARGET_DIR/debug/portal-server
fi
(cd e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LOG=$DATA/server.log
# The demo's images are served by the server itself (allowed without --allow-private-network).
"$SERVER_BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$DATA/data" --web-dir "$ROOT/dist" >"$LOG" 2>"$DATA/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT

# Wait (with a deadline of 30 s) for health and the demo data.
for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$PORT/api/health?api-version=2017-10-31" >/dev/null 2>&1 && grep -q "^Demo publisher" "$LOG"; then
    break
  fi
  kill -0 $SERVER 2>/dev/null || { cat "$LOG" "$DATA/server.err"; exit 1; }
  sleep 0.1
done
grep -q "^Demo publisher" "$LOG" || { echo "no demo data"; cat "$LOG" "$DATA/server.err"; exit 1; }

# The demo owner signs in with a password of this run, set the way an operator would
# (`user create` changes an existing person's password); the tests invite everyone else.
PASSWORD="e2e $(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9') run"
OWNER_EMAIL=owner@contoso.example
printf '%s\n' "$PASSWORD" | "$SERVER_BIN" user create --publisher contoso --email "$OWNER_EMAIL" --role owner \
  --password-stdin --data-dir "$DATA/data" >/dev/null

# The demo's bearer tokens, for the scripts that still use them (bench-offers.mjs).
TOKEN=$(sed -n 's/.*API token: //p' "$LOG" | head -1)

export PORTAL_URL="http://127.0.0.1:$PORT" PORTAL_OWNER_EMAIL="$OWNER_EMAIL" PORTAL_PASSWORD="$PASSWORD" PORTAL_TOKEN="$TOKEN"
cd e2e
if ! node --test --test-concurrency=1 tests/; then
  echo "--- server log (last 40 lines)"; tail -40 "$DATA/server.err"
  exit 1
fi
