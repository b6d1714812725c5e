//! Discovery against a real node: anvil with the contracts of contracts/src
//! deployed. Each test starts its own anvil (killed on drop).

use std::collections::BTreeSet;

use alloy::primitives::{Address, B256};
use l2stage_discovery::testkit::{self, Chain, DAY, Owner, actor_at, deploy_rollup, holders};
use l2stage_discovery::{Config, Discovered, DiscoveryError, Rpc, discover_with};
use l2stage_model::governance::{ActorKind, Affiliation, PowerKind};

async fn run(
    chain: &Chain,
    entries: &[Address],
    block: Option<u64>,
    config: &Config,
) -> Result<Discovered, DiscoveryError> {
    testkit::discover_on(chain, entries, block, config).await.0
}

fn mini() -> Config {
    Config::parse(testkit::MINI_CONFIG).unwrap()
}

#[tokio::test]
async fn proxy_with_proxy_admin_is_upgraded_by_the_admins_owner() {
    let chain = Chain::start().await;
    let owner = chain.accounts[9];
    let admin = chain.proxy_admin(owner).await;
    let implementation = chain.deploy("MiniBridge", vec![]).await;
    let proxy = chain
        .bridge(implementation, admin, owner, owner, owner, DAY, DAY, DAY)
        .await;
    let d = run(&chain, &[proxy], None, &Config::default())
        .await
        .unwrap();
    let g = &d.governance;
    let eoa = actor_at(g, owner);
    assert_eq!(eoa.kind, ActorKind::Eoa);
    assert_eq!(
        holders(g, proxy, PowerKind::Upgrade),
        BTreeSet::from([eoa.id.clone()])
    );
    let p = g
        .powers
        .iter()
        .find(|p| p.power == PowerKind::Upgrade)
        .unwrap();
    let ev = p.evidence.join("\n");
    assert!(
        ev.contains("EIP-1967 admin slot") && ev.contains(&admin.to_string()),
        "{ev}"
    );
    assert!(
        ev.contains("owner()"),
        "the ProxyAdmin's owner is the evidence: {ev}"
    );
    assert!(ev.contains(&implementation.to_string()), "{ev}");
    assert!(ev.contains(&format!("block {}", d.facts.pin.block)), "{ev}");
    // The ProxyAdmin is upgrade machinery, not an actor.
    assert!(
        g.actors
            .iter()
            .all(|a| a.address.as_deref() != Some(&admin.to_string()))
    );
    let n = &d.facts.nodes[&proxy];
    assert_eq!(n.implementation, Some(implementation));
    assert_eq!(n.admin, Some(admin));
}

#[tokio::test]
async fn safe_k_of_n_owning_a_proxy_admin() {
    let chain = Chain::start().await;
    let keys = [chain.accounts[1], chain.accounts[2], chain.accounts[3]];
    let safe = chain.safe(&keys, 2).await;
    let admin = chain.proxy_admin(safe).await;
    let implementation = chain.deploy("MiniVerifier", vec![]).await;
    let proxy = chain.proxy(implementation, admin, vec![]).await;
    let d = run(&chain, &[proxy], None, &Config::default())
        .await
        .unwrap();
    let g = &d.governance;
    let s = actor_at(g, safe);
    assert_eq!(s.kind, ActorKind::Multisig);
    assert_eq!(s.threshold, Some(2));
    let members: BTreeSet<String> = s.members.iter().filter_map(|m| m.address.clone()).collect();
    assert_eq!(members, keys.iter().map(|k| k.to_string()).collect());
    // Members are entities named by their address when the config doesn't name them.
    assert!(
        s.members
            .iter()
            .all(|m| m.entity == m.address && m.actor.is_none())
    );
    assert!(s.evidence.iter().any(|e| e.contains("getThreshold() = 2")));
    assert_eq!(
        holders(g, proxy, PowerKind::Upgrade),
        BTreeSet::from([s.id.clone()])
    );
}

