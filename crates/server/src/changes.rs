//! What the watch loop recorded on chain, served: `GET
//! /api/v1/projects/{id}/changes` (newest first, paginated) and the Atom
//! feeds `/feed.atom` (every project) and `/projects/{id}/feed.atom`
//! (docs/api.md, "Changes on chain"). `l2stage changes` prints the same
//! body ([`ChangesBody`]).

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use l2stage_store::{Store, StoreError, StoredChange};

use crate::api::{json, no_project};
use crate::error::ApiError;
use crate::pages::error_page;
use crate::params;
use crate::state::App;

/// Changes per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 50;
/// Most changes per page.
pub const MAX_LIMIT: usize = 500;
/// Entries in an Atom feed (the newest).
pub const FEED_ENTRIES: usize = 50;

/// `GET /api/v1/projects/{id}/changes` and `l2stage changes --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChangesBody {
    pub project: String,
    /// Newest (highest `seq`) first.
    #[schema(value_type = Vec<ChainChangeDoc>)]
    pub changes: Vec<StoredChange>,
    /// The next (older) page, when there is one; `null` otherwise.
    pub next: Option<String>,
}

/// One change recorded on chain (docs/discovery.md, "Watching").
#[derive(ToSchema)]
#[schema(as = ChainChange)]
#[allow(dead_code)]
pub struct ChainChangeDoc {
    /// The block at which the new value was read.
    block: u64,
    /// The block's day (UTC).
    #[schema(value_type = String, format = Date)]
    date: String,
    /// e.g. `implementation-upgraded`, `safe-threshold-changed`,
    /// `role-granted`, `contract-appeared`.
    kind: String,
    /// The contract whose state changed.
    address: String,
    /// What changed in it, e.g. `threshold`, `implementation`.
    field: String,
    /// The value before, or `null` (e.g. a contract that appeared).
    before: Option<String>,
    /// The value after, or `null` (e.g. a contract that disappeared).
    after: Option<String>,
    /// Changes who can upgrade, replace the verifier, pause, or change exit
    /// parameters.
    safety_relevant: bool,
    /// The block and the JSON-RPC reads that show the new value.
    #[schema(value_type = Object)]
    evidence: (),
    project: String,
    /// Increases with every stored change; `before` pages by it.
    seq: i64,
}

/// One page of a project's changes: `limit` of them with `seq < before`
/// (every one when `before` is None), and the link to the next page.
pub fn changes_page(
    store: &Store,
    project: &str,
    limit: usize,
    before: Option<i64>,
) -> Result<ChangesBody, StoreError> {
    let mut changes = store.changes(project, limit.saturating_add(1), before)?;
    let next = if changes.len() > limit {
        changes.truncate(limit);
        changes.last().map(|c| {
            format!(
                "/api/v1/projects/{}/changes?limit={limit}&before={}",
                url_segment(project),
                c.seq
            )
        })
    } else {
        None
    };
    Ok(ChangesBody {
        project: project.to_string(),
        changes,
        next,
    })
}

/// A path segment, percent-encoded beyond the unreserved characters
/// (project ids are slugs; this keeps anything else harmless).
fn url_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The page size asked: a whole number from 1 to [`MAX_LIMIT`].
pub fn parse_limit(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(format!(
            "invalid `limit` `{}`: expected a whole number from 1 to {MAX_LIMIT}",
            l2stage_model::text::quote(s)
        )),
    }
}

/// Where the page starts: the `seq` of the last change of the previous
/// page, a whole number from 1.
pub fn parse_before(s: &str) -> Result<i64, String> {
    match s.parse::<i64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "invalid `before` `{}`: expected the `seq` of a change, a whole number from 1 (the `next` link gives it)",
            l2stage_model::text::quote(s)
        )),
    }
}

fn page_query(raw: Option<&str>) -> Result<(usize, Option<i64>), ApiError> {
    let pairs = params::pairs(raw)?;
    params::check_known(&pairs, &["limit", "before"])?;
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    let limit = match get("limit") {
        Some(v) => parse_limit(v).map_err(ApiError::bad_request)?,
        None => DEFAULT_LIMIT,
    };
    let before = get("before")
        .map(|v| parse_before(v))
        .transpose()
        .map_err(ApiError::bad_request)?;
    Ok((limit, before))
}

