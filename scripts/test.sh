#!/usr/bin/env bash
# Runs every check and test: formatting, clippy (native and wasm32), the domain and server
# tests (SQLite always; PostgreSQL too when one is reachable or PORTAL_TEST_DATABASE_URL is
# set), the independent CPP client, the web app's browser tests in headless Chromium and the
# end-to-end tests. Installs what it needs first. Exits non-zero on the first failure, and on
# a stage whose files are missing. Ends with the tests skipped for a missing prerequisite and
# "all suites: N passed, N failed, N skipped" over every stage (scripts/test-summary.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
LOG=$WORK/tests.log
: >"$LOG"
# A test that lacks a prerequisite (mkfs.ext4, …) appends one "SKIP <test>: …" line here and
# passes as far as cargo is concerned; the summary lists and counts it as skipped. Under
# CI=true such a test fails instead.
export PORTAL_TEST_SKIPS=$WORK/skips
: >"$PORTAL_TEST_SKIPS"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
fail() { echo "test.sh: $*" >&2; exit 1; }
# Runs a test stage, keeping its output for the summary at the end. pipefail makes a failing
# command fail the pipeline through tee, and set -e the script; a stage that prints no count
# fails too, since it would otherwise add nothing to the closing line without a word.
run_tests() {
  local out
  out=$(mktemp -p "$WORK")
  "$@" 2>&1 | tee "$out"
  cat "$out" >>"$LOG"
  scripts/test-summary.sh --counted "$out" || fail "no test count in the output of: $*"
}

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
  echo "PostgreSQL: none reachable, so every API test's PostgreSQL run is a SKIP (a failure under CI=true); set PORTAL_TEST_DATABASE_URL"
fi

step "native tests"
run_tests cargo test --workspace --quiet

step "independent CPP API client against a fresh server"
[ -f clients/cpp_flow.py ] || fail "clients/cpp_flow.py is missing"
run_tests python3 clients/cpp_flow.py --server "${CARGO_TARGET_DIR:-target}/debug/portal-server"

step "fuzzing (each target ${FUZZ_SECONDS:-30} s)"
[ -x scripts/fuzz.sh ] || fail "scripts/fuzz.sh is missing"
run_tests scripts/fuzz.sh

step "browser tests (headless Chromium)"
# A stage whose files are missing fails: it must not drop out of the run unnoticed.
compgen -G 'tests/*.rs' >/dev/null || fail "no browser tests: tests/*.rs is missing"
CHROMEDRIVER=/usr/bin/chromedriver run_tests cargo test -p partner-portal --target wasm32-unknown-unknown

step "web app release build"
# The same script as the quick start, so the end-to-end tests get the precompressed files too.
scripts/build-web.sh 2>&1 | tail -n 3

step "end-to-end tests"
[ -x e2e/run.sh ] || fail "no end-to-end tests: e2e/run.sh is missing or not executable"
# The bundle was just built and the server binary by the native tests: reuse both.
E2E_SKIP_BUILD=1 PORTAL_SERVER_BIN="${CARGO_TARGET_DIR:-target}/debug/portal-server" run_tests e2e/run.sh

# The skipped tests, then "all suites: N passed, N failed, N skipped" over every stage above.
scripts/test-summary.sh "$LOG" "$PORTAL_TEST_SKIPS"
