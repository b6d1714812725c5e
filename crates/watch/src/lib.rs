//! The watch loop (`l2stage watch`, `serve --watch`): each cycle pins one
//! block, re-discovers every project that has a `[discovery]` recipe (all
//! projects' reads batched together), compares each result with the last
//! snapshot stored for the project, and stores the new snapshots, every
//! typed change, the faults and the re-assessments in one transaction.
//! Between full cycles it follows the chain with `eth_getLogs` over every
//! watched address and re-crawls only the projects an event touches.
//!
//! An RPC fault never becomes a change: the projects it affects get a
//! fault ("not verified since block N: reason") and keep their last
//! snapshot.

pub mod cycle;
pub mod follow;
pub mod hmac;
pub mod reassess;
pub mod recipe;
pub mod run;
pub mod values;
pub mod webhook;

use std::sync::Mutex;

use l2stage_store::Store;

pub use cycle::{
    CycleReport, ObservedCycle, ProjectOutcome, observe_cycle, record_cycle, run_cycle,
};
pub use follow::{FollowReport, follow_once};
pub use recipe::{Recipe, load_recipes, recipe_of};
pub use run::{Options, watch};
pub use webhook::{SECRET_ENV, SIGNATURE_HEADER, Webhook};

/// What can stop the loop (a fault of the node is not one: it is recorded).
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// A recipe or its discovery config is invalid.
    #[error("{0}")]
    Recipe(String),
    /// The database refused a read or the cycle's transaction.
    #[error("database: {0}")]
    Store(#[from] l2stage_store::StoreError),
    /// Building the RPC client failed (a bad URL).
    #[error("{0}")]
    Rpc(String),
    /// A snapshot stored earlier no longer reads as one.
    #[error("project {project}: the stored snapshot is unreadable: {message}")]
    Snapshot { project: String, message: String },
}

/// Access to the database the loop writes through: the CLI owns a
/// [`Store`]; the server shares the one it already has open (one writer
/// per database).
pub trait StoreAccess: Send + Sync {
    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T;

    /// Called after a cycle was stored, with the projects it stored a
    /// snapshot or a value point of (outside any `with_store`): the server
    /// reloads what it serves of them. Does nothing by default.
    fn cycle_recorded(&self, _projects: &[String]) {}
}

impl StoreAccess for Mutex<Store> {
    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut s = self.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut s)
    }
}

/// `YYYY-MM-DD` (UTC) of a block timestamp.
pub fn date_of(timestamp: u64) -> String {
    i64::try_from(timestamp)
        .ok()
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "unknown".into())
}
