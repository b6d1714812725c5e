//! Text from input made safe to print: control characters escaped, over-long
//! values shortened.
//!
//! Every string read from a project file, a CSV, a file name or a request can
//! hold terminal escape sequences (ESC, BEL, CR...) or bidirectional
//! overrides that would rewrite what a terminal shows. [`escape`] (one-line
//! values), [`escape_text`] (multi-line text) and [`escape_terminal`]
//! (everything written to a terminal) are the one place they are neutralised; [`quote`] also shortens a value to [`QUOTE_MAX_CHARS`]
//! characters so that a 10 MB id makes a small error.

use std::borrow::Cow;
use std::fmt::{self, Write};
use std::path::Path;

/// Characters of a value shown before it is cut by [`quote`].
pub const QUOTE_MAX_CHARS: usize = 80;

/// Bytes of an error message kept by [`message`]; longer ones are cut.
pub const MESSAGE_MAX_BYTES: usize = 2000;

/// Whether `c` must not reach a terminal as is: C0 and C1 control
/// characters, DEL, and the Unicode bidirectional controls.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

fn escape_with(s: &str, keep_lines: bool) -> Cow<'_, str> {
    let keep = |c: char| keep_lines && (c == '\n' || c == '\t');
    if !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_unsafe(c) || keep(c) {
            out.push(c);
            continue;
        }
        let _ = match c {
            '\n' => out.write_str("\\n"),
            '\r' => out.write_str("\\r"),
            '\t' => out.write_str("\\t"),
            '\0' => out.write_str("\\0"),
            c if (c as u32) < 0x7f => write!(out, "\\x{:02x}", c as u32),
            // DEL, C1 and bidi controls as `\u0085`: also a valid JSON and
            // TOML escape, for [`escape_terminal`] over serialised output.
            c => write!(out, "\\u{:04x}", c as u32),
        };
    }
    Cow::Owned(out)
}

/// A one-line value with every control character escaped (`\x1b`, `\n`,
/// `\u{202e}`...). Text without any is returned as is.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_with(s, false)
}

/// Multi-line text (a rendered report, a message): like [`escape`] but line
/// feeds and tabs are kept.
pub fn escape_text(s: &str) -> Cow<'_, str> {
    escape_with(s, true)
}

/// Everything written to a terminal (stdout, stderr) as a last line of
/// defence: like [`escape_text`], except that the colour codes l2stage
/// writes itself (SGR, `ESC [ 1;31 m`) are kept. Any other escape sequence
/// (titles, cursor moves, hyperlinks, screen clearing) is escaped. Serialised
/// JSON or TOML stays valid: their serialisers already escape C0 characters,
/// and the others become `\uXXXX`.
pub fn escape_terminal(s: &str) -> Cow<'_, str> {
    let sgr_len = |rest: &str| -> Option<usize> {
        let tail = rest.strip_prefix("\x1b[")?;
        let end = tail.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
        tail[end..].starts_with('m').then_some(2 + end + 1)
    };
    let needs = s.char_indices().any(|(i, c)| {
        is_unsafe(c) && c != '\n' && c != '\t' && !(c == '\x1b' && sgr_len(&s[i..]).is_some())
    });
    if !needs {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut i = 0;
    while i < s.len() {
        if let Some(n) = sgr_len(&s[i..]) {
            out.push_str(&s[i..i + n]);
            i += n;
            continue;
        }
        let c = s[i..].chars().next().unwrap_or('\0');
        let len = c.len_utf8();
        out.push_str(&escape_text(&s[i..i + len]));
        i += len;
    }
    Cow::Owned(out)
}

/// A value to quote in a message: escaped, and cut after
/// [`QUOTE_MAX_CHARS`] characters with its size, e.g. `aaaa… (10485760 bytes)`.
pub fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_MAX_CHARS) {
        None => escape(s).into_owned(),
        Some((end, _)) => format!("{}… ({} bytes)", escape(&s[..end]), s.len()),
    }
}

