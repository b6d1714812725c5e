//! Watch benchmark: 50 projects of 31 contracts each on anvil (the test
//! rollup's contracts of contracts/src: nested Safes, a timelock, ten
//! bridges behind proxies with their ProxyAdmins, a beacon with four beacon
//! proxies, a verifier), read through a proxy adding 10 ms per request.
//!
//! Every project reaches 30 of its contracts from its entries (all but the
//! bridges' shared implementation) plus its 5 keys.
//!
//! * one watch cycle: `discover_many` over the 50 projects at one block —
//!   round trips (target: deepest project + 2), HTTP requests, JSON-RPC
//!   calls, wall time — against 50 separate crawls;
//! * following 1,000 blocks with `governance_logs`, events in 3 projects —
//!   requests per block (target ≈ 1), block by block and in one range.
//!
//!   cargo bench -p l2stage-discovery --bench watch
//!   (needs anvil: npm ci --prefix tools/anvil)

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, Bytes, U256};
use alloy::providers::Provider;
use alloy::providers::ext::AnvilApi;
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::{SolCall, SolValue};
use l2stage_discovery::testkit::{self, Chain, DAY, Fault, FaultProxy, artifact, real::keys};
use l2stage_discovery::{
    Config, MulticallMode, ProjectJob, Rpc, RpcOptions, discover_many, discover_with,
    governance_logs,
};

const PROJECTS: usize = 50;
const BLOCKS: u64 = 1_000;

alloy::sol! {
    function initialize(address admin, address pauser, address proposer, uint256 finalization, uint256 forced, uint256 selfPropose) external;
    function upgradeTo(address next) external;
}

/// Sends deployments without waiting for receipts (anvil mines each on
/// arrival): the address follows from the deployer's nonce.
struct Deployer<'c> {
    chain: &'c Chain,
    from: Address,
    nonce: u64,
    code: BTreeMap<&'static str, Bytes>,
}

impl Deployer<'_> {
    /// Mine until every transaction sent is in a block.
    async fn settle(&self) {
        for _ in 0..10_000 {
            let mined = self
                .chain
                .provider
                .get_transaction_count(self.from)
                .await
                .expect("nonce");
            if mined >= self.nonce {
                return;
            }
            self.chain.mine().await;
        }
        panic!("transactions were not mined");
    }

    async fn deploy(&mut self, name: &'static str, args: Vec<u8>) -> Address {
        let mut code = self
            .code
            .entry(name)
            .or_insert_with(|| artifact(name).bytecode)
            .to_vec();
        code.extend(args);
        let tx = TransactionRequest::default()
            .with_from(self.from)
            .with_nonce(self.nonce)
            .with_chain_id(31337)
            .with_gas_limit(5_000_000)
            .with_max_fee_per_gas(100_000_000_000)
            .with_max_priority_fee_per_gas(1)
            .with_deploy_code(Bytes::from(code));
        // Mined on arrival: the receipt is not waited for.
        let _pending = self
            .chain
            .provider
            .send_transaction(tx)
            .await
            .expect("send deployment");
        let a = self.from.create(self.nonce);
        self.nonce += 1;
        a
    }
}

struct Project {
    entries: Vec<Address>,
    contracts: Vec<Address>,
    beacon: Address,
    implementation: Address,
}

