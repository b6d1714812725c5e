//! One full cycle: pin a block, re-discover the projects, diff against the
//! stored snapshots, store everything in one transaction.

use std::collections::BTreeMap;

use l2stage_discovery::Rpc;
use l2stage_discovery::changes::{Change, Snapshot, diff};
use l2stage_discovery::many::{ProjectJob, discover_many};
use l2stage_labels::chain::{ChainChange, ChainData, ChainPoint};
use l2stage_store::{
    NewChange, NewGovernance, NewSnapshot, ProjectObservation, ValuePoint, WatchCycle,
};
use serde::Serialize;

use crate::recipe::Recipe;
use crate::{StoreAccess, WatchError, date_of};

/// What one cycle did to one project.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum ProjectOutcome {
    /// Read at the block; `changes` against the last snapshot (none for
    /// the first snapshot of a project: it is the baseline).
    Observed {
        project: String,
        first: bool,
        changes: Vec<ChangeOut>,
        /// Re-assessed (the first snapshot, or one that changed): `Ok` when
        /// the assessment was made and stored, else why not.
        #[serde(skip_serializing_if = "Option::is_none")]
        reassessed: Option<Result<String, String>>,
    },
    /// Not read: the reason (the previous snapshot stays the last one).
    Fault { project: String, reason: String },
}

/// A stored change, as the webhook posts it and the report prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeOut {
    pub project: String,
    pub block: u64,
    pub date: String,
    pub kind: String,
    pub address: String,
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub safety_relevant: bool,
    pub evidence: serde_json::Value,
}

/// What a cycle did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleReport {
    pub chain_id: u64,
    pub block: u64,
    pub timestamp: u64,
    pub projects: Vec<ProjectOutcome>,
    /// Projects whose recipe is for another chain than the node's:
    /// `(project, its chain id)`, not read.
    pub skipped: Vec<(String, u64)>,
    pub stats: l2stage_discovery::Stats,
}

impl CycleReport {
    pub fn changes(&self) -> impl Iterator<Item = &ChangeOut> {
        self.projects.iter().flat_map(|p| match p {
            ProjectOutcome::Observed { changes, .. } => changes.as_slice(),
            ProjectOutcome::Fault { .. } => &[],
        })
    }

    pub fn faults(&self) -> usize {
        self.projects
            .iter()
            .filter(|p| matches!(p, ProjectOutcome::Fault { .. }))
            .count()
    }
}

fn kind_name(c: &Change) -> String {
    c.kind.as_str().to_string()
}

/// The last stored snapshot of `project`, decoded.
pub fn last_snapshot(
    store: &impl StoreAccess,
    project: &str,
) -> Result<Option<Snapshot>, WatchError> {
    let stored = store.with_store(|s| s.last_snapshot(project))?;
    stored
        .map(|s| {
            serde_json::from_value::<Snapshot>(s.data).map_err(|e| WatchError::Snapshot {
                project: project.to_string(),
                message: e.to_string(),
            })
        })
        .transpose()
}

/// Run one cycle over `recipes` at `block` (the node's latest when
/// `None`) and store it. With `advance_cursor`, the pinned block becomes
/// the chain's log cursor (everything up to it is verified: following
/// resumes after it) — unless the node failed the whole cycle.
pub async fn run_cycle(
    rpc: &mut Rpc,
    store: &impl StoreAccess,
    recipes: &[&Recipe],
    block: Option<u64>,
    advance_cursor: bool,
) -> Result<CycleReport, WatchError> {
    let observed = observe_cycle(rpc, store, recipes, block, advance_cursor).await?;
    record_cycle(store, observed, Vec::new())
}

/// A project read in a cycle, to re-assess when the cycle is recorded.
struct Pending<'a> {
    /// Its outcome's index in the report.
    index: usize,
    recipe: &'a Recipe,
    /// The project file with the chain's structure merged in, and the
    /// merge's warnings.
    file: l2stage_model::ProjectFile,
    warnings: Vec<String>,
    /// Whether the snapshot is the first one or changed: re-assessed even
    /// without a new value point.
    due: bool,
}

