//! The dashboard: server-rendered pages, no JavaScript. Sorting and
//! filtering are plain links and a GET form. Every string from a project
//! file goes through askama's HTML escaping; evidence becomes a link only
//! when it starts with `http://` or `https://`.
//!
//! Each page is a module that fills its askama template from typed view
//! models, each built from the typed assessment or stored record it shows
//! (`ExitView::from(&Assessment)`, `LabelsView::from(&Labels)`,
//! `TimelineRow::from(&TimelineEntry)`, ...), never from the assessment's
//! JSON:
//!
//! * pages: `index.rs` (`/`), `project.rs` (`/projects/{id}`), `risk.rs`
//!   (`/risk`);
//! * views they share: `exit.rs` (exit window), `verdict.rs` (verdict
//!   sentence, checklist, what is missing, a pending downgrade),
//!   `labels.rs`, `risks.rs` (the five risk categories), `governance.rs`
//!   (permissions, contracts, graph), `timeline.rs` (stage timeline and
//!   stored assessments), `council.rs` (a project's council under the risk
//!   model); `evidence.rs` and `svg.rs` for text and charts.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use l2stage_framework::Stage;

use crate::error::ApiError;

/// The assessment the views are built from (the pipeline's type).
pub(crate) use l2stage_assess::Assessment;

pub mod chain;
mod council;
mod evidence;
mod exit;
mod governance;
mod index;
mod labels;
mod project;
mod risk;
mod risks;
mod timeline;
mod verdict;

pub use council::{ProjectRisk, project_risk};
pub use exit::{ExitView, duration_words};
pub use index::index;
pub use l2stage_render::svg::compact_svg;
pub use labels::{LabelChip, bt_chip, rating_chip};
pub use project::{Section, project};
pub use risk::page as risk_page;

/// The page for an error.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: String,
    message: String,
    /// Project ids to link, from a 404's "Did you mean: a, b?".
    suggestions: Vec<String>,
}

/// The ids a message of `project::not_found_with_suggestions` names.
fn suggestions_in(message: &str) -> Vec<String> {
    message
        .split_once(" Did you mean: ")
        .map(|(_, rest)| {
            rest.trim_end_matches('?')
                .split(", ")
                .filter(|s| {
                    !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                })
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

pub fn error_page(e: &ApiError) -> Response {
    let page = ErrorPage {
        status: format!(
            "{} {}",
            e.status.as_u16(),
            e.status.canonical_reason().unwrap_or("")
        ),
        message: e.body.message.clone(),
        suggestions: if e.status == StatusCode::NOT_FOUND {
            suggestions_in(&e.body.message)
        } else {
            Vec::new()
        },
    };
    match page.render() {
        Ok(html) => (e.status, Html(html)).into_response(),
        Err(_) => (e.status, e.body.message.clone()).into_response(),
    }
}

pub(crate) fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => error_page(&ApiError::internal(format!("rendering the page: {e}"))),
    }
}

/// CSS class of a stage.
pub fn stage_class(stage: Stage) -> &'static str {
    match stage {
        Stage::Stage2 => "st-2",
        Stage::Stage1 => "st-1",
        Stage::Stage0 => "st-0",
        Stage::NotStage0 => "st-n",
        Stage::UnderReview => "st-r",
    }
}

const CSS: &str = include_str!("../../static/style.css");

/// `GET /static/style.css`.
pub async fn css() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        CSS,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::evidence::{evidence, no_negative};
    use super::project::closest_ids;
    use super::*;

    #[test]
    fn negative_durations_are_said_in_words() {
        assert_eq!(
            no_negative("window 0s − exit time = -7d 8h 43m 36s"),
            "window 0s − exit time = none (7d 8h 43m 36s too short)"
        );
        assert_eq!(
            no_negative("paths: -7d 12h via a → b; ok"),
            "paths: none (7d 12h too short) via a → b; ok"
        );
        assert_eq!(no_negative("-3d, then"), "none (3d too short), then");
        // Hyphens elsewhere, subtraction and ids stay.
        assert_eq!(
            no_negative("a - b = 3d -x l2-timelock"),
            "a - b = 3d -x l2-timelock"
        );
        assert_eq!(duration_words(-648_000), "7 days 12 hours");
        assert_eq!(duration_words(3_600 * 5 + 60), "5 hours 1 minute");
        assert_eq!(duration_words(86_400 * 6 + 60), "6 days");
    }

    #[test]
    fn closest_ids_for_a_404() {
        let ids = [
            "arbitrum-one",
            "base",
            "op-mainnet",
            "zksync-era",
            "zksync-lite",
        ];
        assert_eq!(closest_ids("arbitrum", &ids)[0], "arbitrum-one");
        assert_eq!(
            closest_ids("zksync", &ids)[..2],
            ["zksync-era", "zksync-lite"]
        );
        assert!(closest_ids("qqqqqqqq", &ids).is_empty());
    }

    #[test]
    fn only_http_evidence_becomes_a_link() {
        assert!(evidence("https://example.org/a").href.is_some());
        assert!(evidence("javascript:alert(1)").href.is_none());
        assert!(evidence("data:text/html,x").href.is_none());
        assert!(evidence("see the audit").href.is_none());
    }
}