/// A path for a message, escaped (a file name can hold control characters).
pub fn path(p: &Path) -> String {
    escape(&p.to_string_lossy()).into_owned()
}

/// Displays a path escaped, for `#[error(...)]` attributes.
pub struct SafePath<'a>(pub &'a Path);

impl fmt::Display for SafePath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape(&self.0.to_string_lossy()))
    }
}

/// An error message made safe: control characters escaped (line feeds
/// kept), every `` `quoted` `` or `"quoted"` part longer than
/// [`QUOTE_MAX_CHARS`] shortened as [`quote`] does, and the whole cut at
/// [`MESSAGE_MAX_BYTES`].
pub fn message(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len().min(MESSAGE_MAX_BYTES + 64));
    let mut rest = msg;
    while let Some(open) = rest.find(['`', '"']) {
        let delim = rest[open..].chars().next().unwrap_or('`');
        out.push_str(&escape_text(&rest[..=open]));
        let inner = &rest[open + 1..];
        match inner.find(delim) {
            Some(close) => {
                out.push_str(&quote(&inner[..close]));
                out.push(delim);
                rest = &inner[close + 1..];
            }
            None => {
                out.push_str(&quote(inner));
                rest = "";
            }
        }
        if out.len() > MESSAGE_MAX_BYTES {
            break;
        }
    }
    out.push_str(&escape_text(rest));
    if out.len() > MESSAGE_MAX_BYTES {
        let mut end = MESSAGE_MAX_BYTES;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        let total = out.len();
        out.truncate(end);
        let _ = write!(out, "… (message cut, {total} bytes)");
    }
    out
}

/// Characters of a source line shown in an error's snippet.
const SNIPPET_LINE_CHARS: usize = 160;

/// The part of `src` an error's snippet shows, made safe: the lines around
/// `offset` (two before, two after), each escaped and cut to
/// [`SNIPPET_LINE_CHARS`] characters (the error line around the error's
/// column); earlier lines are left empty so line numbers stay right, later
/// ones dropped. Returns the snippet and the error's offset and length in it.
pub fn snippet(src: &str, offset: usize) -> (String, usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let err_line = src[..offset].bytes().filter(|b| *b == b'\n').count();
    let mut out = String::new();
    let mut at = None;
    let mut start = 0usize;
    for (i, raw) in src.split_inclusive('\n').enumerate() {
        if i > err_line + 2 {
            break;
        }
        let has_nl = raw.ends_with('\n');
        if i + 2 < err_line {
            if has_nl {
                out.push('\n');
            }
            start += raw.len();
            continue;
        }
        let body = raw.strip_suffix('\n').unwrap_or(raw);
        let body = body.strip_suffix('\r').unwrap_or(body);
        if i == err_line {
            let col = (offset - start).min(body.len());
            let (text, pos) = window(body, col);
            at = Some((out.len() + pos, text.len() - pos));
            out.push_str(&text);
        } else {
            out.push_str(&window(body, 0).0);
        }
        if has_nl {
            out.push('\n');
        }
        start += raw.len();
    }
    let (at, len) = at.unwrap_or((out.len(), 0));
    (out, at, len)
}

