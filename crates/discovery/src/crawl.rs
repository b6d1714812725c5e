//! Breadth-first crawl from entry addresses. Each level is one wave of
//! batched reads: code, the EIP-1967 slots, `owner()`, the Safe, timelock
//! and beacon views, the config's view functions, and RoleGranted/RoleRevoked
//! logs; role memberships found in the logs are confirmed with `hasRole`
//! (and their admin role read) in the next wave, together with the next
//! level's probes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use alloy::primitives::{Address, B256, Bytes, U256};

use crate::abi;
use crate::config::{Compiled, Config, Returns};
use crate::error::{DiscoveryError, Result};
use crate::rpc::{Answer, Read, Rpc};

mod facts;

pub use facts::{Facts, FieldClass, FieldInfo, Node, RoleFacts, SafeFacts, TemplateInfo, Value};

/// A crawl in progress (see [`Crawler::wave`] and [`Crawler::absorb`]):
/// driven level by level, so that several crawls can share each wave.
#[derive(Debug, Clone)]
pub struct Walk {
    entries: Vec<Address>,
    nodes: BTreeMap<Address, Node>,
    warnings: Vec<String>,
    frontier: Vec<Address>,
    /// (contract, role, member) memberships to confirm with hasRole.
    confirm: Vec<(Address, B256, Address)>,
    admins: Vec<(Address, B256)>,
    level: usize,
    depth: usize,
}

impl Walk {
    /// BFS levels read so far.
    pub fn level(&self) -> usize {
        self.level
    }
}

/// Progress of a crawl, for a progress bar.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub level: usize,
    pub known: usize,
    pub frontier: usize,
    pub round_trips: u64,
}

pub struct Crawler<'c> {
    pub config: &'c Config,
    templates: Vec<Compiled>,
    role_names: BTreeMap<B256, String>,
    stop: BTreeSet<Address>,
}

