//! Discovery on real bytecode: Arbitrum One's L1 governance deployed on
//! anvil from `@arbitrum/nitro-contracts` 3.2.0 (through its own
//! RollupCreator), the UpgradeExecutor, OpenZeppelin 5's TimelockController
//! and Safe 1.4.1 (contracts/real), crawled with the shipped
//! `discovery/arbitrum-nitro.toml`.
//!
//! Mainnet facts (l2beat/l2beat,
//! packages/config/src/projects/arbitrum/ethereum/discovered.json, accessed
//! 2026-12-06; see testkit/arb.rs): the UpgradeExecutor's EXECUTOR_ROLE
//! is held by the Security Council (9 of 12) and the L1 timelock (3 days),
//! the L1 timelock is administered by the UpgradeExecutor (a loop on chain)
//! and its proposer is the Bridge; confirmPeriodBlocks = 45818;
//! maxTimeVariation.delayBlocks = 7200; BoLD is permissionless. L2BEAT and
//! catalog/arbitrum-one.toml: Stage 1, exit window (8d + 3d) − 1d = 10d.

mod real_support;

use std::collections::BTreeSet;

use alloy::primitives::U256;
use alloy::sol_types::SolCall;
use l2stage_discovery::testkit::arb::{ArbSystem, L1_TIMELOCK_DELAY, deploy_arbitrum_one};
use l2stage_discovery::testkit::real::{keys, safe141_exec, swap_owner_call};
use l2stage_discovery::testkit::{self, Chain, DAY, actor_at, change_threshold, holders};
use l2stage_discovery::{Config, Discovered};
use l2stage_model::governance::{ActorKind, Affiliation, PowerKind};

alloy::sol! {
    function updateDelay(uint256 newDelay) external;
}

/// The shipped config with Arbitrum One's Security Council address
/// replaced by the anvil one.
fn config(s: &ArbSystem) -> Config {
    testkit::shipped_config(
        "arbitrum-nitro.toml",
        &[("0xF06E95eF589D9c38af242a8AAee8375f14023F85", s.council)],
    )
}

async fn run(chain: &Chain, s: &ArbSystem, cfg: &Config) -> (Discovered, l2stage_discovery::Stats) {
    let (d, stats) = testkit::discover_on(chain, &[s.rollup], None, cfg).await;
    (d.unwrap(), stats)
}

