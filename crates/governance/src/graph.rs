//! The permission graph drawn for reviewers: Graphviz DOT or Mermaid.

use l2stage_model::format_seconds;
use l2stage_model::governance::{ANYONE, ActorKind, Governance};

/// Node ids safe for both syntaxes.
fn node(id: &str) -> String {
    let mut s: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    s.insert_str(0, "a_");
    s
}

/// Label text safe inside a quoted DOT string / Mermaid label.
fn text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "'")
        .replace(['\n', '\r'], " ")
        .replace(['<', '>', '{', '}', '|', '[', ']'], " ")
}

struct Edge {
    from: String,
    to: String,
    label: String,
}

fn describe(gov: &Governance) -> (Vec<(String, String, &'static str)>, Vec<Edge>) {
    let bt = gov.block_time.and_then(|b| b.seconds(None));
    let secs =
        |d: Option<l2stage_model::DurationSpec>| d.and_then(|d| d.seconds(bt)).unwrap_or(0) as i64;
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mut uses_anyone = false;
    for a in &gov.actors {
        let (detail, shape) = match a.kind {
            ActorKind::Multisig => (
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
                "box",
            ),
            ActorKind::Timelock => (
                format!("timelock {}", format_seconds(secs(a.delay))),
                "hexagon",
            ),
            ActorKind::Relay => (format!("relay {}", format_seconds(secs(a.delay))), "cds"),
            ActorKind::Dao => ("DAO".to_string(), "house"),
            ActorKind::Eoa => ("EOA".to_string(), "ellipse"),
        };
        nodes.push((a.id.clone(), format!("{} ({detail})", a.label()), shape));
        let link = |from: &str, label: &str, edges: &mut Vec<Edge>| {
            edges.push(Edge {
                from: from.to_string(),
                to: a.id.clone(),
                label: label.to_string(),
            });
        };
        for p in a.controllers() {
            uses_anyone |= p == ANYONE;
            link(
                p,
                if a.kind == ActorKind::Timelock {
                    "proposes"
                } else {
                    "sends"
                },
                &mut edges,
            );
        }
        for e in &a.executors {
            uses_anyone |= e == ANYONE;
            link(e, "executes", &mut edges);
        }
        for c in &a.cancellers {
            uses_anyone |= c == ANYONE;
            link(c, "cancels", &mut edges);
        }
        for m in a.members.iter().filter_map(|m| m.actor.as_deref()) {
            link(m, "signs", &mut edges);
        }
    }
    for (i, p) in gov.powers.iter().enumerate() {
        let id = format!("power-{i}");
        let mut label = p.power.as_str().to_string();
        if let Some(t) = &p.target {
            label.push_str(&format!(": {t}"));
        }
        if p.condition.is_some() {
            label.push_str(" (on-chain bug only)");
        }
        nodes.push((id.clone(), label, "note"));
        uses_anyone |= p.actor == ANYONE;
        let delay = secs(p.delay);
        edges.push(Edge {
            from: p.actor.clone(),
            to: id,
            label: if delay > 0 {
                format_seconds(delay)
            } else {
                String::new()
            },
        });
    }
    if uses_anyone {
        nodes.push((ANYONE.to_string(), "anyone".to_string(), "ellipse"));
    }
    (nodes, edges)
}

/// Graphviz DOT.
pub fn dot(gov: &Governance, title: &str) -> String {
    let (nodes, edges) = describe(gov);
    let mut s = format!(
        "digraph \"{}\" {{\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n",
        text(title)
    );
    for (id, label, shape) in nodes {
        s.push_str(&format!(
            "  {} [label=\"{}\", shape={shape}];\n",
            node(&id),
            text(&label)
        ));
    }
    for e in edges {
        s.push_str(&format!(
            "  {} -> {} [label=\"{}\"];\n",
            node(&e.from),
            node(&e.to),
            text(&e.label)
        ));
    }
    s.push_str("}\n");
    s
}

/// Mermaid flowchart.
pub fn mermaid(gov: &Governance) -> String {
    let (nodes, edges) = describe(gov);
    let mut s = String::from("flowchart LR\n");
    for (id, label, shape) in nodes {
        let (open, close) = match shape {
            "hexagon" => ("{{", "}}"),
            "note" => (">", "]"),
            "ellipse" => ("([", "])"),
            _ => ("[", "]"),
        };
        s.push_str(&format!(
            "  {}{open}\"{}\"{close}\n",
            node(&id),
            text(&label)
        ));
    }
    for e in edges {
        if e.label.is_empty() {
            s.push_str(&format!("  {} --> {}\n", node(&e.from), node(&e.to)));
        } else {
            s.push_str(&format!(
                "  {} -->|\"{}\"| {}\n",
                node(&e.from),
                text(&e.label),
                node(&e.to)
            ));
        }
    }
    s
}
