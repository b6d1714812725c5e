//! The HTTP side of the JSON-RPC client, which trusts nothing the node
//! sends:
//!
//! * every request — connecting, sending, reading the whole answer — is
//!   bounded by one timeout, and a timeout is reported as one;
//! * the answer is read as a stream and refused as soon as it exceeds the
//!   size cap (a `Content-Length` above it is refused before reading);
//! * the URL's path, query and user-info (where API keys live) never appear
//!   in a message: the URL is shown as `scheme://host[:port]/…`, and every
//!   text that reaches a message (errors of the HTTP stack, the node's
//!   error messages and bodies) is scrubbed of them;
//! * text from the node is sanitised: control characters escaped, length
//!   capped.
//!
//! The decoding functions ([`parse_single`], [`parse_batch`]) are pure: any
//! bytes give answers or errors, never a panic.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::Url;
use serde_json::{Value as Json, json};

use crate::error::DiscoveryError;

/// Default cap on one HTTP response body (`--max-response-bytes`).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// Characters of node text kept in a message (an error message, a body).
pub const MAX_NODE_TEXT: usize = 200;

/// How much of an HTTP error's body is read (the rest is dropped unread).
const MAX_ERROR_BODY: usize = 4096;

/// Why one JSON-RPC call got no result.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// The node answered with a JSON-RPC error object.
    Resp {
        code: i64,
        message: String,
        data: Option<Json>,
    },
    /// The node answered with an HTTP status other than 2xx.
    Http {
        status: u16,
        body: String,
        retry_after: Option<Duration>,
    },
    /// No complete answer within the timeout.
    Timeout(Duration),
    /// Connecting, TLS, or the connection broke (the text is redacted).
    Connection(String),
    /// The answer is larger than the cap.
    TooLarge { limit: u64, declared: Option<u64> },
    /// Not JSON, or not a JSON-RPC answer.
    Malformed(String),
    /// A batch answer without an entry for this call (`note`: what the
    /// answer held instead, e.g. an error without an id).
    Missing(Option<String>),
}

impl CallError {
    /// Apply `f` to every text that came from outside (node, HTTP stack).
    fn map_text(self, f: impl Fn(&str) -> String) -> CallError {
        match self {
            CallError::Resp {
                code,
                message,
                data,
            } => CallError::Resp {
                code,
                message: f(&message),
                data,
            },
            CallError::Http {
                status,
                body,
                retry_after,
            } => CallError::Http {
                status,
                body: f(&body),
                retry_after,
            },
            CallError::Connection(m) => CallError::Connection(f(&m)),
            CallError::Malformed(m) => CallError::Malformed(f(&m)),
            CallError::Missing(n) => CallError::Missing(n.map(|n| f(&n))),
            other => other,
        }
    }
}

/// Escape control characters (C0, DEL, C1: terminal escape codes, BEL,
/// newlines…) and invisible formatting characters (bidirectional overrides,
/// zero-width characters) as `\u{…}`, and keep at most `max_chars`
/// characters of `text` (then `…`).
pub fn sanitize(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 2));
    for (n, c) in text.chars().enumerate() {
        if n >= max_chars {
            out.push('…');
            break;
        }
        if c.is_control() || is_invisible_format(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}')
}

/// How the URL is shown: `scheme://host[:port]`, then `/…` when anything
/// (path, query, fragment, user-info) is hidden.
pub fn redact_url(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let hidden = url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some();
    format!(
        "{}://{host}{port}{}",
        url.scheme(),
        if hidden { "/…" } else { "" }
    )
}

