//! Whatever the node answers, decoding gives answers or errors, never a
//! panic; and what reaches a message is terminal-safe.

use super::decode::{hex_bytes, parse_log, quantity};
use super::options::Pin;
use super::retry::classify;
use super::*;
use crate::transport::{CallError, parse_batch, parse_single, sanitize};
use alloy::primitives::{Address, B256, Bytes};
use proptest::prelude::*;
use serde_json::{Value as Json, json};

const KEYS: &[&str] = &[
    "id",
    "jsonrpc",
    "result",
    "error",
    "code",
    "message",
    "data",
    "address",
    "topics",
    "blockNumber",
    "logIndex",
    "transactionIndex",
    "removed",
    "number",
    "hash",
    "timestamp",
];

fn hexish() -> impl Strategy<Value = String> {
    prop_oneof![
        "0x[0-9a-fA-F]{0,80}",
        "0x[0-9a-f]{64}",
        "0x[0-9a-f]{40}",
        "0x[0-9a-f]{0,3}",
        "0X[0-9a-z]{0,10}",
        "[0-9a-fx]{0,10}",
        "\\PC{0,20}",
        ".*\u{1b}\\[[0-9;]*m.*",
    ]
}

fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::from),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        any::<f64>().prop_map(|f| json!(f)),
        (0u64..8).prop_map(Json::from),
        hexish().prop_map(Json::from),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Json::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|kv| {
                Json::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// A batch answer: entries with right, wrong, repeated or missing ids,
/// results and errors of any shape.
fn batch_answer() -> impl Strategy<Value = Json> {
    let entry = (
        prop_oneof![
            (0u64..6).prop_map(Json::from),
            Just(Json::Null),
            "[+]?[0-9]{1,3}".prop_map(Json::from),
            any::<i64>().prop_map(Json::from),
        ],
        prop_oneof![
            json().prop_map(|r| ("result", r)),
            (any::<i64>(), "\\PC{0,30}", json())
                .prop_map(|(c, m, d)| ("error", json!({"code": c, "message": m, "data": d}))),
            json().prop_map(|e| ("error", e)),
        ],
    )
        .prop_map(|(id, (k, v))| json!({"jsonrpc": "2.0", "id": id, k: v}));
    prop_oneof![
        prop::collection::vec(entry, 0..8).prop_map(Json::Array),
        json(),
    ]
}

thread_local! {
    // Building an HTTP client is slow: one per test thread.
    static RPC: std::cell::RefCell<Rpc> = std::cell::RefCell::new(
        Rpc::new("http://127.0.0.1:9/KEY-0123456789", RpcOptions::default()).unwrap(),
    );
}

/// Run `f` with a client pinned to block 100 (nothing is sent).
fn with_rpc<T>(f: impl FnOnce(&mut Rpc) -> T) -> T {
    RPC.with(|r| {
        let mut rpc = r.borrow_mut();
        rpc.pin = Some(Pin::new(100));
        rpc.header_checked = false;
        f(&mut rpc)
    })
}

fn reads() -> Vec<Read> {
    let a = Address::repeat_byte(1);
    vec![
        Read::Code(a),
        Read::Storage(a, abi::IMPLEMENTATION_SLOT),
        Read::Call(a, Bytes::from(vec![0x8d, 0xa5, 0xcb, 0x5b])),
        Read::Logs {
            addresses: vec![a],
            topics: vec![B256::repeat_byte(2)],
            from: 0,
        },
        Read::LogRange {
            addresses: vec![a],
            topics: vec![B256::repeat_byte(2)],
            from: 90,
            to: 95,
        },
    ]
}

fn safe(text: &str) -> bool {
    !text.chars().any(|c| c.is_control())
}

fn failure_text(f: &Failure) -> String {
    match f {
        Failure::Retry { message, .. } => message.clone(),
        Failure::Revert(_) => String::new(),
        Failure::Fatal(e) => e.to_string(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_decode_without_panicking(body in prop::collection::vec(any::<u8>(), 0..300), n in 0usize..6) {
        let answers = parse_batch(&body, n);
        prop_assert_eq!(answers.len(), n);
        let _ = parse_single(&body, 0);
    }

    #[test]
    fn garbled_batch_answers_give_one_outcome_per_call(answer in batch_answer(), n in 0usize..6) {
        let body = answer.to_string();
        // As the parser reads it (floats may not round-trip exactly).
        let answer: Json = serde_json::from_str(&body).unwrap();
        let answers = parse_batch(body.as_bytes(), n);
        prop_assert_eq!(answers.len(), n);
        // An answer is only ever taken from an entry with that call's id.
        for (i, a) in answers.iter().enumerate() {
            if let Ok(result) = a {
                let items = match &answer {
                    Json::Array(items) => items.clone(),
                    one => vec![one.clone()],
                };
                let found = items.iter().any(|e| {
                    e.get("id").is_some_and(|id| {
                        id.as_u64() == Some(i as u64) || id.as_str() == Some(i.to_string().as_str())
                    }) && e.get("result") == Some(result)
                });
                prop_assert!(found, "answer {} = {} not in {}", i, result, answer);
            }
        }
        let _ = parse_single(body.as_bytes(), 0);
        // Every outcome classifies, and its text is terminal-safe once
        // the transport has cleaned it.
        let transport = with_rpc(|rpc| rpc.transport.clone());
        for a in answers {
            if let Err(e) = a {
                let cleaned = match e {
                    CallError::Resp { code, message, data } => CallError::Resp {
                        code,
                        message: transport.clean(&message, 200),
                        data,
                    },
                    CallError::Malformed(m) => CallError::Malformed(transport.clean(&m, 200)),
                    CallError::Missing(m) => CallError::Missing(m.map(|m| transport.clean(&m, 200))),
                    other => other,
                };
                for method in ["eth_call", "eth_getCode"] {
                    let f = classify(&cleaned, method, "call", 100);
                    let text = failure_text(&f);
                    prop_assert!(safe(&text), "{:?}", text);
                }
            }
        }
    }

    #[test]
    fn any_result_decodes_to_an_answer_or_an_error(result in json()) {
        for r in reads() {
            match with_rpc(|rpc| rpc.decode(&r, result.clone())) {
                Ok(Answer::Word(_)) => prop_assert!(matches!(r, Read::Storage(..))),
                Ok(_) => {}
                Err(f) => prop_assert!(safe(&failure_text(&f))),
            }
        }
    }

    #[test]
    fn any_header_or_quantity_is_checked(result in json()) {
        for job in [Job::ChainId, Job::BlockNumber, Job::Header] {
            if let Err(f) = with_rpc(|rpc| rpc.aux(&job, &result, false)) {
                prop_assert!(safe(&failure_text(&f)));
            }
        }
    }

    #[test]
    fn hex_of_any_length_decodes_or_is_refused(s in hexish()) {
        let j = Json::from(s.clone());
        if let Some(b) = hex_bytes(&j) {
            let digits = s.len() - 2;
            prop_assert_eq!(b.len(), digits.div_ceil(2));
        }
        if let Some(q) = quantity(&j) {
            let digits = s[2..].to_lowercase();
            let digits = digits.trim_start_matches('0');
            prop_assert_eq!(format!("{q:x}"), if digits.is_empty() { "0" } else { digits });
        }
    }

    #[test]
    fn any_log_parses_or_is_refused(l in json()) {
        let _ = parse_log(&l);
    }

    #[test]
    fn aggregate3_of_any_bytes_decodes_or_is_refused(data in prop::collection::vec(any::<u8>(), 0..400), n in 0usize..4) {
        if let Some(v) = abi::decode_aggregate3(&data, n) {
            prop_assert_eq!(v.len(), n);
        }
    }

    #[test]
    fn sanitised_text_is_terminal_safe_and_capped(s in "\\PC*|[\\x00-\\x1f\\x7f-\\u{9f}\u{202e}a]{0,50}", max in 0usize..40) {
        let out = sanitize(&s, max);
        prop_assert!(safe(&out));
        // At most `max` characters kept, each escaped to at most 10.
        prop_assert!(out.chars().count() <= max * 10 + 1);
        if s.chars().count() <= max && s.chars().all(|c| !c.is_control() && c != '\u{202e}') {
            prop_assert_eq!(out, s);
        }
    }

    #[test]
    fn any_retry_after_parses_or_is_ignored(s in "\\PC{0,40}|[0-9.e+-]{0,20}") {
        let _ = crate::transport::parse_retry_after(&s, 0);
    }
}
