//! From crawled facts to the project file's `[governance]` section: actors
//! (EOAs, Safes, timelocks, configured relays), the powers they hold (who
//! can upgrade each proxy, and what the config maps), and the exit
//! mechanics — each fact with its evidence (address, call, block).

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::{Address, B256};
use l2stage_model::DurationSpec;
use l2stage_model::governance::{
    ANYONE, Actor, ActorKind, ExitMechanics, Governance, Member, Participation, PermissionlessTag,
    Power, PowerKind,
};

use crate::abi;
use crate::config::{ActsAs, ExitItem, Field, Unit};
use crate::crawl::{Crawler, Facts, Node, Value};
use crate::error::{DiscoveryError, Result};

mod actors;
mod exit;
mod loops;
mod powers;

use loops::break_loops;
#[cfg(test)]
use loops::find_cycle;

/// A discovered structure, with what could not be read.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub governance: Governance,
    pub facts: Facts,
    pub warnings: Vec<String>,
    /// Parts of the structure that were not read on chain nor given by the
    /// config: they parse, but must be checked before relying on them.
    pub placeholders: Vec<String>,
    /// Contracts with code that no one can upgrade (no EIP-1967 slot).
    pub immutable: Vec<String>,
    /// Actor id of each address in the structure.
    pub ids: BTreeMap<Address, String>,
    /// Whether a discovery config with contract templates was used (without
    /// one, only generic readings are made).
    pub configured: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Eoa,
    Multisig,
    Timelock,
    Relay,
    /// A contract that holds power but is not understood: one key.
    Opaque,
}

/// A timelock proposer counted only because it holds the admin role of
/// PROPOSER_ROLE (it can grant itself the role).
#[derive(Debug, Clone)]
struct DerivedProposer {
    timelock: String,
    proposer: String,
    /// The warning that says it is counted (withdrawn if a loop drops it).
    warning: String,
    evidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Holder {
    Anyone,
    Nobody,
    Actor(Address),
}

struct Builder<'a> {
    facts: &'a Facts,
    crawler: &'a Crawler<'a>,
    ids: BTreeMap<Address, String>,
    taken: BTreeSet<String>,
    opaque: BTreeSet<Address>,
    used: BTreeSet<Address>,
    /// Addresses that are members of a Safe in the structure.
    members_seen: BTreeSet<Address>,
    /// Timelock proposers counted only because they administer the
    /// proposer role.
    derived: Vec<DerivedProposer>,
    warnings: Vec<String>,
    placeholders: Vec<String>,
    block: u64,
}

/// Build and validate the structure.
pub fn build(facts: Facts, crawler: &Crawler<'_>) -> Result<Discovered> {
    let (d, invalid) = build_unchecked(facts, crawler);
    match invalid {
        Some(e) => Err(DiscoveryError::Structure(e)),
        None => Ok(d),
    }
}

/// Build the structure; the second value says why it is not a valid
/// `[governance]` section, if it is not (e.g. Safes owning each other).
pub fn build_unchecked(facts: Facts, crawler: &Crawler<'_>) -> (Discovered, Option<String>) {
    let mut b = Builder {
        facts: &facts,
        crawler,
        ids: BTreeMap::new(),
        taken: BTreeSet::new(),
        opaque: BTreeSet::new(),
        used: BTreeSet::new(),
        members_seen: BTreeSet::new(),
        derived: Vec::new(),
        warnings: Vec::new(),
        placeholders: Vec::new(),
        block: facts.pin.block,
    };
    let cfg = crawler.config;
    for a in &cfg.actors {
        b.taken.insert(a.id.clone());
    }
    let powers = b.powers();
    let exit = b.exit();
    let mut actors = b.actors();
    b.report_names();
    for a in &cfg.actors {
        let mut a = a.clone();
        a.evidence
            .push("from the discovery config (not read on chain)".into());
        actors.push(a);
    }
    let loop_error = break_loops(&mut actors, &b.derived, &mut b.warnings);
    if exit
        .proposing
        .allowlist()
        .iter()
        .any(|p| p == PLACEHOLDER_PROPOSER)
    {
        actors.push(Actor {
            name: Some("PLACEHOLDER: proposer not discovered".into()),
            entity: Some("unknown".into()),
            evidence: vec!["PLACEHOLDER: set [exit] proposing in the discovery config, or map the proposer's view function or role".into()],
            ..bare_eoa(PLACEHOLDER_PROPOSER.into())
        });
    }
    let pin = &facts.pin;
    let mut evidence = vec![format!(
        "l2stage discover: {} address(es) read at block {}{} on chain {} from {}",
        facts.nodes.len(),
        pin.block,
        pin.hash.map(|h| format!(" ({h})")).unwrap_or_default(),
        pin.chain_id,
        facts
            .entries
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )];
    if let Some(n) = &cfg.discovery.name {
        evidence.push(format!("discovery config: {n}"));
    }
    let governance = Governance {
        since: None,
        until: None,
        block_time: cfg.discovery.block_time,
        evidence,
        exit,
        actors,
        powers,
        da: None,
    };
    let immutable = b.immutable();
    let Builder {
        ids,
        mut warnings,
        mut placeholders,
        ..
    } = b;
    let mut seen = BTreeSet::new();
    placeholders.retain(|p| seen.insert(p.clone()));
    let mut all_warnings = facts.warnings.clone();
    all_warnings.append(&mut warnings);
    let invalid = loop_error.or_else(|| {
        governance
            .validate()
            .err()
            .map(|e| format!("{}: {}", e.path_string(), e.message))
    });
    (
        Discovered {
            governance,
            facts,
            warnings: all_warnings,
            placeholders,
            immutable,
            ids,
            configured: !cfg.contracts.is_empty(),
        },
        invalid,
    )
}

