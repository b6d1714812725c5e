//! The permission graph as a model: a node per actor, per power and for
//! `anyone` when it is referenced, and an edge per "can make act" relation
//! (proposes, sends, executes, cancels, signs) and per power held, built by
//! [`describe`]. Drawing it (DOT, Mermaid, SVG) is `l2stage_render::graph`.

use l2stage_model::format_seconds;
use l2stage_model::governance::{ANYONE, ActorKind, Governance};

/// What a node stands for; decides its shape and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    Multisig,
    /// A multisig marked `security_council = true`.
    Council,
    Timelock,
    Relay,
    Dao,
    Eoa,
    /// The built-in `anyone`.
    Anyone,
    Power,
    /// Referenced but not described (only in structures that were not
    /// validated).
    Unknown,
}

/// The relation an edge draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    Proposes,
    Sends,
    Executes,
    Cancels,
    Signs,
    /// Actor → a power it holds; labelled with the power's own delay.
    Holds,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Proposes => "proposes",
            EdgeKind::Sends => "sends",
            EdgeKind::Executes => "executes",
            EdgeKind::Cancels => "cancels",
            EdgeKind::Signs => "signs",
            EdgeKind::Holds => "holds",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The actor id, `anyone`, or `power-N`.
    pub key: String,
    pub kind: NodeKind,
    /// The first (bold) line of a box: the actor's name or the power.
    pub name: String,
    /// The rest: kind, threshold, delay; a power's target.
    pub detail: String,
    /// Name and detail in one line, as DOT and Mermaid show it (and the
    /// SVG's tooltip).
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    /// Shown beside the edge: the relation, or a power's delay (may be empty).
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// The one node/edge model every rendering draws.
pub fn describe(gov: &Governance) -> Model {
    let bt = gov.block_time.and_then(|b| b.seconds(None));
    let secs =
        |d: Option<l2stage_model::DurationSpec>| d.and_then(|d| d.seconds(bt)).unwrap_or(0) as i64;
    let mut nodes = Vec::new();
    // Edges from a node key (resolved once every node exists) to a node index.
    let mut edges: Vec<(String, usize, EdgeKind, String)> = Vec::new();
    for a in &gov.actors {
        let (kind, detail) = match a.kind {
            ActorKind::Multisig => (
                if a.security_council {
                    NodeKind::Council
                } else {
                    NodeKind::Multisig
                },
                format!(
                    "{}/{} multisig{}",
                    a.threshold.unwrap_or(0),
                    a.members.len(),
                    if a.security_council {
                        ", Security Council"
                    } else {
                        ""
                    }
                ),
            ),
            ActorKind::Timelock => (
                NodeKind::Timelock,
                format!("timelock {}", format_seconds(secs(a.delay))),
            ),
            ActorKind::Relay => (
                NodeKind::Relay,
                format!("relay {}", format_seconds(secs(a.delay))),
            ),
            ActorKind::Dao => (NodeKind::Dao, "DAO".to_string()),
            ActorKind::Eoa => (NodeKind::Eoa, "EOA".to_string()),
        };
        let to = nodes.len();
        nodes.push(Node {
            key: a.id.clone(),
            kind,
            name: a.label().to_string(),
            label: format!("{} ({detail})", a.label()),
            detail,
        });
        let mut link = |from: &str, kind: EdgeKind| {
            edges.push((from.to_string(), to, kind, kind.as_str().to_string()));
        };
        let controls = if a.kind == ActorKind::Timelock {
            EdgeKind::Proposes
        } else {
            EdgeKind::Sends
        };
        for p in a.controllers() {
            link(p, controls);
        }
        for e in &a.executors {
            link(e, EdgeKind::Executes);
        }
        for c in &a.cancellers {
            link(c, EdgeKind::Cancels);
        }
        for m in a.members.iter().filter_map(|m| m.actor.as_deref()) {
            link(m, EdgeKind::Signs);
        }
    }
    for (i, p) in gov.powers.iter().enumerate() {
        let key = format!("power-{i}");
        let name = p.power.as_str().to_string();
        let mut label = name.clone();
        let mut detail = String::new();
        if let Some(t) = &p.target {
            label.push_str(&format!(": {t}"));
            detail.push_str(t);
        }
        if p.condition.is_some() {
            label.push_str(" (on-chain bug only)");
            if !detail.is_empty() {
                detail.push(' ');
            }
            detail.push_str("(on-chain bug only)");
        }
        let to = nodes.len();
        nodes.push(Node {
            key,
            kind: NodeKind::Power,
            name,
            detail,
            label,
        });
        let delay = secs(p.delay);
        edges.push((
            p.actor.clone(),
            to,
            EdgeKind::Holds,
            if delay > 0 {
                format_seconds(delay)
            } else {
                String::new()
            },
        ));
    }
    // `from` names an actor, `anyone`, or (unvalidated input) nothing
    // described: the last two get a node of their own, once.
    let actor_nodes = gov.actors.len();
    // The first node of each actor id (lookups stay linear in the edges).
    let mut first: std::collections::HashMap<String, usize> =
        std::collections::HashMap::with_capacity(actor_nodes);
    for (i, n) in nodes[..actor_nodes].iter().enumerate() {
        first.entry(n.key.clone()).or_insert(i);
    }
    let mut extra: Vec<String> = Vec::new();
    let mut extra_index: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    let mut resolved = Vec::with_capacity(edges.len());
    for (from, to, kind, label) in edges {
        let from_i = match first.get(&from).copied() {
            Some(i) => i,
            None => match extra_index.get(&from).copied() {
                Some(i) => nodes.len() - extra.len() + i,
                None => {
                    let (kind, detail) = if from == ANYONE {
                        (NodeKind::Anyone, String::new())
                    } else {
                        (NodeKind::Unknown, "not described".to_string())
                    };
                    nodes.push(Node {
                        key: from.clone(),
                        kind,
                        label: if detail.is_empty() {
                            from.clone()
                        } else {
                            format!("{from} ({detail})")
                        },
                        name: from.clone(),
                        detail,
                    });
                    extra_index.insert(from.clone(), extra.len());
                    extra.push(from);
                    nodes.len() - 1
                }
            },
        };
        resolved.push(Edge {
            from: from_i,
            to,
            kind,
            label,
        });
    }
    Model {
        nodes,
        edges: resolved,
    }
}
