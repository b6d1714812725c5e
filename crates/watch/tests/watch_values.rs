//! The watch loop's daily value-locked point on anvil with real bytecode
//! (l2stage_discovery::testkit::value: an OpenZeppelin proxy as escrow,
//! OpenZeppelin ERC-20s, Chainlink MockV3Aggregator feeds): the point of a
//! date is read at the last block before its 00:00 UTC, stored once, not
//! read again for the same date; a stale price round is that date's error
//! and stores nothing.

use std::sync::Mutex;

use l2stage_discovery::testkit::value::{DayPrices, ValueKit};
use l2stage_discovery::testkit::{self, Chain};
use l2stage_model::Date;
use l2stage_store::Store;
use l2stage_watch::{Recipe, StoreAccess};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_point_per_project_and_day() {
    let chain = Chain::start().await;
    let mut kit = ValueKit::deploy(&chain).await;
    let all = DayPrices {
        eth: Some(3_000),
        usdx: Some(1),
        othr: Some(1),
    };
    kit.day(&chain, d("2030-05-01"), all).await;
    kit.day(&chain, d("2030-05-02"), DayPrices { eth: None, ..all })
        .await;
    kit.day(&chain, d("2030-05-03"), DayPrices { eth: None, ..all })
        .await;
    kit.day(&chain, d("2030-05-04"), all).await;

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("chains")).unwrap();
    std::fs::write(
        dir.path().join("chains/31337.toml"),
        kit.profile_toml(31337),
    )
    .unwrap();
    let text = format!(
        "[project]\nid = \"v\"\nname = \"V\"\nkind = \"optimistic\"\n\n[discovery]\nchain_id = 31337\nentries = [\"{e}\"]\nconfig = \"c.toml\"\n\n[[discovery.escrows]]\naddress = \"{e}\"\ntokens = [\"ETH\", \"USDX\", \"OTHR\"]\n",
        e = kit.escrow
    );
    let file = l2stage_model::parse_str("v.toml", &text, l2stage_model::Format::Toml).unwrap();
    let recipe = Recipe {
        project: "v".into(),
        chain_id: 31337,
        entries: vec![kit.escrow],
        config_path: "c.toml".into(),
        config: Default::default(),
        file,
        text,
        format: l2stage_model::Format::Toml,
        path: "v.toml".into(),
        labels: None,
    };
    let recipes = vec![recipe];
    let store = Mutex::new(Store::open(&dir.path().join("w.db")).unwrap());
    let chains = dir.path().join("chains");
    let opts = testkit::test_options();
    let url = chain.url();
    let read = |date: Date| {
        l2stage_watch::values::daily_points(&url, &opts, &store, &recipes, &chains, 31337, date)
    };

    // 2030-05-02: the end of 05-01, every feed fresh.
    let got = read(d("2030-05-02")).await.unwrap();
    assert_eq!(got.len(), 1);
    let p = got[0].1.as_ref().expect("a point");
    assert_eq!(p.block, kit.block_for(d("2030-05-02")).unwrap().block);
    assert_eq!(p.block, kit.days[0].block);
    assert_eq!(
        (p.eth_usd, p.stablecoin_usd, p.other_usd),
        (60_000_000, 45_000_000, 1_000_000)
    );
    // Stored once; the same day is not read again.
    assert!(read(d("2030-05-02")).await.unwrap().is_empty());
    let stored = store.with_store(|s| s.value_points("v").unwrap());
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].date, d("2030-05-02"));

    // 2030-05-04: the ETH feed was last updated on 05-01, more than its
    // heartbeat before the end of 05-03: no point, nothing stored.
    let got = read(d("2030-05-04")).await.unwrap();
    assert_eq!(got.len(), 1);
    let err = got[0].1.as_ref().expect_err("stale");
    assert!(err.contains("stale") || err.contains("old"), "{err}");
    assert_eq!(store.with_store(|s| s.value_points("v").unwrap()).len(), 1);
}

/// In the loop, a day's point is stored in the cycle's transaction and the
/// cycle's re-assessment reads it (BattleTested's value locked is the one
/// read on chain).
#[tokio::test(flavor = "multi_thread")]
async fn a_cycle_stores_its_value_points_and_assesses_with_them() {
    let chain = Chain::start().await;
    let kit = ValueKit::deploy(&chain).await;
    let text = format!(
        "[project]\nid = \"v\"\nname = \"V\"\nkind = \"optimistic\"\n\n[discovery]\nchain_id = 31337\nentries = [\"{e}\"]\nconfig = \"c.toml\"\n",
        e = kit.escrow
    );
    let file = l2stage_model::parse_str("v.toml", &text, l2stage_model::Format::Toml).unwrap();
    let recipe = Recipe {
        project: "v".into(),
        chain_id: 31337,
        entries: vec![kit.escrow],
        config_path: "c.toml".into(),
        config: Default::default(),
        file,
        text,
        format: l2stage_model::Format::Toml,
        path: "v.toml".into(),
        labels: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let store = Mutex::new(Store::open(&dir.path().join("w.db")).unwrap());
    let all = vec![&recipe];
    let mut rpc = l2stage_discovery::Rpc::new(&chain.url(), testkit::test_options()).unwrap();
    let observed = l2stage_watch::observe_cycle(&mut rpc, &store, &all, None, true)
        .await
        .unwrap();
    assert_eq!(observed.report().faults(), 0, "{:?}", observed.report());
    // Nothing is stored before the cycle is recorded.
    assert!(
        store
            .with_store(|s| s.last_snapshot("v").unwrap())
            .is_none()
    );
    let day = l2stage_store::watch::date_of_timestamp(observed.report().timestamp).unwrap();
    let point = l2stage_store::ValuePoint {
        date: day,
        block: observed.report().block,
        eth_usd: 60_000_000,
        stablecoin_usd: 45_000_000,
        other_usd: 1_000_000,
        detail: serde_json::json!({}),
    };
    let report =
        l2stage_watch::record_cycle(&store, observed, vec![("v".into(), point.clone())]).unwrap();
    assert_eq!(report.faults(), 0);
    assert_eq!(
        store.with_store(|s| s.value_points("v").unwrap()),
        vec![point]
    );
    let a = store.with_store(|s| s.assessments("v").unwrap());
    assert_eq!(a.len(), 1);
    let v: serde_json::Value = serde_json::from_str(&a[0].assessment_json).unwrap();
    let bt = &v["labels"]["battle_tested"];
    assert_eq!(bt["sources"]["value_locked"], "read on chain", "{bt}");
    assert_eq!(bt["latest_value"]["date"], day.to_string(), "{bt}");
    assert_eq!(bt["latest_value"]["total"], 106_000_000.0, "{bt}");
}