/// One line cut to [`SNIPPET_LINE_CHARS`] characters around byte `col`,
/// escaped; and where `col` lands in the result.
fn window(line: &str, col: usize) -> (String, usize) {
    let escape_line = |s: &str| -> String {
        // Tabs are kept (miette expands them); everything else escaped.
        escape_with(s, true).replace('\n', "\\n")
    };
    if line.len() <= SNIPPET_LINE_CHARS {
        let pre = escape_line(&line[..col]);
        let pos = pre.len();
        return (pre + &escape_line(&line[col..]), pos);
    }
    let col_chars = line[..col].chars().count();
    // From the line's start when the error is near it (the column miette
    // shows then stays right); else from a little before the error.
    let first = if col_chars + SNIPPET_LINE_CHARS / 4 <= SNIPPET_LINE_CHARS {
        0
    } else {
        col_chars - SNIPPET_LINE_CHARS / 3
    };
    let byte_at = |n: usize| line.char_indices().nth(n).map_or(line.len(), |(b, _)| b);
    let from = byte_at(first);
    let to = byte_at(first + SNIPPET_LINE_CHARS).max(col);
    let mut text = String::new();
    if from > 0 {
        text.push('…');
    }
    text.push_str(&escape_line(&line[from..col]));
    let pos = text.len();
    text.push_str(&escape_line(&line[col..to]));
    if to < line.len() {
        text.push('…');
    }
    (text, pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(escape("plain"), Cow::Borrowed("plain"));
        assert_eq!(
            escape("a\x1b]0;t\x07b\rc\n\u{202e}d\u{85}\0"),
            "a\\x1b]0;t\\x07b\\rc\\n\\u202ed\\u0085\\0"
        );
        assert_eq!(escape_text("a\n\tb\x1b"), "a\n\tb\\x1b");
    }

    #[test]
    fn terminal_output_keeps_colours_only() {
        let s = "\x1b[1;31mred\x1b[0m \x1b]0;title\x07 \x1b[2J\u{85}\n";
        assert_eq!(
            escape_terminal(s),
            "\x1b[1;31mred\x1b[0m \\x1b]0;title\\x07 \\x1b[2J\\u0085\n"
        );
        assert_eq!(escape_terminal("plain\n"), Cow::Borrowed("plain\n"));
        // Serialised JSON stays valid.
        let json = serde_json::to_string(&"a\u{202e}\u{7f}\x1b").unwrap();
        let safe = escape_terminal(&json);
        assert_eq!(
            serde_json::from_str::<String>(&safe).unwrap(),
            "a\u{202e}\u{7f}\x1b"
        );
        assert!(!safe.chars().any(is_unsafe), "{safe}");
    }

    #[test]
    fn quotes_long_values_short() {
        let long = "x".repeat(10_000);
        let q = quote(&long);
        assert_eq!(q, format!("{}… (10000 bytes)", "x".repeat(80)));
        assert_eq!(quote("é\x07"), "é\\x07");
    }

    #[test]
    fn messages_shorten_quoted_parts_and_stay_small() {
        let long = "y".repeat(1_000_000);
        let m = message(&format!("invalid id `{long}`: use 1-64 letters"));
        assert_eq!(
            m,
            format!(
                "invalid id `{}… (1000000 bytes)`: use 1-64 letters",
                "y".repeat(80)
            )
        );
        let m = message(&format!("no quotes {long}"));
        assert!(m.len() < MESSAGE_MAX_BYTES + 64, "{}", m.len());
        assert!(m.ends_with("(message cut, 1000010 bytes)"), "{m}");
        assert_eq!(message("a \"b\x1b\" c"), "a \"b\\x1b\" c");
    }

    #[test]
    fn snippet_keeps_line_numbers_and_points_at_the_error() {
        let src = "l1\nl2\nl3\nl4\nkey = \"\x1bbad\"\nl6\nl7\nl8\nl9\n";
        let off = src.find("\"\x1b").unwrap();
        let (s, at, len) = snippet(src, off);
        assert_eq!(s, "\n\nl3\nl4\nkey = \"\\x1bbad\"\nl6\nl7\n");
        assert_eq!(&s[at..at + len], "\"\\x1bbad\"");
        // A 1 MB line is cut around the error.
        let src = format!("a = \"{}\"", "z".repeat(1_000_000));
        let (s, at, _) = snippet(&src, 500_000);
        assert!(s.len() < 4 * SNIPPET_LINE_CHARS, "{}", s.len());
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert_eq!(&s[at..at + 1], "z");
        // An error near the start of a long line: shown from the start.
        let (s, at, _) = snippet(&src, 5);
        assert!(s.starts_with("a = \"z") && s.ends_with('…'), "{s}");
        assert_eq!(at, 5);
        // The end of the text.
        let (s, at, len) = snippet("a\n", 2);
        assert_eq!((s.as_str(), at, len), ("a\n", 2, 0));
    }
}
