#!/usr/bin/env bash
# Builds the web app's release bundle into dist/ with the pinned offline tools.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
cargo fetch --quiet
trunk build --release --offline --skip-version-check "$@"
# Precompressed copies, which portal-server sends to browsers that accept them (brotli at its
# best quality once here instead of a quicker one on every request).
for f in dist/*.wasm dist/*.js dist/*.css; do
  [ -e "$f" ] || continue
  brotli -q 11 -f -o "$f.br" "$f"
  gzip -9 -n -f -c "$f" > "$f.gz"
done