pub const PLACEHOLDER_PROPOSER: &str = "placeholder-proposer";

/// The note of a `change-parameters` power read generically from an
/// unmapped `owner()`: a guess at what the owner can do, which `verify`
/// does not hold against a project file's more specific claim.
pub const GENERIC_OWNER_NOTE: &str =
    "owner(): what the owner can do is not known generically; map it in the discovery config";

/// Whether a power's note marks it as a generic reading (an unmapped
/// `owner()` or AccessControl role), not a mapped fact.
pub fn is_generic_note(note: &str) -> bool {
    note.contains("not known generically") || note.starts_with("ASSUMPTION: ")
}

impl<'a> Builder<'a> {
    fn node(&self, a: Address) -> Option<&'a Node> {
        self.facts.nodes.get(&a)
    }

    fn template_name(&self, n: &Node) -> Option<&'a str> {
        n.template
            .and_then(|i| self.crawler.templates().get(i))
            .map(|t| t.template.name.as_str())
    }

    fn kind(&self, a: Address) -> Option<Kind> {
        if self.opaque.contains(&a) {
            return Some(Kind::Opaque);
        }
        let n = self.node(a)?;
        if n.is_eoa() {
            return Some(Kind::Eoa);
        }
        if n.safe.is_some() {
            return Some(Kind::Multisig);
        }
        if n.min_delay.is_some() && !n.roles.is_empty() {
            return Some(Kind::Timelock);
        }
        if let Some(t) = n.template.and_then(|i| self.crawler.templates().get(i))
            && t.template.acts_as == Some(ActsAs::Relay)
        {
            return Some(Kind::Relay);
        }
        None
    }

    fn label(&self, a: Address) -> String {
        let cfg = self.crawler.config;
        if let Some(n) = cfg.name_of(a).and_then(|n| n.name.clone()) {
            return format!("{n} ({a})");
        }
        match self.node(a).and_then(|n| self.template_name(n)) {
            Some(t) => format!("{t} ({a})"),
            None => format!("contract {a}"),
        }
    }

    fn id(&mut self, a: Address) -> String {
        if let Some(id) = self.ids.get(&a) {
            return id.clone();
        }
        let cfg = self.crawler.config;
        let wanted = cfg.name_of(a).and_then(|n| n.id.clone());
        let hex = alloy::primitives::hex::encode(a.as_slice());
        let id = match wanted {
            Some(w) if !self.taken.contains(&w) => w,
            _ => {
                let prefix = match self.kind(a) {
                    Some(Kind::Eoa) => "eoa".to_string(),
                    Some(Kind::Multisig) => "safe".into(),
                    Some(Kind::Timelock) => "timelock".into(),
                    Some(Kind::Relay) => self
                        .node(a)
                        .and_then(|n| self.template_name(n))
                        .map(slug)
                        .unwrap_or_else(|| "relay".into()),
                    _ => "contract".into(),
                };
                let mut n = 8;
                loop {
                    let id = format!("{prefix}-{}", &hex[..n]);
                    if !self.taken.contains(&id) || n >= 40 {
                        break id;
                    }
                    n += 4;
                }
            }
        };
        self.taken.insert(id.clone());
        self.ids.insert(a, id.clone());
        id
    }

    /// Who acts when `a` is the controller: an actor, or through an
    /// ownable forwarder (a ProxyAdmin) its owner, else `a` as an opaque key.
    fn resolve(&mut self, start: Address, via: &mut Vec<String>) -> Holder {
        if start == Address::ZERO {
            return Holder::Nobody;
        }
        let mut a = start;
        let mut seen = BTreeSet::new();
        loop {
            if !seen.insert(a) {
                return self.make_opaque(a, "its ownership loops");
            }
            match self.kind(a) {
                Some(Kind::Timelock) if self.dead_timelock(a) => {
                    self.warn(format!(
                        "timelock {a} has no proposers: nobody can make it act"
                    ));
                    return Holder::Nobody;
                }
                Some(_) => {
                    self.used.insert(a);
                    return Holder::Actor(a);
                }
                None => {}
            }
            let Some(n) = self.node(a) else {
                return self.make_opaque(a, "it was not read (beyond a stopped address)");
            };
            if n.stopped {
                return self.make_opaque(a, "it is on the config's stop list");
            }
            match n.owner {
                Some(o) if o != a => {
                    via.push(format!("{}.owner() = {o}", self.label(a)));
                    a = o;
                }
                _ => return self.make_opaque(a, "it is not an EOA, a Safe, a timelock nor a configured relay, and has no owner()"),
            }
        }
    }

    fn make_opaque(&mut self, a: Address, why: &str) -> Holder {
        if self.opaque.insert(a) {
            self.warn(format!(
                "{} holds power but {why}: modelled as one key (opaque); describe it in the discovery config",
                self.label(a)
            ));
        }
        self.used.insert(a);
        Holder::Actor(a)
    }

    fn warn(&mut self, w: String) {
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    fn dead_timelock(&self, a: Address) -> bool {
        let Some(n) = self.node(a) else { return false };
        let proposers = n
            .role(abi::role_id("PROPOSER_ROLE"))
            .map(|r| r.members.len())
            .unwrap_or(0);
        let admins = n
            .role(B256::ZERO)
            .map(|r| r.members.iter().filter(|m| **m != a).count())
            .unwrap_or(0);
        proposers == 0 && admins == 0
    }

    fn holder_id(&mut self, h: &Holder) -> Option<String> {
        match h {
            Holder::Anyone => Some(ANYONE.into()),
            Holder::Nobody => None,
            Holder::Actor(a) => Some(self.id(*a)),
        }
    }

    /// The actor id of a role member; the zero address stands for anyone.
    fn role_member_id(&mut self, m: Address) -> Option<String> {
        let h = if m == Address::ZERO {
            Holder::Anyone
        } else {
            self.resolve(m, &mut Vec::new())
        };
        self.holder_id(&h)
    }

    fn ev_call(&self, a: Address, call: &str, value: impl std::fmt::Display) -> String {
        format!("{a}.{call} = {value} at block {}", self.block)
    }

    fn role_name(&self, role: B256) -> String {
        self.facts
            .role_names
            .get(&role)
            .cloned()
            .unwrap_or_else(|| role.to_string())
    }

    fn duration_of(&self, v: &Value, unit: Unit) -> Option<DurationSpec> {
        let Value::Uint(u) = v else { return None };
        let n: u64 = (*u).try_into().unwrap_or(u64::MAX);
        Some(match unit {
            Unit::Seconds => seconds(n),
            Unit::Blocks => DurationSpec::Blocks {
                count: n.min(MAX_BLOCKS),
                block_time: None,
            },
        })
    }

    /// Every `[names]` key has an effect or is reported: an address the
    /// crawl never reached, or a key that means nothing for what the
    /// address turned out to be.
    fn report_names(&mut self) {
        let cfg = self.crawler.config;
        for (k, n) in &cfg.names {
            let Ok(a) = crate::config::parse_address(k) else {
                continue;
            };
            let actor = self.ids.contains_key(&a);
            let member = self.members_seen.contains(&a);
            if !actor && !member {
                self.warn(format!(
                    "names.\"{k}\": not part of the discovered structure (not reached by the crawl, or holds no power): its keys have no effect"
                ));
                continue;
            }
            let kind = if actor {
                self.kind(a).unwrap_or(Kind::Opaque)
            } else {
                Kind::Eoa
            };
            let mut useless: Vec<&str> = Vec::new();
            match kind {
                Kind::Multisig => {
                    if n.entity.is_some() {
                        useless.push("entity");
                    }
                }
                Kind::Eoa | Kind::Opaque => {
                    if n.security_council {
                        useless.push("security_council");
                    }
                    if n.announced.is_some() && !member {
                        useless.push("announced");
                    }
                    if n.id.is_some() && !actor {
                        useless.push("id");
                    }
                }
                Kind::Timelock | Kind::Relay => {
                    if n.entity.is_some() {
                        useless.push("entity");
                    }
                    if n.affiliation.is_some() {
                        useless.push("affiliation");
                    }
                    if n.announced.is_some() {
                        useless.push("announced");
                    }
                    if n.security_council {
                        useless.push("security_council");
                    }
                }
            }
            if !useless.is_empty() {
                let what = match kind {
                    Kind::Multisig => {
                        "a Safe (entity names a key holder; its members are read on chain)"
                    }
                    Kind::Eoa if member && !actor => "a Safe member",
                    Kind::Eoa => "an EOA actor",
                    Kind::Opaque => "a contract modelled as one key",
                    Kind::Timelock => "a timelock",
                    Kind::Relay => "a relay",
                };
                self.warn(format!(
                    "names.\"{k}\": {} ignored: the address is {what}",
                    useless.join(", ")
                ));
            }
        }
    }

    fn immutable(&self) -> Vec<String> {
        self.facts
            .nodes
            .values()
            .filter(|n| {
                !n.is_eoa() && !n.is_proxy() && n.safe.is_none() && self.kind(n.address).is_none()
            })
            .filter(|n| {
                // Proxy admins and beacons are upgrade machinery, not targets.
                !self
                    .facts
                    .nodes
                    .values()
                    .any(|p| p.admin == Some(n.address) || p.beacon == Some(n.address))
            })
            .map(|n| self.label(n.address))
            .collect()
    }
}

