//! The permissions, contracts and permission graph of the governance
//! structure in force on the page's day, from the typed project file.

use l2stage_model::governance::{Actor, Governance, Power, PowerKind};
use l2stage_model::{Date, ProjectFile};

/// An actor of the governance structure, for the permissions list.
pub struct ActorView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub address: Option<String>,
    /// `6/8` for a multisig.
    pub threshold: Option<String>,
    pub members: Vec<String>,
    pub delay: Option<String>,
    pub security_council: bool,
    /// What it can do: "upgrade all core contracts (no delay)".
    pub powers: Vec<String>,
}

/// A contract that can be upgraded, for the contracts list.
pub struct ContractView {
    pub name: String,
    pub address: Option<String>,
    /// Who can upgrade it, with what delay.
    pub upgraders: Vec<String>,
}

/// The permission graph as SVG, and the caption or the note saying why it
/// is not drawn. Drawn for the `[governance]` structure in force on `as_of`
/// (the one the assessment used) by `l2stage_render::graph::svg`, which
/// escapes every string of the project file.
pub fn permission_graph(project: &ProjectFile, as_of: Date) -> (Option<String>, String) {
    use l2stage_model::governance::OutOfForce;
    let Some(g) = &project.governance else {
        return (
            None,
            "Not drawn: the project file does not describe its governance structure.".into(),
        );
    };
    let note = match g.out_of_force_on(as_of) {
        Some(OutOfForce::NotYet(since)) => format!("Not drawn: the governance structure in the project file describes the project from {since}, after {as_of}."),
        Some(OutOfForce::Replaced(until)) => format!("Not drawn: the governance structure in the project file applies until {until}, when it was replaced; this page is as of {as_of}."),
        None if graph_size(g) > MAX_GRAPH_BOXES => format!("Not drawn: the structure has {} actors and powers, more than the {MAX_GRAPH_BOXES} the page draws; use l2stage graph FILE --format dot|mermaid|svg.", graph_size(g)),
        None => return (
            Some(l2stage_render::svg::natural_width(&l2stage_render::graph::svg(g))),
            "Who can act on the system, and through which delays: arrows point from who acts to what it acts on; hover a box for its full name. As text: l2stage graph FILE --format dot|mermaid|svg.".into(),
        ),
    };
    (None, note)
}

/// Above this many boxes (actors and powers) the page does not draw the
/// graph: unreadable at that size, and laying out thousands of boxes on
/// every page view would cost seconds. `l2stage graph` still draws it.
pub const MAX_GRAPH_BOXES: usize = 400;

pub fn graph_size(g: &Governance) -> usize {
    g.actors.len() + g.powers.len()
}

/// The permissions (actors) and contracts lists from the governance
/// structure in force on `as_of`.
pub fn permissions(
    project: &ProjectFile,
    as_of: Date,
) -> (Vec<ActorView>, Vec<ContractView>, String) {
    let Some(g) = project.governance.as_ref() else {
        return (
            Vec::new(),
            Vec::new(),
            "Not listed: the project file does not describe its governance structure.".into(),
        );
    };
    if !g.applies_on(as_of) {
        return (
            Vec::new(),
            Vec::new(),
            format!(
                "Not listed: the governance structure in the project file does not apply on {as_of}."
            ),
        );
    }
    let label = |id: &str| -> String {
        if id == "anyone" {
            return "anyone".into();
        }
        g.actors
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.label().to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let kind_str = |a: &Actor| a.kind.as_str().to_string();
    let delay_of = |p: &Power| match &p.delay {
        Some(d) => format!("after {d}"),
        None => {
            match g
                .actors
                .iter()
                .find(|a| a.id == p.actor)
                .and_then(|a| a.delay.as_ref())
            {
                Some(d) => format!("after its {d} delay"),
                None => "no delay".into(),
            }
        }
    };
    let actors = g
        .actors
        .iter()
        .map(|a| {
            let members: Vec<String> = a
                .members
                .iter()
                .map(|m| {
                    let who = m
                        .actor
                        .as_deref()
                        .map(&label)
                        .or_else(|| m.entity.clone())
                        .or_else(|| m.address.clone())
                        .unwrap_or_else(|| "unnamed signer".into());
                    match (&m.address, m.actor.is_some() || m.entity.is_none()) {
                        (Some(addr), false) => format!("{who} ({addr})"),
                        _ => who,
                    }
                })
                .collect();
            let mut controllers: Vec<String> = a.controllers().iter().map(|c| label(c)).collect();
            controllers.dedup();
            let mut powers: Vec<String> = g
                .powers
                .iter()
                .filter(|p| p.actor == a.id)
                .map(|p| {
                    format!(
                        "{} {} ({})",
                        p.power.as_str(),
                        p.target.as_deref().unwrap_or("the system"),
                        delay_of(p)
                    )
                })
                .collect();
            if !controllers.is_empty() {
                powers.insert(0, format!("acts for: {}", controllers.join(", ")));
            }
            ActorView {
                id: a.id.clone(),
                name: a.label().to_string(),
                kind: kind_str(a),
                address: a.address.clone(),
                threshold: a
                    .threshold
                    .map(|t| format!("{t}/{}", a.members.len().max(t as usize))),
                members,
                delay: a.delay.as_ref().map(|d| d.to_string()),
                security_council: a.security_council,
                powers,
            }
        })
        .collect();
    let mut contracts: Vec<ContractView> = Vec::new();
    for p in g.powers.iter().filter(|p| p.power == PowerKind::Upgrade) {
        let name = p.target.clone().unwrap_or_else(|| "the system".into());
        let who = format!("{} ({})", label(&p.actor), delay_of(p));
        match contracts
            .iter_mut()
            .find(|c| c.name == name && c.address == p.address)
        {
            Some(c) => c.upgraders.push(who),
            None => contracts.push(ContractView {
                name,
                address: p.address.clone(),
                upgraders: vec![who],
            }),
        }
    }
    (
        actors,
        contracts,
        "From the project file's governance structure: who holds each permission, and with what delay.".into(),
    )
}
