//! Golden outputs (#12): what the CLI and the service print for the shipped
//! catalog, recorded before the restructure and compared byte for byte
//! after it. A deliberate change of output is re-recorded with
//! `L2STAGE_BLESS=1 cargo test -p l2stage --test golden_outputs` and
//! listed in the change's description.

mod serve_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serve_support::{Options, Server, repo};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compares `actual` with the recorded file, or records it when blessing.
/// Returns a description of the difference (collected so that one run
/// lists every changed output).
fn check(name: &str, actual: &[u8], failures: &mut Vec<String>) {
    let path = golden_dir().join(name);
    if std::env::var_os("L2STAGE_BLESS").is_some() {
        std::fs::create_dir_all(golden_dir()).expect("golden dir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    match std::fs::read(&path) {
        Err(e) => failures.push(format!("{name}: no golden file ({e})")),
        Ok(expected) if expected != actual => {
            let exp = String::from_utf8_lossy(&expected);
            let act = String::from_utf8_lossy(actual);
            let line = exp
                .lines()
                .zip(act.lines())
                .position(|(a, b)| a != b)
                .map(|i| i + 1)
                .unwrap_or_else(|| exp.lines().count().min(act.lines().count()) + 1);
            failures.push(format!(
                "{name}: differs from the golden file first at line {line}\n  golden: {:?}\n  actual: {:?}",
                exp.lines().nth(line - 1).unwrap_or("<end>"),
                act.lines().nth(line - 1).unwrap_or("<end>")
            ));
        }
        Ok(_) => {}
    }
}

fn l2stage(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_l2stage"))
        .args(args)
        .current_dir(repo())
        .env("COLUMNS", "100")
        .output()
        .expect("run l2stage");
    // Exit codes are part of the output (Stage 0 projects may exit non-zero).
    let mut v = format!("exit: {:?}\n", out.status.code()).into_bytes();
    v.extend_from_slice(&out.stdout);
    v
}

const DATES: [&str; 3] = ["2024-09-15", "2025-06-01", "2026-12-06"];

#[test]
fn cli_outputs_are_unchanged() {
    let mut failures = Vec::new();
    for date in DATES {
        for format in ["json", "text", "markdown"] {
            let out = l2stage(&[
                "assess",
                "catalog",
                "--catalog",
                "catalog",
                "--format",
                format,
                "--as-of",
                date,
                "--width",
                "100",
            ]);
            check(
                &format!("assess-catalog-{date}.{format}"),
                &out,
                &mut failures,
            );
        }
    }
    let out = l2stage(&[
        "assess",
        "arbitrum-one",
        "--catalog",
        "catalog",
        "--explain",
        "--as-of",
        "2026-12-06",
        "--width",
        "100",
    ]);
    check("assess-arbitrum-one-explain.txt", &out, &mut failures);
    for (file, format) in [
        ("catalog/arbitrum-one.toml", "svg"),
        ("catalog/arbitrum-one.toml", "dot"),
        ("catalog/op-mainnet.toml", "mermaid"),
        ("catalog/base.toml", "svg"),
    ] {
        let out = l2stage(&["graph", file, "--format", format]);
        let stem = Path::new(file)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        check(&format!("graph-{stem}.{format}"), &out, &mut failures);
    }
    check(
        "risk-default.json",
        &l2stage(&["risk", "--format", "json"]),
        &mut failures,
    );
    check(
        "risk-arbitrum-one.json",
        &l2stage(&[
            "risk",
            "--project",
            "catalog/arbitrum-one.toml",
            "--format",
            "json",
        ]),
        &mut failures,
    );
    let chart = std::env::temp_dir().join(format!("l2stage-golden-{}.svg", std::process::id()));
    let _ = l2stage(&["risk", "--chart", chart.to_str().unwrap()]);
    check(
        "risk-chart.svg",
        &std::fs::read(&chart).unwrap_or_default(),
        &mut failures,
    );
    let _ = std::fs::remove_file(&chart);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn api_responses_are_unchanged() {
    let dir = std::env::temp_dir().join(format!("l2stage-golden-api-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("golden.db");
    let catalog = repo().join("catalog");
    let server = Server::start(Options {
        db: &db,
        catalog: Some(&catalog),
        token: None,
        today: Some("2026-12-06"),
    });
    let mut failures = Vec::new();
    let list = server.get("/api/v1/projects");
    check("api-projects.json", list.body.as_bytes(), &mut failures);
    let ids: Vec<String> = list.json()["projects"]
        .as_array()
        .expect("projects array")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect();
    assert!(ids.len() >= 30, "{} projects", ids.len());
    for id in &ids {
        let r = server.get(&format!("/api/v1/projects/{id}"));
        check(
            &format!("api-project-{id}.json"),
            format!("{}\n{}", r.status, r.body).as_bytes(),
            &mut failures,
        );
    }
    for id in ["arbitrum-one", "op-mainnet", "polygon-zkevm"] {
        let r = server.get(&format!("/api/v1/projects/{id}/history"));
        let body = stable_history(r.json());
        check(
            &format!("api-history-{id}.json"),
            format!("{}\n{}", r.status, body).as_bytes(),
            &mut failures,
        );
    }
    for (name, path) in [
        ("api-openapi.json", "/api/v1/openapi.json"),
        ("api-risk-default.json", "/api/v1/risk"),
        (
            "api-risk-arbitrum-one.json",
            "/api/v1/risk?project=arbitrum-one",
        ),
        (
            "api-risk-custom.json",
            "/api/v1/risk?member_failure=0.05&stage1_council=9/12",
        ),
        ("api-missing.json", "/api/v1/projects/no-such-project"),
        ("badge-arbitrum-one.svg", "/badge/arbitrum-one.svg"),
        ("badge-polygon-zkevm.svg", "/badge/polygon-zkevm.svg"),
    ] {
        let r = server.get(path);
        check(
            name,
            format!("{}\n{}", r.status, r.body).as_bytes(),
            &mut failures,
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A history answer without what differs per run: the times things were
/// stored and where the catalog lies on this machine.
fn stable_history(mut v: serde_json::Value) -> String {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    match k.as_str() {
                        "created_at" | "received_at" => *x = "<time>".into(),
                        "source_name" => {
                            if let Some(s) = x.as_str() {
                                let name = Path::new(s)
                                    .file_name()
                                    .map(|n| n.to_string_lossy().into_owned());
                                *x = format!("<catalog>/{}", name.unwrap_or_default()).into();
                            }
                        }
                        _ => walk(x),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    serde_json::to_string_pretty(&v).expect("json")
}

/// The dashboard's pages (#12): the list, every catalog project's page and
/// the risk page, byte for byte, with the times assessments were stored
/// and the server's address masked.
#[test]
fn pages_are_unchanged() {
    let dir = std::env::temp_dir().join(format!("l2stage-golden-pages-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("golden.db");
    let catalog = repo().join("catalog");
    let server = Server::start(Options {
        db: &db,
        catalog: Some(&catalog),
        token: None,
        today: Some("2026-12-06"),
    });
    let mut failures = Vec::new();
    let page = |path: &str| {
        let r = server.get(path);
        let body = stable_page(&r.body.replace(&server.addr, "<addr>"));
        format!("{}\n{}", r.status, body)
    };
    let ids: Vec<String> = server.get("/api/v1/projects").json()["projects"]
        .as_array()
        .expect("projects array")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect();
    assert!(ids.len() >= 30, "{} projects", ids.len());
    for id in &ids {
        check(
            &format!("page-project-{id}.html"),
            page(&format!("/projects/{id}")).as_bytes(),
            &mut failures,
        );
    }
    for (name, path) in [
        ("page-index.html", "/"),
        ("page-index-exit-asc.html", "/?sort=exit&order=asc"),
        ("page-index-2024-09-15.html", "/?as_of=2024-09-15&sort=name"),
        (
            "page-index-validiums.html",
            "/?category=validiums-optimiums",
        ),
        ("page-index-before-framework.html", "/?as_of=2020-01-01"),
        (
            "page-project-base-2025-06-01.html",
            "/projects/base?as_of=2025-06-01",
        ),
        ("page-project-unknown.html", "/projects/arbitrum"),
        ("page-project-missing.html", "/projects/no-such-project"),
        ("page-risk.html", "/risk"),
        ("page-risk-arbitrum-one.html", "/risk?project=arbitrum-one"),
        (
            "page-risk-custom.html",
            "/risk?member_failure=0.05&stage1_council=9/12&proof_failure=0.001",
        ),
        ("page-risk-error.html", "/risk?member_failure=2"),
    ] {
        check(name, page(path).as_bytes(), &mut failures);
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A page without the times assessments were stored (`YYYY-MM-DD
/// HH:MM:SS` in the stored-assessments table): each becomes `<time>`.
fn stable_page(html: &str) -> String {
    let is_time = |s: &[u8]| {
        s.len() == 19
            && s.iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                10 => *b == b' ',
                13 | 16 => *b == b':',
                _ => b.is_ascii_digit(),
            })
    };
    let bytes = html.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if i + 19 <= bytes.len() && is_time(&bytes[i..i + 19]) {
            out.extend_from_slice(b"<time>");
            i += 19;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("the mask keeps UTF-8")
}
