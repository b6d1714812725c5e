//! Reading project files (TOML or JSON) into [`ProjectFile`], with errors that
//! name the file, line, column and field, and hint at the closest valid key.

use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};

use crate::project::ProjectFile;
use crate::requirement::closest_of;
use crate::text::SafePath;

/// Largest project (or proof-system) file read, in bytes: 16 MiB.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A project file that could not be read or is invalid.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum LoadError {
    #[error("cannot read {}: {source}", SafePath(path))]
    #[diagnostic(code(l2stage::io))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{}: unsupported file type: project files are .toml or .json",
        SafePath(path)
    )]
    #[diagnostic(code(l2stage::file_type))]
    UnsupportedType { path: PathBuf },
    /// A device, FIFO, directory...: never read.
    #[error("{}: not a regular file", SafePath(path))]
    #[diagnostic(code(l2stage::not_a_file))]
    NotAFile { path: PathBuf },
    #[error("{}: the file is larger than the {} MiB allowed", SafePath(path), limit / (1024 * 1024))]
    #[diagnostic(code(l2stage::too_large))]
    TooLarge { path: PathBuf, limit: u64 },
    /// A file refused before reading: one named inside a project file that
    /// lies outside its directory, a dangling symlink in a catalog.
    #[error("{}: {message}", SafePath(path))]
    #[diagnostic(code(l2stage::refused_path))]
    Refused { path: PathBuf, message: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidFile>),
}

/// A located error inside a project file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{file}:{line}:{column}: {}{message}", field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
#[diagnostic(code(l2stage::invalid_project_file))]
pub struct InvalidFile {
    pub file: String,
    /// 1-based line of the offending value or key.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Dotted path of the offending field, e.g. `history[1].requirements.principle`.
    pub field: Option<String>,
    pub message: String,
    #[help]
    pub hint: Option<String>,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: SourceSpan,
}

/// Which syntax a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
}

/// Files a catalog directory holds beside its project files, which
/// directory loaders skip: the agreement table with L2BEAT's stages
/// (docs/methodology.md).
pub const CATALOG_DATA_FILES: &[&str] = &["l2beat-agreement.toml"];

impl Format {
    /// The format of a file in a catalog directory that is a project file:
    /// `.toml` or `.json`, except the catalog's own data files
    /// ([`CATALOG_DATA_FILES`]).
    pub fn of_project_file(path: &Path) -> Option<Format> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if CATALOG_DATA_FILES.contains(&name) {
            return None;
        }
        Format::from_path(path)
    }

    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => Some(Format::Toml),
            Some("json") => Some(Format::Json),
            _ => None,
        }
    }
}

/// Read and parse a project file; the syntax follows the extension.
pub fn load_path(path: &Path) -> Result<ProjectFile, LoadError> {
    let format = Format::from_path(path).ok_or_else(|| LoadError::UnsupportedType {
        path: path.to_path_buf(),
    })?;
    let src = read_text(path, MAX_FILE_BYTES)?;
    parse_str(&path.display().to_string(), &src, format)
}

/// The `.toml` and `.json` files directly inside `dir`, sorted. An entry
/// with one of these extensions that is not a regular file is an error
/// naming it, never skipped silently: a dangling or looping symlink, a
/// directory, a FIFO or a device.
pub fn files_in(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let io = |path: &Path, source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let path = entry.map_err(|e| io(dir, e))?.path();
        if Format::of_project_file(&path).is_some() {
            paths.push(path);
        }
    }
    paths.sort();
    for path in &paths {
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => {}
            Ok(_) => return Err(LoadError::NotAFile { path: path.clone() }),
            Err(e) if path.is_symlink() => {
                return Err(LoadError::Refused {
                    path: path.clone(),
                    message: format!("a symbolic link leading nowhere (dangling or looping): {e}"),
                });
            }
            Err(e) => return Err(io(path, e)),
        }
    }
    Ok(paths)
}

/// Read a UTF-8 text file of at most `limit` bytes. Symlinks are followed;
/// what they lead to must be a regular file (never a device, a FIFO or a
/// directory, which are refused before reading). The read itself is bounded
/// too, in case the file grows. Invalid UTF-8 is a located error giving its
/// byte offset.
pub fn read_text(path: &Path, limit: u64) -> Result<String, LoadError> {
    use std::io::Read;
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(LoadError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let too_large = || LoadError::TooLarge {
        path: path.to_path_buf(),
        limit,
    };
    if meta.len() > limit {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        invalid(
            &path.display().to_string(),
            &lossy,
            at,
            None,
            &format!("invalid UTF-8 at byte offset {at}: the file must be UTF-8 text"),
        )
    })
}

