//! Is a Security Council properly set up? Counted per entity, not per key.

use std::collections::BTreeMap;

use serde::Serialize;

use l2stage_model::governance::{Actor, Affiliation};

/// The framework's bar: at least this many members...
pub const MIN_MEMBERS: usize = 8;
/// ...and a threshold of at least 3/4 of them.
pub const MIN_SHARE_NUM: usize = 3;
pub const MIN_SHARE_DEN: usize = 4;

/// A council's set-up, with the arithmetic that decides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CouncilSetup {
    pub actor: String,
    pub name: String,
    /// Signers (keys) and signatures needed.
    pub keys: usize,
    pub threshold: usize,
    /// Distinct entities, and the fewest entities that reach the threshold
    /// (largest key holders first).
    pub entities: usize,
    pub entity_threshold: usize,
    /// Entities outside the team's organisation, and how many are needed to
    /// block a quorum (entities − entity_threshold + 1).
    pub outside_entities: usize,
    pub blocking_minority: usize,
    pub unannounced_members: usize,
    pub properly_set_up: bool,
    /// Why not, one line per failed condition.
    pub failures: Vec<String>,
    /// Entities needed to count as "≥75% of the council": ⌈3/4 · entities⌉.
    pub supermajority: usize,
}

/// The key a member is counted under: its entity, or the nested actor.
pub fn member_entity(m: &l2stage_model::governance::Member) -> String {
    m.entity
        .clone()
        .or_else(|| m.actor.clone())
        .unwrap_or_default()
}

/// Analyse one multisig as a council.
pub fn setup(actor: &Actor) -> CouncilSetup {
    let keys = actor.members.len();
    let threshold = actor.threshold.unwrap_or(0) as usize;
    let mut per_entity: BTreeMap<String, (usize, bool)> = BTreeMap::new();
    for m in &actor.members {
        let e = per_entity.entry(member_entity(m)).or_insert((0, false));
        e.0 += 1;
        // An entity is outside only if every key it holds is declared outside.
        e.1 = if e.0 == 1 {
            m.affiliation == Some(Affiliation::Outside)
        } else {
            e.1 && m.affiliation == Some(Affiliation::Outside)
        };
    }
    let entities = per_entity.len();
    let mut counts: Vec<usize> = per_entity.values().map(|(n, _)| *n).collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let mut entity_threshold = 0;
    let mut sum = 0;
    for c in &counts {
        if sum >= threshold {
            break;
        }
        sum += c;
        entity_threshold += 1;
    }
    let outside_entities = per_entity.values().filter(|(_, o)| *o).count();
    let blocking_minority = (entities + 1).saturating_sub(entity_threshold);
    let unannounced_members = actor.members.iter().filter(|m| !m.announced).count();

    let mut failures = Vec::new();
    if entities < MIN_MEMBERS {
        failures.push(format!(
            "{entities} distinct members, fewer than {MIN_MEMBERS}"
        ));
    }
    if entity_threshold * MIN_SHARE_DEN < entities * MIN_SHARE_NUM {
        let detail = if entities < keys {
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
    if outside_entities < blocking_minority {
        failures.push(format!(
            "{outside_entities} members outside the team, fewer than the {blocking_minority} needed to block a quorum ({entities} − {entity_threshold} + 1)"
        ));
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
        format!(
            "{}: {}/{} keys; {} entities, {} needed ({:.1}%); {} outside the team (≥{} needed to block); {} unannounced",
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
