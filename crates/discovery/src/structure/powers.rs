//! The powers of the discovered structure: upgrade paths, owners, roles
//! and config fields, each with its holder and evidence.

use super::*;

impl Builder<'_> {
    pub(super) fn powers(&mut self) -> Vec<Power> {
        let mut out = Vec::new();
        let nodes: Vec<&Node> = self.facts.nodes.values().collect();
        // Forwarders: proxy admins and beacons are how upgrades happen, not targets.
        let forwarders: BTreeSet<Address> = nodes
            .iter()
            .flat_map(|n| n.admin.into_iter().chain(n.beacon))
            .collect();
        for n in &nodes {
            if n.is_eoa() {
                continue;
            }
            let a = n.address;
            let target = self.label(a);
            if n.is_proxy() {
                let mut via = Vec::new();
                let mut evidence = Vec::new();
                let mut note = None;
                let holder = if let Some(admin) = n.admin {
                    evidence.push(format!(
                        "eth_getStorageAt {a} EIP-1967 admin slot = {admin} at block {}",
                        self.block
                    ));
                    if admin == a {
                        self.make_opaque(a, "it is its own proxy admin")
                    } else {
                        self.resolve(admin, &mut via)
                    }
                } else if let Some(beacon) = n.beacon {
                    evidence.push(format!(
                        "eth_getStorageAt {a} EIP-1967 beacon slot = {beacon} at block {}",
                        self.block
                    ));
                    self.resolve(beacon, &mut via)
                } else if let Some(owner) = n.owner {
                    note = Some(
                        "UUPS proxy (no admin slot): upgrades assumed restricted to owner()"
                            .to_string(),
                    );
                    evidence.push(self.ev_call(a, "owner()", owner));
                    self.resolve(owner, &mut via)
                } else {
                    self.make_opaque(a, "it is a proxy with no admin, beacon nor owner(): its upgrade authority is unknown")
                };
                if let Some(i) = n.implementation {
                    evidence.push(format!(
                        "eth_getStorageAt {a} EIP-1967 implementation slot = {i} at block {}",
                        self.block
                    ));
                }
                evidence.extend(via.iter().map(|v| format!("{v} at block {}", self.block)));
                match self.holder_id(&holder) {
                    Some(actor) => {
                        out.push(power(actor, PowerKind::Upgrade, &target, a, note, evidence))
                    }
                    None => self.warn(format!(
                        "nobody can upgrade {target} (its controller renounced ownership)"
                    )),
                }
            }
            let template = n.template.and_then(|i| self.crawler.templates().get(i));
            let mut owner_mapped = false;
            if let Some(t) = template {
                let t = &t.template;
                for (j, f) in t.fields.iter().enumerate() {
                    if f.call.replace(' ', "") == "owner()" {
                        owner_mapped = true;
                    }
                    let (Some(kind), Some(v)) = (f.power, n.fields.get(&j)) else {
                        continue;
                    };
                    for holder_addr in v.addresses() {
                        let mut via = Vec::new();
                        let holder = self.resolve(holder_addr, &mut via);
                        let mut evidence = vec![self.ev_call(a, &f.call, holder_addr)];
                        evidence.extend(via.iter().map(|v| format!("{v} at block {}", self.block)));
                        match self.holder_id(&holder) {
                            Some(actor) => {
                                out.push(field_power(actor, kind, &target, a, f, evidence));
                            }
                            None => self.warn(format!(
                                "{target}: {} is the zero address: nobody holds {}",
                                f.call,
                                kind.as_str()
                            )),
                        }
                    }
                }
                for (k, e) in t.events.iter().enumerate() {
                    let Some(kind) = e.power else { continue };
                    let members = n.event_lists.get(&k).cloned().unwrap_or_default();
                    if members.is_empty() {
                        self.warn(format!(
                            "{target}: nobody holds {} ({} logs list nobody)",
                            kind.as_str(),
                            e.event
                        ));
                    }
                    for m in members {
                        let mut via = Vec::new();
                        let holder = self.resolve(m, &mut via);
                        let mut evidence = vec![format!(
                            "{m} listed by {} logs of {a} up to block {}",
                            e.event, self.block
                        )];
                        evidence.extend(via.iter().map(|v| format!("{v} at block {}", self.block)));
                        if let Some(actor) = self.holder_id(&holder) {
                            out.push(power(
                                actor,
                                kind,
                                e.target.as_deref().unwrap_or(&target),
                                a,
                                e.note.clone(),
                                evidence,
                            ));
                        }
                    }
                }
                for r in &t.roles {
                    let Some(kind) = r.power else { continue };
                    let role = role_from(&r.role);
                    let Some(facts) = n.role(role) else {
                        self.warn(format!(
                            "{target}: nobody holds {} (no RoleGranted logs)",
                            r.role
                        ));
                        continue;
                    };
                    let mut holders: Vec<(Address, String)> = facts
                        .members
                        .iter()
                        .map(|m| (*m, format!("{} held by {m} (RoleGranted/RoleRevoked logs, hasRole at block {})", r.role, self.block)))
                        .collect();
                    if let Some(admin) = facts.admin_role.filter(|x| *x != role)
                        && let Some(af) = n.role(admin)
                    {
                        for m in &af.members {
                            if !facts.members.contains(m) && *m != a {
                                holders.push((*m, format!(
                                    "{m} holds {} = getRoleAdmin({}) on {a} at block {}: it can grant itself {}",
                                    self.role_name(admin), r.role, self.block, r.role
                                )));
                            }
                        }
                    }
                    for (m, ev) in holders {
                        if let Some(actor) = self.role_member_id(m) {
                            let mut p = power(
                                actor,
                                kind,
                                r.target.as_deref().unwrap_or(&target),
                                a,
                                r.note.clone(),
                                vec![ev],
                            );
                            p.duration = r.duration;
                            p.condition = r.condition;
                            out.push(p);
                        }
                    }
                }
            }
            // AccessControl roles no template maps: every confirmed holder
            // is listed with its role; well-known names stand for a generic
            // power (an assumption), others for change-parameters.
            if !matches!(self.kind(a), Some(Kind::Timelock | Kind::Relay)) {
                let mapped: BTreeSet<B256> = template
                    .map(|t| {
                        let t = &t.template;
                        let mut m: BTreeSet<B256> =
                            t.roles.iter().map(|r| role_from(&r.role)).collect();
                        m.extend(t.senders_role.iter().map(|r| role_from(r)));
                        let admins: Vec<B256> = m
                            .iter()
                            .filter_map(|r| n.role(*r).and_then(|f| f.admin_role))
                            .collect();
                        m.extend(admins);
                        m
                    })
                    .unwrap_or_default();
                for (role, facts) in &n.roles {
                    if mapped.contains(role) || facts.members.is_empty() {
                        continue;
                    }
                    let name = self.role_name(*role);
                    let generic = abi::generic_role_power(&name);
                    let kind = generic.unwrap_or(PowerKind::ChangeParameters);
                    for m in &facts.members {
                        if *m == a {
                            continue;
                        }
                        let Some(actor) = self.role_member_id(*m) else {
                            continue;
                        };
                        let ev = format!(
                            "{name} ({role}) held by {m} on {a} (RoleGranted/RoleRevoked logs, hasRole at block {})",
                            self.block
                        );
                        let note = match generic {
                            Some(k) => format!(
                                "ASSUMPTION: {name} taken to mean {}; map the role in the discovery config to confirm",
                                k.as_str()
                            ),
                            None => format!(
                                "holds {name}: what the role allows is not known generically; map it in the discovery config"
                            ),
                        };
                        if generic.is_some() {
                            self.placeholders.push(format!(
                                "{actor} holds {name} on {target}: assumed {}; map the role in the discovery config to confirm",
                                kind.as_str()
                            ));
                        }
                        out.push(power(actor, kind, &target, a, Some(note), vec![ev]));
                    }
                }
            }
            // Ownable system contracts: the owner changes something.
            if !owner_mapped
                && self.kind(a).is_none()
                && !forwarders.contains(&a)
                && !self.opaque.contains(&a)
                && let Some(owner) = n.owner
                && !(n.is_proxy() && n.admin.is_none() && n.beacon.is_none())
            {
                let mut via = Vec::new();
                let holder = self.resolve(owner, &mut via);
                if let Some(actor) = self.holder_id(&holder) {
                    let mut evidence = vec![self.ev_call(a, "owner()", owner)];
                    evidence.extend(via.iter().map(|v| format!("{v} at block {}", self.block)));
                    out.push(power(
                        actor,
                        PowerKind::ChangeParameters,
                        &target,
                        a,
                        Some(GENERIC_OWNER_NOTE.into()),
                        evidence,
                    ));
                }
            }
        }
        // Deterministic order: by target address, power, actor.
        out.sort_by(|x, y| {
            (x.address.as_deref(), x.power, &x.actor).cmp(&(
                y.address.as_deref(),
                y.power,
                &y.actor,
            ))
        });
        out.dedup_by(|x, y| x.address == y.address && x.power == y.power && x.actor == y.actor);
        out
    }
}
