//! A project's state at one block, and the typed changes between two.

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::Address;
use l2stage_discovery::Discovered;
use serde::{Deserialize, Serialize};

const IMPL_SLOT: &str = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
const ADMIN_SLOT: &str = "0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103";
const BEACON_SLOT: &str = "0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50";

/// What one address looked like.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressState {
    /// Bytes of code (0: an EOA).
    pub code_size: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beacon: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beacon_implementation: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_owners: Option<Vec<Address>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_threshold: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_modules: Option<Vec<Address>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timelock_min_delay: Option<u64>,
    /// Role name (or id) → holders.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, BTreeSet<Address>>,
    /// Config template fields, `template#field` → value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// A project's state at one block: stable (sorted) and serializable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub chain_id: u64,
    pub block: u64,
    #[serde(default)]
    pub hash: Option<String>,
    #[serde(default)]
    pub timestamp: Option<u64>,
    pub addresses: BTreeMap<Address, AddressState>,
}

impl Snapshot {
    pub fn from_discovered(d: &Discovered) -> Snapshot {
        let f = &d.facts;
        let addresses = f
            .nodes
            .iter()
            .map(|(a, n)| {
                let roles = n
                    .roles
                    .iter()
                    .map(|(id, r)| {
                        let name = r
                            .name
                            .clone()
                            .or_else(|| f.role_names.get(id).cloned())
                            .unwrap_or_else(|| id.to_string());
                        (name, r.members.clone())
                    })
                    .collect();
                let fields = n
                    .fields
                    .iter()
                    .map(|(i, v)| {
                        (
                            format!(
                                "{}#{i}",
                                n.template.map(|t| t.to_string()).unwrap_or_default()
                            ),
                            v.text(),
                        )
                    })
                    .collect();
                (
                    *a,
                    AddressState {
                        code_size: n.code_size,
                        implementation: n.implementation,
                        admin: n.admin,
                        beacon: n.beacon,
                        beacon_implementation: n.beacon_implementation,
                        owner: n.owner,
                        safe_owners: n.safe.as_ref().map(|s| s.owners.clone()),
                        safe_threshold: n.safe.as_ref().map(|s| s.threshold),
                        safe_modules: n.safe.as_ref().map(|s| s.modules.clone()),
                        timelock_min_delay: n.min_delay,
                        roles,
                        fields,
                    },
                )
            })
            .collect();
        Snapshot {
            chain_id: f.pin.chain_id,
            block: f.pin.block,
            hash: f.pin.hash.map(|h| h.to_string()),
            timestamp: f.pin.timestamp,
            addresses,
        }
    }

