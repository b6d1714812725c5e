//! `GET /badge/{id}.svg`: a README badge "stage | Stage 1", coloured by
//! stage; the SVG is drawn by `l2stage_render::badge`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use l2stage_render::badge::{UNKNOWN, stage_colour, svg};

use crate::state::App;

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