/// Durations the project file can hold: longer values (a "disabled"
/// timelock with a delay of 2^256 - 1) are capped at ~31.7 million years.
const MAX_SECONDS: u64 = 1_000_000_000_000_000;
const MAX_BLOCKS: u64 = MAX_SECONDS / 60;

fn seconds(n: u64) -> DurationSpec {
    DurationSpec::Seconds(n.min(MAX_SECONDS))
}

fn item_key(i: ExitItem) -> &'static str {
    match i {
        ExitItem::ForcedInclusion => "forced_inclusion",
        ExitItem::SelfPropose => "self_propose",
        ExitItem::Finalization => "finalization",
        ExitItem::Proposing => "proposing",
        ExitItem::Challenging => "challenging",
    }
}

fn permissionless(v: &Value, f: &Field) -> bool {
    let text = match v {
        Value::Uint(u) => u.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return false,
    };
    f.permissionless_when.iter().any(|w| w.text() == text)
}

/// A role given by name or as a 0x… id.
pub fn role_from(r: &str) -> B256 {
    if r.starts_with("0x") && r.len() == 66 {
        r.parse().unwrap_or_else(|_| abi::role_id(r))
    } else {
        abi::role_id(r)
    }
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// An EOA actor with only its id; callers fill in what they know.
fn bare_eoa(id: String) -> Actor {
    Actor {
        id,
        kind: ActorKind::Eoa,
        name: None,
        entity: None,
        affiliation: None,
        address: None,
        threshold: None,
        members: vec![],
        security_council: false,
        delay: None,
        proposers: vec![],
        executors: vec![],
        cancellers: vec![],
        senders: vec![],
        evidence: vec![],
    }
}

fn power(
    actor: String,
    kind: PowerKind,
    target: &str,
    address: Address,
    note: Option<String>,
    evidence: Vec<String>,
) -> Power {
    Power {
        actor,
        power: kind,
        target: Some(target.to_string()),
        delay: None,
        condition: None,
        duration: None,
        critical: None,
        note,
        address: Some(address.to_string()),
        evidence,
    }
}

fn field_power(
    actor: String,
    kind: PowerKind,
    target: &str,
    address: Address,
    f: &Field,
    evidence: Vec<String>,
) -> Power {
    let mut p = power(
        actor,
        kind,
        f.target.as_deref().unwrap_or(target),
        address,
        f.note.clone(),
        evidence,
    );
    p.duration = f.duration;
    p.condition = f.condition;
    p.delay = f.power_delay;
    p
}

#[cfg(test)]
mod tests;
