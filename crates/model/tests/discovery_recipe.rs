//! `[discovery]`: the recipe `l2stage watch` runs. Valid recipes parse in
//! TOML and JSON alike; every bad one is an error naming the file, line and
//! field; the limits are exact (at the limit: valid; one over: refused).

use l2stage_model::discovery::{MAX_ENTRIES, MAX_ESCROWS, MAX_TOKENS};
use l2stage_model::{Format, LoadError, parse_str};

const HEAD: &str = "[project]\nid = \"w\"\nname = \"W\"\nkind = \"optimistic\"\n\n";
const A: &str = "0xbEb5Fc579115071764c7423A4f12eDde41f106Ed";

fn parse(body: &str) -> Result<l2stage_model::ProjectFile, LoadError> {
    parse_str("w.toml", &format!("{HEAD}{body}"), Format::Toml)
}

/// (line, field, message) of the error.
fn err(body: &str) -> (usize, String, String) {
    match parse(body) {
        Err(LoadError::Invalid(e)) => (e.line, e.field.clone().unwrap_or_default(), e.message),
        other => panic!("expected a located error, got {other:?}"),
    }
}

fn addr(i: usize) -> String {
    format!("0x{i:040x}")
}

#[test]
fn a_recipe_parses_with_escrows() {
    let p = parse(&format!(
        "[discovery]\nchain_id = 1\nentries = [\"{A}\"]\nconfig = \"../discovery/op-stack.toml\"\n\n[[discovery.escrows]]\naddress = \"{A}\"\ntokens = [\"ETH\", \"USDC\", \"wstETH\"]\n"
    ))
    .expect("valid");
    let d = p.discovery.expect("recipe");
    assert_eq!(d.chain_id, 1);
    assert_eq!(d.entries[0].as_str(), A);
    assert_eq!(d.config, "../discovery/op-stack.toml");
    assert_eq!(d.escrows.len(), 1);
    let tokens: Vec<&str> = d.escrows[0].tokens.iter().map(|t| t.as_str()).collect();
    assert_eq!(tokens, ["ETH", "USDC", "wstETH"]);
    // JSON says the same.
    let json = serde_json::to_string(&serde_json::json!({
        "project": {"id": "w", "name": "W", "kind": "optimistic"},
        "discovery": {"chain_id": 1, "entries": [A], "config": "../discovery/op-stack.toml",
            "escrows": [{"address": A, "tokens": ["ETH", "USDC", "wstETH"]}]}
    }))
    .unwrap();
    let j = parse_str("w.json", &json, Format::Json).expect("json");
    assert_eq!(j.discovery, Some(d));
}

#[test]
fn bad_recipes_are_located() {
    let r = |rest: &str| format!("[discovery]\nchain_id = 1\nconfig = \"c.toml\"\n{rest}");
    // Line 6 is `[discovery]`; keys follow.
    let (line, field, msg) = err(&r("entries = [\"0x12\"]\n"));
    assert_eq!((line, field.as_str()), (9, "discovery.entries[0]"));
    assert!(msg.contains("invalid address `0x12`"), "{msg}");

    let (line, field, msg) = err(&r(&format!("entries = [\"{A}\"]\nchian = 2\n")));
    assert_eq!((line, field.as_str()), (10, "discovery.chian"));
    assert!(msg.contains("unknown field `chian`"), "{msg}");

    let (line, field, msg) = err(&r("entries = []\n"));
    assert_eq!((line, field.as_str()), (9, "discovery.entries"));
    assert!(msg.contains("no entries"), "{msg}");

    let (line, field, msg) = err(&r(&format!(
        "entries = [\"{A}\", \"{}\"]\n",
        A.to_lowercase()
    )));
    assert_eq!((line, field.as_str()), (9, "discovery.entries[1]"));
    assert!(msg.contains("listed twice"), "{msg}");

    let (line, field, msg) = err(&format!(
        "[discovery]\nchain_id = 1\nentries = [\"{A}\"]\nconfig = \"/etc/passwd\"\n"
    ));
    assert_eq!((line, field.as_str()), (9, "discovery.config"));
    assert!(msg.contains("absolute"), "{msg}");

    let (line, field, msg) = err(&format!(
        "[discovery]\nchain_id = 0\nentries = [\"{A}\"]\nconfig = \"c.toml\"\n"
    ));
    assert_eq!((line, field.as_str()), (7, "discovery.chain_id"));
    assert!(msg.contains("chain id 0"), "{msg}");

    let esc = |tokens: &str| {
        r(&format!(
            "entries = [\"{A}\"]\n\n[[discovery.escrows]]\naddress = \"{A}\"\ntokens = {tokens}\n"
        ))
    };
    let (line, field, msg) = err(&esc("[\"ETH\", \"US DC\"]"));
    assert_eq!(
        (line, field.as_str()),
        (13, "discovery.escrows[0].tokens[1]")
    );
    assert!(msg.contains("invalid token symbol"), "{msg}");
    let (line, field, _) = err(&esc("[]"));
    assert_eq!((line, field.as_str()), (13, "discovery.escrows[0].tokens"));
    let (line, field, msg) = err(&esc("[\"ETH\", \"ETH\"]"));
    assert_eq!(
        (line, field.as_str()),
        (13, "discovery.escrows[0].tokens[1]")
    );
    assert!(msg.contains("listed twice"), "{msg}");
}

