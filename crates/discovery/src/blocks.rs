//! Reads at many blocks at once, and the block of a date.
//!
//! [`Rpc`](crate::rpc::Rpc) reads at one pinned block; a value-locked
//! backfill reads the same few things at hundreds of blocks. [`BlockReader`]
//! sends every call of a wave (each naming its own block) as concurrent
//! JSON-RPC batches, retries what the node failed to answer with the same
//! backoff as `Rpc`, and counts round trips the same way.
//!
//! **The block of a date** ([`blocks_at`]) is the last block whose timestamp
//! is at or before the date's 00:00:00 UTC, found by binary search on block
//! timestamps, all dates in step (one wave of headers per step: about
//! log2(head) round trips in all, whatever the number of dates). It is known
//! only once the chain has a block after that moment; a date before the
//! first block's time has no block. A node whose headers go back in time
//! (block N+k older than block N) makes the search an error saying so,
//! never a silently wrong block.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value as Json, json};

use crate::error::{DiscoveryError, Result};
use crate::rpc::{RpcOptions, Stats, retry_wait};
use crate::transport::{CallError, Transport};

/// A block number and its timestamp (seconds since 1970, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BlockRef {
    pub number: u64,
    pub timestamp: u64,
}

pub struct BlockReader {
    transport: Arc<Transport>,
    opts: RpcOptions,
    stats: Stats,
    started: Instant,
    headers: HashMap<u64, u64>,
}

fn quantity(j: &Json) -> Option<u64> {
    let s = j.as_str()?.strip_prefix("0x")?;
    if s.is_empty() || s.len() > 16 {
        return None;
    }
    u64::from_str_radix(s, 16).ok()
}

fn transient(e: &CallError) -> Option<Option<Duration>> {
    match e {
        CallError::Resp { .. } => None,
        CallError::Http { retry_after, .. } => Some(*retry_after),
        _ => Some(None),
    }
}

fn show(e: &CallError) -> String {
    match e {
        CallError::Resp { code, message, .. } => format!("error {code}: {message}"),
        CallError::Http { status, body, .. } => format!("HTTP {status}: {body}"),
        CallError::Timeout(d) => {
            format!("no answer within {}", crate::transport::show_duration(*d))
        }
        CallError::Connection(m) => format!("connection failed: {m}"),
        CallError::TooLarge { limit, .. } => format!("answer larger than {limit} bytes"),
        CallError::Malformed(m) => format!("malformed answer: {m}"),
        CallError::Missing(n) => format!(
            "no answer for this call in the batch{}",
            n.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
        ),
    }
}

impl BlockReader {
    pub fn new(url: &str, opts: RpcOptions) -> Result<BlockReader> {
        if opts.batch_size == 0 || opts.max_attempts == 0 {
            return Err(DiscoveryError::Input(
                "the batch size and the number of attempts must be at least 1".into(),
            ));
        }
        let transport = Transport::new(url, opts.timeout, opts.max_response_bytes)?;
        Ok(BlockReader {
            transport: Arc::new(transport),
            opts,
            stats: Stats::default(),
            started: Instant::now(),
            headers: HashMap::new(),
        })
    }

    pub fn stats(&self) -> Stats {
        let mut s = self.stats.clone();
        s.elapsed_ms = self.started.elapsed().as_millis() as u64;
        s
    }

