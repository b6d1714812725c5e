//! Every endpoint in-process (`tower::ServiceExt::oneshot`): the JSON API,
//! errors with their statuses, submissions and history, the OpenAPI
//! document, badges and the pages.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use l2stage_assess::{Context, assess};
use l2stage_labels::Inputs;
use l2stage_model::{Date, Format, parse_str};
use l2stage_server::{App, Catalog, CatalogFile, Config, load_catalog, router};
use l2stage_store::Store;

const TOKEN: &str = "test-token-0123456789";

/// Stage 1 (optimistic), every Stage 2 item unmet.
const ALPHA: &str = r#"
[project]
id = "alpha"
name = "Alpha Rollup"
kind = "optimistic"
links.node_source = "https://example.org/alpha-node"

[requirements]
calls-itself-rollup = "met"
state-roots-on-l1 = "met"
data-on-l1 = "met"
node-source-available = "met"
proof-system = { status = "met", reason = "Fault proofs are live.", evidence = ["https://example.org/proofs", "javascript:alert(1)", "the audit report"] }
five-external-challengers = "met"
principle = "met"
exit-without-operators = "met"
seven-day-exit-window = "met"
council-properly-set-up = "met"
permissionless-proofs = "unmet"
"#;

/// Stage 0 (validity).
const BETA: &str = r#"
[project]
id = "beta"
name = "Beta zk"
kind = "validity"
links.node_source = "https://example.org/beta-node"

[requirements]
calls-itself-rollup = "met"
state-roots-on-l1 = "met"
data-on-l1 = "met"
node-source-available = "met"
proof-system = "met"
"#;

/// Alpha with its governance structure described from 2025-01-01: a DAO
/// through a timelock, a Security Council that can cancel, powers.
fn gamma(name: &str, council: &str) -> String {
    format!(
        r#"{alpha}
[governance]
since = 2025-01-01

[governance.exit]
forced_inclusion = "1d"
finalization = "7d"
proposing = "permissionless"
challenging = "permissionless"

[[governance.actors]]
id = "dao"
kind = "dao"
name = "Gamma token holders"

[[governance.actors]]
id = "council"
kind = "multisig"
name = {council:?}
security_council = true
threshold = 6
members = [
  {{ entity = "A", affiliation = "outside" }}, {{ entity = "B", affiliation = "outside" }},
  {{ entity = "C", affiliation = "outside" }}, {{ entity = "D", affiliation = "outside" }},
  {{ entity = "E", affiliation = "outside" }}, {{ entity = "F", affiliation = "outside" }},
  {{ entity = "G", affiliation = "outside" }}, {{ entity = "H", affiliation = "team" }},
]

[[governance.actors]]
id = "timelock"
kind = "timelock"
name = "Gamma Timelock"
delay = "10d"
proposers = ["dao"]
executors = ["anyone"]
cancellers = ["council"]

[[governance.powers]]
actor = "timelock"
power = "upgrade"
target = "all core contracts"

[[governance.powers]]
actor = "council"
power = "upgrade"
target = "emergency fixes"
"#,
        alpha = ALPHA
            .replace("\"alpha\"", "\"gamma\"")
            .replace("Alpha Rollup", name),
    )
}

fn day(s: &str) -> Date {
    s.parse().expect("test date")
}

const TODAY: &str = "2026-01-01";

fn file(name: &str, text: &str) -> CatalogFile {
    let project = parse_str(name, text, Format::Toml).expect("valid fixture");
    CatalogFile {
        path: PathBuf::from(name),
        format: Format::Toml,
        text: text.to_string(),
        labels: Inputs::inline(&project, None),
        project,
    }
}

fn app_with(files: &[CatalogFile], token: Option<&str>) -> (Arc<App>, Router) {
    let store = Store::open_in_memory().expect("store");
    let catalog = Catalog {
        files: files.to_vec(),
        registry: None,
    };
    let (app, _) = App::start(
        store,
        &catalog,
        Config {
            token: token.map(str::to_string),
            today: Some(day(TODAY)),
        },
    )
    .expect("start");
    let app = Arc::new(app);
    (app.clone(), router(app))
}

fn fixture() -> (Arc<App>, Router) {
    app_with(
        &[file("alpha.toml", ALPHA), file("beta.toml", BETA)],
        Some(TOKEN),
    )
}

struct Res {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Res {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn error_message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message in {}", self.text()))
            .to_string()
    }
}

async fn send(r: &Router, req: Request<Body>) -> Res {
    let res = r.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    Res {
        status,
        headers,
        body,
    }
}

async fn get(r: &Router, uri: &str) -> Res {
    send(r, Request::get(uri).body(Body::empty()).expect("request")).await
}

async fn post(r: &Router, token: Option<&str>, content_type: &str, body: impl Into<Body>) -> Res {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/projects")
        .header(header::CONTENT_TYPE, content_type);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    send(r, b.body(body.into()).expect("request")).await
}

fn ids(list: &Value) -> Vec<String> {
    list["projects"]
        .as_array()
        .expect("projects array")
        .iter()
        .map(|p| p["id"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn list_with_filters() {
    let (_, r) = fixture();
    let res = get(&r, "/api/v1/projects").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.headers.get(header::CONTENT_TYPE).map(|v| v.as_bytes()),
        Some(&b"application/json"[..])
    );
    let v = res.json();
    assert_eq!(v["as_of"], TODAY);
    assert_eq!(v["count"], 2);
    assert_eq!(ids(&v), ["alpha", "beta"]);
    let alpha = &v["projects"][0];
    assert_eq!(alpha["stage"], "stage-1");
    assert_eq!(alpha["kind"], "optimistic");
    assert_eq!(alpha["framework"], "2025-06");
    assert_eq!(alpha["links"]["self"], "/api/v1/projects/alpha");
    assert_eq!(alpha["missing"]["next_stage"], "stage-2");
    assert!(alpha.get("exit_window").is_some());

    let v = get(&r, "/api/v1/projects?stage=stage-0").await.json();
    assert_eq!(ids(&v), ["beta"]);
    let v = get(&r, "/api/v1/projects?stage=stage-0,stage-1")
        .await
        .json();
    assert_eq!(ids(&v), ["alpha", "beta"]);
    let v = get(&r, "/api/v1/projects?kind=optimistic").await.json();
    assert_eq!(ids(&v), ["alpha"]);
    let v = get(&r, "/api/v1/projects?kind=validity&stage=stage-1")
        .await
        .json();
    assert_eq!(v["count"], 0);
    // Before the principle existed, under the 2023 revision.
    let v = get(&r, "/api/v1/projects?as_of=2024-01-01").await.json();
    assert_eq!(v["as_of"], "2024-01-01");
    assert_eq!(v["projects"][0]["framework"], "2023-06");
    let v = get(&r, "/api/v1/projects?as_of=2025-08-01&framework=2025-01")
        .await
        .json();
    assert_eq!(v["framework"], "2025-01");
    assert_eq!(v["projects"][0]["framework"], "2025-01");
    // The cached answer is the same bytes.
    let a = get(&r, "/api/v1/projects?kind=optimistic").await;
    let b = get(&r, "/api/v1/projects?kind=optimistic").await;
    assert_eq!(a.body, b.body);
}

#[tokio::test]
async fn malformed_query_parameters_are_400_with_a_message() {
    let (_, r) = fixture();
    for (uri, needle) in [
        ("/api/v1/projects?stage=stage-9", "invalid stage `stage-9`"),
        ("/api/v1/projects?kind=zk", "invalid kind `zk`"),
        ("/api/v1/projects?as_of=2024-02-30", "invalid `as_of`"),
        ("/api/v1/projects?as_of=yesterday", "invalid `as_of`"),
        (
            "/api/v1/projects?framework=1999-01",
            "unknown framework revision `1999-01`",
        ),
        (
            "/api/v1/projects?colour=red",
            "unknown query parameter `colour`",
        ),
        (
            "/api/v1/projects?kind=validity&kind=optimistic",
            "given twice",
        ),
        ("/api/v1/projects?as_of=%ZZ", "as_of"),
        ("/api/v1/projects/alpha?as_of=2024-13-01", "invalid `as_of`"),
        (
            "/api/v1/projects/alpha?stage=stage-1",
            "unknown query parameter `stage`",
        ),
        (
            "/api/v1/projects/alpha/history?x=1",
            "unknown query parameter `x`",
        ),
    ] {
        let res = get(&r, uri).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{uri}: {}", res.text());
        let msg = res.error_message();
        assert!(msg.contains(needle), "{uri}: {msg}");
    }
}

#[tokio::test]
async fn detail_is_the_same_object_the_cli_prints() {
    let (_, r) = fixture();
    let res = get(&r, "/api/v1/projects/alpha").await;
    assert_eq!(res.status, StatusCode::OK);
    let project = parse_str("alpha.toml", ALPHA, Format::Toml).expect("parse");
    let expected = assess(&project, &Context::on(day(TODAY))).expect("assess");
    let cli: Value =
        serde_json::from_str(&l2stage_assess::json(&[expected]).expect("json")).expect("cli json");
    assert_eq!(res.json(), cli[0]);
    let v = res.json();
    assert_eq!(
        v["requirements"][0]["evidence"][0],
        "https://example.org/proofs"
    );

    let v = get(&r, "/api/v1/projects/alpha?as_of=2024-01-01")
        .await
        .json();
    assert_eq!(v["as_of"], "2024-01-01");
    let res = get(&r, "/api/v1/projects/nope").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.error_message().contains("`nope`"));
    let res = get(&r, "/api/v1/projects/nope/history").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = get(&r, "/api/v1/nothing-here").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.json()["error"]["message"].is_string());
}