#[tokio::test]
async fn nested_two_of_two_of_safes() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    let d = run(&chain, &[r.bridge], None, &Config::default())
        .await
        .unwrap();
    let g = &d.governance;
    let root = actor_at(g, r.root);
    assert_eq!(
        (root.kind, root.threshold, root.members.len()),
        (ActorKind::Multisig, Some(2), 2)
    );
    let council = actor_at(g, r.council);
    let team = actor_at(g, r.team);
    let nested: BTreeSet<Option<String>> = root.members.iter().map(|m| m.actor.clone()).collect();
    assert_eq!(
        nested,
        BTreeSet::from([Some(council.id.clone()), Some(team.id.clone())])
    );
    assert_eq!((council.threshold, council.members.len()), (Some(2), 3));
    assert_eq!((team.threshold, team.members.len()), (Some(1), 2));
}

#[tokio::test]
async fn timelock_roles_and_a_timelock_chain() {
    let chain = Chain::start().await;
    let k = &chain.accounts;
    let safe = chain.safe(&[k[1], k[2]], 2).await;
    // L2-style outer timelock (8d, proposed by the Safe, executed by k[3]),
    // proposing to the inner one (3d, executed by anyone, cancelled by k[4]).
    let outer = chain
        .timelock(8 * DAY, &[safe], &[k[3]], Address::ZERO)
        .await;
    let inner = chain
        .timelock(3 * DAY, &[outer], &[Address::ZERO], Address::ZERO)
        .await;
    chain
        .timelock_exec(
            inner,
            chain.impersonate(outer).await,
            3 * DAY,
            inner,
            testkit::grant_role("CANCELLER_ROLE", k[4]),
        )
        .await;
    let admin = chain.proxy_admin(inner).await;
    let implementation = chain.deploy("MiniVerifier", vec![]).await;
    let proxy = chain.proxy(implementation, admin, vec![]).await;
    let d = run(&chain, &[proxy], None, &Config::default())
        .await
        .unwrap();
    let g = &d.governance;
    let (o, i, s) = (actor_at(g, outer), actor_at(g, inner), actor_at(g, safe));
    assert_eq!(i.kind, ActorKind::Timelock);
    assert_eq!(i.delay.and_then(|d| d.seconds(None)), Some(3 * DAY));
    assert_eq!(o.delay.and_then(|d| d.seconds(None)), Some(8 * DAY));
    assert_eq!(i.proposers, vec![o.id.clone()]);
    assert_eq!(i.executors, vec!["anyone".to_string()]);
    let eoa4 = actor_at(g, k[4]);
    let cancellers: BTreeSet<String> = i.cancellers.iter().cloned().collect();
    assert_eq!(cancellers, BTreeSet::from([o.id.clone(), eoa4.id.clone()]));
    assert_eq!(o.proposers, vec![s.id.clone()]);
    assert_eq!(o.executors, vec![actor_at(g, k[3]).id.clone()]);
    assert_eq!(
        holders(g, proxy, PowerKind::Upgrade),
        BTreeSet::from([i.id.clone()])
    );
    // The analysis sums the chain: 8d + 3d.
    let a = l2stage_governance::analyze(g, l2stage_model::Kind::Optimistic).unwrap();
    let f = a
        .findings
        .iter()
        .find(|f| f.path.first() == Some(&s.id))
        .expect("a path from the Safe");
    assert_eq!(f.delay_seconds, 11 * DAY);
    assert_eq!(f.path, vec![s.id.clone(), o.id.clone(), i.id.clone()]);
}

#[tokio::test]
async fn beacon_proxies_and_immutable_contracts() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    let d = run(&chain, &[r.escrow, r.verifier], None, &Config::default())
        .await
        .unwrap();
    let g = &d.governance;
    let council = actor_at(g, r.council);
    assert_eq!(
        holders(g, r.escrow, PowerKind::Upgrade),
        BTreeSet::from([council.id.clone()])
    );
    assert_eq!(d.facts.nodes[&r.escrow].beacon, Some(r.beacon));
    assert_eq!(
        d.facts.nodes[&r.beacon].beacon_implementation,
        Some(r.bridge_impl)
    );
    assert!(holders(g, r.verifier, PowerKind::Upgrade).is_empty());
    assert!(
        d.immutable
            .iter()
            .any(|i| i.contains(&r.verifier.to_string())),
        "{:?}",
        d.immutable
    );
}

