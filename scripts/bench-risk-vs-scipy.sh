#!/usr/bin/env bash
# Times the 10^6-point stage-failure sweep in Rust (l2stage-risk) and in a
# vectorised SciPy/NumPy reference, on the same inputs, in one run, and
# prints the ratio. Installs numpy and scipy from PyPI into a venv under
# target/ on first use.
#
# Usage: scripts/bench-risk-vs-scipy.sh [RUNS]   (default 7; medians)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
venv="target/risk-bench-venv"
target_dir="${CARGO_TARGET_DIR:-target}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check numpy scipy

cargo build --quiet --release -p l2stage-risk --example sweep_timing
rust_json="$("$target_dir/release/examples/sweep_timing" "$runs")"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
"$venv/bin/python" scripts/bench_risk_scipy.py "$rust_json" "$runs"
