//! A hostile node: a loopback HTTP server written here (a peer that lies,
//! stalls, floods and echoes secrets, not a stand-in for a real node)
//! against the JSON-RPC client. Nothing the node does may make discovery
//! wait beyond its documented bound, buffer an unbounded answer, print the
//! URL's secrets or write control characters to the terminal.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use alloy::primitives::Address;
use l2stage_discovery::rpc::{give_up_bound, retry_wait};
use l2stage_discovery::testkit;
use l2stage_discovery::{Config, DiscoveryError, Rpc, RpcOptions, discover_with};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone)]
enum Hostile {
    /// HTTP 429 with this `Retry-After`.
    TooManyRequests(&'static str),
    /// HTTP 500 whose body is this, then the request line (with the URL's
    /// path and query).
    ServerError(&'static [u8]),
    /// HTTP 200, a body that is not JSON, echoing the request line.
    Garbage,
    /// A JSON-RPC error for every call, with this message followed by the
    /// request line.
    RpcError(String),
    /// Read the request, never answer.
    Stall,
    /// Send the headers and part of the body, then stall.
    StallMidBody,
    /// Stream this many bytes of a JSON array (no Content-Length).
    Flood(u64),
    /// Declare this Content-Length, then stream.
    Declared(u64),
    /// Redirect elsewhere.
    Redirect,
    /// Answer in plain HTTP at once, before reading anything (a TLS client
    /// gets garbage for a handshake).
    PlainNow,
}

struct Node {
    url: String,
    port: u16,
    requests: Arc<AtomicU64>,
    /// Bytes of the body the node managed to send (`Flood`).
    sent: Arc<AtomicU64>,
    /// The flood ended (the client hung up, or all was sent).
    done: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Node {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn node(behaviour: Hostile) -> Node {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let (r, s, d) = (requests.clone(), sent.clone(), done.clone());
    let task = tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let (b, r, s, d) = (behaviour.clone(), r.clone(), s.clone(), d.clone());
            tokio::spawn(async move {
                let _ = serve(sock, b, &r, &s, &d).await;
            });
        }
    });
    Node {
        url: format!("http://127.0.0.1:{port}"),
        port,
        requests,
        sent,
        done,
        task,
    }
}

/// The request line and the body of one request (`testkit::read_http`).
async fn read_request(sock: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let (head, body) = testkit::read_http(sock)
        .await?
        .ok_or(std::io::ErrorKind::UnexpectedEof)?;
    let line = head.lines().next().unwrap_or("").to_string();
    Ok((line, body))
}

async fn respond(sock: &mut TcpStream, status: &str, extra: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    let _ = sock.write_all(head.as_bytes()).await;
    let _ = sock.write_all(body).await;
    let _ = sock.flush().await;
}

async fn serve(
    mut sock: TcpStream,
    behaviour: Hostile,
    requests: &AtomicU64,
    sent: &AtomicU64,
    done: &AtomicBool,
) -> std::io::Result<()> {
    if let Hostile::PlainNow = behaviour {
        requests.fetch_add(1, Ordering::SeqCst);
        respond(&mut sock, "400 Bad Request", "", b"plain http").await;
        return Ok(());
    }
    let (line, body) = read_request(&mut sock).await?;
    requests.fetch_add(1, Ordering::SeqCst);
    match behaviour {
        Hostile::TooManyRequests(after) => {
            respond(
                &mut sock,
                "429 Too Many Requests",
                &format!("Retry-After: {after}\r\n"),
                b"slow down",
            )
            .await
        }
        Hostile::ServerError(text) => {
            let mut b = text.to_vec();
            b.extend_from_slice(line.as_bytes());
            respond(&mut sock, "500 Internal Server Error", "", &b).await
        }
        Hostile::Garbage => {
            respond(
                &mut sock,
                "200 OK",
                "",
                format!("<html>no such key: {line}</html>").as_bytes(),
            )
            .await
        }
        Hostile::RpcError(message) => {
            let req: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let error = |id: &serde_json::Value| {
                serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {
                    "code": -32000, "message": format!("{message} {line}")}})
            };
            let answer = match &req {
                serde_json::Value::Array(calls) => {
                    serde_json::Value::Array(calls.iter().map(|c| error(&c["id"])).collect())
                }
                c => error(&c["id"]),
            };
            respond(&mut sock, "200 OK", "", answer.to_string().as_bytes()).await
        }
        Hostile::Stall => tokio::time::sleep(Duration::from_secs(3600)).await,
        Hostile::StallMidBody => {
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n[{\"id\":0,")
                .await;
            let _ = sock.flush().await;
            tokio::time::sleep(Duration::from_secs(3600)).await
        }
        Hostile::Flood(total) | Hostile::Declared(total) => {
            let head = match behaviour {
                Hostile::Declared(n) => format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {n}\r\nConnection: close\r\n\r\n"
                ),
                _ => {
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                        .to_string()
                }
            };
            sock.write_all(head.as_bytes()).await?;
            let chunk = [b' '; 65536];
            let mut first = true;
            while sent.load(Ordering::SeqCst) < total {
                let piece: &[u8] = if first { b"[" } else { &chunk };
                first = false;
                if sock.write_all(piece).await.is_err() {
                    break;
                }
                sent.fetch_add(piece.len() as u64, Ordering::SeqCst);
            }
            done.store(true, Ordering::SeqCst);
        }
        Hostile::PlainNow => {}
        Hostile::Redirect => {
            respond(
                &mut sock,
                "301 Moved Permanently",
                "Location: http://127.0.0.1:9/elsewhere\r\n",
                b"",
            )
            .await
        }
    }
    Ok(())
}