#[tokio::test]
async fn rollup_bridge_roles_exit_and_assess() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    let d = run(&chain, &r.entries(), None, &mini()).await.unwrap();
    let g = &d.governance;
    let (team, timelock, root) = (
        actor_at(g, r.team),
        actor_at(g, r.timelock),
        actor_at(g, r.root),
    );
    let proposer = actor_at(g, r.proposer);
    // The pauser role, and the timelock through its admin role.
    assert_eq!(
        holders(g, r.bridge, PowerKind::PauseWithdrawals),
        BTreeSet::from([team.id.clone(), timelock.id.clone()])
    );
    assert_eq!(
        holders(g, r.bridge, PowerKind::Upgrade),
        BTreeSet::from([timelock.id.clone()])
    );
    assert_eq!(timelock.proposers, vec![root.id.clone()]);
    let exit = &g.exit;
    assert_eq!(
        exit.forced_inclusion.and_then(|d| d.seconds(None)),
        Some(DAY)
    );
    assert_eq!(
        exit.self_propose.and_then(|d| d.seconds(None)),
        Some(7 * DAY)
    );
    assert_eq!(
        exit.finalization.and_then(|d| d.seconds(None)),
        Some(7 * DAY)
    );
    assert_eq!(
        exit.proposing.allowlist(),
        std::slice::from_ref(&proposer.id)
    );
    assert!(d.placeholders.is_empty(), "{:?}", d.placeholders);

    // The TOML fragment, under a [project], is what `assess` reads.
    let text = format!(
        "[project]\nid = \"mini\"\nname = \"Mini\"\nkind = \"optimistic\"\n\n{}",
        l2stage_discovery::render::toml(&d).unwrap()
    );
    let project =
        l2stage_model::parse_str("mini.toml", &text, l2stage_model::Format::Toml).unwrap();
    assert_eq!(project.governance.as_ref(), Some(g));
    let day = l2stage_model::Date::today();
    let a = l2stage_assess::assess(&project, &l2stage_assess::Context::on(day)).unwrap();
    let window = a.exit_window.clone().expect("an upgrade path");
    // Users need 1d + 7d + 7d to exit. The council upgrades the escrow's
    // beacon at once: the headline window is -15d.
    let council = actor_at(g, r.council);
    assert_eq!(window.seconds, Some(-15 * DAY as i64));
    assert_eq!(window.path, vec![council.id.clone()]);
    // The bridge's upgrades wait the timelock's 3 days: -12d.
    let bridge_path = a
        .exit_windows
        .iter()
        .find(|f| f.path == vec![root.id.clone(), timelock.id.clone()])
        .expect("root → timelock path");
    assert_eq!(bridge_path.delay_seconds, 3 * DAY);
    assert_eq!(bridge_path.exit_window_seconds, Some(-12 * DAY as i64));
    let gov = a.governance.as_ref().unwrap();
    use l2stage_governance::DerivedStatus::*;
    use l2stage_model::RequirementId as R;
    assert_eq!(gov.derived[&R::SevenDayExitWindow].status, Unmet);
    assert_eq!(gov.derived[&R::Principle].status, Unmet);
    assert_eq!(gov.derived[&R::ExitWithoutOperators].status, Met);
    assert_eq!(gov.derived[&R::CouncilProperlySetUp].status, NotApplicable);
}

#[tokio::test]
async fn unmapped_exit_is_a_marked_placeholder_that_still_parses() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    // No config: the bridge's PROPOSER_ROLE holders become the placeholder allow-list.
    let d = run(&chain, &[r.bridge], None, &Config::default())
        .await
        .unwrap();
    let proposer = actor_at(&d.governance, r.proposer);
    assert_eq!(
        d.governance.exit.proposing.allowlist(),
        std::slice::from_ref(&proposer.id)
    );
    assert!(
        d.placeholders.iter().any(|p| p.contains("PROPOSER_ROLE")),
        "{:?}",
        d.placeholders
    );
    let text = l2stage_discovery::render::toml(&d).unwrap();
    assert!(text.contains("# PLACEHOLDERS"), "{text}");
    let project = format!("[project]\nid = \"x\"\nname = \"X\"\nkind = \"optimistic\"\n{text}");
    l2stage_model::parse_str("x.toml", &project, l2stage_model::Format::Toml).unwrap();
    // With no proposer at all: a placeholder actor.
    let safe = chain.safe(&[chain.accounts[1]], 1).await;
    let d = run(&chain, &[safe], None, &Config::default())
        .await
        .unwrap();
    assert_eq!(
        d.governance.exit.proposing.allowlist(),
        &["placeholder-proposer".to_string()]
    );
    let text = l2stage_discovery::render::toml(&d).unwrap();
    let project = format!("[project]\nid = \"x\"\nname = \"X\"\nkind = \"optimistic\"\n{text}");
    l2stage_model::parse_str("x.toml", &project, l2stage_model::Format::Toml).unwrap();
}

