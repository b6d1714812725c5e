//! What a crawl found: every address's facts ([`Node`]), the values its
//! view functions returned, and the templates and fields that described
//! them.

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::{Address, B256, U256};
use serde::Serialize;

use crate::rpc::{Pin, Stats};

/// Everything read about one address.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Node {
    pub address: Address,
    /// BFS level (entries are 0).
    pub depth: usize,
    pub code_size: usize,
    /// keccak256 of the code (contracts only).
    pub code_hash: Option<B256>,
    /// EIP-7702 delegation of an EOA.
    pub delegated_to: Option<Address>,
    pub implementation: Option<Address>,
    pub admin: Option<Address>,
    pub beacon: Option<Address>,
    /// `implementation()` (beacons).
    pub beacon_implementation: Option<Address>,
    pub owner: Option<Address>,
    pub safe: Option<SafeFacts>,
    /// `getMinDelay()` in seconds (timelocks).
    pub min_delay: Option<u64>,
    pub roles: BTreeMap<B256, RoleFacts>,
    /// Index of the config template it matched.
    pub template: Option<usize>,
    /// Values of the template's fields, by field index.
    pub fields: BTreeMap<usize, Value>,
    /// On the config's stop list: its references were not followed.
    pub stopped: bool,
    /// Members of the template's event-kept lists, by event index.
    pub event_lists: BTreeMap<usize, BTreeSet<Address>>,
}

impl Node {
    pub fn is_eoa(&self) -> bool {
        self.code_size == 0 || self.delegated_to.is_some()
    }
    pub fn is_proxy(&self) -> bool {
        self.implementation.is_some() || self.beacon.is_some() || self.admin.is_some()
    }
    pub fn role(&self, id: B256) -> Option<&RoleFacts> {
        self.roles.get(&id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SafeFacts {
    pub owners: Vec<Address>,
    pub threshold: u64,
    pub modules: Vec<Address>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoleFacts {
    pub name: Option<String>,
    pub members: BTreeSet<Address>,
    /// `getRoleAdmin(role)`, when it answered.
    pub admin_role: Option<B256>,
    /// Every member was confirmed with `hasRole` at the pinned block.
    pub confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Value {
    Address(Address),
    Addresses(Vec<Address>),
    Uint(U256),
    Bool(bool),
    Bytes32(B256),
    /// An optional field whose call reverted.
    Missing,
}

impl Value {
    pub fn addresses(&self) -> Vec<Address> {
        match self {
            Value::Address(a) => vec![*a],
            Value::Addresses(v) => v.clone(),
            _ => vec![],
        }
    }
    pub fn text(&self) -> String {
        match self {
            Value::Address(a) => a.to_string(),
            Value::Addresses(v) => format!(
                "[{}]",
                v.iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Uint(u) => u.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Bytes32(b) => b.to_string(),
            Value::Missing => "(reverted)".into(),
        }
    }
}

/// What a crawl found, all at one block.
#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    pub pin: Pin,
    pub entries: Vec<Address>,
    pub nodes: BTreeMap<Address, Node>,
    /// Deepest BFS level reached (entries are level 0).
    pub depth: usize,
    pub role_names: BTreeMap<B256, String>,
    pub warnings: Vec<String>,
    pub multicall: Option<Address>,
    pub stats: Stats,
    /// The config's templates (names and fields), indexed like
    /// [`Node::template`] and [`Node::fields`].
    pub templates: Vec<TemplateInfo>,
}

/// A config template as a snapshot records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateInfo {
    pub name: String,
    pub fields: Vec<FieldInfo>,
}

/// A template field: how it is shown and what it means for safety.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldInfo {
    /// The call with its arguments, e.g. `gameImpls(1)`.
    pub label: String,
    /// The canonical signature, e.g. `gameImpls(uint32)`.
    pub call: String,
    pub class: FieldClass,
}

/// What a template field is, for the safety rules of changes
/// (docs/discovery.md, "Watching").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldClass {
    /// Marked `exit = …` in the config.
    ExitParameter,
    /// A verifier address (the function's name says `verifier`).
    Verifier,
    /// A dispute game implementation (`gameImpls(…)`).
    GameImplementation,
    /// Its value holds a power other than `sequence` (who can pause,
    /// upgrade, replace the verifier, change parameters, blocklist).
    Power,
    /// Anything else: recorded, not safety-relevant.
    Other,
}

impl FieldInfo {
    pub fn of(f: &crate::config::Field, sig: &crate::abi::Signature) -> FieldInfo {
        let label = if f.args.is_empty() {
            sig.canonical.clone()
        } else {
            format!(
                "{}({})",
                sig.name,
                f.args
                    .iter()
                    .map(|a| a.text())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let name = sig.name.to_ascii_lowercase();
        let class = if f.exit.is_some() {
            FieldClass::ExitParameter
        } else if name.contains("verifier") {
            FieldClass::Verifier
        } else if name.starts_with("gameimpl") {
            FieldClass::GameImplementation
        } else if f
            .power
            .is_some_and(|p| p != l2stage_model::governance::PowerKind::Sequence)
        {
            FieldClass::Power
        } else {
            FieldClass::Other
        };
        FieldInfo {
            label,
            call: sig.canonical.clone(),
            class,
        }
    }
}
