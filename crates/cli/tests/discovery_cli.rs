//! `discover` and `verify` as users call them, against anvil with the test
//! rollup of contracts/src deployed (l2stage_discovery::testkit).

use std::path::{Path, PathBuf};

use l2stage_discovery::testkit::{self, Chain, DAY, Owner, deploy_rollup};

mod cli_support;

use cli_support::{run, text};

const CONFIG: &str = "crates/discovery/tests/fixtures/mini-rollup.toml";

/// `discover` writes a fragment; with a [project] it is a project file.
fn discover_project(chain: &Chain, r: &testkit::Rollup, dir: &Path, extra: &[&str]) -> PathBuf {
    let url = chain.url();
    let entries: Vec<String> = r.entries().iter().map(|a| a.to_string()).collect();
    let fragment = dir.join("fragment.toml");
    let mut args = vec![
        "discover",
        "--rpc",
        &url,
        "--config",
        CONFIG,
        "--attempts",
        "2",
        "--out",
    ];
    let frag = fragment.display().to_string();
    args.push(&frag);
    for e in &entries {
        args.push("--entry");
        args.push(e);
    }
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(
        out.status.success(),
        "discover failed: {}",
        text(&out.stderr)
    );
    let project = dir.join("mini.toml");
    std::fs::write(
        &project,
        format!(
            "[project]\nid = \"mini\"\nname = \"Mini rollup\"\nkind = \"optimistic\"\n\n{}",
            std::fs::read_to_string(&fragment).unwrap()
        ),
    )
    .unwrap();
    project
}

