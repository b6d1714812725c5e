//! A project's Security Council as an input of the risk model
//! (`l2stage_risk::project`), built from its governance structure: one
//! Safe of keys, a council of nested Safes assessed exactly, or, where the
//! exact model does not apply, the nested council flattened to its
//! entities. Shared by `l2stage risk --project` and the dashboard's
//! per-project chart, so both assess the same council.

use l2stage_model::governance::{
    Actor, ActorKind, Affiliation as ModelAffiliation, Governance, Member as GovMember,
};
use l2stage_risk::project::{
    CouncilStructure, CouncilTree, MAX_COUPLED_SCENARIOS, NestedCouncil, ProjectCouncil,
};
use l2stage_risk::{Affiliation, CouncilShape, Member, Probability};

/// A council that cannot be assessed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CouncilError {
    #[error("multisig `{0}` has no threshold")]
    NoThreshold(String),
    /// Its threshold does not fit its signers (the risk crate's message).
    #[error("multisig `{actor}`: {message}")]
    Invalid { actor: String, message: String },
}

/// The council to assess and the notes that go with it (as assumptions).
#[derive(Debug, Clone, PartialEq)]
pub struct CouncilInput {
    pub council: CouncilStructure,
    pub notes: Vec<String>,
}

/// The council of `actor` (a multisig of `gov`), every key breaking with
/// `q`: one Safe of keys (keys of one entity, and with `team_block` all
/// team members, break together), or a council of nested Safes, exactly
/// when every Safe of Safes counts one signature per signer and otherwise
/// flattened to its entities with a note saying so.
///
/// An error only when a threshold is missing or does not fit.
pub fn council_input(
    actor: &Actor,
    gov: &Governance,
    q: &Probability,
    team_block: bool,
    common_shock: &Probability,
) -> Result<CouncilInput, CouncilError> {
    let actors = &gov.actors;
    let threshold = actor
        .threshold
        .ok_or_else(|| CouncilError::NoThreshold(actor.id.clone()))? as usize;
    let invalid = |e: l2stage_risk::RiskError| CouncilError::Invalid {
        actor: actor.id.clone(),
        message: e.to_string(),
    };
    let mut notes = Vec::new();
    let mut members = Vec::new();
    let setup = l2stage_governance::council::setup(gov, actor);
    if !setup.nested.is_empty() {
        let safes = setup.nested.join(", ");
        let reason = match tree_of(actor, gov, q, &mut Vec::new())? {
            Ok(root) => {
                let nested = NestedCouncil {
                    root,
                    team_block,
                    common_shock: common_shock.clone(),
                };
                let scenarios = nested.scenarios();
                if scenarios <= MAX_COUPLED_SCENARIOS && exact_work(&nested) <= MAX_EXACT_WORK {
                    notes.push(format!(
                        "nested council (Safes {safes}): assessed Safe by Safe, each with its own threshold: it overrides when the broken keys alone can make the top Safe sign, and is blocked when the honest keys no longer can"
                    ));
                    for e in nested.shared_entities() {
                        notes.push(format!(
                            "`{e}` signs in several of the nested Safes and breaks in all of them at once"
                        ));
                    }
                    return Ok(CouncilInput {
                        council: CouncilStructure::Nested(nested),
                        notes,
                    });
                }
                if scenarios > MAX_COUPLED_SCENARIOS {
                    "too many entities sign in several of its Safes to condition on them"
                        .to_string()
                } else {
                    "it is too large to assess Safe by Safe exactly in bounded time".to_string()
                }
            }
            Err(reason) => reason,
        };
        // Not representable exactly: any `entity_threshold` of its
        // entities, each breaking with q.
        for e in l2stage_governance::council::entities(gov, actor) {
            members.push(Member {
                name: e.name,
                q: q.clone(),
                affiliation: if e.outside {
                    Affiliation::Outside
                } else {
                    Affiliation::Team
                },
            });
        }
        notes.push(format!(
            "nested council (Safes {safes}): {reason}, so it is counted as any {} of its {} entities, which ignores which Safe each must sign in (an approximation)",
            setup.entity_threshold, setup.entities
        ));
        let shape = CouncilShape::new(setup.entity_threshold, members.len()).map_err(invalid)?;
        return Ok(CouncilInput {
            council: CouncilStructure::Flattened(ProjectCouncil {
                threshold: shape.k(),
                members,
                team_block,
                common_shock: common_shock.clone(),
            }),
            notes,
        });
    }
    for (i, m) in actor.members.iter().enumerate() {
        let nested = m
            .actor
            .as_deref()
            .and_then(|id| actors.iter().find(|a| a.id == id));
        if let Some(n) = nested {
            notes.push(format!(
                "nested signer `{}` is counted as one member with the same q",
                n.id
            ));
        }
        let entity = m
            .entity
            .clone()
            .or_else(|| m.actor.clone())
            .or_else(|| m.address.clone())
            .unwrap_or_else(|| format!("member {}", i + 1));
        members.push(Member {
            name: entity,
            q: q.clone(),
            affiliation: affiliation_of(m, nested),
        });
    }
    CouncilShape::new(threshold, members.len()).map_err(invalid)?;
    Ok(CouncilInput {
        council: CouncilStructure::Flat(ProjectCouncil {
            threshold,
            members,
            team_block,
            common_shock: common_shock.clone(),
        }),
        notes,
    })
}

