//! A project's stage timeline as an SVG strip, as the project page shows
//! it.

use l2stage_assess::TimelineEntry;
use l2stage_model::Date;

/// A timeline strip: one coloured segment per period, with year ticks.
pub fn timeline_svg(entries: &[TimelineEntry], end: Date) -> String {
    timeline_svg_sized(entries, end, 1000.0, 12)
}

/// The timeline strip `w` units wide with at most `max_ticks` year ticks:
/// the page draws a 1000-wide one for screens and a 380-wide one for
/// phones, so that its 11 px labels stay 11 px instead of shrinking.
pub fn timeline_svg_sized(entries: &[TimelineEntry], end: Date, w: f64, max_ticks: i32) -> String {
    const H: f64 = 58.0;
    let Some(first) = entries.first() else {
        return String::new();
    };
    let start = first.date;
    let span = start.days_until(end).max(1) as f64;
    let x = |d: Date| (start.days_until(d) as f64 / span * w).clamp(0.0, w);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {H}" width="100%" role="img" aria-label="Stage timeline"><g font-family="system-ui, sans-serif" font-size="11">"#
    );
    for e in entries {
        let x0 = x(e.date);
        let x1 = x(e.until.unwrap_or(end));
        let colour = crate::badge::stage_colour(e.stage);
        out.push_str(&format!(
            r#"<rect x="{x0:.1}" y="4" width="{:.1}" height="26" fill="{colour}"><title>{} from {}</title></rect>"#,
            (x1 - x0).max(1.0),
            e.stage.label(),
            e.date
        ));
        if x1 - x0 > 60.0 {
            out.push_str(&format!(
                r##"<text x="{:.1}" y="21" fill="#fff" font-weight="600">{}</text>"##,
                x0 + 6.0,
                e.stage.label()
            ));
        }
    }
    let (y0, y1) = (
        start.0.format("%Y").to_string(),
        end.0.format("%Y").to_string(),
    );
    if let (Ok(y0), Ok(y1)) = (y0.parse::<i32>(), y1.parse::<i32>()) {
        // At most about a dozen ticks, whatever the span.
        let step = usize::try_from(((y1 - y0) / max_ticks.max(1)).max(1)).unwrap_or(1);
        for y in ((y0 + 1)..=y1).step_by(step) {
            if let Some(d) = Date::from_ymd(y, 1, 1) {
                let xx = x(d);
                out.push_str(&format!(
                    r##"<line x1="{xx:.1}" y1="2" x2="{xx:.1}" y2="36" stroke="#1f2328" stroke-width="1" stroke-dasharray="2,2"/><text x="{:.1}" y="50" fill="#59636e" text-anchor="middle">{y}</text>"##,
                    xx
                ));
            }
        }
    }
    out.push_str("</g></svg>");
    out
}
