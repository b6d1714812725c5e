//! Faults between discovery and the node (through a loopback proxy that
//! injects them), batching and Multicall3, and the committed artifacts.

use std::time::{Duration, Instant};

use l2stage_discovery::testkit::{self, Chain, Fault, FaultProxy, deploy_rollup};
use l2stage_discovery::{Config, DiscoveryError, MulticallMode, Rpc, RpcOptions, discover_with};

fn mini() -> Config {
    Config::parse(testkit::MINI_CONFIG).unwrap()
}

async fn run_at(
    url: &str,
    opts: RpcOptions,
    entries: &[alloy::primitives::Address],
    block: Option<u64>,
) -> (
    Result<l2stage_discovery::Discovered, DiscoveryError>,
    l2stage_discovery::Stats,
) {
    let mut rpc = Rpc::new(url, opts).unwrap();
    let r = discover_with(&mut rpc, entries, block, &mini(), &mut |_| {}).await;
    (r, rpc.stats())
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_are_retried_with_backoff() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    let proxy = FaultProxy::start(&chain.url(), Fault::RateLimit(2)).await;
    let (d, stats) = run_at(&proxy.url, testkit::test_options(), &r.entries(), None).await;
    let d = d.expect("succeeds after the 429s");
    assert!(stats.retries >= 2, "{stats:?}");
    let (direct, _) = run_at(
        &chain.url(),
        testkit::test_options(),
        &r.entries(),
        Some(d.facts.pin.block),
    )
    .await;
    assert_eq!(direct.unwrap().governance, d.governance);
}

#[tokio::test(flavor = "multi_thread")]
async fn persistent_rate_limits_and_garbage_end_in_clear_errors() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    let proxy = FaultProxy::start(&chain.url(), Fault::RateLimit(1000)).await;
    let (d, _) = run_at(&proxy.url, testkit::test_options(), &r.entries(), None).await;
    let msg = d.unwrap_err().to_string();
    assert!(
        msg.contains("eth_blockNumber")
            && msg.contains("HTTP 429")
            && msg.contains("gave up after 3 attempts"),
        "{msg}"
    );

    let proxy = FaultProxy::start(&chain.url(), Fault::Garbage).await;
    let (d, _) = run_at(&proxy.url, testkit::test_options(), &r.entries(), Some(1)).await;
    let err = d.unwrap_err();
    assert!(matches!(err, DiscoveryError::Malformed { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("malformed response") && msg.contains("eth_"),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_answers_with_missing_entries_are_retried_or_refused_never_partial() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    let block = chain.block_number().await;
    // One answer missing per batch: what is missing is asked again.
    let proxy = FaultProxy::start(&chain.url(), Fault::DropLast).await;
    let opts = RpcOptions {
        max_attempts: 8,
        ..testkit::test_options()
    };
    let (d, stats) = run_at(&proxy.url, opts, &r.entries(), Some(block)).await;
    assert!(stats.retries > 0, "{stats:?}");
    let (direct, _) = run_at(
        &chain.url(),
        testkit::test_options(),
        &r.entries(),
        Some(block),
    )
    .await;
    assert_eq!(d.unwrap().governance, direct.unwrap().governance);
    // Every answer missing, every time: an error.
    let proxy = FaultProxy::start(&chain.url(), Fault::EmptyBatch).await;
    let (d, _) = run_at(
        &proxy.url,
        testkit::test_options(),
        &r.entries(),
        Some(block),
    )
    .await;
    let err = d.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, DiscoveryError::Malformed { .. }), "{err:?}");
    assert!(msg.contains("no answer for this call"), "{msg}");
}

#[tokio::test(flavor = "multi_thread")]
async fn timeouts_are_retried_then_reported() {
    let chain = Chain::start().await;
    let proxy = FaultProxy::start(&chain.url(), Fault::Hang).await;
    let opts = RpcOptions {
        timeout: Duration::from_millis(300),
        ..testkit::test_options()
    };
    let started = Instant::now();
    let (d, stats) = run_at(&proxy.url, opts, &[chain.accounts[1]], None).await;
    let msg = d.unwrap_err().to_string();
    assert!(
        msg.contains("eth_blockNumber") && msg.contains("gave up after 3 attempts"),
        "{msg}"
    );
    assert_eq!(stats.retries, 2);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_behind_the_pinned_block_is_refused() {
    let chain = Chain::start().await;
    let head = chain.block_number().await;
    let (d, _) = run_at(
        &chain.url(),
        testkit::test_options(),
        &[chain.accounts[1]],
        Some(head + 100),
    )
    .await;
    let err = d.unwrap_err();
    assert!(matches!(err, DiscoveryError::NodeBehind { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("behind the pinned block {}", head + 100)),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn batched_round_trips_stay_within_depth_plus_two_and_match_one_call_per_read() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    let block = chain.block_number().await;
    let (batched, bs) = run_at(
        &chain.url(),
        testkit::test_options(),
        &r.entries(),
        Some(block),
    )
    .await;
    let batched = batched.unwrap();
    let depth = batched.facts.depth as u64;
    assert!(
        bs.round_trips <= depth + 2,
        "{} round trips for depth {depth}: {bs:?}",
        bs.round_trips
    );
    let single = RpcOptions {
        batch_size: 1,
        multicall: MulticallMode::Off,
        ..testkit::test_options()
    };
    let (one, os) = run_at(&chain.url(), single, &r.entries(), Some(block)).await;
    assert_eq!(one.unwrap().governance, batched.governance);
    assert_eq!(os.round_trips, os.http_requests);
    assert!(
        os.round_trips > 10 * bs.round_trips,
        "batched {bs:?} vs one call per read {os:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn multicall3_is_used_where_deployed() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    chain.install_multicall3().await;
    let block = chain.block_number().await;
    let (with, ws) = run_at(
        &chain.url(),
        testkit::test_options(),
        &r.entries(),
        Some(block),
    )
    .await;
    let with = with.unwrap();
    assert!(ws.multicalled > 20, "{ws:?}");
    assert_eq!(
        with.facts.multicall,
        Some(l2stage_discovery::abi::MULTICALL3)
    );
    let off = RpcOptions {
        multicall: MulticallMode::Off,
        ..testkit::test_options()
    };
    let (without, os) = run_at(&chain.url(), off, &r.entries(), Some(block)).await;
    assert_eq!(without.unwrap().governance, with.governance);
    assert_eq!(os.multicalled, 0);
    assert!(ws.rpc_calls < os.rpc_calls, "{ws:?} vs {os:?}");
}

#[test]
fn committed_artifacts_match_their_sources() {
    use sha2::{Digest, Sha256};
    let root = testkit::workspace_root().join("contracts");
    let mut n = 0;
    for e in std::fs::read_dir(root.join("out")).unwrap() {
        let path = e.unwrap().path();
        let a: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut sources = vec![(a["sourceName"].clone(), a["sourceSha256"].clone())];
        for i in a["imports"].as_array().unwrap() {
            sources.push((i["sourceName"].clone(), i["sourceSha256"].clone()));
        }
        for (name, sha) in sources {
            let src = std::fs::read(root.join("src").join(name.as_str().unwrap())).unwrap();
            let got = format!("{:x}", Sha256::digest(&src));
            assert_eq!(
                got,
                sha.as_str().unwrap(),
                "{} was compiled from another version of {name}: run `node contracts/build.mjs`",
                path.display()
            );
        }
        n += 1;
    }
    assert!(n >= 9);
}