/// A member's affiliation, or its nested actor's; none declared is team.
fn affiliation_of(m: &GovMember, nested: Option<&Actor>) -> Affiliation {
    match m.affiliation.or(nested.and_then(|n| n.affiliation)) {
        Some(ModelAffiliation::Outside) => Affiliation::Outside,
        Some(ModelAffiliation::Team) | None => Affiliation::Team,
    }
}

/// Most work (see [`exact_work`]) the Safe-by-Safe model may take, about
/// a fifth of a second; a larger nested council is flattened to its
/// entities instead, with a note, so that no project file (and no page
/// view of one) makes the risk model run for minutes.
pub const MAX_EXACT_WORK: u128 = 2_000_000_000;

/// A rough cost of the exact Safe-by-Safe model: per joint state of the
/// coupled keys, n² for each Safe of n keys and m³ for each Safe of m
/// signers, times the square of the number of keys (the exact fractions
/// grow with it).
pub fn exact_work(n: &NestedCouncil) -> u128 {
    let (mut ops, mut keys) = (0u128, 0u128);
    let mut stack = vec![&n.root];
    while let Some(t) = stack.pop() {
        match t {
            CouncilTree::Keys { members, .. } => {
                let k = members.len() as u128;
                ops = ops.saturating_add(k * k);
                keys = keys.saturating_add(k);
            }
            CouncilTree::Safes { signers, .. } => {
                let m = signers.len() as u128;
                ops = ops.saturating_add(m * m * m);
                stack.extend(signers);
            }
        }
    }
    (n.scenarios() as u128)
        .saturating_mul(ops)
        .saturating_mul(keys.max(1).saturating_mul(keys.max(1)))
}

