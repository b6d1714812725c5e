//! The service under hostile HTTP: bounded work for `/risk` and
//! `/api/v1/risk`, the concurrency limit and the per-request timeout,
//! idle and slow connections closed, the cap on open connections, panics
//! answered 500, `X-Frame-Options` on every response, and `/healthz`
//! checking the database.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use serde_json::Value;
use tower::ServiceExt;

use l2stage_server::{App, Catalog, Config, Limits, layered, router, routes};
use l2stage_store::Store;

fn app(store: Store) -> Arc<App> {
    let (app, _) = App::start(
        store,
        &Catalog::default(),
        Config {
            token: None,
            today: Some("2026-01-01".parse().expect("date")),
        },
    )
    .expect("start");
    Arc::new(app)
}

fn memory_app() -> Arc<App> {
    app(Store::open_in_memory().expect("store"))
}

struct Res {
    status: StatusCode,
    frame_options: Option<String>,
    body: String,
}

impl Res {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    fn message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message: {}", self.body))
            .to_string()
    }
}

async fn get_uri(r: &Router, uri: &str) -> Res {
    let res = r
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = res.status();
    let frame_options = res
        .headers()
        .get(header::X_FRAME_OPTIONS)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    Res {
        status,
        frame_options,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

const MILLION: &str = "stage0_council=999999/1000000&stage1_council=999999/1000000&correlation=0.9&proof_failure=0.001";

#[tokio::test]
async fn a_million_member_council_is_refused_with_400() {
    let r = router(memory_app());
    let res = get_uri(&r, &format!("/api/v1/risk?{MILLION}")).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    let msg = res.message();
    assert!(
        msg.contains("`stage0_council` 999999/1000000 has 1000000 members")
            && msg.contains("at most 1000 members"),
        "{msg}"
    );
    // The page: the same refusal, as HTML with the form kept.
    let page = get_uri(&r, &format!("/risk?{MILLION}")).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("at most 1000 members"), "{}", page.body);
    assert!(
        page.body.contains("999999/1000000"),
        "the form keeps the input"
    );
    // One member over the limit, in the other council.
    let res = get_uri(&r, "/api/v1/risk?stage1_council=1001/1001").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.message().contains("`stage1_council` 1001/1001"));
}

/// The largest allowed councils are answered (how fast is measured with
/// `cargo run --release -p l2stage-render --example http_cost`, docs/api.md).
#[tokio::test]
async fn the_largest_allowed_cases_are_answered() {
    let r = router(memory_app());
    for q in [
        "stage0_council=999/1000&stage1_council=999/1000&correlation=0.9&proof_failure=0.001",
        "stage0_council=1/1&stage1_council=999/1000&member_failure=1/15&proof_failure=1/1000&formula=additive",
        "stage0_council=1/1000&stage1_council=1000/1000&member_failure=1/3&common_shock=0.01&proof_failure=0.001",
    ] {
        let api = get_uri(&r, &format!("/api/v1/risk?{q}")).await;
        assert_eq!(api.status, StatusCode::OK, "{q}: {}", api.body);
        let page = get_uri(&r, &format!("/risk?{q}")).await;
        assert_eq!(page.status, StatusCode::OK, "{q}");
        assert!(page.body.matches("<svg").count() >= 2, "{q}: charts");
    }
}

#[tokio::test]
async fn exact_fractions_stop_at_the_services_budget() {
    let r = router(memory_app());
    // 1/15 over 1 + 999 members: about 4016-bit denominators, within the
    // budget: exact fractions given.
    let within = get_uri(
        &r,
        "/api/v1/risk?stage0_council=1/1&stage1_council=999/1000&member_failure=1/15",
    )
    .await
    .json();
    assert!(within["exact"].is_object(), "{within}");
    // 1/255 over 300 + 256 members: about 4448 bits, over it
    // (the command line would compute them): floating results, said so.
    let over = get_uri(
        &r,
        "/api/v1/risk?stage0_council=200/300&stage1_council=255/256&member_failure=1/255",
    )
    .await
    .json();
    assert!(over["exact"].is_null(), "{over}");
    let assumptions = over["assumptions"].to_string();
    assert!(
        assumptions.contains("over this service's limit of 4096"),
        "{assumptions}"
    );
    // The same numbers, to floating precision, as the exact model gives.
    let mut q = l2stage_risk::report::RiskQuery::default();
    q.set("stage0_council", "200/300".into());
    q.set("stage1_council", "255/256".into());
    q.set("member_failure", "1/255".into());
    let exact = l2stage_risk::report::risk_report(&q.params().expect("params")).expect("report");
    let got = over["council_blocked"]["stage1"].as_f64().expect("number");
    let want = exact.analysis.council_blocked.stage1;
    assert!(want > 0.1, "{want}");
    assert!(
        (got - want).abs() <= want * 1e-9,
        "floating {got} vs exact {want}"
    );
}

