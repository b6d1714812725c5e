//! Following the chain between full cycles: one `eth_getLogs` per new
//! block range over every watched address, for the standard governance
//! events and those the configs name; only the projects an event touches
//! are re-crawled (at the head, in one cycle).

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::{Address, B256};
use l2stage_discovery::Rpc;
use l2stage_discovery::follow::{GovEvent, config_topics, governance_logs};
use serde::Serialize;

use crate::cycle::{CycleReport, last_snapshot, run_cycle, stats_between};
use crate::recipe::Recipe;
use crate::{StoreAccess, WatchError};

/// `(project, address, block, event)`.
pub type EventSeen = (String, String, u64, String);

/// What one follow step did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowReport {
    pub chain_id: u64,
    /// Blocks followed: `from..=to` (none when `from > to`).
    pub from: u64,
    pub to: u64,
    /// Governance events seen, `(project, address, block, event)`: the
    /// first [`MAX_REPORTED_EVENTS`].
    pub events: Vec<EventSeen>,
    /// Events seen beyond those listed in `events`.
    pub events_omitted: u64,
    /// Projects re-crawled, and what that cycle did.
    pub recrawled: Vec<String>,
    pub cycle: Option<CycleReport>,
    /// Requests of the whole step (head, logs, and any re-crawl).
    pub stats: l2stage_discovery::Stats,
}

/// Events named by a recipe's config (beyond the standard governance
/// events `governance_logs` always asks for).
fn extra_topics(r: &Recipe) -> Vec<B256> {
    config_topics(&r.config)
}

/// Most blocks one follow step covers (10 `eth_getLogs` per 1,000
/// addresses); a longer gap is caught up over the next polls.
pub const MAX_FOLLOW_BLOCKS: u64 = 100_000;

/// Most `(project, event)` pairs a follow step lists in its report: a node
/// flooding a step with logs of a contract many projects share (64 MiB of
/// logs × 15 OP chains) would otherwise make tens of millions of them.
pub const MAX_REPORTED_EVENTS: usize = 10_000;

/// The projects `events` touch, the first [`MAX_REPORTED_EVENTS`]
/// `(project, address, block, event)` pairs, and how many more there were.
pub fn who_is_touched<'a>(
    events: &[GovEvent],
    watchers: &BTreeMap<Address, BTreeSet<&'a str>>,
) -> (BTreeSet<&'a str>, Vec<EventSeen>, u64) {
    let mut touched = BTreeSet::new();
    let mut listed = Vec::new();
    let mut omitted = 0u64;
    for e in events {
        for p in watchers.get(&e.address).into_iter().flatten() {
            touched.insert(*p);
            if listed.len() < MAX_REPORTED_EVENTS {
                listed.push((
                    p.to_string(),
                    e.address.to_string(),
                    e.block,
                    e.name.clone(),
                ));
            } else {
                omitted += 1;
            }
        }
    }
    (touched, listed, omitted)
}

