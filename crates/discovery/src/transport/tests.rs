//! Unit tests of `transport`.

use super::*;

#[test]
fn control_characters_are_escaped_and_text_capped() {
    assert_eq!(
        sanitize("a\u{1b}[31mred\u{7}\nb\u{202e}c", 100),
        "a\\u{1b}[31mred\\u{7}\\u{a}b\\u{202e}c"
    );
    assert_eq!(sanitize("abcdef", 3), "abc…");
    assert_eq!(sanitize("héllo", 10), "héllo");
    assert_eq!(sanitize("\u{9b}x\u{7f}", 10), "\\u{9b}x\\u{7f}");
}

#[test]
fn urls_are_shown_without_path_query_or_user_info() {
    let u = |s: &str| redact_url(&s.parse().unwrap());
    assert_eq!(
        u("https://node.example/v3/API-KEY"),
        "https://node.example/…"
    );
    assert_eq!(u("http://127.0.0.1:8545"), "http://127.0.0.1:8545");
    assert_eq!(u("http://127.0.0.1:8545/"), "http://127.0.0.1:8545");
    assert_eq!(u("https://u:p@node.example"), "https://node.example/…");
    assert_eq!(u("https://node.example/?key=K"), "https://node.example/…");
    assert_eq!(u("http://[::1]:8545/k"), "http://[::1]:8545/…");
}

#[test]
fn secrets_are_scrubbed_from_any_text() {
    let raw = "https://alice:hunter22@node.example/v3/API-KEY-0123456789?apikey=QUERYSECRET1&x=1";
    let t = Transport::new(raw, Duration::from_secs(1), 10).unwrap();
    assert_eq!(t.shown(), "https://node.example/…");
    let text = format!(
        "error for url ({raw}): bad key API-KEY-0123456789 or QUERYSECRET1 from alice/hunter22 \
             at /v3/API-KEY-0123456789"
    );
    let c = t.clean(&text, 1000);
    for s in ["API-KEY", "QUERYSECRET1", "alice", "hunter22", "v3/"] {
        assert!(!c.contains(s), "{s} in {c}");
    }
    assert!(c.contains("bad key"), "{c}");
    // Cut short (a partly read body), or pulled into view by scrubbing.
    for text in [
        "page: /v3/API-KEY-01",
        "API-KEY-0123456789 API-KEY-0123456789 API-KEY-01234",
        "token QUERYSEC",
        "alice:hunt",
    ] {
        let c = t.clean(text, 1000);
        for partial in ["API-KEY-01", "QUERYSEC", "hunt"] {
            assert!(!c.contains(partial), "{c}");
        }
        assert!(c.ends_with('…'), "{c}");
    }
    // A percent-encoded key is scrubbed as sent and as decoded.
    let t = Transport::new(
        "http://n.example/k/KEY%7CWITH%7CBARS",
        Duration::from_secs(1),
        10,
    )
    .unwrap();
    let c = t.clean("KEY%7CWITH%7CBARS and KEY|WITH|BARS", 1000);
    assert!(!c.contains("KEY"), "{c}");
}

#[test]
fn invalid_urls_are_not_echoed() {
    for raw in [
        "ftp://SECRET-KEY@x/SECRET-KEY",
        "not a url SECRET-KEY",
        "http://",
    ] {
        let e = Transport::new(raw, Duration::from_secs(1), 10)
            .err()
            .unwrap()
            .to_string();
        assert!(!e.contains("SECRET-KEY"), "{e}");
        assert!(e.starts_with("invalid RPC URL"), "{e}");
    }
}

