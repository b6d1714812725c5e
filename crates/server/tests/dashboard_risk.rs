//! The dashboard's risk views against the catalog: a project's chart and
//! the `/risk` page its link opens print the same crossovers (issue #16
//! item 10), and the risk summary's rosette and list column (item 5).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use l2stage_model::Date;
use l2stage_server::{App, Config, load_catalog, router};
use l2stage_store::Store;

/// The day the catalog tests assess on.
const TODAY: &str = "2026-12-06";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn catalog_app() -> Router {
    let catalog = load_catalog(&repo().join("catalog")).expect("catalog");
    let (app, _) = App::start(
        Store::open_in_memory().expect("store"),
        &catalog,
        Config {
            token: None,
            today: Some(TODAY.parse::<Date>().expect("date")),
        },
    )
    .expect("start");
    router(Arc::new(app))
}

async fn get(r: &Router, uri: &str) -> (StatusCode, String) {
    let res = r
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// The `<li>NAME: <b>p = X</b></li>` items of the first
/// `<ul class="plain crossovers">` of a page.
fn crossovers(html: &str) -> Vec<(String, String)> {
    let start = html
        .find(r#"<ul class="plain crossovers">"#)
        .unwrap_or_else(|| panic!("no crossovers in {html}"));
    let rest = &html[start..];
    let list = &rest[..rest.find("</ul>").expect("closed list")];
    list.split("<li>")
        .skip(1)
        .map(|li| {
            let (name, value) = li.split_once(": <b>").expect("name: value");
            let value = value.split("</b>").next().expect("value");
            (name.to_string(), value.to_string())
        })
        .collect()
}

/// The `href` of the "Change the assumptions" link, unescaped.
fn change_link(html: &str) -> String {
    let end = html
        .find(r#"">Change the assumptions</a>"#)
        .expect("a change-the-assumptions link");
    let start = html[..end].rfind(r#"href=""#).expect("href") + 6;
    html[start..end].replace("&amp;", "&").replace("&#38;", "&")
}

#[tokio::test]
async fn base_chart_and_its_risk_link_print_the_same_crossovers() {
    let r = catalog_app();
    let (status, page) = get(&r, "/projects/base").await;
    assert_eq!(status, StatusCode::OK);
    let on_page = crossovers(&page);
    // The list repeats the numbers the chart marks.
    let figure = &page[page.find(r#"id="risk""#).expect("risk section")..];
    let figure = &figure[..figure.find("</svg>").expect("the chart")];
    let marked: Vec<String> = figure
        .split("p = ")
        .skip(1)
        .map(|t| {
            t.split(|c: char| c == '<' || c.is_whitespace())
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(marked.len(), 2, "two crossovers marked: {marked:?}");
    assert_eq!(
        on_page.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
        marked
            .iter()
            .map(|m| format!("p = {m}"))
            .collect::<Vec<_>>()
    );
    // Base's council is nested Safes: its exact model, not the flattened
    // `K/N` over its entities.
    assert!(page.contains("nested Safes"), "Base's council is nested");
    let (_, flat) = get(&r, "/risk?stage1_council=9/12").await;
    assert_ne!(crossovers(&flat), on_page);
    assert!(page.contains("Base is Stage 1"), "stage marked");
    let link = change_link(&page);
    assert_eq!(link, format!("/risk?project=base&as_of={TODAY}"));
    let (status, risk) = get(&r, &link).await;
    assert_eq!(status, StatusCode::OK, "{risk}");
    assert_eq!(crossovers(&risk), on_page);
    assert!(risk.contains("Base is Stage 1 on 2026-12-06"), "{risk}");
    // The other assumptions stay editable: q = 0.2 moves the crossovers.
    let (status, edited) = get(&r, &format!("{link}&member_failure=0.2")).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(crossovers(&edited), on_page);
    assert!(edited.contains(r#"name="project" value="base""#));
}

#[tokio::test]
async fn a_project_parameter_keeps_the_limits_and_refuses_nonsense() {
    let r = catalog_app();
    for (uri, msg) in [
        ("/risk?project=nope", "no project with id"),
        ("/risk?as_of=2026-01-01", "give `project` too"),
        ("/risk?project=base&stage1_council=6/8", "give one"),
        ("/risk?project=base&as_of=2026-02-30", "as_of"),
        ("/risk?project=base&stage0_council=4/1001", "at most 1000"),
        ("/risk?project=base&correlation=0.1", "correlation"),
        ("/risk?project=base&formula=additive", "union formula"),
    ] {
        let (status, body) = get(&r, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert!(body.contains(msg), "{uri}: {msg} not in {body}");
    }
}

/// Every catalog project with a council: the crossovers under its chart
/// are the ones the `/risk` page its link opens prints; for a flat `K/N`
/// council that page is the one `stage1_council=K/N` gives.
#[tokio::test]
async fn every_project_link_opens_the_same_numbers() {
    let r = catalog_app();
    let mut flat = 0;
    for f in std::fs::read_dir(repo().join("catalog")).expect("catalog dir") {
        let name = f.expect("entry").file_name().into_string().expect("utf-8");
        let Some(id) = name.strip_suffix(".toml") else {
            continue;
        };
        let (_, page) = get(&r, &format!("/projects/{id}")).await;
        if !page.contains(r#"<ul class="plain crossovers">"#) {
            continue;
        }
        let link = change_link(&page);
        assert_eq!(link, format!("/risk?project={id}&as_of={TODAY}"));
        let (status, risk) = get(&r, &link).await;
        assert_eq!(status, StatusCode::OK, "{link}: {risk}");
        assert_eq!(crossovers(&risk), crossovers(&page), "{id}");
        let shape = page
            .split("this project&#39;s ")
            .nth(1)
            .and_then(|s| s.split(" Security Council (counted per entity)").next())
            .filter(|s| s.len() < 12 && s.contains('/'));
        if let Some(shape) = shape {
            flat += 1;
            let (_, by_shape) = get(&r, &format!("/risk?stage1_council={shape}")).await;
            assert_eq!(crossovers(&by_shape), crossovers(&page), "{id} {shape}");
        }
    }
    assert!(flat >= 10, "the catalog has flat councils: {flat}");
}

const CATEGORIES: [(&str, &str); 5] = [
    ("state_validation", "State validation"),
    ("data_availability", "Data availability"),
    ("exit_window", "Exit window"),
    ("sequencer_failure", "Sequencer failure"),
    ("proposer_failure", "Proposer failure"),
];

fn word(level: &str) -> &'static str {
    match level {
        "good" => "Good",
        "warning" => "Warning",
        "bad" => "Bad",
        "unknown" => "Unknown",
        other => panic!("unknown level {other}"),
    }
}

/// What follows each `prefix` in `html` up to the next quote, in order
/// (the level in `class="petal LEVEL"`).
fn classes_after(html: &str, prefix: &str) -> Vec<String> {
    html.match_indices(prefix)
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').expect("class end")].to_string()
        })
        .collect()
}

/// Base's page: the rosette's five petals carry Base's levels in L2BEAT's
/// order, and each category is listed with its level in words and its text.
#[tokio::test]
async fn the_project_page_draws_the_risk_rosette() {
    let r = catalog_app();
    let (_, page) = get(&r, "/projects/base").await;
    let (_, api) = get(&r, "/api/v1/projects/base").await;
    let api: serde_json::Value = serde_json::from_str(&api).expect("json");
    let summary = &api["assessment"]["risk_summary"];
    let summary = if summary.is_null() {
        &api["risk_summary"]
    } else {
        summary
    };
    let levels: Vec<String> = CATEGORIES
        .iter()
        .map(|(k, _)| summary[k]["level"].as_str().expect("level").to_string())
        .collect();
    // Base: fraud proofs anyone may run, data on Ethereum, but its
    // Security Council can upgrade instantly (no exit window).
    assert_eq!(levels[0], "good");
    assert_eq!(levels[1], "good");
    assert_eq!(levels[2], "bad");
    let start = page
        .find(r#"<svg xmlns="http://www.w3.org/2000/svg" class="rosette""#)
        .expect("the rosette");
    let svg = &page[start..start + page[start..].find("</svg>").expect("end")];
    assert!(svg.len() < 2_000, "rosette weighs {} bytes", svg.len());
    assert_eq!(classes_after(svg, r#"<path class="petal "#), levels);
    // Near the top: before the requirements.
    assert!(start < page.find(r#"id="requirements""#).expect("requirements"));
    // Beside it, each category with its level in words and its text.
    let list = &page[page.find(r#"<dl class="risklist">"#).expect("list")..];
    let list = &list[..list.find("</dl>").expect("end")];
    for ((key, title), level) in CATEGORIES.iter().zip(&levels) {
        let item = format!(
            r#"{title}: <span class="lvl {level}">{}</span></dt><dd>"#,
            word(level)
        );
        assert!(list.contains(&item), "{item} not in {list}");
        let text = summary[key]["text"].as_str().expect("text");
        let first = text.split(['\'', '"', '<', '>', '&']).next().expect("text");
        assert!(list.contains(first), "{key}: {first} not in {list}");
    }
}

/// The list: a Risks column with five marks per project, each titled with
/// its category and level in words, as the API gives them.
#[tokio::test]
async fn the_list_has_a_risk_column() {
    let r = catalog_app();
    let (status, page) = get(&r, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<th scope="col">Risks</th>"#));
    let (_, api) = get(&r, "/api/v1/projects").await;
    let api: serde_json::Value = serde_json::from_str(&api).expect("json");
    let projects = api["projects"].as_array().expect("projects");
    assert!(projects.len() > 10);
    for p in projects {
        let id = p["id"].as_str().expect("id");
        let row = &page[page
            .find(&format!(r#"<tr data-id="{id}""#))
            .unwrap_or_else(|| panic!("row {id}"))..];
        let row = &row[..row.find("</tr>").expect("row end")];
        let cell = &row[row.find(r#"<td class="risks">"#).expect("risk cell")..];
        let cell = &cell[..cell.find("</td>").expect("cell end")];
        let levels: Vec<String> = CATEGORIES
            .iter()
            .map(|(k, _)| {
                p["risk_summary"][k]["level"]
                    .as_str()
                    .expect("level")
                    .to_string()
            })
            .collect();
        // Five marks, in L2BEAT's order.
        assert_eq!(classes_after(cell, r#"<i class="rk "#), levels, "{id}");
        for ((_, title), level) in CATEGORIES.iter().zip(&levels) {
            let mark = format!(r#"<i class="rk {level}" title="{title}: {}">"#, word(level));
            assert!(cell.contains(&mark), "{id}: {mark} not in {cell}");
        }
        let bad = levels.iter().filter(|l| *l == "bad").count();
        if bad > 0 {
            assert!(cell.contains(&format!("{bad} bad")), "{id}: {cell}");
        }
    }
}
