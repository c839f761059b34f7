#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ (cargo-fuzz, libFuzzer) for FUZZ_SECONDS each (default 30),
# starting from its corpus in fuzz/corpus/TARGET. New inputs go to a scratch copy, so the
# repository's corpus only changes when someone adds to it on purpose; a crash is kept in
# fuzz/artifacts/TARGET/ and fails the run. Ends with "fuzz: N passed, N failed" (a target is
# a test). Installs what it needs first: a pinned nightly, which cargo-fuzz's instrumentation
# needs, and cargo-fuzz itself (the quick start needs neither, so setup.sh leaves them out).
#
#   scripts/fuzz.sh [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="${PORTAL_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/partner-portal/tools}"
export PATH="$TOOLS/bin:$HOME/.cargo/bin:$PATH"
TOOLCHAIN=nightly-2026-10-30
CARGO_FUZZ_VERSION=0.13.2
log() { printf '\033[1m[fuzz]\033[0m %s\n' "$*" >&2; }
rustup toolchain list | grep -q "^$TOOLCHAIN" || {
  log "rustup toolchain install $TOOLCHAIN"
  rustup toolchain install "$TOOLCHAIN" --profile minimal
}
if ! cargo install --list --root "$TOOLS" | grep -qx "cargo-fuzz v$CARGO_FUZZ_VERSION:"; then
  log "cargo install cargo-fuzz $CARGO_FUZZ_VERSION (takes ~2 min once)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$TOOLS" --quiet
fi

SECONDS_EACH=${FUZZ_SECONDS:-30}
# Its own target dir: the fuzz build is nightly and instrumented, and shares nothing with the
# workspace's builds.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-target}-fuzz}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo "+$TOOLCHAIN" fuzz list --fuzz-dir fuzz)
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no targets in fuzz/" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# One build of every target first, so the time limits are spent fuzzing.
cargo "+$TOOLCHAIN" fuzz build --fuzz-dir fuzz --sanitizer none

passed=0 failed=0
for t in "${targets[@]}"; do
  [ -d "fuzz/corpus/$t" ] || { echo "fuzz: fuzz/corpus/$t is missing" >&2; exit 1; }
  cp -r "fuzz/corpus/$t" "$scratch/$t"
  # Safe Rust only (unsafe_code is forbidden): panics, overflows in debug assertions, hangs
  # and runaway allocations are what is looked for, so no sanitizer.
  if cargo "+$TOOLCHAIN" fuzz run --fuzz-dir fuzz --sanitizer none "$t" "$scratch/$t" -- \
      -max_total_time="$SECONDS_EACH" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 >"$scratch/$t.log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$t.log" | tail -n 1)
    echo "fuzz $t: ok, ${runs:-?} inputs in ${SECONDS_EACH}s"
    passed=$((passed + 1))
  else
    echo "fuzz $t: FAILED"
    tail -n 40 "$scratch/$t.log"
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
