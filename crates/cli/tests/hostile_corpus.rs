//! Every case of the hostile corpus (tests/hostile/mod.rs) through the real
//! `l2stage assess` binary and through the parsers directly: exit status 2
//! with an error naming the file (and line where there is one), no panic,
//! small output, no control character reaching the terminal, and never the
//! content of a file outside the project's directory.

mod hostile;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hostile::{BASE, Case, WITH_CSV, corpus, materialize};

/// The largest output (stdout and stderr together) a refused file may make.
const MAX_OUTPUT: usize = 16 * 1024;

/// A case never gets this long; past it the process is killed and the case
/// fails as a hang (a FIFO read, an endless file).
const HANG: Duration = Duration::from_secs(120);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn assess(dir: &Path, args: &[String]) -> Result<Run, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_l2stage"))
        .arg("assess")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    // Drain both pipes while waiting, so a large output cannot block it.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {HANG:?}: killed"));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = t_out.join().unwrap_or_default();
    let stderr = t_err.join().unwrap_or_default();
    Ok(Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

/// What is wrong with a case's run, if anything.
fn check(case: &Case, run: &Run) -> Vec<String> {
    let mut problems = Vec::new();
    if run.code != Some(2) {
        problems.push(format!("exit status {:?}, expected 2", run.code));
    }
    let all = format!("{}{}", run.stdout, run.stderr);
    if all.len() > MAX_OUTPUT {
        problems.push(format!("{} bytes of output", all.len()));
    }
    for panic_text in ["panicked", "RUST_BACKTRACE", "stack overflow", "SIGSEGV"] {
        if all.contains(panic_text) {
            problems.push(format!("output contains `{panic_text}`"));
        }
    }
    let raw: Vec<char> = all
        .chars()
        .filter(|c| l2stage_model::text::is_unsafe(*c) && *c != '\n')
        .collect();
    if !raw.is_empty() {
        problems.push(format!("raw control characters in the output: {raw:?}"));
    }
    if !run.stderr.contains(&case.names) {
        problems.push(format!("the error does not name `{}`", case.names));
    }
    if let Some(line) = case.line {
        let at = format!("{}:{line}:", case.names.trim_end_matches(':'));
        if !run.stderr.contains(&at) {
            problems.push(format!("the error does not give `{at}`"));
        }
    }
    if let Some(secret) = case.secret
        && all.contains(secret)
    {
        problems.push("the content of a file outside the tree was printed".into());
    }
    if all.contains("root:") {
        problems.push("the content of /etc/passwd was printed".into());
    }
    problems
}

/// The parsers called directly on a one-file case: an error, no panic.
fn parse_directly(dir: &Path, case: &Case) -> Option<String> {
    let [arg] = case.args.as_slice() else {
        return None;
    };
    let path = dir.join(arg);
    if path.is_dir() {
        return None;
    }
    let project = match l2stage_model::load_path(&path) {
        Err(_) => return None,
        Ok(p) => p,
    };
    let registry = match l2stage_labels::Registry::load_dir(&dir.join("proof-systems")) {
        Err(_) => return None,
        Ok(r) => r,
    };
    match l2stage_labels::Inputs::load(&project, &path, &registry) {
        Err(_) => None,
        Ok(_) => Some("the parsers accept it".into()),
    }
}

#[test]
fn every_hostile_case_is_refused_with_a_located_error() {
    let catalog = std::fs::read_to_string(repo().join("catalog/base.toml")).expect("base.toml");
    let cases = corpus(&catalog);
    assert!(cases.len() >= 80, "{} cases", cases.len());
    let mut names = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for case in &cases {
        assert!(
            names.insert(case.name.clone()),
            "two cases named {}",
            case.name
        );
        let dir = tempfile::tempdir().expect("tempdir");
        if !materialize(case, dir.path()) {
            skipped.push(case.name.clone());
            continue;
        }
        let mut problems = match assess(dir.path(), &case.args) {
            Ok(run) => {
                let p = check(case, &run);
                if !p.is_empty() {
                    let mut tail = run.stderr.clone();
                    tail.truncate(1500);
                    failures.push(format!("{}: {}\n{tail}", case.name, p.join("; ")));
                }
                Vec::new()
            }
            Err(e) => vec![e],
        };
        problems.extend(parse_directly(dir.path(), case));
        if !problems.is_empty() {
            failures.push(format!("{}: {}", case.name, problems.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    // Only FIFOs may be impossible to make here.
    assert!(skipped.iter().all(|s| s.contains("fifo")), "{skipped:?}");
}

/// The corpus is made of mutations of valid files: the originals pass.
#[test]
fn the_corpus_bases_are_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("base.toml"), BASE).expect("write");
    std::fs::write(dir.path().join("base.json"), hostile::BASE_JSON).expect("write");
    std::fs::create_dir_all(dir.path().join("p/data")).expect("mkdir");
    std::fs::write(dir.path().join("p/demo.toml"), WITH_CSV).expect("write");
    std::fs::write(dir.path().join("p/data/demo.csv"), hostile::CSV).expect("write");
    for args in [["base.toml"], ["base.json"], ["p/demo.toml"]] {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let run = assess(dir.path(), &args).expect("run");
        assert_eq!(run.code, Some(0), "{args:?}: {}", run.stderr);
    }
    // The same with a byte-order mark, JSON included.
    std::fs::write(
        dir.path().join("bom.json"),
        format!("\u{feff}{}", hostile::BASE_JSON),
    )
    .expect("write");
    let run = assess(dir.path(), &["bom.json".to_string()]).expect("run");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

/// A valid file full of control characters: every output format shows
/// them escaped, and the JSON still carries the exact name.
#[test]
fn valid_files_with_control_characters_print_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let evil = "\\u001b]0;owned\\u0007\\u001b[2J\\r\\u202e\\u0085";
    let text = BASE.replace("Demo", &format!("De{evil}mo")).replace(
        "kind = \"optimistic\"",
        &format!(
            "kind = \"optimistic\"\n\n[requirements]\nprinciple = {{ status = \"met\", reason = \"r{evil}\", evidence = [\"e{evil}\"] }}"
        ),
    );
    std::fs::write(dir.path().join("evil.toml"), text).expect("write");
    for format in ["text", "markdown", "json"] {
        let args: Vec<String> = ["evil.toml", "--format", format]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let run = assess(dir.path(), &args).expect("run");
        assert_eq!(run.code, Some(0), "{format}: {}", run.stderr);
        let raw: Vec<char> = run
            .stdout
            .chars()
            .filter(|c| l2stage_model::text::is_unsafe(*c) && *c != '\n')
            .collect();
        assert!(raw.is_empty(), "{format}: raw {raw:?}");
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
            assert_eq!(
                v[0]["name"], "De\u{1b}]0;owned\u{7}\u{1b}[2J\r\u{202e}\u{85}mo",
                "the JSON keeps the exact value"
            );
        } else {
            assert!(
                run.stdout
                    .contains("De\\x1b]0;owned\\x07\\x1b[2J\\r\\u202e\\u0085mo"),
                "{format}: {}",
                run.stdout
            );
        }
    }
}
