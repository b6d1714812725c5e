//! Many projects discovered in one call (`discover_many`) on anvil: the
//! test rollup of contracts/src and a real Safe 1.4.1 governing an
//! OpenZeppelin 5 TransparentUpgradeableProxy (real bytecode from
//! contracts/real). Every BFS level of every project shares one wave, so
//! the call costs the deepest project's round trips, not their sum.

use alloy::primitives::{Address, U256};
use alloy::sol_types::SolValue;
use l2stage_discovery::testkit::real::{OZ_TIMELOCK, OZ_TRANSPARENT_PROXY, SafeKit, keys};
use l2stage_discovery::testkit::{self, Chain, DAY, deploy_rollup};
use l2stage_discovery::{Config, Discovered, ProjectJob, Rpc, discover_many, discover_with};

/// The `[governance]` TOML without its header (which counts round trips).
fn body(d: &Discovered) -> String {
    let toml = l2stage_discovery::render::toml(d).expect("toml");
    toml.split_once("\n\n").map(|(_, b)| b.to_string()).unwrap()
}

async fn alone(chain: &Chain, entries: &[Address], block: u64, cfg: &Config) -> (Discovered, u64) {
    let mut rpc = Rpc::new(&chain.url(), testkit::test_options()).unwrap();
    let d = discover_with(&mut rpc, entries, Some(block), cfg, &mut |_| {})
        .await
        .unwrap();
    (d, rpc.stats().round_trips)
}

#[tokio::test]
async fn projects_share_each_wave_and_a_bad_project_fails_alone() {
    let chain = Chain::start().await;
    // Project "mini": the test rollup (nested Safes, timelock, roles, beacon).
    let rollup = deploy_rollup(&chain).await;
    // Project "real": Safe 1.4.1 (2 of 3) proposing to an OZ 5
    // TimelockController (1 day) that owns the ProxyAdmin that OZ 5's
    // TransparentUpgradeableProxy creates.
    let kit = SafeKit::deploy(&chain).await;
    let signers = keys(7, 3);
    let safe = kit.safe(&chain, &signers, 2).await;
    let timelock = chain
        .deploy_real(
            OZ_TIMELOCK,
            (
                U256::from(DAY),
                vec![safe],
                vec![Address::ZERO],
                Address::ZERO,
            )
                .abi_encode_params(),
        )
        .await;
    let logic = chain.deploy("MiniVerifier", vec![]).await;
    let proxy = chain
        .deploy_real(
            OZ_TRANSPARENT_PROXY,
            (logic, timelock, alloy::primitives::Bytes::new()).abi_encode_params(),
        )
        .await;
    let block = chain.block_number().await;

    let mini = Config::parse(testkit::MINI_CONFIG).unwrap();
    let plain = Config::default();
    let (mini_alone, mini_rounds) = alone(&chain, &rollup.entries(), block, &mini).await;
    let (real_alone, real_rounds) = alone(&chain, &[proxy], block, &plain).await;
    // The levels each crawl needs: one wave per BFS level, plus one for the
    // hasRole/getRoleAdmin confirmations of the last level's roles; the
    // first wave also checks the pinned header.
    assert_eq!((mini_alone.facts.depth, mini_rounds), (3, 4));
    assert_eq!((real_alone.facts.depth, real_rounds), (4, 5));
    assert_eq!(real_alone.facts.nodes[&timelock].min_delay, Some(DAY));

    let jobs = vec![
        ProjectJob {
            project: "mini".into(),
            entries: rollup.entries(),
            config: &mini,
        },
        ProjectJob {
            project: "real".into(),
            entries: vec![proxy],
            config: &plain,
        },
        ProjectJob {
            project: "no-entries".into(),
            entries: vec![],
            config: &plain,
        },
    ];
    let mut rpc = Rpc::new(&chain.url(), testkit::test_options()).unwrap();
    let out = discover_many(&mut rpc, &jobs, Some(block)).await.unwrap();
    let stats = rpc.stats();
    // Shared waves: the deepest project's round trips (5), not 4 + 5.
    assert_eq!(stats.round_trips, 5);
    assert_eq!(stats.retries, 0);
    let ids: Vec<&str> = out.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(ids, ["mini", "real", "no-entries"]);
    let mini_many = out[0].1.as_ref().unwrap();
    let real_many = out[1].1.as_ref().unwrap();
    assert_eq!(body(mini_many), body(&mini_alone));
    assert_eq!(body(real_many), body(&real_alone));
    assert_eq!(mini_many.facts.nodes, mini_alone.facts.nodes);
    assert_eq!(real_many.facts.nodes, real_alone.facts.nodes);
    assert_eq!(mini_many.facts.pin.block, block);
    assert!(
        real_many.facts.nodes[&safe]
            .safe
            .as_ref()
            .unwrap()
            .threshold
            == 2
    );
    match &out[2].1 {
        Err(e) => assert!(
            e.is_input() && e.to_string().contains("no entry address"),
            "{e}"
        ),
        Ok(_) => panic!("a project without entries cannot be discovered"),
    }
    // The reads of both projects went out together: no more calls than
    // the two crawls alone.
    let calls_alone = {
        let mut a = Rpc::new(&chain.url(), testkit::test_options()).unwrap();
        discover_with(&mut a, &rollup.entries(), Some(block), &mini, &mut |_| {})
            .await
            .unwrap();
        discover_with(&mut a, &[proxy], Some(block), &plain, &mut |_| {})
            .await
            .unwrap();
        a.stats().rpc_calls
    };
    assert!(stats.rpc_calls <= calls_alone, "{stats:?} vs {calls_alone}");
}

#[tokio::test]
async fn latest_block_costs_one_more_round_trip_and_a_dead_node_fails_the_call() {
    let mut chain = Chain::start().await;
    let rollup = deploy_rollup(&chain).await;
    let mini = Config::parse(testkit::MINI_CONFIG).unwrap();
    let jobs = [ProjectJob {
        project: "mini".into(),
        entries: rollup.entries(),
        config: &mini,
    }];
    let mut rpc = Rpc::new(&chain.url(), testkit::test_options()).unwrap();
    let out = discover_many(&mut rpc, &jobs, None).await.unwrap();
    // eth_chainId + eth_blockNumber pin the latest block: one round trip.
    assert_eq!(rpc.stats().round_trips, 5);
    let d = out[0].1.as_ref().unwrap();
    assert_eq!(d.facts.pin.block, chain.block_number().await);
    assert_eq!(d.facts.pin.chain_id, 31337);

    chain.kill();
    let mut rpc = Rpc::new(&chain.url(), testkit::test_options()).unwrap();
    let err = discover_many(&mut rpc, &jobs, None).await.unwrap_err();
    assert!(!err.is_input(), "a transport fault, not bad input: {err}");
}
