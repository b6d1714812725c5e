//! Every limit on a `[governance]` structure (`l2stage_model::limits`): a
//! file at the limit is valid, one step over is refused with an error
//! naming the file, the line and the field of the actor or power that
//! crosses it.

use l2stage_model::limits::{
    MAX_ACTORS, MAX_CHAIN_HOPS, MAX_EXPANDED_SIGNERS, MAX_MULTISIG_NESTING, MAX_PATH_STEPS,
    MAX_PATHS_PER_ACTOR, MAX_POWERS,
};
use l2stage_model::{Format, LoadError, parse_str};

/// A project file in TOML: a header, then `actors` and `powers` as
/// `[[governance.actors]]` / `[[governance.powers]]` bodies.
struct File {
    text: String,
    /// Lines written so far.
    lines: usize,
}

impl File {
    fn new() -> File {
        File::of(
            "[project]\nid = \"limits\"\nname = \"Limits\"\nkind = \"optimistic\"\n\n[governance.exit]\nforced_inclusion = \"1d\"\nfinalization = \"7d\"\nproposing = \"permissionless\"\nchallenging = \"permissionless\"\n",
        )
    }
    fn of(text: &str) -> File {
        File {
            text: text.to_string(),
            lines: text.matches('\n').count(),
        }
    }
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.lines += s.matches('\n').count();
    }
    /// Adds an actor; returns the line of its `[[governance.actors]]`.
    fn actor(&mut self, body: &str) -> usize {
        self.push("\n");
        let line = self.lines + 1;
        self.push("[[governance.actors]]\n");
        self.push(body);
        self.push("\n");
        line
    }
    /// Adds an `upgrade` power; returns the line of its `actor`.
    fn power(&mut self, actor: &str) -> usize {
        self.push("\n[[governance.powers]]\n");
        let line = self.lines + 1;
        self.push(&format!("actor = \"{actor}\"\npower = \"upgrade\"\n"));
        line
    }
}

fn eoa(f: &mut File, id: &str) -> usize {
    f.actor(&format!("id = \"{id}\"\nkind = \"eoa\""))
}

fn timelock(f: &mut File, id: &str, proposers: &[String]) -> usize {
    let list: Vec<String> = proposers.iter().map(|p| format!("\"{p}\"")).collect();
    f.actor(&format!(
        "id = \"{id}\"\nkind = \"timelock\"\ndelay = \"1h\"\nproposers = [{}]",
        list.join(", ")
    ))
}

/// The error of an invalid file: (line, field, message).
fn refused(f: &File) -> (usize, String, String) {
    match parse_str("limits.toml", &f.text, Format::Toml) {
        Ok(_) => panic!("accepted a file over the limit"),
        Err(LoadError::Invalid(e)) => {
            assert_eq!(e.file, "limits.toml");
            (
                e.line,
                e.field.clone().unwrap_or_default(),
                e.message.clone(),
            )
        }
        Err(other) => panic!("not a located error: {other}"),
    }
}

fn accepted(f: &File) {
    if let Err(e) = parse_str("limits.toml", &f.text, Format::Toml) {
        panic!("refused a file at the limit: {e}");
    }
}

/// `n` single-member multisigs, each signing in the next; the outermost is
/// the Security Council. Returns the file and the line of each actor.
fn nested(n: usize) -> (File, Vec<usize>) {
    let mut f = File::new();
    let mut lines = vec![f.actor(
        "id = \"ms0\"\nkind = \"multisig\"\nthreshold = 1\nmembers = [{ entity = \"Alice\" }]",
    )];
    for i in 1..n {
        let council = if i == n - 1 {
            "\nsecurity_council = true"
        } else {
            ""
        };
        lines.push(f.actor(&format!(
            "id = \"ms{i}\"\nkind = \"multisig\"\nthreshold = 1{council}\nmembers = [{{ actor = \"ms{}\" }}]",
            i - 1
        )));
    }
    f.power(&format!("ms{}", n - 1));
    (f, lines)
}