#[test]
fn retry_after_is_seconds_or_a_date() {
    assert_eq!(
        parse_retry_after("100000", 0),
        Some(Duration::from_secs(100000))
    );
    assert_eq!(parse_retry_after(" 2 ", 0), Some(Duration::from_secs(2)));
    assert_eq!(
        parse_retry_after("1.5", 0),
        Some(Duration::from_millis(1500))
    );
    // 1994-11-06 08:49:37 UTC is 784111777.
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111770),
        Some(Duration::from_secs(7))
    );
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111999),
        Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("soon", 0), None);
    assert_eq!(parse_retry_after("-3", 0), None);
    assert_eq!(parse_retry_after("NaN", 0), None);
    assert_eq!(parse_retry_after("-0", 0), Some(Duration::ZERO));
    assert_eq!(
        parse_retry_after("1e300", 0),
        Some(Duration::from_secs(1_000_000_000))
    );
    assert_eq!(parse_retry_after("inf", 0), None);
}

#[test]
fn durations_read_naturally() {
    assert_eq!(show_duration(Duration::from_secs(5)), "5s");
    assert_eq!(show_duration(Duration::from_millis(300)), "300ms");
    assert_eq!(show_duration(Duration::from_millis(1500)), "1.5s");
}

#[test]
fn batch_answers_are_matched_by_id() {
    let body = br#"[{"jsonrpc":"2.0","id":1,"result":"0x1"},{"id":"0","result":null},
            {"id":1,"result":"dup"},{"id":7,"result":"stray"},
            {"id":2,"error":{"code":3,"message":"execution reverted","data":"0x08"}}]"#;
    let r = parse_batch(body, 4);
    assert_eq!(r[0], Ok(Json::Null));
    assert_eq!(r[1], Ok(json!("0x1")));
    assert_eq!(
        r[2],
        Err(CallError::Resp {
            code: 3,
            message: "execution reverted".into(),
            data: Some(json!("0x08"))
        })
    );
    assert_eq!(
        r[3],
        Err(CallError::Missing(Some(
            "it holds an answer with id 7".into()
        )))
    );
    // The whole batch refused with one error object.
    let r = parse_batch(
        br#"{"id":null,"error":{"code":-32005,"message":"limit"}}"#,
        2,
    );
    assert!(
        r.iter()
            .all(|x| matches!(x, Err(CallError::Resp { code: -32005, .. })))
    );
    assert!(
        parse_batch(b"<html>", 2)
            .iter()
            .all(|x| matches!(x, Err(CallError::Malformed(_))))
    );
    assert_eq!(
        parse_batch(br#"{"id":0,"result":"0x5"}"#, 1),
        vec![Ok(json!("0x5"))]
    );
    assert!(matches!(
        parse_batch(br#"{"id":0,"result":"0x5"}"#, 2)[1],
        Err(CallError::Malformed(_))
    ));
    assert!(matches!(
        parse_batch(b"{}", 1)[0],
        Err(CallError::Malformed(_))
    ));
    assert!(matches!(
        parse_batch(b"[]", 1)[0],
        Err(CallError::Missing(None))
    ));
    // Ids as we wrote them only: "01" and "+1" are not id 1.
    let r = parse_batch(
        br#"[{"id":"01","result":"0x1"},{"id":"+1","result":"0x1"}]"#,
        2,
    );
    assert!(matches!(r[1], Err(CallError::Missing(_))), "{r:?}");
    assert!(matches!(
        parse_batch(br#"[{"id":0,"error":{"code":"x"}}]"#, 1)[0],
        Err(CallError::Malformed(_))
    ));
}

#[test]
fn single_answers_check_their_id() {
    assert_eq!(
        parse_single(br#"{"id":0,"result":"0x2"}"#, 0),
        Ok(json!("0x2"))
    );
    assert_eq!(
        parse_single(br#"[{"id":0,"result":"0x2"}]"#, 0),
        Ok(json!("0x2"))
    );
    assert!(matches!(
        parse_single(br#"{"id":5,"result":"0x2"}"#, 0),
        Err(CallError::Malformed(_))
    ));
    assert!(matches!(
        parse_single(b"42", 0),
        Err(CallError::Malformed(_))
    ));
    assert!(matches!(
        parse_single(br#"{"id":0}"#, 0),
        Err(CallError::Malformed(_))
    ));
}
