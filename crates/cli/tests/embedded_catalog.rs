//! The catalog is built into the binary: `assess catalog`, `assess ID`
//! (an alias too) and `serve` work from an empty directory; `--catalog DIR`
//! overrides it.

mod serve_support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn in_empty_dir(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_l2stage"));
    c.current_dir(dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env_remove("L2STAGE_TOKEN")
        .env_remove("COLUMNS");
    c
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn assess_catalog_and_ids_from_an_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let count = |args: &[&str]| -> Vec<String> {
        let out = in_empty_dir(&work).args(args).output().unwrap();
        let v: Value = serde_json::from_str(&ok(out)).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    };
    let ids = count(&["assess", "catalog", "--format", "json"]);
    let on_disk = std::fs::read_dir(serve_support::repo().join("catalog"))
        .unwrap()
        .filter(|e| {
            let p = e.as_ref().unwrap().path();
            p.extension().is_some_and(|x| x == "toml")
                && p.file_name().unwrap() != "l2beat-agreement.toml"
        })
        .count();
    assert_eq!(ids.len(), on_disk);
    assert!(ids.contains(&"arbitrum-one".to_string()));
    // Labels read their proof systems and CSVs from the unpacked catalog.
    let text = ok(in_empty_dir(&work)
        .args(["assess", "catalog"])
        .output()
        .unwrap());
    assert!(text.contains("Arbitrum BoLD"), "{text}");
    // An id, and L2BEAT's slug as an alias.
    assert_eq!(
        count(&["assess", "arbitrum", "--format", "json"]),
        ["arbitrum-one"]
    );
    assert_eq!(
        count(&["assess", "zksync-era", "--format", "json"]),
        ["zksync-era"]
    );
    let out = in_empty_dir(&work)
        .args(["assess", "no-such-rollup"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no catalog project has this id or alias")
    );
    // --catalog DIR overrides the built-in catalog.
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(
        mine.join("demo.toml"),
        serve_support::project("demo", "Demo"),
    )
    .unwrap();
    let ids = count(&[
        "assess",
        "catalog",
        "--catalog",
        mine.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(ids, ["demo"]);
}

#[test]
fn serve_from_an_empty_directory_shows_the_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = in_empty_dir(dir.path())
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("l2stage.db"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut summary = String::new();
    let mut addr = None;
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 {
        if let Some(rest) = line.trim().strip_prefix("listening on http://") {
            addr = Some(rest.trim_end_matches('/').to_string());
            break;
        }
        summary.push_str(&line);
        line.clear();
    }
    let result = std::panic::catch_unwind(|| {
        let addr = addr.expect("serve started");
        assert!(summary.contains("from the built-in catalog"), "{summary}");
        let page = serve_support::request(&addr, "GET", "/", &[], b"").unwrap();
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Arbitrum One"), "{}", page.body);
        let api =
            serve_support::request(&addr, "GET", "/api/v1/projects/arbitrum", &[], b"").unwrap();
        assert_eq!(api.status, 308);
    });
    let _ = child.kill();
    let _ = child.wait();
    result.unwrap();
}
