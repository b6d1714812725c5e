//! Times the 10⁶-point stage sweep (grid and scattered) for
//! `scripts/bench-risk-vs-scipy.sh` and prints one JSON object: median
//! milliseconds over the runs (fresh output arrays, and buffers reused
//! between runs), on one thread and on all cores, and checksums to compare
//! with SciPy.
//!
//! Usage: `sweep_timing [RUNS]` (default 7).

use std::time::Instant;

use l2stage_risk::stages::StageFailures;
use l2stage_risk::sweep::{
    log_space, sweep_grid_into, sweep_grid_with_threads, sweep_points_into,
    sweep_points_with_threads,
};
use l2stage_risk::{CouncilShape, Formula};

fn sum(v: &[f64]) -> f64 {
    v.iter().sum()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(7)
        .max(1);
    let (s0, s1) = (CouncilShape::new(4, 7)?, CouncilShape::new(6, 8)?);
    let ps = log_space(1e-9, 1.0, 1000);
    let qs = log_space(1e-4, 0.5, 1000);
    let golden = 0.618_033_988_749_894_9;
    let root2 = std::f64::consts::SQRT_2;
    let (pp, qq): (Vec<f64>, Vec<f64>) = (0..1_000_000)
        .map(|i| {
            let i = i as f64;
            (
                10f64.powf(-9.0 * ((i * golden) % 1.0)),
                10f64.powf(-4.0 + 3.7 * ((i * root2) % 1.0)),
            )
        })
        .unzip();

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut out = Vec::new();
    let (mut grid_sum, mut pts_sum, mut corner) = (Vec::new(), Vec::new(), Vec::new());
    for threads in [1, cores] {
        // Each result is dropped before the next run, so every run starts
        // from the same allocator state (as the SciPy reference does).
        let mut grid_ms = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let g = sweep_grid_with_threads(s0, s1, Formula::Union, &ps, &qs, threads)?;
            grid_ms.push(t.elapsed().as_secs_f64() * 1e3);
            let f = &g.failures;
            grid_sum = vec![sum(&f.stage0), sum(&f.stage1), sum(&f.stage2)];
            // q = 1e-4, p = 1e-9: tails of 1e-15 and below, where 1 − cdf fails.
            corner = vec![f.stage0[0], f.stage1[0]];
        }
        let mut pts_ms = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let r = sweep_points_with_threads(s0, s1, Formula::Union, &pp, &qq, threads)?;
            pts_ms.push(t.elapsed().as_secs_f64() * 1e3);
            pts_sum = vec![sum(&r.stage0), sum(&r.stage1), sum(&r.stage2)];
        }
        // The same sweeps into buffers kept between runs (no allocation).
        let mut buf = StageFailures {
            stage0: Vec::new(),
            stage1: Vec::new(),
            stage2: Vec::new(),
        };
        let (mut grid_reuse, mut pts_reuse) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            let t = Instant::now();
            sweep_grid_into(s0, s1, Formula::Union, &ps, &qs, threads, &mut buf)?;
            grid_reuse.push(t.elapsed().as_secs_f64() * 1e3);
        }
        for _ in 0..runs {
            let t = Instant::now();
            sweep_points_into(s0, s1, Formula::Union, &pp, &qq, threads, &mut buf)?;
            pts_reuse.push(t.elapsed().as_secs_f64() * 1e3);
        }
        out.push(format!(
            "\"threads_{threads}\": {{\"grid_ms\": {:.4}, \"points_ms\": {:.4}, \"grid_reuse_ms\": {:.4}, \"points_reuse_ms\": {:.4}}}",
            median(grid_ms),
            median(pts_ms),
            median(grid_reuse),
            median(pts_reuse)
        ));
        if cores == 1 {
            break;
        }
    }
    let list = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:e}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "{{\"cores\": {cores}, {}, \"grid_sum\": [{}], \"points_sum\": [{}], \"grid_corner\": [{}]}}",
        out.join(", "),
        list(&grid_sum),
        list(&pts_sum),
        list(&corner)
    );
    Ok(())
}
