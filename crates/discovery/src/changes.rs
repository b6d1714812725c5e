//! Typed changes between two discoveries of a project.
//!
//! A [`Snapshot`] is the stable, serializable summary of a [`Discovered`]
//! (sorted maps; what a watch loop stores per project and block): the pin
//! (chain id, block, hash, timestamp) and, per address reached from the
//! entries, its code hash, EIP-1967 implementation/admin/beacon, the
//! beacon's `implementation()`, `owner()`, the Safe's owners, threshold and
//! modules, the timelock's minimum delay, role holders per role, and the
//! config template's fields. [`diff`] compares two snapshots, purely, into
//! [`Change`]s, each with the reads that show its new value.
//!
//! Safety rules (documented in docs/discovery.md, "Watching"): a change is
//! safety-relevant when it can change who can upgrade, replace the
//! verifier, pause, or change exit parameters — implementation, admin,
//! beacon, owner, Safe owners/threshold/modules, timelock delay, role
//! grants and revocations, the verifier, a game implementation, an exit
//! parameter, a template field that holds a power other than `sequence`,
//! code replaced or an EIP-7702 delegation changed, and a contract
//! appearing in or disappearing from the set reached from the entries.
//! Other template fields (and which template matched) are recorded, not
//! safety-relevant.

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::{Address, B256};
use serde::{Deserialize, Serialize};

use crate::abi;
use crate::crawl::{Facts, FieldClass};
use crate::structure::Discovered;

/// Format of [`Snapshot`] (bumped if its meaning changes).
pub const SNAPSHOT_VERSION: u32 = 1;

/// What a discovery found, summarised for comparison and storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub version: u32,
    pub chain_id: u64,
    pub block: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_hash: Option<B256>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    pub entries: Vec<Address>,
    /// Every address reached from the entries (EOAs too).
    pub contracts: BTreeMap<Address, ContractState>,
}

/// One address at the snapshot's block. Absent values are omitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractState {
    /// keccak256 of the code; none for an EOA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_hash: Option<B256>,
    /// EIP-7702 delegation of an EOA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegated_to: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beacon: Option<Address>,
    /// `implementation()` (what a beacon points its proxies to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beacon_implementation: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe: Option<SafeState>,
    /// `getMinDelay()` in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_delay: Option<u64>,
    /// Holders per role (its name when the config or the standard roles
    /// name it, else its bytes32 id).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, BTreeSet<Address>>,
    /// The config template it matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The template's fields by their call, e.g. `gameImpls(1)`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, FieldState>,
}

/// A Safe's owners and modules, sorted (their order in the Safe's linked
/// list is not a governance fact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafeState {
    pub owners: Vec<Address>,
    pub threshold: u64,
    pub modules: Vec<Address>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldState {
    /// The value as text (an address, a number, a list…; `(reverted)` for
    /// an optional field whose call reverted).
    pub value: String,
    /// What the field means (see the module's safety rules).
    pub class: FieldClass,
}

impl Snapshot {
    pub fn from_discovered(d: &Discovered) -> Snapshot {
        Snapshot::from_facts(&d.facts)
    }

