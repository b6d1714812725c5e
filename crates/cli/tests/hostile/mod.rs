//! The hostile corpus: malformed and hostile project files as an attacker
//! or a careless editor writes them, generated here (nothing is checked in
//! as data). Each [`Case`] is a small directory tree and the arguments of
//! `l2stage assess`; every case must be refused with exit status 2 and a
//! located error. See tests/hostile_corpus.rs.
//!
//! Governance structures beyond the depth limits (1,000 nested multisigs,
//! a chain of 12,000 relays) are here too; tests/deep_structures.rs checks
//! the same limits through the server.

use std::path::Path;

/// What one path of a case is.
pub enum Entry {
    File(Vec<u8>),
    /// A symbolic link to this target (relative to the link, or absolute).
    Symlink(String),
    Dir,
    /// A named pipe: reading it would block forever.
    Fifo,
    /// A sparse file of this size: large without using the disk.
    Sparse(u64),
}

pub struct Case {
    pub name: String,
    /// Paths relative to the case's directory, created in order.
    pub entries: Vec<(String, Entry)>,
    /// The paths given to `l2stage assess` (relative to the case directory).
    pub args: Vec<String>,
    /// Text the error must contain to name the offending file (as escaped
    /// in messages).
    pub names: String,
    /// `names:LINE:` must appear when known.
    pub line: Option<usize>,
    /// Text that must never appear (the content of a file not to be read).
    pub secret: Option<&'static str>,
}

/// A valid project file; the cases are mutations of it.
pub const BASE: &str = "[project]
id = \"demo\"
name = \"Demo\"
kind = \"optimistic\"
";

/// A valid project with a value-locked CSV (`csv` on line 10).
pub const WITH_CSV: &str = "[project]
id = \"demo\"
name = \"Demo\"
kind = \"optimistic\"

[labels]
live_since = 2024-01-01

[labels.value_locked]
csv = \"data/demo.csv\"
";

pub const CSV: &str = "date,total,eth,stablecoins\n2025-01-01,300000000,100000000,20000000\n";

/// The content of a file outside the tree that must never be printed.
pub const SECRET: &str = "SECRET-FILE-CONTENT-4242";

pub const BASE_JSON: &str = "{
  \"project\": {
    \"id\": \"demo\",
    \"name\": \"Demo\",
    \"kind\": \"optimistic\"
  }
}
";

fn file(name: &str, bytes: impl Into<Vec<u8>>) -> (String, Entry) {
    (name.to_string(), Entry::File(bytes.into()))
}

/// One file, assessed by name.
fn single(case: &str, fname: &str, bytes: impl Into<Vec<u8>>, line: Option<usize>) -> Case {
    Case {
        name: case.to_string(),
        entries: vec![file(fname, bytes)],
        args: vec![fname.to_string()],
        names: fname.to_string(),
        line,
        secret: None,
    }
}

/// A file in a directory, the directory assessed.
fn in_dir(case: &str, entries: Vec<(String, Entry)>, names: &str, line: Option<usize>) -> Case {
    let mut all = vec![("cat".to_string(), Entry::Dir)];
    all.extend(entries.into_iter().map(|(p, e)| (format!("cat/{p}"), e)));
    Case {
        name: case.to_string(),
        entries: all,
        args: vec!["cat".to_string()],
        names: names.to_string(),
        line,
        secret: None,
    }
}

/// `BASE` with `kind` replaced (line 4).
fn with_kind(kind: &str) -> String {
    BASE.replace("kind = \"optimistic\"", &format!("kind = {kind}"))
}

