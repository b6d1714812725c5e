//! Following the chain with `governance_logs` on anvil: real Safe 1.4.1,
//! OpenZeppelin 5 TimelockController and TransparentUpgradeableProxy
//! (contracts/real). Exactly the governance events of the watched
//! addresses, at their blocks, in one round trip.

use alloy::primitives::{Address, Bytes, U256};
use alloy::providers::Provider;
use alloy::sol_types::SolValue;
use l2stage_discovery::follow::governance_logs_with;
use l2stage_discovery::testkit::real::{
    OZ_TIMELOCK, OZ_TRANSPARENT_PROXY, SafeKit, keys, safe141_exec, transfer_ownership,
    upgrade_and_call,
};
use l2stage_discovery::testkit::{self, Chain, DAY, Owner, change_threshold, update_delay};
use l2stage_discovery::{Rpc, abi, governance_logs};

#[tokio::test]
async fn governance_logs_finds_exactly_the_events_emitted() {
    let chain = Chain::start().await;
    let kit = SafeKit::deploy(&chain).await;
    let signers = keys(5, 3);
    let safe = kit.safe(&chain, &signers, 2).await;
    let other = kit.safe(&chain, &keys(6, 2), 2).await;
    let proposer = chain.impersonate(keys(8, 1)[0]).await;
    let timelock = chain
        .deploy_real(
            OZ_TIMELOCK,
            (
                U256::from(DAY),
                vec![proposer],
                vec![Address::ZERO],
                Address::ZERO,
            )
                .abi_encode_params(),
        )
        .await;
    let logic = chain.deploy("MiniVerifier", vec![]).await;
    let next_logic = chain.deploy("MiniVerifier", vec![]).await;
    let proxy = chain
        .deploy_real(
            OZ_TRANSPARENT_PROXY,
            (logic, safe, Bytes::new()).abi_encode_params(),
        )
        .await;
    let admin_word = chain
        .provider
        .get_storage_at(proxy, U256::from_be_bytes(abi::ADMIN_SLOT.0))
        .await
        .unwrap();
    let proxy_admin = Address::from_word(admin_word.into());
    let b0 = chain.block_number().await;

    let two: Vec<Owner> = signers[..2].iter().map(|k| Owner::Key(*k)).collect();
    // ChangedThreshold on the watched Safe.
    safe141_exec(&chain, safe, &two, safe, change_threshold(1)).await;
    let b1 = chain.block_number().await;
    // The same event on a Safe nobody watches: not reported.
    let other_signers: Vec<Owner> = keys(6, 2).into_iter().map(Owner::Key).collect();
    safe141_exec(&chain, other, &other_signers, other, change_threshold(1)).await;
    // Upgraded on the proxy (through its ProxyAdmin, by the Safe).
    let one = vec![Owner::Key(signers[0])];
    safe141_exec(
        &chain,
        safe,
        &one,
        proxy_admin,
        upgrade_and_call(proxy, next_logic, vec![]),
    )
    .await;
    let b2 = chain.block_number().await;
    // CallScheduled, then MinDelayChange and CallExecuted on the timelock.
    chain
        .timelock_exec(timelock, proposer, DAY, timelock, update_delay(2 * DAY))
        .await;
    // The schedule is the next transaction (anvil mines one block per
    // transaction; waiting out the delay mines another).
    let b3 = b2 + 1;
    let b4 = chain.block_number().await;
    // OwnershipTransferred on the ProxyAdmin.
    safe141_exec(
        &chain,
        safe,
        &one,
        proxy_admin,
        transfer_ownership(timelock),
    )
    .await;
    let b5 = chain.block_number().await;

    let watched = [safe, proxy, proxy_admin, timelock];
    let mut rpc = Rpc::new(&chain.url(), testkit::test_options()).unwrap();
    let events = governance_logs(&mut rpc, &watched, b0 + 1, b5, &[])
        .await
        .unwrap();
    let got: Vec<(Address, &str, u64)> = events
        .iter()
        .map(|e| (e.address, e.name.as_str(), e.block))
        .collect();
    assert_eq!(
        got,
        vec![
            (safe, "ChangedThreshold", b1),
            (proxy, "Upgraded", b2),
            (timelock, "CallScheduled", b3),
            (timelock, "MinDelayChange", b4),
            (timelock, "CallExecuted", b4),
            (proxy_admin, "OwnershipTransferred", b5),
        ]
    );
    // One wave: the header check of block b5 and the one eth_getLogs.
    let s = rpc.stats();
    assert_eq!((s.round_trips, s.http_requests), (1, 1));

    // Ranges cut into spans of 2 blocks: the same events, one request.
    let mut rpc = Rpc::new(&chain.url(), testkit::test_options()).unwrap();
    let chunked = governance_logs_with(&mut rpc, &watched, b0 + 1, b5, &[], 2)
        .await
        .unwrap();
    assert_eq!(chunked, events);
    let spans = (b5 - b0).div_ceil(2);
    let s = rpc.stats();
    assert_eq!((s.round_trips, s.http_requests), (1, 1));
    // chain id, head, header, the Multicall3 probe (once per client), and
    // one eth_getLogs per span.
    assert_eq!(s.rpc_calls, 4 + spans);

    // The proxy's deployment (block b0): OZ 5 sets the implementation,
    // creates the ProxyAdmin (owned by the Safe) and sets it as admin.
    let deployed: Vec<(Address, String)> = governance_logs(&mut rpc, &watched, b0, b0, &[])
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.address, e.name))
        .collect();
    assert_eq!(
        deployed,
        vec![
            (proxy, "Upgraded".to_string()),
            (proxy_admin, "OwnershipTransferred".to_string()),
            (proxy, "AdminChanged".to_string()),
        ]
    );
    // Past the node's head: an error, not "no events".
    let err = governance_logs(&mut rpc, &watched, b5, b5 + 10, &[])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("behind"), "{err}");
}