#[tokio::test]
async fn submissions_need_a_valid_token() {
    let (app, r) = fixture();
    let counts = || app.with_store(|s| s.counts().expect("counts"));
    let before = counts();
    for token in [None, Some("wrong"), Some(""), Some("test-token-012345678")] {
        let res = post(&r, token, "application/toml", ALPHA).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert!(res.headers.contains_key(header::WWW_AUTHENTICATE));
        assert!(res.error_message().contains("token") || res.error_message().contains("Bearer"));
    }
    // Another scheme.
    let req = Request::post("/api/v1/projects")
        .header(header::CONTENT_TYPE, "application/toml")
        .header(header::AUTHORIZATION, format!("Basic {TOKEN}"))
        .body(Body::from(ALPHA))
        .expect("request");
    assert_eq!(send(&r, req).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(counts(), before, "nothing stored");

    // A server started without a token refuses every submission.
    let (_, closed) = app_with(&[file("alpha.toml", ALPHA)], None);
    let res = post(&closed, Some(TOKEN), "application/toml", ALPHA).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.error_message().contains("disabled"));
}

#[tokio::test]
async fn invalid_files_are_400_with_line_and_field_and_nothing_is_stored() {
    let (app, r) = fixture();
    let counts = || app.with_store(|s| s.counts().expect("counts"));
    let before = counts();

    let bad = "[project]\nid = \"gamma\"\nnme = \"Gamma\"\nkind = \"optimistic\"\n";
    let res = post(&r, Some(TOKEN), "application/toml", bad).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
    let e = &res.json()["error"];
    assert_eq!(e["message"], "unknown field `nme`");
    assert_eq!(e["line"], 3);
    assert_eq!(e["column"], 1);
    assert_eq!(e["field"], "project.nme");
    assert_eq!(e["hint"], "did you mean `name`?");

    let bad = ALPHA.replace("data-on-l1 = \"met\"", "data-on-l1 = \"yes\"");
    let res = post(&r, Some(TOKEN), "application/toml; charset=utf-8", bad).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let e = &res.json()["error"];
    assert_eq!(e["field"], "requirements.data-on-l1");
    assert_eq!(e["line"], 11);
    assert!(
        e["message"]
            .as_str()
            .unwrap_or("")
            .contains("unknown variant `yes`")
    );

    let json_bad = "{\"project\": {\"id\": \"gamma\", \"name\": \"G\", \"kind\": \"zk\"}}";
    let res = post(&r, Some(TOKEN), "application/json", json_bad).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let e = &res.json()["error"];
    assert_eq!(e["field"], "project.kind");
    assert_eq!(e["line"], 1);
    assert!(e["hint"].as_str().unwrap_or("").contains("optimistic"));

    let res = post(&r, Some(TOKEN), "application/toml", "[project\n").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.json()["error"]["line"], 1);

    let res = post(
        &r,
        Some(TOKEN),
        "application/toml",
        vec![0xffu8, 0xfe, 0x00],
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.error_message().contains("UTF-8"));

    let res = post(&r, Some(TOKEN), "text/plain", ALPHA).await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(res.error_message().contains("application/toml"));

    assert_eq!(counts(), before, "nothing stored on failure");
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let (app, r) = fixture();
    let before = app.with_store(|s| s.counts().expect("counts"));
    let big = format!("{ALPHA}\n# {}\n", "x".repeat(l2stage_server::BODY_LIMIT));
    let res = post(&r, Some(TOKEN), "application/toml", big).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.error_message().contains("256 KiB"));
    // Without a content length (streamed) too.
    let chunks: Vec<Result<String, std::io::Error>> =
        (0..300).map(|_| Ok("#".repeat(1024) + "\n")).collect();
    let body = Body::from_stream(futures_stream(chunks));
    let res = post(&r, Some(TOKEN), "application/toml", body).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Unauthenticated oversized bodies are refused before being read.
    let res = post(&r, None, "application/toml", "x".repeat(1 << 20)).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.with_store(|s| s.counts().expect("counts")), before);
}

/// A stream of chunks without a known length.
fn futures_stream(
    chunks: Vec<Result<String, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<String, std::io::Error>> + Send + 'static {
    struct It(std::vec::IntoIter<Result<String, std::io::Error>>);
    impl futures_core::Stream for It {
        type Item = Result<String, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.next())
        }
    }
    It(chunks.into_iter())
}