/// Parse a project file's text. `name` is used in error messages.
pub fn parse_str(name: &str, src: &str, format: Format) -> Result<ProjectFile, LoadError> {
    let project: ProjectFile = match format {
        Format::Toml => parse_toml(name, src),
        Format::Json => parse_json(name, src),
    }?;
    project.validate().map_err(|e| {
        let offset = crate::locate::locate(src, format, &e.path);
        let mut err = invalid(name, src, offset, Some(e.path_string()), &e.message);
        if let LoadError::Invalid(inv) = &mut err {
            inv.hint = e.hint.map(|h| crate::text::message(&h));
        }
        err
    })?;
    Ok(project)
}

fn parse_toml<T: serde::de::DeserializeOwned>(name: &str, src: &str) -> Result<T, LoadError> {
    let de = toml::Deserializer::parse(src).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        invalid(name, src, offset, toml_key_at(src, offset), e.message())
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = field_path(e.path());
        let inner = e.into_inner();
        let offset = inner.span().map(|s| s.start).unwrap_or(0);
        invalid(name, src, offset, path, inner.message())
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(name: &str, src: &str) -> Result<T, LoadError> {
    // A byte-order mark is accepted, as in TOML; offsets stay those of `src`.
    let bom = if src.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let full = src;
    let src = &src[bom..];
    let invalid = |name: &str, _: &str, offset: usize, path: Option<String>, msg: &str| {
        invalid(name, full, bom + offset, path, msg)
    };
    let mut de = serde_json::Deserializer::from_str(src);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let parsed = result.map_err(|e| {
        let path = field_path(e.path());
        let inner = e.into_inner();
        let offset = json_offset(src, inner.line(), inner.column());
        // serde_json appends " at line L column C" to its messages; we say it once.
        let msg = inner.to_string();
        let msg = msg
            .rsplit_once(" at line ")
            .map(|(m, _)| m.to_string())
            .unwrap_or(msg);
        invalid(name, src, offset, path, &msg)
    })?;
    de.end().map_err(|e| {
        invalid(
            name,
            src,
            json_offset(src, e.line(), e.column()),
            None,
            "trailing characters after the JSON document",
        )
    })?;
    Ok(parsed)
}

fn field_path(path: &serde_path_to_error::Path) -> Option<String> {
    let s = path.to_string();
    (s != "." && !s.is_empty()).then_some(s)
}

/// Byte offset of serde_json's 1-based (line, column) position, whose
/// column counts bytes; kept on a character boundary of that line.
fn json_offset(src: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in src.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let mut at = column.saturating_sub(1).min(l.len());
            while !l.is_char_boundary(at) {
                at -= 1;
            }
            return offset + at;
        }
        offset += l.len();
    }
    src.len()
}

/// Byte offset of a 1-based (line, column) position; column counts characters.
#[cfg(test)]
fn offset_of(src: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in src.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.chars()
                    .take(column.saturating_sub(1))
                    .map(char::len_utf8)
                    .sum::<usize>();
        }
        offset += l.len();
    }
    src.len()
}

/// The dotted key written on the line holding `offset`, prefixed with the
/// table header above it (`history[1].date`). Used for syntax errors, which
/// TOML reports before any field is known.
fn toml_key_at(src: &str, offset: usize) -> Option<String> {
    let (line_no, _) = line_col(src, offset);
    let mut header: Option<String> = None;
    let mut array_counts: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    for line in src.lines().take(line_no.saturating_sub(1)) {
        let t = line.trim();
        if let Some(name) = t
            .strip_prefix("[[")
            .and_then(|r| r.split_once("]]"))
            .map(|(n, _)| n.trim().to_string())
        {
            let n = array_counts.entry(name.clone()).or_insert(0);
            header = Some(format!("{name}[{n}]"));
            *n += 1;
        } else if let Some(name) = t
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .map(|(n, _)| n.trim().to_string())
        {
            header = Some(name);
        }
    }
    let line = src.lines().nth(line_no.saturating_sub(1))?;
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    match (header, key) {
        (Some(h), Some(k)) => Some(format!("{h}.{k}")),
        (None, Some(k)) => Some(k),
        (h, None) => h,
    }
}

