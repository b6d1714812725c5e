//! Files as a hostile user writes them: byte-order marks, invalid UTF-8,
//! huge values, control characters, files that are not files.

use l2stage_model::{Format, LoadError, files_in, load_path, parse_str, read_text};

const VALID: &str = "[project]\nid = \"demo\"\nname = \"Demo\"\nkind = \"optimistic\"\n";
const VALID_JSON: &str =
    "{\n  \"project\": {\"id\": \"demo\", \"name\": \"Demo\", \"kind\": \"optimistic\"}\n}\n";

fn invalid(r: Result<impl std::fmt::Debug, LoadError>) -> Box<l2stage_model::InvalidFile> {
    match r {
        Err(LoadError::Invalid(e)) => e,
        other => panic!("expected a located error, got {other:?}"),
    }
}

#[test]
fn json_with_a_byte_order_mark_is_accepted_like_toml() {
    let json = format!("\u{feff}{VALID_JSON}");
    let p = parse_str("x.json", &json, Format::Json).unwrap();
    assert_eq!(p.project.id.as_str(), "demo");
    let toml = format!("\u{feff}{VALID}");
    assert_eq!(parse_str("x.toml", &toml, Format::Toml).unwrap(), p);
    // Errors after the mark still point at the right line.
    let bad = json.replace("\"optimistic\"", "\"zk\"");
    let e = invalid(parse_str("x.json", &bad, Format::Json));
    assert_eq!(e.line, 2, "{e}");
    assert_eq!(e.field.as_deref(), Some("project.kind"));
}

#[test]
fn invalid_utf8_gives_its_byte_offset_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    let mut bytes = VALID.as_bytes().to_vec();
    let at = VALID.find("Demo").unwrap();
    bytes[at + 1] = 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let e = invalid(load_path(&path));
    assert!(
        e.message
            .contains(&format!("invalid UTF-8 at byte offset {}", at + 1)),
        "{e}"
    );
    assert_eq!((e.line, e.column), (3, 10), "{e}");
    assert!(e.to_string().starts_with(&path.display().to_string()));
}

#[test]
fn a_huge_invalid_id_makes_a_small_error() {
    let id = "X".repeat(10 * 1024 * 1024);
    let src = VALID.replace("\"demo\"", &format!("\"{id}\""));
    for (src, format) in [
        (src.clone(), Format::Toml),
        (
            VALID_JSON.replace("\"demo\"", &format!("\"{id}\"")),
            Format::Json,
        ),
    ] {
        let e = invalid(parse_str("big", &src, format));
        assert_eq!(e.line, 2, "{format:?}");
        assert!(
            e.message.contains(&format!("… ({} bytes)", id.len())),
            "{}",
            e.message
        );
        // The whole report, source snippet included, stays small.
        let report = format!("{:?}", miette::Report::new(LoadError::Invalid(e)));
        assert!(report.len() < 2_000, "{format:?}: {} bytes", report.len());
    }
}

#[test]
fn control_characters_never_reach_the_message() {
    // In a value (TOML escapes) and raw in the text (a syntax error).
    for (kind, quoted) in [
        ("\"\\u001b]0;pwned\\u0007\\u202e\"", true),
        ("\"\x1b]0;pwned\x07\u{202e}\"", false),
    ] {
        let src = VALID.replace("\"optimistic\"", kind);
        let e = invalid(parse_str("a\x1bb.toml", &src, Format::Toml));
        let head = format!("{e} {:?}", e.hint);
        let all = format!("{head} {:?}", miette::Report::new(LoadError::Invalid(e)));
        if quoted {
            assert!(all.contains("\\x1b]0;pwned\\x07\\u202e"), "{all}");
        }
        assert!(all.contains("a\\x1bb.toml:4:"), "{all}");
        assert!(
            !all.chars()
                .any(|c| c == '\x1b' || c == '\x07' || c == '\u{202e}'),
            "{all:?}"
        );
    }
}

#[test]
fn only_regular_files_are_read_and_only_so_much() {
    let dir = tempfile::tempdir().unwrap();
    // Devices and directories are refused before reading.
    let zero = dir.path().join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    assert!(matches!(load_path(&zero), Err(LoadError::NotAFile { .. })));
    let sub = dir.path().join("sub.json");
    std::fs::create_dir(&sub).unwrap();
    assert!(matches!(load_path(&sub), Err(LoadError::NotAFile { .. })));
    // Over the cap: refused from its size, and a bounded read besides.
    let big = dir.path().join("big.toml");
    std::fs::File::create(&big).unwrap().set_len(2048).unwrap();
    let e = read_text(&big, 1024).unwrap_err();
    assert!(matches!(e, LoadError::TooLarge { limit: 1024, .. }), "{e}");
    std::fs::write(&big, VALID).unwrap();
    assert_eq!(read_text(&big, 1024).unwrap(), VALID);
}

#[test]
fn a_dangling_or_looping_symlink_in_a_directory_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), VALID).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
    assert_eq!(
        files_in(dir.path()).unwrap(),
        vec![dir.path().join("a.toml")]
    );
    std::os::unix::fs::symlink("missing.toml", dir.path().join("b.toml")).unwrap();
    let e = files_in(dir.path()).unwrap_err();
    assert!(
        e.to_string()
            .contains("b.toml: a symbolic link leading nowhere"),
        "{e}"
    );
    std::fs::remove_file(dir.path().join("b.toml")).unwrap();
    std::os::unix::fs::symlink("c.json", dir.path().join("c.json")).unwrap();
    let e = files_in(dir.path()).unwrap_err();
    assert!(
        e.to_string()
            .contains("c.json: a symbolic link leading nowhere"),
        "{e}"
    );
    // A symlink to a valid file is read as that file.
    std::fs::remove_file(dir.path().join("c.json")).unwrap();
    std::os::unix::fs::symlink("a.toml", dir.path().join("d.toml")).unwrap();
    assert_eq!(files_in(dir.path()).unwrap().len(), 2);
}
