//! What one wave's answers say about one address: its node (proxy,
//! owner, Safe, timelock, roles, the template's fields), and the addresses
//! it points to for the next level.

use super::*;

impl Crawler<'_> {
    pub(super) fn analyse(
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
    pub(super) fn references(&self, n: &Node) -> Vec<Address> {
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
