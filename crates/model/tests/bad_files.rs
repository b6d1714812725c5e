//! Every file in tests/bad/ is invalid; each must be rejected with an error
//! naming the right line and field (and a hint where one helps). Never a panic.

use std::path::Path;

use l2stage_model::{LoadError, load_path};

struct Expect {
    file: &'static str,
    line: usize,
    field: Option<&'static str>,
    message: &'static str,
    hint: Option<&'static str>,
}

const fn e(
    file: &'static str,
    line: usize,
    field: Option<&'static str>,
    message: &'static str,
    hint: Option<&'static str>,
) -> Expect {
    Expect {
        file,
        line,
        field,
        message,
        hint,
    }
}

const CASES: &[Expect] = &[
    e(
        "unknown-project-key.toml",
        3,
        Some("project.nme"),
        "unknown field `nme`",
        Some("did you mean `name`?"),
    ),
    e(
        "missing-name.toml",
        1,
        Some("project"),
        "missing field `name`",
        None,
    ),
    e(
        "bad-slug.toml",
        2,
        Some("project.id"),
        "invalid id `Demo Rollup`",
        None,
    ),
    e(
        "bad-kind.toml",
        4,
        Some("project.kind"),
        "unknown variant `zk-rollup`",
        Some("optimistic, validity"),
    ),
    e(
        "misspelt-requirement.toml",
        7,
        Some("requirements.proof-sytem"),
        "unknown requirement id `proof-sytem`",
        Some("did you mean `proof-system`?"),
    ),
    e(
        "principle-not-applicable.toml",
        7,
        Some("requirements.principle"),
        "never not-applicable",
        None,
    ),
    e(
        "bad-status.toml",
        7,
        Some("requirements.data-on-l1"),
        "unknown variant `yes`",
        Some("met, unmet, under-review, not-applicable"),
    ),
    e(
        "bad-requirement-table-key.toml",
        7,
        Some("requirements.data-on-l1.reasn"),
        "unknown field `reasn`",
        Some("did you mean `reason`?"),
    ),
    e(
        "status-wrong-type.toml",
        7,
        Some("requirements.data-on-l1"),
        "invalid type: boolean `true`",
        None,
    ),
    e(
        "evidence-not-array.toml",
        7,
        Some("requirements.data-on-l1.evidence"),
        "invalid type: string",
        None,
    ),
    e(
        "impossible-date.toml",
        7,
        Some("history[0].date"),
        "invalid date",
        None,
    ),
    e(
        "date-wrong-format.toml",
        7,
        Some("history[0].date"),
        "invalid date `10/06/2024`",
        None,
    ),
    e(
        "datetime-not-date.toml",
        11,
        Some("history[1].date"),
        "expected a plain date",
        None,
    ),
    e(
        "history-misspelt-requirement.toml",
        8,
        Some("history[0].requirements.principal"),
        "unknown requirement id `principal`",
        Some("did you mean `principle`?"),
    ),
    e(
        "bad-link-key.toml",
        7,
        Some("project.links.node-source"),
        "unknown field `node-source`",
        Some("did you mean `node_source`?"),
    ),
    e(
        "alias-repeats-id.toml",
        3,
        Some("project.aliases[1]"),
        "alias `demo` is the project's own id",
        None,
    ),
    e(
        "governance-until-before-since.toml",
        8,
        Some("governance.until"),
        "`until` (2025-06-01) must be after `since` (2025-08-01)",
        Some("`until` is the first day the structure no longer applies"),
    ),
    e(
        "unknown-section.toml",
        6,
        Some("gouvernance"),
        "unknown field `gouvernance`",
        Some("did you mean `governance`?"),
    ),
    e(
        "under-review-not-bool.toml",
        5,
        Some("project.under_review"),
        "invalid type: string \"yes\"",
        Some("expected a boolean"),
    ),
    e(
        "unterminated-string.toml",
        3,
        Some("project.name"),
        "",
        None,
    ),
    e(
        "history-without-date.toml",
        6,
        Some("history[0]"),
        "missing field `date`",
        None,
    ),
    e(
        "unknown-key.json",
        5,
        Some("requirements.proof-sytem"),
        "unknown requirement id `proof-sytem`",
        Some("did you mean `proof-system`?"),
    ),
    e(
        "duplicate-requirement.json",
        6,
        Some("requirements"),
        "requirement `data-on-l1` is declared twice",
        None,
    ),
    e(
        "da-verifier-unknown-target.toml",
        20,
        Some("governance.da.verifier"),
        "no power has `target = \"DACVerifer\"`",
        Some("did you mean `DACVerifier`?"),
    ),
    e(
        "archived-not-a-date.toml",
        5,
        Some("project.archived"),
        "",
        None,
    ),
    e(
        "trailing-garbage.json",
        2,
        None,
        "trailing characters",
        None,
    ),
];

#[test]
fn every_bad_file_is_rejected_with_line_and_field() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
    let mut seen = 0;
    for case in CASES {
        let path = dir.join(case.file);
        let err = match load_path(&path) {
            Ok(_) => panic!("{} was accepted", case.file),
            Err(LoadError::Invalid(e)) => e,
            Err(other) => panic!("{}: unexpected error kind: {other}", case.file),
        };
        assert_eq!(err.line, case.line, "{}: line of {err}", case.file);
        assert_eq!(
            err.field.as_deref(),
            case.field,
            "{}: field of {err}",
            case.file
        );
        assert!(
            err.message.contains(case.message),
            "{}: message `{}` lacks `{}`",
            case.file,
            err.message,
            case.message
        );
        if let Some(h) = case.hint {
            let hint = err.hint.as_deref().unwrap_or("");
            assert!(hint.contains(h), "{}: hint `{hint}` lacks `{h}`", case.file);
        }
        // The one-line form names file, line and field, as a terminal shows it.
        let line = err.to_string();
        assert!(
            line.starts_with(&format!("{}:{}:", path.display(), case.line)),
            "{line}"
        );
        if let Some(f) = case.field {
            assert!(line.contains(&format!("field `{f}`")), "{line}");
        }
        seen += 1;
    }
    // Every file in the corpus has an expectation.
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(files, seen, "tests/bad has files without expectations");
    assert!(seen >= 15);
}

#[test]
fn unsupported_extension_and_missing_file() {
    let err = load_path(Path::new("project.yaml")).unwrap_err();
    assert!(matches!(err, LoadError::UnsupportedType { .. }));
    let err = load_path(Path::new("/nonexistent/project.toml")).unwrap_err();
    assert!(matches!(err, LoadError::Io { .. }));
}