#[tokio::test]
async fn every_read_is_pinned_to_one_block() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    let before = chain.block_number().await;
    // After the pinned block: the council becomes 1 of 3, and the
    // ProxyAdmin moves from the timelock to a key.
    chain
        .safe_exec(
            r.council,
            &[Owner::Key(r.council_keys[0]), Owner::Key(r.council_keys[1])],
            r.council,
            testkit::change_threshold(1),
        )
        .await;
    let key = chain.accounts[8];
    chain
        .timelock_exec(
            r.timelock,
            chain.impersonate(r.root).await,
            3 * DAY,
            r.proxy_admin,
            testkit::transfer_ownership(key),
        )
        .await;
    let pinned = run(&chain, &r.entries(), Some(before), &mini())
        .await
        .unwrap();
    assert_eq!(pinned.facts.pin.block, before);
    assert_eq!(actor_at(&pinned.governance, r.council).threshold, Some(2));
    let tl = actor_at(&pinned.governance, r.timelock).id.clone();
    assert_eq!(
        holders(&pinned.governance, r.bridge, PowerKind::Upgrade),
        BTreeSet::from([tl])
    );
    let latest = run(&chain, &r.entries(), None, &mini()).await.unwrap();
    assert!(latest.facts.pin.block > before);
    assert_eq!(actor_at(&latest.governance, r.council).threshold, Some(1));
    let k = actor_at(&latest.governance, key).id.clone();
    assert_eq!(
        holders(&latest.governance, r.bridge, PowerKind::Upgrade),
        BTreeSet::from([k])
    );
}

#[tokio::test]
async fn a_node_killed_mid_crawl_is_a_clear_error() {
    let mut chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    let url = chain.url();
    let anvil = std::sync::Arc::new(std::sync::Mutex::new(chain.anvil.take()));
    let handle = anvil.clone();
    let mut rpc = Rpc::new(&url, testkit::test_options()).unwrap();
    let started = std::time::Instant::now();
    let err = discover_with(&mut rpc, &r.entries(), None, &mini(), &mut move |p| {
        if p.level == 1 {
            // Kill anvil after the first level: the next wave finds no node.
            handle.lock().unwrap().take();
        }
    })
    .await
    .unwrap_err();
    drop(anvil);
    let msg = err.to_string();
    assert!(matches!(err, DiscoveryError::Rpc { .. }), "{err:?}");
    assert!(
        msg.contains("eth_") && msg.contains("gave up after 3 attempts"),
        "{msg}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[tokio::test]
async fn a_proxy_pointing_at_itself_terminates() {
    let chain = Chain::start().await;
    let owner = chain.accounts[9];
    let admin = chain.proxy_admin(owner).await;
    let implementation = chain.deploy("MiniVerifier", vec![]).await;
    let proxy = chain.proxy(implementation, admin, vec![]).await;
    let me = B256::left_padding_from(proxy.as_slice());
    chain
        .set_storage(proxy, l2stage_discovery::abi::IMPLEMENTATION_SLOT, me)
        .await;
    chain
        .set_storage(proxy, l2stage_discovery::abi::ADMIN_SLOT, me)
        .await;
    chain
        .set_storage(proxy, l2stage_discovery::abi::BEACON_SLOT, me)
        .await;
    let d = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        run(&chain, &[proxy], None, &Config::default()),
    )
    .await
    .expect("no infinite loop")
    .unwrap();
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("implementation is itself")),
        "{:?}",
        d.warnings
    );
    assert_eq!(d.facts.nodes.len(), 1);
    let h = holders(&d.governance, proxy, PowerKind::Upgrade);
    assert_eq!(h.len(), 1);
    let a = actor_at(&d.governance, proxy);
    assert!(
        a.name.as_deref().unwrap_or("").contains("not understood"),
        "{a:?}"
    );
}

