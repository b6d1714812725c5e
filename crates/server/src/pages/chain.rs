//! The project page's "On chain" section: whether the watch loop verified
//! the project on chain (at which block and day, or since which block it
//! could not), its latest recorded changes, and which requirements rest on
//! facts read on chain versus declarations. A typed view rendered by its
//! own template (`chain.html`), which the project page includes.

use askama::Template;

use l2stage_framework::Verdict;
use l2stage_store::{Store, StoreError, StoredChange, WatchStatus};

/// Changes listed on the page (the newest); the API has every one.
pub const PAGE_CHANGES: usize = 20;

/// The last block at which the project was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedView {
    pub block: u64,
    pub date: String,
    pub chain_id: u64,
}

/// The last attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultView {
    pub block: u64,
    pub reason: String,
    /// When it was recorded (RFC 3339, UTC).
    pub at: String,
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    pub seq: i64,
    pub block: u64,
    pub date: String,
    pub kind: String,
    pub address: String,
    pub field: String,
    pub before: String,
    pub after: String,
    pub safety_relevant: bool,
}

/// What a requirement's status rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Derived from the governance structure, and the project is watched:
    /// the structure was read on chain.
    Chain,
    /// Derived from the structure the project file declares (not watched).
    DeclaredStructure,
    /// Declared in the project file.
    Declared,
}

impl Basis {
    pub fn label(self) -> &'static str {
        match self {
            Basis::Chain => "read on chain",
            Basis::DeclaredStructure => "derived from the declared structure",
            Basis::Declared => "declared",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasisRow {
    pub id: String,
    pub title: &'static str,
    pub basis: Basis,
}

/// The section, typed.
#[derive(Debug, Clone, Template)]
#[template(path = "chain.html")]
pub struct ChainView {
    pub id: String,
    /// `None`: never watched ("not watched").
    pub verified: Option<VerifiedView>,
    pub fault: Option<FaultView>,
    pub watched: bool,
    /// The newest [`PAGE_CHANGES`] changes, newest first.
    pub changes: Vec<ChangeRow>,
    /// More changes exist than are listed.
    pub more: bool,
    pub requirements: Vec<BasisRow>,
}

impl ChainView {
    /// Requirements with the given basis (for the template).
    pub fn with_basis(&self, basis: Basis) -> Vec<&BasisRow> {
        self.requirements
            .iter()
            .filter(|r| r.basis == basis)
            .collect()
    }
}

/// Text read from the chain or an RPC node, with its control characters
/// written visibly (`\x1b`); askama then escapes it for HTML.
fn visible(s: &str) -> String {
    l2stage_model::text::escape(s).into_owned()
}

fn row(c: &StoredChange) -> ChangeRow {
    let shown = |v: &Option<String>| v.as_deref().map(visible).unwrap_or_else(|| "—".into());
    ChangeRow {
        seq: c.seq,
        block: c.block,
        date: c.date.to_string(),
        kind: visible(&c.kind),
        address: visible(&c.address),
        field: visible(&c.field),
        before: shown(&c.before),
        after: shown(&c.after),
        safety_relevant: c.safety_relevant,
    }
}

/// The view from the watch status, the newest changes (up to
/// `PAGE_CHANGES + 1`, to tell whether there are more) and the verdict.
pub fn view(
    id: &str,
    status: Option<&WatchStatus>,
    changes: &[StoredChange],
    verdict: &Verdict,
) -> ChainView {
    let verified = status.and_then(|s| {
        s.verified.as_ref().map(|v| VerifiedView {
            block: v.block,
            date: v.date.to_string(),
            chain_id: s.chain_id,
        })
    });
    let fault = status.and_then(|s| {
        s.fault.as_ref().map(|f| FaultView {
            block: f.block,
            reason: visible(&f.reason),
            at: f.at.clone(),
        })
    });
    let watched = verified.is_some();
    let requirements = verdict
        .requirements
        .iter()
        .map(|r| BasisRow {
            id: r.id.to_string(),
            title: r.title,
            basis: match (r.derived, watched) {
                (true, true) => Basis::Chain,
                (true, false) => Basis::DeclaredStructure,
                (false, _) => Basis::Declared,
            },
        })
        .collect();
    ChainView {
        id: id.to_string(),
        watched: status.is_some(),
        verified,
        fault,
        changes: changes.iter().take(PAGE_CHANGES).map(row).collect(),
        more: changes.len() > PAGE_CHANGES,
        requirements,
    }
}

/// Read what the section needs from the store.
pub fn load(store: &Store, id: &str, verdict: &Verdict) -> Result<ChainView, StoreError> {
    let status = store.watch_status(id)?;
    let changes = store.changes(id, PAGE_CHANGES + 1, None)?;
    Ok(view(id, status.as_ref(), &changes, verdict))
}
