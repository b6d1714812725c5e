//! Changes recorded on chain, served: `GET /api/v1/projects/{id}/changes`
//! (contract, pagination, bad parameters), the Atom feeds (parsed with a
//! real XML parser) and the project page's chain section — over a real
//! SQLite file written by the store's watch API.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use l2stage_model::Date;
use l2stage_server::{App, CatalogFile, Config, router};
use l2stage_store::{NewChange, NewSnapshot, ProjectObservation, Store, WatchCycle};

const ALPHA: &str = r#"
[project]
id = "alpha"
name = "Alpha Rollup"
kind = "optimistic"

[requirements]
calls-itself-rollup = "met"
"#;

// 2024-03-01T12:00:00Z and a day later.
const T1: u64 = 1_709_294_400;
const DAY: u64 = 86_400;

const HOSTILE: &str = "<script>alert(1)</script> & \"q\" 'a' \u{1}\u{1b}]";

fn file(name: &str, text: &str) -> CatalogFile {
    let project =
        l2stage_model::parse_str(name, text, l2stage_model::Format::Toml).expect("valid fixture");
    CatalogFile {
        path: name.into(),
        format: l2stage_model::Format::Toml,
        text: text.into(),
        labels: l2stage_labels::Inputs::inline(&project, None),
        project,
    }
}

/// A governance structure from 2024-01-01: a DAO through a 10-day
/// timelock, a council that can cancel; some requirements are derived
/// from it.
const GOVERNANCE: &str = r#"
[governance]
since = 2024-01-01

[governance.exit]
forced_inclusion = "1d"
finalization = "7d"
proposing = "permissionless"
challenging = "permissionless"

[[governance.actors]]
id = "dao"
kind = "dao"
name = "Token holders"

[[governance.actors]]
id = "council"
kind = "multisig"
name = "Council"
security_council = true
threshold = 6
members = [
  { entity = "A", affiliation = "outside" }, { entity = "B", affiliation = "outside" },
  { entity = "C", affiliation = "outside" }, { entity = "D", affiliation = "outside" },
  { entity = "E", affiliation = "outside" }, { entity = "F", affiliation = "outside" },
  { entity = "G", affiliation = "outside" }, { entity = "H", affiliation = "team" },
]

[[governance.actors]]
id = "timelock"
kind = "timelock"
name = "Timelock"
delay = "10d"
proposers = ["dao"]
executors = ["anyone"]
cancellers = ["council"]

[[governance.powers]]
actor = "timelock"
power = "upgrade"
target = "all core contracts"
"#;

fn project(id: &str, name: &str) -> String {
    ALPHA
        .replace("\"alpha\"", &format!("\"{id}\""))
        .replace("Alpha Rollup", name)
}

fn snap(project: &str, block: u64, timestamp: u64) -> NewSnapshot {
    NewSnapshot {
        project: project.into(),
        chain_id: 1,
        block,
        block_hash: None,
        timestamp,
        data: serde_json::json!({ "block": block }),
    }
}

fn change(block: u64, timestamp: u64, kind: &str, before: &str, after: &str) -> NewChange {
    NewChange {
        block,
        timestamp,
        kind: kind.into(),
        address: "0x00000000000000000000000000000000000000aa".into(),
        field: "threshold".into(),
        before: Some(before.into()),
        after: Some(after.into()),
        safety_relevant: kind != "field-changed",
        evidence: serde_json::json!({ "block": block, "calls": [format!("eth_call(getThreshold()) @ {block}")] }),
    }
}

fn cycle(block: u64, timestamp: u64, observations: Vec<ProjectObservation>) -> WatchCycle {
    WatchCycle {
        chain_id: 1,
        block,
        timestamp,
        observations,
        values: vec![],
        assessments: vec![],
        log_cursor: None,
    }
}

