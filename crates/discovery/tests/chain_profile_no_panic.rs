//! Property-based: the chain-profile parser never panics, on arbitrary text
//! and on mutations of the shipped profiles (catalog/chains/), and every
//! error it gives starts with a line number within the text.

use std::path::Path;

use l2stage_discovery::chain_profile::ChainProfile;
use proptest::prelude::*;

fn profiles() -> &'static [String] {
    static FILES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/chains");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("catalog/chains/")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        let texts: Vec<String> = paths
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("read"))
            .collect();
        for (p, t) in paths.iter().zip(&texts) {
            if let Err(e) = ChainProfile::parse(t) {
                panic!("{}: {e}", p.display());
            }
        }
        assert!(!texts.is_empty());
        texts
    })
}

fn boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The error names a line of the text (`LINE: …`).
fn located(text: &str, e: &str) -> bool {
    let lines = text.lines().count().max(1) + 1;
    e.split(':')
        .next()
        .and_then(|n| n.trim().parse::<usize>().ok())
        .is_some_and(|n| (1..=lines).contains(&n))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(s in "(?s).{0,300}") {
        if let Err(e) = ChainProfile::parse(&s) {
            prop_assert!(located(&s, &e), "{e}");
        }
    }

    #[test]
    fn mutated_profiles_never_panic(
        which in any::<usize>(),
        pos in any::<usize>(),
        len in 0usize..40,
        insert in prop_oneof![
            ".{0,12}",
            Just("255".to_string()),
            Just("100000000000000000000000000000000000000000000000000000000000000000000000000000".to_string()),
            Just("-1".to_string()),
            Just("0x".to_string()),
            Just("\"\"".to_string()),
            Just("[tokens.\"\u{1b}[31m\"]".to_string()),
            Just("[[".to_string()),
            Just("\n".to_string()),
        ],
    ) {
        let files = profiles();
        let mut s = files[which % files.len()].clone();
        let start = boundary(&s, pos % (s.len() + 1));
        let end = boundary(&s, start + len);
        s.replace_range(start..end, &insert);
        if let Err(e) = ChainProfile::parse(&s) {
            prop_assert!(located(&s, &e), "{e}");
            prop_assert!(!e.contains('\u{1b}'), "{e}");
        }
    }
}