#[tokio::test]
async fn two_submissions_of_a_changed_file_make_history() {
    let (app, r) = fixture();
    // A new project.
    let gamma_v1 = ALPHA
        .replace("\"alpha\"", "\"gamma\"")
        .replace("Alpha Rollup", "Gamma");
    let res = post(&r, Some(TOKEN), "application/toml", gamma_v1.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(
        res.headers.get(header::LOCATION).map(|v| v.as_bytes()),
        Some(&b"/api/v1/projects/gamma"[..])
    );
    let v = res.json();
    assert_eq!(
        (v["id"].as_str(), v["stage"].as_str()),
        (Some("gamma"), Some("stage-1"))
    );
    assert_eq!(v["file_changed"], true);
    assert_eq!(v["assessment"]["stage"], "stage-1");
    // Served at once, list cache included.
    let list = get(&r, "/api/v1/projects").await.json();
    assert_eq!(ids(&list), ["alpha", "beta", "gamma"]);

    // The same file again: nothing new.
    let res = post(&r, Some(TOKEN), "application/toml", gamma_v1).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["file_changed"], false);
    assert_eq!(res.json()["assessment_added"], false);

    // A changed file, as JSON this time: the principle is lost.
    let project = parse_str(
        "x",
        &ALPHA
            .replace("\"alpha\"", "\"gamma\"")
            .replace("Alpha Rollup", "Gamma"),
        Format::Toml,
    )
    .expect("parse");
    let mut v2 = serde_json::to_value(&project).expect("to json");
    v2["requirements"]["principle"] = serde_json::json!({"status": "unmet", "reason": "A 2/3 team multisig can upgrade instantly."});
    let res = post(&r, Some(TOKEN), "application/json", v2.to_string()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["stage"], "stage-0");

    let list = get(&r, "/api/v1/projects?stage=stage-0").await.json();
    assert_eq!(ids(&list), ["beta", "gamma"]);
    assert_eq!(
        get(&r, "/api/v1/projects/gamma").await.json()["stage"],
        "stage-0"
    );

    let res = get(&r, "/api/v1/projects/gamma/history").await;
    assert_eq!(res.status, StatusCode::OK);
    let h = res.json();
    assert_eq!(h["id"], "gamma");
    let recs = h["assessments"].as_array().expect("assessments");
    assert_eq!(recs.len(), 2, "{h}");
    assert_eq!(recs[0]["change"], "first");
    assert_eq!(recs[0]["stage"], "stage-1");
    assert_eq!(recs[0]["origin"], "api");
    assert_eq!(recs[1]["change"], "project-file");
    assert_eq!(recs[1]["stage"], "stage-0");
    assert_eq!(recs[1]["previous_stage"], "stage-1");
    assert_eq!(recs[1]["stage_changed"], true);
    assert_ne!(recs[0]["input_hash"], recs[1]["input_hash"]);
    let files = h["files"].as_array().expect("files");
    assert_eq!(files.len(), 2);
    assert_eq!(files[1]["format"], "json");
    // The timeline is re-derived from the current file: Stage 1 under the
    // 2023 revision, a pending downgrade with the principle, Stage 0 after
    // the grace deadline.
    let tl = h["timeline"].as_array().expect("timeline");
    let stages: Vec<&str> = tl.iter().filter_map(|e| e["stage"].as_str()).collect();
    assert_eq!(stages.first(), Some(&"stage-1"));
    assert_eq!(stages.last(), Some(&"stage-0"));
    let last = tl.last().expect("last");
    assert_eq!(last["causes"][0]["kind"], "grace-deadline");
    assert_eq!(last["date"], "2025-07-29");
    assert!(last["until"].is_null());

    // The store has both versions; the first is untouched.
    let (files, assessments) = app.with_store(|s| s.counts().expect("counts"));
    assert_eq!((files, assessments), (4, 4));
}

