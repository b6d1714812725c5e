"""SciPy/NumPy reference for the l2stage risk sweep benchmark.

Computes the same 10^6-point sweeps as `crates/risk/examples/sweep_timing.rs`
(Stage 0 = 4-of-7 council, Stage 1 = 6-of-8, union formula):
  * grid: 1000 p values x 1000 q values, log-spaced;
  * scattered: 10^6 (p, q) pairs from the same deterministic recipe;
with vectorised `scipy.stats.binom.sf` for the council tails, times them
(median of RUNS runs) and compares with the Rust timings and checksums
given as a JSON object on the command line.

Usage: python bench_risk_scipy.py RUST_JSON [RUNS]
"""

import json
import sys
import time

import numpy as np
from scipy.stats import binom


def line(n, k, q):
    """Intercept and p-slope of a k-of-n council's failure line (union)."""
    b = n - k + 1
    s = binom.sf(k - 1, n, q)  # P(X >= k), SciPy's direct upper tail
    if b < k:
        w = binom.sf(b - 1, n, q) - s  # P(b <= X <= k-1)
    else:
        w = np.zeros_like(q)
    return s, w


def grid(ps, qs):
    s0, w0 = line(7, 4, qs)
    s1, w1 = line(8, 6, qs)
    f0 = s0[:, None] + w0[:, None] * ps[None, :]
    f1 = s1[:, None] + w1[:, None] * ps[None, :]
    f2 = np.broadcast_to(ps, (len(qs), len(ps))).copy()
    return f0, f1, f2


def points(ps, qs):
    s0, w0 = line(7, 4, qs)
    s1, w1 = line(8, 6, qs)
    return s0 + w0 * ps, s1 + w1 * ps, ps.copy()


def grid_into(ps, qs, out):
    """The grid into preallocated arrays (`out=`, no temporaries)."""
    f0, f1, f2 = out
    s0, w0 = line(7, 4, qs)
    s1, w1 = line(8, 6, qs)
    np.multiply(w0[:, None], ps[None, :], out=f0)
    f0 += s0[:, None]
    np.multiply(w1[:, None], ps[None, :], out=f1)
    f1 += s1[:, None]
    f2[...] = ps[None, :]
    return out


def points_into(ps, qs, out):
    f0, f1, f2 = out
    s0, w0 = line(7, 4, qs)
    s1, w1 = line(8, 6, qs)
    np.multiply(w0, ps, out=f0)
    f0 += s0
    np.multiply(w1, ps, out=f1)
    f1 += s1
    f2[...] = ps
    return out


def timed(f, *args, runs):
    """Median milliseconds; each result is freed before the next run."""
    times, out = [], None
    for _ in range(runs):
        out = None
        t = time.perf_counter()
        out = f(*args)
        times.append((time.perf_counter() - t) * 1e3)
    return sorted(times)[len(times) // 2], out


def main():
    rust = json.loads(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    ps = np.logspace(-9, 0, 1000)
    qs = np.logspace(-4, np.log10(0.5), 1000)
    i = np.arange(1_000_000, dtype=np.float64)
    pp = 10.0 ** (-9.0 * np.fmod(i * 0.6180339887498949, 1.0))
    qq = 10.0 ** (-4.0 + 3.7 * np.fmod(i * np.sqrt(2.0), 1.0))

    grid_ms, g = timed(grid, ps, qs, runs=runs)
    pts_ms, p = timed(points, pp, qq, runs=runs)
    gbuf = tuple(np.empty((len(qs), len(ps))) for _ in range(3))
    pbuf = tuple(np.empty(len(pp)) for _ in range(3))
    grid_reuse_ms, _ = timed(grid_into, ps, qs, gbuf, runs=runs)
    pts_reuse_ms, _ = timed(points_into, pp, qq, pbuf, runs=runs)

    def agree(ours, theirs):
        return max(abs(a - b) / abs(b) for a, b in zip(ours, theirs))

    g_sum = [float(x.sum()) for x in g]
    p_sum = [float(x.sum()) for x in p]
    print(f"numpy {np.__version__}, scipy {__import__('scipy').__version__}, {runs} runs, median")
    cores = rust["cores"]
    one = rust["threads_1"]
    many = rust.get(f"threads_{cores}", one)
    print(f"{'sweep (10^6 points)':<26}{'SciPy ms':>10}{'Rust 1 thread':>15}{'ratio':>8}{f'Rust {cores} threads':>16}{'ratio':>8}")
    for name, ref, key in (
        ("grid 1000 x 1000", grid_ms, "grid_ms"),
        ("  into reused buffers", grid_reuse_ms, "grid_reuse_ms"),
        ("scattered (p, q) pairs", pts_ms, "points_ms"),
        ("  into reused buffers", pts_reuse_ms, "points_reuse_ms"),
    ):
        a, b = one[key], many[key]
        print(f"{name:<26}{ref:>10.2f}{a:>15.2f}{ref / a:>7.1f}x{b:>16.2f}{ref / b:>7.1f}x")
    print(f"checksums agree to {max(agree(rust['grid_sum'], g_sum), agree(rust['points_sum'], p_sum)):.1e} (relative)")
    # The corner q = 1e-4, p = 1e-9: Stage 1 fails with ~5.6e-20.
    print(
        "corner (q=1e-4, p=1e-9): Rust stage0 %.6e stage1 %.6e | SciPy stage0 %.6e stage1 %.6e"
        % (rust["grid_corner"][0], rust["grid_corner"][1], g[0][0, 0], g[1][0, 0])
    )


if __name__ == "__main__":
    main()