impl<'c> Crawler<'c> {
    pub fn new(config: &'c Config) -> Result<Crawler<'c>> {
        let templates = config.compile().map_err(DiscoveryError::Input)?;
        let role_names = config
            .role_names()
            .into_iter()
            .map(|n| (abi::role_id(&n), n))
            .collect();
        Ok(Crawler {
            config,
            templates,
            role_names,
            stop: config.stop_list().into_iter().collect(),
        })
    }

    pub fn templates(&self) -> &[Compiled] {
        &self.templates
    }

    fn probes(&self, a: Address) -> Vec<Read> {
        let mut r = vec![
            Read::Code(a),
            Read::Storage(a, abi::IMPLEMENTATION_SLOT),
            Read::Storage(a, abi::ADMIN_SLOT),
            Read::Storage(a, abi::BEACON_SLOT),
            Read::Call(a, abi::owner_call()),
            Read::Call(a, abi::get_owners_call()),
            Read::Call(a, abi::get_threshold_call()),
            Read::Call(a, abi::get_modules_call()),
            Read::Call(a, abi::get_min_delay_call()),
            Read::Call(a, abi::implementation_call()),
        ];
        for t in &self.templates {
            let by_address = t.addresses.contains(&a);
            if !by_address && t.detect.is_none() {
                continue;
            }
            if let Some((_, d)) = &t.detect {
                r.push(Read::Call(a, d.clone()));
            }
            for (_, d) in &t.fields {
                r.push(Read::Call(a, d.clone()));
            }
        }
        r
    }

    /// Crawl from `entries`, every read at the block `rpc` is pinned to.
    pub async fn crawl(
        &self,
        rpc: &mut Rpc,
        entries: &[Address],
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Facts> {
        let mut walk = self.start(rpc, entries)?;
        while let Some(reads) = self.wave(&walk)? {
            let answers = rpc.read_all(&reads).await?;
            self.absorb(&mut walk, reads, answers, rpc)?;
            progress(&Progress {
                level: walk.level,
                known: walk.nodes.len(),
                frontier: walk.frontier.len(),
                round_trips: rpc.stats().round_trips,
            });
        }
        let rpc_warnings = std::mem::take(&mut rpc.warnings);
        self.finish(walk, rpc, rpc_warnings)
    }

    /// Begin a crawl from `entries` (nothing is read yet): check them and
    /// name the config's selectors for messages.
    pub fn start(&self, rpc: &mut Rpc, entries: &[Address]) -> Result<Walk> {
        if entries.is_empty() {
            return Err(DiscoveryError::Input("no entry address given".into()));
        }
        for t in &self.templates {
            if let Some((s, _)) = &t.detect {
                rpc.name_selector(s.selector(), &s.canonical);
            }
            for (s, _) in &t.fields {
                rpc.name_selector(s.selector(), &s.canonical);
            }
        }
        let mut frontier: Vec<Address> = Vec::new();
        for e in entries {
            if *e == Address::ZERO {
                return Err(DiscoveryError::Input(
                    "the zero address is not an entry".into(),
                ));
            }
            if !frontier.contains(e) {
                frontier.push(*e);
            }
        }
        Ok(Walk {
            entries: entries.to_vec(),
            nodes: BTreeMap::new(),
            warnings: Vec::new(),
            frontier,
            confirm: Vec::new(),
            admins: Vec::new(),
            level: 0,
            depth: 0,
        })
    }

    /// The reads of the walk's next BFS level (one wave), or `None` when the
    /// crawl is complete.
    pub fn wave(&self, walk: &Walk) -> Result<Option<Vec<Read>>> {
        let settings = &self.config.discovery;
        let Walk {
            nodes,
            frontier,
            confirm,
            admins,
            level,
            ..
        } = walk;
        if frontier.is_empty() && confirm.is_empty() && admins.is_empty() {
            return Ok(None);
        }
        if !frontier.is_empty() && *level > settings.max_depth {
            return Err(DiscoveryError::Limit(format!(
                "the crawl did not finish within {} levels ({} address(es) left, e.g. {}): raise max_depth in the discovery config or add addresses to `stop`",
                settings.max_depth,
                frontier.len(),
                frontier[0]
            )));
        }
        if nodes.len() + frontier.len() > settings.max_addresses {
            return Err(DiscoveryError::Limit(format!(
                "more than {} addresses reached: raise max_addresses in the discovery config or add addresses to `stop`",
                settings.max_addresses
            )));
        }
        let mut reads: Vec<Read> = Vec::new();
        for a in frontier {
            reads.extend(self.probes(*a));
        }
        if settings.logs && !frontier.is_empty() {
            let mut addrs = frontier.clone();
            addrs.sort();
            for chunk in addrs.chunks(100) {
                reads.push(Read::Logs {
                    addresses: chunk.to_vec(),
                    topics: self.log_topics(),
                    from: settings.logs_from_block,
                });
            }
        }
        for (c, role, m) in confirm {
            reads.push(Read::Call(*c, abi::has_role_call(*role, *m)));
        }
        for (c, role) in admins {
            reads.push(Read::Call(*c, abi::get_role_admin_call(*role)));
        }
        Ok(Some(reads))
    }

    /// Take in the answers to the reads of [`Crawler::wave`] (in their
    /// order) and work out the next level.
    pub fn absorb(
        &self,
        walk: &mut Walk,
        reads: Vec<Read>,
        answers: Vec<Answer>,
        rpc: &Rpc,
    ) -> Result<()> {
        let ans: HashMap<Read, Answer> = reads.into_iter().zip(answers).collect();
        let Walk {
            nodes,
            warnings,
            frontier,
            confirm,
            admins,
            level,
            depth,
            ..
        } = walk;
        let level_now = *level;

        for (c, role, m) in confirm.drain(..) {
            let read = Read::Call(c, abi::has_role_call(role, m));
            let call = rpc.describe(&read);
            let name = self.role_label(role);
            match ans.get(&read) {
                Some(Answer::Returned(d)) => match abi::decode_bool(d) {
                    Some(true) => {}
                    Some(false) => {
                        return Err(DiscoveryError::Inconsistent {
                            call,
                            detail: format!(
                                "RoleGranted/RoleRevoked logs say {m} holds {name} on {c}, but hasRole is false at the pinned block (are the logs complete? check logs_from_block)"
                            ),
                        });
                    }
                    None => {
                        return Err(DiscoveryError::Malformed {
                            call,
                            detail: format!("hasRole returned {} bytes, not a bool", d.len()),
                        });
                    }
                },
                _ => {
                    if let Some(node) = nodes.get_mut(&c)
                        && let Some(r) = node.roles.get_mut(&role)
                    {
                        r.confirmed = false;
                    }
                    push_once(
                        warnings,
                        format!(
                            "{c} emits RoleGranted/RoleRevoked but hasRole reverts: its roles are taken from the logs alone"
                        ),
                    );
                }
            }
        }
        for (c, role) in admins.drain(..) {
            let read = Read::Call(c, abi::get_role_admin_call(role));
            if let Some(Answer::Returned(d)) = ans.get(&read) {
                let admin = abi::decode_bytes32(d).ok_or_else(|| DiscoveryError::Malformed {
                    call: rpc.describe(&read),
                    detail: format!("getRoleAdmin returned {} bytes, not a bytes32", d.len()),
                })?;
                if let Some(node) = nodes.get_mut(&c)
                    && let Some(r) = node.roles.get_mut(&role)
                {
                    r.admin_role = Some(admin);
                }
            }
        }

        let (logs_by_address, events_by_address) = self.collect_logs(&ans, rpc)?;
        let mut next: BTreeSet<Address> = BTreeSet::new();
        let current: BTreeSet<Address> = frontier.iter().copied().collect();
        for a in std::mem::take(frontier) {
            let node = self.analyse(a, level_now, &ans, rpc, logs_by_address.get(&a), warnings)?;
            let mut node = node;
            self.replay_events(&mut node, events_by_address.get(&a), rpc)?;
            let refs = if node.stopped {
                vec![]
            } else {
                self.references(&node)
            };
            for (role, facts) in &node.roles {
                for m in &facts.members {
                    confirm.push((a, *role, *m));
                }
                admins.push((a, *role));
            }
            for r in refs {
                if r != Address::ZERO && !nodes.contains_key(&r) && !current.contains(&r) && r != a
                {
                    next.insert(r);
                }
            }
            nodes.insert(a, node);
        }
        if !current.is_empty() {
            *depth = level_now;
        }
        *frontier = next.into_iter().collect();
        *level += 1;
        Ok(())
    }

    /// The facts of a complete walk; `rpc_warnings` are the client's
    /// (Multicall3 fallbacks), added to the crawl's own.
    pub fn finish(&self, walk: Walk, rpc: &Rpc, mut rpc_warnings: Vec<String>) -> Result<Facts> {
        let Walk {
            entries,
            nodes,
            mut warnings,
            depth,
            ..
        } = walk;
        warnings.append(&mut rpc_warnings);
        let pin = rpc
            .pin()
            .cloned()
            .ok_or_else(|| DiscoveryError::Input("no block pinned".into()))?;
        Ok(Facts {
            pin,
            entries,
            nodes,
            depth,
            role_names: self.role_names.clone(),
            warnings,
            multicall: rpc.multicall(),
            stats: rpc.stats(),
            templates: self.template_infos(),
        })
    }

    /// What the snapshot of a discovery needs to know about the templates.
    pub fn template_infos(&self) -> Vec<TemplateInfo> {
        self.templates
            .iter()
            .map(|t| TemplateInfo {
                name: t.template.name.clone(),
                fields: t
                    .template
                    .fields
                    .iter()
                    .zip(&t.fields)
                    .map(|(f, (sig, _))| FieldInfo::of(f, sig))
                    .collect(),
            })
            .collect()
    }

    fn role_label(&self, role: B256) -> String {
        self.role_names
            .get(&role)
            .cloned()
            .unwrap_or_else(|| role.to_string())
    }

    /// Topics of every logs read: the role events and the templates' lists.
    fn log_topics(&self) -> Vec<B256> {
        let mut t = vec![abi::role_granted_topic(), abi::role_revoked_topic()];
        for c in &self.templates {
            for e in &c.template.events {
                if !t.contains(&e.topic()) {
                    t.push(e.topic());
                }
            }
        }
        t
    }

    /// Replay the matched template's event-kept lists from the logs.
    fn replay_events(
        &self,
        node: &mut Node,
        logs: Option<&Vec<(Read, crate::rpc::LogEntry)>>,
        rpc: &Rpc,
    ) -> Result<()> {
        let Some(t) = node.template.and_then(|i| self.templates.get(i)) else {
            return Ok(());
        };
        for (k, e) in t.template.events.iter().enumerate() {
            let topic = e.topic();
            let mut list = BTreeSet::new();
            for (read, l) in logs.into_iter().flatten() {
                if l.topics.first() != Some(&topic) {
                    continue;
                }
                let (Some(who), Some(on)) = (
                    l.data.get(..32).and_then(abi::word_address),
                    l.data.get(32..64),
                ) else {
                    return Err(DiscoveryError::Malformed {
                        call: rpc.describe(read),
                        detail: format!(
                            "a {} event of {} does not carry (address, bool) data",
                            e.event, l.address
                        ),
                    });
                };
                if on.iter().any(|b| *b != 0) {
                    list.insert(who);
                } else {
                    list.remove(&who);
                }
            }
            node.event_lists.insert(k, list);
        }
        Ok(())
    }

    #[allow(clippy::type_complexity)]
    fn collect_logs(
        &self,
        ans: &HashMap<Read, Answer>,
        rpc: &Rpc,
    ) -> Result<(
        HashMap<Address, BTreeMap<B256, BTreeSet<Address>>>,
        HashMap<Address, Vec<(Read, crate::rpc::LogEntry)>>,
    )> {
        let granted = abi::role_granted_topic();
        let revoked = abi::role_revoked_topic();
        let mut all: Vec<(&Read, &crate::rpc::LogEntry)> = Vec::new();
        for (read, a) in ans {
            if let (Read::Logs { .. }, Answer::Logs(logs)) = (read, a) {
                all.extend(logs.iter().map(|l| (read, l)));
            }
        }
        all.sort_by_key(|(_, l)| (l.block, l.tx_index, l.log_index));
        let mut out: HashMap<Address, BTreeMap<B256, BTreeSet<Address>>> = HashMap::new();
        let mut events: HashMap<Address, Vec<(Read, crate::rpc::LogEntry)>> = HashMap::new();
        for (read, l) in all {
            if l.topics
                .first()
                .is_none_or(|t| *t != granted && *t != revoked)
            {
                events
                    .entry(l.address)
                    .or_default()
                    .push((read.clone(), l.clone()));
                continue;
            }
            let (Some(role), Some(acct)) = (l.topics.get(1), l.topics.get(2)) else {
                return Err(DiscoveryError::Malformed {
                    call: rpc.describe(read),
                    detail: format!(
                        "a role event of {} has {} topics, expected 4",
                        l.address,
                        l.topics.len()
                    ),
                });
            };
            let account =
                abi::word_address(acct.as_slice()).ok_or_else(|| DiscoveryError::Malformed {
                    call: rpc.describe(read),
                    detail: format!(
                        "a role event of {} has an account topic that is not an address",
                        l.address
                    ),
                })?;
            let members = out.entry(l.address).or_default().entry(*role).or_default();
            if l.topics[0] == granted {
                members.insert(account);
            } else {
                members.remove(&account);
            }
        }
        Ok((out, events))
    }

    fn analyse(
        &self,
        a: Address,
        level: usize,
        ans: &HashMap<Read, Answer>,
        rpc: &Rpc,
        logs: Option<&BTreeMap<B256, BTreeSet<Address>>>,
        warnings: &mut Vec<String>,
    ) -> Result<Node> {
        let get = |r: &Read| ans.get(r);
        let returned = |data: Bytes| match get(&Read::Call(a, data)) {
            Some(Answer::Returned(d)) if !d.is_empty() => Some(d.clone()),
            _ => None,
        };
        let mut node = Node {
            address: a,
            depth: level,
            stopped: self.stop.contains(&a),
            ..Node::default()
        };
        let code = match get(&Read::Code(a)) {
            Some(Answer::Code(c)) => c.clone(),
            _ => Bytes::new(),
        };
        node.code_size = code.len();
        if code.is_empty() {
            return Ok(node);
        }
        node.code_hash = Some(alloy::primitives::keccak256(&code));
        if code.len() == 23 && code.starts_with(&[0xef, 0x01, 0x00]) {
            let to = Address::from_slice(&code[3..]);
            node.delegated_to = Some(to);
            push_once(
                warnings,
                format!(
                    "{a} is an EOA delegating to {to} (EIP-7702): modelled as its key alone; the delegate's code may let others act for it"
                ),
            );
            return Ok(node);
        }
        let slot = |s: B256, what: &str, warnings: &mut Vec<String>| -> Option<Address> {
            match get(&Read::Storage(a, s)) {
                Some(Answer::Word(w)) if *w != B256::ZERO => {
                    match abi::word_address(w.as_slice()) {
                        Some(x) => Some(x),
                        None => {
                            warnings.push(format!(
                            "{a}: the EIP-1967 {what} slot holds {w}, which is not an address: ignored"
                        ));
                            None
                        }
                    }
                }
                _ => None,
            }
        };
        node.implementation = slot(abi::IMPLEMENTATION_SLOT, "implementation", warnings);
        node.admin = slot(abi::ADMIN_SLOT, "admin", warnings);
        node.beacon = slot(abi::BEACON_SLOT, "beacon", warnings);
        if node.implementation == Some(a) {
            warnings.push(format!("{a} is a proxy whose implementation is itself"));
        }
        node.owner = returned(abi::owner_call())
            .and_then(|d| abi::decode_address(&d))
            .filter(|o| *o != Address::ZERO);
        node.beacon_implementation =
            returned(abi::implementation_call()).and_then(|d| abi::decode_address(&d));

        // Gnosis Safe: both views must answer.
        let owners = returned(abi::get_owners_call()).and_then(|d| abi::decode_owners(&d));
        let threshold = returned(abi::get_threshold_call()).and_then(|d| abi::decode_uint(&d));
        if let (Some(owners), Some(threshold)) = (owners, threshold) {
            let call = rpc.describe(&Read::Call(a, abi::get_threshold_call()));
            let n = owners.len() as u64;
            let t: u64 = threshold
                .try_into()
                .map_err(|_| DiscoveryError::Inconsistent {
                    call: call.clone(),
                    detail: format!("threshold {threshold} does not fit"),
                })?;
            let unique: BTreeSet<&Address> = owners.iter().collect();
            if t == 0 || t > n || unique.len() != owners.len() || owners.contains(&Address::ZERO) {
                return Err(DiscoveryError::Inconsistent {
                    call,
                    detail: format!(
                        "a Safe with threshold {t} and {n} owner(s){}: impossible",
                        if unique.len() != owners.len() {
                            " with duplicates"
                        } else {
                            ""
                        }
                    ),
                });
            }
            let modules =
                match returned(abi::get_modules_call()).and_then(|d| abi::decode_modules(&d)) {
                    Some((m, next)) => {
                        if next != abi::SENTINEL && next != Address::ZERO {
                            return Err(DiscoveryError::Limit(format!(
                                "{a}: more than {} Safe modules",
                                abi::MODULE_PAGE
                            )));
                        }
                        m
                    }
                    None => vec![],
                };
            if !modules.is_empty() {
                warnings.push(format!(
                    "Safe {a} has {} enabled module(s) ({}) that can act for it without its owners' signatures: not modelled, check them",
                    modules.len(),
                    modules.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", ")
                ));
            }
            node.safe = Some(SafeFacts {
                owners,
                threshold: t,
                modules,
            });
        }
        if let Some(d) = returned(abi::get_min_delay_call()).and_then(|d| abi::decode_uint(&d)) {
            // A delay beyond u64 (a disabled timelock) is capped when written.
            node.min_delay = Some(d.try_into().unwrap_or(u64::MAX));
        }
        if let Some(roles) = logs {
            for (role, members) in roles {
                node.roles.insert(
                    *role,
                    RoleFacts {
                        name: self.role_names.get(role).cloned(),
                        members: members.clone(),
                        admin_role: None,
                        confirmed: true,
                    },
                );
            }
        }

        // Templates: a template naming the address wins over detection;
        // among templates that detect it, the first in the config wins
        // (documented priority: list the more specific template first).
        let by_address: Vec<usize> = (0..self.templates.len())
            .filter(|i| self.templates[*i].addresses.contains(&a))
            .collect();
        let matched: Vec<usize> = if by_address.is_empty() {
            (0..self.templates.len())
                .filter(|i| {
                    self.templates[*i]
                        .detect
                        .as_ref()
                        .is_some_and(|(_, d)| returned(d.clone()).is_some())
                })
                .collect()
        } else {
            by_address
        };
        if let Some(&i) = matched.first() {
            if matched.len() > 1 && self.templates[i].addresses.contains(&a) {
                warnings.push(format!(
                    "{a} is listed in the addresses of several templates ({}): using {}",
                    matched
                        .iter()
                        .map(|i| self.templates[*i].template.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    self.templates[i].template.name
                ));
            }
            node.template = Some(i);
            let t = &self.templates[i];
            for (j, (sig, data)) in t.fields.iter().enumerate() {
                let f = &t.template.fields[j];
                let read = Read::Call(a, data.clone());
                let call = rpc.describe(&read);
                let d = match get(&read) {
                    Some(Answer::Returned(d)) => d.clone(),
                    _ if f.optional => {
                        node.fields.insert(j, Value::Missing);
                        continue;
                    }
                    _ => {
                        return Err(DiscoveryError::Inconsistent {
                            call,
                            detail: format!(
                                "{a} matched template {} but {} reverted (mark the field `optional = true` if some versions lack it)",
                                t.template.name, sig.canonical
                            ),
                        });
                    }
                };
                let v = decode_field(&d, f.returns, f.word).ok_or_else(|| {
                    DiscoveryError::Malformed {
                        call,
                        detail: format!(
                            "{} bytes do not decode as {:?} (word {})",
                            d.len(),
                            f.returns,
                            f.word
                        ),
                    }
                })?;
                node.fields.insert(j, v);
            }
        }
        Ok(node)
    }
}

fn decode_field(d: &[u8], returns: Returns, word: usize) -> Option<Value> {
    if returns == Returns::Addresses {
        return abi::decode_owners(d).map(Value::Addresses);
    }
    let start = word.checked_mul(32)?;
    let w = d.get(start..start + 32)?;
    Some(match returns {
        Returns::Address => Value::Address(abi::word_address(w)?),
        Returns::Uint => Value::Uint(U256::from_be_slice(w)),
        Returns::Bool => Value::Bool(abi::decode_bool(w)?),
        Returns::Bytes32 => Value::Bytes32(B256::from_slice(w)),
        Returns::Addresses => return None,
    })
}

impl Crawler<'_> {
    /// Addresses a node points at, to crawl next.
    fn references(&self, n: &Node) -> Vec<Address> {
        let mut r = Vec::new();
        r.extend(n.admin);
        r.extend(n.beacon);
        r.extend(n.owner);
        if let Some(s) = &n.safe {
            r.extend(s.owners.iter().copied());
            r.extend(s.modules.iter().copied());
        }
        for f in n.roles.values() {
            r.extend(f.members.iter().copied());
        }
        for l in n.event_lists.values() {
            r.extend(l.iter().copied());
        }
        if let Some(t) = n.template.and_then(|i| self.templates.get(i)) {
            for (j, v) in &n.fields {
                if t.template.fields.get(*j).is_some_and(|f| f.follow) {
                    r.extend(v.addresses());
                }
            }
        }
        r
    }
}

fn push_once(w: &mut Vec<String>, s: String) {
    if !w.contains(&s) {
        w.push(s);
    }
}
