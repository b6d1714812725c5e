//! The one catalog loader of `l2stage assess` and the server: its rules on
//! real files in a temporary directory.

use std::path::{Path, PathBuf};

use l2stage_assess::catalog::{CatalogError, find, load, load_catalog};

const PROOF_SYSTEM: &str = r#"
name = "Demo VM"
kind = "fraud"
implementation = "demo program on the demo VM"
in_production_since = 2024-01-10
trusted_setup_risk = "none"
prover_source_published = true
verifier_reproducible = true
programs_reproducible = true
"#;

fn project(id: &str, extra: &str) -> String {
    format!("[project]\nid = \"{id}\"\nname = \"Demo {id}\"\nkind = \"optimistic\"\n{extra}")
}

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn a_directory_is_its_project_files_sorted_with_their_proof_systems() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "b.toml",
        &project("bravo", "\n[labels]\nproof_systems = [\"demo-vm\"]\n"),
    );
    write(dir.path(), "a.toml", &project("alpha", ""));
    write(dir.path(), "notes.txt", "not a project file");
    write(dir.path(), "proof-systems/demo-vm.toml", PROOF_SYSTEM);
    let c = load_catalog(dir.path()).expect("valid catalog");
    let ids: Vec<&str> = c
        .files
        .iter()
        .map(|f| f.project.project.id.as_str())
        .collect();
    assert_eq!(ids, ["alpha", "bravo"]);
    assert_eq!(c.files[1].labels.proof_systems.len(), 1);
    assert_eq!(c.files[1].labels.proof_systems[0].0.id.as_str(), "demo-vm");
    assert!(c.files[1].labels.unresolved.is_empty());
    assert_eq!(c.files[0].text, project("alpha", ""));
    // The one proof-systems directory is kept for submitted files.
    let reg = c.registry.expect("registry of DIR/proof-systems");
    assert_eq!(reg.ids().collect::<Vec<_>>(), ["demo-vm"]);
    // The same rules for files named one by one (`l2stage assess FILE...`).
    let one = load(&[dir.path().join("b.toml")], None).expect("one file");
    assert_eq!(one.files.len(), 1);
    assert_eq!(one.files[0].labels.proof_systems.len(), 1);
}

#[test]
fn two_files_answering_to_one_id_are_refused_naming_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.toml", &project("alpha", ""));
    write(
        dir.path(),
        "b.toml",
        &project("bravo", "aliases = [\"alpha\"]\n"),
    );
    match load_catalog(dir.path()) {
        Err(CatalogError::Duplicate { first, second, id }) => {
            assert_eq!(first, dir.path().join("a.toml"));
            assert_eq!(second, dir.path().join("b.toml"));
            assert_eq!(id, "alpha");
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
}

#[test]
fn every_invalid_file_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.toml", &project("alpha", ""));
    write(dir.path(), "b.toml", "[project]\nid = \"Bad Id\"\n");
    write(dir.path(), "c.json", "{ not json");
    match load(&[dir.path().to_path_buf()], None) {
        Err(CatalogError::Invalid(errors)) => {
            assert_eq!(errors.len(), 2, "{errors:?}");
            assert!(errors[0].to_string().contains("b.toml"), "{}", errors[0]);
            assert!(errors[1].to_string().contains("c.json"), "{}", errors[1]);
        }
        other => panic!("expected invalid files, got {other:?}"),
    }
}

#[test]
fn a_directory_without_project_files_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "readme.md", "nothing here");
    let e = load_catalog(dir.path()).expect_err("empty");
    assert!(matches!(e, CatalogError::Empty { .. }), "{e:?}");
    assert!(e.to_string().contains("no project files"), "{e}");
    // A catalog directory that does not exist names itself.
    let missing = dir.path().join("missing");
    let e = load_catalog(&missing).expect_err("missing");
    assert!(matches!(e, CatalogError::Io { .. }), "{e:?}");
    assert!(e.to_string().contains("missing"), "{e}");
}

#[test]
fn a_proof_systems_directory_beside_the_files_is_checked_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.toml", &project("alpha", ""));
    write(dir.path(), "proof-systems/demo-vm.toml", "name = 3\n");
    // No project names a proof system, yet the directory is the catalog's:
    // the server resolves submitted files in it, so it must be valid.
    match load_catalog(dir.path()) {
        Err(CatalogError::Labels(errors)) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
        }
        other => panic!("expected invalid label inputs, got {other:?}"),
    }
    match load(&[dir.path().join("a.toml")], None) {
        Err(CatalogError::Labels(_)) => {}
        other => panic!("expected invalid label inputs, got {other:?}"),
    }
}

#[test]
fn a_given_proof_systems_directory_replaces_the_one_beside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(
        dir.path(),
        "projects/a.toml",
        &project("alpha", "\n[labels]\nproof_systems = [\"demo-vm\"]\n"),
    );
    write(dir.path(), "shared/demo-vm.toml", PROOF_SYSTEM);
    // Nothing beside the file: the id is unknown (a located error).
    assert!(matches!(
        load(std::slice::from_ref(&file), None),
        Err(CatalogError::Labels(_))
    ));
    let c = load(
        std::slice::from_ref(&file),
        Some(&dir.path().join("shared")),
    )
    .expect("resolved in the given directory");
    assert_eq!(c.files[0].labels.proof_systems.len(), 1);
    assert!(c.registry.is_some());
    let e = load(
        std::slice::from_ref(&file),
        Some(&dir.path().join("nowhere")),
    )
    .expect_err("not a directory");
    assert!(matches!(e, CatalogError::ProofSystemsDir { .. }), "{e:?}");
}

#[test]
fn a_project_is_found_by_its_id_or_an_alias() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "a.toml",
        &project("alpha", "aliases = [\"alfa\"]\n"),
    );
    write(dir.path(), "b.toml", &project("bravo", ""));
    write(dir.path(), "broken.toml", "[project\n");
    assert_eq!(
        find(dir.path(), "alfa").expect("find"),
        Some(dir.path().join("a.toml"))
    );
    assert_eq!(
        find(dir.path(), "bravo").expect("find"),
        Some(dir.path().join("b.toml"))
    );
    assert_eq!(find(dir.path(), "charlie").expect("find"), None);
}