/// What must never appear in a message: the URL as given and its secret
/// parts (path and query, user-info, long path segments and query values,
/// percent-decoded too).
fn secrets(raw: &str, url: &Url) -> Vec<String> {
    let mut s: Vec<String> = vec![raw.to_string(), url.as_str().to_string()];
    let mut tail = url.path().to_string();
    if let Some(q) = url.query() {
        s.push(q.to_string());
        tail.push('?');
        tail.push_str(q);
    }
    if tail.len() > 1 {
        s.push(tail);
    }
    if let Some(f) = url.fragment() {
        s.push(f.to_string());
    }
    for part in [url.username(), url.password().unwrap_or("")] {
        if part.chars().count() >= 4 {
            s.push(part.to_string());
        }
    }
    if url.path().len() > 1 {
        s.push(url.path().to_string());
    }
    for seg in url.path_segments().into_iter().flatten() {
        if seg.chars().count() >= 8 {
            s.push(seg.to_string());
        }
    }
    for (k, v) in url.query_pairs() {
        for x in [k, v] {
            if x.chars().count() >= 8 {
                s.push(x.into_owned());
            }
        }
    }
    let decoded: Vec<String> = s
        .iter()
        .filter_map(|x| {
            let d = percent_decode(x)?;
            (d != *x).then_some(d)
        })
        .collect();
    s.extend(decoded);
    s.retain(|x| !x.is_empty() && x != "/");
    s.sort_by_key(|x| std::cmp::Reverse(x.len()));
    s.dedup();
    s
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex_val(b[i + 1]), hex_val(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn hex_val(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Parse a `Retry-After` header: delta-seconds, or an HTTP date (relative to
/// `now`, in seconds since the epoch). `None` when it is neither.
pub fn parse_retry_after(value: &str, now: i64) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(f) = v.parse::<f64>()
        && f.is_finite()
        && f >= 0.0
    {
        return Some(Duration::from_secs_f64(f.min(1e9)));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?.timestamp();
    Some(Duration::from_secs(at.saturating_sub(now).max(0) as u64))
}

/// A duration as people write it: `5s`, `300ms`, `1.5s`.
pub fn show_duration(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// The HTTP transport of one node.
pub struct Transport {
    http: reqwest::Client,
    url: Url,
    shown: String,
    secrets: Vec<String>,
    timeout: Duration,
    connect_timeout: Duration,
    max_response_bytes: u64,
}

impl Transport {
    pub fn new(
        raw: &str,
        timeout: Duration,
        max_response_bytes: u64,
    ) -> Result<Self, DiscoveryError> {
        // Never echo the URL: it may be nothing but a key.
        let url: Url = raw
            .trim()
            .parse()
            .map_err(|e| DiscoveryError::Input(format!("invalid RPC URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(DiscoveryError::Input(format!(
                "invalid RPC URL: only http and https are supported, not `{}`",
                sanitize(url.scheme(), 20)
            )));
        }
        if max_response_bytes == 0 || timeout.is_zero() {
            return Err(DiscoveryError::Input(
                "the timeout and the response size limit must be above 0".into(),
            ));
        }
        crate::rpc::install_tls();
        let connect_timeout = timeout.min(Duration::from_secs(10));
        let http = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            // A JSON-RPC endpoint does not redirect; following would resend
            // the request elsewhere (or as a GET).
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                DiscoveryError::Input(format!(
                    "cannot build an HTTP client: {}",
                    error_chain(&e.without_url())
                ))
            })?;
        Ok(Transport {
            http,
            shown: redact_url(&url),
            secrets: secrets(raw, &url),
            url,
            timeout,
            connect_timeout,
            max_response_bytes,
        })
    }

    /// The URL as it may be shown: `scheme://host[:port]/…`.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Scrub the URL's secrets from `text`, then sanitise it.
    pub fn clean(&self, text: &str, max_chars: usize) -> String {
        sanitize(&self.scrub(text), max_chars)
    }

    /// Replace every secret with `…`; and since `text` may have been cut
    /// (an error body is read only in part), a secret cut short at its end
    /// too.
    fn scrub(&self, text: &str) -> String {
        let mut t = text.to_string();
        for s in &self.secrets {
            if t.contains(s.as_str()) {
                t = t.replace(s.as_str(), "…");
            }
        }
        let end = t.trim_end_matches('\u{fffd}').len();
        t.truncate(end);
        for s in self.secrets.iter().filter(|s| !s.contains("://")) {
            // The longest prefix of at least 4 bytes the text ends with.
            let cut = s
                .char_indices()
                .map(|(i, _)| i)
                .filter(|&i| i >= 4)
                .rev()
                .find(|&i| t.ends_with(&s[..i]));
            if let Some(i) = cut {
                t.truncate(t.len() - i);
                t.push('…');
                break;
            }
        }
        t
    }

    /// One call, sent on its own (a JSON-RPC request object).
    pub async fn call(&self, method: &str, params: &Json) -> Result<Json, CallError> {
        let body = json!({"jsonrpc": "2.0", "id": 0, "method": method, "params": params});
        let bytes = self.post(body.to_string().into_bytes()).await?;
        parse_single(&bytes, 0).map_err(|e| self.clean_error(e))
    }

    /// Calls sent as one batch request; the answers are in the order of
    /// `calls`.
    pub async fn batch(&self, calls: &[(&str, Json)]) -> Vec<Result<Json, CallError>> {
        let body = Json::Array(
            calls
                .iter()
                .enumerate()
                .map(|(i, (m, p))| json!({"jsonrpc": "2.0", "id": i, "method": m, "params": p}))
                .collect(),
        );
        match self.post(body.to_string().into_bytes()).await {
            Ok(bytes) => parse_batch(&bytes, calls.len())
                .into_iter()
                .map(|r| r.map_err(|e| self.clean_error(e)))
                .collect(),
            Err(e) => vec![Err(e); calls.len()],
        }
    }

    fn clean_error(&self, e: CallError) -> CallError {
        e.map_text(|t| self.clean(t, MAX_NODE_TEXT))
    }

    /// POST `body`; the whole exchange within the timeout. Errors are
    /// already cleaned.
    async fn post(&self, body: Vec<u8>) -> Result<Vec<u8>, CallError> {
        match tokio::time::timeout(self.timeout, self.exchange(body)).await {
            Ok(r) => r.map_err(|e| self.clean_error(e)),
            Err(_) => Err(CallError::Timeout(self.timeout)),
        }
    }

    async fn exchange(&self, body: Vec<u8>) -> Result<Vec<u8>, CallError> {
        let mut resp = self
            .http
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| self.http_error(e, "sending the request"))?;
        let status = resp.status();
        if !status.is_success() {
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, chrono::Utc::now().timestamp()));
            // Only the start of the body: enough for a message.
            let mut text = Vec::new();
            while text.len() < MAX_ERROR_BODY {
                match resp.chunk().await {
                    Ok(Some(c)) => text.extend_from_slice(&c),
                    _ => break,
                }
            }
            text.truncate(MAX_ERROR_BODY);
            return Err(CallError::Http {
                status: status.as_u16(),
                body: String::from_utf8_lossy(&text).into_owned(),
                retry_after,
            });
        }
        let limit = self.max_response_bytes;
        if let Some(n) = resp.content_length()
            && n > limit
        {
            return Err(CallError::TooLarge {
                limit,
                declared: Some(n),
            });
        }
        let mut out = Vec::new();
        while let Some(c) = resp
            .chunk()
            .await
            .map_err(|e| self.http_error(e, "reading the response"))?
        {
            if (out.len() + c.len()) as u64 > limit {
                return Err(CallError::TooLarge {
                    limit,
                    declared: None,
                });
            }
            out.extend_from_slice(&c);
        }
        Ok(out)
    }

    fn http_error(&self, e: reqwest::Error, doing: &str) -> CallError {
        let timeout = e.is_timeout();
        let connect = e.is_connect();
        let e = e.without_url();
        // The HTTP stack's own words ("error sending request", "client
        // error (Connect)") say nothing; the causes do.
        let text = match std::error::Error::source(&e) {
            Some(src) => error_chain(src),
            None => e.to_string(),
        };
        let text = text
            .split(": ")
            .filter(|p| !p.starts_with("client error ("))
            .collect::<Vec<_>>()
            .join(": ");
        if timeout {
            return CallError::Timeout(if connect {
                self.connect_timeout
            } else {
                self.timeout
            });
        }
        let what = if connect {
            format!("cannot connect to {}", self.shown)
        } else {
            format!("{} failed while {doing}", self.shown)
        };
        CallError::Connection(format!("{what}: {text}"))
    }
}