#[test]
fn multisig_nesting() {
    assert_eq!(MAX_MULTISIG_NESTING, 64);
    accepted(&nested(MAX_MULTISIG_NESTING).0);
    let (f, lines) = nested(MAX_MULTISIG_NESTING + 1);
    let (line, field, message) = refused(&f);
    // The 65th multisig (the council), on its `members` line (under id,
    // kind, threshold and security_council).
    assert_eq!(line, lines[64] + 5);
    assert_eq!(field, "governance.actors[64].members");
    assert_eq!(message, "multisig `ms64` nests multisigs more than 64 deep");
    // 1,000 levels: refused at the same place, not overflowing anything.
    let (f, _) = nested(1_000);
    assert_eq!(refused(&f).1, "governance.actors[64].members");
}

/// A line of `n` timelocks behind one key: `n` hops.
fn chain(n: usize, kind: &str, powers: usize) -> (File, Vec<usize>) {
    let mut f = File::new();
    let mut lines = vec![eoa(&mut f, "a0")];
    let field = if kind == "relay" {
        "senders"
    } else {
        "proposers"
    };
    for i in 1..=n {
        lines.push(f.actor(&format!(
            "id = \"a{i}\"\nkind = \"{kind}\"\ndelay = \"1h\"\n{field} = [\"a{}\"]",
            i - 1
        )));
    }
    for _ in 0..powers {
        f.power(&format!("a{n}"));
    }
    (f, lines)
}

#[test]
fn chain_hops() {
    assert_eq!(MAX_CHAIN_HOPS, 10_000);
    accepted(&chain(MAX_CHAIN_HOPS, "timelock", 1).0);
    let (f, lines) = chain(MAX_CHAIN_HOPS + 1, "relay", 1);
    let (line, field, message) = refused(&f);
    assert_eq!(line, lines[10_001]);
    assert_eq!(field, "governance.actors[10001]");
    assert_eq!(
        message,
        "actor `a10001` ends a chain of more than 10000 hops (proposers, senders, executors or nested members, one behind the other)"
    );
}

/// A multisig with `n` signers in all: `n - 10` keys and a nested 9-of-9
/// multisig (one signer plus nine).
fn wide(n: usize) -> (File, usize) {
    let mut f = File::new();
    let inner: Vec<String> = (0..9)
        .map(|i| format!("{{ entity = \"in{i}\" }}"))
        .collect();
    f.actor(&format!(
        "id = \"inner\"\nkind = \"multisig\"\nthreshold = 9\nmembers = [{}]",
        inner.join(", ")
    ));
    let mut members: Vec<String> = (0..n - 10)
        .map(|i| format!("{{ entity = \"k{i}\" }}"))
        .collect();
    members.push("{ actor = \"inner\" }".into());
    let line = f.actor(&format!(
        "id = \"outer\"\nkind = \"multisig\"\nthreshold = 1\nsecurity_council = true\nmembers = [{}]",
        members.join(", ")
    ));
    (f, line)
}

#[test]
fn expanded_signers() {
    assert_eq!(MAX_EXPANDED_SIGNERS, 1_000);
    accepted(&wide(MAX_EXPANDED_SIGNERS).0);
    let (f, line) = wide(MAX_EXPANDED_SIGNERS + 1);
    let (l, field, message) = refused(&f);
    assert_eq!(l, line + 5);
    assert_eq!(field, "governance.actors[1].members");
    assert_eq!(
        message,
        "multisig `outer` has more than 1000 signers counting those of its nested multisigs (each time they sign)"
    );
    // A diamond of nested Safes signing twice at each level expands to
    // 2^40 signers: refused, and counted without expanding it.
    let mut f = File::new();
    f.actor("id = \"d0\"\nkind = \"multisig\"\nthreshold = 1\nmembers = [{ entity = \"A\" }]");
    for i in 1..=40 {
        f.actor(&format!(
            "id = \"d{i}\"\nkind = \"multisig\"\nthreshold = 2\nmembers = [{{ actor = \"d{p}\" }}, {{ actor = \"d{p}\" }}]",
            p = i - 1
        ));
    }
    let (_, field, _) = refused(&f);
    // d9 expands to 2 + 2·(d8) … = 2^10 − 2 + 2 = 1,022 signers.
    assert_eq!(field, "governance.actors[9].members");
}