#[tokio::test]
async fn every_response_forbids_framing() {
    let r = router(memory_app());
    for uri in [
        "/",
        "/healthz",
        "/risk",
        "/api/v1/risk",
        "/api/v1/projects",
        "/static/style.css",
        "/nowhere",
        "/api/v1/risk?colour=red",
    ] {
        let res = get_uri(&r, uri).await;
        assert_eq!(
            res.frame_options.as_deref(),
            Some("DENY"),
            "{uri} ({})",
            res.status
        );
    }
}

fn with_test_routes(limits: &Limits) -> Router {
    let extra = routes()
        .route(
            "/api/test/panic",
            get(|| async {
                if true {
                    panic!("a handler bug");
                }
                "unreachable"
            }),
        )
        .route(
            "/api/test/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "late"
            }),
        );
    layered(extra, memory_app(), limits)
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_and_the_server_goes_on() {
    let r = with_test_routes(&Limits::default());
    let res = get_uri(&r, "/api/test/panic").await;
    assert_eq!(res.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(res.message().contains("internal error"), "{}", res.body);
    assert_eq!(res.frame_options.as_deref(), Some("DENY"));
    let after = get_uri(&r, "/healthz").await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body, "ok\n");
}

#[tokio::test]
async fn a_request_over_its_time_is_503() {
    let limits = Limits {
        request_timeout: Duration::from_millis(200),
        ..Limits::default()
    };
    let r = with_test_routes(&limits);
    let res = get_uri(&r, "/api/test/slow").await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        res.message().contains("not answered within 0.2 s"),
        "{}",
        res.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_beyond_the_concurrency_limit_wait_for_a_slot() {
    use tokio::sync::{Notify, mpsc};
    // A route that holds the only slot until the test releases it, and
    // says when it has it.
    let release = Arc::new(Notify::new());
    let (started_tx, mut started) = mpsc::unbounded_channel::<()>();
    let hold = {
        let release = release.clone();
        move || {
            let release = release.clone();
            let started_tx = started_tx.clone();
            async move {
                let _ = started_tx.send(());
                release.notified().await;
                "released"
            }
        }
    };
    let r = layered(
        routes().route("/api/test/hold", get(hold)),
        memory_app(),
        &Limits {
            max_concurrent_requests: 1,
            request_timeout: Duration::from_secs(60),
            ..Limits::default()
        },
    );
    let holder = tokio::spawn({
        let r = r.clone();
        async move { get_uri(&r, "/api/test/hold").await.status }
    });
    started.recv().await.expect("the holder has the slot");
    // A second request waits while the slot is taken...
    let waiter = tokio::spawn({
        let r = r.clone();
        async move { get_uri(&r, "/healthz").await.status }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiter.is_finished(), "answered without a free slot");
    // ...and is answered once the holder is done.
    release.notify_one();
    assert_eq!(holder.await.expect("holder"), StatusCode::OK);
    assert_eq!(waiter.await.expect("waiter"), StatusCode::OK);
}

/// A server on a real socket with `limits`, stopped when the test ends.
struct Running {
    addr: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn start(limits: Limits) -> Running {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let router = layered(routes(), memory_app(), &limits);
        let task = tokio::spawn(l2stage_server::serve_with(
            listener,
            router,
            limits,
            async {
                let _ = rx.await;
            },
        ));
        Running {
            addr,
            stop: Some(tx),
            task,
        }
    }

    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.task.await.expect("join").expect("serve");
    }
}

/// What a blocking client reads until the server closes: the bytes, or
/// the error (a 20 s safety net, never reached when the server closes).
fn read_until_closed(s: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    Ok(out)
}

fn short_timeouts() -> Limits {
    Limits {
        header_read_timeout: Duration::from_millis(300),
        ..Limits::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_connections_are_closed() {
    let server = Running::start(short_timeouts()).await;
    let addr = server.addr.clone();
    tokio::task::spawn_blocking(move || {
        // Connected, silent: closed by the server (end of stream, nothing
        // sent), not left open.
        let mut idle = TcpStream::connect(&addr).expect("connect");
        assert_eq!(read_until_closed(&mut idle).expect("closed"), b"");
        // A request head that never ends: closed too.
        let mut slow = TcpStream::connect(&addr).expect("connect");
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1")
            .expect("write");
        let got = read_until_closed(&mut slow).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&got).contains("200 OK"));
        // A kept-alive connection: answered, then closed once idle.
        let mut kept = TcpStream::connect(&addr).expect("connect");
        kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .expect("write");
        let got =
            String::from_utf8_lossy(&read_until_closed(&mut kept).expect("closed")).into_owned();
        assert!(got.starts_with("HTTP/1.1 200 OK"), "{got}");
        assert!(got.ends_with("ok\n"), "{got}");
    })
    .await
    .expect("client");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_connections_are_capped() {
    let server = Running::start(Limits {
        max_connections: 1,
        ..short_timeouts()
    })
    .await;
    let addr = server.addr.clone();
    tokio::task::spawn_blocking(move || {
        // The only connection slot, taken by a silent client...
        let mut first = TcpStream::connect(&addr).expect("connect");
        // ...so a second client is not served while it is open; once the
        // first is closed for idling, the second is answered.
        let mut second = TcpStream::connect(&addr).expect("connect (queued)");
        second
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("write");
        assert_eq!(read_until_closed(&mut first).expect("first closed"), b"");
        let got = String::from_utf8_lossy(&read_until_closed(&mut second).expect("answered"))
            .into_owned();
        assert!(got.starts_with("HTTP/1.1 200 OK"), "{got}");
    })
    .await
    .expect("client");
    server.stop().await;
}

fn checkpoint(path: &Path) {
    let conn = rusqlite::Connection::open(path).expect("open raw");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
}

#[tokio::test]
async fn healthz_is_503_naming_the_file_when_the_database_is_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("served.db");
    let r = router(app(Store::open(&path).expect("store")));
    let ok = get_uri(&r, "/healthz").await;
    assert_eq!((ok.status, ok.body.as_str()), (StatusCode::OK, "ok\n"));
    // Damage on disk, under the running server: every page after the
    // first overwritten.
    checkpoint(&path);
    let mut bytes = std::fs::read(&path).expect("read");
    assert!(bytes.len() > 4096, "{} bytes", bytes.len());
    for b in &mut bytes[4096..] {
        *b = 0x5A;
    }
    std::fs::write(&path, &bytes).expect("corrupt");
    let res = get_uri(&r, "/healthz").await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.body);
    assert!(
        res.body.starts_with("unhealthy: database ") && res.body.contains("served.db"),
        "{}",
        res.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_disconnected() {
    let server = Running::start(Limits {
        request_timeout: Duration::from_millis(500),
        ..Limits::default()
    })
    .await;
    let addr = server.addr.clone();
    tokio::task::spawn_blocking(move || {
        // Thousands of pipelined requests for the stylesheet (~9 KB each,
        // far more than the socket buffers hold), never read while the
        // server writes.
        let mut s = TcpStream::connect(&addr).expect("connect");
        let mut writer = s.try_clone().expect("clone");
        let n = 8000;
        let sent = std::thread::spawn(move || {
            let req = b"GET /static/style.css HTTP/1.1\r\nHost: x\r\n\r\n";
            for _ in 0..n {
                if writer.write_all(req).is_err() {
                    break; // the server closed the connection
                }
            }
        });
        // Not reading: the server's writes stall, and after the timeout
        // it closes the connection. (This pause only lets that happen;
        // the assertion below is on what is read, not on time.)
        std::thread::sleep(Duration::from_secs(3));
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut got = Vec::new();
        let end = s.read_to_end(&mut got);
        // Closed by the server: end of stream or a reset, not our
        // 20-second safety net running out with the connection open.
        if let Err(e) = &end {
            assert!(
                !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
                "the connection stayed open: {e}"
            );
        }
        let answered = String::from_utf8_lossy(&got)
            .matches("HTTP/1.1 200 OK")
            .count();
        assert!(
            answered < n,
            "all {n} answered: the client was never cut off"
        );
        let _ = sent.join();
        // The server still answers others.
        let mut fresh = TcpStream::connect(&addr).expect("connect");
        fresh
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("write");
        let got =
            String::from_utf8_lossy(&read_until_closed(&mut fresh).expect("answered")).into_owned();
        assert!(got.starts_with("HTTP/1.1 200 OK"), "{got}");
    })
    .await
    .expect("client");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_request_head_is_refused() {
    let server = Running::start(Limits::default()).await;
    let addr = server.addr.clone();
    tokio::task::spawn_blocking(move || {
        for (head, status) in [
            (
                format!(
                    "GET /projects/{} HTTP/1.1\r\nHost: x\r\n\r\n",
                    "a".repeat(100_000)
                ),
                "414",
            ),
            (
                format!(
                    "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
                    "b".repeat(1_000_000)
                ),
                "431",
            ),
        ] {
            let mut s = TcpStream::connect(&addr).expect("connect");
            let _ = s.write_all(head.as_bytes());
            match read_until_closed(&mut s) {
                Ok(got) => {
                    let got = String::from_utf8_lossy(&got);
                    assert!(got.starts_with(&format!("HTTP/1.1 {status}")), "{got}");
                }
                // The server closed with the rest of the head unread, and
                // the reset overtook its answer.
                Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
            }
        }
        // The server goes on.
        let mut s = TcpStream::connect(&addr).expect("connect");
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("write");
        let got =
            String::from_utf8_lossy(&read_until_closed(&mut s).expect("answered")).into_owned();
        assert!(got.starts_with("HTTP/1.1 200 OK"), "{got}");
    })
    .await
    .expect("client");
    server.stop().await;
}
