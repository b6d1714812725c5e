//! `verify`: re-read what a project file declares (actors and power targets
//! with an `address`) and compare: kinds, thresholds, members, delays,
//! timelock roles, and who holds which power.

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::Address;
use l2stage_model::format_seconds;
use l2stage_model::governance::{ANYONE, ActorKind, Governance};
use serde::Serialize;

use crate::abi;
use crate::config::{Config, parse_address};
use crate::crawl::Node;
use crate::crawl::{Crawler, Progress};
use crate::error::{DiscoveryError, Result};
use crate::rpc::Rpc;
use crate::structure::Discovered;

/// One claim the chain contradicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// What the claim is about, e.g. `multisig security-council (0x…)`.
    pub subject: String,
    /// The field, e.g. `threshold`.
    pub field: String,
    pub declared: String,
    pub on_chain: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub chain_id: u64,
    pub block: u64,
    pub agree: bool,
    /// Claims compared.
    pub checked: usize,
    pub mismatches: Vec<Mismatch>,
    /// Claims that could not be compared (no address, not mapped).
    pub unchecked: Vec<String>,
}

/// Addresses a project file declares: actors, Safe members, power targets.
pub fn entries(gov: &Governance) -> Result<Vec<Address>> {
    let mut out = BTreeSet::new();
    let mut add = |where_: String, s: &str| -> Result<()> {
        let a = parse_address(s).map_err(|e| DiscoveryError::Input(format!("{where_}: {e}")))?;
        out.insert(a);
        Ok(())
    };
    for a in &gov.actors {
        if let Some(s) = &a.address {
            add(format!("actor `{}` address", a.id), s)?;
        }
        for (i, m) in a.members.iter().enumerate() {
            if let Some(s) = &m.address {
                add(format!("actor `{}` members[{i}] address", a.id), s)?;
            }
        }
    }
    for (i, p) in gov.powers.iter().enumerate() {
        if let Some(s) = &p.address {
            add(format!("powers[{i}] address"), s)?;
        }
    }
    out.remove(&Address::ZERO);
    if out.is_empty() {
        return Err(DiscoveryError::Input(
            "nothing to verify: no actor, member or power in [governance] has an `address`".into(),
        ));
    }
    Ok(out.into_iter().collect())
}

/// Re-discover what `declared` names, at `block` (default latest), and compare.
pub async fn verify(
    rpc: &mut Rpc,
    declared: &Governance,
    block: Option<u64>,
    config: &Config,
    progress: &mut dyn FnMut(&Progress),
) -> Result<(Report, Discovered)> {
    let entries = entries(declared)?;
    let crawler = Crawler::new(config)?;
    rpc.pin_block(block).await?;
    let facts = crawler.crawl(rpc, &entries, progress).await?;
    let (d, invalid) = crate::structure::build_unchecked(facts, &crawler);
    let mut report = compare(declared, &d);
    if let Some(e) = invalid {
        report.unchecked.push(format!("the discovered structure is not a valid [governance] section ({e}); facts were compared one by one"));
    }
    Ok((report, d))
}

struct Cmp<'a> {
    d: &'a Discovered,
    declared: &'a Governance,
    addr: BTreeMap<&'a str, Address>,
    mismatches: Vec<Mismatch>,
    unchecked: Vec<String>,
    checked: usize,
}

pub fn compare(declared: &Governance, d: &Discovered) -> Report {
    let mut addr = BTreeMap::new();
    for a in &declared.actors {
        if let Some(x) = a.address.as_deref().and_then(|s| parse_address(s).ok()) {
            addr.insert(a.id.as_str(), x);
        }
    }
    let mut c = Cmp {
        d,
        declared,
        addr,
        mismatches: vec![],
        unchecked: vec![],
        checked: 0,
    };
    c.actors();
    c.powers();
    Report {
        chain_id: d.facts.pin.chain_id,
        block: d.facts.pin.block,
        agree: c.mismatches.is_empty(),
        checked: c.checked,
        mismatches: c.mismatches,
        unchecked: c.unchecked,
    }
}

