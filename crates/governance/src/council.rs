//! Is a Security Council properly set up? Counted per entity, not per key.
//!
//! A council may be a single Safe or a nested structure: Base's upgrade
//! Safe is a 2-of-2 of (its council and Coinbase) and the Optimism
//! Foundation, which Base counts as one council of 12 entities needing 9.
//! Flagging the outer multisig makes the analysis count every entity in the
//! nested Safes, and the fewest of them that satisfy every nested threshold.

use std::collections::BTreeMap;

use serde::Serialize;

use l2stage_model::governance::{Actor, ActorKind, Affiliation, Governance};

/// The framework's bar: at least this many members...
pub const MIN_MEMBERS: usize = 8;
/// ...and a threshold of at least 3/4 of them.
pub const MIN_SHARE_NUM: usize = 3;
pub const MIN_SHARE_DEN: usize = 4;

/// Above this many entities, a nested council whose Safes share entities is
/// not searched exhaustively (2^n subsets); it is reported instead.
const MAX_EXHAUSTIVE_ENTITIES: usize = 20;

/// A council's set-up, with the arithmetic that decides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CouncilSetup {
    pub actor: String,
    pub name: String,
    /// Signers (keys or nested Safes) of the flagged multisig, and
    /// signatures it needs.
    pub keys: usize,
    pub threshold: usize,
    /// Distinct entities (across nested Safes), and the fewest entities
    /// that satisfy every threshold on the way.
    pub entities: usize,
    pub entity_threshold: usize,
    /// Entities outside the team's organisation, and the fewest entities
    /// whose refusal makes a quorum impossible.
    pub outside_entities: usize,
    pub blocking_minority: usize,
    pub unannounced_members: usize,
    pub properly_set_up: bool,
    /// Why not, one line per failed condition.
    pub failures: Vec<String>,
    /// Entities needed to count as "≥75% of the council": ⌈3/4 · entities⌉.
    pub supermajority: usize,
    /// The nested Safes counted into this council (empty for a flat one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nested: Vec<String>,
}

/// The key a member is counted under: its entity, or the nested actor.
pub fn member_entity(m: &l2stage_model::governance::Member) -> String {
    m.entity
        .clone()
        .or_else(|| m.actor.clone())
        .unwrap_or_default()
}

/// A multisig with its members resolved: keys by entity index, and nested
/// multisigs as sub-trees.
struct Node {
    threshold: usize,
    /// Entity index of each direct key (a nested non-multisig actor is a key
    /// of the entity named by its id).
    keys: Vec<usize>,
    nested: Vec<Node>,
}

#[derive(Default)]
struct Entities {
    names: Vec<String>,
    /// True only while every key of the entity is declared outside.
    outside: Vec<bool>,
    index: BTreeMap<String, usize>,
}

impl Entities {
    fn add(&mut self, name: String, outside: bool) -> usize {
        if let Some(&i) = self.index.get(&name) {
            self.outside[i] &= outside;
            return i;
        }
        let i = self.names.len();
        self.index.insert(name.clone(), i);
        self.names.push(name);
        self.outside.push(outside);
        i
    }
}

struct Builder<'g> {
    gov: &'g Governance,
    entities: Entities,
    unannounced: usize,
    nested_ids: Vec<String>,
    stack: Vec<&'g str>,
}

impl<'g> Builder<'g> {
    fn node(&mut self, actor: &'g Actor) -> Node {
        self.stack.push(&actor.id);
        let mut node = Node {
            threshold: actor.threshold.unwrap_or(0) as usize,
            keys: Vec::new(),
            nested: Vec::new(),
        };
        for m in &actor.members {
            let nested = m
                .actor
                .as_deref()
                .and_then(|id| self.gov.actor(id))
                .filter(|a| a.kind == ActorKind::Multisig && !self.stack.contains(&a.id.as_str()));
            match nested {
                Some(inner) => {
                    self.nested_ids.push(inner.id.clone());
                    let sub = self.node(inner);
                    node.nested.push(sub);
                }
                None => {
                    if !m.announced {
                        self.unannounced += 1;
                    }
                    let outside = m.affiliation == Some(Affiliation::Outside);
                    node.keys.push(self.entities.add(member_entity(m), outside));
                }
            }
        }
        self.stack.pop();
        node
    }
}

impl Node {
    fn satisfied(&self, signs: &[bool]) -> bool {
        let keys = self.keys.iter().filter(|&&e| signs[e]).count();
        let nested = self.nested.iter().filter(|n| n.satisfied(signs)).count();
        keys + nested >= self.threshold
    }