/// A project with a CSV named `csv` and the given extra entries.
fn csv_case(case: &str, csv: &str, extra: Vec<(String, Entry)>, names: &str) -> Case {
    let mut entries = vec![
        ("outside".to_string(), Entry::Dir),
        file("outside/secret.csv", format!("{SECRET}\n")),
        ("p".to_string(), Entry::Dir),
        ("p/data".to_string(), Entry::Dir),
        file(
            "p/demo.toml",
            WITH_CSV.replace("data/demo.csv", &csv.replace('\\', "\\\\")),
        ),
    ];
    entries.extend(extra);
    Case {
        name: case.to_string(),
        entries,
        args: vec!["p/demo.toml".to_string()],
        names: names.to_string(),
        line: None,
        secret: Some(SECRET),
    }
}

/// A real catalog file cut inside its `n`th quoted string value: an
/// unterminated string on a known line.
fn truncated_catalog(catalog: &str, n: usize) -> Option<(String, usize)> {
    let at = catalog.match_indices("= \"").nth(n)?.0 + 4;
    let cut = &catalog[..at];
    Some((cut.to_string(), cut.matches('\n').count() + 1))
}

/// Every case. `catalog_file` is the text of a real catalog file.
pub fn corpus(catalog_file: &str) -> Vec<Case> {
    let mut c = Vec::new();

    // Truncation, emptiness.
    for n in [0, 7, 40] {
        if let Some((text, line)) = truncated_catalog(catalog_file, n) {
            c.push(single(
                &format!("truncated-catalog-{n}"),
                "cut.toml",
                text,
                Some(line),
            ));
        }
    }
    c.push(single(
        "truncated-json",
        "cut.json",
        &BASE_JSON[..BASE_JSON.len() / 2],
        None,
    ));
    c.push(single("empty-toml", "empty.toml", "", Some(1)));
    c.push(single("empty-json", "empty.json", "", Some(1)));
    c.push(single("blank", "blank.toml", "\n\n  \t\n", Some(1)));

    // Byte-order marks and encodings.
    c.push(single("bom-only", "bom.toml", "\u{feff}", Some(1)));
    c.push(single(
        "double-bom",
        "bom2.toml",
        format!("\u{feff}\u{feff}{BASE}"),
        Some(1),
    ));
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(BASE.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    c.push(single("utf16le", "utf16.toml", utf16, Some(1)));
    let utf16be: Vec<u8> = [0xfe, 0xff]
        .into_iter()
        .chain(BASE_JSON.encode_utf16().flat_map(|u| u.to_be_bytes()))
        .collect();
    c.push(single("utf16be-json", "utf16.json", utf16be, Some(1)));
    c.push(single(
        "bom-json-with-error",
        "bom.json",
        format!(
            "\u{feff}{}",
            BASE_JSON.replace("\"optimistic\"", "\"zk-rollup\"")
        ),
        Some(5),
    ));
    let name_at = BASE.find("Demo").unwrap_or(0);
    for (label, bad) in [
        ("ff", &[0xffu8][..]),
        ("overlong", &[0xc0, 0xaf][..]),
        ("surrogate", &[0xed, 0xa0, 0x80][..]),
        ("cut-sequence", &[0xe2, 0x82][..]),
    ] {
        let mut bytes = BASE.as_bytes()[..name_at].to_vec();
        bytes.extend_from_slice(bad);
        bytes.extend_from_slice(&BASE.as_bytes()[name_at..]);
        c.push(single(
            &format!("invalid-utf8-{label}"),
            "utf8.toml",
            bytes,
            Some(3),
        ));
    }
    let mut garbage = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut x: u32 = 0x2545_f491;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        garbage.push((x >> 24) as u8);
    }
    c.push(single("binary", "image.toml", garbage, Some(1)));

    // NUL bytes.
    c.push(single(
        "nul-raw",
        "nul.toml",
        BASE.replace("Demo", "De\0mo"),
        Some(3),
    ));
    c.push(single(
        "nul-escaped-and-bad-kind",
        "nul2.toml",
        with_kind("\"\\u0000\"").replace("Demo", "De\\u0000mo"),
        Some(4),
    ));
    c.push(single(
        "nul-json",
        "nul.json",
        BASE_JSON.replace("Demo", "De\0mo"),
        Some(4),
    ));

    // Wrong types.
    c.push(single(
        "id-integer",
        "t.toml",
        BASE.replace("\"demo\"", "5"),
        Some(2),
    ));
    c.push(single(
        "kind-array",
        "t.toml",
        with_kind("[\"x\"]"),
        Some(4),
    ));
    c.push(single(
        "history-string",
        "t.toml",
        format!("{BASE}history = \"x\"\n"),
        Some(5),
    ));
    c.push(single(
        "requirements-integer",
        "t.toml",
        format!("requirements = 3\n{BASE}"),
        Some(1),
    ));
    c.push(single(
        "date-string",
        "t.toml",
        format!("{BASE}\n[labels]\nlive_since = \"soon\"\n"),
        Some(7),
    ));
    c.push(single(
        "impossible-date",
        "t.toml",
        format!("{BASE}\n[labels]\nlive_since = 2024-02-30\n"),
        Some(7),
    ));
    c.push(single(
        "datetime-for-date",
        "t.toml",
        format!("{BASE}\n[labels]\nlive_since = 2024-01-01T00:00:00Z\n"),
        Some(7),
    ));
    c.push(single(
        "integer-overflow",
        "t.toml",
        format!("{BASE}\n[labels]\nlive_since = 2024-01-01\n[labels.value_locked]\npoints = []\ngap_tolerance_days = 99999999999999999999\n"),
        Some(10),
    ));
    c.push(single(
        "nan",
        "t.toml",
        format!("{BASE}\n[labels]\nlive_since = 2024-01-01\n[labels.value_locked]\npoints = []\ngap_tolerance_days = nan\n"),
        Some(10),
    ));
    c.push(single(
        "json-wrong-type",
        "t.json",
        BASE_JSON.replace("\"demo\"", "[1, 2]"),
        Some(3),
    ));
    c.push(single(
        "json-trailing",
        "t.json",
        format!("{BASE_JSON}{{}}"),
        Some(8),
    ));

    // Unknown and duplicate keys.
    c.push(single(
        "unknown-top-level",
        "u.toml",
        format!("{BASE}foo = 1\n"),
        Some(5),
    ));
    c.push(single(
        "unknown-escaped-key",
        "u.toml",
        format!("{BASE}\"\\u001b]0;t\\u0007\" = 1\n"),
        Some(5),
    ));
    c.push(single(
        "unknown-huge-key",
        "u.toml",
        format!("{BASE}{} = 1\n", "k".repeat(1 << 20)),
        Some(5),
    ));
    c.push(single(
        "duplicate-key",
        "d.toml",
        format!("{BASE}name = \"Again\"\n"),
        Some(5),
    ));
    c.push(single(
        "duplicate-key-json",
        "d.json",
        BASE_JSON.replace(
            "\"kind\": \"optimistic\"",
            "\"kind\": \"optimistic\", \"name\": \"Again\"",
        ),
        Some(5),
    ));

    // Huge values.
    c.push(single(
        "huge-id",
        "big.toml",
        BASE.replace("\"demo\"", &format!("\"{}\"", "X".repeat(10 << 20))),
        Some(2),
    ));
    c.push(single(
        "huge-id-json",
        "big.json",
        BASE_JSON.replace("\"demo\"", &format!("\"{}\"", "x-".repeat(5 << 20))),
        Some(3),
    ));
    c.push(single(
        "huge-bad-kind",
        "big.toml",
        with_kind(&format!("\"{}\"", "\\u001b[2J".repeat(100_000))),
        Some(4),
    ));

    // Control characters.
    c.push(single(
        "control-in-value",
        "esc.toml",
        with_kind("\"\\u001b]0;owned\\u0007\\u001b[2J\\r\\u202e\\u0085\"")
            .replace("Demo", "\\u001b[31mDemo\\u0007"),
        Some(4),
    ));
    c.push(single(
        "control-raw",
        "esc.toml",
        BASE.replace("Demo", "\x1b]0;owned\x07\x1b[2J"),
        Some(3),
    ));
    c.push(single(
        "lone-cr",
        "cr.toml",
        BASE.replace('\n', "\r"),
        Some(1),
    ));
    c.push(single(
        "crlf-with-error",
        "crlf.toml",
        with_kind("\"zk\"").replace('\n', "\r\n"),
        Some(4),
    ));
    c.push(single(
        "bidi-in-json",
        "bidi.json",
        BASE_JSON.replace("\"optimistic\"", "\"opt\u{202e}imistic\u{2066}\""),
        Some(5),
    ));
    c.push(Case {
        name: "control-in-file-name".into(),
        entries: vec![file("evil\x1b]0;t\x07.toml", with_kind("\"zk\""))],
        args: vec!["evil\x1b]0;t\x07.toml".into()],
        names: "evil\\x1b]0;t\\x07.toml".into(),
        line: Some(4),
        secret: None,
    });

    // Deep nesting of TOML and JSON values (not governance structures).
    c.push(single(
        "deep-arrays",
        "deep.toml",
        format!("{BASE}x = {}{}\n", "[".repeat(20_000), "]".repeat(20_000)),
        Some(5),
    ));
    c.push(single(
        "deep-inline-tables",
        "deep.toml",
        format!(
            "{BASE}x = {}1{}\n",
            "{a = ".repeat(20_000),
            "}".repeat(20_000)
        ),
        Some(5),
    ));
    c.push(single(
        "deep-dotted-header",
        "deep.toml",
        format!("{BASE}[{}]\n", vec!["a"; 20_000].join(".")),
        None,
    ));
    c.push(single(
        "deep-json-arrays",
        "deep.json",
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        Some(1),
    ));
    c.push(single(
        "deep-json-objects",
        "deep.json",
        format!(
            "{{\"project\": {}1{}}}",
            "{\"a\":".repeat(100_000),
            "}".repeat(100_000)
        ),
        Some(1),
    ));

    // Very long arrays.
    c.push(single(
        "long-array-unknown-key",
        "long.toml",
        format!("{BASE}x = [{}]\n", vec!["0"; 200_000].join(",")),
        Some(5),
    ));
    c.push(single(
        "long-evidence-wrong-type",
        "long.toml",
        format!(
            "{BASE}\n[requirements]\nprinciple = {{ status = \"met\", reason = \"r\", evidence = [{}] }}\n",
            vec!["1"; 200_000].join(",")
        ),
        Some(7),
    ));

    // Several files: the same id twice.
    c.push(Case {
        name: "duplicate-ids".into(),
        entries: vec![
            ("cat".into(), Entry::Dir),
            file("cat/a.toml", BASE),
            file("cat/b.toml", BASE.replace("Demo", "Other")),
        ],
        args: vec!["cat".into()],
        names: "b.toml".into(),
        line: None,
        secret: None,
    });
    // Another file's alias is an id too: `demo` would be ambiguous.
    c.push(Case {
        name: "alias-repeats-another-id".into(),
        entries: vec![
            ("cat".into(), Entry::Dir),
            file("cat/a.toml", BASE),
            file(
                "cat/b.toml",
                BASE.replace("id = \"demo\"", "id = \"other\"\naliases = [\"demo\"]"),
            ),
        ],
        args: vec!["cat".into()],
        names: "b.toml".into(),
        line: None,
        secret: None,
    });

    // Files that are not files, in a catalog directory and named directly.
    c.push(in_dir(
        "dangling-symlink",
        vec![
            file("a.toml", BASE),
            ("b.toml".into(), Entry::Symlink("missing.toml".into())),
        ],
        "b.toml",
        None,
    ));
    c.push(in_dir(
        "looping-symlink",
        vec![
            file("a.toml", BASE),
            ("loop.toml".into(), Entry::Symlink("loop2.toml".into())),
            ("loop2.toml".into(), Entry::Symlink("loop.toml".into())),
        ],
        "loop.toml",
        None,
    ));
    c.push(in_dir(
        "dev-zero-in-catalog",
        vec![("zero.toml".into(), Entry::Symlink("/dev/zero".into()))],
        "zero.toml: not a regular file",
        None,
    ));
    c.push(in_dir(
        "directory-in-catalog",
        vec![file("a.toml", BASE), ("dir.json".into(), Entry::Dir)],
        "dir.json: not a regular file",
        None,
    ));
    c.push(in_dir(
        "fifo-in-catalog",
        vec![("pipe.toml".into(), Entry::Fifo)],
        "pipe.toml: not a regular file",
        None,
    ));
    c.push(Case {
        name: "dev-zero-named".into(),
        entries: vec![("zero.toml".into(), Entry::Symlink("/dev/zero".into()))],
        args: vec!["zero.toml".into()],
        names: "zero.toml: not a regular file".into(),
        line: None,
        secret: None,
    });
    c.push(Case {
        name: "too-large".into(),
        entries: vec![("big.toml".into(), Entry::Sparse((16 << 20) + 1))],
        args: vec!["big.toml".into()],
        names: "big.toml: the file is larger than the 16 MiB allowed".into(),
        line: None,
        secret: None,
    });
    c.push(Case {
        name: "empty-catalog".into(),
        entries: vec![("cat".into(), Entry::Dir), file("cat/notes.txt", "x")],
        args: vec!["cat".into()],
        names: "cat: no project files".into(),
        line: None,
        secret: None,
    });

    // Files named inside a project file: the value-locked CSV.
    for (label, csv) in [
        ("traversal", "../../../../etc/passwd"),
        ("traversal-secret", "../outside/secret.csv"),
        ("traversal-inner", "data/../../outside/secret.csv"),
        ("absolute", "/etc/passwd"),
        ("windows", "C:\\Windows\\win.ini"),
        ("empty", ""),
    ] {
        let mut case = csv_case(&format!("csv-{label}"), csv, vec![], "demo.toml:");
        case.line = Some(9); // the [labels.value_locked] table
        c.push(case);
    }
    let located = "demo.toml:10:"; // the csv key
    c.push(csv_case(
        "csv-symlink-out",
        "data/link.csv",
        vec![(
            "p/data/link.csv".into(),
            Entry::Symlink("../../outside/secret.csv".into()),
        )],
        located,
    ));
    c.push(csv_case(
        "csv-symlinked-dir-out",
        "data/out/secret.csv",
        vec![("p/data/out".into(), Entry::Symlink("../../outside".into()))],
        located,
    ));
    c.push(csv_case(
        "csv-dev-zero",
        "data/zero.csv",
        vec![("p/data/zero.csv".into(), Entry::Symlink("/dev/zero".into()))],
        located,
    ));
    c.push(csv_case(
        "csv-directory",
        "data/dir.csv",
        vec![("p/data/dir.csv".into(), Entry::Dir)],
        "dir.csv: not a regular file",
    ));
    c.push(csv_case(
        "csv-fifo",
        "data/pipe.csv",
        vec![("p/data/pipe.csv".into(), Entry::Fifo)],
        "pipe.csv: not a regular file",
    ));
    c.push(csv_case(
        "csv-too-large",
        "data/big.csv",
        vec![("p/data/big.csv".into(), Entry::Sparse((16 << 20) + 1))],
        "big.csv: the file is larger than the 16 MiB allowed",
    ));
    c.push(csv_case("csv-missing", "data/none.csv", vec![], "none.csv"));
    let mut bad_csv = csv_case(
        "csv-bad-cell",
        "data/demo.csv",
        vec![file(
            "p/data/demo.csv",
            format!(
                "{CSV}2025-02-01,3e8,\x1b]0;x\x07{},0\n",
                "9".repeat(1 << 20)
            ),
        )],
        "demo.csv",
    );
    bad_csv.line = Some(3);
    c.push(bad_csv);
    let mut utf8_csv = csv_case(
        "csv-invalid-utf8",
        "data/demo.csv",
        vec![file("p/data/demo.csv", {
            let mut b = CSV.as_bytes().to_vec();
            b.extend_from_slice(b"2025-02-01,\xff,1,1\n");
            b
        })],
        "demo.csv",
    );
    utf8_csv.line = Some(3);
    c.push(utf8_csv);

    // Proof-system files beside the project.
    let uses_ps = format!("{BASE}\n[labels]\nproof_systems = [\"demo-vm\"]\n");
    for (label, entry, names, line) in [
        (
            "ps-dev-zero",
            Entry::Symlink("/dev/zero".into()),
            "demo-vm.toml: not a regular file",
            None,
        ),
        (
            "ps-dangling",
            Entry::Symlink("nowhere.toml".into()),
            "demo-vm.toml: a symbolic link leading nowhere",
            None,
        ),
        (
            "ps-invalid-utf8",
            Entry::File(b"name = \"Demo VM\"\nkind = \"fr\xffaud\"\n".to_vec()),
            "demo-vm.toml",
            Some(2),
        ),
        (
            "ps-control-characters",
            Entry::File(b"name = \"\\u001b]0;t\\u0007\"\nkind = \"\\u001b[2J\"\n".to_vec()),
            "demo-vm.toml",
            Some(2),
        ),
    ] {
        c.push(Case {
            name: label.into(),
            entries: vec![
                file("demo.toml", uses_ps.clone()),
                ("proof-systems".into(), Entry::Dir),
                ("proof-systems/demo-vm.toml".into(), entry),
            ],
            args: vec!["demo.toml".into()],
            names: names.into(),
            line,
            secret: None,
        });
    }

    // Beyond the governance depth limits (docs/project-format.md,
    // "Limits"): refused when the file is validated, never a stack
    // overflow or minutes of analysis.
    c.push(single(
        "nested-multisigs-1000",
        "deep.toml",
        deep_multisigs(1_000),
        Some(400),
    ));
    c.push(single(
        "relay-chain-12000",
        "chain.toml",
        relay_chain(12_000),
        Some(60_016),
    ));

    // `[discovery]` recipes (docs/project-format.md, "Limits"): refused when
    // the file is validated, located at the key.
    for (label, body, line) in discovery_cases() {
        c.push(single(
            &format!("discovery-{label}"),
            "demo.toml",
            format!("{BASE}{body}"),
            Some(line),
        ));
    }

    c
}

