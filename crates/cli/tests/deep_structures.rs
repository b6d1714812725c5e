//! Structures as deep as a hostile file can make them (issue 11): 1,000
//! nested single-member multisigs under a flagged Security Council, and
//! thousands of relays chained through `senders`. `l2stage serve` refuses
//! what is over the limits with a located 400, stores and renders what is
//! at them, and keeps answering; the command line exits 2 with a located
//! error instead of aborting.

mod serve_support;

use std::process::Command;

use serve_support::{Options, Server, TOKEN, post_project};

const HEAD: &str = r#"[project]
id = "ID"
name = "Deep ID"
kind = "optimistic"

[governance.exit]
forced_inclusion = "1d"
self_propose = "7d"
finalization = "7d"
proposing = "permissionless"
challenging = "permissionless"
"#;

/// `levels` single-member multisigs, each signing in the next, the
/// outermost flagged as the Security Council and holding `upgrade`.
/// Returns the file and the line of each multisig's `members`.
fn nested(id: &str, levels: usize) -> (String, Vec<usize>) {
    let mut s = HEAD.replace("ID", id);
    let mut lines = Vec::new();
    // Lines written so far.
    let mut line = s.matches('\n').count();
    for i in 0..levels {
        let member = if i == 0 {
            "{ entity = \"Alice\", affiliation = \"outside\" }".to_string()
        } else {
            format!("{{ actor = \"m{}\" }}", i - 1)
        };
        let council = if i + 1 == levels {
            "security_council = true\n"
        } else {
            ""
        };
        let actor = format!(
            "\n[[governance.actors]]\nid = \"m{i}\"\nkind = \"multisig\"\nthreshold = 1\n{council}"
        );
        line += actor.matches('\n').count();
        s.push_str(&actor);
        lines.push(line + 1);
        line += 1;
        s.push_str(&format!("members = [{member}]\n"));
    }
    s.push_str(&format!(
        "\n[[governance.powers]]\nactor = \"m{}\"\npower = \"upgrade\"\n",
        levels - 1
    ));
    (s, lines)
}

/// One key, then `n` relays chained through `senders` (1h each); the last
/// holds `upgrade`. Inline tables: 4,000 relays fit the 256 KiB limit.
fn relays(id: &str, n: usize) -> String {
    let (project, exit) = HEAD
        .replace("ID", id)
        .split_once("\n[governance.exit]")
        .map(|(p, e)| (p.to_string(), e.to_string()))
        .expect("head");
    let mut s = format!("{project}\n[governance]\nactors = [\n{{id=\"r0\",kind=\"eoa\"}},\n");
    for i in 1..=n {
        s.push_str(&format!(
            "{{id=\"r{i}\",kind=\"relay\",delay=\"1h\",senders=[\"r{}\"]}},\n",
            i - 1
        ));
    }
    s.push_str(&format!(
        "]\npowers = [{{actor=\"r{n}\",power=\"upgrade\"}}]\n\n[governance.exit]{exit}"
    ));
    s
}

fn healthy(server: &Server) {
    let h = server.get("/healthz");
    assert_eq!(h.status, 200, "{}", h.body);
}

#[test]
fn serve_refuses_what_it_cannot_render_and_keeps_answering() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("l2stage.db");
    let server = Server::start(Options {
        db: &db,
        catalog: None,
        token: Some(TOKEN),
        today: Some("2026-01-01"),
    });

    // 1,000 levels: refused where the 65th multisig nests the 64th.
    let (deep, lines) = nested("deep", 1_000);
    let r = post_project(&server.addr, TOKEN, &deep).expect("POST");
    assert_eq!(r.status, 400, "{}", r.body);
    let e = &r.json()["error"];
    assert_eq!(e["field"], "governance.actors[64].members");
    assert_eq!(e["line"], lines[64]);
    assert_eq!(
        e["message"],
        "multisig `m64` nests multisigs more than 64 deep"
    );
    assert_eq!(server.get("/api/v1/projects/deep").status, 404);
    healthy(&server);

    // 64 levels: stored, and its page and API answers render.
    let (limit, _) = nested("nested-64", 64);
    let r = post_project(&server.addr, TOKEN, &limit).expect("POST");
    assert_eq!(r.status, 201, "{}", r.body);
    let page = server.get("/projects/nested-64");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Deep nested-64"));
    let api = server.get("/api/v1/projects/nested-64");
    assert_eq!(api.status, 200, "{}", api.body);
    assert_eq!(api.json()["id"], "nested-64");
    healthy(&server);

    // 4,000 relays (within the 10,000 hops allowed): stored, rendered;
    // the upgrade path lists all of them and adds up their delays.
    let chain = relays("relays-4000", 4_000);
    assert!(chain.len() < 256 * 1024, "{} bytes", chain.len());
    let r = post_project(&server.addr, TOKEN, &chain).expect("POST");
    assert_eq!(r.status, 201, "{}", r.body);
    let api = server.get("/api/v1/projects/relays-4000");
    assert_eq!(api.status, 200);
    let windows = api.json()["exit_windows"].clone();
    let upgrade = windows
        .as_array()
        .and_then(|w| w.first())
        .cloned()
        .expect("an upgrade path");
    assert_eq!(upgrade["path"].as_array().map(Vec::len), Some(4_001));
    assert_eq!(upgrade["delay_seconds"], 4_000 * 3_600);
    let page = server.get("/projects/relays-4000");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("r3999"));
    for path in [
        "/",
        "/api/v1/projects",
        "/api/v1/projects/relays-4000/history",
    ] {
        assert_eq!(server.get(path).status, 200, "{path}");
    }
    healthy(&server);
}

#[test]
fn risk_project_on_deep_nesting_exits_2_with_a_located_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("deep.toml");
    let (deep, lines) = nested("deep", 4_000);
    std::fs::write(&path, deep).expect("write");
    for args in [vec!["risk", "--project"], vec!["assess"], vec!["graph"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_l2stage"))
            .args(&args)
            .arg(&path)
            .env("NO_COLOR", "1")
            .output()
            .expect("run l2stage");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("deep.toml:{}:1", lines[64])),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("governance.actors[64].members"),
            "{args:?}: {stderr}"
        );
    }
    // At the limit: assessed, with the council counted through 64 Safes.
    let path = dir.path().join("limit.toml");
    std::fs::write(&path, nested("limit", 64).0).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_l2stage"))
        .args(["risk", "--project"])
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .expect("run l2stage");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