/// `fan` keys, `fan` timelocks each proposed by every key, and a holder
/// proposed by every timelock (and `extra` keys): fan² + extra paths.
fn fan(fan: usize, extra: usize) -> (File, usize) {
    let mut f = File::new();
    let keys: Vec<String> = (0..fan).map(|i| format!("k{i}")).collect();
    for k in &keys {
        eoa(&mut f, k);
    }
    let mut tls: Vec<String> = Vec::new();
    for i in 0..fan {
        let id = format!("t{i}");
        timelock(&mut f, &id, &keys);
        tls.push(id);
    }
    tls.extend(keys.iter().take(extra).cloned());
    timelock(&mut f, "holder", &tls);
    let line = f.power("holder");
    (f, line)
}

#[test]
fn paths_per_power() {
    assert_eq!(MAX_PATHS_PER_ACTOR, 10_000);
    accepted(&fan(100, 0).0);
    let (f, line) = fan(100, 1);
    let (l, field, message) = refused(&f);
    assert_eq!(l, line);
    assert_eq!(field, "governance.powers[0].actor");
    assert_eq!(
        message,
        "more than 10000 distinct chains of actors lead to `holder`: the structure is too entangled to analyse"
    );
}

#[test]
fn path_steps() {
    assert_eq!(MAX_PATH_STEPS, 200_000);
    // 9,999 timelocks behind a key: one chain of 10,000 actors per power.
    accepted(&chain(9_999, "timelock", 20).0);
    let (f, _) = chain(9_999, "timelock", 21);
    let (_, field, message) = refused(&f);
    assert_eq!(field, "governance.powers[20].actor");
    assert_eq!(
        message,
        "the chains of actors behind the powers up to this one list more than 200000 actors in all: the analysis would be too large"
    );
}

#[test]
fn actor_and_power_counts() {
    assert_eq!((MAX_ACTORS, MAX_POWERS), (20_000, 20_000));
    let mut f = File::new();
    for i in 0..MAX_ACTORS {
        eoa(&mut f, &format!("e{i}"));
    }
    let mut at_limit = File::of(&f.text);
    for _ in 0..MAX_POWERS {
        at_limit.power("e0");
    }
    accepted(&at_limit);
    at_limit.power("e0");
    let (_, field, message) = refused(&at_limit);
    assert_eq!(field, "governance.powers[20000]");
    assert_eq!(
        message,
        "20001 powers, more than the 20000 a structure may have"
    );

    let line = eoa(&mut f, "one-more");
    let (l, field, message) = refused(&f);
    assert_eq!(l, line);
    assert_eq!(field, "governance.actors[20000]");
    assert_eq!(
        message,
        "20001 actors, more than the 20000 a structure may have"
    );
}

#[test]
fn json_files_are_located_at_the_element() {
    // The same 65 nested multisigs in JSON: the error points at the
    // `members` of the 65th, not of the first.
    let actors: Vec<serde_json::Value> = (0..=MAX_MULTISIG_NESTING)
        .map(|i| {
            let member = if i == 0 {
                serde_json::json!({"entity": "Alice"})
            } else {
                serde_json::json!({"actor": format!("ms{}", i - 1)})
            };
            serde_json::json!({"id": format!("ms{i}"), "kind": "multisig", "threshold": 1, "members": [member]})
        })
        .collect();
    let doc = serde_json::json!({
        "project": {"id": "limits", "name": "Limits", "kind": "optimistic"},
        "governance": {
            "exit": {"forced_inclusion": "1d", "finalization": "7d", "proposing": "permissionless"},
            "actors": actors,
        },
    });
    let text = serde_json::to_string_pretty(&doc).expect("json");
    let id = text.find("\"ms64\"").expect("ms64");
    let members = id + text[id..].find("\"members\"").expect("members");
    let want = text[..members].matches('\n').count() + 1;
    match parse_str("limits.json", &text, Format::Json) {
        Err(LoadError::Invalid(e)) => {
            assert_eq!(e.line, want);
            assert_eq!(e.field.as_deref(), Some("governance.actors[64].members"));
        }
        other => panic!("{other:?}"),
    }
}