#[tokio::test]
async fn configured_relays_and_literal_actors() {
    // An upgrade executor: a contract whose EXECUTOR-like role holders act
    // through it (here a MiniBridge's PAUSER_ROLE), configured as a relay;
    // plus a literal actor that cannot be read on this chain.
    let chain = Chain::start().await;
    let k = &chain.accounts;
    let safe = chain.safe(&[k[1], k[2]], 2).await;
    let bridge_impl = chain.deploy("MiniBridge", vec![]).await;
    let exec_admin = chain.proxy_admin(k[9]).await;
    let executor = chain
        .bridge(bridge_impl, exec_admin, k[9], safe, Address::ZERO, 0, 0, 0)
        .await;
    let admin = chain.proxy_admin(executor).await;
    let target = chain
        .proxy(chain.deploy("MiniVerifier", vec![]).await, admin, vec![])
        .await;
    let config = Config::parse(&format!(
        r#"
[[actors]]
id = "l2-dao"
kind = "dao"
delay = "10d"

[[contracts]]
name = "Executor"
addresses = ["{executor}"]
acts_as = "relay"
delay = "1d"
senders_role = "PAUSER_ROLE"
senders = ["l2-dao"]
"#
    ))
    .unwrap();
    let d = run(&chain, &[target], None, &config).await.unwrap();
    let g = &d.governance;
    let relay = actor_at(g, executor);
    assert_eq!(relay.kind, ActorKind::Relay);
    assert_eq!(relay.delay.and_then(|d| d.seconds(None)), Some(DAY));
    let s = actor_at(g, safe);
    assert_eq!(relay.senders, vec![s.id.clone(), "l2-dao".to_string()]);
    assert!(
        g.actor("l2-dao")
            .unwrap()
            .evidence
            .iter()
            .any(|e| e.contains("not read on chain"))
    );
    assert_eq!(
        holders(g, target, PowerKind::Upgrade),
        BTreeSet::from([relay.id.clone()])
    );
    let a = l2stage_governance::analyze(g, l2stage_model::Kind::Optimistic).unwrap();
    let delays: BTreeSet<u64> = a
        .findings
        .iter()
        .filter(|f| f.path.last() == Some(&relay.id))
        .map(|f| f.delay_seconds)
        .collect();
    assert_eq!(delays, BTreeSet::from([DAY, 11 * DAY]));
}

#[tokio::test]
async fn names_on_a_safe_reach_its_members_and_unused_keys_are_reported() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    let stranger = Address::with_last_byte(0xee);
    let text = format!(
        r#"{}
[names."{council}"]
id = "council"
affiliation = "outside"
announced = false
security_council = true

[names."{k0}"]
affiliation = "team"
entity = "Alice"

[names."{proposer}"]
security_council = true

[names."{stranger}"]
name = "never reached"
"#,
        testkit::MINI_CONFIG,
        council = r.council,
        k0 = r.council_keys[0],
        proposer = r.proposer,
    );
    let d = run(&chain, &r.entries(), None, &Config::parse(&text).unwrap())
        .await
        .unwrap();
    let council = actor_at(&d.governance, r.council);
    let by_addr = |a: Address| {
        council
            .members
            .iter()
            .find(|m| m.address.as_deref() == Some(&a.to_string()))
            .unwrap()
    };
    // The member named on its own overrides the Safe's defaults…
    let alice = by_addr(r.council_keys[0]);
    assert_eq!(alice.affiliation, Some(Affiliation::Team));
    assert_eq!(alice.entity.as_deref(), Some("Alice"));
    assert!(!alice.announced);
    // …the others take the Safe's.
    for k in &r.council_keys[1..] {
        let m = by_addr(*k);
        assert_eq!(m.affiliation, Some(Affiliation::Outside));
        assert!(!m.announced);
    }
    // Keys with no effect are reported, naming the address and the key.
    let w = d.warnings.join("\n");
    assert!(
        w.contains(&format!(
            "names.\"{}\": security_council ignored",
            r.proposer
        )),
        "{w}"
    );
    assert!(
        w.contains(&format!(
            "names.\"{stranger}\": not part of the discovered structure"
        )),
        "{w}"
    );
    assert!(!w.contains(&format!("names.\"{}\"", r.council)), "{w}");
}

