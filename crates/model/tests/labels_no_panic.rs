//! No input panics the label parsers: arbitrary text as a value-locked CSV,
//! as a `[labels]` section and as a proof-system file gives a value or a
//! located error whose line is inside the text.

use l2stage_model::labels::{parse_proof_system, parse_value_csv};
use l2stage_model::{Format, LoadError, parse_str};
use proptest::prelude::*;

fn line_ok(e: &LoadError, src: &str) -> bool {
    match e {
        LoadError::Invalid(inv) => inv.line >= 1 && inv.line <= src.lines().count().max(1) + 1,
        _ => true,
    }
}

/// CSV-ish text: dates, numbers, commas, signs, quotes, comments, newlines.
fn csvish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("date,total,eth,stablecoins\n".to_string()),
            Just("date,total,eth,stablecoins,other\n".to_string()),
            Just("# comment\n".to_string()),
            Just("\n".to_string()),
            Just("\u{feff}".to_string()),
            "(19|20|99)[0-9]{2}-[01][0-9]-[0-3][0-9]",
            "-?[0-9]{0,12}(\\.[0-9]{1,3})?(e[0-9]{1,3})?",
            Just(",".to_string()),
            Just("\"".to_string()),
            Just("NaN".to_string()),
            Just("inf".to_string()),
            ".{0,3}",
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn csv_never_panics(src in csvish()) {
        if let Err(e) = parse_value_csv("x.csv", &src) {
            prop_assert!(line_ok(&e, &src), "{e}");
        }
    }

    #[test]
    fn labels_section_never_panics(body in csvish()) {
        let src = format!(
            "[project]\nid = \"x\"\nname = \"X\"\nkind = \"optimistic\"\n[labels.value_locked]\npoints = [{{ date = 2025-01-01, total = {} }}]\n",
            body.lines().next().unwrap_or("")
        );
        if let Err(e) = parse_str("x.toml", &src, Format::Toml) {
            prop_assert!(line_ok(&e, &src), "{e}");
        }
    }

    #[test]
    fn proof_system_file_never_panics(src in ".{0,200}") {
        for format in [Format::Toml, Format::Json] {
            if let Err(e) = parse_proof_system("p", &src, format) {
                prop_assert!(line_ok(&e, &src), "{e}");
            }
        }
    }
}
