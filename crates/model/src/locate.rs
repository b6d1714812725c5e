//! Finding where a field sits in the source text, for errors found after
//! parsing (a reference to an unknown actor, a cycle...).

use toml::de::{DeTable, DeValue};

use crate::governance::PathSeg;
use crate::parse::Format;

/// Byte offset of the value at `path`, or of the closest ancestor found.
pub fn locate(src: &str, format: Format, path: &[PathSeg]) -> usize {
    match format {
        Format::Toml => locate_toml(src, path).unwrap_or(0),
        Format::Json => locate_json(src, path),
    }
}

fn locate_toml(src: &str, path: &[PathSeg]) -> Option<usize> {
    let root = DeTable::parse(src).ok()?;
    let mut best = root.span().start;
    let mut table: Option<&DeTable> = Some(root.get_ref());
    let mut value: Option<&DeValue> = None;
    for seg in path {
        let next = match seg {
            PathSeg::Key(k) => table
                .and_then(|t| {
                    t.iter()
                        .find(|(key, _)| key.get_ref().as_ref() == k.as_str())
                })
                .map(|(key, v)| {
                    // Point at the key: most errors are about the key = value line.
                    best = key.span().start;
                    v
                }),
            PathSeg::Index(i) => value
                .and_then(|v| v.as_array())
                .and_then(|a| a.get(*i))
                .inspect(|v| {
                    best = v.span().start;
                }),
        };
        let Some(next) = next else { break };
        value = Some(next.get_ref());
        table = next.get_ref().as_table();
    }
    Some(best)
}

/// JSON has no spans in serde_json: find the last key of the path as a
/// quoted string after its parent's key. Good enough to point at the line.
fn locate_json(src: &str, path: &[PathSeg]) -> usize {
    let mut from = 0;
    for seg in path {
        if let PathSeg::Key(k) = seg
            && let Some(pos) = src[from..].find(&format!("\"{k}\""))
        {
            from += pos;
        }
    }
    from
}
