//! Criterion benchmarks: the 10⁶-point (p, q) sweep of the three stage
//! failure probabilities (as a 1000 × 1000 grid and as scattered points),
//! and Poisson-binomial upper tails with n = 10,000.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use l2stage_risk::binomial::{poisson_binomial_pmf, poisson_binomial_upper_tail};
use l2stage_risk::sweep::{
    log_space, sweep_grid, sweep_grid_with_threads, sweep_points, sweep_points_with_threads,
};
use l2stage_risk::{CouncilShape, Formula};

fn shapes() -> (CouncilShape, CouncilShape) {
    (CouncilShape::POST_STAGE0, CouncilShape::POST_STAGE1)
}

/// Deterministic scattered points (same recipe as the SciPy reference).
fn scattered(count: usize) -> (Vec<f64>, Vec<f64>) {
    let golden = 0.618_033_988_749_894_9;
    let root2 = std::f64::consts::SQRT_2;
    (0..count)
        .map(|i| {
            let i = i as f64;
            let p = 10f64.powf(-9.0 * ((i * golden) % 1.0));
            let q = 10f64.powf(-4.0 + 3.7 * ((i * root2) % 1.0));
            (p, q)
        })
        .unzip()
}

fn sweeps(c: &mut Criterion) {
    let (s0, s1) = shapes();
    let ps = log_space(1e-9, 1.0, 1000);
    let qs = log_space(1e-4, 0.5, 1000);
    let mut g = c.benchmark_group("sweep_1e6_points");
    g.sample_size(20);
    g.bench_function("grid_1000x1000", |b| {
        b.iter(|| sweep_grid(s0, s1, Formula::Union, black_box(&ps), black_box(&qs)))
    });
    g.bench_function("grid_1000x1000_1thread", |b| {
        b.iter(|| {
            sweep_grid_with_threads(s0, s1, Formula::Union, black_box(&ps), black_box(&qs), 1)
        })
    });
    let (pp, qq) = scattered(1_000_000);
    g.bench_function("scattered", |b| {
        b.iter(|| sweep_points(s0, s1, Formula::Union, black_box(&pp), black_box(&qq)))
    });
    g.bench_function("scattered_1thread", |b| {
        b.iter(|| {
            sweep_points_with_threads(s0, s1, Formula::Union, black_box(&pp), black_box(&qq), 1)
        })
    });
    g.finish();
}

fn poisson_binomial(c: &mut Criterion) {
    let n = 10_000;
    let qs: Vec<f64> = (0..n)
        .map(|i| 0.05 + 0.1 * ((i as f64 * 0.618_033_988_749_894_9) % 1.0))
        .collect();
    let mut g = c.benchmark_group("poisson_binomial_n10000");
    g.sample_size(20);
    // Mean 1000, sd ≈ 29: P(X ≥ 1150) ≈ 1e-7, a tail that 1 − cdf would lose.
    g.bench_function("upper_tail_k1150", |b| {
        b.iter(|| poisson_binomial_upper_tail(black_box(&qs), 1150))
    });
    // A two-thirds supermajority: the band is n − k + 1 = 3334 wide.
    g.bench_function("upper_tail_k6667", |b| {
        b.iter(|| poisson_binomial_upper_tail(black_box(&qs), 6667))
    });
    g.bench_function("full_pmf", |b| {
        b.iter(|| poisson_binomial_pmf(black_box(&qs)))
    });
    g.finish();
}

criterion_group!(benches, sweeps, poisson_binomial);
criterion_main!(benches);
