//! Writing a discovered structure as a project file fragment: TOML with a
//! header of comments (block, warnings, placeholders, immutable contracts),
//! or JSON (the same structure; warnings go to stderr).

use l2stage_model::governance::Governance;
use serde::Serialize;

use crate::structure::Discovered;

#[derive(Serialize)]
struct Fragment<'a> {
    governance: &'a Governance,
}

/// The TOML fragment's header line saying how to use it (`discover
/// --project` replaces it: its output is a complete project file).
pub const PASTE_HINT: &str =
    "# Paste it into a project file that has a [project] section, then run `l2stage assess`.\n";

pub fn toml(d: &Discovered) -> Result<String, String> {
    let body = toml::to_string(&Fragment {
        governance: &d.governance,
    })
    .map_err(|e| e.to_string())?;
    let mut out = String::new();
    let pin = &d.facts.pin;
    out.push_str("# [governance] discovered on chain by `l2stage discover`.\n");
    out.push_str(&format!(
        "# Chain {}, block {}{}{}.\n",
        pin.chain_id,
        pin.block,
        pin.hash.map(|h| format!(" ({h})")).unwrap_or_default(),
        pin.timestamp
            .and_then(|t| chrono::DateTime::from_timestamp(t as i64, 0))
            .map(|t| format!(", {}", t.format("%Y-%m-%d %H:%M:%S UTC")))
            .unwrap_or_default()
    ));
    out.push_str(&format!(
        "# Entries: {}.\n",
        d.facts
            .entries
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    out.push_str(&format!(
        "# {} address(es) in {} level(s); {} round trip(s), {} HTTP request(s).\n",
        d.facts.nodes.len(),
        d.facts.depth + 1,
        d.facts.stats.round_trips,
        d.facts.stats.http_requests
    ));
    out.push_str(PASTE_HINT);
    if !d.placeholders.is_empty() {
        out.push_str("#\n# PLACEHOLDERS (not read on chain nor configured: check them before relying on the verdict):\n");
        for p in &d.placeholders {
            out.push_str(&comment_item(p));
        }
    }
    if !d.warnings.is_empty() {
        out.push_str("#\n# Warnings:\n");
        for w in &d.warnings {
            out.push_str(&comment_item(w));
        }
    }
    if !d.immutable.is_empty() {
        out.push_str("#\n# Immutable (no EIP-1967 implementation, admin or beacon slot; no one can upgrade them):\n");
        for i in &d.immutable {
            out.push_str(&comment_item(i));
        }
    }
    out.push('\n');
    out.push_str(&body);
    Ok(out)
}

fn comment_item(s: &str) -> String {
    format!("#  - {}\n", s.replace('\n', "\n#    "))
}

pub fn json(d: &Discovered) -> Result<String, String> {
    let mut s = serde_json::to_string_pretty(&Fragment {
        governance: &d.governance,
    })
    .map_err(|e| e.to_string())?;
    s.push('\n');
    Ok(s)
}
