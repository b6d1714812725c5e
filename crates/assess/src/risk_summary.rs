//! L2BEAT's five risk categories (its "risk rosette"), derived from the
//! project's governance structure and requirement results.
//!
//! The keys and levels are a contract (docs/json-output.md):
//! `state_validation`, `data_availability`, `exit_window`,
//! `sequencer_failure`, `proposer_failure`, each `{level, text}` with
//! `level` one of `good`, `warning`, `bad`, `unknown`. Missing data is
//! `unknown`, never `bad`, and its text says what is missing.

use serde::Serialize;

use l2stage_framework::{Status, Verdict};
use l2stage_governance::{ExitWindow, Rating};
use l2stage_model::governance::{ANYONE, Governance};
use l2stage_model::{DurationSpec, Kind, RequirementId};

/// How one category looks for users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Good,
    Warning,
    Bad,
    Unknown,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Good => "good",
            Level::Warning => "warning",
            Level::Bad => "bad",
            Level::Unknown => "unknown",
        }
    }
}

/// One category: its level and one or two sentences why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskView {
    pub level: Level,
    pub text: String,
}

fn view(level: Level, text: impl Into<String>) -> RiskView {
    RiskView {
        level,
        text: text.into(),
    }
}

/// The five categories, in L2BEAT's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskSummary {
    pub state_validation: RiskView,
    pub data_availability: RiskView,
    pub exit_window: RiskView,
    pub sequencer_failure: RiskView,
    pub proposer_failure: RiskView,
}

impl RiskSummary {
    /// `(key, title, view)` in L2BEAT's order.
    pub fn entries(&self) -> [(&'static str, &'static str, &RiskView); 5] {
        [
            (
                "state_validation",
                "State validation",
                &self.state_validation,
            ),
            (
                "data_availability",
                "Data availability",
                &self.data_availability,
            ),
            ("exit_window", "Exit window", &self.exit_window),
            (
                "sequencer_failure",
                "Sequencer failure",
                &self.sequencer_failure,
            ),
            (
                "proposer_failure",
                "Proposer failure",
                &self.proposer_failure,
            ),
        ]
    }
}

/// What the summary is derived from.
pub struct Facts<'a> {
    pub kind: Kind,
    pub verdict: &'a Verdict,
    /// The governance structure when it applies on the assessed day.
    pub governance: Option<&'a Governance>,
    /// The headline exit window (from the structure's analysis).
    pub exit_window: Option<&'a ExitWindow>,
}

fn status(v: &Verdict, id: RequirementId) -> Option<Status> {
    v.requirement(id).map(|r| r.status)
}

fn met(v: &Verdict, id: RequirementId) -> bool {
    status(v, id) == Some(Status::Met)
}

fn unmet(v: &Verdict, id: RequirementId) -> bool {
    matches!(status(v, id), Some(Status::Unmet))
}

fn duration(g: &Governance, d: DurationSpec) -> String {
    let block_time = g.block_time.and_then(|b| b.seconds(None));
    match d.seconds(block_time) {
        Some(s) => human_duration(s as i64),
        None => d.to_string(),
    }
}

/// A duration in words for sentences ("7 days", "12 hours", "7 days 12 hours").
pub fn human_duration(secs: i64) -> String {
    l2stage_model::duration::in_words(secs)
}

/// Derive the five categories.
pub fn derive(f: &Facts<'_>) -> RiskSummary {
    RiskSummary {
        state_validation: state_validation(f),
        data_availability: data_availability(f),
        exit_window: exit_window(f),
        sequencer_failure: sequencer_failure(f),
        proposer_failure: proposer_failure(f),
    }
}

fn state_validation(f: &Facts<'_>) -> RiskView {
    let v = f.verdict;
    let fraud = matches!(f.kind, Kind::Optimistic | Kind::Optimium);
    match status(v, RequirementId::ProofSystem) {
        Some(Status::Met) if !fraud => view(
            Level::Good,
            "Validity proofs: every state root is checked on Ethereum by a proof before withdrawals use it.",
        ),
        Some(Status::Met) => {
            let challenging = f.governance.and_then(|g| g.exit.challenging.as_ref());
            match challenging {
                Some(c) if c.is_permissionless() || c.allowlist().iter().any(|a| a == ANYONE) => {
                    view(
                        Level::Good,
                        "Fraud proofs: anyone may challenge a wrong state root during the challenge period.",
                    )
                }
                Some(c) => view(
                    Level::Warning,
                    format!(
                        "Fraud proofs, but only {} whitelisted actor{} may challenge a state root.",
                        c.allowlist().len(),
                        if c.allowlist().len() == 1 { "" } else { "s" }
                    ),
                ),
                None if met(v, RequirementId::PermissionlessProofs) => view(
                    Level::Good,
                    "Fraud proofs: anyone may challenge a wrong state root (declared).",
                ),
                None if unmet(v, RequirementId::PermissionlessProofs) => view(
                    Level::Warning,
                    "Fraud proofs, but only whitelisted actors may challenge a state root (declared).",
                ),
                None => view(
                    Level::Unknown,
                    "Fraud proofs exist; who may submit them is not declared (permissionless-proofs or [governance.exit] challenging).",
                ),
            }
        }
        Some(Status::Unmet | Status::UnderReview) => view(
            Level::Bad,
            "No complete proof system: state roots are accepted without being proven or challengeable by users.",
        ),
        Some(Status::NotApplicable) => view(
            Level::Unknown,
            "The proof-system requirement does not apply under the framework revision used.",
        ),
        Some(Status::Unknown) | None => view(
            Level::Unknown,
            "Not declared: whether a complete proof system checks state roots (proof-system).",
        ),
    }
}

