//! A node that lies about blocks and prices, against the value-locked
//! reader: a loopback JSON-RPC server written here (a peer that answers
//! what a hostile or broken node could, not a stand-in for a real node:
//! value_anvil.rs reads real contracts). Nothing it answers may panic,
//! hang, or turn into a wrong value or block without saying so.

use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::{Address, U256};
use l2stage_discovery::blocks::{BlockReader, blocks_at};
use l2stage_discovery::chain_profile::ChainProfile;
use l2stage_discovery::testkit;
use l2stage_discovery::value::{self, Escrow};
use l2stage_discovery::{DiscoveryError, RpcOptions};
use l2stage_model::Date;
use serde_json::{Value as Json, json};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

type Answerer = Arc<dyn Fn(&str, &Json) -> Json + Send + Sync>;

/// A JSON-RPC node answering every call (single or batched) with
/// `answer(method, params)` as its `result`.
struct Node {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Node {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn node(answer: Answerer) -> Node {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let answer = answer.clone();
            tokio::spawn(async move {
                while let Ok(Some((_, body))) = testkit::read_http(&mut sock).await {
                    let req: Json = serde_json::from_slice(&body).unwrap_or(Json::Null);
                    let one = |r: &Json| {
                        let method = r["method"].as_str().unwrap_or("");
                        json!({"jsonrpc": "2.0", "id": r["id"], "result": answer(method, &r["params"])})
                    };
                    let out = match &req {
                        Json::Array(rs) => Json::Array(rs.iter().map(one).collect()),
                        r => one(r),
                    };
                    let body = out.to_string();
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    );
                    if sock.write_all(head.as_bytes()).await.is_err()
                        || sock.write_all(body.as_bytes()).await.is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    Node { url, task }
}

fn options() -> RpcOptions {
    RpcOptions {
        timeout: Duration::from_secs(5),
        max_attempts: 2,
        backoff: Duration::from_millis(10),
        ..RpcOptions::default()
    }
}

fn hex_u64(j: &Json) -> u64 {
    u64::from_str_radix(j.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

/// Blocks 0..=HEAD, one a day from 2025-01-01 00:00 UTC; `ts` may lie.
const HEAD: u64 = 1_000;
const START: u64 = 1_735_689_600;

fn chain(ts: fn(u64) -> u64) -> Answerer {
    Arc::new(move |method, params| match method {
        "eth_chainId" => json!("0x1"),
        "eth_getBlockByNumber" => {
            let n = match params[0].as_str() {
                Some("latest") => HEAD,
                _ => hex_u64(&params[0]),
            };
            json!({"number": format!("{n:#x}"), "timestamp": format!("{:#x}", ts(n))})
        }
        _ => Json::Null,
    })
}

#[tokio::test]
async fn timestamps_going_back_end_the_search_with_an_error_saying_so() {
    // Sane around the ends, but block 500 (the first midpoint) is dated a
    // year after the head: a search trusting it would answer a block from
    // the first half for a date in the second, and say nothing.
    let n = node(chain(|n| {
        if n == 500 {
            START + 2_000 * 86_400
        } else {
            START + n * 86_400
        }
    }))
    .await;
    let mut reader = BlockReader::new(&n.url, options()).unwrap();
    let e = blocks_at(&mut reader, &[START + 700 * 86_400 + 1])
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, DiscoveryError::Inconsistent { .. }), "{e:?}");
    assert!(
        text.contains("block timestamps are not monotonic: block 500"),
        "{text}"
    );

    // The same search on an honest chain finds block 700.
    let n = node(chain(|n| START + n * 86_400)).await;
    let mut reader = BlockReader::new(&n.url, options()).unwrap();
    let b = blocks_at(&mut reader, &[START + 700 * 86_400 + 1])
        .await
        .unwrap();
    assert_eq!(b[0].as_ref().unwrap().number, 700);
}

#[tokio::test]
async fn every_block_at_the_same_time_terminates() {
    // A node whose every block has one timestamp: no block is after any
    // moment at or past it, none before it; the search must not loop.
    let n = node(chain(|_| START)).await;
    let mut reader = BlockReader::new(&n.url, options()).unwrap();
    let b = blocks_at(&mut reader, &[START, START - 1, START + 1])
        .await
        .unwrap();
    for r in &b {
        assert!(r.is_err(), "{b:?}");
    }
}

const PROFILE: &str = r#"chain_id = 1

[tokens.ETH]
class = "eth"
decimals = 18
feed = "0x00000000000000000000000000000000000000f1"
max_staleness_seconds = 86400

[tokens.USDC]
address = "0x00000000000000000000000000000000000000a1"
class = "stablecoin"
decimals = 36
feed = "0x00000000000000000000000000000000000000f2"
max_staleness_seconds = 86400
"#;

fn word(v: U256) -> String {
    format!("{:064x}", v)
}

/// A node for a value read: honest blocks; the price feeds and balances
/// answer what `prices` says.
fn valuer(round: fn(&str) -> String, decimals: fn(&str) -> U256, balance: U256) -> Answerer {
    Arc::new(move |method, params| match method {
        "eth_chainId" => json!("0x1"),
        "eth_getBlockByNumber" => {
            let n = match params[0].as_str() {
                Some("latest") => HEAD,
                _ => hex_u64(&params[0]),
            };
            json!({"number": format!("{n:#x}"), "timestamp": format!("{:#x}", START + n * 86_400)})
        }
        "eth_getBalance" => json!(format!("{balance:#x}")),
        "eth_call" => {
            let to = params[0]["to"].as_str().unwrap().to_ascii_lowercase();
            let data = params[0]["data"].as_str().unwrap();
            if data.starts_with("0xfeaf968c") {
                json!(format!("0x{}", round(&to)))
            } else if data.starts_with("0x313ce567") {
                json!(format!("0x{}", word(decimals(&to))))
            } else {
                json!(format!("0x{}", word(balance)))
            }
        }
        _ => Json::Null,
    })
}

/// A round (id 1, answered in 1) of `answer` (two's complement), updated
/// at the block of 2025-01-11 (START + 10 days).
fn round_of(answer: U256) -> String {
    let one = U256::from(1u8);
    let at = U256::from(START + 10 * 86_400 - 60);
    [one, answer, at, at, one]
        .iter()
        .map(|w| word(*w))
        .collect()
}

async fn read(answer: Answerer) -> Result<value::Outcome, DiscoveryError> {
    let n = node(answer).await;
    let mut reader = BlockReader::new(&n.url, options()).unwrap();
    let profile = ChainProfile::parse(PROFILE).unwrap();
    let escrows = [Escrow {
        address: Address::repeat_byte(0xee),
        tokens: vec!["ETH".into(), "USDC".into()],
    }];
    let date = Date(chrono::NaiveDate::from_ymd_opt(2025, 1, 11).unwrap());
    let mut out = value::read_dates(&mut reader, &profile, &escrows, &[date]).await?;
    Ok(out.remove(0).1)
}

#[tokio::test]
async fn hostile_prices_and_balances_are_point_errors_never_panics() {
    let price = |_: &str| round_of(U256::from(3_000u64) * U256::from(10u64).pow(U256::from(8)));
    let eight = |_: &str| U256::from(8u8);
    let small = U256::from(10u64).pow(U256::from(18));

    // Honest: 1 ETH at $3,000; 10^18 units of a 36-decimal stablecoin at
    // $3,000 is $0.
    let ok = read(valuer(price, eight, small)).await.unwrap().unwrap();
    assert_eq!((ok.eth_usd, ok.stablecoin_usd), (3_000, 0));

    // decimals() = 255, and a word too large for any u8.
    let e = read(valuer(price, |_| U256::from(255u16), small))
        .await
        .unwrap()
        .unwrap_err();
    assert!(e.reason.contains("decimals is 255, more than 36"), "{e:?}");
    let e = read(valuer(price, |_| U256::MAX, small))
        .await
        .unwrap()
        .unwrap_err();
    assert!(e.reason.contains("more than 36"), "{e:?}");

    // A negative answer (-1 in two's complement) is not a price.
    let e = read(valuer(|_| round_of(U256::MAX), eight, small))
        .await
        .unwrap()
        .unwrap_err();
    assert!(e.reason.contains("the answer is -1: not a price"), "{e:?}");

    // A balance of 2^256 - 1: the value overflows, an error for the point.
    let e = read(valuer(price, eight, U256::MAX))
        .await
        .unwrap()
        .unwrap_err();
    assert!(e.reason.contains("the value overflows"), "{e:?}");

    // The largest price and decimals that do not overflow the product but
    // exceed 64 bits of dollars: an error, never a wrapped or saturated sum.
    let huge = |_: &str| round_of(U256::from(1u8) << 200);
    let e = read(valuer(huge, |_| U256::ZERO, U256::from(1u64) << 10))
        .await
        .unwrap()
        .unwrap_err();
    assert!(e.reason.contains("does not fit 64 bits"), "{e:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_backfill_is_read_in_bounded_waves() {
    // 1,000 escrows holding ETH (1,002 calls a block) at 150 blocks:
    // 150,300 calls, more than one wave may carry.
    let price = |_: &str| round_of(U256::from(3_000u64) * U256::from(10u64).pow(U256::from(8)));
    let n = node(valuer(
        price,
        |_| U256::from(8u8),
        U256::from(10u64).pow(U256::from(18)),
    ))
    .await;
    let mut reader = BlockReader::new(&n.url, options()).unwrap();
    let profile = ChainProfile::parse(PROFILE).unwrap();
    let escrows: Vec<Escrow> = (0..1_000u16)
        .map(|i| {
            let mut a = [0u8; 20];
            a[18..].copy_from_slice(&(i + 1).to_be_bytes());
            Escrow {
                address: Address::from(a),
                tokens: vec!["ETH".into()],
            }
        })
        .collect();
    let date = Date(chrono::NaiveDate::from_ymd_opt(2025, 1, 11).unwrap());
    let at: Vec<_> = (0..150)
        .map(|_| {
            (
                date,
                l2stage_discovery::blocks::BlockRef {
                    number: 10,
                    timestamp: START + 10 * 86_400,
                },
            )
        })
        .collect();
    let out = value::read_at_blocks(&mut reader, &profile, &escrows, &at)
        .await
        .unwrap();
    assert_eq!(out.len(), 150);
    let r = out[149].1.as_ref().unwrap();
    assert_eq!(r.eth_usd, 3_000_000); // 1,000 × 1 ETH × $3,000
    let per_wave = value::MAX_CALLS_PER_WAVE / 1_002; // 99 blocks
    assert_eq!(
        reader.stats().round_trips,
        150u64.div_ceil(per_wave as u64),
        "{:?}",
        reader.stats()
    );
}
