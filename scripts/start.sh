#!/usr/bin/env bash
# Quick start: installs what is missing, builds the web app and the server, and starts the
# portal with SQLite in ./data and the demo publisher. Open the URL it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
PORTAL_SKIP_BROWSER=1 scripts/build-web.sh
if [ -f server/Cargo.toml ]; then
  exec cargo run --release --quiet -p portal-server -- serve "$@"
else
  # Until the API server exists, serve the built web app alone.
  echo "Partner Portal web app: http://127.0.0.1:8080/"
  exec python3 -m http.server 8080 --bind 127.0.0.1 --directory dist
fi
