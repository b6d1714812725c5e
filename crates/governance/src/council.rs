//! Is a Security Council properly set up? Counted per entity, not per key.
//!
//! A council may be a single Safe or a nested structure: Base's upgrade
//! Safe is a 2-of-2 of (its council and Coinbase) and the Optimism
//! Foundation, which Base counts as one council of 12 entities needing 9.
//! Flagging the outer multisig makes the analysis count every entity in the
//! nested Safes, and the fewest of them that satisfy every nested threshold.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use l2stage_model::governance::{Actor, ActorKind, Affiliation, Governance};

/// The framework's bar: at least this many members...
pub const MIN_MEMBERS: usize = 8;
/// ...and a threshold of at least 3/4 of them.
pub const MIN_SHARE_NUM: usize = 3;
pub const MIN_SHARE_DEN: usize = 4;

/// Entities signing in several nested Safes are counted by trying each way
/// they can sign or refuse (2^s); above this many the council is reported
/// as not countable instead.
const MAX_SHARED_ENTITIES: usize = 12;

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
                cost = cost.saturating_add(1);
            }
            if got >= need {
                best = best.min(cost);
            }
        }
        best
    }

    /// Signature weight per free entity among the direct keys, largest
    /// first, and the signatures of direct keys fixed to `signs`.
    fn split_keys(&self, fixed: &[Fix], signs: Fix) -> (Vec<usize>, usize) {
        let mut per: BTreeMap<usize, usize> = BTreeMap::new();
        let mut pinned = 0;
        for &e in &self.keys {
            match fixed[e] {
                Fix::Free => *per.entry(e).or_default() += 1,
                f if f == signs => pinned += 1,
                _ => {}
            }
        }
        let mut g: Vec<usize> = per.into_values().collect();
        g.sort_unstable_by(|a, b| b.cmp(a));
        (g, pinned)
    }

    /// Fewest free entities that satisfy this node, given the fixed ones
    /// (exact when no free entity sits in two branches).
    fn to_satisfy(&self, fixed: &[Fix]) -> usize {
        let (groups, signed) = self.split_keys(fixed, Fix::Signs);
        let nested = self.nested.iter().map(|n| n.to_satisfy(fixed)).collect();
        Self::fewest(self.threshold.saturating_sub(signed), &groups, nested)
    }

    /// Fewest free entities whose refusal leaves fewer than the threshold,
    /// given the fixed ones (the same exactness).
    fn to_block(&self, fixed: &[Fix]) -> usize {
        let (groups, refused) = self.split_keys(fixed, Fix::Refuses);
        let available = self.signers() - refused;
        if available < self.threshold {
            return 0;
        }
        let nested = self.nested.iter().map(|n| n.to_block(fixed)).collect();
        Self::fewest(available + 1 - self.threshold, &groups, nested)
    }

    /// Entities reachable under this node.
    fn collect(&self, out: &mut Vec<usize>) {
        out.extend(&self.keys);
        for n in &self.nested {
            n.collect(out);
        }
    }

    /// Entities that appear in more than one branch (its direct keys, or a
    /// nested Safe) of some node: the level-by-level counts are exact once
    /// these are fixed.
    fn shared(&self, out: &mut BTreeSet<usize>) {
        let mut branches: Vec<BTreeSet<usize>> = vec![self.keys.iter().copied().collect()];
        for n in &self.nested {
            let mut v = Vec::new();
            n.collect(&mut v);
            branches.push(v.into_iter().collect());
        }
        for (i, a) in branches.iter().enumerate() {
            for b in &branches[i + 1..] {
                out.extend(a.intersection(b));
            }
        }
        for n in &self.nested {
            n.shared(out);
        }
    }
}

/// An entity's part in a count: left to the count, or fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fix {
    Free,
    Signs,
    Refuses,
}

