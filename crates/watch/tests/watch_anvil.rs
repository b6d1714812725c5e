//! The watch loop on anvil with real bytecode: OP Mainnet's L1 governance
//! from `@eth-optimism/contracts-bedrock` 0.17.3 and Safe 1.4.1 (see
//! l2stage_discovery::testkit::op, which cites its sources), crawled with
//! the shipped `discovery/op-stack.toml`, beside the mini rollup of the
//! testkit (proxies, a timelock, Safes) as a second project. A real SQLite
//! file holds what the cycles store.
//!
//! One deployment, phases in order (each asserts exact blocks and values):
//! 1. first cycle: baselines, no change; re-assessments stored;
//! 2. a second cycle with no chain change: no change (idempotent); a
//!    block without governance events costs the follower two requests;
//! 3. the Security Council lowers its threshold 10 → 7: following finds
//!    the event at its block and re-reads only that project; the change is
//!    stored as safety-relevant with that block;
//! 4. a node answering garbage: a fault on every project, no change;
//! 5. the node dies in the middle of a cycle: a fault, the previous
//!    snapshots stay the last ones.

use std::sync::Mutex;

use alloy::primitives::Address;
use l2stage_discovery::testkit::op::{OpSystem, deploy_op_mainnet};
use l2stage_discovery::testkit::real::safe141_exec;
use l2stage_discovery::testkit::{self, Chain, Fault, FaultProxy, change_threshold};
use l2stage_discovery::{Config, Rpc};
use l2stage_store::Store;
use l2stage_watch::cycle::ProjectOutcome;
use l2stage_watch::{Recipe, StoreAccess, follow_once, run_cycle};

fn op_config(s: &OpSystem) -> Config {
    testkit::shipped_config(
        "op-stack.toml",
        &[
            ("0xc2819DC788505Aac350142A7A707BF9D03E3Bd03", s.council),
            ("0x847B5c174615B1B7fDF770882256e2D3E95b9D92", s.foundation),
        ],
    )
}