fn options(timeout: Duration, attempts: u32) -> RpcOptions {
    RpcOptions {
        timeout,
        max_attempts: attempts,
        backoff: Duration::from_millis(50),
        max_backoff: Duration::from_secs(10),
        ..RpcOptions::default()
    }
}

/// Discover from one address, at the node's latest block.
async fn discover(url: &str, opts: RpcOptions) -> (Result<(), DiscoveryError>, Rpc) {
    let mut rpc = Rpc::new(url, opts).unwrap();
    let entry: Address = "0x0000000000000000000000000000000000000001"
        .parse()
        .unwrap();
    let r = discover_with(&mut rpc, &[entry], None, &Config::default(), &mut |_| {}).await;
    (r.map(|_| ()), rpc)
}

#[test]
fn waits_between_attempts_are_capped_by_the_timeout() {
    let opts = options(Duration::from_secs(1), 3);
    // However long the node asks us to wait.
    let huge = Some(Duration::from_secs(100_000));
    assert_eq!(retry_wait(&opts, 1, huge), Duration::from_secs(1));
    assert_eq!(
        retry_wait(&opts, 1, Some(Duration::from_millis(20))),
        Duration::from_millis(20)
    );
    // Exponential backoff without Retry-After: 50, 100, 200 ms…, capped.
    assert_eq!(retry_wait(&opts, 1, None), Duration::from_millis(50));
    assert_eq!(retry_wait(&opts, 3, None), Duration::from_millis(200));
    assert_eq!(retry_wait(&opts, 40, None), Duration::from_secs(1));
    // 3 attempts of 1 s, 2 waits of at most 1 s.
    assert_eq!(give_up_bound(&opts), Duration::from_secs(5));
    // The defaults: --timeout 30 --attempts 5, waits capped at 10 s.
    let d = RpcOptions::default();
    assert_eq!(retry_wait(&d, 1, huge), Duration::from_secs(10));
    assert_eq!(give_up_bound(&d), Duration::from_secs(5 * 30 + 4 * 10));
    // --timeout 5: every wait at most 5 s.
    let five = RpcOptions {
        timeout: Duration::from_secs(5),
        ..d
    };
    assert_eq!(retry_wait(&five, 1, huge), Duration::from_secs(5));
    assert_eq!(give_up_bound(&five), Duration::from_secs(5 * 5 + 4 * 5));
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_100000_gives_up_within_the_bound() {
    let n = node(Hostile::TooManyRequests("100000")).await;
    let opts = options(Duration::from_secs(1), 3);
    let bound = give_up_bound(&opts);
    let started = Instant::now();
    let (r, rpc) = discover(&n.url, opts).await;
    let elapsed = started.elapsed();
    let msg = r.unwrap_err().to_string();
    assert!(
        msg.contains("HTTP 429") && msg.contains("gave up after 3 attempts"),
        "{msg}"
    );
    assert_eq!(n.requests.load(Ordering::SeqCst), 3);
    assert_eq!(rpc.stats().retries, 2);
    // The bound is 5 s (the waits themselves are 2 × 1 s); generous margin.
    assert!(
        elapsed < bound * 2,
        "{elapsed:?} against a bound of {bound:?}"
    );
    // An HTTP date far in the future is capped the same way.
    let n = node(Hostile::TooManyRequests("Fri, 31 Dec 9999 23:59:59 GMT")).await;
    let started = Instant::now();
    let (r, _) = discover(&n.url, options(Duration::from_secs(1), 2)).await;
    assert!(r.unwrap_err().to_string().contains("HTTP 429"));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_answer_is_refused_while_it_streams() {
    // 100 MB, no Content-Length; the cap is 1 MiB.
    let total = 100_000_000;
    let n = node(Hostile::Flood(total)).await;
    let opts = RpcOptions {
        max_response_bytes: 1 << 20,
        ..options(Duration::from_secs(20), 3)
    };
    let (r, _) = discover(&n.url, opts).await;
    let err = r.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("larger than the limit of 1048576 bytes")
            && msg.contains("--max-response-bytes"),
        "{msg}"
    );
    // Refused at once, not retried.
    assert_eq!(n.requests.load(Ordering::SeqCst), 1);
    // The client hung up: the node could not send its 100 MB.
    for _ in 0..200 {
        if n.done.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(n.done.load(Ordering::SeqCst));
    let sent = n.sent.load(Ordering::SeqCst);
    eprintln!("flood: the node sent {sent} bytes before the client hung up");
    assert!(sent < total / 4, "the node sent {sent} bytes");

    // A declared length above the cap is refused before reading.
    let n = node(Hostile::Declared(500_000_000)).await;
    let opts = RpcOptions {
        max_response_bytes: 1 << 20,
        ..options(Duration::from_secs(20), 3)
    };
    let (r, _) = discover(&n.url, opts).await;
    let msg = r.unwrap_err().to_string();
    assert!(msg.contains("it declares 500000000 bytes"), "{msg}");
}

const SECRETS: [&str; 5] = [
    "API-KEY-5f3c9a",
    "QUERYKEY-77e1",
    "alice-user",
    "hunter2-pass",
    "/v3/",
];

fn with_secrets(base: &str) -> String {
    let (scheme, rest) = base.split_once("://").unwrap();
    format!("{scheme}://alice-user:hunter2-pass@{rest}/v3/API-KEY-5f3c9a?apikey=QUERYKEY-77e1")
}

fn assert_no_secret(text: &str, case: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{case}: `{s}` appears in: {text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_url_secrets_never_appear_in_an_error() {
    let mut cases: Vec<(&str, String, Option<Node>)> = Vec::new();
    // Connection refused: a port nobody listens on any more.
    let free = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    cases.push((
        "connection refused",
        with_secrets(&format!("http://127.0.0.1:{port}")),
        None,
    ));
    for (case, b) in [
        (
            "HTTP 500 echoing the path",
            Hostile::ServerError(b"failed: "),
        ),
        ("not JSON echoing the path", Hostile::Garbage),
        (
            "JSON-RPC error echoing the path",
            Hostile::RpcError("unknown key".into()),
        ),
        ("stall", Hostile::Stall),
        ("redirect", Hostile::Redirect),
        ("429", Hostile::TooManyRequests("1")),
    ] {
        let n = node(b).await;
        cases.push((case, with_secrets(&n.url), Some(n)));
    }
    // TLS to a node that speaks plain HTTP.
    let n = node(Hostile::PlainNow).await;
    cases.push((
        "TLS handshake",
        with_secrets(&format!("https://127.0.0.1:{}", n.port)),
        Some(n),
    ));
    for (case, url, node) in &cases {
        let (r, rpc) = discover(url, options(Duration::from_secs(1), 2)).await;
        let err = r.expect_err(case);
        assert_no_secret(&err.to_string(), case);
        assert_no_secret(&format!("{err:?}"), case);
        assert_no_secret(rpc.url(), case);
        assert!(rpc.url().ends_with("/…"), "{}", rpc.url());
        if let Some(n) = node {
            assert!(n.requests.load(Ordering::SeqCst) > 0, "{case}");
        }
        match *case {
            "connection refused" => {
                let m = err.to_string();
                assert!(
                    m.contains(&format!("cannot connect to http://127.0.0.1:{port}/…")),
                    "{m}"
                );
            }
            "stall" => assert!(err.to_string().contains("timed out after 1s"), "{err}"),
            "redirect" => assert!(err.to_string().contains("HTTP 301"), "{err}"),
            "TLS handshake" => {
                let m = err.to_string();
                assert!(
                    m.contains(&format!("https://127.0.0.1:{}/…", n_port(node))),
                    "{m}"
                );
            }
            _ => {}
        }
    }
    // An invalid URL is not echoed either.
    let e = Rpc::new(
        "ftp://alice-user:hunter2-pass@x/v3/API-KEY-5f3c9a",
        options(Duration::from_secs(1), 1),
    )
    .err()
    .unwrap();
    assert!(e.is_input());
    assert_no_secret(&e.to_string(), "invalid URL");
}

fn n_port(n: &Option<Node>) -> u16 {
    n.as_ref().map(|n| n.port).unwrap_or(0)
}

fn assert_terminal_safe(text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control()),
        "a control character reaches the output: {text:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn control_characters_from_the_node_come_out_escaped() {
    let evil = "\u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[31mred\u{202e}txt.exe\r\n";
    let n = node(Hostile::RpcError(evil.into())).await;
    let (r, _) = discover(&n.url, options(Duration::from_secs(2), 1)).await;
    let msg = r.unwrap_err().to_string();
    assert_terminal_safe(&msg);
    assert!(
        msg.contains("\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\u{1b}[31mred\\u{202e}txt.exe\\u{d}\\u{a}"),
        "{msg}"
    );
    // Raw bytes in an HTTP error body, and a long one: escaped and capped.
    let n = node(Hostile::ServerError(b"\x1b[2J\x07\x00\x9b")).await;
    let (r, _) = discover(&n.url, options(Duration::from_secs(2), 1)).await;
    let msg = r.unwrap_err().to_string();
    assert_terminal_safe(&msg);
    assert!(msg.contains("HTTP 500: \\u{1b}[2J\\u{7}\\u{0}"), "{msg}");
    let long: String = "A".repeat(100_000);
    let n = node(Hostile::RpcError(long)).await;
    let (r, _) = discover(&n.url, options(Duration::from_secs(2), 1)).await;
    let msg = r.unwrap_err().to_string();
    assert!(msg.len() < 1000, "{} bytes", msg.len());
    assert!(msg.contains("AAAA…"), "{msg}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stall_is_reported_as_a_timeout() {
    for b in [Hostile::Stall, Hostile::StallMidBody] {
        let n = node(b).await;
        let started = Instant::now();
        let (r, rpc) = discover(&n.url, options(Duration::from_secs(1), 2)).await;
        let msg = r.unwrap_err().to_string();
        assert!(
            msg.contains("timed out after 1s") && msg.contains("gave up after 2 attempts"),
            "{msg}"
        );
        assert!(!msg.contains("error sending request"), "{msg}");
        assert_eq!(n.requests.load(Ordering::SeqCst), 2);
        assert_eq!(rpc.stats().retries, 1);
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    // With one call per request, the wave stops at the first timeout
    // instead of timing out once per call.
    let n = node(Hostile::Stall).await;
    let opts = RpcOptions {
        batch_size: 1,
        ..options(Duration::from_secs(1), 2)
    };
    let (r, _) = discover(&n.url, opts).await;
    assert!(r.unwrap_err().to_string().contains("timed out after 1s"));
    assert_eq!(n.requests.load(Ordering::SeqCst), 2);
}
