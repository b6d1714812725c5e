//! Discovery on real bytecode: OP Mainnet's L1 governance deployed on anvil
//! from `@eth-optimism/contracts-bedrock` 0.17.3 and Safe 1.4.1 artifacts
//! (contracts/real), crawled with the shipped `discovery/op-stack.toml`.
//!
//! Mainnet facts used (l2beat/l2beat,
//! packages/config/src/projects/optimism/discovered.json and
//! packages/config/src/projects/optimism/optimism.ts, accessed 2026-12-06,
//! as catalog/op-mainnet.toml cites them; see testkit/op.rs): ProxyAdmin owner = 2-of-2 Safe of the
//! Optimism Foundation (5 of 7) and the Security Council (10 of 13);
//! SuperchainConfig guardian = a Safe owned by the Security Council;
//! respectedGameType = 0; proofMaturityDelaySeconds = 604800;
//! disputeGameFinalityDelaySeconds = 302400. L2BEAT rates OP Mainnet
//! Stage 1 with no exit window ("the Security Council can upgrade with no
//! delay" through the 2/2 upgrade path).
//!
//! One deployment per test binary: the phases (discover, assess, verify
//! after changes) run in one test.

mod real_support;

use std::collections::BTreeSet;

use l2stage_discovery::testkit::op::{GAME_FINALITY, OpSystem, deploy_op_mainnet};
use l2stage_discovery::testkit::real::{keys, safe141_exec, swap_owner_call};
use l2stage_discovery::testkit::{self, Chain, actor_at, change_threshold, holders};
use l2stage_discovery::{Config, Discovered};
use l2stage_model::governance::{Affiliation, PowerKind};

/// The shipped config with OP Mainnet's Safe addresses replaced by the
/// anvil ones.
fn config(s: &OpSystem) -> Config {
    testkit::shipped_config(
        "op-stack.toml",
        &[
            ("0xc2819DC788505Aac350142A7A707BF9D03E3Bd03", s.council),
            ("0x847B5c174615B1B7fDF770882256e2D3E95b9D92", s.foundation),
        ],
    )
}

async fn run(chain: &Chain, s: &OpSystem, cfg: &Config) -> (Discovered, l2stage_discovery::Stats) {
    let (d, stats) = testkit::discover_on(chain, &[s.portal], None, cfg).await;
    (d.unwrap(), stats)
}

