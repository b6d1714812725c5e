//! Labels shown beside the stage. Stages measure decentralisation, not
//! safety from bugs; these two labels fill that gap (docs/labels.md):
//!
//! * **BattleTested** ([`battle_tested`]): the current code and configuration
//!   have been live, unchanged, for more than six months while holding more
//!   than $100M (at least $50M of it in ETH and major stablecoins);
//! * **proof-system maturity** ([`maturity`]): per implementation, shared by
//!   the projects that use it, a summary and a rating.
//!
//! Pure: no network, no database. Reading files beside a project (its CSV,
//! the proof-system directory) happens only in [`registry`].

pub mod battle_tested;
pub mod calendar;
pub mod chain;
pub mod maturity;
pub mod money;
pub mod registry;

use serde::Serialize;

use l2stage_model::{Date, ProjectFile};

pub use battle_tested::{BattleTested, History, LabelStatus, Series};
pub use chain::{ChainChange, ChainData, ChainPoint};
pub use maturity::{CheckStatus, Criterion, ProofSystemSummary, Rating};
pub use registry::{Inputs, LabelsError, ProofSystem, Registry, SeriesData, SharedComponent};

/// Both labels of one project on one day: the `labels` key of the JSON output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Labels {
    pub battle_tested: BattleTested,
    /// The maturity of each proof system the project uses, in its order.
    pub proof_systems: Vec<ProofSystemSummary>,
    /// Things a reviewer should know: proof systems of this project that
    /// share components (so are not independent), ids not resolved.
    pub notes: Vec<String>,
}

/// Evaluate the labels of `project` on `as_of` from its `[labels]` section
/// and the resolved `inputs`.
pub fn evaluate(project: &ProjectFile, inputs: &Inputs, as_of: Date) -> Labels {
    let labels = project.labels.as_ref();
    let not_loaded;
    let series = match &inputs.series {
        SeriesData::Points(points) => Series::Points {
            points,
            gap_tolerance_days: labels
                .and_then(|l| l.value_locked.as_ref())
                .map(|v| v.gap_tolerance_days)
                .unwrap_or(l2stage_model::labels::DEFAULT_GAP_TOLERANCE_DAYS),
        },
        SeriesData::None => Series::Missing("no value-locked series (`[labels.value_locked]`)"),
        SeriesData::NotLoaded(csv) => {
            not_loaded = format!("the value-locked CSV `{csv}` was not loaded");
            Series::Missing(&not_loaded)
        }
    };
    let mut battle_tested = chain::evaluate(
        battle_tested::History {
            live_since: labels.and_then(|l| l.live_since),
            changes: labels.map(|l| l.changes.as_slice()).unwrap_or(&[]),
            complete_until: labels.and_then(|l| l.changes_complete_until),
        },
        series,
        inputs.chain.as_ref(),
        as_of,
    );
    if let Some(c) = &mut battle_tested.last_safety_relevant_change {
        for e in &mut c.evidence {
            if let Some(url) = e
                .strip_prefix("source:")
                .and_then(|id| project.source_url(id))
            {
                *e = url.to_string();
            }
        }
    }
    // A proof system listed with dates counts only on the days it was used.
    let period = |id: &str| {
        labels
            .map(|l| l.proof_systems.period(id))
            .unwrap_or_default()
    };
    let proof_systems: Vec<ProofSystemSummary> = inputs
        .proof_systems
        .iter()
        .filter(|(ps, _)| period(ps.id.as_str()).applies_on(as_of))
        .map(|(ps, shares)| maturity::summarize(ps, shares.clone(), as_of))
        .collect();
    let mut notes = Vec::new();
    for (ps, _) in &inputs.proof_systems {
        let p = period(ps.id.as_str());
        match (p.since, p.until) {
            (Some(s), _) if as_of < s => {
                notes.push(format!("proof system `{}`: in use from {s}", ps.id))
            }
            (_, Some(u)) if as_of >= u => {
                notes.push(format!("proof system `{}`: in use until {u}", ps.id))
            }
            _ => {}
        }
    }
    for (i, a) in proof_systems.iter().enumerate() {
        for b in &proof_systems[i + 1..] {
            let common: Vec<&str> = a
                .shared_components
                .iter()
                .filter(|c| b.shared_components.contains(c))
                .map(String::as_str)
                .collect();
            if !common.is_empty() {
                notes.push(format!(
                    "proof systems `{}` and `{}` both build on {}: they are not independent",
                    a.id,
                    b.id,
                    common
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    for id in &inputs.unresolved {
        notes.push(format!("proof system `{id}`: no proof-system file loaded"));
    }
    Labels {
        battle_tested,
        proof_systems,
        notes,
    }
}
