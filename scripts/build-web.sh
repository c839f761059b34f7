#!/usr/bin/env bash
# Builds the web app's release bundle into dist/ with the pinned offline tools.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
cargo fetch --quiet
trunk build --release --offline --skip-version-check "$@"
