//! Reading what the labels need beside a project file: proof-system files
//! (unknown ids and bad files are located errors) and value-locked CSVs
//! (relative to the project file; errors name the file and line).

use std::path::Path;

use l2stage_labels::{
    Inputs, LabelStatus, LabelsError, MaturityRating, Registry, SeriesData, evaluate,
};
use l2stage_model::{Date, LoadError, load_path};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

const PS: &str = "name = \"Demo VM\"\nkind = \"fraud\"\nimplementation = \"demo\"\nin_production_since = 2022-01-01\nshared_components = [\"revm\"]\n";

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const PROJECT: &str = "[project]\nid = \"demo\"\nname = \"Demo\"\nkind = \"optimistic\"\n\n[labels]\nproof_systems = [\"demo-vm\", \"other-vm\"]\nlive_since = 2022-01-01\n\n[labels.value_locked]\ncsv = \"data/demo.csv\"\n";

fn csv_months(from_year: i32, to_year: i32) -> String {
    let mut s = String::from(
        "# Demo value locked, USD.\n# Source: https://example.org\ndate,total,eth,stablecoins\n",
    );
    for y in from_year..=to_year {
        for m in 1..=12 {
            s.push_str(&format!("{y}-{m:02}-01,300000000,100000000,20000000\n"));
        }
    }
    s
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "demo.toml", PROJECT);
    write(dir.path(), "proof-systems/demo-vm.toml", PS);
    write(dir.path(), "proof-systems/other-vm.toml", PS);
    write(dir.path(), "data/demo.csv", &csv_months(2024, 2026));
    dir
}

#[test]
fn loads_csv_and_proof_systems_beside_the_project() {
    let dir = setup();
    let path = dir.path().join("demo.toml");
    let project = load_path(&path).unwrap();
    let reg = Registry::load_dir(&dir.path().join("proof-systems")).unwrap();
    assert_eq!(reg.len(), 2);
    let inputs = Inputs::load(&project, &path, &reg).unwrap();
    match &inputs.series {
        SeriesData::Points(p) => assert_eq!(p.len(), 36),
        other => panic!("{other:?}"),
    }
    let labels = evaluate(&project, &inputs, d("2026-06-15"));
    assert_eq!(labels.battle_tested.status, LabelStatus::Met);
    // Live since 2022 but data from 2024-01-01: met from 2024-07-02.
    assert_eq!(labels.battle_tested.since, Some(d("2024-07-02")));
    let ids: Vec<&str> = labels.proof_systems.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["demo-vm", "other-vm"]);
    assert_eq!(labels.proof_systems[0].rating, MaturityRating::Immature);
    assert_eq!(
        labels.proof_systems[0].shares_with[0].proof_systems,
        ["other-vm"]
    );
    assert_eq!(
        labels.notes,
        ["proof systems `demo-vm` and `other-vm` both build on `revm`: they are not independent"]
    );
}

#[test]
fn without_io_the_csv_is_reported_not_loaded() {
    let dir = setup();
    let project = load_path(&dir.path().join("demo.toml")).unwrap();
    let inputs = Inputs::inline(&project, None);
    assert_eq!(inputs.unresolved, ["demo-vm", "other-vm"]);
    let labels = evaluate(&project, &inputs, d("2026-06-15"));
    assert_eq!(labels.battle_tested.status, LabelStatus::Unknown);
    assert_eq!(
        labels.battle_tested.missing,
        ["the value-locked CSV `data/demo.csv` was not loaded"]
    );
    assert!(labels.proof_systems.is_empty());
    assert_eq!(labels.notes.len(), 2);
}

#[test]
fn unknown_proof_system_is_located_in_the_project_file() {
    let dir = setup();
    std::fs::remove_file(dir.path().join("proof-systems/other-vm.toml")).unwrap();
    let path = dir.path().join("demo.toml");
    let project = load_path(&path).unwrap();
    let reg = Registry::load_dir(&dir.path().join("proof-systems")).unwrap();
    let err = Inputs::load(&project, &path, &reg).unwrap_err();
    let LabelsError::Load(LoadError::Invalid(inv)) = err else {
        panic!("expected a located error, got {err:?}");
    };
    assert!(inv.file.ends_with("demo.toml"), "{}", inv.file);
    assert_eq!(inv.line, 7);
    assert_eq!(inv.field.as_deref(), Some("labels.proof_systems[1]"));
    assert!(
        inv.message.contains("unknown proof system `other-vm`"),
        "{}",
        inv.message
    );
    let hint = inv.hint.clone().unwrap_or_default();
    assert!(
        hint.starts_with("known proof systems (in ") && hint.ends_with("proof-systems): demo-vm"),
        "{hint}"
    );

    // A near miss gets a suggestion.
    write(
        dir.path(),
        "demo.toml",
        &PROJECT.replace("\"other-vm\"", "\"demo-wm\""),
    );
    let project = load_path(&path).unwrap();
    let LabelsError::Load(LoadError::Invalid(inv)) =
        Inputs::load(&project, &path, &reg).unwrap_err()
    else {
        panic!("expected a located error");
    };
    assert_eq!(inv.hint.as_deref(), Some("did you mean `demo-vm`?"));
}