/// alpha: three changes over three cycles, verified at block 300; beta:
/// read once at block 100, then a fault at block 300; gamma: never
/// watched.
fn fixture() -> (tempfile::TempDir, Arc<App>, Router) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("l2stage.db")).expect("store");
    store
        .record_watch_cycle(&cycle(
            100,
            T1,
            vec![
                ProjectObservation::Observed {
                    snapshot: snap("alpha", 100, T1),
                    changes: vec![change(100, T1, "safe-threshold-changed", "1", "2")],
                },
                ProjectObservation::Observed {
                    snapshot: snap("beta", 100, T1),
                    changes: vec![],
                },
            ],
        ))
        .expect("cycle 1");
    store
        .record_watch_cycle(&cycle(
            200,
            T1 + DAY,
            vec![ProjectObservation::Observed {
                snapshot: snap("alpha", 200, T1 + DAY),
                changes: vec![change(200, T1 + DAY, "field-changed", HOSTILE, "ok")],
            }],
        ))
        .expect("cycle 2");
    store
        .record_watch_cycle(&cycle(
            300,
            T1 + 2 * DAY,
            vec![
                ProjectObservation::Observed {
                    snapshot: snap("alpha", 300, T1 + 2 * DAY),
                    changes: vec![change(
                        300,
                        T1 + 2 * DAY,
                        "implementation-upgraded",
                        "0x01",
                        "0x02",
                    )],
                },
                ProjectObservation::Fault {
                    project: "beta".into(),
                    block: 300,
                    reason: format!("eth_call: timeout {HOSTILE}"),
                },
            ],
        ))
        .expect("cycle 3");
    let catalog = l2stage_server::Catalog {
        files: vec![
            file("alpha.toml", &format!("{ALPHA}{GOVERNANCE}")),
            file("beta.toml", &project("beta", "Beta")),
            file(
                "gamma.toml",
                &format!("{}{GOVERNANCE}", project("gamma", "Gamma")),
            ),
        ],
        registry: None,
    };
    let (app, _) = App::start(
        store,
        &catalog,
        Config {
            token: None,
            today: "2024-06-01".parse::<Date>().ok(),
        },
    )
    .expect("start");
    let app = Arc::new(app);
    (dir, app.clone(), router(app))
}

struct Res {
    status: StatusCode,
    content_type: String,
    body: String,
}

impl Res {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("json body")
    }
}

async fn get(r: &Router, uri: &str) -> Res {
    let res = r
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
        .await
        .expect("body");
    Res {
        status,
        content_type,
        body: String::from_utf8(bytes.to_vec()).expect("utf-8"),
    }
}

#[tokio::test]
async fn changes_are_served_newest_first_with_the_contract_keys() {
    let (_dir, _app, r) = fixture();
    let res = get(&r, "/api/v1/projects/alpha/changes").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.content_type, "application/json");
    let body = res.json();
    assert_eq!(body["project"], "alpha");
    assert_eq!(body["next"], Value::Null);
    let changes = body["changes"].as_array().expect("array");
    assert_eq!(
        changes
            .iter()
            .map(|c| (
                c["block"].as_u64().expect("block"),
                c["date"].as_str().expect("date")
            ))
            .collect::<Vec<_>>(),
        [
            (300, "2024-03-03"),
            (200, "2024-03-02"),
            (100, "2024-03-01")
        ]
    );
    let newest = &changes[0];
    for key in [
        "block",
        "date",
        "kind",
        "address",
        "field",
        "before",
        "after",
        "safety_relevant",
        "evidence",
    ] {
        assert!(newest.get(key).is_some(), "{key} missing: {newest}");
    }
    assert_eq!(newest["kind"], "implementation-upgraded");
    assert_eq!(newest["before"], "0x01");
    assert_eq!(newest["after"], "0x02");
    assert_eq!(newest["safety_relevant"], true);
    assert_eq!(
        newest["evidence"]["calls"][0],
        "eth_call(getThreshold()) @ 300"
    );
    // Hostile text comes back exactly, as JSON text.
    assert_eq!(changes[1]["before"], HOSTILE);
    assert_eq!(changes[1]["safety_relevant"], false);

    // A project never watched has no changes; an unknown one is a 404.
    let gamma = get(&r, "/api/v1/projects/gamma/changes").await;
    assert_eq!(gamma.status, StatusCode::OK);
    assert_eq!(
        gamma.json(),
        serde_json::json!({ "project": "gamma", "changes": [], "next": null })
    );
    let res = get(&r, "/api/v1/projects/%3Cscript%3E%1B/changes").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let msg = res.json()["error"]["message"]
        .as_str()
        .expect("message")
        .to_string();
    assert!(msg.contains("no project with id `<script>\\x1b`"), "{msg}");
}

