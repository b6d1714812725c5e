//! Property-based: the server's query-string parsers never panic, called
//! directly and through the router in-process. Every answer is 200 or a 4xx
//! (limits on what `/risk` accepts are checked elsewhere).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use tower::ServiceExt;

use l2stage_labels::Inputs;
use l2stage_model::{Format, parse_str};
use l2stage_server::{App, Catalog, CatalogFile, Config, params, risk, router};
use l2stage_store::Store;

const PROJECT: &str = "[project]\nid = \"alpha\"\nname = \"Alpha\"\nkind = \"optimistic\"\n\n[requirements]\nprinciple = \"met\"\n";

fn app() -> &'static (tokio::runtime::Runtime, Router) {
    static APP: OnceLock<(tokio::runtime::Runtime, Router)> = OnceLock::new();
    APP.get_or_init(|| {
        let project = parse_str("alpha.toml", PROJECT, Format::Toml).expect("valid");
        let file = CatalogFile {
            path: PathBuf::from("alpha.toml"),
            format: Format::Toml,
            text: PROJECT.to_string(),
            labels: Inputs::inline(&project, None),
            project,
        };
        let catalog = Catalog {
            files: vec![file],
            registry: None,
        };
        let store = Store::open_in_memory().expect("store");
        let (app, _) = App::start(
            store,
            &catalog,
            Config {
                token: None,
                today: Some("2026-01-01".parse().expect("date")),
            },
        )
        .expect("start");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        (rt, router(Arc::new(app)))
    })
}

/// The status of `GET uri`, or `None` when `uri` is not a valid URI at all
/// (the HTTP layer refuses it before any parser).
fn get(uri: &str) -> Option<StatusCode> {
    let req = Request::get(uri).body(Body::empty()).ok()?;
    let (rt, r) = app();
    let res = rt.block_on(r.clone().oneshot(req)).expect("infallible");
    Some(res.status())
}

/// Query-string text: malformed escapes, separators and every key of the
/// endpoints among random ones.
fn raw_query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("as_of".to_string()),
        Just("framework".to_string()),
        Just("stage".to_string()),
        Just("kind".to_string()),
        Just("member_failure".to_string()),
        Just("stage0_council".to_string()),
        Just("stage1_council".to_string()),
        Just("proof_failure".to_string()),
        Just("correlation".to_string()),
        Just("common_shock".to_string()),
        Just("formula".to_string()),
        Just("horizon".to_string()),
        "[a-z_%0-9]{0,8}",
    ];
    // Short values: a parser test, not a benchmark of the risk model.
    let value = prop_oneof![
        "[0-9./e%+-]{0,4}",
        "[a-zA-Z0-9%,=&+-]{0,10}",
        Just("%".to_string()),
        Just("%zz".to_string()),
        Just("%ff%fe".to_string()),
        Just("2026-02-30".to_string()),
        Just("stage-1,stage-9".to_string()),
    ];
    proptest::collection::vec((key, value), 0..5).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn query_parsers_never_panic(q in prop_oneof![raw_query(), "(?s).{0,80}"]) {
        if let Ok(pairs) = params::pairs(Some(&q)) {
            let _ = params::when(&pairs);
            let _ = params::list_query(&pairs);
        }
        if let Ok(rq) = risk::query(Some(&q)) {
            let _ = rq.params();
        }
    }

    #[test]
    fn every_route_answers_200_or_4xx(q in raw_query(), id in "[a-z0-9%.-]{0,12}") {
        for path in [
            "/api/v1/projects".to_string(),
            "/".to_string(),
            format!("/api/v1/projects/{id}"),
            format!("/api/v1/projects/{id}/history"),
            format!("/api/v1/projects/{id}/changes"),
            format!("/projects/{id}"),
            format!("/projects/{id}/feed.atom"),
            "/feed.atom".to_string(),
            format!("/badge/{id}.svg"),
            "/api/v1/risk".to_string(),
            "/risk".to_string(),
        ] {
            let uri = format!("{path}?{q}");
            if let Some(status) = get(&uri) {
                prop_assert!(
                    status == StatusCode::OK || status.is_client_error(),
                    "{uri}: {status}"
                );
            }
        }
    }
}