#[test]
fn bad_csv_names_file_and_line() {
    let dir = setup();
    write(
        dir.path(),
        "data/demo.csv",
        "date,total,eth,stablecoins\n2025-01-01,3e8,1e8,0\n2025-02-01,3e8,-1e8,0\n",
    );
    let path = dir.path().join("demo.toml");
    let project = load_path(&path).unwrap();
    let reg = Registry::load_dir(&dir.path().join("proof-systems")).unwrap();
    let err = Inputs::load(&project, &path, &reg).unwrap_err();
    let LabelsError::Load(LoadError::Invalid(inv)) = err else {
        panic!("expected a located error, got {err:?}");
    };
    assert!(inv.file.ends_with("data/demo.csv"), "{}", inv.file);
    assert_eq!(inv.line, 3);
    assert_eq!(inv.field.as_deref(), Some("eth"));
}

#[test]
fn missing_csv_is_an_io_error_naming_the_path() {
    let dir = setup();
    std::fs::remove_file(dir.path().join("data/demo.csv")).unwrap();
    let path = dir.path().join("demo.toml");
    let project = load_path(&path).unwrap();
    let reg = Registry::load_dir(&dir.path().join("proof-systems")).unwrap();
    let err = Inputs::load(&project, &path, &reg).unwrap_err();
    assert!(err.to_string().contains("data/demo.csv"), "{err}");
}

#[test]
fn bad_proof_system_files_are_all_reported() {
    let dir = setup();
    write(dir.path(), "proof-systems/Bad_Name.toml", PS);
    write(
        dir.path(),
        "proof-systems/broken.toml",
        "name = \"x\"\nkind = \"fraud\"\nimplementation = \"y\"\naudits = 3\n",
    );
    let errs = Registry::load_dir(&dir.path().join("proof-systems")).unwrap_err();
    assert_eq!(errs.len(), 2);
    assert!(errs[0].to_string().contains("Bad_Name.toml"), "{}", errs[0]);
    assert!(
        errs[0]
            .to_string()
            .contains("the file name is the proof system's id"),
        "{}",
        errs[0]
    );
    let LabelsError::Load(LoadError::Invalid(inv)) = &errs[1] else {
        panic!("{:?}", errs[1]);
    };
    assert_eq!((inv.line, inv.field.as_deref()), (4, Some("audits")));
}

#[test]
fn a_missing_directory_is_an_empty_registry() {
    let dir = tempfile::tempdir().unwrap();
    let reg = Registry::load_dir(&dir.path().join("nowhere")).unwrap();
    assert!(reg.is_empty());
}

#[test]
fn the_last_change_carries_its_evidence_with_sources_resolved() {
    let text = "[project]\nid = \"demo\"\nname = \"Demo\"\nkind = \"optimistic\"\n\n[[project.sources]]\nid = \"notice\"\nurl = \"https://example.org/upgrade-notice\"\n\n[labels]\nlive_since = 2022-01-01\n\n[[labels.changes]]\ndate = 2025-03-01\nsummary = \"Upgrade\"\nsafety_relevant = true\nevidence = [\"source:notice\", \"https://example.org/tx\", \"source:undefined\"]\n";
    let project = l2stage_model::parse_str("demo.toml", text, l2stage_model::Format::Toml).unwrap();
    let labels = evaluate(&project, &Inputs::inline(&project, None), d("2025-06-01"));
    let c = labels.battle_tested.last_safety_relevant_change.unwrap();
    assert_eq!(c.date, d("2025-03-01"));
    assert_eq!(
        c.evidence,
        [
            "https://example.org/upgrade-notice",
            "https://example.org/tx",
            "source:undefined"
        ]
    );
}

#[test]
fn a_proof_system_counts_only_while_it_is_used() {
    // Starknet-like: one prover until 2025-10-19, its successor from then.
    let dir = tempfile::tempdir().unwrap();
    let project = "[project]\nid = \"demo\"\nname = \"Demo\"\nkind = \"validity\"\n\n[labels]\nproof_systems = [{ id = \"demo-vm\", until = 2025-10-19 }, { id = \"other-vm\", since = 2025-10-19 }]\n";
    write(dir.path(), "demo.toml", project);
    write(dir.path(), "proof-systems/demo-vm.toml", PS);
    write(dir.path(), "proof-systems/other-vm.toml", PS);
    let path = dir.path().join("demo.toml");
    let project = load_path(&path).unwrap();
    let reg = Registry::load_dir(&dir.path().join("proof-systems")).unwrap();
    let inputs = Inputs::load(&project, &path, &reg).unwrap();
    let ids = |day: &str| {
        let l = evaluate(&project, &inputs, d(day));
        let ids: Vec<String> = l.proof_systems.iter().map(|p| p.id.clone()).collect();
        (ids, l.notes)
    };
    let (before, notes) = ids("2025-10-18");
    assert_eq!(before, ["demo-vm"]);
    assert_eq!(notes, ["proof system `other-vm`: in use from 2025-10-19"]);
    let (after, notes) = ids("2025-10-19");
    assert_eq!(after, ["other-vm"]);
    // Only one in use on each day: no shared-component note between them.
    assert_eq!(notes, ["proof system `demo-vm`: in use until 2025-10-19"]);
}

