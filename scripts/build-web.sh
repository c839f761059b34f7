#!/usr/bin/env bash
# Builds the web app's release bundle into dist/ (or the directory given) with the pinned
# offline tools, split so that a first visit downloads only what its page needs:
#   1. cargo: the app for wasm32 with the `split` feature (src/on_demand.rs), keeping the
#      linker's relocations for step 2;
#   2. wasm-split-cli: cuts the module at those split points into the main module, one file
#      per page group, files for code several groups share, and their loader __wasm_split.js;
#   3. wasm-bindgen: the main module's JS glue;
#   4. wasm-opt -Os on every wasm file;
#   5. the files go to dist/app-<hash of their contents>/ (portal-server lets browsers cache
#      that directory for a year), index.html is written from the repository's (Trunk's
#      development page) pointing at them, and each gets precompressed .br and .gz copies.
# The previous build's directory is kept, so tabs still running it can fetch their pages.
# Trunk 0.21 cannot split (trunk-rs/trunk#1022); `trunk serve` stays the development server.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
OUT=${1:-dist}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
NAME=partner-portal

cargo fetch --quiet
cargo rustc --quiet --offline -p partner-portal --bin "$NAME" --target wasm32-unknown-unknown \
  --profile web-release --features split -- -C link-arg=--emit-relocs

STAGE=$(mktemp -d)
NEW=$OUT.new
trap 'rm -rf "$STAGE" "$NEW"' EXIT
APP=$STAGE/app
wasm-split-cli --out-name "$NAME" "$TARGET_DIR/wasm32-unknown-unknown/web-release/$NAME.wasm" "$STAGE/split"
wasm-bindgen --target web --no-typescript --keep-lld-exports --out-dir "$APP" "$STAGE/split/$NAME.wasm"
find "$STAGE/split" -maxdepth 1 \( -name '*.wasm' ! -name "$NAME.wasm" -o -name '*.js' \) -exec cp {} "$APP/" \;
# (wasm-opt does not know the name section's newer subsections and says so for every file.)
find "$APP" -name '*.wasm' -print0 | xargs -0 -P "$(nproc)" -I{} wasm-opt -Os {} -o {} \
  2> >(grep -v 'unknown name subsection' >&2)
cp style/main.css "$APP/main.css"
# The entry module, a file rather than an inline script so a strict Content-Security-Policy
# can allow 'self' alone.
cat >"$APP/start.js" <<JS
import init from './$NAME.js';
init({ module_or_path: new URL('./${NAME}_bg.wasm', import.meta.url) });
JS

HASH=$(cd "$APP" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
rm -rf "$NEW"
mkdir -p "$NEW"
mv "$APP" "$NEW/app-$HASH"
cp -R public/. "$NEW/"
# index.html: Trunk's three data-trunk lines become the built files' links.
A="/app-$HASH"
sed -e "s|<link data-trunk rel=\"rust\"[^>]*>|<link rel=\"modulepreload\" href=\"$A/$NAME.js\" /><link rel=\"modulepreload\" href=\"$A/__wasm_split.js\" /><link rel=\"preload\" href=\"$A/${NAME}_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin /><script type=\"module\" src=\"$A/start.js\"></script>|" \
    -e "s|<link data-trunk rel=\"css\" href=\"style/main.css\"[^>]*>|<link rel=\"stylesheet\" href=\"$A/main.css\" />|" \
    -e "/<link data-trunk rel=\"copy-file\"/d" \
    index.html >"$NEW/index.html"
if grep -q 'data-trunk' "$NEW/index.html"; then
  echo "build-web.sh: index.html has a data-trunk link this script does not know" >&2
  exit 1
fi
# Precompressed copies, which portal-server sends to browsers that accept them (brotli at its
# best quality once here instead of a quicker one on every request).
find "$NEW/app-$HASH" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' \) -print0 |
  xargs -0 -P "$(nproc)" -I{} sh -c 'brotli -q 11 -f -o "$1.br" "$1" && gzip -9 -n -f -c "$1" >"$1.gz"' _ {}

# Keep the build the current index.html points at, for pages already open.
if [ -f "$OUT/index.html" ]; then
  prev=$(grep -o '/app-[0-9a-f]\{16\}/' "$OUT/index.html" | head -n 1 | tr -d / || true)
  if [ -n "$prev" ] && [ "$prev" != "app-$HASH" ] && [ -d "$OUT/$prev" ]; then
    cp -R "$OUT/$prev" "$NEW/"
  fi
fi
rm -rf "$OUT.old"
[ -d "$OUT" ] && mv "$OUT" "$OUT.old"
mv "$NEW" "$OUT"
rm -rf "$OUT.old"
echo "web app: $OUT/index.html → $OUT/app-$HASH/"
