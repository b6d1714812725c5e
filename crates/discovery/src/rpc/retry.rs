//! Backoff between attempts, and what a failed call means.

use std::time::Duration;

use super::decode::hex_bytes;
use super::{Failure, RpcOptions, Why};
use crate::error::DiscoveryError;
use crate::transport::{CallError, show_duration};

/// The wait before attempt `attempt + 1`: exponential backoff from
/// `backoff`, or the node's `Retry-After`; either way at most
/// `min(max_backoff, timeout)`. So a round trip that keeps failing is given
/// up after at most `max_attempts × timeout + (max_attempts − 1) ×
/// min(max_backoff, timeout)`.
pub fn retry_wait(opts: &RpcOptions, attempt: u32, after: Option<Duration>) -> Duration {
    let cap = opts.max_backoff.min(opts.timeout);
    match after {
        Some(a) => a.min(cap),
        None => opts
            .backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(cap),
    }
}

/// The longest a round trip (one wave of reads, with its retries) can take
/// before it succeeds or is given up: see [`retry_wait`].
pub fn give_up_bound(opts: &RpcOptions) -> Duration {
    let attempts = opts.max_attempts.max(1);
    opts.timeout.saturating_mul(attempts).saturating_add(
        opts.max_backoff
            .min(opts.timeout)
            .saturating_mul(attempts - 1),
    )
}

/// Decide what a failed call means: a revert (an answer), a retry, or the
/// end. The texts in `e` are already sanitised and scrubbed of the URL.
pub(super) fn classify(e: &CallError, method: &str, call: &str, block: u64) -> Failure {
    match e {
        CallError::Resp {
            code,
            message,
            data,
        } => {
            let msg = message.to_lowercase();
            if method == "eth_call" && (*code == 3 || msg.contains("revert")) {
                let data = data.as_ref().and_then(hex_bytes).unwrap_or_default();
                return Failure::Revert(data);
            }
            if *code == 429
                || *code == -32005
                || msg.contains("rate limit")
                || msg.contains("too many requests")
                || msg.contains("limit exceeded")
            {
                return Failure::Retry {
                    message: format!("rate limited: {message} (code {code})"),
                    after: None,
                    why: Why::Transport,
                };
            }
            if msg.contains("header not found")
                || msg.contains("unknown block")
                || msg.contains("block not found")
                || msg.contains("blockoutofrange")
                || msg.contains("block out of range")
                || msg.contains("beyond current head")
                || msg.contains("future block")
            {
                return Failure::Retry {
                    message: format!("the node is behind the pinned block {block}: {message}"),
                    after: None,
                    why: Why::Behind,
                };
            }
            if msg.contains("missing trie node")
                || msg.contains("state") && msg.contains("not available")
            {
                return Failure::Fatal(DiscoveryError::Rpc {
                    call: call.to_string(),
                    message: format!(
                        "the node has no state at block {block} ({message}): use an archive node or a recent block"
                    ),
                });
            }
            Failure::Fatal(DiscoveryError::Rpc {
                call: call.to_string(),
                message: format!("error {code}: {message}"),
            })
        }
        CallError::Http {
            status,
            body,
            retry_after,
        } => {
            let status = *status;
            let retryable = status == 429 || status == 408 || status >= 500;
            let text = format!(
                "HTTP {status}{}",
                if body.is_empty() {
                    String::new()
                } else {
                    format!(": {body}")
                }
            );
            if retryable {
                return Failure::Retry {
                    message: text,
                    after: *retry_after,
                    why: Why::Transport,
                };
            }
            let hint = match status {
                413 => " (try a smaller --batch-size)",
                300..=399 => " (the node redirects: give the URL it redirects to)",
                _ => "",
            };
            Failure::Fatal(DiscoveryError::Rpc {
                call: call.to_string(),
                message: format!("{text}{hint}"),
            })
        }
        CallError::Timeout(d) => Failure::Retry {
            message: format!("timed out after {} (--timeout)", show_duration(*d)),
            after: None,
            why: Why::Transport,
        },
        CallError::Connection(m) => Failure::Retry {
            message: m.clone(),
            after: None,
            why: Why::Transport,
        },
        CallError::TooLarge { limit, declared } => Failure::Fatal(DiscoveryError::Rpc {
            call: call.to_string(),
            message: format!(
                "the response is larger than the limit of {limit} bytes{} (--max-response-bytes; or try a smaller --batch-size)",
                declared
                    .map(|n| format!(" (it declares {n} bytes)"))
                    .unwrap_or_default()
            ),
        }),
        CallError::Malformed(m) => Failure::Retry {
            message: m.clone(),
            after: None,
            why: Why::Malformed,
        },
        CallError::Missing(note) => Failure::Retry {
            message: format!(
                "the batch response has no answer for this call{}",
                note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
            ),
            after: None,
            why: Why::Malformed,
        },
    }
}