/// The CSV rules of a project file naming `csv`: the error and whether the
/// file's content could have been read.
fn csv_error(dir: &Path, csv: &str) -> String {
    let path = dir.join("demo.toml");
    write(dir, "demo.toml", &PROJECT.replace("data/demo.csv", csv));
    let reg = Registry::load_dir(&dir.join("proof-systems")).unwrap();
    match load_path(&path) {
        Err(e) => e.to_string(),
        Ok(project) => match Inputs::load(&project, &path, &reg) {
            Err(e) => e.to_string(),
            Ok(i) => panic!("{csv}: accepted: {:?}", i.series),
        },
    }
}

const SECRET: &str = "TOP-SECRET-CONTENT";

#[test]
fn csv_outside_the_project_directory_is_refused_before_reading() {
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), "secret.csv", &format!("{SECRET}\n"));
    write(outer.path(), "p/x", "");
    let dir = outer.path().join("p");
    for (rel, text) in [("demo.toml", PROJECT), ("proof-systems/demo-vm.toml", PS)] {
        write(&dir, rel, text);
    }
    write(&dir, "proof-systems/other-vm.toml", PS);
    // `..` and absolute paths: refused when the project file is parsed.
    for csv in ["../secret.csv", "data/../../secret.csv", "/etc/passwd"] {
        let err = csv_error(&dir, csv);
        // The `[labels.value_locked]` table (line 10) holding `csv` (line 11).
        assert!(
            err.contains("demo.toml:10:1") || err.contains("demo.toml:11:1"),
            "{csv}: {err}"
        );
        assert!(err.contains("field `labels.value_locked"), "{csv}: {err}");
        assert!(!err.contains(SECRET) && !err.contains("root:"), "{err}");
    }
    // A symlink inside the directory leading out of it: refused at the
    // `csv` key, the target never read.
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::os::unix::fs::symlink(outer.path().join("secret.csv"), dir.join("data/link.csv")).unwrap();
    let err = csv_error(&dir, "data/link.csv");
    assert!(
        err.contains("leads outside the project file's directory"),
        "{err}"
    );
    assert!(err.contains("demo.toml:11:1"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
}

#[test]
fn csv_must_be_a_small_regular_file() {
    let dir = setup();
    // A device through a symlink inside the directory, a directory, a FIFO.
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("data/zero.csv")).unwrap();
    let err = csv_error(dir.path(), "data/zero.csv");
    // /dev/zero lies outside the directory: refused before anything else.
    assert!(err.contains("leads outside"), "{err}");
    std::fs::create_dir_all(dir.path().join("data/dir.csv")).unwrap();
    let err = csv_error(dir.path(), "data/dir.csv");
    assert!(err.contains("dir.csv: not a regular file"), "{err}");
    let fifo = dir.path().join("data/fifo.csv");
    if std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        let err = csv_error(dir.path(), "data/fifo.csv");
        assert!(err.contains("fifo.csv: not a regular file"), "{err}");
    }
    // Over the size cap (a sparse file: nothing is written or read).
    let big = std::fs::File::create(dir.path().join("data/big.csv")).unwrap();
    big.set_len(l2stage_model::labels::MAX_CSV_BYTES + 1)
        .unwrap();
    let err = csv_error(dir.path(), "data/big.csv");
    assert!(
        err.contains("big.csv: the file is larger than the 16 MiB allowed"),
        "{err}"
    );
}

#[test]
fn csv_errors_show_the_csv_line_escaped_and_short() {
    let dir = setup();
    // A real CSV with an escape sequence and a 1 MB cell on line 3.
    let long = "9".repeat(1_000_000);
    write(
        dir.path(),
        "data/demo.csv",
        &format!(
            "date,total,eth,stablecoins\n2025-01-01,3e8,1e8,0\n2025-02-01,3e8,\x1b]0;x\x07{long},0\n"
        ),
    );
    let err = csv_error(dir.path(), "data/demo.csv");
    assert!(err.contains("demo.csv:3:"), "{err}");
    assert!(err.contains("\\x1b]0;x\\x07"), "{err}");
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err}");
    assert!(err.len() < 4000, "{} bytes", err.len());
    assert!(err.contains("(1000006 bytes)"), "{err}");
}
