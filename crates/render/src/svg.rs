//! Post-processing of drawn SVG for the dashboard: a chart made lighter
//! ([`compact_svg`]), the permission graph at its natural width
//! ([`natural_width`]) and the rosette with short hover titles
//! ([`short_titles`]).

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

/// The graph at its natural width (`width="N"` instead of `width="100%"`
/// capped at N px): screens shrink it to fit with `max-width: 100%`,
/// phones show it at its size, its labels readable, scrolling in its box.
pub fn natural_width(svg: &str) -> String {
    let Some(start) = svg.find(" width=\"100%\" style=\"max-width:") else {
        return svg.to_string();
    };
    let rest = &svg[start + " width=\"100%\" style=\"max-width:".len()..];
    let Some(end) = rest.find("px\"") else {
        return svg.to_string();
    };
    let n = &rest[..end];
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return svg.to_string();
    }
    format!(
        "{} width=\"{n}\"{}",
        &svg[..start],
        &rest[end + "px\"".len()..]
    )
}

/// The rosette with its petals' hover titles cut to "category: level":
/// the texts are listed beside it, and the page stays light.
pub fn short_titles(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(i) = rest.find("<title>") {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let end = tail.find("</title>").unwrap_or(tail.len());
        let title = &tail[..end];
        out.push_str(title.split(" — ").next().unwrap_or(title));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Escape text for XML content and attribute values (the one escaper of
/// the drawings: graph, rosette); characters XML does
/// not allow become U+FFFD, line breaks become spaces.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_svg_groups_rects_and_cuts_decimals() {
        let svg = "<svg>\n<rect x=\"0\" y=\"0\" width=\"960\" height=\"640\" opacity=\"1\" fill=\"#FFFFFF\" stroke=\"none\"/>\n<rect x=\"1\" y=\"2\" width=\"3\" height=\"4\" opacity=\"0.55\" fill=\"#C82828\" stroke=\"none\"/>\n<rect x=\"5\" y=\"6\" width=\"7\" height=\"8\" opacity=\"0.55\" fill=\"#C82828\" stroke=\"none\"/>\n<text font-size=\"12.096774193548388\" opacity=\"1\">p = 1.14e-7</text>\n</svg>";
        assert_eq!(
            compact_svg(svg),
            "<svg>\n<rect x=\"0\" y=\"0\" width=\"960\" height=\"640\" fill=\"#FFFFFF\" stroke=\"none\"/>\n<g opacity=\"0.55\" fill=\"#C82828\" stroke=\"none\"><rect x=\"1\" y=\"2\" width=\"3\" height=\"4\"/><rect x=\"5\" y=\"6\" width=\"7\" height=\"8\"/></g><text font-size=\"12.1\">p = 1.14e-7</text>\n</svg>\n"
        );
    }

    #[test]
    fn the_graph_keeps_its_natural_width() {
        assert_eq!(
            natural_width(
                r#"<svg viewBox="0 0 812 300" width="100%" style="max-width:812px" role="img">"#
            ),
            r#"<svg viewBox="0 0 812 300" width="812" role="img">"#
        );
        assert_eq!(natural_width("<svg width=\"5\">"), "<svg width=\"5\">");
    }
}
