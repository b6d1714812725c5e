//! A chart's SVG made lighter for the page.

/// A chart's SVG made lighter for the page, drawing the same: `opacity="1"`
/// dropped, long decimals cut to one digit, and runs of rectangles of one
/// colour grouped under a `<g>` that carries it (the regions chart draws
/// hundreds).
pub fn compact_svg(svg: &str) -> String {
    // `<rect x="1" y="2" width="3" height="4" opacity="O" fill="F" stroke="none"/>`
    fn rect_parts(line: &str) -> Option<(&str, &str)> {
        let body = line
            .trim()
            .strip_prefix("<rect ")?
            .strip_suffix(" stroke=\"none\"/>")?;
        let (geometry, paint) = body.split_at(body.find(" opacity=")?);
        paint.contains(" fill=").then_some((geometry, paint))
    }
    let mut out = String::with_capacity(svg.len());
    let mut group: Option<String> = None;
    for line in svg.lines() {
        match rect_parts(line) {
            Some((geometry, paint)) if !geometry.contains("width=\"960\"") => {
                if group.as_deref() != Some(paint) {
                    if group.is_some() {
                        out.push_str("</g>");
                    }
                    out.push_str(&format!("<g{paint} stroke=\"none\">"));
                    group = Some(paint.to_string());
                }
                out.push_str(&format!("<rect {geometry}/>"));
            }
            _ => {
                if group.take().is_some() {
                    out.push_str("</g>");
                }
                out.push_str(&shorten_decimals(&line.replace(" opacity=\"1\"", "")));
                out.push('\n');
            }
        }
    }
    if group.is_some() {
        out.push_str("</g>");
    }
    out
}

/// `font-size="12.096774193548388"` → `font-size="12.1"`: an attribute
/// that is one long decimal number is rounded to one decimal, finer than a
/// pixel; text and other values are kept.
fn shorten_decimals(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find("=\"") {
        out.push_str(&rest[..i + 2]);
        rest = &rest[i + 2..];
        let Some(end) = rest.find('"') else { break };
        let value = &rest[..end];
        let long = value.split_once('.').is_some_and(|(_, dec)| dec.len() > 3);
        match value.parse::<f64>() {
            Ok(v) if long && v.is_finite() => out.push_str(&format!("{v:.1}")),
            _ => out.push_str(value),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