    /// The contracts of the snapshot (addresses with code): what emits logs.
    pub fn addresses(&self) -> Vec<Address> {
        self.addresses
            .iter()
            .filter(|(_, s)| s.code_size > 0)
            .map(|(a, _)| *a)
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    ImplementationUpgraded,
    AdminChanged,
    BeaconUpgraded,
    OwnerChanged,
    SafeThresholdChanged,
    SafeOwnersChanged,
    SafeModulesChanged,
    TimelockDelayChanged,
    RoleGranted,
    RoleRevoked,
    VerifierChanged,
    GameImplementationChanged,
    ExitParameterChanged,
    FieldChanged,
    ContractAppeared,
    ContractDisappeared,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub block: u64,
    pub calls: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub address: Address,
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub safety_relevant: bool,
    pub evidence: Evidence,
}

fn list(v: &[Address]) -> String {
    let mut v: Vec<String> = v.iter().map(|a| a.to_string()).collect();
    v.sort();
    v.join(", ")
}

/// Every difference from `before` to `after`, by address then field.
pub fn diff(before: &Snapshot, after: &Snapshot) -> Vec<Change> {
    let block = after.block;
    let mut out = Vec::new();
    let all: BTreeSet<&Address> = before
        .addresses
        .keys()
        .chain(after.addresses.keys())
        .collect();
    for a in all {
        let at = |call: String| Evidence {
            block,
            calls: vec![format!("{call} @ {block}")],
        };
        let mut push = |kind: ChangeKind,
                        field: &str,
                        b: Option<String>,
                        x: Option<String>,
                        safety: bool,
                        call: String| {
            if b != x {
                out.push(Change {
                    kind,
                    address: *a,
                    field: field.to_string(),
                    before: b,
                    after: x,
                    safety_relevant: safety,
                    evidence: at(call),
                });
            }
        };
        let (b, x) = match (before.addresses.get(a), after.addresses.get(a)) {
            (None, Some(_)) => {
                push(
                    ChangeKind::ContractAppeared,
                    "address",
                    None,
                    Some(a.to_string()),
                    true,
                    format!("eth_getCode({a})"),
                );
                continue;
            }
            (Some(_), None) => {
                push(
                    ChangeKind::ContractDisappeared,
                    "address",
                    Some(a.to_string()),
                    None,
                    true,
                    format!("eth_getCode({a})"),
                );
                continue;
            }
            (Some(b), Some(x)) => (b, x),
            (None, None) => continue,
        };
        let s = |o: &Option<Address>| o.map(|v| v.to_string());
        push(
            ChangeKind::ImplementationUpgraded,
            "implementation",
            s(&b.implementation),
            s(&x.implementation),
            true,
            format!("eth_getStorageAt({a}, {IMPL_SLOT})"),
        );
        push(
            ChangeKind::AdminChanged,
            "admin",
            s(&b.admin),
            s(&x.admin),
            true,
            format!("eth_getStorageAt({a}, {ADMIN_SLOT})"),
        );
        push(
            ChangeKind::BeaconUpgraded,
            "beacon",
            s(&b.beacon),
            s(&x.beacon),
            true,
            format!("eth_getStorageAt({a}, {BEACON_SLOT})"),
        );
        push(
            ChangeKind::BeaconUpgraded,
            "beacon_implementation",
            s(&b.beacon_implementation),
            s(&x.beacon_implementation),
            true,
            format!("eth_call({a}, implementation())"),
        );
        push(
            ChangeKind::OwnerChanged,
            "owner",
            s(&b.owner),
            s(&x.owner),
            true,
            format!("eth_call({a}, owner())"),
        );
        push(
            ChangeKind::SafeThresholdChanged,
            "threshold",
            b.safe_threshold.map(|t| t.to_string()),
            x.safe_threshold.map(|t| t.to_string()),
            true,
            format!("eth_call({a}, getThreshold())"),
        );
        push(
            ChangeKind::SafeOwnersChanged,
            "owners",
            b.safe_owners.as_deref().map(list),
            x.safe_owners.as_deref().map(list),
            true,
            format!("eth_call({a}, getOwners())"),
        );
        push(
            ChangeKind::SafeModulesChanged,
            "modules",
            b.safe_modules.as_deref().map(list),
            x.safe_modules.as_deref().map(list),
            true,
            format!("eth_call({a}, getModulesPaginated(0x1, 100))"),
        );
        push(
            ChangeKind::TimelockDelayChanged,
            "min_delay",
            b.timelock_min_delay.map(|t| t.to_string()),
            x.timelock_min_delay.map(|t| t.to_string()),
            true,
            format!("eth_call({a}, getMinDelay())"),
        );
        let roles: BTreeSet<&String> = b.roles.keys().chain(x.roles.keys()).collect();
        let none = BTreeSet::new();
        for r in roles {
            let was = b.roles.get(r).unwrap_or(&none);
            let is = x.roles.get(r).unwrap_or(&none);
            for m in is.difference(was) {
                push(
                    ChangeKind::RoleGranted,
                    r,
                    None,
                    Some(m.to_string()),
                    true,
                    format!("eth_call({a}, hasRole({r}, {m}))"),
                );
            }
            for m in was.difference(is) {
                push(
                    ChangeKind::RoleRevoked,
                    r,
                    Some(m.to_string()),
                    None,
                    true,
                    format!("eth_call({a}, hasRole({r}, {m}))"),
                );
            }
        }
        let fields: BTreeSet<&String> = b.fields.keys().chain(x.fields.keys()).collect();
        for f in fields {
            push(
                ChangeKind::FieldChanged,
                f,
                b.fields.get(f).cloned(),
                x.fields.get(f).cloned(),
                false,
                format!("eth_call({a}, field {f})"),
            );
        }
    }
    out
}
