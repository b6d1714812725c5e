//! `discover` against nodes that fail or lie, as users call it: the URL's
//! secrets never reach stderr, nor do the node's control characters; a
//! stall is called a timeout. (The client's own tests are in
//! crates/discovery/tests/discovery_hostile.rs.)

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

mod cli_support;

use cli_support::{run, text};

const ENTRY: &str = "0x0000000000000000000000000000000000000001";
const SECRETS: [&str; 4] = [
    "API-KEY-5f3c9a",
    "QUERYKEY-77e1",
    "alice-user",
    "hunter2-pass",
];

fn secret_url(hostport: &str) -> String {
    format!("http://alice-user:hunter2-pass@{hostport}/v3/API-KEY-5f3c9a?apikey=QUERYKEY-77e1")
}

/// A node on a loopback port that reads each request and answers `answer`
/// (or nothing, when it is `None`), in a thread.
fn node(answer: Option<&'static str>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for sock in listener.incoming() {
            let Ok(mut sock) = sock else { return };
            let mut buf = [0u8; 65536];
            let _ = sock.set_read_timeout(Some(Duration::from_millis(500)));
            let _ = sock.read(&mut buf);
            match answer {
                Some(body) => {
                    let _ = write!(
                        sock,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
                // Keep the connection open, never answer.
                None => held.push(sock),
            }
        }
    });
    addr
}

#[test]
fn a_dead_node_is_named_without_the_url_secrets() {
    let free = TcpListener::bind("127.0.0.1:0").unwrap();
    let hostport = free.local_addr().unwrap().to_string();
    drop(free);
    let url = secret_url(&hostport);
    let out = run(&[
        "discover",
        "--rpc",
        &url,
        "--entry",
        ENTRY,
        "--attempts",
        "1",
        "--timeout",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    for s in SECRETS {
        assert!(!err.contains(s), "{s} in: {err}");
        assert!(!text(&out.stdout).contains(s));
    }
    assert!(
        err.contains(&format!("cannot connect to http://{hostport}/…")),
        "{err}"
    );
    // An invalid URL is not echoed: exit 2.
    let out = run(&[
        "discover",
        "--rpc",
        "ftp://alice-user@x/v3/API-KEY-5f3c9a",
        "--entry",
        ENTRY,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("invalid RPC URL"), "{err}");
    for s in SECRETS {
        assert!(!err.contains(s), "{s} in: {err}");
    }
    // A size cap of 0 is invalid input.
    let out = run(&[
        "discover",
        "--rpc",
        "http://127.0.0.1:9",
        "--entry",
        ENTRY,
        "--max-response-bytes",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn a_stall_is_a_timeout_and_escape_codes_stay_escaped() {
    let addr = node(None);
    let out = run(&[
        "discover",
        "--rpc",
        &secret_url(&addr),
        "--entry",
        ENTRY,
        "--attempts",
        "1",
        "--timeout",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("timed out after 1s"), "{err}");
    for s in SECRETS {
        assert!(!err.contains(s), "{s} in: {err}");
    }

    let addr = node(Some(
        r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"\u001b]0;owned\u0007\u001b[2Jgone\u009b"}}"#,
    ));
    let out = run(&[
        "discover",
        "--rpc",
        &format!("http://{addr}"),
        "--entry",
        ENTRY,
        "--attempts",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        !err.trim_end().chars().any(|c| c.is_control()),
        "a control character reaches stderr: {err:?}"
    );
    assert!(
        err.contains("\\u{1b}]0;owned\\u{7}\\u{1b}[2Jgone\\u{9b}"),
        "{err}"
    );
}