const ENTRY: &str = "\"0xbEb5Fc579115071764c7423A4f12eDde41f106Ed\"";

/// `[discovery]` tables appended to `BASE` (which has 4 lines), with the
/// line the error must name.
fn discovery_cases() -> Vec<(&'static str, String, usize)> {
    let recipe = |entries: &str, config: &str| {
        format!("\n[discovery]\nchain_id = 1\nentries = [{entries}]\nconfig = \"{config}\"\n")
    };
    // 100,000 distinct entries (4.4 MB): refused on the count, not after a
    // crawl plan (10^6 of them pass the 16 MiB file limit, refused first).
    let many: Vec<String> = (0..100_000u32).map(|i| format!("\"0x{i:040x}\"")).collect();
    let tokens: Vec<String> = (0..101).map(|i| format!("\"T{i}\"")).collect();
    vec![
        (
            "entries-100000",
            recipe(&many.join(","), "../discovery/op-stack.toml"),
            8,
        ),
        ("entries-none", recipe("", "../discovery/op-stack.toml"), 8),
        (
            "entry-twice",
            recipe(&format!("{ENTRY},{ENTRY}"), "x.toml"),
            8,
        ),
        (
            "config-traversal",
            recipe(ENTRY, "../../../../etc/passwd"),
            9,
        ),
        ("config-absolute", recipe(ENTRY, "/etc/l2stage.toml"), 9),
        (
            "config-escape-code",
            recipe(ENTRY, "\\u001b]0;pwned\\u0007.toml"),
            9,
        ),
        (
            "chain-id-0",
            recipe(ENTRY, "x.toml").replace("chain_id = 1", "chain_id = 0"),
            7,
        ),
        (
            "chain-id-overflow",
            recipe(ENTRY, "x.toml").replace("chain_id = 1", "chain_id = 18446744073709551616"),
            7,
        ),
        (
            "escrow-101-tokens",
            format!(
                "{}\n[[discovery.escrows]]\naddress = {ENTRY}\ntokens = [{}]\n",
                recipe(ENTRY, "x.toml"),
                tokens.join(",")
            ),
            13,
        ),
        (
            "escrow-bad-symbol",
            format!(
                "{}\n[[discovery.escrows]]\naddress = {ENTRY}\ntokens = [\"US DC\"]\n",
                recipe(ENTRY, "x.toml")
            ),
            13,
        ),
    ]
}

