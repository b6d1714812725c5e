//! The risk summary's five categories (`l2stage_assess::risk_summary`) as
//! a small SVG rosette, as the dashboard shows it beside the stage.

use l2stage_assess::risk_summary::{Level, RiskSummary};

use crate::svg::esc;

fn fill(level: Level) -> &'static str {
    match level {
        Level::Good => "#2e9e5b",
        Level::Warning => "#e0a800",
        Level::Bad => "#d9453d",
        Level::Unknown => "#9aa0a6",
    }
}

/// The five categories as a small SVG rosette: five petals around a
/// centre, each coloured by its level, titled (hover text) with the
/// category and its text, labelled outside. Self-contained, escaped and
/// deterministic (same summary, same bytes).
/// `size` is the width in CSS pixels (height follows; 300 reads well).
pub fn rosette_svg(summary: &RiskSummary, size: u32) -> String {
    use std::fmt::Write;
    // Drawn in a 240×240 box, centre (120,120); petal i points at
    // angle -90° + 72°·i (state validation at the top, then clockwise).
    let mut s = String::new();
    let h = size * 250 / 380;
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="rosette" width="{size}" height="{h}" viewBox="-70 -5 380 250" role="img" aria-label="Risk summary">"#
    );
    for (i, (_, title, v)) in summary.entries().iter().enumerate() {
        let a0 = (-90.0 + 72.0 * i as f64 - 36.0).to_radians();
        let a1 = (-90.0 + 72.0 * i as f64 + 36.0).to_radians();
        let am = (-90.0 + 72.0 * i as f64).to_radians();
        let (r_in, r_out, r_label) = (14.0, 78.0, 100.0);
        let p = |r: f64, a: f64| (120.0 + r * a.cos(), 120.0 + r * a.sin());
        let (x0, y0) = p(r_in, a0);
        let (x1, y1) = p(r_out, a0);
        let (x2, y2) = p(r_out, a1);
        let (x3, y3) = p(r_in, a1);
        let (lx, ly) = p(r_label, am);
        let anchor = if lx < 110.0 {
            "end"
        } else if lx > 130.0 {
            "start"
        } else {
            "middle"
        };
        let _ = write!(
            s,
            r##"<path class="petal {lvl}" d="M{x0:.1} {y0:.1}L{x1:.1} {y1:.1}A{r_out} {r_out} 0 0 1 {x2:.1} {y2:.1}L{x3:.1} {y3:.1}A{r_in} {r_in} 0 0 0 {x0:.1} {y0:.1}Z" fill="{fill}" stroke="#fff" stroke-width="2"><title>{t}: {lvl} — {text}</title></path>"##,
            lvl = v.level.as_str(),
            fill = fill(v.level),
            t = esc(title),
            text = esc(&v.text),
        );
        let _ = write!(
            s,
            r#"<text x="{lx:.1}" y="{ly:.1}" font-size="11" font-family="sans-serif" text-anchor="{anchor}" dominant-baseline="middle">{}</text>"#,
            esc(title)
        );
    }
    s.push_str("</svg>");
    s
}