#[tokio::test]
async fn pages_follow_the_next_links() {
    let (_dir, _app, r) = fixture();
    let p1 = get(&r, "/api/v1/projects/alpha/changes?limit=2")
        .await
        .json();
    let blocks = |p: &Value| {
        p["changes"]
            .as_array()
            .expect("array")
            .iter()
            .map(|c| c["block"].as_u64().expect("block"))
            .collect::<Vec<_>>()
    };
    assert_eq!(blocks(&p1), [300, 200]);
    let seq = p1["changes"][1]["seq"].as_i64().expect("seq");
    let next = p1["next"].as_str().expect("next link");
    assert_eq!(
        next,
        format!("/api/v1/projects/alpha/changes?limit=2&before={seq}")
    );
    let p2 = get(&r, next).await.json();
    assert_eq!(blocks(&p2), [100]);
    assert_eq!(p2["next"], Value::Null);
    // Exactly a page's worth left: no next link.
    let p = get(&r, "/api/v1/projects/alpha/changes?limit=3")
        .await
        .json();
    assert_eq!((blocks(&p).len(), p["next"].clone()), (3, Value::Null));
}

#[tokio::test]
async fn bad_parameters_are_clear_400s() {
    let (_dir, _app, r) = fixture();
    for (query, needle) in [
        (
            "limit=0",
            "invalid `limit` `0`: expected a whole number from 1 to 500",
        ),
        ("limit=501", "invalid `limit` `501`"),
        ("limit=ten", "invalid `limit` `ten`"),
        ("limit=", "invalid `limit` ``"),
        ("limit=99999999999999999999999", "invalid `limit`"),
        ("before=0", "invalid `before` `0`"),
        ("before=-5", "invalid `before` `-5`"),
        ("before=abc", "invalid `before` `abc`"),
        ("limit=%1B%5B31m", "invalid `limit` `\\x1b[31m`"),
        ("colour=red", "unknown query parameter `colour`"),
        ("limit=1&limit=2", "query parameter `limit` is given twice"),
        ("limit=%ZZ", "invalid `limit` `%ZZ`"),
    ] {
        let res = get(&r, &format!("/api/v1/projects/alpha/changes?{query}")).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{query}: {}", res.body);
        let msg = res.json()["error"]["message"]
            .as_str()
            .expect("message")
            .to_string();
        assert!(msg.contains(needle), "{query}: {msg}");
        assert!(!msg.contains('\u{1b}'), "{query}: {msg}");
    }
}

const ATOM: &str = "http://www.w3.org/2005/Atom";