#[tokio::test(flavor = "multi_thread")]
async fn discover_then_assess_then_verify() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    let dir = tempfile::tempdir().unwrap();
    let project = discover_project(&chain, &r, dir.path(), &["--stats"]);
    let toml = std::fs::read_to_string(&project).unwrap();
    assert!(
        toml.contains("# [governance] discovered on chain"),
        "{toml}"
    );
    assert!(toml.contains(&r.timelock.to_string()));

    // assess consumes it directly.
    let p = project.display().to_string();
    let out = run(&["assess", &p, "--format", "json"]);
    assert!(out.status.success(), "assess: {}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reqs = v[0]["requirements"].as_array().expect("requirements");
    let status = |id: &str| {
        reqs.iter()
            .find(|x| x["id"] == id)
            .map(|x| {
                (
                    x["status"].as_str().unwrap_or("").to_string(),
                    x["derived"].as_bool().unwrap_or(false),
                )
            })
            .unwrap_or_else(|| panic!("{id} missing: {v}"))
    };
    assert_eq!(status("principle"), ("unmet".into(), true));
    assert_eq!(status("exit-without-operators"), ("met".into(), true));
    assert_eq!(
        v[0]["exit_window"]["seconds"],
        serde_json::json!(-15 * DAY as i64)
    );

    // verify: the chain agrees with what was just discovered.
    let url = chain.url();
    let out = run(&[
        "verify",
        &p,
        "--rpc",
        &url,
        "--config",
        CONFIG,
        "--attempts",
        "2",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("claims and chain agree"),
        "{}",
        text(&out.stdout)
    );

    // The council goes 2-of-3 → 1-of-3, and the timelock's delay 3d → 1d.
    chain
        .safe_exec(
            r.council,
            &[Owner::Key(r.council_keys[0]), Owner::Key(r.council_keys[1])],
            r.council,
            testkit::change_threshold(1),
        )
        .await;
    chain.impersonate(r.root).await;
    chain
        .timelock_exec(
            r.timelock,
            r.root,
            3 * DAY,
            r.timelock,
            testkit::update_delay(DAY),
        )
        .await;

    let out = run(&[
        "verify",
        &p,
        "--rpc",
        &url,
        "--config",
        CONFIG,
        "--attempts",
        "2",
    ]);
    let diff = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{diff}{}", text(&out.stderr));
    assert!(
        diff.contains("@@ multisig ") && diff.contains(&r.council.to_string()),
        "{diff}"
    );
    assert!(diff.contains("- threshold = 2\n+ threshold = 1"), "{diff}");
    assert!(diff.contains("- delay = 3d\n+ delay = 1d"), "{diff}");
    assert!(diff.contains("claims and chain DISAGREE"), "{diff}");

    // JSON lists the same mismatches.
    let out = run(&[
        "verify", &p, "--rpc", &url, "--config", CONFIG, "--format", "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fields: Vec<&str> = v["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"threshold") && fields.contains(&"delay"),
        "{v}"
    );
    assert_eq!(v["agree"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn discover_reports_stats_and_pins_a_block() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    let url = chain.url();
    let block = chain.block_number().await.to_string();
    let bridge = r.bridge.to_string();
    let out = run(&[
        "discover", "--rpc", &url, "--entry", &bridge, "--block", &block, "--stats", "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("stats: ") && err.contains("round trip(s)"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["governance"]["actors"].as_array().unwrap().len() >= 4,
        "{v}"
    );
    assert!(
        v["governance"]["evidence"][0]
            .as_str()
            .unwrap()
            .contains(&format!("block {block}")),
        "{v}"
    );
    // Not a terminal: no progress line on stderr.
    assert!(!err.contains("discovering:"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_exits_2_and_a_dead_node_exits_1() {
    // Bad address, bad URL, missing config: 2.
    for args in [
        vec!["discover", "--rpc", "http://127.0.0.1:9", "--entry", "0x12"],
        vec![
            "discover",
            "--rpc",
            "ftp://x",
            "--entry",
            "0x0000000000000000000000000000000000000001",
        ],
        vec![
            "discover",
            "--rpc",
            "http://127.0.0.1:9",
            "--entry",
            "0x0000000000000000000000000000000000000001",
            "--config",
            "nope.toml",
        ],
        vec![
            "verify",
            "fixtures/grace.toml",
            "--rpc",
            "http://127.0.0.1:9",
        ],
        vec!["verify", "no-such-file.toml", "--rpc", "http://127.0.0.1:9"],
    ] {
        let out = run(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    // Nothing listens on port 9: a clear error naming the call, exit 1.
    let out = run(&[
        "discover",
        "--rpc",
        "http://127.0.0.1:9",
        "--entry",
        "0x0000000000000000000000000000000000000001",
        "--attempts",
        "2",
        "--timeout",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("eth_") && err.contains("gave up after 2 attempts"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn discover_writes_a_complete_project_file_that_assess_reads() {
    let chain = Chain::start().await;
    let r = deploy_rollup(&chain).await;
    let dir = tempfile::tempdir().unwrap();
    let url = chain.url();
    let entries: Vec<String> = r.entries().iter().map(|a| a.to_string()).collect();
    let mut verdicts = Vec::new();
    for (format, file) in [("toml", "mini.toml"), ("json", "mini.json")] {
        let path = dir.path().join(file).display().to_string();
        let mut args = vec![
            "discover",
            "--rpc",
            &url,
            "--config",
            CONFIG,
            "--format",
            format,
            "--out",
            &path,
            "--project",
            "mini",
            "--name",
            "Mini \"rollup\"",
            "--kind",
            "optimistic",
        ];
        for e in &entries {
            args.push("--entry");
            args.push(e);
        }
        let out = run(&args);
        assert!(out.status.success(), "discover: {}", text(&out.stderr));
        // A complete project file no longer asks to be pasted into one.
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(
            !written.contains(l2stage_discovery::render::PASTE_HINT),
            "{written}"
        );
        // assess reads it as it is, in either format.
        let out = run(&["assess", &path, "--format", "json"]);
        assert!(out.status.success(), "assess {file}: {}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v[0]["name"], "Mini \"rollup\"", "{v}");
        assert_eq!(
            v[0]["exit_window"]["seconds"],
            serde_json::json!(-15 * DAY as i64)
        );
        verdicts.push((v[0]["stage"].clone(), v[0]["exit_window"].clone()));
    }
    assert_eq!(verdicts[0], verdicts[1]);
    // --project needs --name and --kind.
    let out = run(&[
        "discover",
        "--rpc",
        &url,
        "--entry",
        &entries[0],
        "--project",
        "mini",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}
