//! Stand-ins, with the signatures fixed for issue #15, for the parts of
//! `l2stage-discovery` the loop uses (`many::discover_many`,
//! `changes::{Snapshot, diff}`, `follow::governance_logs`) until that
//! crate provides them; switching is a change of `use` lines in
//! `cycle.rs` and `follow.rs`. `discover_many` here crawls the projects
//! one after the other at the same pinned block (correct, not batched
//! across projects).

pub mod changes;
pub mod follow;
pub mod many;