/// Changes recorded on chain for one project, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/projects/{id}/changes",
    params(
        ("id" = String, Path, description = "Project id"),
        ("limit" = Option<usize>, Query, description = "Changes per page, 1 to 500 (default 50)"),
        ("before" = Option<i64>, Query, description = "Only changes with a `seq` below this (from the `next` link)"),
    ),
    responses(
        (status = 200, description = "A page of the project's changes, newest first", body = ChangesBody),
        (status = 400, description = "Invalid `limit` or `before`, or an unknown parameter", body = crate::openapi::ErrorDoc),
        (status = 404, description = "No such project", body = crate::openapi::ErrorDoc),
    )
)]
pub async fn changes(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (limit, before) = page_query(raw.as_deref())?;
    let body = tokio::task::spawn_blocking(move || {
        if app.live().project(&id).is_none() {
            return Err(no_project(&id));
        }
        app.with_store(|s| changes_page(s, &id, limit, before))
            .map_err(|e| ApiError::internal(format!("reading the changes: {e}")))
    })
    .await
    .map_err(|e| ApiError::internal(format!("changes task failed: {e}")))??;
    Ok(json(StatusCode::OK, &body))
}

/// Text for XML: `& < > " '` escaped, and the characters XML 1.0 cannot
/// carry at all (control characters other than tab, line feed and
/// carriage return; U+FFFE, U+FFFF) written visibly as `\x01`, `\u{fffe}`
/// (as l2stage escapes them elsewhere).
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            '\u{FFFE}' | '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Longest value (before, after, field, address) shown in a feed entry,
/// in characters.
const FEED_VALUE_MAX: usize = 300;

fn cut(s: &str) -> String {
    match s.char_indices().nth(FEED_VALUE_MAX) {
        None => s.to_string(),
        Some((end, _)) => format!("{}… ({} bytes)", &s[..end], s.len()),
    }
}

