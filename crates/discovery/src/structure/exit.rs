//! The exit mechanics of the discovered structure: delays, forced
//! inclusion, finalization, proposing and challenging, with evidence.

use super::*;

impl Builder<'_> {
    pub(super) fn exit(&mut self) -> ExitMechanics {
        let cfg = self.crawler.config;
        let mut durations: BTreeMap<&'static str, Vec<(DurationSpec, String)>> = BTreeMap::new();
        // (permissionless, allowlisted ids, their evidence, the permissionless reads)
        #[allow(clippy::type_complexity)]
        let mut lists: BTreeMap<
            &'static str,
            (bool, Vec<String>, Vec<String>, Vec<String>),
        > = BTreeMap::new();
        let mut evidence: Vec<String> = Vec::new();
        let nodes: Vec<&Node> = self.facts.nodes.values().collect();
        for n in nodes {
            let Some(t) = n.template.and_then(|i| self.crawler.templates().get(i)) else {
                continue;
            };
            let t = &t.template;
            for (j, f) in t.fields.iter().enumerate() {
                let (Some(item), Some(v)) = (f.exit, n.fields.get(&j)) else {
                    continue;
                };
                let ev = self.ev_call(n.address, &f.call, v.text());
                match item {
                    ExitItem::ForcedInclusion | ExitItem::SelfPropose | ExitItem::Finalization => {
                        if let Some(d) = self.duration_of(v, f.unit) {
                            durations.entry(item_key(item)).or_default().push((d, ev));
                        } else if *v != Value::Missing {
                            self.warn(format!("{ev}: not a duration"));
                        }
                    }
                    ExitItem::Proposing | ExitItem::Challenging => {
                        let entry = lists.entry(item_key(item)).or_default();
                        if permissionless(v, f) {
                            entry.0 = true;
                            entry.3.push(format!("{ev}: permissionless"));
                            continue;
                        }
                        for addr in v.addresses() {
                            let h = self.resolve(addr, &mut Vec::new());
                            if let Some(id) = self.holder_id(&h) {
                                let entry = lists.entry(item_key(item)).or_default();
                                if !entry.1.contains(&id) {
                                    entry.1.push(id);
                                }
                            }
                        }
                        lists.entry(item_key(item)).or_default().2.push(ev);
                    }
                }
            }
            for r in &t.roles {
                let Some(item) = r.exit else { continue };
                let role = role_from(&r.role);
                let members: Vec<Address> = n
                    .role(role)
                    .map(|f| f.members.iter().copied().collect())
                    .unwrap_or_default();
                for m in &members {
                    if let Some(id) = self.role_member_id(*m) {
                        let entry = lists.entry(item_key(item)).or_default();
                        if !entry.1.contains(&id) {
                            entry.1.push(id);
                        }
                    }
                }
                lists.entry(item_key(item)).or_default().2.push(format!(
                    "{} holders on {} at block {}: {}",
                    r.role,
                    n.address,
                    self.block,
                    if members.is_empty() {
                        "none".into()
                    } else {
                        members
                            .iter()
                            .map(|m| m.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ));
            }
        }
        let mut pick = |key: &'static str,
                        literal: Option<DurationSpec>,
                        this: &mut Self|
         -> Option<DurationSpec> {
            match durations.remove(key) {
                Some(mut v) => {
                    let seconds = |d: &DurationSpec| {
                        d.seconds(cfg.discovery.block_time.and_then(|b| b.seconds(None)))
                            .unwrap_or(0)
                    };
                    v.sort_by_key(|(d, _)| std::cmp::Reverse(seconds(d)));
                    if v.len() > 1 {
                        this.warn(format!(
                            "exit.{key}: {} values read; the longest is used",
                            v.len()
                        ));
                    }
                    evidence.extend(v.iter().map(|(_, e)| e.clone()));
                    v.first().map(|(d, _)| *d)
                }
                None => {
                    if literal.is_some() {
                        evidence.push(format!(
                            "exit.{key}: from the discovery config (not read on chain)"
                        ));
                    }
                    literal
                }
            }
        };
        let forced_inclusion = pick("forced_inclusion", cfg.exit.forced_inclusion, self);
        let self_propose = pick("self_propose", cfg.exit.self_propose, self);
        let finalization = pick("finalization", cfg.exit.finalization, self);
        if forced_inclusion.is_none() {
            self.warn("exit.forced_inclusion: not read nor configured: the structure says there is no forced inclusion".into());
        }
        if finalization.is_none() {
            self.warn("exit.finalization: not read nor configured: counted as 0".into());
        }
        let mut participation = |key: &'static str,
                                 literal: &Option<Participation>,
                                 this: &mut Self|
         -> Option<Participation> {
            match lists.remove(key) {
                Some((open, ids, ev, open_ev)) => {
                    // When a read makes it permissionless, that read is the
                    // evidence (not the allowlist of a mode not in force).
                    if open {
                        evidence.extend(open_ev);
                    } else {
                        evidence.extend(ev);
                    }
                    if open || ids.iter().any(|i| i == ANYONE) {
                        Some(Participation::Permissionless(
                            PermissionlessTag::Permissionless,
                        ))
                    } else if ids.is_empty() {
                        this.warn(format!(
                            "exit.{key}: the mapped functions and roles name nobody"
                        ));
                        None
                    } else {
                        Some(Participation::Allowlist(ids))
                    }
                }
                None => {
                    if literal.is_some() {
                        evidence.push(format!(
                            "exit.{key}: from the discovery config (not read on chain)"
                        ));
                    }
                    literal.clone()
                }
            }
        };
        let proposing = participation("proposing", &cfg.exit.proposing, self);
        let challenging = participation("challenging", &cfg.exit.challenging, self);
        let proposing = match proposing {
            Some(p) => p,
            None => {
                // Fallback: holders of PROPOSER_ROLE on non-timelock contracts.
                let mut ids = Vec::new();
                let role = abi::role_id("PROPOSER_ROLE");
                let holders: Vec<(Address, Address)> = self
                    .facts
                    .nodes
                    .values()
                    .filter(|n| n.min_delay.is_none())
                    .flat_map(|n| {
                        n.role(role)
                            .into_iter()
                            .flat_map(move |r| r.members.iter().map(move |m| (n.address, *m)))
                    })
                    .collect();
                for (_, m) in &holders {
                    if let Some(id) = self.role_member_id(*m)
                        && !ids.contains(&id)
                    {
                        ids.push(id);
                    }
                }
                if ids.is_empty() {
                    ids.push(PLACEHOLDER_PROPOSER.to_string());
                    self.placeholders.push(format!(
                        "exit.proposing = [\"{PLACEHOLDER_PROPOSER}\"]: who proposes state roots was not discovered; set [exit] proposing in the discovery config or map the proposer's view function or role"
                    ));
                } else {
                    self.placeholders.push(format!(
                        "exit.proposing = {ids:?}: the holders of PROPOSER_ROLE on {}, assumed to propose state roots; map the proposer in the discovery config to confirm",
                        holders.iter().map(|(c, _)| c.to_string()).collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>().join(", ")
                    ));
                }
                evidence.push(
                    "PLACEHOLDER: exit.proposing was not read from a mapped function or role"
                        .into(),
                );
                Participation::Allowlist(ids)
            }
        };
        if challenging.is_none() {
            self.warn("exit.challenging: not read nor configured (left out)".into());
        }
        evidence.extend(cfg.exit.evidence.iter().cloned());
        ExitMechanics {
            forced_inclusion,
            self_propose,
            finalization,
            proposing,
            challenging,
            evidence,
        }
    }
}