    pub fn from_facts(f: &Facts) -> Snapshot {
        let mut contracts = BTreeMap::new();
        for (a, n) in &f.nodes {
            let roles = n
                .roles
                .iter()
                .filter(|(_, r)| !r.members.is_empty())
                .map(|(id, r)| {
                    let name = r
                        .name
                        .clone()
                        .or_else(|| f.role_names.get(id).cloned())
                        .unwrap_or_else(|| id.to_string());
                    (name, r.members.clone())
                })
                .collect();
            let template = n.template.and_then(|i| f.templates.get(i));
            let mut fields = BTreeMap::new();
            if let Some(t) = template {
                for (j, v) in &n.fields {
                    let Some(info) = t.fields.get(*j) else {
                        continue;
                    };
                    // Already recorded as the contract's owner.
                    if info.call == "owner()" {
                        continue;
                    }
                    fields.insert(
                        info.label.clone(),
                        FieldState {
                            value: v.text(),
                            class: info.class,
                        },
                    );
                }
            }
            let sorted = |v: &[Address]| {
                let mut v = v.to_vec();
                v.sort();
                v
            };
            contracts.insert(
                *a,
                ContractState {
                    code_hash: n.code_hash,
                    delegated_to: n.delegated_to,
                    implementation: n.implementation,
                    admin: n.admin,
                    beacon: n.beacon,
                    beacon_implementation: n.beacon_implementation,
                    owner: n.owner,
                    safe: n.safe.as_ref().map(|s| SafeState {
                        owners: sorted(&s.owners),
                        threshold: s.threshold,
                        modules: sorted(&s.modules),
                    }),
                    min_delay: n.min_delay,
                    roles,
                    template: template.map(|t| t.name.clone()),
                    fields,
                },
            );
        }
        Snapshot {
            version: SNAPSHOT_VERSION,
            chain_id: f.pin.chain_id,
            block: f.pin.block,
            block_hash: f.pin.hash,
            timestamp: f.pin.timestamp,
            entries: f.entries.clone(),
            contracts,
        }
    }
}

/// What changed. Serialized kebab-case (`implementation-upgraded`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
    /// Another template field (or the matched template, or a delegation).
    FieldChanged,
    ContractAppeared,
    ContractDisappeared,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 16] = [
        ChangeKind::ImplementationUpgraded,
        ChangeKind::AdminChanged,
        ChangeKind::BeaconUpgraded,
        ChangeKind::OwnerChanged,
        ChangeKind::SafeThresholdChanged,
        ChangeKind::SafeOwnersChanged,
        ChangeKind::SafeModulesChanged,
        ChangeKind::TimelockDelayChanged,
        ChangeKind::RoleGranted,
        ChangeKind::RoleRevoked,
        ChangeKind::VerifierChanged,
        ChangeKind::GameImplementationChanged,
        ChangeKind::ExitParameterChanged,
        ChangeKind::FieldChanged,
        ChangeKind::ContractAppeared,
        ChangeKind::ContractDisappeared,
    ];

    /// The kebab-case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::ImplementationUpgraded => "implementation-upgraded",
            ChangeKind::AdminChanged => "admin-changed",
            ChangeKind::BeaconUpgraded => "beacon-upgraded",
            ChangeKind::OwnerChanged => "owner-changed",
            ChangeKind::SafeThresholdChanged => "safe-threshold-changed",
            ChangeKind::SafeOwnersChanged => "safe-owners-changed",
            ChangeKind::SafeModulesChanged => "safe-modules-changed",
            ChangeKind::TimelockDelayChanged => "timelock-delay-changed",
            ChangeKind::RoleGranted => "role-granted",
            ChangeKind::RoleRevoked => "role-revoked",
            ChangeKind::VerifierChanged => "verifier-changed",
            ChangeKind::GameImplementationChanged => "game-implementation-changed",
            ChangeKind::ExitParameterChanged => "exit-parameter-changed",
            ChangeKind::FieldChanged => "field-changed",
            ChangeKind::ContractAppeared => "contract-appeared",
            ChangeKind::ContractDisappeared => "contract-disappeared",
        }
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The reads, at `block`, that show a change's new value, e.g.
/// `eth_getStorageAt(0x…, 0x3608…) @ 123`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub block: u64,
    pub calls: Vec<String>,
}

/// One difference between two snapshots of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub address: Address,
    /// What changed at `address`: `implementation`, `safe.threshold`,
    /// `roles.PAUSER_ROLE`, a template field's call, …
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub safety_relevant: bool,
    pub evidence: Evidence,
}

