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
