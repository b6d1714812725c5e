//! The permission graph as a standalone SVG document, laid out by
//! [`super::layout`]: fixed-size boxes whose text is wrapped (and cut with
//! "…" when too long; the tooltip has it whole), curved edges with
//! arrowheads and labels, and a legend of the node kinds shown.
//!
//! Every string from the project file goes through [`esc`]; the output is
//! the same bytes for the same structure.

use std::fmt::Write as _;

use l2stage_model::governance::Governance;

use crate::svg::esc;

use super::layout::{self, Placed, Spec};
use l2stage_governance::graph::{EdgeKind, Model, NodeKind, describe};

/// Box size: wide enough for two dozen characters a line, four lines.
const BOX_W: f64 = 212.0;
const BOX_H: f64 = 72.0;
const PAD: f64 = 9.0;
const MARGIN: f64 = 16.0;
const NAME_PX: f64 = 12.0;
const DETAIL_PX: f64 = 11.0;
const LINE: f64 = 14.5;
const LINES: usize = 4;
const LABEL_PX: f64 = 10.5;
/// The page's content column: the orientation that fits it is preferred.
const FIT_WIDTH: f64 = 1120.0;
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/// Approximate advance of `c` in em, on the wide side (DejaVu Sans, the
/// usual fallback, is wider than Helvetica or Segoe UI) so text fits.
fn em(c: char) -> f64 {
    match c {
        ' ' => 0.32,
        'i' | 'j' | 'l' | '\'' | '|' | '!' | '.' | ',' | ':' | ';' | 'I' => 0.3,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '{' | '}' | '-' | '/' | '\\' | '"' => 0.42,
        'm' | 'w' => 0.95,
        'M' | 'W' => 0.98,
        'A'..='Z' => 0.76,
        'a'..='z' => 0.63,
        '0'..='9' => 0.64,
        '…' => 1.0,
        c if c.is_ascii() => 0.8,
        // CJK and other wide scripts.
        c if ('\u{1100}'..='\u{115F}').contains(&c)
            || ('\u{2E80}'..='\u{A4CF}').contains(&c)
            || ('\u{AC00}'..='\u{D7A3}').contains(&c)
            || ('\u{F900}'..='\u{FAFF}').contains(&c)
            || ('\u{FF00}'..='\u{FF60}').contains(&c)
            || ('\u{1F300}'..='\u{1FAFF}').contains(&c) =>
        {
            1.05
        }
        _ => 0.72,
    }
}

fn width(s: &str, px: f64, bold: bool) -> f64 {
    let w: f64 = s.chars().map(em).sum::<f64>() * px;
    if bold { w * 1.1 } else { w }
}

/// Wrap `text` into at most `max_lines` lines of `max` width; words longer
/// than a line are broken; what does not fit is cut with "…".
fn wrap(text: &str, px: f64, bold: bool, max: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let cand = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if width(&cand, px, bold) <= max {
            cur = cand;
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        // Too long for a line: break it, at a camelCase or punctuation
        // boundary in the second half of the line when there is one.
        for c in word.chars() {
            let mut next = cur.clone();
            next.push(c);
            if !cur.is_empty() && width(&next, px, bold) > max {
                let chars: Vec<char> = cur.chars().collect();
                let cut = (chars.len() / 2 + 1..chars.len()).rev().find(|&i| {
                    let (a, b) = (chars[i - 1], chars[i]);
                    (a.is_lowercase() && b.is_uppercase())
                        || matches!(a, '-' | '_' | '/' | '.' | ':')
                });
                match cut {
                    Some(i) => {
                        lines.push(chars[..i].iter().collect());
                        cur = chars[i..].iter().collect();
                        cur.push(c);
                    }
                    None => {
                        lines.push(std::mem::take(&mut cur));
                        cur.push(c);
                    }
                }
            } else {
                cur = next;
            }
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        let Some(last) = lines.last_mut() else {
            return lines;
        };
        loop {
            let cand = format!("{}…", last.trim_end());
            if width(&cand, px, bold) <= max || last.is_empty() {
                *last = cand;
                break;
            }
            last.pop();
        }
    }
    lines
}

struct Style {
    fill: &'static str,
    stroke: &'static str,
    stroke_width: f64,
    dash: Option<&'static str>,
    legend: &'static str,
    /// `k-…` class of the node's group.
    class: &'static str,
}

fn style(kind: NodeKind) -> Style {
    let s = |fill, stroke, legend, class| Style {
        fill,
        stroke,
        stroke_width: 1.3,
        dash: None,
        legend,
        class,
    };
    match kind {
        NodeKind::Multisig => s("#e8f0fe", "#3b6fc4", "multisig", "multisig"),
        NodeKind::Council => Style {
            stroke_width: 2.6,
            ..s("#fff4cc", "#b7791f", "Security Council", "council")
        },
        NodeKind::Timelock => s("#f1ebfd", "#6f42c1", "timelock", "timelock"),
        NodeKind::Relay => s("#e7f5ec", "#2f855a", "relay", "relay"),
        NodeKind::Dao => s("#e0f4f4", "#0f766e", "DAO", "dao"),
        NodeKind::Eoa => s("#f1f3f5", "#5b6470", "EOA (one key)", "eoa"),
        NodeKind::Anyone => Style {
            dash: Some("5 3"),
            ..s("#ffffff", "#5b6470", "anyone", "anyone")
        },
        NodeKind::Power => s("#fdeceb", "#c0392b", "power", "power"),
        NodeKind::Unknown => Style {
            dash: Some("2 3"),
            ..s("#ffffff", "#8b939c", "not described", "unknown")
        },
    }
}

fn edge_colour(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Proposes | EdgeKind::Sends => "#3d4550",
        EdgeKind::Executes => "#2563eb",
        EdgeKind::Cancels => "#c2410c",
        EdgeKind::Signs => "#7a828c",
        EdgeKind::Holds => "#a93226",
    }
}