    fn signers(&self) -> usize {
        self.keys.len() + self.nested.len()
    }

    /// Signature weight per entity among the direct keys, largest first.
    fn key_groups(&self) -> Vec<usize> {
        let mut per: BTreeMap<usize, usize> = BTreeMap::new();
        for &e in &self.keys {
            *per.entry(e).or_default() += 1;
        }
        let mut g: Vec<usize> = per.into_values().collect();
        g.sort_unstable_by(|a, b| b.cmp(a));
        g
    }

    /// Fewest entities that gather `need` signatures here, when nested
    /// Safes cost `nested_cost` entities each and no entity is shared
    /// between branches: take the m cheapest nested Safes, then the largest
    /// key holders, for the best m.
    fn fewest(need: usize, groups: &[usize], mut nested_cost: Vec<usize>) -> usize {
        nested_cost.sort_unstable();
        let mut best = usize::MAX;
        let mut spent = 0usize;
        for m in 0..=nested_cost.len() {
            if m > 0 {
                spent = spent.saturating_add(nested_cost[m - 1]);
            }
            let mut got = m;
            let mut cost = spent;
            for g in groups {
                if got >= need {
                    break;
                }
                got += g;
                cost += 1;
            }
            if got >= need {
                best = best.min(cost);
            }
        }
        best
    }

    /// Fewest entities that satisfy this node (disjoint branches).
    fn to_satisfy(&self) -> usize {
        let nested = self.nested.iter().map(Node::to_satisfy).collect();
        Self::fewest(self.threshold, &self.key_groups(), nested)
    }

    /// Fewest entities whose refusal leaves fewer than the threshold
    /// (disjoint branches).
    fn to_block(&self) -> usize {
        let need = (self.signers() + 1).saturating_sub(self.threshold);
        if need == 0 {
            return usize::MAX;
        }
        let nested = self.nested.iter().map(Node::to_block).collect();
        Self::fewest(need, &self.key_groups(), nested)
    }

    /// Entities reachable under this node.
    fn collect(&self, out: &mut Vec<usize>) {
        out.extend(&self.keys);
        for n in &self.nested {
            n.collect(out);
        }
    }

    /// Whether an entity appears in more than one branch (direct keys or a
    /// nested Safe) of any node: then the greedy counts are not exact.
    fn branches_overlap(&self) -> bool {
        let mut seen: Vec<Vec<usize>> = Vec::new();
        let mut direct = self.keys.clone();
        direct.sort_unstable();
        direct.dedup();
        seen.push(direct);
        for n in &self.nested {
            let mut v = Vec::new();
            n.collect(&mut v);
            v.sort_unstable();
            v.dedup();
            seen.push(v);
        }
        for (i, a) in seen.iter().enumerate() {
            for b in &seen[i + 1..] {
                if a.iter().any(|e| b.binary_search(e).is_ok()) {
                    return true;
                }
            }
        }
        self.nested.iter().any(Node::branches_overlap)
    }
}

/// Smallest set of entities (by size) for which `pred` holds, by increasing
/// size; `pred` must be monotone.
fn smallest_set(n: usize, pred: impl Fn(&[bool]) -> bool) -> usize {
    let mut best = usize::MAX;
    for mask in 0u32..(1u32 << n) {
        let size = mask.count_ones() as usize;
        if size >= best {
            continue;
        }
        let set: Vec<bool> = (0..n).map(|i| mask & (1 << i) != 0).collect();
        if pred(&set) {
            best = size;
        }
    }
    best
}

/// One entity of a council, counted once across its nested Safes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouncilEntity {
    pub name: String,
    /// Every key it holds is declared outside the team.
    pub outside: bool,
    /// Keys it holds across the council's Safes.
    pub keys: usize,
}

/// The distinct entities of a council (flat or nested), in first-seen order.
pub fn entities(gov: &Governance, actor: &Actor) -> Vec<CouncilEntity> {
    let mut b = Builder {
        gov,
        entities: Entities::default(),
        unannounced: 0,
        nested_ids: Vec::new(),
        stack: Vec::new(),
    };
    let root = b.node(actor);
    let mut keys = vec![0usize; b.entities.names.len()];
    let mut all = Vec::new();
    root.collect(&mut all);
    for e in all {
        keys[e] += 1;
    }
    b.entities
        .names
        .into_iter()
        .zip(b.entities.outside)
        .zip(keys)
        .map(|((name, outside), keys)| CouncilEntity {
            name,
            outside,
            keys,
        })
        .collect()
}

