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

/// JSON has no spans in serde_json: walk the text along the path (keys in
/// objects, indices in arrays) and point at the last key found, or at the
/// array element. Iterative: nesting depth costs no stack.
fn locate_json(src: &str, path: &[PathSeg]) -> usize {
    let b = src.as_bytes();
    let mut at = skip_ws(b, 0);
    let mut best = at;
    for seg in path {
        let found = match seg {
            PathSeg::Key(k) => find_key(b, at, k),
            PathSeg::Index(i) => find_index(b, at, *i),
        };
        let Some((point, value)) = found else { break };
        best = point;
        at = value;
    }
    best
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The end of the string starting at `i` (a `"`), after its closing quote.
fn skip_string(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// The end of the value starting at `i`.
fn skip_value(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i = skip_string(b, i);
                if depth == 0 {
                    return i;
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b',' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// In the object at `i`: (where key `k` is, where its value starts).
fn find_key(b: &[u8], i: usize, k: &str) -> Option<(usize, usize)> {
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let mut i = skip_ws(b, i + 1);
    while b.get(i) == Some(&b'"') {
        let end = skip_string(b, i);
        let name = b.get(i + 1..end.saturating_sub(1))?;
        let colon = skip_ws(b, end);
        if b.get(colon) != Some(&b':') {
            return None;
        }
        let value = skip_ws(b, colon + 1);
        if name == k.as_bytes() {
            return Some((i, value));
        }
        i = skip_ws(b, skip_value(b, value));
        if b.get(i) != Some(&b',') {
            return None;
        }
        i = skip_ws(b, i + 1);
    }
    None
}

/// In the array at `i`: where element `n` starts (twice).
fn find_index(b: &[u8], i: usize, n: usize) -> Option<(usize, usize)> {
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let mut i = skip_ws(b, i + 1);
    for _ in 0..n {
        if matches!(b.get(i), None | Some(b']')) {
            return None;
        }
        i = skip_ws(b, skip_value(b, i));
        if b.get(i) != Some(&b',') {
            return None;
        }
        i = skip_ws(b, i + 1);
    }
    if matches!(b.get(i), None | Some(b']')) {
        return None;
    }
    Some((i, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> PathSeg {
        PathSeg::Key(k.into())
    }

    #[test]
    fn json_paths_follow_keys_and_indices() {
        let src = "{\"a\": {\"x\": 1, \"list\": [\n  {\"id\": \"p\", \"s\": \"[,}\\\"\"},\n  {\"id\": \"q\", \"members\": [1]}\n]}}";
        let at = |path: &[PathSeg]| locate_json(src, path);
        let second = src.find("{\"id\": \"q\"").expect("second");
        assert_eq!(at(&[key("a"), key("list"), PathSeg::Index(1)]), second);
        assert_eq!(
            at(&[key("a"), key("list"), PathSeg::Index(1), key("members")]),
            src.find("\"members\"").expect("members")
        );
        // Not there: the closest ancestor found.
        assert_eq!(
            at(&[key("a"), key("list"), PathSeg::Index(2)]),
            src.find("\"list\"").expect("list")
        );
        assert_eq!(at(&[key("a"), key("nope")]), src.find("\"a\"").expect("a"));
    }
}
