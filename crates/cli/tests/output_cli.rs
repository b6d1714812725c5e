//! Output for people: text wrapped to the terminal width, Markdown a
//! reader can paste, one style for I/O errors, flags that do not combine.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_l2stage"));
    c.args(args).current_dir(repo()).env_remove("COLUMNS");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run l2stage")
}

fn run(args: &[&str]) -> Output {
    run_env(args, &[])
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn longest(s: &str) -> usize {
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn catalog_text_fits_80_columns() {
    // The catalog's longest lines were 557 characters before wrapping.
    let by_env = stdout(&run_env(&["assess", "catalog"], &[("COLUMNS", "80")]));
    assert!(longest(&by_env) <= 80, "{}", longest(&by_env));
    assert!(by_env.contains("Exit facts"), "shared paths printed once");
    let by_flag = stdout(&run(&["assess", "catalog", "--width", "80"]));
    assert_eq!(by_flag, by_env);
    // Piped without COLUMNS: 100 columns, and the text does wrap there.
    let piped = stdout(&run(&["assess", "catalog"]));
    assert!(longest(&piped) <= 100, "{}", longest(&piped));
    assert!(longest(&piped) > 80);
    // Arithmetic only with --explain.
    assert!(!by_env.contains("window 0s − exit time"));
    let explain = stdout(&run(&[
        "assess",
        "catalog/arbitrum-one.toml",
        "--explain",
        "--width",
        "80",
    ]));
    assert!(longest(&explain) <= 80);
    assert!(explain.contains("exit time"), "{explain}");
}

#[test]
fn shared_path_is_printed_once() {
    let text = stdout(&run(&["assess", "catalog/arbitrum-one.toml"]));
    // The emergency council's path was repeated under four requirements.
    let path = "\n        via security-council → upgrade-executor\n";
    assert_eq!(text.matches(path).count(), 2, "{text}"); // upgrade and pause
    assert!(!text.contains("window 0s − exit time"), "{text}");
    assert!(
        text.contains("↳ exit facts P1, P2, P3, P4, P5, P6"),
        "{text}"
    );
}

#[test]
fn io_errors_are_one_line_naming_what_path_and_why() {
    let out = run(&["assess", "no/such/file.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        "error: cannot read no/such/file.toml: no such file or directory"
    );
    let out = run(&["graph", "catalog"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("catalog is a directory"), "{err}");
    assert!(err.contains("project file"), "{err}");
    assert!(!err.contains("unsupported file type"), "{err}");
}

#[test]
fn flags_that_do_not_combine_are_rejected() {
    for (args, flag) in [
        (&["--explain", "--format", "json"][..], "--explain"),
        (&["--explain", "--format", "markdown"][..], "--explain"),
        (&["--full", "--format", "text"][..], "--full"),
        (&["--width", "80", "--format", "json"][..], "--width"),
    ] {
        let mut a = vec!["assess", "catalog/arbitrum-one.toml"];
        a.extend_from_slice(args);
        let out = run(&a);
        assert_eq!(out.status.code(), Some(2), "{a:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("{flag} applies only to")), "{err}");
    }
}

#[test]
fn markdown_summary_is_short_and_links_count_from_1() {
    let md = stdout(&run(&[
        "assess",
        "catalog/arbitrum-one.toml",
        "--as-of",
        "2025-09-01",
        "--format",
        "markdown",
    ]));
    // It was 11 KB with 2,940-character rows.
    assert!(md.len() < 4_500, "{} bytes", md.len());
    assert!(longest(&md) <= 500, "{}", longest(&md));
    assert!(md.contains("| [1], [2] |"), "{md}");
    assert!(md.contains("\n[1]: <https://"), "{md}");
    // Every reference used is defined, numbered 1..n without gaps.
    let defs: Vec<usize> = md
        .lines()
        .filter_map(|l| l.strip_prefix('[')?.split_once("]: <")?.0.parse().ok())
        .collect();
    assert_eq!(defs, (1..=defs.len()).collect::<Vec<_>>());
    assert!(md.contains("**Risks:**"));
    let full = stdout(&run(&[
        "assess",
        "catalog/arbitrum-one.toml",
        "--as-of",
        "2025-09-01",
        "--format",
        "markdown",
        "--full",
    ]));
    assert!(full.len() > md.len() * 2, "{} vs {}", full.len(), md.len());
    assert!(full.contains("exit time"));
}
