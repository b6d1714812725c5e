//! The permission graph drawn for reviewers: Graphviz DOT, Mermaid, or a
//! standalone SVG laid out here (no Graphviz, no JavaScript).
//!
//! All three draw one model, built by `l2stage_governance::graph::describe`:
//! a node per actor, per power and for `anyone` when it is referenced, and
//! an edge per "can make act" relation and per power held.

mod layout;
mod svg;
#[cfg(test)]
mod tests;

use l2stage_governance::graph::{Node, NodeKind, describe};
use l2stage_model::governance::Governance;

pub use svg::svg;

/// Node ids safe for both DOT and Mermaid, one per node and all distinct
/// (`a-b` and `a_b` would otherwise meet as `a_a_b`).
fn node_ids(nodes: &[Node]) -> Vec<String> {
    let mut used = std::collections::BTreeSet::new();
    nodes
        .iter()
        .map(|n| {
            let clean: String = n
                .key
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let base = match n.kind {
                NodeKind::Power => format!("p_{clean}"),
                _ => format!("a_{clean}"),
            };
            let mut id = base.clone();
            let mut k = 2;
            while !used.insert(id.clone()) {
                id = format!("{base}_{k}");
                k += 1;
            }
            id
        })
        .collect()
}

/// Text inside a quoted DOT string: `<`, `>`, `{`, `|` are plain text
/// there (no record or HTML labels are used); only the quote and the
/// backslash (DOT's escapes such as `\N`) need escaping.
fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a quoted Mermaid label: characters Mermaid would read as
/// syntax or HTML become its entity codes (`#lt;` renders `<`).
fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn dot_shape(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Multisig | NodeKind::Council => "box",
        NodeKind::Timelock => "hexagon",
        NodeKind::Relay => "cds",
        NodeKind::Dao => "house",
        NodeKind::Eoa | NodeKind::Anyone | NodeKind::Unknown => "ellipse",
        NodeKind::Power => "note",
    }
}

/// Graphviz DOT.
pub fn dot(gov: &Governance, title: &str) -> String {
    let m = describe(gov);
    let ids = node_ids(&m.nodes);
    let mut s = format!(
        "digraph \"{}\" {{\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n",
        dot_text(title)
    );
    for (n, id) in m.nodes.iter().zip(&ids) {
        s.push_str(&format!(
            "  {id} [label=\"{}\", shape={}];\n",
            dot_text(&n.label),
            dot_shape(n.kind)
        ));
    }
    for e in &m.edges {
        s.push_str(&format!(
            "  {} -> {} [label=\"{}\"];\n",
            ids[e.from],
            ids[e.to],
            dot_text(&e.label)
        ));
    }
    s.push_str("}\n");
    s
}

/// Mermaid flowchart.
pub fn mermaid(gov: &Governance) -> String {
    let m = describe(gov);
    let ids = node_ids(&m.nodes);
    let mut s = String::from("flowchart LR\n");
    for (n, id) in m.nodes.iter().zip(&ids) {
        let (open, close) = match dot_shape(n.kind) {
            "hexagon" => ("{{", "}}"),
            "note" => (">", "]"),
            "ellipse" => ("([", "])"),
            _ => ("[", "]"),
        };
        s.push_str(&format!(
            "  {id}{open}\"{}\"{close}\n",
            mermaid_text(&n.label)
        ));
    }
    for e in &m.edges {
        if e.label.is_empty() {
            s.push_str(&format!("  {} --> {}\n", ids[e.from], ids[e.to]));
        } else {
            s.push_str(&format!(
                "  {} -->|\"{}\"| {}\n",
                ids[e.from],
                mermaid_text(&e.label),
                ids[e.to]
            ));
        }
    }
    s
}
