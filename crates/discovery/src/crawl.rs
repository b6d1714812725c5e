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

mod analyse;

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
}

fn push_once(w: &mut Vec<String>, s: String) {
    if !w.contains(&s) {
        w.push(s);
    }
}
