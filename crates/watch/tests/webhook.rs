//! The webhook against a real local HTTP endpoint: each change is POSTed
//! as JSON with `X-L2stage-Signature: sha256=<HMAC-SHA256 of the body>`;
//! a failing endpoint is retried with backoff, then given up; a full queue
//! drops (and counts) instead of blocking the caller.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use l2stage_discovery::testkit::read_http;
use l2stage_watch::cycle::ChangeOut;
use l2stage_watch::webhook::{Webhook, WebhookOptions};
use tokio::io::AsyncWriteExt;

fn change(block: u64) -> ChangeOut {
    ChangeOut {
        project: "op-mainnet".into(),
        block,
        date: "2026-12-06".into(),
        kind: "safe-threshold-changed".into(),
        address: "0xc2819DC788505Aac350142A7A707BF9D03E3Bd03".into(),
        field: "threshold".into(),
        before: Some("10".into()),
        after: Some("7".into()),
        safety_relevant: true,
        evidence: serde_json::json!({"block": block, "calls": ["eth_call(0xc281…, getThreshold()) @ 123"]}),
    }
}

/// A local endpoint answering the statuses in `answers` in turn (then
/// 200), recording each request's head and body.
async fn endpoint(answers: Vec<u16>) -> (String, Arc<Mutex<Vec<(String, Vec<u8>)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook?token=abc", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let mut n = 0usize;
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            while let Ok(Some((head, body))) = read_http(&mut sock).await {
                let status = answers.get(n).copied().unwrap_or(200);
                n += 1;
                log.lock().unwrap().push((head, body));
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n"
                );
                if sock.write_all(reply.as_bytes()).await.is_err() {
                    break;
                }
            }
        }
    });
    (url, seen)
}

fn fast() -> WebhookOptions {
    WebhookOptions {
        queue: 8,
        attempts: 3,
        backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        timeout: Duration::from_secs(5),
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[tokio::test]
async fn changes_are_posted_signed_and_retried() {
    let (url, seen) = endpoint(vec![500, 503]).await;
    let logs = Arc::new(Mutex::new(Vec::<String>::new()));
    let l = logs.clone();
    let hook = Webhook::start(
        &url,
        b"s3cret".to_vec(),
        fast(),
        Arc::new(move |m: &str| l.lock().unwrap().push(m.to_string())),
    )
    .unwrap();
    let counters = hook.counters.clone();
    hook.send(&change(123));
    hook.close(Duration::from_secs(10)).await;
    assert_eq!(counters.delivered.load(Ordering::SeqCst), 1);
    assert_eq!(counters.failed.load(Ordering::SeqCst), 0);
    let seen = seen.lock().unwrap();
    // Two failures, then the delivery: the same body each time.
    assert_eq!(seen.len(), 3);
    let (head, body) = &seen[2];
    assert!(head.starts_with("POST /hook?token=abc "), "{head}");
    assert_eq!(header(head, "content-type"), Some("application/json"));
    let expected = format!("sha256={}", l2stage_watch::hmac::sign(b"s3cret", body));
    assert_eq!(header(head, "x-l2stage-signature"), Some(expected.as_str()));
    assert!(seen.iter().all(|(_, b)| b == body));
    let json: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(json, serde_json::to_value(change(123)).unwrap());
    assert_eq!(json["kind"], "safe-threshold-changed");
    assert_eq!(json["safety_relevant"], true);
    assert!(logs.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_failing_endpoint_is_given_up_and_logged_without_its_url() {
    let (url, seen) = endpoint(vec![500; 10]).await;
    let logs = Arc::new(Mutex::new(Vec::<String>::new()));
    let l = logs.clone();
    let hook = Webhook::start(
        &url,
        b"k".to_vec(),
        fast(),
        Arc::new(move |m: &str| l.lock().unwrap().push(m.to_string())),
    )
    .unwrap();
    let counters = hook.counters.clone();
    hook.send(&change(1));
    hook.close(Duration::from_secs(10)).await;
    assert_eq!(seen.lock().unwrap().len(), 3, "three attempts");
    assert_eq!(counters.failed.load(Ordering::SeqCst), 1);
    let logs = logs.lock().unwrap();
    assert_eq!(logs.len(), 1);
    assert!(
        logs[0].contains("gave up") && logs[0].contains("HTTP 500"),
        "{logs:?}"
    );
    assert!(
        !logs[0].contains("token=abc"),
        "the URL's query is never logged"
    );
}

#[tokio::test]
async fn a_full_queue_drops_instead_of_blocking() {
    // An endpoint that accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let opts = WebhookOptions {
        queue: 2,
        attempts: 1,
        timeout: Duration::from_secs(30),
        ..fast()
    };
    let hook = Webhook::start(&url, b"k".to_vec(), opts, Arc::new(|_: &str| {})).unwrap();
    let counters = hook.counters.clone();
    // The first is taken by the task (stuck on the silent endpoint), two
    // wait in the queue, the rest are dropped: `send` never waits.
    for b in 0..10 {
        hook.send(&change(b));
        tokio::task::yield_now().await;
    }
    let dropped = counters.dropped.load(Ordering::SeqCst);
    assert!((7..=8).contains(&dropped), "{dropped} dropped");
    hook.close(Duration::from_millis(10)).await;
}

#[tokio::test]
async fn credentials_in_the_url_are_never_logged() {
    // Nothing listens there: every attempt fails to connect, and the
    // give-up line is logged; neither the user-info, the path nor the
    // query may appear in it.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://alice:s3cret@127.0.0.1:{port}/hooks/TOKEN123?key=K3Y");
    let logs = Arc::new(Mutex::new(Vec::<String>::new()));
    let l = logs.clone();
    let hook = Webhook::start(
        &url,
        b"k".to_vec(),
        fast(),
        Arc::new(move |m: &str| l.lock().unwrap().push(m.to_string())),
    )
    .unwrap();
    let counters = hook.counters.clone();
    hook.send(&change(1));
    hook.close(Duration::from_secs(10)).await;
    assert_eq!(counters.failed.load(Ordering::SeqCst), 1);
    let logs = logs.lock().unwrap();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(logs[0].contains("gave up"), "{logs:?}");
    for secret in ["alice", "s3cret", "TOKEN123", "K3Y", "hooks"] {
        assert!(!logs[0].contains(secret), "{secret} in {logs:?}");
    }
    // An invalid URL is refused without echoing it.
    let e = Webhook::start(
        "ftp://alice:s3cret@example.invalid/x",
        b"k".to_vec(),
        fast(),
        Arc::new(|_: &str| {}),
    )
    .err()
    .expect("refused")
    .to_string();
    assert!(!e.contains("s3cret"), "{e}");
}