async fn deploy_project(d: &mut Deployer<'_>, p: usize, beacon_owner: Address) -> Project {
    let k = keys(10 + p as u8, 5);
    let mut contracts = Vec::new();
    let council = d
        .deploy(
            "MiniSafe",
            (k[..3].to_vec(), U256::from(2)).abi_encode_params(),
        )
        .await;
    let team = d
        .deploy(
            "MiniSafe",
            (k[3..].to_vec(), U256::from(1)).abi_encode_params(),
        )
        .await;
    let root = d
        .deploy(
            "MiniSafe",
            (vec![council, team], U256::from(2)).abi_encode_params(),
        )
        .await;
    let timelock = d
        .deploy(
            "MiniTimelock",
            (
                U256::from(3 * DAY),
                vec![root],
                vec![Address::ZERO],
                Address::ZERO,
            )
                .abi_encode_params(),
        )
        .await;
    let implementation = d.deploy("MiniBridge", vec![]).await;
    contracts.extend([council, team, root, timelock, implementation]);
    let mut entries = Vec::new();
    for _ in 0..10 {
        let admin = d
            .deploy("MiniProxyAdmin", (timelock,).abi_encode_params())
            .await;
        let init = initializeCall {
            admin: timelock,
            pauser: team,
            proposer: k[0],
            finalization: U256::from(7 * DAY),
            forced: U256::from(DAY),
            selfPropose: U256::from(7 * DAY),
        }
        .abi_encode();
        let bridge = d
            .deploy(
                "MiniProxy",
                (implementation, admin, Bytes::from(init)).abi_encode_params(),
            )
            .await;
        contracts.extend([admin, bridge]);
        entries.push(bridge);
    }
    let beacon = d
        .deploy(
            "MiniBeacon",
            (implementation, beacon_owner).abi_encode_params(),
        )
        .await;
    contracts.push(beacon);
    for _ in 0..4 {
        let bp = d
            .deploy("MiniBeaconProxy", (beacon,).abi_encode_params())
            .await;
        contracts.push(bp);
        entries.push(bp);
    }
    let verifier = d.deploy("MiniVerifier", vec![]).await;
    contracts.push(verifier);
    entries.push(verifier);
    Project {
        entries,
        contracts,
        beacon,
        implementation,
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let chain = Chain::start().await;
        chain.install_multicall3().await;
        let from = chain.deployer();
        let nonce = chain
            .provider
            .get_transaction_count(from)
            .await
            .expect("nonce");
        let beacon_owner = chain.accounts[1];
        let mut d = Deployer {
            chain: &chain,
            from,
            nonce,
            code: BTreeMap::new(),
        };
        let t = Instant::now();
        let mut projects = Vec::new();
        for p in 0..PROJECTS {
            projects.push(deploy_project(&mut d, p, beacon_owner).await);
            d.settle().await;
        }
        let block = chain.block_number().await;
        let contracts: usize = projects.iter().map(|p| p.contracts.len()).sum();
        println!(
            "deployed {PROJECTS} projects, {contracts} contracts ({} per project), {} entries, in {:.1}s; block {block}",
            projects[0].contracts.len(),
            projects.iter().map(|p| p.entries.len()).sum::<usize>(),
            t.elapsed().as_secs_f64()
        );
        let slow = FaultProxy::start(&chain.url(), Fault::Latency(10)).await;
        let config = Config::parse(testkit::MINI_CONFIG).expect("config");
        let jobs: Vec<ProjectJob<'_>> = projects
            .iter()
            .enumerate()
            .map(|(i, p)| ProjectJob {
                project: format!("project-{i:02}"),
                entries: p.entries.clone(),
                config: &config,
            })
            .collect();
        let mut failed = false;

        println!("\n== one watch cycle, {PROJECTS} projects, +10 ms per request ==");
        println!(
            "{:<46} {:>6} {:>7} {:>9} {:>7} {:>9}",
            "mode", "depth", "rounds", "requests", "calls", "time"
        );
        for (name, multicall, pinned) in [
            ("discover_many, batched, latest block", MulticallMode::Off, false),
            ("discover_many, batched, pinned block", MulticallMode::Off, true),
            (
                "discover_many, batched + Multicall3, latest",
                MulticallMode::At(l2stage_discovery::abi::MULTICALL3),
                false,
            ),
        ] {
            let opts = RpcOptions {
                multicall,
                ..RpcOptions::default()
            };
            let mut rpc = Rpc::new(&slow.url, opts).expect("client");
            let t = Instant::now();
            let out = match discover_many(&mut rpc, &jobs, pinned.then_some(block)).await {
                Ok(out) => out,
                Err(e) => {
                    println!("  ✗ {name}: {e}");
                    failed = true;
                    continue;
                }
            };
            let elapsed = t.elapsed();
            let s = rpc.stats();
            let mut depth = 0;
            for (id, r) in &out {
                match r {
                    Ok(d) => {
                        depth = depth.max(d.facts.depth);
                        // Every contract but the shared implementation
                        // (not a governance node: it is not crawled).
                        let found = d.facts.nodes.values().filter(|n| n.code_size > 0).count();
                        if found != 30 {
                            println!("  ✗ {id}: {found} contracts reached, not 30");
                            failed = true;
                        }
                    }
                    Err(e) => {
                        println!("  ✗ {id}: {e}");
                        failed = true;
                    }
                }
            }
            println!(
                "{name:<46} {depth:>6} {:>7} {:>9} {:>7} {:>8.3}s",
                s.round_trips,
                s.http_requests,
                s.rpc_calls,
                elapsed.as_secs_f64()
            );
            if s.round_trips > depth as u64 + 2 {
                println!("  ✗ {} round trips > depth {depth} + 2", s.round_trips);
                failed = true;
            }
        }
        // The same 50 projects crawled one after the other.
        let mut rpc = Rpc::new(
            &slow.url,
            RpcOptions {
                multicall: MulticallMode::Off,
                ..RpcOptions::default()
            },
        )
        .expect("client");
        let t = Instant::now();
        for p in &projects {
            discover_with(&mut rpc, &p.entries, Some(block), &config, &mut |_| {})
                .await
                .expect("crawl");
        }
        let s = rpc.stats();
        println!(
            "{:<46} {:>6} {:>7} {:>9} {:>7} {:>8.3}s",
            "50 separate crawls, batched, pinned block",
            "",
            s.round_trips,
            s.http_requests,
            s.rpc_calls,
            t.elapsed().as_secs_f64()
        );

        // Following: 1,000 blocks, a beacon upgrade in 3 projects.
        let start = chain.block_number().await;
        let touched = [3usize, 17, 42];
        let at = [start + 100, start + 400, start + 800];
        let mut mined = start;
        for (p, b) in touched.iter().zip(at) {
            chain
                .provider
                .anvil_mine(Some(b - 1 - mined), None)
                .await
                .expect("mine");
            chain
                .send(
                    beacon_owner,
                    projects[*p].beacon,
                    upgradeToCall {
                        next: projects[*p].implementation,
                    }
                    .abi_encode(),
                )
                .await;
            mined = chain.block_number().await;
            assert_eq!(mined, b, "event block");
        }
        chain
            .provider
            .anvil_mine(Some(start + BLOCKS - mined), None)
            .await
            .expect("mine");
        assert_eq!(chain.block_number().await, start + BLOCKS);
        let mut owner_of: BTreeMap<Address, usize> = BTreeMap::new();
        for (i, p) in projects.iter().enumerate() {
            for c in &p.contracts {
                owner_of.insert(*c, i);
            }
        }
        let watched: Vec<Address> = owner_of.keys().copied().collect();
        println!(
            "\n== following {BLOCKS} blocks, {} watched addresses, events in 3 projects, +10 ms per request ==",
            watched.len()
        );
        let mut rpc = Rpc::new(&slow.url, RpcOptions::default()).expect("client");
        let t = Instant::now();
        let mut events = Vec::new();
        for n in start + 1..=start + BLOCKS {
            events.extend(
                governance_logs(&mut rpc, &watched, n, n, &[])
                    .await
                    .expect("logs"),
            );
        }
        let s = rpc.stats();
        let per_block = s.http_requests as f64 / BLOCKS as f64;
        println!(
            "block by block: {} events, {} round trips, {} HTTP requests ({per_block:.2} per block), {} calls, {:.3}s",
            events.len(),
            s.round_trips,
            s.http_requests,
            s.rpc_calls,
            t.elapsed().as_secs_f64()
        );
        let got: BTreeSet<(usize, u64)> =
            events.iter().map(|e| (owner_of[&e.address], e.block)).collect();
        let want: BTreeSet<(usize, u64)> = touched.iter().copied().zip(at).collect();
        if got != want || events.len() != 3 {
            println!("  ✗ events {got:?}, expected {want:?}");
            failed = true;
        }
        if per_block > 1.0 {
            println!("  ✗ more than one request per block");
            failed = true;
        }
        let mut rpc = Rpc::new(&slow.url, RpcOptions::default()).expect("client");
        let t = Instant::now();
        let range = governance_logs(&mut rpc, &watched, start + 1, start + BLOCKS, &[])
            .await
            .expect("logs");
        let s = rpc.stats();
        println!(
            "one range of {BLOCKS} blocks: {} events, {} round trips, {} HTTP requests, {} calls, {:.3}s",
            range.len(),
            s.round_trips,
            s.http_requests,
            s.rpc_calls,
            t.elapsed().as_secs_f64()
        );
        if range != events {
            println!("  ✗ the range found other events than block by block");
            failed = true;
        }
        if failed {
            std::process::exit(1);
        }
        println!("\nround trips ≤ depth + 2, ≤ 1 request per block followed: ok");
    });
}