#[test]
fn limits_are_exact() {
    let entries = |n: usize| {
        let list: Vec<String> = (1..=n).map(|i| format!("\"{}\"", addr(i))).collect();
        format!(
            "[discovery]\nchain_id = 1\nconfig = \"c.toml\"\nentries = [\n{}\n]\n",
            list.join(",\n")
        )
    };
    assert!(parse(&entries(MAX_ENTRIES)).is_ok());
    let (line, field, msg) = err(&entries(MAX_ENTRIES + 1));
    // `entries = [` is line 9; element i is on line 10 + i.
    assert_eq!(field, format!("discovery.entries[{MAX_ENTRIES}]"));
    assert_eq!(line, 10 + MAX_ENTRIES);
    assert!(msg.contains("1001 entries"), "{msg}");

    let escrows = |n: usize| {
        let mut s =
            format!("[discovery]\nchain_id = 1\nconfig = \"c.toml\"\nentries = [\"{A}\"]\n");
        for i in 1..=n {
            s.push_str(&format!(
                "[[discovery.escrows]]\naddress = \"{}\"\ntokens = [\"ETH\"]\n",
                addr(i)
            ));
        }
        s
    };
    assert!(parse(&escrows(MAX_ESCROWS)).is_ok());
    let (_, field, msg) = err(&escrows(MAX_ESCROWS + 1));
    assert_eq!(field, format!("discovery.escrows[{MAX_ESCROWS}]"));
    assert!(msg.contains("1001 escrows"), "{msg}");

    let tokens = |n: usize| {
        let list: Vec<String> = (0..n).map(|i| format!("\"T{i}\"")).collect();
        format!(
            "[discovery]\nchain_id = 1\nconfig = \"c.toml\"\nentries = [\"{A}\"]\n[[discovery.escrows]]\naddress = \"{A}\"\ntokens = [{}]\n",
            list.join(", ")
        )
    };
    assert!(parse(&tokens(MAX_TOKENS)).is_ok());
    let (line, field, msg) = err(&tokens(MAX_TOKENS + 1));
    assert_eq!(field, format!("discovery.escrows[0].tokens[{MAX_TOKENS}]"));
    assert_eq!(line, 12);
    assert!(msg.contains("101 tokens"), "{msg}");
}

#[test]
fn the_schema_describes_the_recipe() {
    let schema = l2stage_model::json_schema();
    let text = schema.to_string();
    for k in [
        "DiscoveryRecipe",
        "Escrow",
        "EvmAddress",
        "TokenSymbol",
        "chain_id",
        "escrows",
    ] {
        assert!(text.contains(k), "{k} missing from the schema");
    }
}

/// The catalog's recipes parse, and every one names a shipped config.
#[test]
fn catalog_recipes_parse() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
    let mut n = 0;
    for path in l2stage_model::files_in(&dir).expect("catalog") {
        let p = l2stage_model::load_path(&path).unwrap_or_else(|e| panic!("{e}"));
        if let Some(d) = p.discovery {
            n += 1;
            let config = dir.join(&d.config);
            assert!(config.is_file(), "{}: {}", path.display(), config.display());
        }
    }
    assert!(n >= 19, "{n} recipes");
}