/// The changes from `before` to `after`, by address, then in a fixed order
/// of fields. Empty when nothing governance-related changed (the pin alone
/// is not a change).
pub fn diff(before: &Snapshot, after: &Snapshot) -> Vec<Change> {
    let block = after.block;
    let mut out = Vec::new();
    let addresses: BTreeSet<&Address> = before
        .contracts
        .keys()
        .chain(after.contracts.keys())
        .collect();
    for a in addresses {
        let mut d = Differ {
            address: *a,
            block,
            out: &mut out,
        };
        match (before.contracts.get(a), after.contracts.get(a)) {
            (None, Some(now)) => {
                if let Some(h) = now.code_hash {
                    d.push(
                        ChangeKind::ContractAppeared,
                        "code",
                        None,
                        Some(h.to_string()),
                        true,
                        vec![get_code(a)],
                    );
                }
            }
            (Some(was), None) => {
                if let Some(h) = was.code_hash {
                    // Not reached from the entries any more: no read shows
                    // an absence, so the evidence has the block only.
                    d.push(
                        ChangeKind::ContractDisappeared,
                        "code",
                        Some(h.to_string()),
                        None,
                        true,
                        vec![],
                    );
                }
            }
            (Some(was), Some(now)) => d.contract(was, now),
            (None, None) => {}
        }
    }
    out
}

struct Differ<'o> {
    address: Address,
    block: u64,
    out: &'o mut Vec<Change>,
}

fn text<T: ToString>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(|x| x.to_string())
}