/// A multisig as a tree of Safes: a Safe of keys, or, with nested
/// multisigs among its signers, `threshold` of its signers (the nested
/// Safes, and each direct key as a 1-of-1). Its threshold counts
/// signatures, so that is exact only when every signer gives one: when a
/// Safe mixes nested Safes with an entity holding several of its keys the
/// answer is `Ok(Err(why))`. A nested multisig already on the way down
/// (a cycle) signs as a key, as in the governance analysis.
fn tree_of(
    actor: &Actor,
    gov: &Governance,
    q: &Probability,
    stack: &mut Vec<String>,
) -> Result<Result<CouncilTree, String>, CouncilError> {
    let threshold = actor
        .threshold
        .ok_or_else(|| CouncilError::NoThreshold(actor.id.clone()))? as usize;
    stack.push(actor.id.clone());
    let mut signers = Vec::new();
    let mut keys: Vec<Member> = Vec::new();
    let mut has_nested = false;
    for m in &actor.members {
        let referenced = m.actor.as_deref().and_then(|id| gov.actor(id));
        let inner = referenced.filter(|a| a.kind == ActorKind::Multisig && !stack.contains(&a.id));
        if let Some(inner) = inner {
            match tree_of(inner, gov, q, stack)? {
                Ok(t) => signers.push(t),
                Err(why) => return Ok(Err(why)),
            }
            has_nested = true;
        } else {
            // A key: its entity, else the actor or address it names; with
            // none, an entity of its own (empty name).
            let key = Member {
                name: m
                    .entity
                    .clone()
                    .or_else(|| m.actor.clone())
                    .or_else(|| m.address.clone())
                    .unwrap_or_default(),
                q: q.clone(),
                affiliation: affiliation_of(m, referenced),
            };
            signers.push(CouncilTree::Keys {
                threshold: 1,
                members: vec![key.clone()],
            });
            keys.push(key);
        }
    }
    stack.pop();
    if !has_nested {
        return Ok(Ok(CouncilTree::Keys {
            threshold,
            members: keys,
        }));
    }
    for (i, k) in keys.iter().enumerate() {
        if !k.name.is_empty() && keys[..i].iter().any(|o| o.name == k.name) {
            return Ok(Err(format!(
                "`{}` has nested Safes among its signers and `{}` holds several of its keys, whose signatures weigh more than one signer's",
                actor.id, k.name
            )));
        }
    }
    Ok(Ok(CouncilTree::Safes { threshold, signers }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An outer `safes`-of-`safes` multisig (¾ threshold) over Safes of
    /// `keys` keys, no entity in two of them.
    fn wide(safes: usize, keys: usize) -> Governance {
        let mut actors = Vec::new();
        for j in 0..safes {
            let members: Vec<serde_json::Value> = (0..keys)
                .map(|i| serde_json::json!({"entity": format!("e{j}-{i}"), "affiliation": "outside"}))
                .collect();
            actors.push(serde_json::json!({"id": format!("s{j}"), "kind": "multisig", "threshold": keys * 3 / 4, "members": members}));
        }
        let signers: Vec<serde_json::Value> = (0..safes)
            .map(|j| serde_json::json!({"actor": format!("s{j}")}))
            .collect();
        actors.push(serde_json::json!({"id": "c", "kind": "multisig", "threshold": safes * 3 / 4, "security_council": true, "members": signers}));
        let g: Governance = serde_json::from_value(serde_json::json!({
            "exit": {"proposing": "permissionless"},
            "actors": actors,
        }))
        .unwrap();
        g.validate().unwrap();
        g
    }

    #[test]
    fn a_nested_council_too_large_to_assess_exactly_is_flattened() {
        let input = |g: &Governance| {
            let actor = g.actors.iter().find(|a| a.security_council).unwrap();
            council_input(
                actor,
                g,
                &Probability::parse("q", "0.1").unwrap(),
                false,
                &Probability::zero(),
            )
            .unwrap()
        };
        // 10 Safes of 24 keys: 10·576 + 1,000 = 6,760 per state, times
        // 240² keys: 389,376,000, within the bound: exact.
        let g = wide(10, 24);
        let i = input(&g);
        match &i.council {
            CouncilStructure::Nested(n) => assert_eq!(exact_work(n), 389_376_000),
            other => panic!("{other:?}"),
        }
        // 40 Safes of 24 keys (an 11 s computation): 40·576 + 64,000 =
        // 87,040 per state, times 960²: flattened to its 960 entities.
        let g = wide(40, 24);
        let i = input(&g);
        match &i.council {
            CouncilStructure::Flattened(c) => assert_eq!(c.members.len(), 960),
            other => panic!("{other:?}"),
        }
        assert!(
            i.notes
                .iter()
                .any(|n| n.contains("too large to assess Safe by Safe exactly")),
            "{:?}",
            i.notes
        );
    }

    /// The council input of the security council in the project file at
    /// `rel` (relative to this crate), at q = 0.1, no correlation.
    fn security_council_input(rel: &str) -> CouncilInput {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        let file = l2stage_model::load_path(&path).unwrap();
        let gov = file.governance.as_ref().unwrap();
        let actor = gov.actors.iter().find(|a| a.security_council).unwrap();
        council_input(
            actor,
            gov,
            &Probability::parse("q", "0.1").unwrap(),
            false,
            &Probability::zero(),
        )
        .unwrap()
    }

    #[test]
    fn base_is_a_nested_council() {
        // Base's 2025 structure, kept as a fixture (the catalog file now
        // describes the 2026 one, checked below).
        let input = security_council_input("../../fixtures/base-2025.toml");
        match &input.council {
            CouncilStructure::Nested(n) => {
                assert_eq!(n.root.describe(), "2 of (2 of (7/10, 3/6), 5/7)")
            }
            other => panic!("{other:?}"),
        }
        assert!(input.notes[0].starts_with("nested council (Safes "));
    }

    #[test]
    fn base_after_leaving_the_superchain_is_a_nested_council() {
        // Since 2026-03-04: 2 of (Coinbase 3/6, Security Council 8/11).
        let input = security_council_input("../../catalog/base.toml");
        match &input.council {
            CouncilStructure::Nested(n) => {
                assert_eq!(n.root.describe(), "2 of (3/6, 8/11)")
            }
            other => panic!("{other:?}"),
        }
    }
}