const GOV_HEAD: &str = "[project]\nid = \"deep\"\nname = \"Deep\"\nkind = \"optimistic\"\n\n[governance.exit]\nforced_inclusion = \"1d\"\nfinalization = \"7d\"\nproposing = \"permissionless\"\nchallenging = \"permissionless\"\n";

/// `levels` one-member multisigs, each a member of the next; the
/// outermost is the Security Council and can upgrade.
fn deep_multisigs(levels: usize) -> String {
    let mut s = GOV_HEAD.to_string();
    for i in 0..levels {
        let member = if i == 0 {
            "{ entity = \"Alice\", affiliation = \"outside\" }".to_string()
        } else {
            format!("{{ actor = \"m{}\" }}", i - 1)
        };
        let council = if i + 1 == levels {
            "security_council = true\n"
        } else {
            ""
        };
        s.push_str(&format!(
            "\n[[governance.actors]]\nid = \"m{i}\"\nkind = \"multisig\"\nthreshold = 1\n{council}members = [{member}]\n"
        ));
    }
    s.push_str(&format!(
        "\n[[governance.powers]]\nactor = \"m{}\"\npower = \"upgrade\"\n",
        levels - 1
    ));
    s
}

/// A key, then `n` relays chained through `senders`; the last upgrades.
fn relay_chain(n: usize) -> String {
    let mut s = GOV_HEAD.to_string();
    s.push_str("\n[[governance.actors]]\nid = \"r0\"\nkind = \"eoa\"\n");
    for i in 1..=n {
        s.push_str(&format!(
            "\n[[governance.actors]]\nid = \"r{i}\"\nkind = \"relay\"\ndelay = \"1h\"\nsenders = [\"r{}\"]\n",
            i - 1
        ));
    }
    s.push_str(&format!(
        "\n[[governance.powers]]\nactor = \"r{n}\"\npower = \"upgrade\"\n"
    ));
    s
}

/// Create a case's entries under `dir`. Returns false when this system
/// cannot make one of them (a FIFO without `mkfifo`).
pub fn materialize(case: &Case, dir: &Path) -> bool {
    for (rel, entry) in &case.entries {
        let path = dir.join(rel);
        match entry {
            Entry::File(bytes) => std::fs::write(&path, bytes).expect("write"),
            Entry::Symlink(target) => std::os::unix::fs::symlink(target, &path).expect("symlink"),
            Entry::Dir => std::fs::create_dir_all(&path).expect("mkdir"),
            Entry::Sparse(len) => std::fs::File::create(&path)
                .and_then(|f| f.set_len(*len))
                .expect("sparse file"),
            Entry::Fifo => {
                let made = std::process::Command::new("mkfifo")
                    .arg(&path)
                    .status()
                    .is_ok_and(|s| s.success());
                if !made {
                    return false;
                }
            }
        }
    }
    true
}
