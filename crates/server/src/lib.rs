//! l2stage's HTTP service: the JSON API under `/api/v1`, the dashboard,
//! README badges, and the assessment history (l2stage-store).
//!
//! Everything it says about a project comes from l2stage-assess's
//! `assess`, as the command line's does, so the two agree.

pub mod api;
pub mod badge;
pub mod changes;
mod conn;
pub mod error;
pub mod openapi;
pub mod pages;
pub mod params;
pub mod risk;
pub mod state;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{Semaphore, watch};
use tower_http::catch_panic::CatchPanicLayer;

// The catalog loader is the pipeline's (one set of rules with `l2stage
// assess`); re-exported where the server's callers found it.
pub use l2stage_assess::catalog::{Catalog, CatalogError, CatalogFile, load_catalog};
pub use state::{App, Config, Health, StartError, Startup};

use crate::error::ApiError;

/// How much one client, and all of them together, may ask of the server
/// (docs/api.md, "Limits"). The defaults suit a public instance;
/// `l2stage serve` takes each as a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at once; further clients wait in the listen queue
    /// until one closes.
    pub max_connections: usize,
    /// Requests handled at once; further ones wait for a slot (the wait
    /// counts toward `request_timeout`).
    pub max_concurrent_requests: usize,
    /// A request not answered within this time is answered 503; a
    /// client that stops reading its answer this long is disconnected.
    pub request_timeout: Duration,
    /// A connection that does not send a complete request head within
    /// this time — a new one, or an idle kept-alive one between requests —
    /// is closed.
    pub header_read_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 1024,
            max_concurrent_requests: 64,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// Largest request head (request line and headers): 64 KiB; a longer
/// one is answered `414` (a longer URL) or `431` and the connection closed. (It also bounds each
/// connection's read buffer.)
pub const MAX_HEAD: usize = 64 * 1024;

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
    // For browsers that do not know CSP's frame-ancestors.
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// An error as the client expects it: JSON under `/api/`, a page elsewhere.
fn error_response(path: &str, e: &ApiError) -> Response {
    if path.starts_with("/api/") {
        e.clone().into_response()
    } else {
        pages::error_page(e)
    }
}

/// The concurrency limit and the per-request timeout, shared by every
/// route.
#[derive(Clone)]
struct Bounds {
    slots: Arc<Semaphore>,
    timeout: Duration,
}

/// At most `max_concurrent_requests` requests run at once, and each is
/// answered within `request_timeout` (503 otherwise, waiting for a slot
/// included). Work already handed to a blocking thread finishes there,
/// but its answer is dropped.
async fn bounded(State(b): State<Bounds>, req: Request<axum::body::Body>, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let run = async {
        let _slot = b.slots.acquire().await;
        next.run(req).await
    };
    match tokio::time::timeout(b.timeout, run).await {
        Ok(res) => res,
        Err(_) => {
            let mut res = error_response(
                &path,
                &ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "the request was not answered within {} s: the server is busy or the request too costly",
                        b.timeout.as_secs_f64()
                    ),
                ),
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            res
        }
    }
}

/// A panic in a handler: logged, and answered 500.
fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    // Quoted and escaped, and cut short: the message may carry input.
    let what: String = what.chars().take(500).collect();
    eprintln!("error: a request handler panicked: {what:?}");
    ApiError::internal("internal error: the request failed; the server is still running")
        .into_response()
}

async fn not_found(req: Request<axum::body::Body>) -> Response {
    let path = req.uri().path().to_string();
    let e = ApiError::not_found(format!("nothing at `{path}`"));
    if path.starts_with("/api/") {
        e.into_response()
    } else {
        pages::error_page(&e)
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

/// `GET /healthz`: 200 `ok` when the database answers and its pages
/// are sound (bounded check), 503 with the reason otherwise.
async fn healthz(State(app): State<Arc<App>>) -> Response {
    let health = tokio::task::spawn_blocking(move || app.health()).await;
    match health {
        Ok(Health::Ok) => (StatusCode::OK, "ok\n").into_response(),
        Ok(Health::Unhealthy(reason)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("unhealthy: {reason}\n"),
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("unhealthy: the check failed: {e}\n"),
        )
            .into_response(),
    }
}

/// Every route, without the middleware.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/projects", get(api::list).post(api::submit))
        .route("/api/v1/projects/{id}", get(api::detail))
        .route("/api/v1/projects/{id}/history", get(api::history))
        .route("/api/v1/projects/{id}/changes", get(changes::changes))
        .route("/api/v1/openapi.json", get(openapi::serve))
        .route("/api/v1/risk", get(risk::risk))
        .route("/badge/{file}", get(badge::badge))
        .route("/", get(pages::index))
        .route("/projects/{id}", get(pages::project))
        .route("/projects/{id}/feed.atom", get(changes::feed_project))
        .route("/feed.atom", get(changes::feed_all))
        .route("/risk", get(pages::risk_page))
        .route("/static/style.css", get(pages::css))
        .route("/healthz", get(healthz))
        .fallback(not_found)
}

/// `routes` with the middleware every response goes through: panics
/// caught (500), the body limit, the concurrency limit and timeout, and
/// the security headers.
pub fn layered(routes: Router<Arc<App>>, app: Arc<App>, limits: &Limits) -> Router {
    let bounds = Bounds {
        slots: Arc::new(Semaphore::new(limits.max_concurrent_requests.max(1))),
        timeout: limits.request_timeout,
    };
    routes
        .layer(middleware::from_fn_with_state(app.clone(), alias_redirect))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(bounds, bounded))
        .layer(middleware::from_fn(security_headers))
        .with_state(app)
}

/// Every route, with the default limits.
pub fn router(app: Arc<App>) -> Router {
    layered(routes(), app, &Limits::default())
}

/// Serve until `shutdown` completes, with the default limits.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router(app), Limits::default(), shutdown).await
}

/// Serve `router` until `shutdown` completes: at most
/// `limits.max_connections` connections at once, each closed when it
/// sends no complete request head within `limits.header_read_timeout`
/// (new or idle), or stops reading its answer for `limits.request_timeout`. On shutdown, requests in flight are finished (for at
/// most `limits.request_timeout`) and every connection is closed.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let conns = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    let shutdown = std::pin::pin!(shutdown);
    let mut shutdown = shutdown;
    loop {
        let permit = tokio::select! {
            p = conns.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait, retry.
                    eprintln!("warning: accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let mut stop = stop_rx.clone();
        let grace = limits.request_timeout;
        let header_timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .max_buf_size(MAX_HEAD)
                .keep_alive(true);
            let io = TokioIo::new(conn::Stalled::new(stream, grace));
            let conn = builder.serve_connection(io, service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(grace, conn.as_mut()).await;
                }
            }
            drop(stop);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(stop_rx);
    stop_tx.closed().await;
    Ok(())
}