#[tokio::test]
async fn op_mainnet_shaped_system_from_real_bytecode() {
    let chain = Chain::start().await;
    let s = deploy_op_mainnet(&chain).await;
    let cfg = config(&s);
    let (d, stats) = run(&chain, &s, &cfg).await;
    let g = &d.governance;
    eprintln!(
        "OP-shaped: depth {}, {} addresses, {} round trips, {} HTTP requests, {} calls",
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

    // The Safes, read from the real Safe 1.4.1 proxies.
    let council = actor_at(g, s.council);
    assert_eq!(council.id, "security-council");
    assert!(council.security_council);
    assert_eq!((council.threshold, council.members.len()), (Some(10), 13));
    // `affiliation = "outside"` on the council Safe reaches its 13 members.
    assert!(
        council
            .members
            .iter()
            .all(|m| m.affiliation == Some(Affiliation::Outside)),
        "{:?}",
        council.members
    );
    let foundation = actor_at(g, s.foundation);
    assert_eq!(
        (foundation.threshold, foundation.members.len()),
        (Some(5), 7)
    );
    assert!(
        foundation
            .members
            .iter()
            .all(|m| m.affiliation == Some(Affiliation::Team))
    );
    let upgrader = actor_at(g, s.upgrader);
    assert_eq!(upgrader.threshold, Some(2));
    let nested: BTreeSet<_> = upgrader
        .members
        .iter()
        .filter_map(|m| m.actor.clone())
        .collect();
    assert_eq!(
        nested,
        BTreeSet::from([council.id.clone(), foundation.id.clone()])
    );

    // Every proxy, including the ones only the games reference, is
    // upgraded by the 2/2 through the ProxyAdmin.
    for p in [
        s.portal,
        s.system_config,
        s.superchain_config,
        s.factory,
        s.anchor_registry,
        s.weth,
        s.weth_permissioned,
    ] {
        assert_eq!(
            holders(g, p, PowerKind::Upgrade),
            BTreeSet::from([upgrader.id.clone()]),
            "upgrade of {p}"
        );
    }
    // The MIPS VM and the PreimageOracle are reached and immutable; the
    // permissionless game is a named contract.
    let immutable = d.immutable.join("\n");
    assert!(
        immutable.contains(&format!("MIPS ({})", s.mips)),
        "{immutable}"
    );
    assert!(
        immutable.contains(&format!("PreimageOracle ({})", s.oracle)),
        "{immutable}"
    );
    assert!(
        immutable.contains(&format!("FaultDisputeGame ({})", s.game)),
        "{immutable}"
    );
    // The guardian (a Safe of the council) pauses; the factory's owner
    // replaces the proof system.
    let guardian = actor_at(g, s.guardian);
    assert!(holders(g, s.portal, PowerKind::PauseWithdrawals).contains(&guardian.id));
    assert_eq!(
        holders(g, s.factory, PowerKind::ReplaceVerifier),
        BTreeSet::from([upgrader.id.clone()])
    );
    // Finality delay and pause state are read.
    let portal = &d.facts.nodes[&s.portal];
    let values: Vec<String> = portal.fields.values().map(|v| v.text()).collect();
    assert!(values.contains(&GAME_FINALITY.to_string()), "{values:?}");
    assert!(values.contains(&"false".to_string()), "{values:?}");
    // Exit: 7 days, permissionless (respected game type 0) — with the
    // portal's read as the evidence, not the permissioned game's.
    assert_eq!(
        g.exit.finalization.and_then(|d| d.seconds(None)),
        Some(7 * testkit::DAY)
    );
    assert!(g.exit.proposing.is_permissionless());
    let ev = g.exit.evidence.join("\n");
    assert!(ev.contains("respectedGameType()"), "{ev}");
    assert!(!ev.contains("proposer()"), "{ev}");
    assert!(!ev.contains("challenger()"), "{ev}");
    // Template detection decides without a warning.
    assert!(
        d.warnings.iter().all(|w| !w.contains("template")),
        "{:?}",
        d.warnings
    );
    assert!(d.placeholders.is_empty(), "{:?}", d.placeholders);

    // Stage 1; no exit window: the council upgrades at once (it is half of
    // the 2/2 and ≥ 75 % of itself).
    let a = real_support::assess(
        &d,
        "op-shaped",
        "OP-shaped",
        "https://github.com/ethereum-optimism/optimism/tree/develop/op-node",
    );
    assert_eq!(
        a.verdict.stage,
        l2stage_framework::Stage::Stage1,
        "{:#?}",
        a.verdict.requirements
    );
    let w = a.exit_window.clone().expect("an exit window");
    assert!(w.council_can_upgrade_instantly, "{w:?}");

    // verify: the shipped config reads the same; then a threshold change,
    // an owner swap and a shortened delay are each caught.
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

    // The council lowers its threshold to 7.
    safe141_exec(
        &chain,
        s.council,
        &s.council_signers(),
        s.council,
        change_threshold(7),
    )
    .await;
    // The foundation swaps an owner.
    let newcomer = keys(9, 1)[0];
    let swap = swap_owner_call(&chain, s.foundation, s.foundation_keys[0], newcomer).await;
    let signers: Vec<_> = s.foundation_keys[..5]
        .iter()
        .map(|k| testkit::Owner::Key(*k))
        .collect();
    safe141_exec(&chain, s.foundation, &signers, s.foundation, swap).await;
    let r = testkit::verify_on(&chain, &declared, &cfg).await;
    assert!(!r.agree);
    let fields: Vec<(String, String)> = r
        .mismatches
        .iter()
        .map(|m| (m.subject.clone(), m.field.clone()))
        .collect();
    assert!(
        r.mismatches
            .iter()
            .any(|m| m.field == "threshold" && m.declared == "10" && m.on_chain == "7"),
        "{fields:?}"
    );
    // The swap: the new owner is on chain, the old one declared.
    assert!(
        r.mismatches
            .iter()
            .any(|m| m.on_chain.contains(&newcomer.to_string())
                && m.declared.contains(&s.foundation_keys[0].to_string())),
        "{:?}",
        r.mismatches
    );
}
