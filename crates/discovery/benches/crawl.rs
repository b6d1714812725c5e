//! Crawl benchmark: deploy a system of more than 50 contracts on anvil and
//! discover it batched (JSON-RPC batches, and with Multicall3) and with one
//! call per read, on loopback and behind a proxy adding 10 ms per request
//! (a distant node). Prints round trips, requests and time; fails if the
//! batched crawl needs more than depth + 2 round trips.
//!
//!   cargo bench -p l2stage-discovery --bench crawl
//!   (needs anvil: npm ci --prefix tools/anvil)

use std::time::{Duration, Instant};

use alloy::primitives::Address;
use alloy::sol_types::SolValue;
use l2stage_discovery::testkit::{self, Chain, DAY, Fault, FaultProxy};
use l2stage_discovery::{Config, MulticallMode, Rpc, RpcOptions, Stats, discover_with};

struct System {
    entries: Vec<Address>,
    contracts: usize,
}

async fn deploy(chain: &Chain) -> System {
    let k = &chain.accounts;
    let mut contracts = 0;
    let council = chain.safe(&[k[1], k[2], k[3]], 2).await;
    let team = chain.safe(&[k[4], k[5]], 1).await;
    let root = chain.safe(&[council, team], 2).await;
    let timelock = chain
        .timelock(3 * DAY, &[root], &[Address::ZERO], Address::ZERO)
        .await;
    let implementation = chain.deploy("MiniBridge", vec![]).await;
    contracts += 5;
    let mut entries = Vec::new();
    for i in 0..20 {
        let admin = chain.proxy_admin(timelock).await;
        let proposer = k[6 + i % 4];
        let bridge = chain
            .bridge(
                implementation,
                admin,
                timelock,
                team,
                proposer,
                7 * DAY,
                DAY,
                7 * DAY,
            )
            .await;
        entries.push(bridge);
        contracts += 2;
    }
    let beacon = chain
        .deploy("MiniBeacon", (implementation, council).abi_encode_params())
        .await;
    contracts += 1;
    for _ in 0..8 {
        entries.push(
            chain
                .deploy("MiniBeaconProxy", (beacon,).abi_encode_params())
                .await,
        );
        contracts += 1;
    }
    for _ in 0..5 {
        entries.push(chain.deploy("MiniVerifier", vec![]).await);
        contracts += 1;
    }
    System { entries, contracts }
}

async fn crawl(
    url: &str,
    opts: RpcOptions,
    entries: &[Address],
    block: u64,
    config: &Config,
) -> (Stats, usize, usize, Duration, String) {
    let mut rpc = Rpc::new(url, opts).expect("client");
    let t = Instant::now();
    let d = discover_with(&mut rpc, entries, Some(block), config, &mut |_| {})
        .await
        .expect("discovery");
    let elapsed = t.elapsed();
    let toml = l2stage_discovery::render::toml(&d).expect("toml");
    // The header mentions the round trips; compare the structure only.
    let body = toml
        .split_once("\n\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (
        rpc.stats(),
        d.facts.depth,
        d.facts.nodes.len(),
        elapsed,
        body,
    )
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let chain = Chain::start().await;
        let system = deploy(&chain).await;
        let block = chain.block_number().await;
        let config = Config::parse(testkit::MINI_CONFIG).expect("config");
        println!(
            "system: {} contracts deployed, {} entries, block {block}",
            system.contracts,
            system.entries.len()
        );
        let batched = RpcOptions {
            multicall: MulticallMode::Off,
            ..RpcOptions::default()
        };
        let single = RpcOptions {
            batch_size: 1,
            multicall: MulticallMode::Off,
            ..RpcOptions::default()
        };
        let multicall = RpcOptions {
            multicall: MulticallMode::At(l2stage_discovery::abi::MULTICALL3),
            ..RpcOptions::default()
        };
        chain.install_multicall3().await;
        let slow = FaultProxy::start(&chain.url(), Fault::Latency(10)).await;
        println!(
            "{:<44} {:>6} {:>8} {:>8} {:>9} {:>7} {:>10}",
            "mode", "depth", "addrs", "rounds", "requests", "calls", "time"
        );
        let mut reference: Option<String> = None;
        let mut failed = false;
        for (name, url, opts) in [
            ("loopback, batched", chain.url(), batched.clone()),
            (
                "loopback, batched + Multicall3",
                chain.url(),
                multicall.clone(),
            ),
            ("loopback, one call per read", chain.url(), single.clone()),
            (
                "+10 ms per request, batched",
                slow.url.clone(),
                batched.clone(),
            ),
            (
                "+10 ms per request, batched + Multicall3",
                slow.url.clone(),
                multicall.clone(),
            ),
            (
                "+10 ms per request, one call per read",
                slow.url.clone(),
                single.clone(),
            ),
        ] {
            let (s, depth, addrs, t, body) =
                crawl(&url, opts.clone(), &system.entries, block, &config).await;
            println!(
                "{name:<44} {depth:>6} {addrs:>8} {:>8} {:>9} {:>7} {:>9.3}s",
                s.round_trips,
                s.http_requests,
                s.rpc_calls,
                t.as_secs_f64()
            );
            match &reference {
                None => reference = Some(body),
                Some(r) if *r != body => {
                    println!("  ✗ {name}: a different structure than the first run");
                    failed = true;
                }
                _ => {}
            }
            if opts.batch_size > 1 && s.round_trips > depth as u64 + 2 {
                println!(
                    "  ✗ {name}: {} round trips > depth {depth} + 2",
                    s.round_trips
                );
                failed = true;
            }
        }
        if failed {
            std::process::exit(1);
        }
        println!("batched round trips ≤ depth + 2: ok; every mode found the same structure");
    });
}
