//! Following against a node that claims a head far in the future: a
//! loopback JSON-RPC server written here (a lying peer, not a stand-in for
//! a real node: watch_anvil.rs follows a real one). One follow step must
//! stay bounded whatever head the node claims.

use std::sync::Mutex;

use l2stage_discovery::{Rpc, testkit};
use l2stage_store::{Store, WatchCycle};
use l2stage_watch::follow::MAX_FOLLOW_BLOCKS;
use l2stage_watch::{StoreAccess, follow_once};
use serde_json::{Value as Json, json};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// Chain 1, whose latest block is `2^62`.
const CLAIMED_HEAD: u64 = 1 << 62;

async fn lying_node() -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                while let Ok(Some((_, body))) = testkit::read_http(&mut sock).await {
                    let req: Json = serde_json::from_slice(&body).unwrap_or(Json::Null);
                    let one = |r: &Json| {
                        let result = match r["method"].as_str() {
                            Some("eth_chainId") => json!("0x1"),
                            Some("eth_blockNumber") => json!(format!("{CLAIMED_HEAD:#x}")),
                            _ => Json::Null,
                        };
                        json!({"jsonrpc": "2.0", "id": r["id"], "result": result})
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
    (url, task)
}

#[tokio::test]
async fn a_head_far_ahead_is_followed_one_bounded_step_at_a_time() {
    let (url, task) = lying_node().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Mutex::new(Store::open(&dir.path().join("w.db")).unwrap());
    // A full cycle of chain 1 at block 100 left the cursor there.
    store.with_store(|s| {
        s.record_watch_cycle(&WatchCycle {
            chain_id: 1,
            block: 100,
            timestamp: 1_735_689_600,
            observations: Vec::new(),
            values: Vec::new(),
            assessments: Vec::new(),
            log_cursor: Some(100),
        })
        .unwrap();
    });
    let mut rpc = Rpc::new(&url, testkit::test_options()).unwrap();
    let f = follow_once(&mut rpc, &store, &[]).await.unwrap();
    assert_eq!((f.from, f.to), (101, 100 + MAX_FOLLOW_BLOCKS));
    assert_eq!(
        store.with_store(|s| s.log_cursor(1).unwrap()),
        Some(100 + MAX_FOLLOW_BLOCKS)
    );
    // The next step goes on from there.
    let f = follow_once(&mut rpc, &store, &[]).await.unwrap();
    assert_eq!(
        (f.from, f.to),
        (101 + MAX_FOLLOW_BLOCKS, 100 + 2 * MAX_FOLLOW_BLOCKS)
    );
    task.abort();
}
