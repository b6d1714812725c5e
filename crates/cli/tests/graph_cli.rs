//! `l2stage graph`: the permission graph of a catalog file in each format.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_l2stage"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run l2stage")
}

fn stdout(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn graph_formats() {
    let file = "catalog/arbitrum-one.toml";
    // DOT stays the default.
    let dot = stdout(&["graph", file]);
    assert!(dot.starts_with("digraph \"Arbitrum One\" {"), "{dot}");
    assert_eq!(dot, stdout(&["graph", file, "--format", "dot"]));
    assert!(dot.contains("Arbitrum Security Council (emergency, L1 Safe)"));
    let mermaid = stdout(&["graph", file, "--format", "mermaid"]);
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    let svg = stdout(&["graph", file, "--format", "svg"]);
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "),
        "{svg}"
    );
    assert!(svg.ends_with("</svg>\n"));
    assert!(svg.contains(
        "<g class=\"node k-council\"><title>Arbitrum Security Council (emergency, L1 Safe) (9/12 multisig, Security Council)</title>"
    ));
    // The same bytes every time.
    assert_eq!(svg, stdout(&["graph", file, "--format", "svg"]));
}

#[test]
fn graph_without_governance_is_a_usage_error() {
    // Every catalog project has a structure now; the fixture has none.
    let out = run(&["graph", "fixtures/grace.toml", "--format", "svg"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no [governance] section"));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_replaced_structure_is_drawn_with_a_note() {
    // Scroll's 2025 structure ends on 2026-06-01 (`until`): still drawn,
    // with a note on stderr; one in force today draws silently.
    let out = run(&["graph", "fixtures/scroll-2025.toml", "--format", "mermaid"]);
    assert!(out.status.success());
    assert!(!out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("describes the project from 2025-08-01 until 2026-06-01, not today"),
        "{err}"
    );
    let out = run(&["graph", "catalog/arbitrum-one.toml"]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
