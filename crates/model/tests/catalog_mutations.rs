//! Property-based: mutations of the real catalog's project files, in TOML
//! and as JSON, never panic the parser; every error is located inside the
//! text, small, and free of control characters.

use std::path::Path;

use l2stage_model::{Format, LoadError, ProjectFile, parse_str};
use proptest::prelude::*;

/// Every catalog project file, as TOML and as JSON.
fn catalog() -> Vec<(String, Format)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("catalog")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| Format::of_project_file(p) == Some(Format::Toml))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).expect("read");
        let project: ProjectFile = match parse_str("x.toml", &text, Format::Toml) {
            Ok(p) => p,
            Err(e) => panic!("{}: {e}", p.display()),
        };
        let json = serde_json::to_string_pretty(&project).expect("json");
        out.push((text, Format::Toml));
        out.push((json, Format::Json));
    }
    assert!(out.len() >= 20, "{} files", out.len());
    out
}

fn files() -> &'static [(String, Format)] {
    static FILES: std::sync::OnceLock<Vec<(String, Format)>> = std::sync::OnceLock::new();
    FILES.get_or_init(catalog)
}

/// A mutation: replace `len` bytes at `pos` with `insert`, or duplicate,
/// or cut the text.
#[derive(Debug, Clone)]
enum Mutation {
    Replace {
        pos: usize,
        len: usize,
        insert: String,
    },
    Truncate {
        pos: usize,
    },
    Duplicate {
        pos: usize,
        len: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let insert = prop_oneof![
        ".{0,12}",
        Just("\u{feff}".to_string()),
        Just("\x1b]0;t\x07".to_string()),
        Just("\\u001b".to_string()),
        Just("[[".to_string()),
        Just("{".to_string()),
        Just("\"".to_string()),
        Just("\n".to_string()),
        Just("= \"x\"\n".to_string()),
        Just("9".repeat(30)),
        Just("-".to_string()),
    ];
    prop_oneof![
        (any::<usize>(), 0usize..40, insert).prop_map(|(pos, len, insert)| Mutation::Replace {
            pos,
            len,
            insert
        }),
        any::<usize>().prop_map(|pos| Mutation::Truncate { pos }),
        (any::<usize>(), 1usize..200).prop_map(|(pos, len)| Mutation::Duplicate { pos, len }),
    ]
}

fn boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut s = text.to_string();
    match m {
        Mutation::Replace { pos, len, insert } => {
            let start = boundary(&s, pos % (s.len() + 1));
            let end = boundary(&s, start + len);
            s.replace_range(start..end, insert);
        }
        Mutation::Truncate { pos } => s.truncate(boundary(&s, pos % (s.len() + 1))),
        Mutation::Duplicate { pos, len } => {
            let start = boundary(&s, pos % (s.len() + 1));
            let end = boundary(&s, start + len);
            let piece = s[start..end].to_string();
            s.insert_str(end, &piece);
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn mutated_catalog_files_never_panic(which in any::<usize>(), muts in proptest::collection::vec(mutation(), 1..4)) {
        let files = files();
        let (text, format) = &files[which % files.len()];
        let mut s = text.clone();
        for m in &muts {
            s = apply(&s, m);
        }
        if let Err(e) = parse_str("x", &s, *format) {
            let shown = e.to_string();
            prop_assert!(shown.len() < 4_000, "{} bytes", shown.len());
            prop_assert!(!shown.chars().any(|c| l2stage_model::text::is_unsafe(c) && c != '\n'), "{shown:?}");
            if let LoadError::Invalid(inv) = e {
                prop_assert!(inv.line >= 1 && inv.line <= s.split('\n').count(), "line {} of {}", inv.line, s.split('\n').count());
            }
        }
    }
}