fn on_chain_kind(n: &Node) -> String {
    if n.is_eoa() {
        return "an EOA (no code)".into();
    }
    if let Some(s) = &n.safe {
        return format!("a Safe ({} of {})", s.threshold, s.owners.len());
    }
    if let Some(d) = n.min_delay {
        return format!(
            "a timelock (delay {})",
            format_seconds(d.min(1_000_000_000_000_000) as i64)
        );
    }
    "a contract".into()
}

fn set_text(s: &BTreeSet<String>) -> String {
    if s.is_empty() {
        "(none)".into()
    } else {
        s.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

impl<'a> Cmp<'a> {
    fn mismatch(&mut self, subject: &str, field: &str, declared: String, on_chain: String) {
        self.mismatches.push(Mismatch {
            subject: subject.to_string(),
            field: field.to_string(),
            declared,
            on_chain,
        });
    }

    fn check(&mut self, subject: &str, field: &str, declared: String, on_chain: String) {
        self.checked += 1;
        if declared != on_chain {
            self.mismatch(subject, field, declared, on_chain);
        }
    }

    /// An address as declared actors name it: `id (0x…)`, or the address.
    fn name(&self, a: Address) -> String {
        if a == Address::ZERO {
            return ANYONE.into();
        }
        match self.addr.iter().find(|(_, x)| **x == a) {
            Some((id, _)) => format!("{id} ({a})"),
            None => a.to_string(),
        }
    }

    /// Declared ids as addresses; `None` if one has no address.
    fn resolve_ids(&self, ids: &[String]) -> std::result::Result<BTreeSet<String>, String> {
        let mut out = BTreeSet::new();
        for id in ids {
            if id == ANYONE {
                out.insert(ANYONE.to_string());
                continue;
            }
            match self.addr.get(id.as_str()) {
                Some(a) => {
                    out.insert(self.name(*a));
                }
                None => return Err(id.clone()),
            }
        }
        Ok(out)
    }

    fn actors(&mut self) {
        let bt = self.declared.block_time.and_then(|b| b.seconds(None));
        for a in &self.declared.actors {
            let Some(x) = self.addr.get(a.id.as_str()).copied() else {
                if a.id != crate::structure::PLACEHOLDER_PROPOSER {
                    self.unchecked.push(format!("actor {}: no address", a.id));
                }
                continue;
            };
            let kind = a.kind.as_str();
            let subject = format!("{kind} {} ({x})", a.id);
            let Some(n) = self.d.facts.nodes.get(&x) else {
                self.unchecked.push(format!("{subject}: not read"));
                continue;
            };
            let n = n.clone();
            match a.kind {
                ActorKind::Eoa => {
                    self.checked += 1;
                    if !n.is_eoa() {
                        // An opaque contract declared as a key is fine only
                        // if it is not a Safe or a timelock.
                        if n.safe.is_some() || n.min_delay.is_some() {
                            self.mismatch(&subject, "kind", "an EOA".into(), on_chain_kind(&n));
                        } else {
                            self.unchecked.push(format!("{subject}: declared a key but has code (a contract modelled as one key)"));
                        }
                    }
                }
                ActorKind::Multisig => {
                    let Some(safe) = &n.safe else {
                        self.checked += 1;
                        self.mismatch(
                            &subject,
                            "kind",
                            "a multisig (Safe)".into(),
                            on_chain_kind(&n),
                        );
                        continue;
                    };
                    self.check(
                        &subject,
                        "threshold",
                        a.threshold.map(|t| t.to_string()).unwrap_or_default(),
                        safe.threshold.to_string(),
                    );
                    let on_chain: BTreeSet<String> =
                        safe.owners.iter().map(|o| self.name(*o)).collect();
                    let mut declared = BTreeSet::new();
                    let mut unknown = 0;
                    for m in &a.members {
                        let ma = m
                            .address
                            .as_deref()
                            .and_then(|s| parse_address(s).ok())
                            .or_else(|| {
                                m.actor.as_deref().and_then(|id| self.addr.get(id).copied())
                            });
                        match ma {
                            Some(ma) => {
                                declared.insert(self.name(ma));
                            }
                            None => unknown += 1,
                        }
                    }
                    if unknown == 0 {
                        self.check(
                            &subject,
                            "members",
                            set_text(&declared),
                            set_text(&on_chain),
                        );
                    } else {
                        self.check(
                            &subject,
                            "number of members",
                            a.members.len().to_string(),
                            safe.owners.len().to_string(),
                        );
                        let extra: BTreeSet<String> =
                            declared.difference(&on_chain).cloned().collect();
                        if !extra.is_empty() {
                            self.mismatch(
                                &subject,
                                "members",
                                format!("includes {}", set_text(&extra)),
                                "not owners".into(),
                            );
                        }
                        self.unchecked
                            .push(format!("{subject}: {unknown} member(s) without an address"));
                    }
                }
                ActorKind::Timelock => {
                    let Some(delay) = n.min_delay else {
                        self.checked += 1;
                        self.mismatch(&subject, "kind", "a timelock".into(), on_chain_kind(&n));
                        continue;
                    };
                    let declared_delay = a.delay.and_then(|d| d.seconds(bt));
                    self.check(
                        &subject,
                        "delay",
                        declared_delay
                            .map(|s| format_seconds(s.min(1_000_000_000_000_000) as i64))
                            .unwrap_or_else(|| "(none)".into()),
                        format_seconds(delay.min(1_000_000_000_000_000) as i64),
                    );
                    for (field, role, ids, empty_means_anyone) in [
                        ("proposers", "PROPOSER_ROLE", &a.proposers, false),
                        ("executors", "EXECUTOR_ROLE", &a.executors, true),
                        ("cancellers", "CANCELLER_ROLE", &a.cancellers, false),
                    ] {
                        let members: BTreeSet<String> = n
                            .role(abi::role_id(role))
                            .map(|r| r.members.iter().map(|m| self.name(*m)).collect())
                            .unwrap_or_default();
                        let ids: Vec<String> = if ids.is_empty() && empty_means_anyone {
                            vec![ANYONE.into()]
                        } else {
                            ids.clone()
                        };
                        match self.resolve_ids(&ids) {
                            Ok(declared) => {
                                self.check(&subject, field, set_text(&declared), set_text(&members))
                            }
                            Err(id) => self
                                .unchecked
                                .push(format!("{subject} {field}: `{id}` has no address")),
                        }
                    }
                }
                ActorKind::Relay | ActorKind::Dao => {
                    self.checked += 1;
                    if n.is_eoa() {
                        self.mismatch(
                            &subject,
                            "kind",
                            format!("a {kind} contract"),
                            on_chain_kind(&n),
                        );
                    } else if let Some(on) = self
                        .d
                        .governance
                        .actors
                        .iter()
                        .find(|o| {
                            o.kind == ActorKind::Relay
                                && a.kind == ActorKind::Relay
                                && o.address.as_deref().and_then(|s| parse_address(s).ok())
                                    == Some(x)
                        })
                        .cloned()
                    {
                        let gbt = self.d.governance.block_time.and_then(|b| b.seconds(None));
                        self.check(
                            &subject,
                            "delay",
                            a.delay
                                .and_then(|d| d.seconds(bt))
                                .map(|s| format_seconds(s.min(1_000_000_000_000_000) as i64))
                                .unwrap_or_default(),
                            on.delay
                                .and_then(|d| d.seconds(gbt))
                                .map(|s| format_seconds(s.min(1_000_000_000_000_000) as i64))
                                .unwrap_or_default(),
                        );
                    } else {
                        self.unchecked.push(format!("{subject}: only checked to be a contract (map it in the discovery config to compare more)"));
                    }
                }
            }
        }
    }

    fn powers(&mut self) {
        // (target address, power) → holders, declared and discovered.
        let mut declared: BTreeMap<(Address, String), (BTreeSet<String>, bool)> = BTreeMap::new();
        for p in &self.declared.powers {
            let Some(t) = p.address.as_deref().and_then(|s| parse_address(s).ok()) else {
                self.unchecked.push(format!(
                    "{} {} by {}: no target address",
                    p.power.as_str(),
                    p.target.as_deref().unwrap_or("(no target)"),
                    p.actor
                ));
                continue;
            };
            let entry = declared
                .entry((t, p.power.as_str().to_string()))
                .or_default();
            match self.resolve_ids(std::slice::from_ref(&p.actor)) {
                Ok(s) => entry.0.extend(s),
                Err(id) => {
                    entry.1 = true;
                    self.unchecked.push(format!(
                        "{} over {t}: holder `{id}` has no address",
                        p.power.as_str()
                    ));
                }
            }
        }
        let mut found: BTreeMap<(Address, String), BTreeSet<String>> = BTreeMap::new();
        // Generic readings (an unmapped owner()): compared only where the
        // file declares the same power, otherwise reported as what a
        // config would check.
        let mut generic: BTreeSet<(Address, String)> = BTreeSet::new();
        let by_id: BTreeMap<&str, Option<Address>> = self
            .d
            .governance
            .actors
            .iter()
            .map(|a| {
                (
                    a.id.as_str(),
                    a.address.as_deref().and_then(|s| parse_address(s).ok()),
                )
            })
            .collect();
        for p in &self.d.governance.powers {
            let Some(t) = p.address.as_deref().and_then(|s| parse_address(s).ok()) else {
                continue;
            };
            let holder = if p.actor == ANYONE {
                ANYONE.to_string()
            } else {
                match by_id.get(p.actor.as_str()).copied().flatten() {
                    Some(a) => self.name(a),
                    None => p.actor.clone(),
                }
            };
            if p.note
                .as_deref()
                .is_some_and(crate::structure::is_generic_note)
            {
                generic.insert((t, p.power.as_str().to_string()));
            }
            found
                .entry((t, p.power.as_str().to_string()))
                .or_default()
                .insert(holder);
        }
        let configured = self.d.configured;
        let targets: BTreeSet<Address> = declared.keys().map(|(a, _)| *a).collect();
        for ((t, kind), (holders, incomplete)) in &declared {
            let subject = format!("{kind} over {t}");
            match found.get(&(*t, kind.clone())) {
                Some(on) if !incomplete => {
                    self.check(&subject, "held by", set_text(holders), set_text(on))
                }
                Some(on) => {
                    let missing: BTreeSet<String> = holders.difference(on).cloned().collect();
                    self.checked += 1;
                    if !missing.is_empty() {
                        self.mismatch(&subject, "held by", set_text(holders), set_text(on));
                    }
                }
                None if kind == "upgrade" => {
                    let what = match self.d.facts.nodes.get(t) {
                        Some(n) if n.is_eoa() => "no code (an EOA)".to_string(),
                        Some(_) => "nobody: not an EIP-1967 proxy (immutable)".to_string(),
                        None => "not read".to_string(),
                    };
                    self.checked += 1;
                    self.mismatch(&subject, "held by", set_text(holders), what);
                }
                None => self.unchecked.push(if configured {
                    format!("{subject}: not read on chain (map who holds it in the discovery config)")
                } else {
                    format!("{subject}: not read on chain without a discovery config (--config: e.g. the stack's config under discovery/ maps who holds it)")
                }),
            }
        }
        for ((t, kind), on) in &found {
            if targets.contains(t) && !declared.contains_key(&(*t, kind.clone())) {
                if generic.contains(&(*t, kind.clone())) {
                    self.unchecked.push(format!(
                        "{kind} over {t}: read generically (an unmapped owner() or role) as held by {} (not compared with the file's claims over {t}; a discovery config mapping it would check what it can do)",
                        set_text(on)
                    ));
                    continue;
                }
                self.checked += 1;
                self.mismatch(
                    &format!("{kind} over {t}"),
                    "held by",
                    "(not declared)".into(),
                    set_text(on),
                );
            }
        }
    }
}

/// The report as a diff: `-` declared, `+` on chain.
pub fn render_text(r: &Report, file: &str) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "--- declared ({file})\n+++ on chain (chain {}, block {})\n",
        r.chain_id, r.block
    ));
    let mut last = "";
    for m in &r.mismatches {
        if m.subject != last {
            out.push_str(&format!("@@ {} @@\n", m.subject));
            last = &m.subject;
        }
        out.push_str(&format!(
            "- {} = {}\n+ {} = {}\n",
            m.field, m.declared, m.field, m.on_chain
        ));
    }
    if !r.unchecked.is_empty() {
        out.push_str("\nnot checked:\n");
        for u in &r.unchecked {
            out.push_str(&format!("  {u}\n"));
        }
    }
    out.push_str(&format!(
        "\n{}: {} claim(s) checked, {} mismatch(es)\n",
        if r.agree {
            "claims and chain agree"
        } else {
            "claims and chain DISAGREE"
        },
        r.checked,
        r.mismatches.len()
    ));
    out
}
