//! Property-based: the discovery config parser never panics, on arbitrary
//! text and on mutations of the repository's real configs (discovery/).

use std::path::Path;

use l2stage_discovery::Config;
use proptest::prelude::*;

fn configs() -> &'static [String] {
    static FILES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../discovery");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("discovery/")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        let texts: Vec<String> = paths
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("read"))
            .collect();
        for (p, t) in paths.iter().zip(&texts) {
            // The originals are valid: the mutations start from real configs.
            if let Err(e) = Config::parse(t) {
                panic!("{}: {e}", p.display());
            }
        }
        assert!(texts.len() >= 2);
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(s in "(?s).{0,300}") {
        let _ = Config::parse(&s);
    }

    #[test]
    fn mutated_configs_never_panic(
        which in any::<usize>(),
        pos in any::<usize>(),
        len in 0usize..40,
        insert in prop_oneof![
            ".{0,12}",
            Just("0x".to_string()),
            Just("0xffffffffffffffffffffffffffffffffffffffffff".to_string()),
            Just("()".to_string()),
            Just("uint256[]".to_string()),
            Just("\"\"".to_string()),
            Just("[[".to_string()),
            Just("\n".to_string()),
            Just("-1".to_string()),
            Just("99999999999999999999s".to_string()),
        ],
    ) {
        let files = configs();
        let mut s = files[which % files.len()].clone();
        let start = boundary(&s, pos % (s.len() + 1));
        let end = boundary(&s, start + len);
        s.replace_range(start..end, &insert);
        let _ = Config::parse(&s);
    }
}
