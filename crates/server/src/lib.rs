//! l2stage's HTTP service: the JSON API under `/api/v1`, the dashboard,
//! README badges, and the assessment history (l2stage-store).
//!
//! Everything it says about a project comes from l2stage-report's
//! `assess_project`, as the command line's does, so the two agree.

pub mod api;
pub mod badge;
pub mod error;
pub mod html;
pub mod openapi;
pub mod params;
pub mod risk;
pub mod state;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub use state::{
    App, Catalog, CatalogError, CatalogFile, Config, StartError, Startup, load_catalog,
};

use crate::error::ApiError;

/// Largest request body accepted (a project file): 256 KiB.
pub const BODY_LIMIT: usize = 256 * 1024;

/// Headers on every response: no script may run on our pages, whatever a
/// project file contains.
async fn security_headers(req: Request<axum::body::Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

async fn not_found(req: Request<axum::body::Body>) -> Response {
    let path = req.uri().path().to_string();
    let e = ApiError::not_found(format!("nothing at `{path}`"));
    if path.starts_with("/api/") {
        e.into_response()
    } else {
        html::error_page(&e)
    }
}

/// A project's alias (e.g. L2BEAT's slug, `[project] aliases`) in a
/// project path is permanently redirected to its id, query kept:
/// `/projects/arbitrum` → `/projects/arbitrum-one`.
async fn alias_redirect(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    if let Some(target) = alias_target(&app, req.uri().path()) {
        let query = req
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        if let Ok(loc) = HeaderValue::from_str(&format!("{target}{query}")) {
            return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, loc)]).into_response();
        }
    }
    next.run(req).await
}

fn alias_target(app: &App, path: &str) -> Option<String> {
    for prefix in ["/projects/", "/api/v1/projects/", "/badge/"] {
        let Some(rest) = path.strip_prefix(prefix) else {
            continue;
        };
        let (name, tail) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (name, ext) = if prefix == "/badge/" {
            (name.strip_suffix(".svg")?, ".svg")
        } else {
            (name, "")
        };
        let live = app.live();
        let id = live.alias_of(name)?;
        return Some(format!("{prefix}{id}{ext}{tail}"));
    }
    None
}

async fn healthz() -> Response {
    (StatusCode::OK, "ok\n").into_response()
}

/// Every route.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/api/v1/projects", get(api::list).post(api::submit))
        .route("/api/v1/projects/{id}", get(api::detail))
        .route("/api/v1/projects/{id}/history", get(api::history))
        .route("/api/v1/openapi.json", get(openapi::serve))
        .route("/api/v1/risk", get(risk::risk))
        .route("/badge/{file}", get(badge::badge))
        .route("/", get(html::index))
        .route("/projects/{id}", get(html::project))
        .route("/risk", get(risk::page))
        .route("/static/style.css", get(html::css))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), alias_redirect))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(security_headers))
        .with_state(app)
}

/// Serve until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown)
        .await
}
