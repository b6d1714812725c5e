//! `GET /badge/{id}.svg`: a README badge "stage | Stage 1", coloured by
//! stage, in the flat style projects already show.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use l2stage_framework::Stage;

use crate::state::App;

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

const UNKNOWN: &str = "#6e7781";

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

fn svg_response(status: StatusCode, body: String, max_age: u32) -> Response {
    let mut res = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("image/svg+xml"),
        )],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={max_age}")) {
        res.headers_mut().insert(header::CACHE_CONTROL, v);
    }
    res
}

/// The badge of a project's current stage; 404 with a grey badge for an
/// unknown project.
pub async fn badge(State(app): State<Arc<App>>, Path(file): Path<String>) -> Response {
    let not_found = || {
        svg_response(
            StatusCode::NOT_FOUND,
            svg("stage", "unknown project", UNKNOWN),
            60,
        )
    };
    let Some(id) = file.strip_suffix(".svg") else {
        return not_found();
    };
    let today = app.today();
    let day = match app.live().day(today, None) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    match day.get(id) {
        Some(item) => {
            let stage = item.assessment.verdict.stage;
            svg_response(
                StatusCode::OK,
                svg("stage", stage.label(), stage_colour(stage)),
                300,
            )
        }
        None => not_found(),
    }
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