#[tokio::test]
async fn openapi_documents_every_endpoint() {
    let (_, r) = fixture();
    let res = get(&r, "/api/v1/openapi.json").await;
    assert_eq!(res.status, StatusCode::OK);
    let doc = res.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, method) in [
        ("/api/v1/projects", "get"),
        ("/api/v1/projects", "post"),
        ("/api/v1/projects/{id}", "get"),
        ("/api/v1/projects/{id}/history", "get"),
        ("/api/v1/risk", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} undocumented"
        );
    }
    for status in ["201", "400", "401", "413", "415"] {
        assert!(
            doc["paths"]["/api/v1/projects"]["post"]["responses"][status].is_object(),
            "{status}"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // Every key the document gives an assessment is in a real one, and
    // likewise for the list, the history and a submission.
    let schemas = &doc["components"]["schemas"];
    let keys = |name: &str| -> Vec<String> {
        schemas[name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("schema {name}"))
            .keys()
            .cloned()
            .collect()
    };
    let detail = get(&r, "/api/v1/projects/alpha").await.json();
    for k in keys("Assessment") {
        assert!(
            detail.get(&k).is_some(),
            "Assessment.{k} documented but absent"
        );
    }
    for k in keys("Requirement") {
        if k != "since" {
            assert!(
                detail["requirements"][0].get(&k).is_some(),
                "Requirement.{k}"
            );
        }
    }
    let list = get(&r, "/api/v1/projects").await.json();
    for k in keys("ProjectList") {
        assert!(list.get(&k).is_some(), "ProjectList.{k}");
    }
    for k in keys("ProjectSummary") {
        assert!(list["projects"][0].get(&k).is_some(), "ProjectSummary.{k}");
    }
    let hist = get(&r, "/api/v1/projects/alpha/history").await.json();
    for k in keys("History") {
        assert!(hist.get(&k).is_some(), "History.{k}");
    }
    for k in keys("HistoryRecord") {
        assert!(
            hist["assessments"][0].get(&k).is_some(),
            "HistoryRecord.{k}"
        );
    }
}

#[tokio::test]
async fn badges_are_coloured_by_stage() {
    let (_, r) = fixture();
    let res = get(&r, "/badge/alpha.svg").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.headers.get(header::CONTENT_TYPE).map(|v| v.as_bytes()),
        Some(&b"image/svg+xml"[..])
    );
    let svg = res.text();
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains(">stage</text>") && svg.contains(">Stage 1</text>"));
    assert!(svg.contains(l2stage_render::badge::stage_colour(
        l2stage_framework::Stage::Stage1
    )));
    assert!(
        get(&r, "/badge/beta.svg")
            .await
            .text()
            .contains(">Stage 0</text>")
    );
    let res = get(&r, "/badge/nope.svg").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.text().contains("unknown project"));
    assert_eq!(
        get(&r, "/badge/alpha.png").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pages_show_the_table_and_the_checklist() {
    let (_, r) = fixture();
    let res = get(&r, "/").await;
    assert_eq!(res.status, StatusCode::OK);
    let csp = res
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = res.text();
    assert!(html.contains("<a href=\"/projects/alpha\">Alpha Rollup</a>"));
    assert!(html.contains("Beta zk"));
    // Stage 1 sorts before Stage 0 by default; by name ascending on request.
    assert!(html.find("Alpha Rollup") < html.find("Beta zk"));
    let by_stage_asc = get(&r, "/?sort=stage&order=asc").await.text();
    assert!(by_stage_asc.find("Beta zk") < by_stage_asc.find("Alpha Rollup"));
    // Sort links keep the filters.
    let filtered = get(&r, "/?kind=validity").await.text();
    assert!(filtered.contains("Beta zk") && !filtered.contains("Alpha Rollup"));
    assert!(
        filtered.contains("href=\"/?kind=validity&#38;sort=name&#38;order=asc\""),
        "{filtered}"
    );
    assert_eq!(
        get(&r, "/?sort=colour").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(get(&r, "/?order=up").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(get(&r, "/?stage=9").await.status, StatusCode::BAD_REQUEST);

    let res = get(&r, "/projects/alpha").await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains("<h1>Alpha Rollup</h1>"));
    assert!(html.contains("id=\"req-proof-system\""));
    assert!(html.contains("Fault proofs are live."));
    assert!(html.contains("Missing for Stage 2"));
    // Evidence: links only for http(s).
    assert!(html.contains("href=\"https://example.org/proofs\""));
    assert!(!html.contains("href=\"javascript:"));
    assert!(html.contains("<li>javascript:alert(1)</li>"));
    assert!(html.contains("<li>the audit report</li>"));
    assert!(html.contains("Stage timeline"));
    assert_eq!(
        get(&r, "/projects/nope").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&r, "/static/style.css").await.status, StatusCode::OK);
}

#[tokio::test]
async fn project_text_is_escaped_everywhere() {
    let evil = ALPHA
        .replace("\"alpha\"", "\"evil\"")
        .replace("Alpha Rollup", "<script>alert('x')</script> & Co")
        .replace("Fault proofs are live.", "<img src=x onerror=alert(1)>");
    // Its governance structure names actors the same way: the graph shows
    // them as text too.
    let evil_gov = gamma(
        "<script>alert('x')</script> & Co",
        "<script>alert('council')</script> & <b>Co</b>",
    )
    .replace("\"gamma\"", "\"evil-gov\"")
    .replace("Gamma Timelock", "<img src=x onerror=alert(1)>");
    let (_, r) = app_with(
        &[file("evil.toml", &evil), file("evil-gov.toml", &evil_gov)],
        None,
    );
    for uri in ["/", "/projects/evil", "/projects/evil-gov"] {
        let html = get(&r, uri).await.text();
        assert!(!html.contains("<script>alert"), "{uri}");
        assert!(!html.contains("<img src=x"), "{uri}");
        assert!(!html.contains("<b>Co"), "{uri}");
        assert!(html.contains("&#60;script&#62;alert"), "{uri}");
    }
    let html = get(&r, "/projects/evil-gov").await.text();
    let graph = graph_section(&html);
    assert!(graph.contains("<svg"), "{graph}");
    assert!(
        graph.contains("<title>&lt;script&gt;alert(&#39;council&#39;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt; (6/8 multisig, Security Council)</title>"),
        "{graph}"
    );
    assert!(
        graph.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{graph}"
    );
    // JSON carries the text as it is.
    let v = get(&r, "/api/v1/projects/evil").await.json();
    assert_eq!(v["name"], "<script>alert('x')</script> & Co");
}

/// The part of a page between the permission graph's heading and the next.
fn graph_section(html: &str) -> &str {
    let start = html
        .find("<h2 id=\"graph\">")
        .unwrap_or_else(|| panic!("no graph section in {html}"));
    let rest = &html[start..];
    let end = rest.find("<h2 id=\"labels\">").unwrap_or(rest.len());
    &rest[..end]
}

#[tokio::test]
async fn project_pages_draw_the_permission_graph_where_it_is_known() {
    let (_, r) = app_with(
        &[
            file("alpha.toml", ALPHA),
            file("gamma.toml", &gamma("Gamma", "Gamma Security Council")),
            file(
                "delta.toml",
                &gamma("Delta", "Delta Security Council")
                    .replace("\"gamma\"", "\"delta\"")
                    .replace(
                        "since = 2025-01-01",
                        "since = 2025-01-01\nuntil = 2025-06-01",
                    ),
            ),
        ],
        None,
    );
    let html = get(&r, "/projects/gamma").await.text();
    let graph = graph_section(&html);
    assert_eq!(graph.matches("<svg").count(), 1, "{graph}");
    assert!(graph.contains("class=\"permission-graph\""), "{graph}");
    assert!(graph.contains("<figcaption"), "{graph}");
    // The council, highlighted, with its name as the box's text and tooltip.
    assert!(graph.contains("<g class=\"node k-council\"><title>Gamma Security Council (6/8 multisig, Security Council)</title>"), "{graph}");
    assert!(
        graph.contains(">Gamma Security Council</tspan>")
            || graph.contains(">Gamma Security</tspan>"),
        "{graph}"
    );
    for text in [
        "Gamma token holders",
        "Gamma Timelock",
        "timelock 10d",
        "anyone",
        "upgrade",
        "cancels",
        "proposes",
    ] {
        assert!(graph.contains(text), "{text} missing from {graph}");
    }
    // Before the structure applies, and for a project without one: no graph,
    // a note saying why.
    let before = get(&r, "/projects/gamma?as_of=2024-06-01").await.text();
    let graph = graph_section(&before);
    assert!(!graph.contains("<svg"), "{graph}");
    assert!(graph.contains("from 2025-01-01"), "{graph}");
    // Once a structure was replaced (`until`), it is not drawn either.
    let html = get(&r, "/projects/delta").await.text();
    let graph = graph_section(&html);
    assert!(!graph.contains("<svg"), "{graph}");
    assert!(graph.contains("applies until 2025-06-01"), "{graph}");
    let html = get(&r, "/projects/delta?as_of=2025-03-01").await.text();
    assert!(graph_section(&html).contains("Delta Security Council"));
    let html = get(&r, "/projects/alpha").await.text();
    let graph = graph_section(&html);
    assert!(
        !graph.contains("<svg") && !html.contains("permission-graph"),
        "{graph}"
    );
    assert!(
        graph.contains("does not describe its governance structure"),
        "{graph}"
    );
    // A structure too large to read is not laid out on every page view.
    let mut huge = gamma("Huge", "Huge Security Council").replace("\"gamma\"", "\"huge\"");
    for i in 0..400 {
        huge.push_str(&format!(
            "\n[[governance.powers]]\nactor = \"timelock\"\npower = \"change-parameters\"\ntarget = \"contract {i}\"\n"
        ));
    }
    let (_, r) = app_with(&[file("huge.toml", &huge)], None);
    let html = get(&r, "/projects/huge").await.text();
    let graph = graph_section(&html);
    assert!(!graph.contains("<svg"), "{graph}");
    assert!(
        graph.contains("more than the 400 the page draws"),
        "{graph}"
    );
}

/// A project with a `[labels]` section: Stage 0, live since 2024-01-01,
/// `$4.16B` locked (inline points, one point held for 1000 days), and a
/// safety-relevant change on `change` whose summary carries markup.
fn labelled(id: &str, name: &str, change: &str, proof_systems: &str) -> String {
    format!(
        r#"{beta}
[labels]
proof_systems = [{proof_systems}]
live_since = 2024-01-01

[[labels.changes]]
date = {change}
summary = "Upgrade <script>alert('up')</script> & co."
safety_relevant = true
evidence = ["https://example.org/upgrade-tx", "javascript:alert(5)"]

[labels.value_locked]
gap_tolerance_days = 1000
points = [
  {{ date = 2024-01-01, total = 4_160_000_000, eth = 2_000_000_000, stablecoins = 1_000_000_000 }},
]
"#,
        beta = BETA
            .replace("\"beta\"", &format!("{id:?}"))
            .replace("Beta zk", name),
    )
}

/// A proof system rated `maturing` on 2026-01-01: in production for two
/// years, audited by two firms (one report's url is not a link), a $500K
/// bounty (below $1M), reproducibility not declared; its name and an
/// incident carry markup.
const TEST_PROVER: &str = r#"
name = "Test <script>alert('ps')</script> Prover"
kind = "validity"
implementation = "test-prover on a test VM"
version = "v1.2.3"
in_production_since = 2024-01-01
trusted_setup_risk = "low"
prover_source_published = true
shared_components = ["test-vm"]

[[audits]]
firm = "First Audits"
date = 2024-02-01
url = "https://example.org/first-audit"
scope = "the verifier"

[[audits]]
firm = "Second Audits"
date = 2024-03-01
url = "javascript:alert(2)"

[bug_bounty]
max_usd = 500_000
url = "https://example.org/bounty"

[[incidents]]
date = 2024-05-01
severity = "medium"
summary = "Proving slowed <img src=x onerror=alert(3)> for a day."
evidence = ["https://example.org/incident", "javascript:alert(4)"]
"#;

/// The part of `html` from `start` to `end` (or the end of the page).
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"));
    let rest = &html[i..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The table row of project `id` on the index page.
fn row<'a>(html: &'a str, id: &str) -> &'a str {
    between(html, &format!("<tr data-id=\"{id}\""), "</tr>")
}