/// Fewest entities that satisfy, and that block, the council: every way
/// the shared entities can sign or refuse, each counted level by level.
fn exact_counts(root: &Node, entities: usize, shared: &[usize]) -> (usize, usize) {
    let mut fixed = vec![Fix::Free; entities];
    let (mut satisfy, mut block) = (usize::MAX, usize::MAX);
    // Fix the chosen shared entities to `chosen`, the others to `rest`.
    let pin = |fixed: &mut [Fix], mask: u32, chosen: Fix, rest: Fix| {
        for (i, &e) in shared.iter().enumerate() {
            fixed[e] = if mask & (1 << i) != 0 { chosen } else { rest };
        }
    };
    for mask in 0u32..(1u32 << shared.len()) {
        let chosen = mask.count_ones() as usize;
        // Satisfy: the chosen shared entities sign, the others refuse.
        pin(&mut fixed, mask, Fix::Signs, Fix::Refuses);
        satisfy = satisfy.min(chosen.saturating_add(root.to_satisfy(&fixed)));
        // Block: the chosen shared entities refuse, the others sign.
        pin(&mut fixed, mask, Fix::Refuses, Fix::Signs);
        block = block.min(chosen.saturating_add(root.to_block(&fixed)));
    }
    (satisfy, block)
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
    let mut shared = BTreeSet::new();
    root.shared(&mut shared);
    let shared: Vec<usize> = shared.into_iter().collect();
    let (entity_threshold, blocking_minority) = if shared.len() <= MAX_SHARED_ENTITIES {
        exact_counts(&root, entities, &shared)
    } else {
        failures.push(format!(
            "{} entities sign in more than one of its nested Safes (more than {MAX_SHARED_ENTITIES}): the fewest that reach a quorum cannot be counted exactly",
            shared.len()
        ));
        let free = vec![Fix::Free; entities];
        (root.to_satisfy(&free), root.to_block(&free))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Smallest entity set for which `pred` holds, by trying them all.
    fn brute(n: usize, pred: impl Fn(&[bool]) -> bool) -> usize {
        (0u32..1 << n)
            .filter(|m| pred(&(0..n).map(|i| m & (1 << i) != 0).collect::<Vec<_>>()))
            .map(|m| m.count_ones() as usize)
            .min()
            .unwrap_or(usize::MAX)
    }

    struct Lcg(u64);
    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) % n as u64) as usize
        }
    }

    fn tree(r: &mut Lcg, entities: usize, depth: usize) -> Node {
        let keys: Vec<usize> = (0..r.below(4)).map(|_| r.below(entities)).collect();
        let nested: Vec<Node> = if depth > 0 {
            (0..r.below(3))
                .map(|_| tree(r, entities, depth - 1))
                .collect()
        } else {
            Vec::new()
        };
        let signers = keys.len() + nested.len();
        if signers == 0 {
            return Node {
                threshold: 1,
                keys: vec![r.below(entities)],
                nested,
            };
        }
        Node {
            threshold: 1 + r.below(signers),
            keys,
            nested,
        }
    }

    #[test]
    fn counts_match_trying_every_entity_set() {
        // Random nested Safes over up to 8 entities, shared across branches
        // or not: the level-by-level counts with shared entities fixed must
        // equal the exhaustive minimum, for reaching and for blocking.
        let mut r = Lcg(7);
        for case in 0..400 {
            let n = 1 + r.below(8);
            let root = tree(&mut r, n, 2);
            let mut shared = BTreeSet::new();
            root.shared(&mut shared);
            let shared: Vec<usize> = shared.into_iter().collect();
            let (satisfy, block) = exact_counts(&root, n, &shared);
            let want_satisfy = brute(n, |s| root.satisfied(s));
            let want_block = brute(n, |s| {
                let others: Vec<bool> = s.iter().map(|x| !x).collect();
                !root.satisfied(&others)
            });
            assert_eq!(
                (satisfy, block),
                (want_satisfy, want_block),
                "case {case}, {n} entities, shared {shared:?}"
            );
        }
    }
}
