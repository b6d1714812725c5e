//! The three renderings of the permission graph, the SVG read back as XML.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use l2stage_model::governance::{ActorKind, Governance, Member};
use l2stage_model::{Format, parse_str};

use l2stage_governance::graph::describe;

use super::{dot, mermaid, svg};

fn gov(body: &str) -> Governance {
    let src = format!(
        "[project]\nid = \"t\"\nname = \"T\"\nkind = \"optimistic\"\n\n[governance.exit]\nforced_inclusion = \"1d\"\nfinalization = \"7d\"\nproposing = \"permissionless\"\nchallenging = \"permissionless\"\n\n{body}"
    );
    match parse_str("t.toml", &src, Format::Toml) {
        Ok(p) => p.governance.expect("governance"),
        Err(e) => panic!("{e}\n{src}"),
    }
}

/// Every kind of node and edge: a DAO through two timelocks and a relay,
/// a council that signs for a nested Safe and cancels, `anyone`
/// executing, an EOA, powers with and without delays.
fn sample() -> Governance {
    gov(r#"
[[governance.actors]]
id = "dao"
kind = "dao"
name = "Token holders"

[[governance.actors]]
id = "council"
kind = "multisig"
name = "Example Security Council"
security_council = true
threshold = 6
members = [
  { entity = "A", affiliation = "outside" }, { entity = "B", affiliation = "outside" },
  { entity = "C", affiliation = "outside" }, { entity = "D", affiliation = "outside" },
  { entity = "E", affiliation = "outside" }, { entity = "F", affiliation = "outside" },
  { entity = "G", affiliation = "outside" }, { entity = "H", affiliation = "team" },
]

[[governance.actors]]
id = "ops"
kind = "multisig"
name = "Operations Safe"
threshold = 2
members = [{ actor = "council" }, { entity = "Team", affiliation = "team" }]

[[governance.actors]]
id = "l2-timelock"
kind = "timelock"
name = "L2 Timelock"
delay = "3d"
proposers = ["dao"]
executors = ["anyone"]
cancellers = ["council"]

[[governance.actors]]
id = "bridge"
kind = "relay"
name = "Bridge message"
delay = "7d"
senders = ["l2-timelock"]

[[governance.actors]]
id = "l1-timelock"
kind = "timelock"
name = "L1 Timelock"
delay = "2d"
proposers = ["bridge"]
executors = ["anyone"]
cancellers = ["council"]

[[governance.actors]]
id = "sequencer"
kind = "eoa"
name = "Sequencer"

[[governance.powers]]
actor = "l1-timelock"
power = "upgrade"
target = "all core contracts"

[[governance.powers]]
actor = "council"
power = "upgrade"
target = "emergency upgrades"

[[governance.powers]]
actor = "ops"
power = "change-parameters"
delay = "10d"

[[governance.powers]]
actor = "sequencer"
power = "sequence"
"#)
}

fn doc(s: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(s).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{s}"))
}

fn class_of<'a>(n: &roxmltree::Node<'a, '_>) -> &'a str {
    n.attribute("class").unwrap_or("")
}

fn groups<'a, 'i>(d: &'a roxmltree::Document<'i>, class: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    d.descendants()
        .filter(|n| n.has_tag_name("g") && class_of(n).split(' ').any(|c| c == class))
        .collect()
}

fn title(n: &roxmltree::Node) -> String {
    n.children()
        .find(|c| c.has_tag_name("title"))
        .and_then(|t| t.text())
        .unwrap_or("")
        .to_string()
}

/// The text a person reads in a node's box, lines joined by spaces.
fn shown(n: &roxmltree::Node) -> String {
    n.descendants()
        .filter(|c| c.has_tag_name("tspan"))
        .filter_map(|c| c.text())
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Debug, Clone, Copy)]
struct Bbox {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Bbox {
    fn overlaps(&self, o: &Bbox) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

fn num(n: &roxmltree::Node, a: &str) -> f64 {
    n.attribute(a)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number in {a} of {n:?}"))
}

/// The outline of a node: its first `rect` or `polygon`.
fn bbox(g: &roxmltree::Node) -> Bbox {
    let shape = g
        .children()
        .find(|c| c.has_tag_name("rect") || c.has_tag_name("polygon"))
        .expect("a node has a shape");
    if shape.has_tag_name("rect") {
        let (x, y) = (num(&shape, "x"), num(&shape, "y"));
        Bbox {
            x0: x,
            y0: y,
            x1: x + num(&shape, "width"),
            y1: y + num(&shape, "height"),
        }
    } else {
        let pts: Vec<(f64, f64)> = shape
            .attribute("points")
            .unwrap_or("")
            .split_whitespace()
            .map(|p| {
                let (x, y) = p.split_once(',').expect("x,y");
                (x.parse().expect("x"), y.parse().expect("y"))
            })
            .collect();
        Bbox {
            x0: pts.iter().map(|p| p.0).fold(f64::INFINITY, f64::min),
            y0: pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min),
            x1: pts.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max),
            y1: pts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

fn check_no_overlaps(name: &str, s: &str) {
    let d = doc(s);
    let boxes: Vec<Bbox> = groups(&d, "node").iter().map(bbox).collect();
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            assert!(!a.overlaps(b), "{name}: boxes {a:?} and {b:?} overlap");
        }
    }
    // Edge labels stay clear of the boxes.
    for l in groups(&d, "edge-label") {
        let r = bbox(&l);
        for b in &boxes {
            assert!(!r.overlaps(b), "{name}: label {r:?} covers box {b:?}");
        }
    }
    // Everything inside the view box.
    let vb: Vec<f64> = d
        .root_element()
        .attribute("viewBox")
        .expect("viewBox")
        .split(' ')
        .map(|v| v.parse().expect("number"))
        .collect();
    for b in &boxes {
        assert!(
            b.x0 >= 0.0 && b.y0 >= 0.0 && b.x1 <= vb[2] && b.y1 <= vb[3],
            "{name}: {b:?} outside {vb:?}"
        );
    }
}

fn catalog(file: &str) -> l2stage_model::ProjectFile {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../catalog")
        .join(file);
    l2stage_model::load_path(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn svg_is_a_standalone_scalable_document() {
    let s = svg(&sample());
    let d = doc(&s);
    let root = d.root_element();
    assert!(root.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
    assert_eq!(root.attribute("width"), Some("100%"));
    assert_eq!(root.attribute("role"), Some("img"));
    assert!(
        root.attribute("aria-label")
            .is_some_and(|l| l.starts_with("Permission graph"))
    );
    let vb: Vec<f64> = root
        .attribute("viewBox")
        .expect("viewBox")
        .split(' ')
        .map(|v| v.parse().expect("number"))
        .collect();
    assert_eq!(vb.len(), 4);
    assert!(vb[2] > 200.0 && vb[3] > 100.0, "{vb:?}");
    assert!(
        !s.contains("<script") && !s.contains("href"),
        "no active content"
    );
}

#[test]
fn one_node_per_actor_and_power_with_its_label() {
    let g = sample();
    let m = describe(&g);
    let s = svg(&g);
    let d = doc(&s);
    let nodes = groups(&d, "node");
    // Actors, powers, and `anyone` (referenced as executor).
    assert_eq!(nodes.len(), g.actors.len() + g.powers.len() + 1);
    assert_eq!(nodes.len(), m.nodes.len());
    for a in &g.actors {
        let n = nodes
            .iter()
            .find(|n| title(n).starts_with(&format!("{} (", a.label())))
            .unwrap_or_else(|| panic!("no node for {}", a.id));
        assert!(
            shown(n).starts_with(a.label()),
            "{} shown as {:?}",
            a.label(),
            shown(n)
        );
    }
    for p in &g.powers {
        assert!(
            nodes.iter().any(|n| class_of(n).contains("k-power")
                && shown(n).starts_with(p.power.as_str())
                && p.target.as_deref().is_none_or(|t| title(n).contains(t))),
            "no node for {:?}",
            p.power
        );
    }
    assert!(nodes.iter().any(|n| shown(n) == "anyone"));
    // Kinds are told apart by class (and so by style).
    let count = |k: &str| nodes.iter().filter(|n| class_of(n).contains(k)).count();
    assert_eq!(count("k-council"), 1);
    assert_eq!(count("k-multisig"), 1);
    assert_eq!(count("k-timelock"), 2);
    assert_eq!(count("k-relay"), 1);
    assert_eq!(count("k-dao"), 1);
    assert_eq!(count("k-eoa"), 1);
    assert_eq!(count("k-anyone"), 1);
    assert_eq!(count("k-power"), 4);
    // The legend names each kind shown.
    let legend = groups(&d, "legend")[0]
        .descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("|");
    for k in [
        "multisig",
        "Security Council",
        "timelock",
        "relay",
        "DAO",
        "anyone",
        "power",
    ] {
        assert!(legend.contains(k), "legend lacks {k}: {legend}");
    }
}

#[test]
fn one_edge_per_relation_with_arrowheads_and_labels() {
    let g = sample();
    let m = describe(&g);
    let s = svg(&g);
    let d = doc(&s);
    let edges = groups(&d, "edge");
    assert_eq!(edges.len(), m.edges.len());
    // dao proposes, anyone executes ×2, council cancels ×2, l2-timelock
    // sends, bridge proposes, council signs, and four powers.
    assert_eq!(m.edges.len(), 12);
    for e in &edges {
        let path = e.children().find(|c| c.has_tag_name("path")).expect("path");
        assert!(path.attribute("d").is_some_and(|d| d.starts_with('M')));
        let marker = path.attribute("marker-end").expect("arrowhead");
        let id = marker
            .trim_start_matches("url(#")
            .trim_end_matches(')')
            .to_string();
        assert!(
            d.descendants()
                .any(|n| n.has_tag_name("marker") && n.attribute("id") == Some(id.as_str())),
            "marker {id} missing"
        );
    }
    let labels: Vec<String> = groups(&d, "edge-label")
        .iter()
        .map(|l| {
            l.descendants()
                .filter(|n| n.has_tag_name("tspan"))
                .filter_map(|n| n.text())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    for want in [
        "proposes", "executes", "cancels", "sends", "signs", "10d", // the power's own delay
    ] {
        assert!(
            labels.iter().any(|l| l == want),
            "no {want} label in {labels:?}"
        );
    }
    assert!(
        edges
            .iter()
            .any(|e| title(e) == "Operations Safe → change-parameters: holds, after 10d")
    );
}

#[test]
fn boxes_never_overlap() {
    check_no_overlaps("sample", &svg(&sample()));
    // A wide rank: many powers held by one actor, many keys signing.
    let mut wide = String::from(
        "[[governance.actors]]\nid = \"hub\"\nkind = \"multisig\"\nthreshold = 1\nmembers = [",
    );
    for i in 0..9 {
        wide.push_str(&format!("{{ actor = \"k{i}\" }}, "));
    }
    wide.push_str("]\n");
    for i in 0..9 {
        wide.push_str(&format!(
            "[[governance.actors]]\nid = \"k{i}\"\nkind = \"eoa\"\nname = \"Key {i} with a rather long name that wraps\"\n"
        ));
        wide.push_str(&format!(
            "[[governance.powers]]\nactor = \"hub\"\npower = \"change-parameters\"\ntarget = \"parameter {i}\"\n"
        ));
    }
    check_no_overlaps("wide", &svg(&gov(&wide)));
    for f in [
        "arbitrum-one.toml",
        "op-mainnet.toml",
        "base.toml",
        "scroll.toml",
        "linea.toml",
    ] {
        let p = catalog(f);
        if let Some(g) = &p.governance {
            check_no_overlaps(f, &svg(g));
        }
    }
}

#[test]
fn cycles_are_drawn_without_hanging() {
    // Validation rejects cycles, but the drawing must not rely on it.
    let mut g = sample();
    let ops = g.actors.iter().position(|a| a.id == "ops").expect("ops");
    let council = g
        .actors
        .iter()
        .position(|a| a.id == "council")
        .expect("council");
    // ops signs for council and council for ops; ops also for itself.
    g.actors[council].members.push(Member {
        entity: None,
        affiliation: None,
        announced: true,
        actor: Some("ops".into()),
        address: None,
    });
    g.actors[ops].members.push(Member {
        entity: None,
        affiliation: None,
        announced: true,
        actor: Some("ops".into()),
        address: None,
    });
    // And a timelock that proposes to itself through the relay.
    let l2 = g
        .actors
        .iter()
        .position(|a| a.id == "l2-timelock")
        .expect("l2");
    g.actors[l2].proposers.push("l1-timelock".into());
    assert_eq!(g.actors[ops].kind, ActorKind::Multisig);
    let m = describe(&g);
    let (tx, rx) = mpsc::channel();
    let g2 = g.clone();
    std::thread::spawn(move || {
        let _ = tx.send(svg(&g2));
    });
    let s = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the layout finishes on a cyclic structure");
    let d = doc(&s);
    assert_eq!(groups(&d, "edge").len(), m.edges.len());
    check_no_overlaps("cyclic", &s);
    // DOT and Mermaid too.
    assert!(dot(&g, "T").contains("->"));
    assert!(mermaid(&g).contains("-->"));
}

#[test]
fn project_text_is_escaped() {
    let hostile = "<script>alert(\"x\")</script> & 'Co' \u{1}";
    let mut g = sample();
    g.actors[0].name = Some(hostile.to_string());
    g.powers[0].target = Some("<img src=x onerror=alert(1)> & more".into());
    let s = svg(&g);
    assert!(!s.contains("<script"), "{s}");
    assert!(!s.contains("<img"), "{s}");
    assert!(s.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;"));
    let d = doc(&s);
    let nodes = groups(&d, "node");
    // The tooltip reads back as the text itself (a control character,
    // which XML cannot hold, as U+FFFD).
    let want = format!("{} (DAO)", hostile.replace('\u{1}', "\u{FFFD}"));
    assert!(
        nodes.iter().any(|n| title(n) == want),
        "{:?}",
        nodes.iter().map(title).collect::<Vec<_>>()
    );
    // Edge tooltips carry names too.
    assert!(
        groups(&d, "edge")
            .iter()
            .any(|e| title(e).starts_with("<script>alert"))
    );
}

#[test]
fn same_structure_same_bytes() {
    let g = sample();
    let a = svg(&g);
    assert_eq!(a, svg(&g.clone()));
    assert_eq!(a, svg(&sample()));
    let p = catalog("scroll.toml");
    let g = p.governance.as_ref().expect("scroll has a structure");
    assert_eq!(svg(g), svg(g));
}

#[test]
fn catalog_graphs_name_their_security_council() {
    for (file, council) in [
        ("arbitrum-one.toml", "Arbitrum Security Council"),
        ("op-mainnet.toml", "Optimism Security Council"),
    ] {
        let p = catalog(file);
        let g = p.governance.as_ref().expect("a [governance] section");
        let s = svg(g);
        let d = doc(&s);
        let councils = groups(&d, "k-council");
        assert!(!councils.is_empty(), "{file}: no council drawn");
        assert!(
            councils.iter().any(|n| shown(n).starts_with(council)),
            "{file}: {:?}",
            councils.iter().map(|n| shown(n)).collect::<Vec<_>>()
        );
        for a in g.actors.iter().filter(|a| a.security_council) {
            assert!(
                councils
                    .iter()
                    .any(|n| title(n).starts_with(&format!("{} (", a.label()))),
                "{file}: {} not highlighted",
                a.id
            );
        }
    }
}

#[test]
fn dot_and_mermaid_keep_angle_brackets() {
    let mut g = sample();
    g.actors[0].name = Some("Vote <quorum> \"4%\" a\\b #1 | x".into());
    let d = dot(&g, "A \"quoted\" <title>");
    assert!(
        d.starts_with("digraph \"A \\\"quoted\\\" <title>\" {"),
        "{d}"
    );
    assert!(
        d.contains("[label=\"Vote <quorum> \\\"4%\\\" a\\\\b #1 | x (DAO)\", shape=house]"),
        "{d}"
    );
    let mm = mermaid(&g);
    assert!(
        mm.contains("a_dao[\"Vote #lt;quorum#gt; #quot;4%#quot; a\\b #35;1 #124; x (DAO)\"]"),
        "{mm}"
    );
    assert!(!mm.contains("<quorum>"), "{mm}");
}

#[test]
fn node_ids_are_distinct() {
    let g = gov(r#"
[[governance.actors]]
id = "a-b"
kind = "eoa"

[[governance.actors]]
id = "a_b"
kind = "eoa"

[[governance.actors]]
id = "power-0"
kind = "eoa"

[[governance.powers]]
actor = "a-b"
power = "sequence"

[[governance.powers]]
actor = "power-0"
power = "upgrade"
"#);
    let d = dot(&g, "t");
    for id in [
        "a_a_b ",
        "a_a_b_2 ",
        "a_power_0 ",
        "p_power_0 ",
        "p_power_1 ",
    ] {
        assert!(d.contains(&format!("  {id}[")), "{id} in {d}");
    }
    assert!(d.contains("a_a_b -> p_power_0"), "{d}");
    assert!(d.contains("a_power_0 -> p_power_1"), "{d}");
}

#[test]
fn an_empty_structure_is_an_empty_drawing() {
    let g = gov("");
    let s = svg(&g);
    let d = doc(&s);
    assert!(groups(&d, "node").is_empty());
    assert!(groups(&d, "edge").is_empty());
}