/// Every edge kind once, for the arrowhead markers (one per colour).
const EDGE_KINDS: [EdgeKind; 6] = [
    EdgeKind::Proposes,
    EdgeKind::Sends,
    EdgeKind::Executes,
    EdgeKind::Cancels,
    EdgeKind::Signs,
    EdgeKind::Holds,
];

/// The outline of a node box of `kind` at `(x, y)` of size `w`×`h`.
fn shape(kind: NodeKind, x: f64, y: f64, w: f64, h: f64) -> String {
    let st = style(kind);
    let paint = format!(
        r#"fill="{}" stroke="{}" stroke-width="{}"{}"#,
        st.fill,
        st.stroke,
        st.stroke_width,
        st.dash
            .map(|d| format!(r#" stroke-dasharray="{d}""#))
            .unwrap_or_default()
    );
    let rect = |rx: f64| {
        format!(
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="{rx:.1}" {paint}/>"#
        )
    };
    match kind {
        NodeKind::Timelock => {
            // Cut corners: a stretched octagon.
            let c = (h / 4.0).min(12.0);
            let (x1, y1) = (x + w, y + h);
            format!(
                r#"<polygon points="{:.1},{y:.1} {:.1},{y:.1} {x1:.1},{:.1} {x1:.1},{:.1} {:.1},{y1:.1} {:.1},{y1:.1} {x:.1},{:.1} {x:.1},{:.1}" {paint}/>"#,
                x + c,
                x1 - c,
                y + c,
                y1 - c,
                x1 - c,
                x + c,
                y1 - c,
                y + c
            )
        }
        NodeKind::Relay => {
            // A box with a chevron band on its left.
            let band = (w * 0.07).clamp(5.0, 12.0);
            format!(
                r#"{}<path d="M{:.1},{:.1} l{:.1},{:.1} l{:.1},{:.1}" fill="none" stroke="{}" stroke-width="1.3"/>"#,
                rect(3.0),
                x + band * 0.5,
                y + h * 0.3,
                band * 0.6,
                h * 0.2,
                -band * 0.6,
                h * 0.2,
                st.stroke
            )
        }
        NodeKind::Dao => rect(h.min(w) / 3.0),
        NodeKind::Eoa | NodeKind::Anyone | NodeKind::Unknown => rect(h.min(w) / 2.0),
        NodeKind::Power => format!(
            r#"{}<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="{}"/>"#,
            rect(2.0),
            (w * 0.03).clamp(3.0, 6.0),
            st.stroke
        ),
        NodeKind::Multisig | NodeKind::Council => rect(5.0),
    }
}

/// Left to right (ranks along x) or top down (ranks along y).
#[derive(Clone, Copy, PartialEq)]
enum Dir {
    Right,
    Down,
}

impl Dir {
    fn xy(self, (o, r): (f64, f64)) -> (f64, f64) {
        match self {
            Dir::Right => (r + MARGIN, o + MARGIN),
            Dir::Down => (o + MARGIN, r + MARGIN),
        }
    }
}

struct Drawn {
    dir: Dir,
    placed: Placed,
    width: f64,
    height: f64,
}

fn place(m: &Model, dir: Dir) -> Drawn {
    let edges: Vec<(usize, usize)> = m.edges.iter().map(|e| (e.from, e.to)).collect();
    let pins: Vec<bool> = m.nodes.iter().map(|n| n.kind == NodeKind::Power).collect();
    let spec = match dir {
        Dir::Right => Spec {
            size_o: BOX_H,
            size_r: BOX_W,
            gap_o: 18.0,
            gap_r: 84.0,
        },
        Dir::Down => Spec {
            size_o: BOX_W,
            size_r: BOX_H,
            gap_o: 22.0,
            gap_r: 66.0,
        },
    };
    let placed = layout::layout(m.nodes.len(), &edges, &pins, &spec);
    let (w, h) = dir.xy(placed.extent);
    Drawn {
        dir,
        width: w + MARGIN,
        height: h + MARGIN,
        placed,
    }
}

/// The cubic Bézier curve (its four points) from `p` to `q`, leaving and
/// entering across the ranks.
fn curve(dir: Dir, p: (f64, f64), q: (f64, f64)) -> [(f64, f64); 4] {
    let (c1, c2) = match dir {
        Dir::Right => {
            let d = (q.0 - p.0) / 2.0;
            ((p.0 + d, p.1), (q.0 - d, q.1))
        }
        Dir::Down => {
            let d = (q.1 - p.1) / 2.0;
            ((p.0, p.1 + d), (q.0, q.1 - d))
        }
    };
    [p, c1, c2, q]
}

fn at(c: &[(f64, f64); 4], t: f64) -> (f64, f64) {
    let u = 1.0 - t;
    let (a, b, d, e) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    (
        a * c[0].0 + b * c[1].0 + d * c[2].0 + e * c[3].0,
        a * c[0].1 + b * c[1].1 + d * c[2].1 + e * c[3].1,
    )
}

#[derive(Clone, Copy)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// Rectangles already placed, found by the grid cells they cover, so that
/// placing each label costs its neighbours, not every label before it.
#[derive(Default)]
struct Taken {
    rects: Vec<Rect>,
    cells: std::collections::HashMap<(i64, i64), Vec<usize>>,
    /// Rectangles covering too many cells to index (none in practice).
    wide: Vec<usize>,
}

impl Taken {
    const CELL: f64 = 256.0;
    const MAX_CELLS: i64 = 64;

    /// The cells `r` covers, or `None` when they are too many.
    fn span(r: &Rect) -> Option<(i64, i64, i64, i64)> {
        let c = |v: f64| (v / Self::CELL).floor() as i64;
        let (x0, x1, y0, y1) = (c(r.x), c(r.x + r.w), c(r.y), c(r.y + r.h));
        let count = |a: i64, b: i64| b.saturating_sub(a).saturating_add(1);
        (x1 >= x0 && y1 >= y0 && count(x0, x1).saturating_mul(count(y0, y1)) <= Self::MAX_CELLS)
            .then_some((x0, x1, y0, y1))
    }

    fn push(&mut self, r: Rect) {
        let i = self.rects.len();
        self.rects.push(r);
        match Self::span(&r) {
            Some((x0, x1, y0, y1)) => {
                for x in x0..=x1 {
                    for y in y0..=y1 {
                        self.cells.entry((x, y)).or_default().push(i);
                    }
                }
            }
            None => self.wide.push(i),
        }
    }

    fn overlaps(&self, r: &Rect) -> bool {
        let hit = |i: &usize| self.rects[*i].overlaps(r);
        if self.wide.iter().any(hit) {
            return true;
        }
        match Self::span(r) {
            Some((x0, x1, y0, y1)) => (x0..=x1).any(|x| {
                (y0..=y1).any(|y| self.cells.get(&(x, y)).is_some_and(|v| v.iter().any(hit)))
            }),
            None => self.rects.iter().any(|t| t.overlaps(r)),
        }
    }
}

/// The permission graph of `gov` as a standalone SVG document.
pub fn svg(gov: &Governance) -> String {
    let m = describe(gov);
    // The orientation that needs the least shrinking to fit the page;
    // then the shorter one; then left to right.
    let right = place(&m, Dir::Right);
    let down = place(&m, Dir::Down);
    let score = |d: &Drawn| (d.width.max(FIT_WIDTH), d.height);
    let d = if score(&down).0 < score(&right).0
        || (score(&down).0 == score(&right).0 && score(&down).1 < score(&right).1)
    {
        down
    } else {
        right
    };
    render(&m, &d)
}

fn render(m: &Model, d: &Drawn) -> String {
    let dir = d.dir;
    let boxes: Vec<Rect> = d
        .placed
        .centers
        .iter()
        .map(|&c| {
            let (x, y) = dir.xy(c);
            Rect {
                x: x - BOX_W / 2.0,
                y: y - BOX_H / 2.0,
                w: BOX_W,
                h: BOX_H,
            }
        })
        .collect();

    // Legend: the node kinds present, in a fixed order, wrapped in rows.
    let mut kinds: Vec<NodeKind> = m.nodes.iter().map(|n| n.kind).collect();
    kinds.sort();
    kinds.dedup();
    let mut legend = String::new();
    let (mut lx, mut ly) = (MARGIN, d.height + 6.0);
    let avail = d.width.max(420.0) - MARGIN;
    for k in &kinds {
        let st = style(*k);
        let item_w = 30.0 + width(st.legend, 11.0, false) + 18.0;
        if lx + item_w > avail && lx > MARGIN {
            lx = MARGIN;
            ly += 24.0;
        }
        legend.push_str(&shape(*k, lx, ly, 24.0, 16.0));
        let _ = write!(
            legend,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#3d4550">{}</text>"##,
            lx + 30.0,
            ly + 12.0,
            st.legend
        );
        lx += item_w;
    }
    let total_w = d.width.max(420.0);
    let total_h = ly + 16.0 + MARGIN;

    let mut s = String::new();
    let actors = m
        .nodes
        .iter()
        .filter(|n| !matches!(n.kind, NodeKind::Power | NodeKind::Anyone))
        .count();
    let powers = m.nodes.iter().filter(|n| n.kind == NodeKind::Power).count();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total_w:.0} {total_h:.0}" width="100%" style="max-width:{total_w:.0}px" role="img" aria-label="Permission graph: {actors} actor{}, {powers} power{}; arrows point from who acts to what it acts on" class="permission-graph" font-family="{FONT}">"#,
        if actors == 1 { "" } else { "s" },
        if powers == 1 { "" } else { "s" },
    );
    s.push_str("<defs>");
    let mut colours: Vec<&str> = EDGE_KINDS.iter().map(|k| edge_colour(*k)).collect();
    colours.sort_unstable();
    colours.dedup();
    for c in &colours {
        let _ = write!(
            s,
            r#"<marker id="pg-arrow-{}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>"#,
            &c[1..]
        );
    }
    s.push_str("</defs>");

    // Edges under the boxes; labels placed after, clear of boxes and of
    // each other where possible.
    let mut taken = Taken::default();
    for b in &boxes {
        taken.push(*b);
    }
    let mut labels = String::new();
    let mut drawn: Vec<Vec<[(f64, f64); 4]>> = Vec::with_capacity(m.edges.len());
    s.push_str(r#"<g class="edges" fill="none">"#);
    for (e, route) in m.edges.iter().zip(&d.placed.routes) {
        let colour = edge_colour(e.kind);
        let pts: Vec<(f64, f64)> = route.points.iter().map(|&p| dir.xy(p)).collect();
        let segs: Vec<[(f64, f64); 4]> = if route.self_loop {
            vec![[pts[0], pts[1], pts[2], pts[3]]]
        } else {
            pts.windows(2).map(|w| curve(dir, w[0], w[1])).collect()
        };
        let mut path = format!("M{:.1},{:.1}", segs[0][0].0, segs[0][0].1);
        for c in &segs {
            let _ = write!(
                path,
                " C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
                c[1].0, c[1].1, c[2].0, c[2].1, c[3].0, c[3].1
            );
        }
        let what = if e.kind == EdgeKind::Holds {
            if e.label.is_empty() {
                "holds".to_string()
            } else {
                format!("holds, after {}", e.label)
            }
        } else {
            e.kind.as_str().to_string()
        };
        let dash = match e.kind {
            EdgeKind::Signs => r#" stroke-dasharray="4 3""#,
            EdgeKind::Cancels => r#" stroke-dasharray="6 3""#,
            _ => "",
        };
        let _ = write!(
            s,
            r#"<g class="edge e-{}"><title>{} → {}: {what}</title><path d="{path}" stroke="{colour}" stroke-width="1.4"{dash} marker-end="url(#pg-arrow-{})"/></g>"#,
            e.kind.as_str(),
            esc(&m.nodes[e.from].name),
            esc(&m.nodes[e.to].name),
            &colour[1..]
        );
        drawn.push(segs);
    }
    s.push_str("</g>");

    // Labels: one per pair of nodes, its relations stacked (each in its
    // edge's colour), so parallel edges do not pile their labels up.
    let mut groups: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    let mut group_of: std::collections::HashMap<(usize, usize), usize> =
        std::collections::HashMap::new();
    for (i, e) in m.edges.iter().enumerate() {
        if e.label.is_empty() {
            continue;
        }
        match group_of.get(&(e.from, e.to)) {
            Some(&g) => groups[g].2.push(i),
            None => {
                group_of.insert((e.from, e.to), groups.len());
                groups.push((e.from, e.to, vec![i]));
            }
        }
    }
    for (_, _, members) in &groups {
        let mut lines: Vec<(&str, &str)> = Vec::new();
        for &i in members {
            let e = &m.edges[i];
            if !lines.iter().any(|l| l.0 == e.label) {
                lines.push((e.label.as_str(), edge_colour(e.kind)));
            }
        }
        let lw = lines
            .iter()
            .map(|l| width(l.0, LABEL_PX, false))
            .fold(0.0, f64::max)
            + 6.0;
        let step = LABEL_PX + 2.0;
        let lh = step * lines.len() as f64 + 2.0;
        let mid = members[members.len() / 2];
        let segs = &drawn[mid];
        let mut candidates = Vec::new();
        for t in [0.5, 0.38, 0.62, 0.26, 0.74] {
            for c in segs {
                candidates.push(at(c, t));
            }
        }
        let boxed = |(x, y): (f64, f64)| Rect {
            x: x - lw / 2.0,
            y: y - lh / 2.0,
            w: lw,
            h: lh,
        };
        let pick = candidates
            .iter()
            .map(|&p| boxed(p))
            .find(|r| !taken.overlaps(r))
            .unwrap_or_else(|| boxed(candidates[0]));
        taken.push(pick);
        let _ = write!(
            labels,
            r##"<g class="edge-label"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="3" fill="#ffffff" fill-opacity="0.9"/><text text-anchor="middle" font-size="{LABEL_PX}">"##,
            pick.x, pick.y, pick.w, pick.h,
        );
        for (j, (text, colour)) in lines.iter().enumerate() {
            let _ = write!(
                labels,
                r#"<tspan x="{:.1}" y="{:.1}" fill="{colour}">{}</tspan>"#,
                pick.x + pick.w / 2.0,
                pick.y + step * (j as f64 + 1.0) - 2.0,
                esc(text)
            );
        }
        labels.push_str("</text></g>");
    }

    s.push_str(r#"<g class="nodes">"#);
    let text_w = BOX_W - 2.0 * PAD - 6.0;
    for (n, b) in m.nodes.iter().zip(&boxes) {
        let st = style(n.kind);
        // The name may use every line when there is no detail under it.
        let name_lines = if n.detail.is_empty() {
            LINES
        } else {
            LINES - 1
        };
        let name = wrap(&n.name, NAME_PX, true, text_w, name_lines);
        let detail = if n.detail.is_empty() {
            Vec::new()
        } else {
            wrap(&n.detail, DETAIL_PX, false, text_w, LINES - name.len())
        };
        let used = (name.len() + detail.len()) as f64;
        let cx = b.x + b.w / 2.0 + if n.kind == NodeKind::Power { 2.0 } else { 0.0 };
        let mut y = b.y + (b.h - used * LINE) / 2.0 + LINE - 3.5;
        let _ = write!(
            s,
            r#"<g class="node k-{}"><title>{}</title>{}"#,
            st.class,
            esc(&n.label),
            shape(n.kind, b.x, b.y, b.w, b.h)
        );
        let _ = write!(
            s,
            r##"<text class="name" text-anchor="middle" font-size="{NAME_PX}" font-weight="600" fill="#1f2328">"##
        );
        for l in &name {
            let _ = write!(s, r#"<tspan x="{cx:.1}" y="{y:.1}">{}</tspan>"#, esc(l));
            y += LINE;
        }
        s.push_str("</text>");
        if !detail.is_empty() {
            let _ = write!(
                s,
                r##"<text class="detail" text-anchor="middle" font-size="{DETAIL_PX}" fill="#4b5563">"##
            );
            for l in &detail {
                let _ = write!(s, r#"<tspan x="{cx:.1}" y="{y:.1}">{}</tspan>"#, esc(l));
                y += LINE;
            }
            s.push_str("</text>");
        }
        s.push_str("</g>");
    }
    s.push_str("</g>");
    let _ = write!(s, r#"<g class="labels">{labels}</g>"#);
    let _ = write!(s, r#"<g class="legend">{legend}</g>"#);
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests;