#[tokio::test]
async fn safes_owning_each_other_are_a_loop_not_an_error() {
    use l2stage_discovery::testkit::real::{SafeKit, safe141_exec};
    alloy::sol! {
        function addOwnerWithThreshold(address owner, uint256 _threshold) external;
    }
    use alloy::sol_types::SolCall;
    let chain = Chain::start().await;
    let k = &chain.accounts;
    let kit = SafeKit::deploy(&chain).await;
    // Real Safe 1.4.1 proxies: B is owned by A and a key; then A adds B.
    let a = kit.safe(&chain, &[k[1], k[2]], 1).await;
    let b = kit.safe(&chain, &[a, k[3]], 1).await;
    safe141_exec(
        &chain,
        a,
        &[Owner::Key(k[1])],
        a,
        addOwnerWithThresholdCall {
            owner: b,
            _threshold: alloy::primitives::U256::from(1),
        }
        .abi_encode(),
    )
    .await;
    let admin = chain.proxy_admin(a).await;
    let target = chain
        .proxy(chain.deploy("MiniVerifier", vec![]).await, admin, vec![])
        .await;
    let d = run(&chain, &[target], None, &Config::default())
        .await
        .unwrap();
    let g = &d.governance;
    let (sa, sb) = (actor_at(g, a), actor_at(g, b));
    assert_eq!(
        holders(g, target, PowerKind::Upgrade),
        BTreeSet::from([sa.id.clone()])
    );
    // One membership edge of the loop is kept, the other counts as a key.
    let nested = |x: &l2stage_model::governance::Actor, other: &str| {
        x.members.iter().any(|m| m.actor.as_deref() == Some(other))
    };
    assert!(nested(sa, &sb.id) ^ nested(sb, &sa.id), "{sa:?} {sb:?}");
    assert_eq!(sa.members.len(), 3);
    assert_eq!(sb.members.len(), 2);
    assert!(
        d.warnings.iter().any(|w| w.contains("loop on chain")),
        "{:?}",
        d.warnings
    );
    g.validate().unwrap();
}

#[tokio::test]
async fn without_a_config_every_role_holder_is_listed() {
    let chain = Chain::start().await;
    let k = &chain.accounts;
    let (admin_key, pauser, proposer, challenger) = (k[9], k[8], k[7], k[6]);
    let proxy_admin = chain.proxy_admin(admin_key).await;
    let implementation = chain.deploy("MiniBridge", vec![]).await;
    let bridge = chain
        .bridge(
            implementation,
            proxy_admin,
            admin_key,
            pauser,
            proposer,
            DAY,
            DAY,
            DAY,
        )
        .await;
    // A role whose name no crawl knows.
    chain
        .send(
            admin_key,
            bridge,
            testkit::grant_role("MY_CHALLENGER", challenger),
        )
        .await;
    let d = run(&chain, &[bridge], None, &Config::default())
        .await
        .unwrap();
    let g = &d.governance;
    let id = |a: Address| actor_at(g, a).id.clone();
    // PAUSER_ROLE: the generic power, marked as an assumption.
    assert_eq!(
        holders(g, bridge, PowerKind::PauseWithdrawals),
        BTreeSet::from([id(pauser)])
    );
    assert!(
        d.placeholders
            .iter()
            .any(|p| p.contains("PAUSER_ROLE") && p.contains("assumed pause-withdrawals")),
        "{:?}",
        d.placeholders
    );
    // Other roles: listed by name, or by their id when the name is unknown.
    let params = holders(g, bridge, PowerKind::ChangeParameters);
    for who in [proposer, challenger, admin_key] {
        assert!(params.contains(&id(who)), "{who} in {params:?}");
    }
    let unknown = alloy::primitives::keccak256("MY_CHALLENGER").to_string();
    let notes: Vec<String> = g.powers.iter().filter_map(|p| p.note.clone()).collect();
    assert!(notes.iter().any(|n| n.contains(&unknown)), "{notes:?}");
    assert!(
        notes.iter().any(|n| n.contains("holds PROPOSER_ROLE")),
        "{notes:?}"
    );
}