/// A cycle read from the chain, not stored yet ([`record_cycle`] stores it,
/// with the value points read meanwhile, in one transaction).
pub struct ObservedCycle<'a> {
    report: CycleReport,
    cycle: WatchCycle,
    governance: Vec<NewGovernance>,
    pending: Vec<Pending<'a>>,
}

impl ObservedCycle<'_> {
    /// What the cycle read (`reassessed` is filled in when it is recorded).
    pub fn report(&self) -> &CycleReport {
        &self.report
    }
}

/// The chain data BattleTested reads for `project` once `cycle` (with its
/// value points) is stored: what the store has plus what the cycle adds.
fn chain_with_cycle(
    stored: Option<ChainData>,
    project: &str,
    cycle: &WatchCycle,
) -> Result<ChainData, String> {
    let mut chain = stored.unwrap_or_default();
    for obs in &cycle.observations {
        let ProjectObservation::Observed { snapshot, changes } = obs else {
            continue;
        };
        if snapshot.project != project {
            continue;
        }
        let day = l2stage_store::watch::date_of_timestamp(snapshot.timestamp)
            .map_err(|e| e.to_string())?;
        chain.watched = Some(match chain.watched {
            Some((from, until)) => (from.min(day), until.max(day)),
            None => (day, day),
        });
        for c in changes.iter().filter(|c| c.safety_relevant) {
            chain.changes.push(ChainChange {
                date: l2stage_store::watch::date_of_timestamp(c.timestamp)
                    .map_err(|e| e.to_string())?,
                block: c.block,
                kind: c.kind.clone(),
                address: c.address.clone(),
                field: c.field.clone(),
            });
        }
    }
    for (_, v) in cycle.values.iter().filter(|(p, _)| p == project) {
        chain.points.push(ChainPoint {
            date: v.date,
            block: v.block,
            eth_usd: v.eth_usd,
            stablecoin_usd: v.stablecoin_usd,
            other_usd: v.other_usd,
        });
    }
    Ok(chain)
}

/// Store an observed cycle with `values` (value-locked points read for
/// its date) in one transaction: its snapshots, changes, faults, the
/// points, the governance structure each project was assessed with, and
/// the re-assessments — made with the chain data the store holds plus
/// what this cycle adds (BattleTested, docs/labels.md "From chain data").
/// A project is re-assessed when its snapshot is the first or changed, or
/// it has a new value point.
pub fn record_cycle(
    store: &impl StoreAccess,
    observed: ObservedCycle<'_>,
    values: Vec<(String, ValuePoint)>,
) -> Result<CycleReport, WatchError> {
    let ObservedCycle {
        mut report,
        mut cycle,
        governance,
        pending,
    } = observed;
    cycle.values = values;
    for p in pending {
        let has_value = cycle.values.iter().any(|(id, _)| *id == p.recipe.project);
        if !(p.due || has_value) {
            continue;
        }
        let project = p.recipe.project.as_str();
        let stored = store.with_store(|s| s.chain_data(project))?;
        let made = (|| {
            let date = l2stage_store::watch::date_of_timestamp(cycle.timestamp)
                .map_err(|e| e.to_string())?;
            let mut inputs = p
                .recipe
                .labels
                .clone()
                .unwrap_or_else(|| l2stage_labels::Inputs::inline(&p.recipe.file, None));
            inputs.chain = Some(chain_with_cycle(stored, project, &cycle)?);
            crate::reassess::assess_merged(p.recipe, &p.file, &p.warnings, date, Some(&inputs))
        })();
        let outcome = made.map(|a| {
            let stage = a.assessment.verdict.stage.as_str().to_string();
            cycle.assessments.push(a);
            stage
        });
        if let Some(ProjectOutcome::Observed { reassessed, .. }) = report.projects.get_mut(p.index)
        {
            *reassessed = Some(outcome);
        }
    }
    store.with_store(|s| s.record_watch_cycle_with(&cycle, &governance))?;
    let mut touched: Vec<String> = governance.iter().map(|g| g.project.clone()).collect();
    touched.extend(cycle.values.iter().map(|(p, _)| p.clone()));
    touched.sort();
    touched.dedup();
    if !touched.is_empty() {
        store.cycle_recorded(&touched);
    }
    Ok(report)
}