fn recipe(id: &str, entries: Vec<Address>, config: Config) -> Recipe {
    let text = format!(
        "[project]\nid = \"{id}\"\nname = \"{id}\"\nkind = \"optimistic\"\n\n[discovery]\nchain_id = 31337\nentries = [{}]\nconfig = \"c.toml\"\n",
        entries
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let file = l2stage_model::parse_str("t.toml", &text, l2stage_model::Format::Toml)
        .expect("project file");
    Recipe {
        project: id.to_string(),
        chain_id: 31337,
        entries,
        config_path: "c.toml".into(),
        config,
        file,
        text,
        format: l2stage_model::Format::Toml,
        path: format!("{id}.toml").into(),
        labels: None,
    }
}

/// The BattleTested label of a stored assessment's JSON.
fn battle_tested(json: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(json).expect("assessment JSON");
    v["labels"]["battle_tested"].clone()
}

fn rpc(url: &str) -> Rpc {
    Rpc::new(url, testkit::test_options()).expect("client")
}

#[tokio::test(flavor = "multi_thread")]
async fn watching_op_mainnet_shaped_governance() {
    let mut chain = Chain::start().await;
    chain.install_multicall3().await;
    let s = deploy_op_mainnet(&chain).await;
    let mini = testkit::deploy_rollup(&chain).await;
    let op = recipe("op", vec![s.portal], op_config(&s));
    let mini_recipe = recipe(
        "mini",
        mini.entries(),
        Config::parse(testkit::MINI_CONFIG).expect("mini config"),
    );
    // A recipe for another chain: skipped at the latest block.
    let mut elsewhere = mini_recipe.clone();
    elsewhere.project = "elsewhere".into();
    elsewhere.chain_id = 42161;
    let recipes = vec![op, mini_recipe, elsewhere];
    let all: Vec<&Recipe> = recipes.iter().collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Mutex::new(Store::open(&dir.path().join("w.db")).expect("store"));

    // 1. First cycle: two baselines, nothing to compare with.
    let b1 = chain.block_number().await;
    let r1 = run_cycle(&mut rpc(&chain.url()), &store, &all, None, true)
        .await
        .expect("cycle 1");
    assert_eq!((r1.chain_id, r1.block), (31337, b1), "{:?}", r1.projects);
    assert_eq!(r1.faults(), 0, "{:?}", r1.projects);
    assert_eq!(r1.changes().count(), 0);
    assert_eq!(r1.projects.len(), 2);
    assert_eq!(r1.skipped, vec![("elsewhere".to_string(), 42161)]);
    assert!(store.with_store(|st| st.last_snapshot("elsewhere").unwrap().is_none()));
    for p in &r1.projects {
        match p {
            ProjectOutcome::Observed {
                first, reassessed, ..
            } => {
                assert!(first);
                assert!(matches!(reassessed, Some(Ok(_))), "{reassessed:?}");
            }
            other => panic!("{other:?}"),
        }
    }
    eprintln!(
        "cycle over 2 projects: {} round trips, {} requests, {} calls",
        r1.stats.round_trips, r1.stats.http_requests, r1.stats.rpc_calls
    );
    let (snap_op, snap_mini) = store.with_store(|st| {
        (
            st.last_snapshot("op").unwrap().expect("op snapshot"),
            st.last_snapshot("mini").unwrap().expect("mini snapshot"),
        )
    });
    assert_eq!((snap_op.block, snap_mini.block), (b1, b1));
    assert_eq!(
        store.with_store(|st| st.log_cursor(31337).unwrap()),
        Some(b1)
    );
    // The re-assessments were stored with the project files, BattleTested
    // on the chain data including this cycle (the watch starts today).
    let a1 = store.with_store(|st| st.assessments("op").unwrap());
    assert_eq!(a1.len(), 1);
    let bt1 = battle_tested(&a1[0].assessment_json);
    assert_eq!(bt1["sources"]["changes"], "read on chain", "{bt1}");
    assert_eq!(bt1["last_safety_relevant_change"], serde_json::Value::Null);
    // The structure assessed with is stored for readers without a node:
    // the file declares none, so it is the chain's, with its warning.
    let g1 = store.with_store(|st| {
        st.watched_governance(
            "op",
            &l2stage_store::input_hash(recipes[0].format, &recipes[0].text),
        )
        .unwrap()
        .expect("watched governance")
    });
    assert_eq!(
        (g1.block, g1.source),
        (b1, l2stage_store::GovernanceSource::Chain)
    );
    assert_eq!(
        g1.warnings,
        vec![format!(
            "the governance structure is the one read on chain at block {b1} (the project file declares none)"
        )]
    );
    let parsed: l2stage_model::governance::Governance =
        serde_json::from_value(g1.governance.clone()).expect("the model parses it");
    assert!(!parsed.actors.is_empty() && !parsed.powers.is_empty());

    // 2. Again, nothing moved on chain: no change.
    let r2 = run_cycle(&mut rpc(&chain.url()), &store, &all, None, true)
        .await
        .expect("cycle 2");
    assert_eq!(r2.block, b1);
    assert_eq!(r2.changes().count(), 0);
    assert!(store.with_store(|st| st.changes("op", 50, None).unwrap().is_empty()));
    assert!(store.with_store(|st| st.changes("mini", 50, None).unwrap().is_empty()));
    // Following with no new block does nothing.
    let f0 = follow_once(&mut rpc(&chain.url()), &store, &recipes)
        .await
        .expect("follow");
    assert!(f0.events.is_empty() && f0.cycle.is_none());
    // A new block with no governance event: the head and one eth_getLogs
    // over every watched contract, nothing re-read, the cursor moves.
    chain.mine().await;
    let quiet = follow_once(&mut rpc(&chain.url()), &store, &recipes)
        .await
        .expect("follow");
    assert_eq!((quiet.from, quiet.to), (b1 + 1, b1 + 1));
    assert!(quiet.events.is_empty() && quiet.recrawled.is_empty());
    assert_eq!(quiet.stats.http_requests, 2, "{:?}", quiet.stats);
    assert_eq!(
        store.with_store(|st| st.log_cursor(31337).unwrap()),
        Some(b1 + 1)
    );

    // 3. The council lowers its threshold from 10 to 7.
    safe141_exec(
        &chain,
        s.council,
        &s.council_signers(),
        s.council,
        change_threshold(7),
    )
    .await;
    let t = chain.block_number().await;
    assert!(t > b1);
    let mut follower = rpc(&chain.url());
    let f = follow_once(&mut follower, &store, &recipes)
        .await
        .expect("follow");
    assert_eq!((f.from, f.to), (b1 + 2, t));
    assert_eq!(
        f.recrawled,
        vec!["op".to_string()],
        "only the touched project"
    );
    assert!(
        f.events.iter().any(|(p, a, b, name)| p == "op"
            && *a == s.council.to_string()
            && *b == t
            && name == "ChangedThreshold"),
        "{:?}",
        f.events
    );
    eprintln!(
        "follow step over {} blocks with a re-crawl of one project: {} requests, {} round trips",
        t - b1,
        f.stats.http_requests,
        f.stats.round_trips
    );
    let changes = store.with_store(|st| st.changes("op", 50, None).unwrap());
    let threshold: Vec<_> = changes
        .iter()
        .filter(|c| c.kind == "safe-threshold-changed")
        .collect();
    assert_eq!(threshold.len(), 1, "{changes:#?}");
    let c = threshold[0];
    assert_eq!(c.address, s.council.to_string());
    assert_eq!(
        (c.before.as_deref(), c.after.as_deref()),
        (Some("10"), Some("7"))
    );
    assert!(c.safety_relevant);
    assert_eq!(c.block, t);
    // The re-assessment after it restarts BattleTested's clock on the day of
    // that block (the change is part of the chain data it read).
    let a3 = store.with_store(|st| st.assessments("op").unwrap());
    let bt3 = battle_tested(&a3.last().expect("assessment").assessment_json);
    let last = &bt3["last_safety_relevant_change"];
    assert_eq!(last["date"], c.date.to_string(), "{bt3}");
    assert!(
        last["summary"]
            .as_str()
            .is_some_and(|s| s.contains(&format!("read on chain at block {t}"))),
        "{bt3}"
    );
    assert_eq!(
        store.with_store(|st| {
            st.watched_governance(
                "op",
                &l2stage_store::input_hash(recipes[0].format, &recipes[0].text),
            )
            .unwrap()
            .unwrap()
            .block
        }),
        t
    );
    // The other project was not re-read: its last snapshot is still at b1.
    assert_eq!(
        store.with_store(|st| st.last_snapshot("mini").unwrap().unwrap().block),
        b1
    );
    assert_eq!(
        store.with_store(|st| st.last_snapshot("op").unwrap().unwrap().block),
        t
    );
    assert!(store.with_store(|st| st.changes("mini", 50, None).unwrap().is_empty()));
    assert_eq!(
        store.with_store(|st| st.log_cursor(31337).unwrap()),
        Some(t)
    );

    // 4. A node answering garbage: a fault on both projects, no change.
    let bad = FaultProxy::start(&chain.url(), Fault::Garbage).await;
    let r4 = run_cycle(&mut rpc(&bad.url), &store, &all, None, true)
        .await
        .expect("a fault is recorded, not an error");
    // The node never answered: its chain is unknown, every recipe faults.
    assert_eq!(r4.faults(), 3);
    assert_eq!(r4.changes().count(), 0);
    let status = store.with_store(|st| st.watch_status("op").unwrap().expect("status"));
    assert_eq!(status.verified.as_ref().map(|v| v.block), Some(t));
    assert!(status.fault.is_some(), "{status:?}");
    assert_eq!(
        store.with_store(|st| st.changes("op", 50, None).unwrap().len()),
        changes.len()
    );
    assert_eq!(
        store.with_store(|st| st.log_cursor(31337).unwrap()),
        Some(t)
    );

    // 5. The node dies in the middle of a cycle (every request delayed, the
    //    node stopped once the crawl is under way).
    let slow = FaultProxy::start(&chain.url(), Fault::Latency(150)).await;
    let killer = async {
        while slow.requests.load(std::sync::atomic::Ordering::SeqCst) < 3 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        chain.kill();
    };
    let mut slow_rpc = rpc(&slow.url);
    let (r5, ()) = tokio::join!(run_cycle(&mut slow_rpc, &store, &all, None, true), killer);
    let r5 = r5.expect("a fault is recorded, not an error");
    assert_eq!((r5.faults(), r5.changes().count()), (2, 0));
    let status = store.with_store(|st| st.watch_status("mini").unwrap().expect("status"));
    assert_eq!(status.verified.as_ref().map(|v| v.block), Some(b1));
    assert!(status.fault.is_some());
    assert_eq!(
        store.with_store(|st| st.last_snapshot("op").unwrap().unwrap().block),
        t
    );
}