/// An error and its sources, as one line.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        let t = x.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = x.source();
    }
    s
}

/// The answer to a single request with id `id`.
pub fn parse_single(body: &[u8], id: u64) -> Result<Json, CallError> {
    let j: Json = serde_json::from_slice(body).map_err(|e| not_json(&e, body))?;
    match &j {
        Json::Object(_) => single_entry(&j, id),
        // A batch of one in answer to a single request.
        Json::Array(a) if a.len() == 1 && a[0].is_object() => single_entry(&a[0], id),
        other => Err(CallError::Malformed(format!(
            "expected a JSON-RPC answer object, got {}",
            short_json(other)
        ))),
    }
}

fn single_entry(j: &Json, id: u64) -> Result<Json, CallError> {
    if let Some(got) = j.get("id")
        && !got.is_null()
        && answer_id(got) != Some(id)
    {
        return Err(CallError::Malformed(format!(
            "the answer is for id {}, not {id}",
            short_json(got)
        )));
    }
    entry(j)
}

/// The answers to a batch request of `n` calls with ids `0..n`, in that
/// order. Entries with unknown or repeated ids are ignored; calls without
/// an answer are [`CallError::Missing`]. A single error object instead of
/// an array (a node refusing the whole batch) answers every call.
pub fn parse_batch(body: &[u8], n: usize) -> Vec<Result<Json, CallError>> {
    let j: Json = match serde_json::from_slice(body) {
        Ok(j) => j,
        Err(e) => return vec![Err(not_json(&e, body)); n],
    };
    let items = match j {
        Json::Array(items) => items,
        Json::Object(_) if j.get("error").is_some_and(|e| !e.is_null()) => {
            let e = entry(&j).err().unwrap_or_else(|| {
                CallError::Malformed("an error object answers the whole batch".into())
            });
            return vec![Err(e); n];
        }
        // A batch of one answered with a bare object.
        Json::Object(_) if n == 1 && j.get("id").and_then(answer_id) == Some(0) => {
            return vec![entry(&j)];
        }
        other => {
            return vec![
                Err(CallError::Malformed(format!(
                    "expected an array of answers to a batch, got {}",
                    short_json(&other)
                )));
                n
            ];
        }
    };
    let mut by_id: HashMap<u64, &Json> = HashMap::new();
    let mut stray: Option<String> = None;
    for item in &items {
        match item.get("id").and_then(answer_id) {
            Some(id) if (id as u128) < n as u128 => {
                by_id.entry(id).or_insert(item);
            }
            _ => {
                if stray.is_none() {
                    stray = Some(match item.get("error") {
                        Some(e) if !e.is_null() => format!(
                            "it holds an error without a matching id: {}",
                            e.get("message")
                                .and_then(|m| m.as_str())
                                .map(str::to_string)
                                .unwrap_or_else(|| short_json(e))
                        ),
                        _ => format!(
                            "it holds an answer with id {}",
                            short_json(item.get("id").unwrap_or(&Json::Null))
                        ),
                    });
                }
            }
        }
    }
    (0..n as u64)
        .map(|id| match by_id.get(&id) {
            Some(item) => entry(item),
            None => Err(CallError::Missing(stray.clone())),
        })
        .collect()
}

