#!/usr/bin/env bash
# Runs every check and test: formatting, clippy (native and wasm32), the domain and server
# tests (SQLite always; PostgreSQL too when one is reachable or PORTAL_TEST_DATABASE_URL is
# set), the web app's browser tests in headless Chromium and the end-to-end tests.
# Installs what it needs first. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# Runs a test command, keeping its output for the summary at the end.
run_tests() { "$@" 2>&1 | tee -a "$LOG"; }

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "clippy (wasm32)"
cargo clippy -p portal-domain -p partner-portal --target wasm32-unknown-unknown --quiet -- -D warnings
cargo clippy -p partner-portal --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings
# The release build's pages loaded on demand (scripts/build-web.sh).
cargo clippy -p partner-portal --target wasm32-unknown-unknown --features split --quiet -- -D warnings

# PostgreSQL: use the one named, or a local one if it answers.
if [ -z "${PORTAL_TEST_DATABASE_URL:-}" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  export PORTAL_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
fi
if [ -n "${PORTAL_TEST_DATABASE_URL:-}" ]; then
  echo "PostgreSQL tests: on (${PORTAL_TEST_DATABASE_URL%%@*}@…)"
else
  echo "PostgreSQL tests: off (no server reachable; set PORTAL_TEST_DATABASE_URL)"
fi

step "native tests"
run_tests cargo test --workspace --quiet

step "independent CPP API client against a fresh server"
run_tests python3 clients/cpp_flow.py --server "${CARGO_TARGET_DIR:-target}/debug/portal-server"

step "browser tests (headless Chromium)"
if ls tests/*.rs >/dev/null 2>&1; then
  CHROMEDRIVER=/usr/bin/chromedriver run_tests cargo test -p partner-portal --target wasm32-unknown-unknown
fi

step "web app release build"
# The same script as the quick start, so the end-to-end tests get the precompressed files too.
scripts/build-web.sh 2>&1 | tail -n 3

if [ -x e2e/run.sh ]; then
  step "end-to-end tests"
  # The bundle was just built and the server binary by the native tests: reuse both.
  E2E_SKIP_BUILD=1 PORTAL_SERVER_BIN="${CARGO_TARGET_DIR:-target}/debug/portal-server" run_tests e2e/run.sh
fi

passed=$(grep -Eo '[0-9]+ passed' "$LOG" | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' "$LOG" | awk '{s+=$1} END {print s+0}')
echo
echo "all suites: $passed passed, $failed failed"
[ "$failed" = 0 ]
