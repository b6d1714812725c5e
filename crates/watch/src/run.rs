//! The loop: a full cycle, then following the chain every `poll` until
//! `interval` has passed since the cycle started, then again.

use std::future::Future;
use std::time::{Duration, Instant};

use l2stage_discovery::{Rpc, RpcOptions};

use crate::cycle::{CycleReport, ProjectOutcome, observe_cycle, record_cycle};
use crate::follow::follow_once;
use crate::recipe::Recipe;
use crate::webhook::Webhook;
use crate::{StoreAccess, WatchError, date_of};

/// How the loop runs.
#[derive(Debug, Clone)]
pub struct Options {
    pub rpc_url: String,
    pub rpc: RpcOptions,
    /// One cycle at this block (no following, the log cursor is left alone).
    pub block: Option<u64>,
    /// One cycle at the latest block, then stop.
    pub once: bool,
    /// Time between full cycles.
    pub interval: Duration,
    /// Time between follow steps (`eth_getLogs` to the head); `None`: no
    /// following, full cycles only.
    pub poll: Option<Duration>,
    /// Chain profiles (`<chain_id>.toml`): with them, each full cycle reads
    /// one value-locked point per project with escrows and day.
    pub chains: Option<std::path::PathBuf>,
}

/// One line per cycle, and one per change.
pub fn describe_cycle(r: &CycleReport) -> Vec<String> {
    let changes = r.changes().count();
    let safety = r.changes().filter(|c| c.safety_relevant).count();
    let observed = r.projects.len() - r.faults();
    // A node that failed before answering has pinned nothing.
    let at = if r.timestamp == 0 {
        "no block pinned".to_string()
    } else {
        format!("block {} ({})", r.block, date_of(r.timestamp))
    };
    let mut out = vec![format!(
        "{at}: {observed} project(s) verified, {changes} change(s) ({safety} safety-relevant), {} fault(s); {} round trips, {} requests, {} ms",
        r.faults(),
        r.stats.round_trips,
        r.stats.http_requests,
        r.stats.elapsed_ms
    )];
    for (p, chain) in &r.skipped {
        out.push(format!(
            "  {p}: its recipe is for chain {chain}, the node serves chain {}: skipped",
            r.chain_id
        ));
    }
    for p in &r.projects {
        match p {
            ProjectOutcome::Observed { changes, .. } => {
                for c in changes {
                    out.push(format!(
                        "  {} {}{} {} {}: {} -> {}",
                        c.project,
                        c.kind,
                        if c.safety_relevant { " [safety]" } else { "" },
                        c.address,
                        c.field,
                        c.before.as_deref().unwrap_or("none"),
                        c.after.as_deref().unwrap_or("none"),
                    ));
                }
            }
            ProjectOutcome::Fault { project, reason } => {
                if r.timestamp == 0 {
                    out.push(format!("  {project}: not verified: {reason}"));
                } else {
                    out.push(format!(
                        "  {project}: not verified at block {}: {reason}",
                        r.block
                    ));
                }
            }
        }
    }
    out
}

/// Run the loop until `shutdown` completes (or after one cycle with
/// `once` or `block`). Returns the last full cycle's report. Faults of the
/// node are recorded and logged, never fatal; a database error is.
pub async fn watch(
    store: &impl StoreAccess,
    recipes: &[Recipe],
    opts: &Options,
    webhook: Option<&Webhook>,
    log: &(dyn Fn(&str) + Send + Sync),
    shutdown: impl Future<Output = ()>,
) -> Result<Option<CycleReport>, WatchError> {
    let mut shutdown = std::pin::pin!(shutdown);
    let all: Vec<&Recipe> = recipes.iter().collect();
    let mut last = None;
    loop {
        let started = Instant::now();
        let mut rpc = Rpc::new(&opts.rpc_url, opts.rpc.clone())
            .map_err(|e| WatchError::Rpc(e.to_string()))?;
        let observed = tokio::select! {
            r = observe_cycle(&mut rpc, store, &all, opts.block, opts.block.is_none()) => r?,
            _ = &mut shutdown => return Ok(last),
        };
        // The day's value-locked points are stored with the cycle (one
        // transaction) and feed its re-assessments.
        let mut points = Vec::new();
        let mut value_lines = Vec::new();
        let (chain_id, timestamp) = (observed.report().chain_id, observed.report().timestamp);
        if let (Some(dir), None) = (&opts.chains, opts.block)
            && timestamp > 0
            && let Ok(date) = l2stage_store::watch::date_of_timestamp(timestamp)
        {
            let step = tokio::select! {
                r = crate::values::read_daily_points(
                    &opts.rpc_url,
                    &opts.rpc,
                    store,
                    recipes,
                    dir,
                    chain_id,
                    date,
                ) => r,
                _ = &mut shutdown => return Ok(last),
            };
            match step {
                Ok(read) => {
                    for (p, r) in read {
                        match r {
                            Ok(v) => {
                                value_lines.push(format!(
                                    "  {p}: value locked on {date} ${} (ETH ${}, stablecoins ${}, other ${}) at block {}",
                                    v.total_usd(),
                                    v.eth_usd,
                                    v.stablecoin_usd,
                                    v.other_usd,
                                    v.block
                                ));
                                points.push((p, v));
                            }
                            Err(e) => value_lines
                                .push(format!("  {p}: no value-locked point for {date}: {e}")),
                        }
                    }
                }
                Err(WatchError::Rpc(e)) => {
                    value_lines.push(format!("value locked: {e} (read next cycle)"))
                }
                Err(e) => return Err(e),
            }
        }
        let cycle = record_cycle(store, observed, points)?;
        for line in describe_cycle(&cycle) {
            log(&line);
        }
        for line in &value_lines {
            log(line);
        }
        if let Some(w) = webhook {
            for c in cycle.changes() {
                w.send(c);
            }
        }
        last = Some(cycle);
        if opts.once || opts.block.is_some() {
            return Ok(last);
        }
        let next = started + opts.interval;
        loop {
            let now = Instant::now();
            if now >= next {
                break;
            }
            let wait = opts.poll.map(|p| p.min(next - now)).unwrap_or(next - now);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {},
                _ = &mut shutdown => return Ok(last),
            }
            if Instant::now() >= next || opts.poll.is_none() {
                continue;
            }
            let mut rpc = Rpc::new(&opts.rpc_url, opts.rpc.clone())
                .map_err(|e| WatchError::Rpc(e.to_string()))?;
            let step = tokio::select! {
                r = follow_once(&mut rpc, store, recipes) => r,
                _ = &mut shutdown => return Ok(last),
            };
            match step {
                Ok(f) => {
                    if let Some(c) = &f.cycle {
                        log(&format!(
                            "followed blocks {}..={}: {} event(s), re-read {}",
                            f.from,
                            f.to,
                            f.events.len() as u64 + f.events_omitted,
                            f.recrawled.join(", ")
                        ));
                        for line in describe_cycle(c) {
                            log(&line);
                        }
                        if let Some(w) = webhook {
                            for ch in c.changes() {
                                w.send(ch);
                            }
                        }
                    }
                }
                Err(WatchError::Rpc(e)) => log(&format!("following: {e} (retried next time)")),
                Err(e) => return Err(e),
            }
        }
    }
}
