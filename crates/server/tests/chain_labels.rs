//! BattleTested from chain data in the served assessment: value points a
//! watch (or `l2stage value-locked`) stored in the database are what the
//! label uses, and it says so (docs/labels.md, "From chain data").

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

use l2stage_model::Date;
use l2stage_server::{App, Config, load_catalog, router};
use l2stage_store::Store;
use l2stage_store::watch::ValuePoint;

async fn detail(r: &axum::Router, uri: &str) -> serde_json::Value {
    let res = r
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

fn find<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    match v {
        serde_json::Value::Object(m) => {
            m.get(key).or_else(|| m.values().find_map(|x| find(x, key)))
        }
        serde_json::Value::Array(a) => a.iter().find_map(|x| find(x, key)),
        _ => None,
    }
}

#[tokio::test]
async fn stored_chain_points_feed_battle_tested() {
    let catalog =
        load_catalog(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog")).unwrap();
    let start = |store: Store| {
        let (app, _) = App::start(
            store,
            &catalog,
            Config {
                token: None,
                today: Some("2025-10-01".parse().unwrap()),
            },
        )
        .unwrap();
        router(Arc::new(app))
    };
    // A fresh database: declared data only, no `sources` key.
    let r = start(Store::open_in_memory().unwrap());
    let bt = detail(&r, "/api/v1/projects/base").await;
    let bt = find(&bt, "battle_tested").expect("battle_tested").clone();
    assert!(bt.get("sources").is_none(), "{bt}");

    let mut store = Store::open_in_memory().unwrap();
    let mut points = Vec::new();
    let mut day: Date = "2025-01-01".parse().unwrap();
    let mut block = 21_525_000;
    while day <= "2025-10-01".parse().unwrap() {
        points.push(ValuePoint {
            date: day,
            block,
            eth_usd: 60_000_000,
            stablecoin_usd: 45_000_000,
            other_usd: 1_000_000,
            detail: serde_json::json!({}),
        });
        block += 7_200;
        day = Date(day.0.succ_opt().unwrap());
    }
    store.record_value_points("base", &points).unwrap();
    let r = start(store);
    let bt = detail(&r, "/api/v1/projects/base").await;
    let bt = find(&bt, "battle_tested").expect("battle_tested").clone();
    assert_eq!(bt["sources"]["value_locked"], "read on chain", "{bt}");
    assert_eq!(bt["sources"]["changes"], "declared", "{bt}");
    assert_eq!(bt["latest_value"]["date"], "2025-10-01");
    assert_eq!(bt["latest_value"]["total"], 106_000_000.0);
    assert_eq!(bt["latest_value"]["eth_and_stablecoins"], 105_000_000.0);
    assert_eq!(bt["gap_tolerance_days"], 1);
}

/// A cycle of one project, as the watch loop stores it, with the
/// governance structure it assessed the project with.
fn watched_cycle(
    project: &str,
    block: u64,
    timestamp: u64,
    input_hash: &str,
    governance: serde_json::Value,
    warning: &str,
) -> (l2stage_store::WatchCycle, Vec<l2stage_store::NewGovernance>) {
    let cycle = l2stage_store::WatchCycle {
        chain_id: 1,
        block,
        timestamp,
        observations: vec![l2stage_store::ProjectObservation::Observed {
            snapshot: l2stage_store::NewSnapshot {
                project: project.into(),
                chain_id: 1,
                block,
                block_hash: None,
                timestamp,
                data: serde_json::json!({ "block": block }),
            },
            changes: vec![],
        }],
        values: vec![],
        assessments: vec![],
        log_cursor: None,
    };
    let g = l2stage_store::NewGovernance {
        project: project.into(),
        block,
        timestamp,
        input_hash: input_hash.into(),
        source: l2stage_store::GovernanceSource::Declared,
        governance,
        warnings: vec![warning.into()],
    };
    (cycle, vec![g])
}

#[tokio::test]
async fn the_watched_governance_structure_is_served_and_refreshed_after_a_cycle() {
    let catalog =
        load_catalog(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog")).unwrap();
    let base = catalog
        .files
        .iter()
        .find(|f| f.project.project.id.as_str() == "base")
        .unwrap();
    let hash = l2stage_store::input_hash(base.format, &base.text);
    let declared = base.project.governance.clone().expect("base declares one");
    let mut watched = serde_json::to_value(&declared).unwrap();
    let extra = "https://github.com/l2beat/l2beat/blob/main/packages/config/src/projects/base/base.ts#watched";
    watched["evidence"]
        .as_array_mut()
        .unwrap()
        .push(extra.into());
    // 2025-09-30 12:00 UTC.
    let ts = 1_759_233_600;
    let mut store = Store::open_in_memory().unwrap();
    let (c, g) = watched_cycle("base", 100, ts, &hash, watched.clone(), "W1 at block 100");
    store.record_watch_cycle_with(&c, &g).unwrap();
    // A row merged with another version of a file is not used.
    let (c, g) = watched_cycle("op-mainnet", 100, ts, "not-the-file", watched, "W-other");
    store.record_watch_cycle_with(&c, &g).unwrap();
    let (app, startup) = App::start(
        store,
        &catalog,
        Config {
            token: None,
            today: Some("2025-10-01".parse().unwrap()),
        },
    )
    .unwrap();
    assert!(startup.warnings.is_empty(), "{:?}", startup.warnings);
    let app = Arc::new(app);
    let r = router(app.clone());
    let served = app
        .live()
        .project("base")
        .unwrap()
        .project
        .governance
        .clone()
        .unwrap();
    assert!(served.evidence.iter().any(|e| e == extra), "{served:?}");
    assert_ne!(served, declared);
    let v = detail(&r, "/api/v1/projects/base").await;
    let warnings = find(&v, "warnings").unwrap().to_string();
    assert!(warnings.contains("W1 at block 100"), "{warnings}");
    let v = detail(&r, "/api/v1/projects/op-mainnet").await;
    assert!(
        !find(&v, "warnings")
            .unwrap()
            .to_string()
            .contains("W-other")
    );
    // Watched, no value point read on chain yet.
    let bt = find(&detail(&r, "/api/v1/projects/base").await, "battle_tested")
        .unwrap()
        .clone();
    assert_eq!(bt["sources"]["value_locked"], "declared", "{bt}");

    // The next cycle (as `serve --watch` records it), then the refresh.
    let (c, g) = watched_cycle(
        "base",
        200,
        ts + 3600,
        &hash,
        serde_json::to_value(&declared).unwrap(),
        "W2 at block 200",
    );
    app.with_store(|s| s.record_watch_cycle_with(&c, &g))
        .unwrap();
    let problems = app.refresh_chain(&["base".to_string()]);
    assert!(problems.is_empty(), "{problems:?}");
    let served = app
        .live()
        .project("base")
        .unwrap()
        .project
        .governance
        .clone()
        .unwrap();
    assert_eq!(served, declared);
    let v = detail(&r, "/api/v1/projects/base").await;
    let warnings = find(&v, "warnings").unwrap().to_string();
    assert!(warnings.contains("W2 at block 200"), "{warnings}");
    assert!(!warnings.contains("W1"), "{warnings}");
    let bt = find(&v, "battle_tested").unwrap().clone();
    assert_eq!(
        bt["sources"]["changes"], "declared and read on chain",
        "{bt}"
    );
}
