//! Times what `GET /api/v1/risk` and `GET /risk` compute for the queries
//! given (`key=value&...`, as in a query string): the JSON answer, and the
//! page's two charts. Used to choose and check the server's limits
//! (docs/api.md).
//!
//! Usage: `http_cost MAX_EXACT_BITS QUERY...`

use std::time::Instant;

use l2stage_render::chart::{ChartOptions, regions_chart_svg, stage_chart_svg};
use l2stage_risk::report::{RiskQuery, report_json, risk_report_within};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let max: u64 = args
        .next()
        .ok_or("usage: http_cost MAX_EXACT_BITS QUERY...")?
        .parse()?;
    for arg in args {
        let mut q = RiskQuery::default();
        for pair in arg.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            q.set(k, v.to_string());
        }
        let params = q.params()?;
        let cost = (params.largest_council(), params.exact_bits());
        let t = Instant::now();
        report_json(&risk_report_within(&params, max)?)?;
        let params = match cost.1 {
            Some(bits) if bits > max => params.floats_only()?,
            _ => params,
        };
        let json = t.elapsed().as_secs_f64() * 1e3;
        let opts = ChartOptions {
            proof_failure: params.proof_failure.as_ref().map(|p| p.value()),
            ..ChartOptions::default()
        };
        let t = Instant::now();
        stage_chart_svg(&params.model, &opts)?;
        let stages = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        regions_chart_svg(&params.model, &opts)?;
        let regions = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "{arg}: cost {cost:?}; json {json:.1} ms, stage chart {stages:.1} ms, regions chart {regions:.1} ms, page {:.1} ms",
            json + stages + regions
        );
    }
    Ok(())
}