    /// Send `calls` as one wave (chunks of `batch_size`, concurrently),
    /// retrying with backoff what the transport failed on. A JSON-RPC error
    /// object is an answer (`Err(text)`) for the caller to judge; a call the
    /// node still fails to answer after every attempt fails the whole wave.
    pub async fn wave(
        &mut self,
        calls: &[(&'static str, Json)],
    ) -> Result<Vec<std::result::Result<Json, String>>> {
        let mut out: Vec<Option<std::result::Result<Json, String>>> = vec![None; calls.len()];
        let mut todo: Vec<usize> = (0..calls.len()).collect();
        let mut attempt = 0u32;
        while !todo.is_empty() {
            attempt += 1;
            self.stats.round_trips += 1;
            let mut set = tokio::task::JoinSet::new();
            for chunk in todo.chunks(self.opts.batch_size) {
                self.stats.http_requests += 1;
                self.stats.rpc_calls += chunk.len() as u64;
                let idx: Vec<usize> = chunk.to_vec();
                let batch: Vec<(&'static str, Json)> =
                    idx.iter().map(|i| calls[*i].clone()).collect();
                let transport = self.transport.clone();
                set.spawn(async move {
                    let answers = if batch.len() == 1 {
                        vec![transport.call(batch[0].0, &batch[0].1).await]
                    } else {
                        transport.batch(&batch).await
                    };
                    idx.into_iter().zip(answers).collect::<Vec<_>>()
                });
            }
            let mut retry = Vec::new();
            let mut last: Option<(usize, CallError)> = None;
            let mut after = None;
            let mut answered = vec![false; calls.len()];
            while let Some(joined) = set.join_next().await {
                let Ok(results) = joined else { continue };
                for (i, r) in results {
                    answered[i] = true;
                    match r {
                        Ok(j) => {
                            self.stats.reads += 1;
                            out[i] = Some(Ok(j));
                        }
                        Err(e) => match transient(&e) {
                            None => {
                                self.stats.reads += 1;
                                out[i] = Some(Err(show(&e)));
                            }
                            Some(a) => {
                                after = after.max(a);
                                retry.push(i);
                                last = Some((i, e));
                            }
                        },
                    }
                }
            }
            for i in &todo {
                if !answered[*i] {
                    retry.push(*i);
                }
            }
            retry.sort_unstable();
            retry.dedup();
            if !retry.is_empty() {
                let what = last
                    .as_ref()
                    .map(|(i, e)| format!("{} ({})", calls[*i].0, show(e)))
                    .unwrap_or_else(|| "a request task failed".into());
                if attempt >= self.opts.max_attempts {
                    return Err(DiscoveryError::Rpc {
                        call: calls[retry[0]].0.to_string(),
                        message: format!("{what} (gave up after {attempt} attempts)"),
                    });
                }
                self.stats.retries += 1;
                let wait = retry_wait(&self.opts, attempt, after);
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
            }
            todo = retry;
        }
        Ok(out
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err("no answer was recorded".into())))
            .collect())
    }

    /// `eth_chainId`.
    pub async fn chain_id(&mut self) -> Result<u64> {
        let a = self.wave(&[("eth_chainId", json!([]))]).await?;
        match a.into_iter().next() {
            Some(Ok(j)) => quantity(&j).ok_or_else(|| DiscoveryError::Malformed {
                call: "eth_chainId".into(),
                detail: "expected a hex quantity".into(),
            }),
            Some(Err(e)) => Err(DiscoveryError::Rpc {
                call: "eth_chainId".into(),
                message: e,
            }),
            None => unreachable_answer("eth_chainId"),
        }
    }

    /// The timestamps of `numbers` (`None`: the node has no such block), plus
    /// the node's latest block when `latest` is set; headers are cached.
    async fn headers(
        &mut self,
        numbers: &[u64],
        latest: bool,
    ) -> Result<(Vec<Option<u64>>, Option<BlockRef>)> {
        let mut ask: Vec<u64> = numbers
            .iter()
            .copied()
            .filter(|n| !self.headers.contains_key(n))
            .collect();
        ask.sort_unstable();
        ask.dedup();
        let mut calls: Vec<(&'static str, Json)> = ask
            .iter()
            .map(|n| ("eth_getBlockByNumber", json!([format!("{n:#x}"), false])))
            .collect();
        if latest {
            calls.push(("eth_getBlockByNumber", json!(["latest", false])));
        }
        let answers = self.wave(&calls).await?;
        let mut head = None;
        let mut missing = Vec::new();
        for (k, a) in answers.into_iter().enumerate() {
            let what = if k < ask.len() {
                format!("eth_getBlockByNumber {}", ask[k])
            } else {
                "eth_getBlockByNumber latest".into()
            };
            let j = a.map_err(|message| DiscoveryError::Rpc {
                call: what.clone(),
                message,
            })?;
            if j.is_null() {
                if k < ask.len() {
                    missing.push(ask[k]);
                    continue;
                }
                return Err(DiscoveryError::Malformed {
                    call: what,
                    detail: "the node has no latest block".into(),
                });
            }
            let number = j.get("number").and_then(quantity);
            let ts = j.get("timestamp").and_then(quantity);
            let (Some(number), Some(ts)) = (number, ts) else {
                return Err(DiscoveryError::Malformed {
                    call: what,
                    detail: "a header without a hex number and timestamp".into(),
                });
            };
            if k < ask.len() {
                if number != ask[k] {
                    return Err(DiscoveryError::Inconsistent {
                        call: what,
                        detail: format!("asked for block {}, got block {number}", ask[k]),
                    });
                }
                self.headers.insert(number, ts);
            } else {
                self.headers.insert(number, ts);
                head = Some(BlockRef {
                    number,
                    timestamp: ts,
                });
            }
        }
        let out = numbers
            .iter()
            .map(|n| {
                // `missing` follows `ask`, which is sorted: a binary search
                // keeps this linear in the dates asked for.
                if missing.binary_search(n).is_ok() {
                    None
                } else {
                    self.headers.get(n).copied()
                }
            })
            .collect();
        Ok((out, head))
    }

    /// The node's latest block.
    pub async fn head(&mut self) -> Result<BlockRef> {
        let (_, head) = self.headers(&[], true).await?;
        head.ok_or_else(|| DiscoveryError::Malformed {
            call: "eth_getBlockByNumber latest".into(),
            detail: "no header".into(),
        })
    }
}

fn unreachable_answer<T>(call: &str) -> Result<T> {
    Err(DiscoveryError::Rpc {
        call: call.into(),
        message: "no answer was recorded".into(),
    })
}

/// For each moment (seconds since 1970, UTC), the last block whose timestamp
/// is at or before it; `Err(reason)` when the chain has no block at or
/// before it, or none after it yet. Binary search, every moment in step.
pub async fn blocks_at(
    reader: &mut BlockReader,
    moments: &[u64],
) -> Result<Vec<std::result::Result<BlockRef, String>>> {
    let (first, head) = reader.headers(&[0], true).await?;
    let head = head.ok_or_else(|| DiscoveryError::Malformed {
        call: "eth_getBlockByNumber latest".into(),
        detail: "no header".into(),
    })?;
    let genesis = first[0].ok_or_else(|| DiscoveryError::Malformed {
        call: "eth_getBlockByNumber 0".into(),
        detail: "the node has no block 0".into(),
    })?;
    // (lo, hi): ts(lo) <= t < ts(hi).
    let mut state: Vec<std::result::Result<(u64, u64), String>> = moments
        .iter()
        .map(|&t| {
            if genesis > t {
                Err(format!(
                    "no block at or before {}: the chain's first block is later ({})",
                    show_time(t),
                    show_time(genesis)
                ))
            } else if head.timestamp <= t {
                Err(format!(
                    "the chain has no block after {} yet (its latest, block {}, is at {})",
                    show_time(t),
                    head.number,
                    show_time(head.timestamp)
                ))
            } else {
                Ok((0, head.number))
            }
        })
        .collect();
    loop {
        let mids: Vec<u64> = state
            .iter()
            .filter_map(|s| match s {
                Ok((lo, hi)) if hi - lo > 1 => Some(lo + (hi - lo) / 2),
                _ => None,
            })
            .collect();
        if mids.is_empty() {
            break;
        }
        let (ts, _) = reader.headers(&mids, false).await?;
        let found: HashMap<u64, Option<u64>> = mids.iter().copied().zip(ts).collect();
        for (s, &t) in state.iter_mut().zip(moments) {
            if let Ok((lo, hi)) = s
                && *hi - *lo > 1
            {
                let mid = *lo + (*hi - *lo) / 2;
                match found.get(&mid).copied().flatten() {
                    Some(ts) if ts <= t => *lo = mid,
                    Some(_) => *hi = mid,
                    None => {
                        return Err(DiscoveryError::Inconsistent {
                            call: format!("eth_getBlockByNumber {mid}"),
                            detail: format!(
                                "no such block, below the latest block {}",
                                head.number
                            ),
                        });
                    }
                }
            }
        }
    }
    // The search ends whatever the node says (each step halves every
    // interval), but on a chain whose timestamps go backwards its answer
    // could be any block: the headers read must be in order.
    let mut seen: Vec<(u64, u64)> = reader.headers.iter().map(|(n, t)| (*n, *t)).collect();
    seen.sort_unstable();
    if let Some(w) = seen.windows(2).find(|w| w[1].1 < w[0].1) {
        return Err(DiscoveryError::Inconsistent {
            call: "eth_getBlockByNumber".into(),
            detail: format!(
                "block timestamps are not monotonic: block {} is at {}, but the later block {} at {}; \
                 the block of a date cannot be found on such a chain",
                w[0].0,
                show_time(w[0].1),
                w[1].0,
                show_time(w[1].1)
            ),
        });
    }
    Ok(state
        .into_iter()
        .map(|s| {
            s.map(|(lo, _)| BlockRef {
                number: lo,
                timestamp: reader.headers.get(&lo).copied().unwrap_or(genesis),
            })
        })
        .collect())
}

/// `2025-01-01 00:00:00 UTC` for messages.
pub fn show_time(t: u64) -> String {
    i64::try_from(t)
        .ok()
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| format!("timestamp {t}"))
}
