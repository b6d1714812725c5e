//! Arbitrary bytes and mutated valid files never panic the parser.

use l2stage_model::{Format, parse_str};
use proptest::prelude::*;

const VALID: &str = r#"[project]
id = "demo"
name = "Demo"
kind = "optimistic"
links.node_source = "https://example.org"

[requirements]
proof-system = { status = "met", reason = "r", evidence = ["https://e"] }
principle = "unmet"

[[history]]
date = 2024-06-10
summary = "s"
requirements.principle = "met"
"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn arbitrary_text_never_panics(s in ".{0,400}") {
        let _ = parse_str("x.toml", &s, Format::Toml);
        let _ = parse_str("x.json", &s, Format::Json);
    }

    #[test]
    fn mutated_valid_file_never_panics(pos in 0usize..VALID.len(), len in 0usize..20, insert in ".{0,10}") {
        let mut s = VALID.to_string();
        let start = (0..=pos).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
        let end = (start + len).min(s.len());
        let end = (end..=s.len()).find(|i| s.is_char_boundary(*i)).unwrap_or(s.len());
        s.replace_range(start..end, &insert);
        // Errors always carry a position inside the text.
        if let Err(l2stage_model::LoadError::Invalid(e)) = parse_str("x.toml", &s, Format::Toml) {
            prop_assert!(e.line >= 1 && e.line <= s.lines().count().max(1) + 1);
        }
    }
}

#[test]
fn the_valid_file_parses() {
    let p = parse_str("x.toml", VALID, Format::Toml).unwrap();
    assert_eq!(p.project.id.as_str(), "demo");
    assert_eq!(p.history.len(), 1);
}
