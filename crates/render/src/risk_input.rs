//! A project's Security Council as an input of the risk model
//! (`l2stage_risk::project`), built from its governance structure: one
//! Safe of keys, a council of nested Safes assessed exactly, or, where the
//! exact model does not apply, the nested council flattened to its
//! entities. Shared by `l2stage risk --project` and the dashboard's
//! per-project chart, so both assess the same council.
//!
//! [`project_risk_input`] builds a project's whole risk input and the
//! assumptions printed beside the answer; [`project_risk_json`] and
//! `crate::risk_text::project_text` are its two formats.

use l2stage_model::governance::{
    Actor, ActorKind, Affiliation as ModelAffiliation, Governance, Member as GovMember,
};
use l2stage_model::{Date, ProjectFile};
use l2stage_risk::project::{
    CouncilStructure, CouncilTree, MAX_COUPLED_SCENARIOS, NestedCouncil, ProjectCouncil,
    ProjectRisk, ProjectRiskInput,
};
use l2stage_risk::provers::ProofSystem;
use l2stage_risk::{
    Affiliation, BaseModel, CouncilShape, Formula, Horizon, Line, Member, Probability,
};
use serde_json::json;

use crate::format::probability;

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

// ------------------------------------------------------- a project's risk

/// What `l2stage risk --project` assumes about a project's council: the
/// model's inputs that are not in the project file.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectRiskOptions {
    /// Each key breaks with this probability within the horizon.
    pub member_failure: Probability,
    /// The proof system fails with this probability, when given.
    pub proof_failure: Option<Probability>,
    /// Every member breaks at once with this probability.
    pub common_shock: Probability,
    /// Team members break together as one block.
    pub team_block: bool,
    pub formula: Formula,
    pub horizon: Horizon,
}

/// A project's Security Council as the risk model's input, and the
/// assumptions to print beside the answer (the options' and the council's
/// own notes).
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectRiskSetup<'a> {
    /// The Security Council assessed (the first multisig with
    /// `security_council = true`).
    pub actor: &'a Actor,
    pub input: ProjectRiskInput,
    pub assumptions: Vec<String>,
}

/// Why a project's council cannot be assessed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectRiskError {
    #[error("no [governance] section, so no Security Council to assess")]
    NoGovernance,
    #[error("no multisig actor with `security_council = true` in [governance]")]
    NoCouncil,
    #[error(transparent)]
    Council(#[from] CouncilError),
}

/// The one place a project's risk input and its assumptions are built: its
/// governance structure's Security Council through [`council_input`], the
/// proof system as one system failing with `proof_failure`, and the
/// assumptions in the order they are printed.
pub fn project_risk_input<'a>(
    file: &'a ProjectFile,
    opts: &ProjectRiskOptions,
) -> Result<ProjectRiskSetup<'a>, ProjectRiskError> {
    let gov = file
        .governance
        .as_ref()
        .ok_or(ProjectRiskError::NoGovernance)?;
    let actor = gov
        .security_councils()
        .next()
        .ok_or(ProjectRiskError::NoCouncil)?;
    let CouncilInput { council, notes } = council_input(
        actor,
        gov,
        &opts.member_failure,
        opts.team_block,
        &opts.common_shock,
    )?;
    let input = ProjectRiskInput {
        council,
        proof: opts
            .proof_failure
            .as_ref()
            .map(|p| ProofSystem::Single { p: p.clone() }),
        formula: opts.formula,
        horizon: opts.horizon,
        candidate: None,
    };
    let mut assumptions = vec![
        format!(
            "each key breaks with q = {} within {}",
            probability(opts.member_failure.value()),
            opts.horizon
        ),
        "keys of one entity break together".to_string(),
        if opts.team_block {
            "team members break together as one block".to_string()
        } else {
            "entities break independently of each other".to_string()
        },
        "members without a declared affiliation are counted as team".to_string(),
    ];
    if !opts.common_shock.is_zero() {
        assumptions.push(format!(
            "with probability c = {} every member breaks at once",
            probability(opts.common_shock.value())
        ));
    }
    assumptions.extend(notes);
    Ok(ProjectRiskSetup {
        actor,
        input,
        assumptions,
    })
}

/// The JSON of `l2stage risk --project --format json` (docs/risk.md): the
/// model's answer with the project, the council's actor and the
/// assumptions beside it. A `Value` (keys sorted), as printed.
pub fn project_risk_json(
    file: &ProjectFile,
    setup: &ProjectRiskSetup<'_>,
    risk: &ProjectRisk,
) -> Result<serde_json::Value, serde_json::Error> {
    let mut v = serde_json::to_value(risk)?;
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "project".into(),
            json!({"id": file.project.id.as_str(), "name": file.project.name}),
        );
        obj.insert("council_actor".into(), json!(setup.actor.id));
        obj.insert("assumptions".into(), json!(setup.assumptions));
    }
    Ok(v)
}

// ------------------------------------------- a project's council on a day

/// The project's Security Council on `as_of`: the first multisig with
/// `security_council = true` in the governance structure in force that
/// day (the dashboard's choice; `l2stage risk --project` takes the file's
/// structure whatever the day).
pub fn security_council(project: &ProjectFile, as_of: Date) -> Option<(&Governance, &Actor)> {
    let gov = project
        .governance
        .as_ref()
        .filter(|g| g.applies_on(as_of))?;
    let c = gov.security_councils().next()?;
    Some((gov, c))
}

/// The project's Security Council on `as_of` as a `K/N` shape over its
/// entities: its actor id, the shape, and whether it spans nested Safes
/// (then flattened to "any K of its N entities"). Keys of one entity count
/// once.
pub fn council_shape(project: &ProjectFile, as_of: Date) -> Option<(String, CouncilShape, bool)> {
    let (gov, c) = security_council(project, as_of)?;
    let setup = l2stage_governance::council::setup(gov, c);
    let shape = CouncilShape::new(setup.entity_threshold, setup.entities).ok()?;
    Some((c.id.clone(), shape, !setup.nested.is_empty()))
}

/// A nested council's exact model, built by [`council_input`] as
/// `l2stage risk --project` builds it, with `model`'s q per key and common
/// shock (team members independent), and its loss line under the union
/// formula: `None` for a flat council and for the nested ones the exact
/// model does not cover (those stay flattened, as in [`council_shape`]).
pub fn nested_council(
    gov: &Governance,
    actor: &Actor,
    model: &BaseModel,
) -> Option<(NestedCouncil, Line<f64>)> {
    let input = council_input(
        actor,
        gov,
        &model.member_failure,
        false,
        &model.common_shock,
    )
    .ok()?;
    match input.council {
        CouncilStructure::Nested(n) => {
            let line = n.joint().ok()?.line();
            Some((n, line))
        }
        CouncilStructure::Flat(_) | CouncilStructure::Flattened(_) => None,
    }
}

#[cfg(test)]
mod tests;
