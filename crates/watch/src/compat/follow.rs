//! Governance events between two blocks, one `eth_getLogs` per range.

use alloy::primitives::{Address, B256, keccak256};
use l2stage_discovery::rpc::{Answer, Read};
use l2stage_discovery::{DiscoveryError, Rpc};

/// The standard governance events, by signature.
pub const EVENTS: &[&str] = &[
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovEvent {
    pub address: Address,
    pub block: u64,
    pub name: String,
    pub tx_index: u64,
    pub log_index: u64,
}

/// Governance events of `addresses` in blocks `from..=to`.
pub async fn governance_logs(
    rpc: &mut Rpc,
    addresses: &[Address],
    from: u64,
    to: u64,
    extra_topics: &[B256],
) -> Result<Vec<GovEvent>, DiscoveryError> {
    if addresses.is_empty() || from > to {
        return Ok(Vec::new());
    }
    if rpc.pin().map(|p| p.block) != Some(to) {
        rpc.pin_block(Some(to)).await?;
    }
    let mut names: Vec<(B256, String)> = EVENTS
        .iter()
        .map(|s| {
            (
                keccak256(s.as_bytes()),
                s.split('(').next().unwrap_or(s).to_string(),
            )
        })
        .collect();
    for t in extra_topics {
        if !names.iter().any(|(x, _)| x == t) {
            names.push((*t, format!("event {t}")));
        }
    }
    let topics: Vec<B256> = names.iter().map(|(t, _)| *t).collect();
    let reads: Vec<Read> = addresses
        .chunks(1_000)
        .map(|c| Read::Logs {
            addresses: c.to_vec(),
            topics: topics.clone(),
            from,
        })
        .collect();
    let answers = rpc.read_all(&reads).await?;
    let mut out = Vec::new();
    for a in answers {
        if let Answer::Logs(logs) = a {
            for l in logs {
                let name = l
                    .topics
                    .first()
                    .and_then(|t0| names.iter().find(|(t, _)| t == t0))
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                out.push(GovEvent {
                    address: l.address,
                    block: l.block,
                    name,
                    tx_index: l.tx_index,
                    log_index: l.log_index,
                });
            }
        }
    }
    out.sort_by_key(|e| (e.block, e.tx_index, e.log_index));
    Ok(out)
}