/// Follow from the stored log cursor (or the last full cycle's block) to
/// the node's head, at most [`MAX_FOLLOW_BLOCKS`] past the cursor. Does
/// nothing before the first full cycle of the chain.
pub async fn follow_once(
    rpc: &mut Rpc,
    store: &impl StoreAccess,
    recipes: &[Recipe],
) -> Result<FollowReport, WatchError> {
    let start = rpc.stats();
    let head = rpc
        .pin_block(None)
        .await
        .map_err(|e| WatchError::Rpc(e.to_string()))?;
    let chain_id = rpc.pin().map(|p| p.chain_id).unwrap_or(0);
    let ours: Vec<&Recipe> = recipes.iter().filter(|r| r.chain_id == chain_id).collect();
    let cursor = store.with_store(|s| s.log_cursor(chain_id))?;
    let mut report = FollowReport {
        chain_id,
        from: cursor.map(|c| c + 1).unwrap_or(head + 1),
        to: head,
        events: Vec::new(),
        events_omitted: 0,
        recrawled: Vec::new(),
        cycle: None,
        stats: Default::default(),
    };
    let Some(cursor) = cursor else {
        return Ok(report);
    };
    if head <= cursor {
        report.stats = stats_between(&start, &rpc.stats());
        return Ok(report);
    }
    // At most MAX_FOLLOW_BLOCKS a step: a node claiming a head far ahead
    // (2^63) costs one bounded step, never an unbounded list of requests.
    let head = head.min(cursor.saturating_add(MAX_FOLLOW_BLOCKS));
    report.to = head;
    // Who watches which address: from each project's last snapshot.
    let mut watchers: BTreeMap<Address, BTreeSet<&str>> = BTreeMap::new();
    let mut topics: BTreeSet<B256> = BTreeSet::new();
    for r in &ours {
        if let Some(snap) = last_snapshot(store, &r.project)? {
            // Contracts only: addresses without code emit no logs.
            let contracts = snap
                .contracts
                .iter()
                .filter(|(_, c)| c.code_hash.is_some())
                .map(|(a, _)| *a);
            for a in contracts {
                watchers.entry(a).or_default().insert(r.project.as_str());
            }
        }
        topics.extend(extra_topics(r));
    }
    let addresses: Vec<Address> = watchers.keys().copied().collect();
    let topics: Vec<B256> = topics.into_iter().collect();
    let events = if addresses.is_empty() {
        Vec::new()
    } else {
        match governance_logs(rpc, &addresses, cursor + 1, head, &topics).await {
            Ok(ev) => ev,
            // The cursor stays: the same range is asked again next time.
            Err(e) => return Err(WatchError::Rpc(e.to_string())),
        }
    };
    let (touched, listed, omitted) = who_is_touched(&events, &watchers);
    report.events = listed;
    report.events_omitted = omitted;
    if touched.is_empty() {
        // Nothing to re-read: only the cursor moves.
        store.with_store(|s| {
            s.record_watch_cycle(&l2stage_store::WatchCycle {
                chain_id,
                block: head,
                timestamp: rpc.pin().and_then(|p| p.timestamp).unwrap_or(0),
                observations: Vec::new(),
                values: Vec::new(),
                assessments: Vec::new(),
                log_cursor: Some(head),
            })
        })?;
    } else {
        let again: Vec<&Recipe> = ours
            .iter()
            .copied()
            .filter(|r| touched.contains(r.project.as_str()))
            .collect();
        report.recrawled = again.iter().map(|r| r.project.clone()).collect();
        let cycle = run_cycle(rpc, store, &again, Some(head), true).await?;
        report.cycle = Some(cycle);
    }
    report.stats = stats_between(&start, &rpc.stats());
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_events_on_a_shared_contract_is_listed_bounded() {
        let shared = Address::repeat_byte(1);
        let own = Address::repeat_byte(2);
        let projects: Vec<String> = (0..15).map(|i| format!("chain-{i}")).collect();
        let mut watchers: BTreeMap<Address, BTreeSet<&str>> = BTreeMap::new();
        watchers.insert(shared, projects.iter().map(String::as_str).collect());
        watchers.insert(own, ["chain-0"].into_iter().collect());
        let event = |address, block| GovEvent {
            address,
            block,
            name: "Upgraded".into(),
            tx_index: 0,
            log_index: block,
            topic: B256::ZERO,
        };
        let mut events: Vec<GovEvent> = (0..100_000).map(|b| event(shared, b)).collect();
        events.push(event(own, 7));
        let (touched, listed, omitted) = who_is_touched(&events, &watchers);
        assert_eq!(touched.len(), 15);
        assert_eq!(listed.len(), MAX_REPORTED_EVENTS);
        assert_eq!(omitted, 100_000 * 15 + 1 - MAX_REPORTED_EVENTS as u64);
        assert_eq!(
            listed[0],
            ("chain-0".into(), shared.to_string(), 0, "Upgraded".into())
        );
    }
}