/// 1-based (line, column) of a byte offset.
fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// Build the located error, completing the field path for unknown keys and
/// turning serde's "expected one of" lists into a closest-match hint.
fn invalid(name: &str, src: &str, offset: usize, path: Option<String>, message: &str) -> LoadError {
    let (line, column) = line_col(src, offset);
    let message = message.trim().to_string();
    let (message, hint, unknown_key) = split_hint(&message);
    let field = match (path, unknown_key) {
        (Some(p), Some(k)) if message.starts_with("unknown field") && !p.ends_with(&k) => {
            Some(format!("{p}.{k}"))
        }
        (None, Some(k)) if message.starts_with("unknown field") => Some(k),
        (p, _) => p,
    };
    // Everything from the input is escaped and shortened: the error reaches
    // terminals, and a 10 MB value must make a small message.
    let name = crate::text::escape(name).into_owned();
    let (snippet, at, len) = crate::text::snippet(src, offset);
    LoadError::Invalid(Box::new(InvalidFile {
        file: name.clone(),
        line,
        column,
        field: field.map(|f| crate::text::message(&f)),
        message: crate::text::message(&message),
        hint: hint.map(|h| crate::text::message(&h)),
        src: NamedSource::new(name, snippet),
        span: SourceSpan::new(at.into(), len),
    }))
}

/// From `unknown field `nme`, expected one of `id`, `name`` make
/// (`unknown field `nme``, `did you mean `name`?`, `nme`).
fn split_hint(message: &str) -> (String, Option<String>, Option<String>) {
    let Some((head, tail)) = message.split_once(", expected") else {
        return (message.to_string(), None, None);
    };
    if !head.starts_with("unknown ") {
        return (head.to_string(), Some(format!("expected{tail}")), None);
    }
    let candidates: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    let given = head.split('`').nth(1).map(str::to_string);
    let closest = given
        .as_deref()
        .and_then(|g| closest_of(g, candidates.iter().copied()));
    let hint = match (closest, candidates.is_empty()) {
        (Some(c), _) => Some(format!("did you mean `{c}`?")),
        (None, false) => Some(format!("expected one of: {}", candidates.join(", "))),
        (None, true) => Some(format!("expected{tail}")),
    };
    (head.to_string(), hint, given)
}

/// Parse another document of the model (e.g. a proof-system file, see
/// [`crate::labels`]) with the same located errors as project files.
pub fn parse_document<T: serde::de::DeserializeOwned>(
    name: &str,
    src: &str,
    format: Format,
) -> Result<T, LoadError> {
    match format {
        Format::Toml => parse_toml(name, src),
        Format::Json => parse_json(name, src),
    }
}

/// A located error at byte `offset` of `src`, for problems found outside
/// serde: a hand-parsed format (CSV) or a check made after parsing.
pub fn error_at(
    name: &str,
    src: &str,
    offset: usize,
    field: Option<String>,
    message: &str,
    hint: Option<String>,
) -> LoadError {
    let mut err = invalid(name, src, offset, field, message);
    if let (LoadError::Invalid(inv), Some(h)) = (&mut err, hint) {
        inv.hint = Some(crate::text::message(&h));
    }
    err
}

/// A located error for a problem found after parsing a TOML or JSON
/// document, at the value `path` designates.
pub fn field_error(
    name: &str,
    src: &str,
    format: Format,
    e: &crate::governance::FieldError,
) -> LoadError {
    let offset = crate::locate::locate(src, format, &e.path);
    error_at(
        name,
        src,
        offset,
        Some(e.path_string()),
        &e.message,
        e.hint.clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_and_offset_agree() {
        let src = "a\nbé c\n\nd";
        for (off, lc) in [
            (0, (1, 1)),
            (2, (2, 1)),
            (5, (2, 3)),
            (8, (3, 1)),
            (9, (4, 1)),
        ] {
            assert_eq!(line_col(src, off), lc, "offset {off}");
            assert_eq!(offset_of(src, lc.0, lc.1), off);
        }
    }

    #[test]
    fn json_columns_count_bytes() {
        // serde_json reports the column after `"é\u{202e}"` in bytes.
        let src = "{\n  \"k\": \"é\u{202e}\"\n}";
        let e = serde_json::from_str::<std::collections::BTreeMap<String, u8>>(src).unwrap_err();
        let off = json_offset(src, e.line(), e.column());
        assert_eq!(line_col(src, off).0, 2);
        assert_eq!(json_offset("aé", 1, 3), 1, "kept on a character boundary");
    }

    #[test]
    fn hint_from_expected_list() {
        let (m, h, k) = split_hint("unknown field `nme`, expected one of `id`, `name`, `kind`");
        assert_eq!(m, "unknown field `nme`");
        assert_eq!(h.as_deref(), Some("did you mean `name`?"));
        assert_eq!(k.as_deref(), Some("nme"));
        let (_, h, _) = split_hint("unknown variant `zk`, expected `optimistic` or `validity`");
        assert_eq!(h.as_deref(), Some("expected one of: optimistic, validity"));
    }
}