/// BattleTested and proof-system maturity on the pages: a catalog with a
/// proof-system file, a project that is BattleTested, one that is not.
#[tokio::test]
async fn pages_show_the_labels() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ps = dir.path().join("proof-systems");
    std::fs::create_dir(&ps).expect("proof-systems dir");
    std::fs::write(ps.join("test-prover.toml"), TEST_PROVER).expect("write");
    std::fs::write(
        dir.path().join("tested.toml"),
        labelled("tested", "Tested Rollup", "2025-03-10", "\"test-prover\""),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("young.toml"),
        labelled("young", "Young Rollup", "2025-10-15", ""),
    )
    .expect("write");
    std::fs::write(dir.path().join("alpha.toml"), ALPHA).expect("write");
    let catalog = load_catalog(dir.path()).expect("catalog");
    let (app, _) = App::start(
        Store::open_in_memory().expect("store"),
        &catalog,
        Config {
            token: None,
            today: Some(day(TODAY)),
        },
    )
    .expect("start");
    let r = router(Arc::new(app));

    // What the API says, which the pages must show.
    let tested = get(&r, "/api/v1/projects/tested").await.json();
    let bt = &tested["labels"]["battle_tested"];
    assert_eq!(bt["status"], "met", "{bt}");
    assert_eq!(bt["since"], "2025-09-11", "{bt}");
    assert_eq!(tested["labels"]["proof_systems"][0]["rating"], "maturing");
    let young = get(&r, "/api/v1/projects/young").await.json();
    let bt = &young["labels"]["battle_tested"];
    assert_eq!(bt["status"], "unmet", "{bt}");
    assert_eq!(bt["earliest"], "2026-04-16", "{bt}");

    // The project page: a Labels section with BattleTested...
    let html = get(&r, "/projects/tested").await.text();
    let head = between(&html, "<div class=\"head\">", "</div>");
    assert!(
        head.contains("href=\"#labels\"") && head.contains("BattleTested: met"),
        "{head}"
    );
    // The proof system by name, its id in the tooltip.
    assert!(
        head.contains("Prover · maturing</a>") && head.contains("title=\"test-prover: "),
        "{head}"
    );
    let labels = between(&html, "<h2 id=\"labels\">", "<h2 id=\"risk\">");
    let bt = between(labels, "id=\"battle-tested\"", "</section>");
    assert!(bt.contains("class=\"lchip bt-met\""), "{bt}");
    assert!(bt.contains("✓</span> met</span>"), "{bt}");
    assert!(bt.contains("Met since 2025-09-11."), "{bt}");
    // The change's http(s) evidence is linked; the javascript: one is not.
    assert!(
        bt.contains(
            "<dt>Sources of that change</dt><dd><a href=\"https://example.org/upgrade-tx\""
        ),
        "{bt}"
    );
    assert!(!bt.contains("javascript:alert(5)"), "{bt}");
    assert!(
        bt.contains("<dd>2025-03-10 (the last safety-relevant change)</dd>"),
        "{bt}"
    );
    assert!(
        bt.contains("$4.16B on 2024-01-01, $3.00B of it in ETH and major stablecoins"),
        "{bt}"
    );
    assert!(
        bt.contains("2025-06-30 to 2026-01-01: every day above $100M in total, at least $50M"),
        "{bt}"
    );
    // ... the change summary escaped ...
    assert!(
        bt.contains(
            "2025-03-10: Upgrade &#60;script&#62;alert(&#39;up&#39;)&#60;/script&#62; &#38; co."
        ),
        "{bt}"
    );
    // ... and the proof system with its rating, facts and criteria.
    let ps = between(labels, "id=\"ps-test-prover\"", "</section>");
    assert!(ps.contains("class=\"lchip r-maturing\""), "{ps}");
    assert!(ps.contains("◐</span> maturing</span>"), "{ps}");
    assert!(
        ps.contains("Test &#60;script&#62;alert(&#39;ps&#39;)&#60;/script&#62; Prover"),
        "{ps}"
    );
    for text in [
        "validity proofs",
        "version: v1.2.3",
        "since 2024-01-01 (24 months)",
        "2 audits by 2 firms",
        "<a href=\"https://example.org/first-audit\" rel=\"nofollow noopener\">First Audits</a>",
        "Second Audits <span class=\"muted\">(javascript:alert(2))</span>",
        "<a href=\"https://example.org/bounty\" rel=\"nofollow noopener\">up to $500K</a>",
        "Proving slowed &#60;img src=x onerror=alert(3)&#62; for a day.",
        "<a href=\"https://example.org/incident\" rel=\"nofollow noopener\">[source]</a>",
        "<dt>Trusted setup risk</dt><dd>low</dd>",
        "verifier reproducible: not declared",
        "<code>test-vm</code>",
        "Missing for mature",
        "<li>bounty-at-least-1m: bug bounty up to $500K, below $1.00M</li>",
    ] {
        assert!(ps.contains(text), "{text} missing from {ps}");
    }
    assert!(!ps.contains("href=\"javascript:"), "{ps}");
    assert!(
        ps.contains(
            "<tr class=\"c-unmet\"><td><code>bounty-at-least-1m</code></td><td>mature</td>"
        ),
        "{ps}"
    );
    assert!(
        ps.contains(
            "<tr class=\"c-unknown\"><td><code>verifier-reproducible</code></td><td>mature</td>"
        ),
        "{ps}"
    );
    assert!(
        ps.contains("<tr class=\"c-met\"><td><code>audited</code></td><td>maturing</td>"),
        "{ps}"
    );
    assert_eq!(ps.matches("<tr class=\"c-").count(), 14, "{ps}");
    assert!(!html.contains("<script>alert") && !html.contains("<img src=x"));

    // Not met: the earliest day and what is missing, markup escaped.
    let html = get(&r, "/projects/young").await.text();
    let bt = between(&html, "id=\"battle-tested\"", "</section>");
    assert!(bt.contains("class=\"lchip bt-unmet\""), "{bt}");
    assert!(bt.contains("✗</span> unmet</span>"), "{bt}");
    assert!(
        bt.contains("Earliest 2026-04-16, if nothing changes"),
        "{bt}"
    );
    let missing = between(bt, "<h4>Missing</h4>", "</ul>");
    assert!(missing.contains("<li>"), "{missing}");
    assert!(missing.contains("2026-04-16"), "{missing}");
    assert!(missing.contains("&#60;script&#62;"), "{missing}");
    assert!(!html.contains("<script>alert"));
    let labels = between(&html, "<h2 id=\"labels\">", "<h2 id=\"risk\">");
    assert!(labels.contains("None in use on this day"), "{labels}");

    // No `[labels]` at all: unknown, with no date.
    let html = get(&r, "/projects/alpha").await.text();
    let bt = between(&html, "id=\"battle-tested\"", "</section>");
    assert!(bt.contains("class=\"lchip bt-unknown\""), "{bt}");
    assert!(
        bt.contains("No date: the clock start is unknown: no `live_since`"),
        "{bt}"
    );

    // The table: a sortable BattleTested column after the exit window.
    let index = get(&r, "/").await.text();
    let head = between(&index, "<thead>", "</thead>");
    let exit = head.find("Exit window").expect("exit window header");
    let bt_at = head.find(">BattleTested").expect("BattleTested header");
    let missing_at = head.find("Missing for next stage").expect("missing header");
    assert!(exit < bt_at && bt_at < missing_at, "{head}");
    assert!(
        head.contains("href=\"/?sort=battle_tested&#38;order=desc\""),
        "{head}"
    );
    let row_tested = row(&index, "tested");
    assert!(
        row_tested.contains("class=\"lchip bt-met\""),
        "{row_tested}"
    );
    assert!(row_tested.contains("since 2025-09-11"), "{row_tested}");
    let row_young = row(&index, "young");
    assert!(
        row_young.contains("class=\"lchip bt-unmet\""),
        "{row_young}"
    );
    assert!(row_young.contains("earliest 2026-04-16"), "{row_young}");
    assert!(row(&index, "alpha").contains("class=\"lchip bt-unknown\""));
    // Escaped in the tooltip too.
    assert!(!index.contains("<script>alert"));
    // Met first, then unknown, then unmet; reversed on request.
    let order = |html: &str| {
        let mut ids: Vec<(usize, &str)> = ["tested", "alpha", "young"]
            .into_iter()
            .map(|id| {
                (
                    html.find(&format!("<tr data-id=\"{id}\">")).expect("row"),
                    id,
                )
            })
            .collect();
        ids.sort();
        ids.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    let desc = get(&r, "/?sort=battle_tested").await;
    assert_eq!(desc.status, StatusCode::OK);
    let desc = desc.text();
    assert_eq!(order(&desc), ["tested", "alpha", "young"]);
    assert!(
        desc.contains(
            "aria-sort=\"descending\"><a href=\"/?sort=battle_tested&#38;order=asc\">BattleTested"
        ),
        "{desc}"
    );
    let asc = get(&r, "/?sort=battle_tested&order=asc").await.text();
    assert_eq!(order(&asc), ["young", "alpha", "tested"]);
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The API and `l2stage assess --format json` agree on every catalog
/// project, today and on a past day: the same assessment, with the same
/// label inputs read beside each file.
#[tokio::test]
async fn catalog_agrees_with_the_report() {
    let catalog = load_catalog(&repo().join("catalog")).expect("catalog");
    assert!(!catalog.files.is_empty());
    let store = Store::open_in_memory().expect("store");
    let (app, _) = App::start(
        store,
        &catalog,
        Config {
            token: None,
            today: Some(day(TODAY)),
        },
    )
    .expect("start");
    let r = router(Arc::new(app));
    for as_of in [TODAY, "2024-09-15"] {
        let list = get(&r, &format!("/api/v1/projects?as_of={as_of}"))
            .await
            .json();
        // Projects not yet live that day get no verdict: not listed, and
        // their page says why (422).
        let live = catalog
            .files
            .iter()
            .filter(|f| l2stage_assess::not_live_on(&f.project, day(as_of)).is_none())
            .count();
        assert_eq!(list["count"], live, "{as_of}: {list}");
        if as_of == "2024-09-15" {
            assert!(live < catalog.files.len(), "Unichain launched in 2025");
            let res = get(&r, &format!("/api/v1/projects/unichain?as_of={as_of}")).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                res.error_message()
                    .contains("not live on Ethereum mainnet before 2025-02-12"),
                "{}",
                res.text()
            );
        }
        for f in &catalog.files {
            let id = f.project.project.id.as_str();
            if l2stage_assess::not_live_on(&f.project, day(as_of)).is_some() {
                continue;
            }
            let expected = assess(&f.project, &Context::on(day(as_of)).with_labels(&f.labels))
                .expect("assess");
            let expected: Value =
                serde_json::from_str(&serde_json::to_string(&expected).expect("json"))
                    .expect("reparse");
            let got = get(&r, &format!("/api/v1/projects/{id}?as_of={as_of}"))
                .await
                .json();
            assert_eq!(got, expected, "{id} on {as_of}");
            let row = list["projects"]
                .as_array()
                .and_then(|a| a.iter().find(|p| p["id"] == id))
                .unwrap_or_else(|| panic!("{id} not listed"));
            assert_eq!(row["stage"], expected["stage"], "{id}");
        }
    }
}