/// (title, updated, content, categories) of each entry.
fn entries(doc: &roxmltree::Document<'_>) -> Vec<(String, String, String, Vec<String>)> {
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "feed");
    assert_eq!(root.tag_name().namespace(), Some(ATOM));
    for required in ["id", "title", "updated", "author"] {
        assert!(
            root.children()
                .any(|c| c.tag_name().name() == required && c.tag_name().namespace() == Some(ATOM)),
            "the feed has no {required}"
        );
    }
    let text = |e: roxmltree::Node<'_, '_>, name: &str| {
        e.children()
            .find(|c| c.tag_name().name() == name)
            .and_then(|c| c.text())
            .unwrap_or_else(|| panic!("entry without {name}"))
            .to_string()
    };
    root.children()
        .filter(|c| c.tag_name().name() == "entry")
        .map(|e| {
            let id = text(e, "id");
            assert!(id.starts_with("urn:l2stage:change:"), "{id}");
            (
                text(e, "title"),
                text(e, "updated"),
                text(e, "content"),
                e.children()
                    .filter(|c| c.tag_name().name() == "category")
                    .filter_map(|c| c.attribute("term"))
                    .map(str::to_string)
                    .collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn atom_feeds_are_well_formed_and_escaped() {
    let (_dir, _app, r) = fixture();
    let res = get(&r, "/feed.atom").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.content_type, "application/atom+xml; charset=utf-8");
    let doc = roxmltree::Document::parse(&res.body).expect("well-formed XML");
    let all = entries(&doc);
    assert_eq!(all.len(), 3, "{}", res.body);
    assert_eq!(
        all[0].0,
        "alpha: implementation-upgraded threshold of 0x00000000000000000000000000000000000000aa"
    );
    assert_eq!(all[0].1, "2024-03-03T12:00:00Z");
    assert_eq!(all[0].3, ["implementation-upgraded", "safety-relevant"]);
    assert_eq!(all[1].3, ["field-changed"]);
    // The hostile value reads back as text (control characters visible),
    // never as markup.
    assert!(
        all[1]
            .2
            .contains("changed from <script>alert(1)</script> & \"q\" 'a' \\x01\\x1b] to ok."),
        "{}",
        all[1].2
    );
    assert!(!res.body.contains("<script>"));
    let updated = doc
        .root_element()
        .children()
        .find(|c| c.tag_name().name() == "updated")
        .and_then(|c| c.text());
    assert_eq!(updated, Some("2024-03-03T12:00:00Z"));

    let res = get(&r, "/projects/alpha/feed.atom").await;
    assert_eq!(res.status, StatusCode::OK);
    let doc = roxmltree::Document::parse(&res.body).expect("well-formed XML");
    assert_eq!(entries(&doc).len(), 3);

    // No changes: still a valid feed, with no entry.
    let res = get(&r, "/projects/gamma/feed.atom").await;
    let doc = roxmltree::Document::parse(&res.body).expect("well-formed XML");
    assert!(entries(&doc).is_empty());

    let res = get(&r, "/projects/%3Cb%3Enope/feed.atom").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!res.body.contains("<b>nope"), "{}", res.body);
    let res = get(&r, "/feed.atom?x=1").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn openapi_documents_the_changes_route_and_its_keys() {
    let (_dir, _app, r) = fixture();
    let doc = get(&r, "/api/v1/openapi.json").await.json();
    let op = &doc["paths"]["/api/v1/projects/{id}/changes"]["get"];
    assert!(op.is_object(), "undocumented");
    for status in ["200", "400", "404"] {
        assert!(op["responses"][status].is_object(), "{status}");
    }
    let params: Vec<&str> = op["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(params, ["id", "limit", "before"]);
    let schemas = &doc["components"]["schemas"];
    let keys = |name: &str| -> Vec<String> {
        schemas[name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("schema {name}"))
            .keys()
            .cloned()
            .collect()
    };
    let body = get(&r, "/api/v1/projects/alpha/changes?limit=1")
        .await
        .json();
    let documented = keys("ChangesBody");
    assert_eq!(documented.len(), body.as_object().expect("object").len());
    for k in documented {
        assert!(body.get(&k).is_some(), "ChangesBody.{k}");
    }
    let change = &body["changes"][0];
    let documented = keys("ChainChange");
    assert_eq!(documented.len(), change.as_object().expect("object").len());
    for k in documented {
        assert!(change.get(&k).is_some(), "ChainChange.{k}");
    }
}

/// The `<li>` of the page's "what the requirements rest on" list for a
/// basis.
fn basis_line<'a>(page: &'a str, label: &str) -> &'a str {
    page.lines()
        .find(|l| l.starts_with(&format!("<li><span class=\"tag\">{label}</span>")))
        .unwrap_or_else(|| panic!("no {label} line"))
}

fn derived_ids(detail: &Value) -> Vec<String> {
    detail["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .filter(|r| r["derived"] == true)
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn the_project_page_shows_the_chain_status_changes_and_bases() {
    let (_dir, _app, r) = fixture();
    let page = get(&r, "/projects/alpha").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.body;
    assert!(
        html.contains("<b>Verified on chain at block 300 (2024-03-03)</b>"),
        "{html}"
    );
    assert_eq!(
        html.matches("<tr><td>300</td><td>2024-03-03</td>").count(),
        1
    );
    assert_eq!(html.matches("<table class=\"changes\">").count(), 1);
    let rows = html
        .split("<table class=\"changes\">")
        .nth(1)
        .expect("table");
    let rows = rows.split("</table>").next().expect("end");
    assert_eq!(rows.matches("<tr><td>").count(), 3);
    // The hostile value is text, never markup.
    assert!(!html.contains("<script>alert"), "unescaped");
    // Control characters are shown, not sent.
    assert!(
        html.contains(
            "<code>&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;q&#34; &#39;a&#39; \\x01\\x1b]</code>"
        ),
        "{html}"
    );
    assert!(!html.contains('\u{1}') && !html.contains('\u{1b}'));
    assert!(html.contains("href=\"/api/v1/projects/alpha/changes\""));
    assert!(html.contains("href=\"/projects/alpha/feed.atom\""));
    // Derived requirements rest on the chain for a watched project ...
    let derived = derived_ids(&get(&r, "/api/v1/projects/alpha").await.json());
    assert!(!derived.is_empty(), "the fixture derives requirements");
    let chain = basis_line(html, "read on chain");
    for id in &derived {
        assert!(chain.contains(&format!(">{id}</span>")), "{id}: {chain}");
    }
    assert!(basis_line(html, "declared").contains(">calls-itself-rollup</span>"));
    assert!(basis_line(html, "derived from the declared structure").contains("none"));

    // ... and on the declared structure for one never watched.
    let gamma = get(&r, "/projects/gamma").await.body;
    assert!(
        gamma.contains("Not watched: no watch cycle has read this project"),
        "{gamma}"
    );
    assert!(!gamma.contains("<table class=\"changes\">"));
    assert!(basis_line(&gamma, "read on chain").contains("none"));
    let declared_structure = basis_line(&gamma, "derived from the declared structure");
    for id in derived_ids(&get(&r, "/api/v1/projects/gamma").await.json()) {
        assert!(
            declared_structure.contains(&format!(">{id}</span>")),
            "{id}"
        );
    }

    // A project whose last attempt failed says since when, and why.
    let beta = get(&r, "/projects/beta").await.body;
    assert!(
        beta.contains("<b>Not verified since block 300</b>: eth_call: timeout "),
        "{beta}"
    );
    assert!(beta.contains("Last verified on chain at block 100 (2024-03-01)."));
    assert!(!beta.contains("<script>alert"));
    assert!(beta.contains(
        "&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;q&#34; &#39;a&#39; \\x01\\x1b]"
    ));
    assert!(beta.contains("No change recorded."));
}

#[tokio::test]
async fn the_page_lists_the_twenty_newest_and_links_to_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("l2stage.db")).expect("store");
    for i in 0..55u64 {
        let (block, ts) = (1_000 + i, T1 + i * 60);
        store
            .record_watch_cycle(&cycle(
                block,
                ts,
                vec![ProjectObservation::Observed {
                    snapshot: snap("alpha", block, ts),
                    changes: vec![change(block, ts, "owner-changed", "a", "b")],
                }],
            ))
            .expect("cycle");
    }
    let catalog = l2stage_server::Catalog {
        files: vec![file("alpha.toml", ALPHA)],
        registry: None,
    };
    let (app, _) = App::start(
        store,
        &catalog,
        Config {
            token: None,
            today: "2024-06-01".parse::<Date>().ok(),
        },
    )
    .expect("start");
    let r = router(Arc::new(app));
    let html = get(&r, "/projects/alpha").await.body;
    let rows = html
        .split("<table class=\"changes\">")
        .nth(1)
        .expect("table");
    let rows = rows.split("</table>").next().expect("end");
    assert_eq!(rows.matches("<tr><td>").count(), 20);
    assert!(rows.contains("<tr><td>1054</td>") && rows.contains("<tr><td>1035</td>"));
    assert!(!rows.contains("<tr><td>1034</td>"));
    assert!(html.contains("Older changes: <a href=\"/api/v1/projects/alpha/changes\">"));
    // The feed is bounded: the 50 newest of 55; the API's pages of 10
    // give every one, in order.
    let feed = get(&r, "/feed.atom").await.body;
    let doc = roxmltree::Document::parse(&feed).expect("well-formed");
    let all = entries(&doc);
    assert_eq!(all.len(), 50);
    assert_eq!(all[0].1, "2024-03-01T12:54:00Z");
    let mut next = Some("/api/v1/projects/alpha/changes?limit=10".to_string());
    let mut seen = Vec::new();
    while let Some(uri) = next {
        let page = get(&r, &uri).await.json();
        for c in page["changes"].as_array().expect("changes") {
            seen.push(c["block"].as_u64().expect("block"));
        }
        next = page["next"].as_str().map(str::to_string);
    }
    assert_eq!(seen, (1_000..1_055).rev().collect::<Vec<u64>>());
}