fn data_availability(f: &Facts<'_>) -> RiskView {
    let v = f.verdict;
    match f.kind {
        Kind::Optimistic | Kind::Validity => match status(v, RequirementId::DataOnL1) {
            Some(Status::Met) => view(
                Level::Good,
                "On chain: all data needed to rebuild the state is posted to Ethereum.",
            ),
            Some(Status::Unmet | Status::UnderReview) => view(
                Level::Bad,
                "Not all data needed to rebuild the state is posted to Ethereum.",
            ),
            _ => view(
                Level::Unknown,
                "Not declared: whether all data is posted to Ethereum (data-on-l1).",
            ),
        },
        Kind::Validium | Kind::Optimium => {
            match status(v, RequirementId::DaCommitteeDecentralized) {
                Some(Status::Met) => view(
                    Level::Warning,
                    "Off chain: data is kept by a committee or an external DA layer that is minimally decentralised; users trust it to publish the data.",
                ),
                Some(Status::Unmet | Status::UnderReview) => view(
                    Level::Bad,
                    "Off chain: data is kept by a committee or DA layer that is not minimally decentralised; a few parties can withhold it.",
                ),
                _ if unmet(v, RequirementId::DaAttestedByIndependentParty) => view(
                    Level::Bad,
                    "Off chain: data availability is attested by the sequencer alone.",
                ),
                _ => view(
                    Level::Unknown,
                    "Off chain; not declared: who keeps the data and how decentralised it is (da-committee-decentralized or [governance.da] committee).",
                ),
            }
        }
    }
}

fn exit_window(f: &Facts<'_>) -> RiskView {
    let v = f.verdict;
    match (f.governance, f.exit_window) {
        (Some(_), Some(w)) if w.unbounded => view(
            Level::Good,
            "Unbounded: nothing can upgrade the contracts (outside proven bugs), so no upgrade can surprise users.",
        ),
        (Some(_), Some(w)) => {
            let (level, what) = match w.rating {
                Rating::Green => (Level::Good, "at least 30 days"),
                Rating::Yellow => (Level::Warning, "between 7 and 30 days"),
                Rating::Red => (Level::Bad, "less than 7 days"),
                Rating::None => (Level::Bad, "none"),
            };
            let text = match w.seconds {
                Some(s) if s > 0 => format!(
                    "Users have {} to exit before an unwanted upgrade takes effect ({what}).",
                    human_duration(s),
                ),
                Some(s) => format!(
                    "None: an upgrade can take effect {} before users could exit (less than 7 days).",
                    if s == 0 {
                        "no time".to_string()
                    } else {
                        human_duration(-s)
                    }
                ),
                None => {
                    "None: users cannot exit without the operators, so upgrades leave no window."
                        .to_string()
                }
            };
            let text = if w.council_can_upgrade_instantly && w.rating != Rating::Green {
                format!("{text} The Security Council can also upgrade instantly.")
            } else {
                text
            };
            view(level, text)
        }
        (Some(_), None) => view(
            Level::Good,
            "The structure lists no upgrade path: the contracts cannot be changed, so no upgrade can surprise users.",
        ),
        (None, _) => {
            if met(v, RequirementId::ThirtyDayExitWindow) {
                view(
                    Level::Good,
                    "At least 30 days to exit before an upgrade (declared).",
                )
            } else if met(v, RequirementId::SevenDayExitWindow) {
                view(
                    Level::Warning,
                    "At least 7 days to exit before an upgrade by actors other than the Security Council (declared).",
                )
            } else if unmet(v, RequirementId::SevenDayExitWindow) {
                view(
                    Level::Bad,
                    "Less than 7 days to exit before an upgrade (declared).",
                )
            } else {
                view(
                    Level::Unknown,
                    "No governance structure and no declared exit-window requirement: the exit window is not known.",
                )
            }
        }
    }
}

fn sequencer_failure(f: &Facts<'_>) -> RiskView {
    match f.governance {
        Some(g) => match g.exit.forced_inclusion {
            Some(d) => view(
                Level::Good,
                format!(
                    "Self-sequence: users can force a transaction through Ethereum; the sequencer can delay it at most {}.",
                    duration(g, d)
                ),
            ),
            None => view(
                Level::Bad,
                "No mechanism: if the sequencer censors or stops, users cannot force their transactions through Ethereum.",
            ),
        },
        None if met(f.verdict, RequirementId::ExitWithoutOperators) => view(
            Level::Good,
            "Users can exit without the permissioned operators (declared); the forced-inclusion delay is not described.",
        ),
        None => view(
            Level::Unknown,
            "No governance structure: forced inclusion ([governance.exit] forced_inclusion) is not described.",
        ),
    }
}

fn proposer_failure(f: &Facts<'_>) -> RiskView {
    match f.governance {
        Some(g) => {
            let p = &g.exit.proposing;
            if p.is_permissionless() || p.allowlist().iter().any(|a| a == ANYONE) {
                view(
                    Level::Good,
                    "Self-propose: anyone may propose state roots, so users never depend on a proposer.",
                )
            } else if let Some(d) = g.exit.self_propose {
                view(
                    Level::Good,
                    format!(
                        "Self-propose: if the whitelisted proposers stop for {}, anyone may propose state roots.",
                        duration(g, d)
                    ),
                )
            } else {
                view(
                    Level::Bad,
                    "Cannot withdraw: only whitelisted proposers may propose state roots; if they stop, withdrawals are frozen.",
                )
            }
        }
        None if met(f.verdict, RequirementId::ExitWithoutOperators) => view(
            Level::Good,
            "Users can exit without the permissioned operators (declared); the self-propose fallback is not described.",
        ),
        None => view(
            Level::Unknown,
            "No governance structure: who may propose state roots ([governance.exit] proposing) is not described.",
        ),
    }
}
