#!/usr/bin/env bash
# Runs every test of the workspace on a fresh machine: installs what the tests
# need first, then `cargo test`. Used by the README and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust (rustup) first" >&2
  exit 1
fi

# The dashboard's browser test (crates/cli/tests/serve_browser.rs) drives
# Debian's headless Chromium: install it once, only when it is missing.
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  echo "installing chromium (Debian package) for the browser test..." >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# The discovery tests (crates/discovery/tests, crates/cli/tests/discovery_*.rs)
# run a local Ethereum node: anvil from the npm package @foundry-rs/anvil,
# pinned in tools/anvil/package-lock.json. Installed only when missing or
# when the lock file changed.
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: install Node.js (for anvil and solc-js)" >&2
  exit 1
fi
npm_install() { # dir: `npm ci` unless node_modules matches the lock file
  if [ ! -f "$1/node_modules/.package-lock.json" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
    npm ci --prefix "$1" --no-audit --no-fund --loglevel=error >&2
  fi
}
npm_install tools/anvil
# The contracts those tests deploy are committed compiled (contracts/out):
# check that solc-js still turns contracts/src into exactly those bytes.
npm_install contracts
node contracts/build.mjs --check
# Real compiled contracts (Safe, OpenZeppelin, OP Stack, Arbitrum Nitro) whose
# artifacts the discovery tests read from contracts/real/node_modules.
npm_install contracts/real
# Chainlink's MockV3Aggregator and an ERC-20 on OpenZeppelin's ERC20 ship as
# sources only: compile them (into contracts/real/node_modules/.l2stage).
node contracts/real/compile.mjs

cargo test --workspace --locked "$@"
