//! Follow the chain cheaply between full discoveries: one `eth_getLogs`
//! per block range over every watched address, for the events that signal
//! a governance change. A watch loop re-crawls only the projects whose
//! addresses an event touches.

use std::collections::BTreeSet;

use alloy::primitives::{Address, B256, keccak256};
use serde::Serialize;

use crate::Config;
use crate::error::{DiscoveryError, Result};
use crate::rpc::{Answer, Read, Rpc};

/// Addresses per `eth_getLogs` (providers cap the filter's address list).
pub const MAX_LOG_ADDRESSES: usize = 1_000;
/// Blocks per `eth_getLogs` by default (providers cap the range).
pub const MAX_LOG_SPAN: u64 = 10_000;

/// The standard governance events (topic0 = keccak256 of the signature):
/// EIP-1967 proxies, Ownable, Safe (1.3 and 1.4.1), AccessControl and
/// OpenZeppelin's TimelockController.
pub const GOVERNANCE_EVENTS: &[&str] = &[
    "Upgraded(address)",
    "AdminChanged(address,address)",
    "BeaconUpgraded(address)",
    "OwnershipTransferred(address,address)",
    "AddedOwner(address)",
    "RemovedOwner(address)",
    "ChangedThreshold(uint256)",
    "EnabledModule(address)",
    "DisabledModule(address)",
    "RoleGranted(bytes32,address,address)",
    "RoleRevoked(bytes32,address,address)",
    "MinDelayChange(uint256,uint256)",
    "CallScheduled(bytes32,uint256,address,uint256,bytes,bytes32,uint256)",
    "CallExecuted(bytes32,uint256,address,uint256,bytes)",
];

/// One governance event seen on a watched address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct GovEvent {
    pub address: Address,
    pub block: u64,
    /// The event's name (`ChangedThreshold`…), or its topic0 in hex for
    /// an extra topic that no standard or config event names.
    pub name: String,
    pub tx_index: u64,
    pub log_index: u64,
    pub topic: B256,
}

/// topic0 of every standard governance event, with its name.
pub fn governance_topics() -> Vec<(B256, String)> {
    GOVERNANCE_EVENTS
        .iter()
        .map(|sig| (keccak256(sig.as_bytes()), event_name(sig)))
        .collect()
}

/// topic0 of the events a discovery config names (its templates' event
/// lists), to pass as `extra_topics`.
pub fn config_topics(config: &Config) -> Vec<B256> {
    let mut out = Vec::new();
    for t in &config.contracts {
        for e in &t.events {
            let topic = e.topic();
            if !out.contains(&topic) {
                out.push(topic);
            }
        }
    }
    out
}

fn event_name(sig: &str) -> String {
    sig.split('(').next().unwrap_or(sig).trim().to_string()
}

/// The governance events of `addresses` in blocks `from..=to`, sorted by
/// (block, transaction, log index): every `eth_getLogs` (addresses chunked
/// by [`MAX_LOG_ADDRESSES`], blocks by [`MAX_LOG_SPAN`]) goes out in one
/// wave, and the client is pinned to `to` so that the node is checked to
/// have it (a node behind `to` fails, never answers "no events").
pub async fn governance_logs(
    rpc: &mut Rpc,
    addresses: &[Address],
    from: u64,
    to: u64,
    extra_topics: &[B256],
) -> Result<Vec<GovEvent>> {
    governance_logs_with(rpc, addresses, from, to, extra_topics, MAX_LOG_SPAN).await
}

/// [`governance_logs`] with another maximum block span per request.
pub async fn governance_logs_with(
    rpc: &mut Rpc,
    addresses: &[Address],
    from: u64,
    to: u64,
    extra_topics: &[B256],
    max_span: u64,
) -> Result<Vec<GovEvent>> {
    if from > to {
        return Err(DiscoveryError::Input(format!(
            "an empty block range: from {from} to {to}"
        )));
    }
    if max_span == 0 {
        return Err(DiscoveryError::Input(
            "the block span per eth_getLogs must be at least 1".into(),
        ));
    }
    let addresses: Vec<Address> = addresses
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if addresses.is_empty() {
        return Ok(Vec::new());
    }
    let mut names = governance_topics();
    for t in extra_topics {
        if !names.iter().any(|(k, _)| k == t) {
            names.push((*t, t.to_string()));
        }
    }
    let topics: Vec<B256> = names.iter().map(|(t, _)| *t).collect();
    let mut reads = Vec::new();
    let mut start = from;
    loop {
        let end = start.saturating_add(max_span - 1).min(to);
        for chunk in addresses.chunks(MAX_LOG_ADDRESSES) {
            reads.push(Read::LogRange {
                addresses: chunk.to_vec(),
                topics: topics.clone(),
                from: start,
                to: end,
            });
        }
        if end >= to {
            break;
        }
        start = end + 1;
    }
    rpc.pin_block(Some(to)).await?;
    let answers = rpc.read_all(&reads).await?;
    let mut events = Vec::new();
    for (read, answer) in reads.iter().zip(answers) {
        let Answer::Logs(logs) = answer else {
            return Err(DiscoveryError::Malformed {
                call: rpc.describe(read),
                detail: "not a list of logs".into(),
            });
        };
        for l in logs {
            let Some(topic) = l.topics.first().copied() else {
                continue;
            };
            let name = names
                .iter()
                .find(|(t, _)| *t == topic)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| topic.to_string());
            events.push(GovEvent {
                address: l.address,
                block: l.block,
                name,
                tx_index: l.tx_index,
                log_index: l.log_index,
                topic,
            });
        }
    }
    events.sort_by_key(|e| (e.block, e.tx_index, e.log_index));
    events.dedup();
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_topics_are_the_known_hashes() {
        let t = governance_topics();
        assert_eq!(t.len(), GOVERNANCE_EVENTS.len());
        let find = |n: &str| t.iter().find(|(_, name)| name == n).unwrap().0;
        // EIP-1967's Upgraded(address) and AccessControl's RoleGranted.
        assert_eq!(
            find("Upgraded").to_string(),
            "0xbc7cd75a20ee27fd9adebab32041f755214dbc6bffa90cc0225b39da2e5c2d3b"
        );
        assert_eq!(find("RoleGranted"), crate::abi::role_granted_topic());
        assert_eq!(find("RoleRevoked"), crate::abi::role_revoked_topic());
    }
}