#[tokio::test]
async fn arbitrum_one_shaped_system_from_real_bytecode() {
    let chain = Chain::start().await;
    let s = deploy_arbitrum_one(&chain).await;
    let cfg = config(&s);
    let (d, stats) = run(&chain, &s, &cfg).await;
    let g = &d.governance;
    eprintln!(
        "Arbitrum-shaped: depth {}, {} addresses, {} round trips, {} HTTP requests, {} calls",
        d.facts.depth,
        d.facts.nodes.len(),
        stats.round_trips,
        stats.http_requests,
        stats.rpc_calls
    );
    assert!(
        stats.round_trips <= d.facts.depth as u64 + 2,
        "{} round trips for depth {}",
        stats.round_trips,
        d.facts.depth
    );

    let council = actor_at(g, s.council);
    assert_eq!(council.id, "security-council");
    assert_eq!((council.threshold, council.members.len()), (Some(9), 12));
    assert!(
        council
            .members
            .iter()
            .all(|m| m.affiliation == Some(Affiliation::Outside))
    );
    let ue = actor_at(g, s.upgrade_executor);
    let timelock = actor_at(g, s.timelock);
    let bridge = actor_at(g, s.bridge);
    assert_eq!(ue.kind, ActorKind::Relay);
    assert_eq!(timelock.kind, ActorKind::Timelock);
    assert_eq!(
        timelock.delay.and_then(|d| d.seconds(None)),
        Some(L1_TIMELOCK_DELAY)
    );
    assert_eq!(bridge.kind, ActorKind::Relay);
    // The loop on chain (the UpgradeExecutor administers the timelock that
    // executes through it) is recorded, not an error: the UpgradeExecutor
    // is not counted as a proposer of the timelock.
    assert_eq!(timelock.proposers, vec![bridge.id.clone()]);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("loop on chain") && w.contains(&ue.id)),
        "{:?}",
        d.warnings
    );
    assert_eq!(
        ue.senders.iter().cloned().collect::<BTreeSet<_>>(),
        BTreeSet::from([council.id.clone(), timelock.id.clone()])
    );
    // Every contract the rollup references is reached, with its upgrade path.
    for p in [
        s.rollup,
        s.bridge,
        s.sequencer_inbox,
        s.inbox,
        s.outbox,
        s.rollup_event_inbox,
        s.challenge_manager,
    ] {
        assert_eq!(
            holders(g, p, PowerKind::Upgrade),
            BTreeSet::from([ue.id.clone()]),
            "upgrade of {p}"
        );
    }
    let targets: BTreeSet<String> = g.powers.iter().filter_map(|p| p.target.clone()).collect();
    for name in [
        "Outbox (",
        "Inbox (",
        "RollupEventInbox (",
        "EdgeChallengeManager (",
    ] {
        assert!(
            targets.iter().any(|t| t.starts_with(name)),
            "{name} in {targets:?}"
        );
    }
    // The batch poster, from the SequencerInbox's BatchPosterSet logs, and
    // the batch poster manager.
    let poster = actor_at(g, s.batch_poster);
    let manager = actor_at(g, s.batch_poster_manager);
    assert_eq!(
        holders(g, s.sequencer_inbox, PowerKind::Sequence),
        BTreeSet::from([poster.id.clone(), manager.id.clone()])
    );
    let exit = &g.exit;
    assert!(exit.proposing.is_permissionless());
    assert_eq!(
        exit.forced_inclusion.and_then(|d| d.seconds(Some(12))),
        Some(DAY)
    );

    // Stage 1, 10 days (yellow), as the field and the catalog.
    let a = real_support::assess(
        &d,
        "arb-shaped",
        "Arbitrum-shaped",
        "https://github.com/OffchainLabs/nitro",
    );
    assert_eq!(
        a.verdict.stage,
        l2stage_framework::Stage::Stage1,
        "{:#?}",
        a.verdict.requirements
    );
    let dao_window = a
        .exit_windows
        .iter()
        .filter(|f| f.path.first().map(String::as_str) == Some("arbitrum-dao"))
        .filter_map(|f| f.exit_window_seconds)
        .min()
        .expect("the DAO path");
    assert_eq!(dao_window, 10 * DAY as i64, "{:#?}", a.exit_windows);
    let w = a.exit_window.clone().expect("an exit window");
    assert_eq!(w.seconds, Some(10 * DAY as i64), "{w:?}");
    assert_eq!(w.rating, l2stage_governance::Rating::Yellow);
    assert!(w.council_can_upgrade_instantly);
    assert_eq!(w.path.first().map(String::as_str), Some("arbitrum-dao"));
    assert!(
        !d.warnings
            .iter()
            .any(|w| w.contains("so it is counted as a proposer")),
        "{:?}",
        d.warnings
    );

    // verify: the same config agrees; a threshold change, an owner swap and
    // a shortened delay are each caught.
    let declared = g.clone();
    let r = testkit::verify_on(&chain, &declared, &cfg).await;
    assert!(r.agree, "{:?}", r.mismatches);
    // Without a config: only what can be compared is, with no false
    // mismatch, and the report says what a config would add.
    let r = testkit::verify_on(&chain, &declared, &Config::default()).await;
    assert!(r.agree, "{:?}", r.mismatches);
    assert!(
        r.unchecked
            .iter()
            .any(|u| u.contains("without a discovery config")),
        "{:?}",
        r.unchecked
    );

    safe141_exec(
        &chain,
        s.council,
        &s.council_signers(),
        s.council,
        change_threshold(7),
    )
    .await;
    let newcomer = keys(9, 2)[1];
    let swap = swap_owner_call(&chain, s.council, s.council_keys[11], newcomer).await;
    safe141_exec(&chain, s.council, &s.council_signers(), s.council, swap).await;
    // The timelock shortens its own delay to 1 day (OpenZeppelin's
    // updateDelay may only be called by the timelock itself: the test sends
    // as the timelock, as its own execution would).
    let tl = chain.impersonate(s.timelock).await;
    chain
        .send(
            tl,
            s.timelock,
            updateDelayCall {
                newDelay: U256::from(DAY),
            }
            .abi_encode(),
        )
        .await;
    let r = testkit::verify_on(&chain, &declared, &cfg).await;
    assert!(!r.agree);
    let all = format!("{:?}", r.mismatches);
    assert!(
        r.mismatches
            .iter()
            .any(|m| m.field == "threshold" && m.declared == "9" && m.on_chain == "7"),
        "{all}"
    );
    assert!(all.contains(&newcomer.to_string()), "{all}");
    assert!(
        r.mismatches.iter().any(|m| m.field.contains("delay")),
        "{all}"
    );
}

/// The catalog's Orbit recipes (catalog/arbitrum-one.toml, nova.toml,
/// xai.toml) enter at the Bridge, the one contract that survived the BoLD
/// upgrade's Rollup replacement: its `rollup()` must lead the crawl to the
/// live Rollup and everything the Rollup references, so that a crawl from
/// the Bridge reads the same governance as one from the Rollup.
#[tokio::test]
async fn a_crawl_from_the_bridge_reaches_the_rollup() {
    let chain = Chain::start().await;
    let s = deploy_arbitrum_one(&chain).await;
    let cfg = config(&s);
    let (from_bridge, _) = testkit::discover_on(&chain, &[s.bridge], None, &cfg).await;
    let from_bridge = from_bridge.unwrap();
    let (from_rollup, _) = run(&chain, &s, &cfg).await;
    for p in [s.rollup, s.sequencer_inbox, s.outbox, s.challenge_manager] {
        assert!(
            from_bridge.facts.nodes.contains_key(&p),
            "{p} not reached from the Bridge"
        );
    }
    let g = &from_bridge.governance;
    let ue = actor_at(g, s.upgrade_executor);
    assert_eq!(
        holders(g, s.rollup, PowerKind::Upgrade),
        BTreeSet::from([ue.id.clone()])
    );
    assert_eq!(g.exit, from_rollup.governance.exit);
    assert_eq!(
        g.exit.forced_inclusion.and_then(|d| d.seconds(Some(12))),
        Some(DAY)
    );
}