#[tokio::test]
async fn risk_endpoint_is_the_risk_crates_json() {
    use l2stage_risk::report::RiskQuery;
    // Through text, as a client reads it (float parsing is not always
    // bit-exact, so both sides take the same path).
    let risk_json = |p: &l2stage_risk::report::RiskParams| -> Result<Value, String> {
        let v = l2stage_risk::report::risk_json(p).map_err(|e| e.to_string())?;
        serde_json::from_str(&v.to_string()).map_err(|e| e.to_string())
    };
    let (_, r) = fixture();
    let res = get(&r, "/api/v1/risk").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let expected = risk_json(&RiskQuery::default().params().expect("defaults")).expect("json");
    assert_eq!(res.json(), expected);

    let res = get(
        &r,
        "/api/v1/risk?proof_failure=0.001&stage1_council=9/12&formula=additive",
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let mut q = RiskQuery::default();
    q.set("proof_failure", "0.001".into());
    q.set("stage1_council", "9/12".into());
    q.set("formula", "additive".into());
    assert_eq!(
        res.json(),
        risk_json(&q.params().expect("params")).expect("json")
    );

    for (uri, needle) in [
        (
            "/api/v1/risk?member_failure=2",
            "member failure probability",
        ),
        ("/api/v1/risk?stage1_council=9/8", "invalid council"),
        ("/api/v1/risk?formula=sum", "union or additive"),
        ("/api/v1/risk?horizon=forever", "invalid horizon"),
        ("/api/v1/risk?q=0.1", "unknown query parameter `q`"),
    ] {
        let res = get(&r, uri).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            res.error_message().contains(needle),
            "{uri}: {}",
            res.error_message()
        );
    }

    let page = get(&r, "/risk?proof_failure=0.001").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("least risky"));
    assert!(html.matches("<svg").count() >= 2, "charts");
    let bad = get(&r, "/risk?member_failure=abc").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("Invalid input"));
}

/// Base's nested Security Council is drawn exactly on its page, Safe by
/// Safe, with its structure in the legend and the note; no approximation.
#[tokio::test]
async fn a_nested_council_is_drawn_exactly_on_its_page() {
    // Base's 2025 structure (three Safes), kept as a fixture.
    let text =
        std::fs::read_to_string(repo().join("fixtures/base-2025.toml")).expect("base-2025.toml");
    let (_, r) = app_with(&[file("base.toml", &text)], None);
    let res = get(&r, "/projects/base").await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    let risk = between(&html, "<h2 id=\"risk\">", "<h2 id=\"timeline\">");
    assert!(risk.contains("<svg"), "{risk}");
    assert!(
        risk.contains("Stage 1 (2 of (2 of (7/10, 3/6), 5/7))"),
        "{risk}"
    );
    assert!(
        risk.contains("nested Safes, 2 of (2 of (7/10, 3/6), 5/7)"),
        "{risk}"
    );
    assert!(!risk.contains("ignores which Safe"), "{risk}");
}

/// The ids of the list page's rows, in order.
fn row_ids(html: &str) -> Vec<String> {
    html.match_indices("<tr data-id=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').expect("id end")].to_string()
        })
        .collect()
}