/// Analyse one multisig (flat or nested) as a council.
pub fn setup(gov: &Governance, actor: &Actor) -> CouncilSetup {
    let mut b = Builder {
        gov,
        entities: Entities::default(),
        unannounced: 0,
        nested_ids: Vec::new(),
        stack: Vec::new(),
    };
    let root = b.node(actor);
    let Builder {
        entities: ents,
        unannounced: unannounced_members,
        nested_ids: nested,
        ..
    } = b;
    let keys = root.signers();
    let threshold = root.threshold;
    let entities = ents.names.len();
    let outside_entities = ents.outside.iter().filter(|o| **o).count();

    let mut failures = Vec::new();
    let overlap = root.branches_overlap();
    let (entity_threshold, blocking_minority) = if !overlap {
        (root.to_satisfy(), root.to_block())
    } else if entities <= MAX_EXHAUSTIVE_ENTITIES {
        (
            smallest_set(entities, |s| root.satisfied(s)),
            smallest_set(entities, |s| {
                let others: Vec<bool> = s.iter().map(|x| !x).collect();
                !root.satisfied(&others)
            }),
        )
    } else {
        failures.push(format!(
            "entities are shared between its nested Safes and there are {entities} of them (more than {MAX_EXHAUSTIVE_ENTITIES}): the fewest that reach a quorum cannot be counted exactly"
        ));
        (root.to_satisfy(), root.to_block())
    };
    // usize::MAX: no set of entities reaches (or blocks) the quorum.
    let unreachable = entity_threshold == usize::MAX;
    let entity_threshold = entity_threshold.min(entities);
    let blocking_minority = blocking_minority.min(entities + 1);

    if entities < MIN_MEMBERS {
        failures.push(format!(
            "{entities} distinct members, fewer than {MIN_MEMBERS}"
        ));
    }
    if unreachable {
        failures.push(format!(
            "the threshold cannot be reached: {threshold} signatures needed from {keys} signers"
        ));
    } else if entity_threshold * MIN_SHARE_DEN < entities * MIN_SHARE_NUM {
        let detail = if !nested.is_empty() {
            format!(
                " (counted across the nested Safes {}: {entity_threshold} of {entities} entities reach every threshold)",
                nested.join(", ")
            )
        } else if entities < keys {
            format!(
                " ({threshold} of {keys} keys, but {entities} entities of which {entity_threshold} reach the threshold)"
            )
        } else {
            String::new()
        };
        failures.push(format!(
            "threshold {entity_threshold}/{entities} = {:.1}% is below 75%{detail}",
            pct(entity_threshold, entities)
        ));
    }
    if unannounced_members > 0 {
        failures.push(format!(
            "{unannounced_members} member(s) not publicly announced"
        ));
    }
    // The outside entities must be able to block a quorum: the others
    // (team, or affiliation not declared) must not reach it on their own.
    let insiders: Vec<bool> = ents.outside.iter().map(|o| !o).collect();
    if root.satisfied(&insiders) {
        let formula = if nested.is_empty() && entities == keys {
            format!(" ({entities} − {entity_threshold} + 1)")
        } else {
            String::new()
        };
        let others = entities - outside_entities;
        failures.push(if outside_entities < blocking_minority {
            format!(
                "{outside_entities} members outside the team, fewer than the {blocking_minority} needed to block a quorum{formula}"
            )
        } else {
            format!(
                "the {outside_entities} members outside the team cannot block a quorum: the other {others} reach it alone"
            )
        });
    }
    CouncilSetup {
        actor: actor.id.clone(),
        name: actor.label().to_string(),
        keys,
        threshold,
        entities,
        entity_threshold,
        outside_entities,
        blocking_minority,
        unannounced_members,
        properly_set_up: failures.is_empty(),
        failures,
        supermajority: (entities * MIN_SHARE_NUM).div_ceil(MIN_SHARE_DEN),
        nested,
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

impl CouncilSetup {
    /// One line with the arithmetic, for evidence.
    pub fn summary(&self) -> String {
        let nested = if self.nested.is_empty() {
            String::new()
        } else {
            format!(" (nested: {})", self.nested.join(", "))
        };
        format!(
            "{}: {}/{} signers{nested}; {} entities, {} needed ({:.1}%); {} outside the team (≥{} needed to block); {} unannounced",
            self.name,
            self.threshold,
            self.keys,
            self.entities,
            self.entity_threshold,
            pct(self.entity_threshold, self.entities),
            self.outside_entities,
            self.blocking_minority,
            self.unannounced_members
        )
    }
}