fn list(v: &[Address]) -> String {
    format!(
        "[{}]",
        v.iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn get_code(a: &Address) -> String {
    format!("eth_getCode({a})")
}

fn storage(a: &Address, slot: B256) -> String {
    format!("eth_getStorageAt({a}, {slot})")
}

fn call(a: &Address, function: &str) -> String {
    format!("eth_call({a}, {function})")
}

impl Differ<'_> {
    fn push(
        &mut self,
        kind: ChangeKind,
        field: &str,
        before: Option<String>,
        after: Option<String>,
        safety_relevant: bool,
        calls: Vec<String>,
    ) {
        let block = self.block;
        self.out.push(Change {
            kind,
            address: self.address,
            field: field.to_string(),
            before,
            after,
            safety_relevant,
            evidence: Evidence {
                block,
                calls: calls
                    .into_iter()
                    .map(|c| format!("{c} @ {block}"))
                    .collect(),
            },
        });
    }

    /// Push a change when the values differ.
    #[allow(clippy::too_many_arguments)]
    fn compare(
        &mut self,
        kind: ChangeKind,
        field: &str,
        before: Option<String>,
        after: Option<String>,
        safety_relevant: bool,
        calls: Vec<String>,
    ) {
        if before != after {
            self.push(kind, field, before, after, safety_relevant, calls);
        }
    }

    fn contract(&mut self, was: &ContractState, now: &ContractState) {
        let a = self.address;
        use ChangeKind as K;
        match (was.code_hash, now.code_hash) {
            (None, Some(h)) => self.push(
                K::ContractAppeared,
                "code",
                None,
                Some(h.to_string()),
                true,
                vec![get_code(&a)],
            ),
            (Some(h), None) => self.push(
                K::ContractDisappeared,
                "code",
                Some(h.to_string()),
                None,
                true,
                vec![get_code(&a)],
            ),
            // New code at the same address: its logic was replaced.
            (Some(x), Some(y)) if x != y => self.push(
                K::ImplementationUpgraded,
                "code",
                Some(x.to_string()),
                Some(y.to_string()),
                true,
                vec![get_code(&a)],
            ),
            _ => {}
        }
        self.compare(
            K::FieldChanged,
            "delegation",
            text(&was.delegated_to),
            text(&now.delegated_to),
            true,
            vec![get_code(&a)],
        );
        self.compare(
            K::ImplementationUpgraded,
            "implementation",
            text(&was.implementation),
            text(&now.implementation),
            true,
            vec![storage(&a, abi::IMPLEMENTATION_SLOT)],
        );
        self.compare(
            K::AdminChanged,
            "admin",
            text(&was.admin),
            text(&now.admin),
            true,
            vec![storage(&a, abi::ADMIN_SLOT)],
        );
        self.compare(
            K::BeaconUpgraded,
            "beacon",
            text(&was.beacon),
            text(&now.beacon),
            true,
            vec![storage(&a, abi::BEACON_SLOT)],
        );
        self.compare(
            K::BeaconUpgraded,
            "beacon_implementation",
            text(&was.beacon_implementation),
            text(&now.beacon_implementation),
            true,
            vec![call(&a, "implementation()")],
        );
        self.compare(
            K::OwnerChanged,
            "owner",
            text(&was.owner),
            text(&now.owner),
            true,
            vec![call(&a, "owner()")],
        );
        let (ws, ns) = (was.safe.as_ref(), now.safe.as_ref());
        self.compare(
            K::SafeThresholdChanged,
            "safe.threshold",
            ws.map(|s| s.threshold.to_string()),
            ns.map(|s| s.threshold.to_string()),
            true,
            vec![call(&a, "getThreshold()")],
        );
        self.compare(
            K::SafeOwnersChanged,
            "safe.owners",
            ws.map(|s| list(&s.owners)),
            ns.map(|s| list(&s.owners)),
            true,
            vec![call(&a, "getOwners()")],
        );
        self.compare(
            K::SafeModulesChanged,
            "safe.modules",
            ws.map(|s| list(&s.modules)),
            ns.map(|s| list(&s.modules)),
            true,
            vec![call(
                &a,
                &format!(
                    "getModulesPaginated({}, {})",
                    abi::SENTINEL,
                    abi::MODULE_PAGE
                ),
            )],
        );
        self.compare(
            K::TimelockDelayChanged,
            "timelock.min_delay",
            text(&was.min_delay),
            text(&now.min_delay),
            true,
            vec![call(&a, "getMinDelay()")],
        );
        let empty = BTreeSet::new();
        let roles: BTreeSet<&String> = was.roles.keys().chain(now.roles.keys()).collect();
        for role in roles {
            let (w, n) = (
                was.roles.get(role).unwrap_or(&empty),
                now.roles.get(role).unwrap_or(&empty),
            );
            let field = format!("roles.{role}");
            let logs = format!("eth_getLogs({a}, RoleGranted/RoleRevoked)");
            for m in n.difference(w) {
                self.push(
                    K::RoleGranted,
                    &field,
                    None,
                    Some(m.to_string()),
                    true,
                    vec![logs.clone(), call(&a, &format!("hasRole({role}, {m})"))],
                );
            }
            for m in w.difference(n) {
                self.push(
                    K::RoleRevoked,
                    &field,
                    Some(m.to_string()),
                    None,
                    true,
                    vec![logs.clone()],
                );
            }
        }
        self.compare(
            K::FieldChanged,
            "template",
            was.template.clone(),
            now.template.clone(),
            false,
            vec![],
        );
        let fields: BTreeSet<&String> = was.fields.keys().chain(now.fields.keys()).collect();
        for f in fields {
            let (w, n) = (was.fields.get(f), now.fields.get(f));
            let Some(class) = n.or(w).map(|s| s.class) else {
                continue;
            };
            let (kind, safety) = match class {
                FieldClass::ExitParameter => (K::ExitParameterChanged, true),
                FieldClass::Verifier => (K::VerifierChanged, true),
                FieldClass::GameImplementation => (K::GameImplementationChanged, true),
                FieldClass::Power => (K::FieldChanged, true),
                FieldClass::Other => (K::FieldChanged, false),
            };
            self.compare(
                kind,
                f,
                w.map(|s| s.value.clone()),
                n.map(|s| s.value.clone()),
                safety,
                vec![call(&a, f)],
            );
        }
    }
}

#[cfg(test)]
mod tests;
