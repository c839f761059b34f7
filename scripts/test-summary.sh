#!/usr/bin/env bash
# The closing lines of scripts/test.sh, kept apart so the counting can be tried on sample
# text. Sums the test counts in the test stages' output, lists the skipped tests and prints
#
#   all suites: N passed, N failed, N skipped
#
# Exits non-zero when a test failed.
#
#   test-summary.sh LOG SKIPS     LOG: the stages' output; SKIPS: the $PORTAL_TEST_SKIPS file
#   test-summary.sh --counted LOG  exits non-zero when LOG holds no count line (a stage whose
#                                  output changed shape must not count as zero tests)
#
# The count lines: libtest and wasm-bindgen-test "test result: ok. N passed; N failed; …",
# node --test "# pass N" / "# fail N" / "# skipped N" (TAP, its reporter when piped; "ℹ pass N"
# from the spec reporter too), the CPP client's "cpp-client: N passed, N failed" and the fuzz
# targets' "fuzz: N passed, N failed".
#
# A Rust test that skips for a missing prerequisite appends one "SKIP <test>: …" line to SKIPS
# and returns, so cargo counts it as passed: it is taken off the passed count here. node
# counts its skipped tests apart from the passed ones already.
set -euo pipefail

# Prints "passed failed skipped counted" for the stage output on stdin (node's skipped only).
counts() {
  awk '
    /^[[:space:]]*test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed;/ {
      passed += $4; failed += $6; lines++; next
    }
    /^(#|ℹ) pass [0-9]+$/ { passed += $3; lines++; next }
    /^(#|ℹ) fail [0-9]+$/ { failed += $3; lines++; next }
    /^(#|ℹ) skipped [0-9]+$/ { skipped += $3; next }
    /^(cpp-client|fuzz): [0-9]+ passed, [0-9]+ failed$/ { passed += $2; failed += $4; lines++; next }
    END { print passed + 0, failed + 0, skipped + 0, lines + 0 }
  '
}

if [ "${1:-}" = --counted ]; then
  read -r _ _ _ lines < <(counts <"$2")
  [ "$lines" -gt 0 ]
  exit
fi

LOG=$1
SKIPS=$2
read -r passed failed node_skipped _ < <(counts <"$LOG")
rust_skipped=$(grep -c '^SKIP ' "$SKIPS" || true)
passed=$((passed - rust_skipped))
skipped=$((rust_skipped + node_skipped))

echo
grep '^SKIP ' "$SKIPS" || true
# node --test's skipped tests, from TAP's "ok N - name # SKIP reason", in the same shape.
sed -n -E 's/^[[:space:]]*ok [0-9]+ - (.*) # SKIP ?(.*)$/SKIP \1 (e2e): \2/p' "$LOG"
echo "all suites: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