/// Gamma with its timelock's delay replaced (exit takes 1d + 7d = 8d).
fn gamma_with_delay(id: &str, name: &str, delay: &str) -> String {
    gamma(name, "Council")
        .replace("\"gamma\"", &format!("{id:?}"))
        .replace("delay = \"10d\"", &format!("delay = {delay:?}"))
}

#[tokio::test]
async fn list_sorts_both_ways_and_pages_tell_unknown_from_unmet() {
    let (_, r) = app_with(
        &[
            file("alpha.toml", ALPHA),
            file("beta.toml", BETA),
            // 40d − 8d = 32d: green; 20d − 8d = 12d: yellow; 10d − 8d = 2d: red;
            // 5d − 8d: none.
            file("g1.toml", &gamma_with_delay("g-green", "G Green", "40d")),
            file("g2.toml", &gamma_with_delay("g-yellow", "G Yellow", "20d")),
            file("g3.toml", &gamma_with_delay("g-red", "G Red", "10d")),
            file("g4.toml", &gamma_with_delay("g-none", "G None", "5d")),
        ],
        None,
    );
    let exit = |id: &'static str| {
        let r = r.clone();
        async move {
            let v = get(&r, &format!("/api/v1/projects/{id}")).await.json();
            v["exit_window"]["rating"]
                .as_str()
                .unwrap_or("")
                .to_string()
        }
    };
    assert_eq!(exit("g-green").await, "green");
    assert_eq!(exit("g-yellow").await, "yellow");
    assert_eq!(exit("g-red").await, "red");
    assert_eq!(exit("g-none").await, "none");

    // Names, A to Z and Z to A.
    let asc = row_ids(&get(&r, "/?sort=name&order=asc").await.text());
    assert_eq!(
        asc,
        ["alpha", "beta", "g-green", "g-none", "g-red", "g-yellow"]
    );
    let desc = row_ids(&get(&r, "/?sort=name&order=desc").await.text());
    assert_eq!(
        desc,
        ["g-yellow", "g-red", "g-none", "g-green", "beta", "alpha"]
    );
    // Exit windows: none < red < yellow < green; "—" (alpha and beta, no
    // structure) last in both orders, by name.
    let asc = row_ids(&get(&r, "/?sort=exit&order=asc").await.text());
    assert_eq!(
        asc,
        ["g-none", "g-red", "g-yellow", "g-green", "alpha", "beta"]
    );
    let desc = row_ids(&get(&r, "/?sort=exit&order=desc").await.text());
    assert_eq!(
        desc,
        ["g-green", "g-yellow", "g-red", "g-none", "alpha", "beta"]
    );
    // The header says what the rows do.
    let page = get(&r, "/?sort=name&order=desc").await.text();
    assert!(page.contains("aria-sort=\"descending\""), "{page}");

    // Alpha fails permissionless-proofs and does not declare the other
    // Stage 2 items: one "Missing for Stage 2" item, the rest "Needs data".
    let json = get(&r, "/api/v1/projects/alpha").await.json();
    let unknown: Vec<&str> = json["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .filter(|r| r["status"] == "unknown" && r["stage"] == 2)
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(!unknown.is_empty(), "{json}");
    let html = get(&r, "/projects/alpha").await.text();
    let missing = between(&html, "id=\"missing\"", "</section>");
    let fails = between(missing, "<h2>Missing for Stage 2</h2>", "</ul>");
    assert!(
        fails.contains("href=\"#req-permissionless-proofs\""),
        "{fails}"
    );
    assert_eq!(fails.matches("<li>").count(), 1, "{fails}");
    let needs = between(missing, "<h2>Needs data</h2>", "</ul>");
    for id in &unknown {
        assert!(
            needs.contains(&format!("href=\"#req-{id}\"")),
            "{id}: {needs}"
        );
        let row = between(&html, &format!("<tr id=\"req-{id}\""), "</tr>");
        assert!(row.contains("class=\"s-unknown\""), "{row}");
        assert!(row.contains("needs data"), "{row}");
    }
    let unmet = between(&html, "<tr id=\"req-permissionless-proofs\"", "</tr>");
    assert!(
        unmet.contains("class=\"s-unmet\"") && unmet.contains("unmet"),
        "{unmet}"
    );
    // Nothing blames the rollup for the missing data.
    assert!(!html.contains("counted as unmet"), "{html}");
    // The verdict comes first, in words.
    let verdict = between(&html, "<p class=\"verdict\" id=\"verdict\">", "</p>");
    assert!(
        verdict.ends_with(">Stage 1. For Stage 2 it lacks: anyone may submit fraud proofs."),
        "{verdict}"
    );
    assert!(html.find("id=\"verdict\"") < html.find("id=\"requirements\""));
    // The JSON still says unknown.
    assert_eq!(
        json["requirements"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["id"] == unknown[0]))
            .map(|r| r["status"].clone()),
        Some(Value::from("unknown"))
    );

    // An exit window shorter than the exit: said in words, never negative.
    let html = get(&r, "/projects/g-none").await.text();
    assert!(
        html.contains("none — an upgrade can take effect 3 days before users could exit"),
        "{html}"
    );
    assert!(!html.contains(" -3d") && !html.contains("= -"), "{html}");
    // Permissions and contracts from the structure.
    let perms = between(&html, "<h2 id=\"permissions\">", "<h2 id=\"graph\">");
    assert!(
        perms.contains("<b>Council</b>") && perms.contains("6/8"),
        "{perms}"
    );
    assert!(
        perms.contains("upgrade all core contracts (after its 5d delay)"),
        "{perms}"
    );
    assert!(perms.contains("<b>emergency fixes</b>"), "{perms}");
    assert!(perms.contains("upgraded by: Council (no delay)"), "{perms}");
}

#[tokio::test]
async fn unknown_ids_get_suggestions_and_days_before_the_framework_a_message() {
    let (_, r) = fixture();
    let res = get(&r, "/projects/alph").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let html = res.text();
    assert!(html.contains("Did you mean: alpha?"), "{html}");
    assert!(
        html.contains("<a href=\"/projects/alpha\">alpha</a>"),
        "{html}"
    );
    // Nothing close: no suggestion.
    let html = get(&r, "/projects/zzzzzzzzzzzz").await.text();
    assert!(!html.contains("Did you mean"), "{html}");

    // Before 2023-06-01 there was no framework: a message, no verdicts.
    let res = get(&r, "/?as_of=2020-01-01").await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(
        html.contains("the Stages Framework did not exist yet"),
        "{html}"
    );
    assert!(html.contains("from 2023-06-01"), "{html}");
    assert!(row_ids(&html).is_empty(), "{html}");
    let res = get(&r, "/projects/alpha?as_of=2023-05-31").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("did not exist yet"));
    // From its first day, verdicts.
    let html = get(&r, "/?as_of=2023-06-01").await.text();
    assert_eq!(row_ids(&html).len(), 2, "{html}");

    // Category tabs.
    let rollups = row_ids(&get(&r, "/?category=rollups").await.text());
    assert_eq!(rollups, ["alpha", "beta"]);
    assert!(row_ids(&get(&r, "/?category=archived").await.text()).is_empty());
    assert_eq!(
        get(&r, "/?category=planets").await.status,
        StatusCode::BAD_REQUEST
    );
}