fn rfc3339(timestamp: u64) -> String {
    i64::try_from(timestamp)
        .ok()
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// One change in words: `safe-threshold-changed threshold of 0x… : 2 → 3`.
pub fn change_title(c: &StoredChange) -> String {
    format!(
        "{}: {} {} of {}",
        c.project,
        c.kind,
        cut(&c.field),
        cut(&c.address)
    )
}

fn shown(v: &Option<String>) -> String {
    v.as_deref().map(cut).unwrap_or_else(|| "(none)".into())
}

/// An Atom 1.0 feed of `changes` (newest first). `self_path` and `title`
/// are the feed's own; every piece of text is escaped.
pub fn atom_feed(self_path: &str, feed_id: &str, title: &str, changes: &[StoredChange]) -> String {
    let updated = changes
        .iter()
        .map(|c| c.timestamp)
        .max()
        .map(rfc3339)
        .unwrap_or_else(|| rfc3339(0));
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(x, "  <id>{}</id>", xml_escape(feed_id));
    let _ = writeln!(x, "  <title>{}</title>", xml_escape(title));
    let _ = writeln!(x, "  <updated>{updated}</updated>");
    let _ = writeln!(
        x,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        xml_escape(self_path)
    );
    x.push_str("  <author><name>l2stage</name></author>\n");
    x.push_str("  <generator>l2stage</generator>\n");
    for c in changes {
        let project = url_segment(&c.project);
        x.push_str("  <entry>\n");
        let _ = writeln!(
            x,
            "    <id>urn:l2stage:change:{}:{}</id>",
            xml_escape(&project),
            c.seq
        );
        let _ = writeln!(x, "    <title>{}</title>", xml_escape(&change_title(c)));
        let _ = writeln!(x, "    <updated>{}</updated>", rfc3339(c.timestamp));
        let _ = writeln!(
            x,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"/projects/{}\"/>",
            xml_escape(&project)
        );
        let _ = writeln!(
            x,
            "    <link rel=\"related\" type=\"application/json\" href=\"/api/v1/projects/{}/changes\"/>",
            xml_escape(&project)
        );
        let _ = writeln!(x, "    <category term=\"{}\"/>", xml_escape(&c.kind));
        if c.safety_relevant {
            x.push_str("    <category term=\"safety-relevant\"/>\n");
        }
        let evidence = serde_json::to_string(&c.evidence).unwrap_or_default();
        let summary = format!(
            "Block {} ({}): {} {} of {} changed from {} to {}.{} Evidence: {}",
            c.block,
            c.date,
            c.kind,
            cut(&c.field),
            cut(&c.address),
            shown(&c.before),
            shown(&c.after),
            if c.safety_relevant {
                " Safety-relevant."
            } else {
                ""
            },
            cut(&evidence),
        );
        let _ = writeln!(
            x,
            "    <content type=\"text\">{}</content>",
            xml_escape(&summary)
        );
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

fn atom_response(body: String) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// `GET /feed.atom`: the newest changes of every project (errors are
/// pages, as elsewhere outside `/api/`).
pub async fn feed_all(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    feed_all_(app, raw).await.unwrap_or_else(|e| error_page(&e))
}

async fn feed_all_(app: Arc<App>, raw: Option<String>) -> Result<Response, ApiError> {
    let pairs = params::pairs(raw.as_deref())?;
    params::check_known(&pairs, &[])?;
    let body = tokio::task::spawn_blocking(move || {
        let changes = app
            .with_store(|s| s.recent_changes(FEED_ENTRIES))
            .map_err(|e| ApiError::internal(format!("reading the changes: {e}")))?;
        Ok::<_, ApiError>(atom_feed(
            "/feed.atom",
            "urn:l2stage:changes",
            "l2stage: governance changes on chain",
            &changes,
        ))
    })
    .await
    .map_err(|e| ApiError::internal(format!("feed task failed: {e}")))??;
    Ok(atom_response(body))
}

/// `GET /projects/{id}/feed.atom`: one project's newest changes.
pub async fn feed_project(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    feed_project_(app, id, raw)
        .await
        .unwrap_or_else(|e| error_page(&e))
}

async fn feed_project_(
    app: Arc<App>,
    id: String,
    raw: Option<String>,
) -> Result<Response, ApiError> {
    let pairs = params::pairs(raw.as_deref())?;
    params::check_known(&pairs, &[])?;
    let body = tokio::task::spawn_blocking(move || {
        let live = app.live();
        let Some(current) = live.project(&id) else {
            return Err(no_project(&id));
        };
        let name = current.project.project.name.clone();
        let changes = app
            .with_store(|s| s.changes(&id, FEED_ENTRIES, None))
            .map_err(|e| ApiError::internal(format!("reading the changes: {e}")))?;
        let seg = url_segment(&id);
        Ok(atom_feed(
            &format!("/projects/{seg}/feed.atom"),
            &format!("urn:l2stage:changes:{seg}"),
            &format!("l2stage: governance changes on chain of {name}"),
            &changes,
        ))
    })
    .await
    .map_err(|e| ApiError::internal(format!("feed task failed: {e}")))??;
    Ok(atom_response(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_cursors_are_checked() {
        assert_eq!(parse_limit("1"), Ok(1));
        assert_eq!(parse_limit("500"), Ok(500));
        for bad in ["0", "501", "-1", "ten", "", "1e3", "18446744073709551616"] {
            let e = parse_limit(bad).expect_err(bad);
            assert!(e.contains("from 1 to 500"), "{e}");
        }
        assert_eq!(parse_before("7"), Ok(7));
        for bad in ["0", "-3", "x", "9223372036854775808"] {
            let e = parse_before(bad).expect_err(bad);
            assert!(e.contains("`before`"), "{e}");
        }
        // A hostile value is quoted escaped, not echoed raw.
        let e = parse_limit("\u{1b}[31m").expect_err("control");
        assert!(!e.contains('\u{1b}'), "{e}");
    }

    #[test]
    fn xml_text_is_escaped_and_always_well_formed() {
        assert_eq!(
            xml_escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(
            xml_escape("a\u{0}b\u{1b}c\u{FFFF}"),
            "a\\x00b\\x1bc\\u{ffff}"
        );
        assert_eq!(xml_escape("tab\tnl\n"), "tab\tnl\n");
        assert_eq!(url_segment("op-mainnet"), "op-mainnet");
        assert_eq!(url_segment("a b/<"), "a%20b%2F%3C");
    }
}
