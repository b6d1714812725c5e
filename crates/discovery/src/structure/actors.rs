//! The actors of the discovered structure: proxies, Safes and their
//! members, timelocks, relays and role holders, with what each is made of.

use super::*;

impl Builder<'_> {
    /// Every actor the powers and exit lists reach, with what it is made of.
    pub(super) fn actors(&mut self) -> Vec<Actor> {
        let mut out: BTreeMap<Address, Actor> = BTreeMap::new();
        loop {
            let todo: Vec<Address> = self
                .used
                .iter()
                .copied()
                .filter(|a| !out.contains_key(a))
                .collect();
            if todo.is_empty() {
                break;
            }
            for a in todo {
                let actor = self.actor(a);
                out.insert(a, actor);
            }
        }
        let mut v: Vec<Actor> = out.into_values().collect();
        v.sort_by(|x, y| x.id.cmp(&y.id));
        v
    }

    fn actor(&mut self, a: Address) -> Actor {
        let cfg = self.crawler.config;
        let named = cfg.name_of(a).cloned().unwrap_or_default();
        let id = self.id(a);
        let mut actor = Actor {
            name: named.name.clone(),
            affiliation: named.affiliation,
            address: Some(a.to_string()),
            ..bare_eoa(id)
        };
        let kind = self.kind(a).unwrap_or(Kind::Opaque);
        let Some(n) = self.node(a) else {
            actor.entity = Some(named.entity.unwrap_or_else(|| a.to_string()));
            actor.evidence.push(format!("{a} was not read"));
            return actor;
        };
        match kind {
            Kind::Eoa => {
                actor.entity = Some(named.entity.unwrap_or_else(|| a.to_string()));
                actor.evidence.push(match n.delegated_to {
                    Some(d) => format!(
                        "eth_getCode {a} = EIP-7702 delegation to {d} at block {}",
                        self.block
                    ),
                    None => format!("eth_getCode {a} = 0x (no code) at block {}", self.block),
                });
            }
            Kind::Opaque => {
                actor.entity = Some(named.entity.unwrap_or_else(|| a.to_string()));
                if actor.name.is_none() {
                    actor.name = Some(format!("{} (not understood: one key)", self.label(a)));
                }
                actor.evidence.push(format!(
                    "eth_getCode {a} = {} bytes at block {}: a contract modelled as one key",
                    n.code_size, self.block
                ));
            }
            Kind::Multisig => {
                let Some(safe) = n.safe.clone() else {
                    return actor;
                };
                actor.kind = ActorKind::Multisig;
                actor.affiliation = None;
                actor.threshold = Some(safe.threshold as u32);
                actor.security_council = named.security_council;
                actor
                    .evidence
                    .push(self.ev_call(a, "getThreshold()", safe.threshold));
                actor.evidence.push(self.ev_call(
                    a,
                    "getOwners()",
                    format!(
                            "[{}]",
                            safe.owners
                                .iter()
                                .map(|o| o.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                ));
                for o in &safe.owners {
                    actor.members.push(self.member(a, *o));
                }
            }
            Kind::Timelock => {
                actor.kind = ActorKind::Timelock;
                actor.affiliation = None;
                let delay = n.min_delay.unwrap_or(0);
                actor.delay = Some(seconds(delay));
                actor
                    .evidence
                    .push(self.ev_call(a, "getMinDelay()", format!("{delay} (seconds)")));
                let proposer = abi::role_id("PROPOSER_ROLE");
                let executor = abi::role_id("EXECUTOR_ROLE");
                let canceller = abi::role_id("CANCELLER_ROLE");
                let members = |r: B256| -> Vec<Address> {
                    n.role(r)
                        .map(|f| f.members.iter().copied().collect())
                        .unwrap_or_default()
                };
                let proposers = members(proposer);
                // Admins of the proposer role can grant it to themselves.
                let admin_role = n
                    .role(proposer)
                    .and_then(|f| f.admin_role)
                    .unwrap_or(B256::ZERO);
                let mut derived = Vec::new();
                for m in members(admin_role) {
                    if m != a && !proposers.contains(&m) {
                        let w = format!(
                            "{m} holds {} on timelock {a}: it can grant itself PROPOSER_ROLE, so it is counted as a proposer",
                            self.role_name(admin_role)
                        );
                        self.warn(w.clone());
                        derived.push((m, w));
                    }
                }
                actor.proposers = self.role_ids(a, &proposers, "proposer");
                for (m, w) in derived {
                    for pid in self.role_ids(a, &[m], "proposer") {
                        if !actor.proposers.contains(&pid) {
                            actor.proposers.push(pid.clone());
                            self.derived.push(DerivedProposer {
                                timelock: actor.id.clone(),
                                proposer: pid,
                                warning: w.clone(),
                                evidence: format!(
                                    "{m} holds {} = getRoleAdmin(PROPOSER_ROLE) on timelock {a} at block {}",
                                    self.role_name(admin_role),
                                    self.block
                                ),
                            });
                        }
                    }
                }
                let execs = members(executor);
                actor.executors = if execs.contains(&Address::ZERO) {
                    vec![ANYONE.into()]
                } else {
                    if execs.is_empty() {
                        self.warn(format!("timelock {a}: no EXECUTOR_ROLE holder found; counted as executable by anyone"));
                    }
                    self.role_ids(a, &execs, "executor")
                };
                actor.cancellers = self.role_ids(a, &members(canceller), "canceller");
                actor.evidence.push(format!(
                    "PROPOSER_ROLE, EXECUTOR_ROLE, CANCELLER_ROLE holders of {a} from RoleGranted/RoleRevoked logs, each confirmed with hasRole at block {}",
                    self.block
                ));
            }
            Kind::Relay => {
                actor.kind = ActorKind::Relay;
                actor.affiliation = None;
                let Some(t) = n.template.and_then(|i| self.crawler.templates().get(i)) else {
                    return actor;
                };
                let t = t.template.clone();
                if actor.name.is_none() {
                    actor.name = Some(format!("{} ({a})", t.name));
                }
                let mut delay = t.delay;
                for (j, f) in t.fields.iter().enumerate() {
                    if f.relay_delay
                        && let Some(v) = n.fields.get(&j)
                        && let Some(d) = self.duration_of(v, f.unit)
                    {
                        delay = Some(d);
                        actor.evidence.push(self.ev_call(a, &f.call, v.text()));
                    }
                }
                if t.delay.is_some() && actor.evidence.is_empty() {
                    actor
                        .evidence
                        .push(format!("delay from the discovery config ({})", t.name));
                }
                actor.delay = delay.or(Some(DurationSpec::Seconds(0)));
                let mut senders: Vec<String> = Vec::new();
                if let Some(role) = &t.senders_role {
                    let rid = role_from(role);
                    let m: Vec<Address> = n
                        .role(rid)
                        .map(|f| f.members.iter().copied().collect())
                        .unwrap_or_default();
                    senders.extend(self.role_ids(a, &m, "sender"));
                    actor.evidence.push(format!(
                        "{role} holders of {a} (senders) from RoleGranted/RoleRevoked logs, confirmed with hasRole at block {}",
                        self.block
                    ));
                }
                for s in &t.senders {
                    if !senders.contains(s) {
                        senders.push(s.clone());
                    }
                }
                if senders.is_empty() {
                    self.warn(format!(
                        "relay {a} has no senders: counted as usable by anyone"
                    ));
                    senders.push(ANYONE.into());
                }
                actor.senders = senders;
            }
        }
        actor
    }

    fn role_ids(&mut self, owner: Address, members: &[Address], what: &str) -> Vec<String> {
        let mut ids = Vec::new();
        for m in members {
            if *m == owner {
                self.warn(format!("{owner} is its own {what}: ignored"));
                continue;
            }
            if let Some(id) = self.role_member_id(*m)
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
        ids
    }

    /// A Safe's member: its own `[names]` entry, else the Safe's
    /// `affiliation` and `announced` as defaults.
    fn member(&mut self, safe: Address, o: Address) -> Member {
        let cfg = self.crawler.config;
        let named = cfg.name_of(o).cloned().unwrap_or_default();
        let parent = cfg.name_of(safe).cloned().unwrap_or_default();
        self.members_seen.insert(o);
        let mut m = Member {
            entity: None,
            affiliation: named.affiliation.or(parent.affiliation),
            announced: named.announced.or(parent.announced).unwrap_or(true),
            actor: None,
            address: Some(o.to_string()),
        };
        match self.kind(o) {
            Some(Kind::Multisig) => {
                self.used.insert(o);
                m.actor = Some(self.id(o));
                m.affiliation = None;
                m.announced = true;
            }
            Some(Kind::Eoa) | None if self.node(o).is_none_or(|n| n.is_eoa()) => {
                m.entity = Some(named.entity.or(named.name).unwrap_or_else(|| o.to_string()));
            }
            other => {
                let what = match other {
                    Some(Kind::Timelock) => "a timelock",
                    Some(Kind::Relay) => "a relay",
                    _ => "a contract",
                };
                self.warn(format!(
                    "Safe {safe} has {what} ({o}) as a member: counted as one key (a delay inside a multisig is not modelled)"
                ));
                m.entity = Some(
                    named
                        .entity
                        .or(named.name)
                        .unwrap_or_else(|| format!("contract {o}")),
                );
            }
        }
        m
    }
}
