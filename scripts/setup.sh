#!/usr/bin/env bash
# Installs what building and testing Partner Portal needs, skipping what is already there:
# the wasm32 target, pinned wasm-bindgen-cli and wasm-split-cli (and Trunk with
# PORTAL_WITH_TRUNK=1), binaryen (wasm-opt)
# from npm, and Debian's Chromium + ChromeDriver. Tools go to a per-user cache so later runs are instant.
# Source it (`. scripts/setup.sh`) to get the tools on PATH.
set -euo pipefail

TOOLS="${PORTAL_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/partner-portal/tools}"
TRUNK_VERSION=0.21.14      # 0.22 needs a newer rustc than the machines have
BINARYEN_VERSION=132.0.0   # Debian's binaryen 108 corrupts the module (docs/building.md)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$TOOLS"
export PATH="$TOOLS/bin:$TOOLS/npm/node_modules/.bin:$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# System packages: a C compiler for native crates, Node for wasm-opt and the e2e driver,
# brotli for the bundle's precompressed files (scripts/build-web.sh), Chromium for browser tests.
command -v cc >/dev/null || apt_install build-essential
command -v npm >/dev/null || apt_install nodejs npm
command -v pkg-config >/dev/null || apt_install pkg-config
# mkfs.ext4 builds the VM test images (and the demo's sample images) without root.
apt_install e2fsprogs brotli
if [ "${PORTAL_SKIP_BROWSER:-0}" != 1 ]; then
  apt_install chromium chromium-driver
fi

# Rust: the wasm target and the linters.
rustup target list --installed | grep -qx wasm32-unknown-unknown || { log "rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }
rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt

# Trunk, pinned, only on request (PORTAL_WITH_TRUNK=1): it is the development server
# (`trunk serve`); the quick start, the release build and the tests never use it, and its
# install is the longest of all (about 5 minutes on 2 cores).
if [ "${PORTAL_WITH_TRUNK:-0}" = 1 ] && [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  log "cargo install trunk $TRUNK_VERSION (takes ~5 min once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --root "$TOOLS" --quiet
fi

# wasm-bindgen CLI: exactly the version in Cargo.lock. Not --locked: the registry lacks a
# dependency version its lock file names.
WBG=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock")
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WBG" ]; then
  log "cargo install wasm-bindgen-cli $WBG (takes ~2 min once)"
  cargo install wasm-bindgen-cli --version "$WBG" --root "$TOOLS" --quiet
fi

# wasm-split-cli, pinned: cuts the release build into the pages loaded on demand
# (scripts/build-web.sh). Its split points come from wasm_split_helpers in Cargo.lock, which
# this version reads (it refuses a module made by a runtime it does not know).
WASM_SPLIT_VERSION=0.2.4
if ! cargo install --list --root "$TOOLS" | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  log "cargo install wasm_split_cli_support $WASM_SPLIT_VERSION (takes ~1 min once)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked --root "$TOOLS" --quiet
fi

# wasm-opt from npm's binaryen, pinned.
if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" != "${BINARYEN_VERSION%%.*}" ]; then
  log "npm install binaryen@$BINARYEN_VERSION"
  mkdir -p "$TOOLS/npm"
  (cd "$TOOLS/npm" && npm install --no-audit --no-fund --silent --prefix . "binaryen@$BINARYEN_VERSION" >/dev/null)
fi

# Azurite (the Azure Storage emulator) from npm, pinned: the packaging tests deliver a test lead
# to Azure Table through it (`azurite-table`). 3.36 and later need Node 21+; Debian's is 20.
AZURITE_VERSION=3.35.0
if [ "$(azurite-table --version 2>/dev/null)" != "$AZURITE_VERSION" ]; then
  log "npm install azurite@$AZURITE_VERSION"
  mkdir -p "$TOOLS/npm"
  (cd "$TOOLS/npm" && npm install --no-audit --no-fund --silent --save-exact --prefix . "azurite@$AZURITE_VERSION" >/dev/null)
fi