/// The catalog's own projects: the grace period of the 2025 principle
/// (deadline 2025-07-29) as a countdown in the list and the header, and
/// archived projects listed last, marked, and alone under their tab.
#[tokio::test]
async fn countdowns_and_archived_projects_in_the_catalog() {
    let catalog = load_catalog(&repo().join("catalog")).expect("catalog");
    let (app, _) = App::start(
        Store::open_in_memory().expect("store"),
        &catalog,
        Config {
            token: None,
            today: Some(day("2026-12-06")),
        },
    )
    .expect("start");
    let r = router(Arc::new(app));
    let list = get(&r, "/api/v1/projects?as_of=2025-06-29").await.json();
    let pending: Vec<&str> = list["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .filter(|p| p["downgrade_pending"]["deadline"] == "2025-07-29")
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert!(!pending.is_empty(), "{list}");
    let html = get(&r, "/?as_of=2025-06-29").await.text();
    let countdown = "Stage 1 until 2025-07-29 (30 days), then Stage 0 unless it meets: Only ≥75% of the Security Council";
    for id in &pending {
        assert!(
            row(&html, id).contains(countdown),
            "{id}: {}",
            row(&html, id)
        );
        let page = get(&r, &format!("/projects/{id}?as_of=2025-06-29"))
            .await
            .text();
        let head = between(&page, "<p class=\"countdown\" id=\"countdown\">", "</p>");
        assert!(head.contains(countdown), "{id}: {head}");
    }

    let list = get(&r, "/api/v1/projects").await.json();
    let archived: Vec<String> = list["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .filter(|p| !p["archived"].is_null())
        .filter_map(|p| p["id"].as_str().map(str::to_string))
        .collect();
    assert!(!archived.is_empty(), "{list}");
    for sort in ["name&order=asc", "name&order=desc", "stage", "exit"] {
        let ids = row_ids(&get(&r, &format!("/?sort={sort}")).await.text());
        let tail = &ids[ids.len() - archived.len()..];
        let mut tail = tail.to_vec();
        tail.sort();
        let mut expected = archived.clone();
        expected.sort();
        assert_eq!(tail, expected, "{sort}: {ids:?}");
    }
    let html = get(&r, "/").await.text();
    for id in &archived {
        assert!(row(&html, id).contains("archived 20"), "{}", row(&html, id));
    }
    let mut tab = row_ids(&get(&r, "/?category=archived").await.text());
    tab.sort();
    let mut expected = archived.clone();
    expected.sort();
    assert_eq!(tab, expected);
}

/// A submitted file has no directory: naming a CSV is refused at its key,
/// nothing is read or stored. JSON with a byte-order mark is accepted;
/// invalid UTF-8 gives its byte offset.
#[tokio::test]
async fn submissions_cannot_name_files_and_accept_a_json_bom() {
    let (app, r) = fixture();
    let counts = || app.with_store(|s| s.counts().expect("counts"));
    let before = counts();
    let named = "[project]\nid = \"gamma\"\nname = \"Gamma\"\nkind = \"optimistic\"\n\n[labels.value_locked]\ncsv = \"data/gamma.csv\"\n";
    let res = post(&r, Some(TOKEN), "application/toml", named).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
    let e = &res.json()["error"];
    assert_eq!(e["line"], 7, "{e}");
    assert_eq!(e["field"], "labels.value_locked.csv");
    assert!(
        e["message"]
            .as_str()
            .unwrap_or("")
            .contains("cannot name other files")
    );
    let traversal = named.replace("data/gamma.csv", "../../../../etc/passwd");
    let res = post(&r, Some(TOKEN), "application/toml", traversal).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
    assert!(!res.text().contains("root:"));
    assert_eq!(counts(), before, "nothing stored");

    let json =
        "\u{feff}{\"project\": {\"id\": \"gamma\", \"name\": \"Gamma\", \"kind\": \"optimistic\"}}";
    let res = post(&r, Some(TOKEN), "application/json", json).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());

    let mut bytes = json.as_bytes().to_vec();
    bytes[20] = 0xff;
    let res = post(&r, Some(TOKEN), "application/json", bytes).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(
        res.error_message().contains("byte offset 20"),
        "{}",
        res.text()
    );
}

/// A catalog entry that is not a readable regular file is an error naming
/// it, as in `l2stage assess DIR`; never skipped.
#[test]
fn a_dangling_or_looping_catalog_symlink_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("alpha.toml"), ALPHA).expect("write");
    assert_eq!(load_catalog(dir.path()).expect("valid").files.len(), 1);
    for (name, target) in [
        ("dangling.toml", "missing.toml"),
        ("loop.json", "loop.json"),
        ("zero.toml", "/dev/zero"),
    ] {
        let link = dir.path().join(name);
        std::os::unix::fs::symlink(target, &link).expect("symlink");
        let err = match load_catalog(dir.path()) {
            Err(l2stage_server::CatalogError::Invalid(errors)) => errors[0].to_string(),
            Err(other) => other.to_string(),
            Ok(_) => panic!("{name}: skipped silently"),
        };
        assert!(err.contains(name), "{name}: {err}");
        std::fs::remove_file(&link).expect("rm");
    }
}

#[tokio::test]
async fn aliases_redirect_to_the_id_and_the_list_has_the_risk_summary() {
    let aliased = ALPHA.replace("id = \"alpha\"", "id = \"alpha\"\naliases = [\"alfa\"]");
    let (_app, r) = app_with(
        &[file("alpha.toml", &aliased), file("beta.toml", BETA)],
        None,
    );
    for (from, to) in [
        ("/projects/alfa", "/projects/alpha"),
        (
            "/projects/alfa?as_of=2025-01-01",
            "/projects/alpha?as_of=2025-01-01",
        ),
        ("/api/v1/projects/alfa", "/api/v1/projects/alpha"),
        (
            "/api/v1/projects/alfa/history",
            "/api/v1/projects/alpha/history",
        ),
        ("/badge/alfa.svg", "/badge/alpha.svg"),
    ] {
        let res = get(&r, from).await;
        assert_eq!(res.status, StatusCode::PERMANENT_REDIRECT, "{from}");
        assert_eq!(res.headers[header::LOCATION], to, "{from}");
        let followed = get(&r, to).await;
        assert_eq!(followed.status, StatusCode::OK, "{to}");
    }
    assert_eq!(
        get(&r, "/api/v1/projects/nope").await.status,
        StatusCode::NOT_FOUND
    );
    let v = get(&r, "/api/v1/projects").await.json();
    let alpha = &v["projects"][0];
    for key in [
        "state_validation",
        "data_availability",
        "exit_window",
        "sequencer_failure",
        "proposer_failure",
    ] {
        let level = alpha["risk_summary"][key]["level"].as_str().unwrap_or("");
        assert!(
            ["good", "warning", "bad", "unknown"].contains(&level),
            "{key}: {alpha}"
        );
    }
    let detail = get(&r, "/api/v1/projects/alpha").await.json();
    assert_eq!(detail["risk_summary"], alpha["risk_summary"]);
}

/// An over-long unknown id is quoted shortened in the 404, on the API and
/// on the page: the answer stays small whatever the client sends.
#[tokio::test]
async fn an_over_long_id_is_quoted_shortened() {
    let (_, r) = fixture();
    let id = "a".repeat(60_000);
    for path in [format!("/api/v1/projects/{id}"), format!("/projects/{id}")] {
        let res = get(&r, &path).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path:.40}");
        let text = res.text();
        assert!(text.contains("(60000 bytes)"), "{text:.400}");
        assert!(text.len() < 8_000, "{} bytes", text.len());
    }
}
