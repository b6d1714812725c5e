//! Text from a project file never reaches a terminal raw: every control
//! character (ESC, BEL, CR, bidi overrides) in names, reasons, summaries
//! and actors is escaped in the text and Markdown reports.

use std::path::Path;

use l2stage_assess::{Context, assess};
use l2stage_framework::Selection;
use l2stage_model::{Format, parse_str};

/// Removes the colour codes the text renderer writes itself (`ESC [ n;m m`).
fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\x1b[") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(tail.len());
        if tail[end..].starts_with('m') {
            rest = &tail[end + 1..];
        } else {
            // Not a colour code: keep the ESC for the assertion to catch.
            out.push_str("\x1b[");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn control_characters_from_the_file_are_escaped_in_reports() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/base.toml");
    let text = std::fs::read_to_string(path).expect("base.toml");
    let evil = "\\u001b]0;owned\\u0007\\u001b[2J\\r\\u202e";
    let mut hostile = text.clone();
    for key in ["name = \"", "reason = \"", "summary = \""] {
        hostile = hostile.replace(key, &format!("{key}{evil}"));
    }
    assert_ne!(hostile, text);
    let project = parse_str("base.toml", &hostile, Format::Toml).expect("still valid");
    let sel = Selection {
        framework: None,
        as_of: "2026-01-01".parse().expect("date"),
    };
    let a = assess(&project, &Context::new(sel)).expect("assessed");
    let text = l2stage_render::text::render_opts(std::slice::from_ref(&a), true);
    let md = l2stage_render::markdown::render(std::slice::from_ref(&a));
    for (what, out) in [("text", strip_sgr(&text)), ("markdown", md)] {
        assert!(
            out.contains("\\x1b]0;owned\\x07\\x1b[2J\\r\\u202e"),
            "{what}: {out}"
        );
        let bad: Vec<char> = out
            .chars()
            .filter(|c| l2stage_model::text::is_unsafe(*c) && *c != '\n')
            .collect();
        assert!(bad.is_empty(), "{what}: raw {bad:?} in {out}");
    }
}

#[test]
fn the_renderers_own_colours_are_never_escaped() {
    // The risk levels are coloured: escaping them as input text would
    // print `\x1b[32m` literally.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/arbitrum-one.toml");
    let project = l2stage_model::load_path(&path).expect("arbitrum-one.toml");
    let sel = Selection {
        framework: None,
        as_of: "2025-09-01".parse().expect("date"),
    };
    let a = assess(&project, &Context::new(sel)).expect("assessed");
    let text = l2stage_render::text::render_opts(std::slice::from_ref(&a), false);
    assert!(!text.contains("\\x1b"), "{text}");
    let plain = strip_sgr(&text);
    assert!(plain.contains("State validation good"), "{plain}");
}