/// Read one cycle over `recipes` at `block` (the node's latest when
/// `None`) without storing it: [`record_cycle`] does. `advance_cursor`: as
/// [`run_cycle`].
pub async fn observe_cycle<'a>(
    rpc: &mut Rpc,
    store: &impl StoreAccess,
    recipes: &[&'a Recipe],
    block: Option<u64>,
    advance_cursor: bool,
) -> Result<ObservedCycle<'a>, WatchError> {
    let before_stats = rpc.stats();
    // At the latest block, learn the node's chain first (the same one
    // request discover_many would make to pin it): recipes of other chains
    // are skipped, never read on the wrong chain. With a given block the
    // chain is known only after the first reads: a mismatch is a fault.
    let mut skipped = Vec::new();
    let mut early: Option<l2stage_discovery::DiscoveryError> = None;
    let mut known_pin = None;
    let (block, ours): (Option<u64>, Vec<&'a Recipe>) = match block {
        Some(b) => (Some(b), recipes.to_vec()),
        None => match rpc.pin_block(None).await {
            Ok(b) => {
                known_pin = rpc.pin().cloned();
                let chain = known_pin.as_ref().map(|p| p.chain_id).unwrap_or(0);
                let (ours, other): (Vec<&'a Recipe>, Vec<&'a Recipe>) =
                    recipes.iter().partition(|r| r.chain_id == chain);
                skipped = other
                    .iter()
                    .map(|r| (r.project.clone(), r.chain_id))
                    .collect();
                (Some(b), ours)
            }
            Err(e) => {
                early = Some(e);
                (None, recipes.to_vec())
            }
        },
    };
    let recipes = &ours[..];
    let jobs: Vec<ProjectJob<'_>> = recipes
        .iter()
        .map(|r| ProjectJob {
            project: r.project.clone(),
            entries: r.entries.clone(),
            config: &r.config,
        })
        .collect();
    let result = match early {
        Some(e) => Err(e),
        None if jobs.is_empty() => Ok(Vec::new()),
        None => discover_many(rpc, &jobs, block).await,
    };
    let pin = match rpc.pin().cloned() {
        Some(p) if p.chain_id != 0 => Some(p),
        other => known_pin.or(other),
    };
    let chain_id = pin.as_ref().map(|p| p.chain_id).unwrap_or(0);
    let pinned = pin.as_ref().map(|p| p.block).or(block).unwrap_or(0);
    let timestamp = pin.as_ref().and_then(|p| p.timestamp).unwrap_or(0);
    let mut observations = Vec::new();
    let mut outcomes = Vec::new();
    let mut pending: Vec<Pending<'a>> = Vec::new();
    let mut governance = Vec::new();
    let fault = |project: &str,
                 reason: String,
                 obs: &mut Vec<ProjectObservation>,
                 outs: &mut Vec<ProjectOutcome>| {
        obs.push(ProjectObservation::Fault {
            project: project.to_string(),
            block: pinned,
            reason: reason.clone(),
        });
        outs.push(ProjectOutcome::Fault {
            project: project.to_string(),
            reason,
        });
    };
    let transport_failed = result.is_err();
    match result {
        Err(e) => {
            // A transport fault: every project of the cycle is unverified.
            for r in recipes {
                fault(&r.project, e.to_string(), &mut observations, &mut outcomes);
            }
        }
        Ok(found) => {
            let by_project: BTreeMap<&str, &'a Recipe> =
                recipes.iter().map(|r| (r.project.as_str(), *r)).collect();
            for (project, outcome) in found {
                let Some(recipe) = by_project.get(project.as_str()) else {
                    continue;
                };
                if recipe.chain_id != chain_id {
                    fault(
                        &project,
                        format!(
                            "the recipe is for chain {}, the node serves chain {chain_id}",
                            recipe.chain_id
                        ),
                        &mut observations,
                        &mut outcomes,
                    );
                    continue;
                }
                let discovered = match outcome {
                    Ok(d) => d,
                    Err(e) => {
                        fault(&project, e.to_string(), &mut observations, &mut outcomes);
                        continue;
                    }
                };
                let after = Snapshot::from_discovered(&discovered);
                let before = last_snapshot(store, &project)?;
                let changes: Vec<Change> = match &before {
                    Some(b) => diff(b, &after),
                    None => Vec::new(),
                };
                let date = date_of(timestamp);
                let outs: Vec<ChangeOut> = changes
                    .iter()
                    .map(|c| ChangeOut {
                        project: project.clone(),
                        block: c.evidence.block,
                        date: date.clone(),
                        kind: kind_name(c),
                        address: c.address.to_string(),
                        field: c.field.clone(),
                        before: c.before.clone(),
                        after: c.after.clone(),
                        safety_relevant: c.safety_relevant,
                        evidence: serde_json::to_value(&c.evidence)
                            .unwrap_or(serde_json::Value::Null),
                    })
                    .collect();
                let data = serde_json::to_value(&after).map_err(|e| WatchError::Snapshot {
                    project: project.clone(),
                    message: e.to_string(),
                })?;
                observations.push(ProjectObservation::Observed {
                    snapshot: NewSnapshot {
                        project: project.clone(),
                        chain_id,
                        block: pinned,
                        block_hash: pin.as_ref().and_then(|p| p.hash).map(|h| h.to_string()),
                        timestamp,
                        data,
                    },
                    changes: outs
                        .iter()
                        .map(|c| NewChange {
                            block: c.block,
                            timestamp,
                            kind: c.kind.clone(),
                            address: c.address.clone(),
                            field: c.field.clone(),
                            before: c.before.clone(),
                            after: c.after.clone(),
                            safety_relevant: c.safety_relevant,
                            evidence: c.evidence.clone(),
                        })
                        .collect(),
                });
                let (file, warnings) = crate::reassess::merged(recipe, &discovered, pinned);
                governance.extend(crate::reassess::watched_governance(
                    recipe, &file, &warnings, pinned, timestamp,
                ));
                pending.push(Pending {
                    index: outcomes.len(),
                    recipe,
                    file,
                    warnings,
                    due: before.is_none() || !outs.is_empty(),
                });
                outcomes.push(ProjectOutcome::Observed {
                    project,
                    first: before.is_none(),
                    changes: outs,
                    reassessed: None,
                });
            }
        }
    }
    let cycle = WatchCycle {
        chain_id,
        block: pinned,
        timestamp,
        observations,
        values: Vec::new(),
        assessments: Vec::new(),
        // A node that failed the whole cycle leaves the cursor where it was:
        // the range is followed again.
        log_cursor: (advance_cursor && !transport_failed).then_some(pinned),
    };
    let after_stats = rpc.stats();
    Ok(ObservedCycle {
        report: CycleReport {
            chain_id,
            block: pinned,
            timestamp,
            projects: outcomes,
            skipped,
            stats: stats_between(&before_stats, &after_stats),
        },
        cycle,
        governance,
        pending,
    })
}

/// The counters of the requests made between two readings of a client's
/// stats.
pub fn stats_between(
    a: &l2stage_discovery::Stats,
    b: &l2stage_discovery::Stats,
) -> l2stage_discovery::Stats {
    l2stage_discovery::Stats {
        round_trips: b.round_trips.saturating_sub(a.round_trips),
        http_requests: b.http_requests.saturating_sub(a.http_requests),
        rpc_calls: b.rpc_calls.saturating_sub(a.rpc_calls),
        reads: b.reads.saturating_sub(a.reads),
        cache_hits: b.cache_hits.saturating_sub(a.cache_hits),
        retries: b.retries.saturating_sub(a.retries),
        multicalled: b.multicalled.saturating_sub(a.multicalled),
        elapsed_ms: b.elapsed_ms.saturating_sub(a.elapsed_ms),
    }
}