/// An answer's id: a number, or a string holding one (as we wrote it:
/// `"01"` or `"+1"` is not id 1).
fn answer_id(j: &Json) -> Option<u64> {
    match j {
        Json::Number(n) => n.as_u64(),
        Json::String(s) => s.parse::<u64>().ok().filter(|n| n.to_string() == *s),
        _ => None,
    }
}

/// One answer object: its result or its error.
fn entry(j: &Json) -> Result<Json, CallError> {
    let Some(obj) = j.as_object() else {
        return Err(CallError::Malformed(format!(
            "expected a JSON-RPC answer object, got {}",
            short_json(j)
        )));
    };
    if let Some(e) = obj.get("error").filter(|e| !e.is_null()) {
        let code = e.get("code").and_then(|c| c.as_i64()).ok_or_else(|| {
            CallError::Malformed(format!(
                "an error object without an integer code: {}",
                short_json(e)
            ))
        })?;
        let message = match e.get("message") {
            Some(Json::String(s)) => s.clone(),
            Some(other) => short_json(other),
            None => String::new(),
        };
        return Err(CallError::Resp {
            code,
            message,
            data: e.get("data").cloned(),
        });
    }
    match obj.get("result") {
        Some(r) => Ok(r.clone()),
        None => Err(CallError::Malformed(
            "an answer with neither result nor error".into(),
        )),
    }
}

/// Node text kept before it is cleaned (scrubbed, then cut much shorter):
/// enough that scrubbing cannot pull a cut secret into view (see
/// [`Transport::clean`]).
const MAX_RAW_TEXT: usize = 65536;

fn not_json(e: &serde_json::Error, body: &[u8]) -> CallError {
    let start = String::from_utf8_lossy(&body[..body.len().min(MAX_RAW_TEXT)]).into_owned();
    CallError::Malformed(format!("not JSON ({e}); the response starts: {start}"))
}

/// A JSON value as text, cut at [`MAX_RAW_TEXT`] characters (not yet
/// sanitised: [`Transport::clean`] does that).
fn short_json(j: &Json) -> String {
    let s = j.to_string();
    match s.char_indices().nth(MAX_RAW_TEXT) {
        Some((i, _)) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests;
