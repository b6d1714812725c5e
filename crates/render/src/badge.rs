//! A README badge "stage | Stage 1", coloured by stage, in the flat style
//! projects already show (served by the server's `GET /badge/{id}.svg`).

use l2stage_framework::Stage;

/// Background colour of a stage (badge and dashboard share it). Dark
/// enough for white text.
pub fn stage_colour(stage: Stage) -> &'static str {
    match stage {
        Stage::Stage2 => "#1a7f37",
        Stage::Stage1 => "#4d8c1f",
        Stage::Stage0 => "#b35900",
        Stage::NotStage0 => "#b42318",
        Stage::UnderReview => "#1f6feb",
    }
}

/// Background of a badge that names no stage (an unknown project).
pub const UNKNOWN: &str = "#6e7781";

/// Approximate advance width of a character in 11px Verdana.
fn char_width(c: char) -> f32 {
    match c {
        ' ' => 3.9,
        'i' | 'l' | 'j' | '.' | ',' | ':' | '|' | '\'' => 3.4,
        'f' | 't' | 'r' | 'I' | '(' | ')' | '-' => 4.8,
        'm' | 'w' | 'M' | 'W' => 10.0,
        c if c.is_ascii_uppercase() => 7.6,
        c if c.is_ascii_digit() => 7.0,
        _ => 6.8,
    }
}

fn text_width(s: &str) -> u32 {
    s.chars().map(char_width).sum::<f32>().ceil() as u32
}

/// The badge SVG. `label` and `value` are fixed strings (stage labels),
/// never text from a project file.
pub fn svg(label: &str, value: &str, colour: &str) -> String {
    let lw = text_width(label) + 12;
    let rw = text_width(value) + 12;
    let w = lw + rw;
    let lx = lw as f32 / 2.0;
    let rx = lw as f32 + rw as f32 / 2.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{label}: {value}"><title>{label}: {value}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{rw}" height="20" fill="{colour}"/><rect width="{w}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="{lx}" y="15" fill="#010101" fill-opacity=".3">{label}</text><text x="{lx}" y="14">{label}</text><text x="{rx}" y="15" fill="#010101" fill-opacity=".3">{value}</text><text x="{rx}" y="14">{value}</text></g></svg>"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_is_wide_enough_for_its_text() {
        let s = svg("stage", "Not even Stage 0", "#000");
        assert!(s.starts_with("<svg"));
        assert!(s.contains(">Not even Stage 0</text>"));
        assert!(text_width("Not even Stage 0") > text_width("Stage 1"));
    }
}
