//! From reads to JSON-RPC calls: Multicall3 packing, batching, sending.

use std::time::Duration;

use alloy::primitives::{Address, Bytes};
use serde_json::{Value as Json, json};

use super::retry::classify;
use super::{Failure, Job, Read, Rpc, Why};
use crate::abi;

impl Rpc {
    /// Group a wave's reads into JSON-RPC calls.
    pub(super) fn plan(&self, todo: &[Read], aux: Vec<Job>) -> Vec<Job> {
        let mut jobs = aux;
        let mut packed: Vec<usize> = Vec::new();
        for (i, r) in todo.iter().enumerate() {
            match r {
                Read::Call(..) if self.multicall.is_some() && !self.no_multicall.contains(r) => {
                    packed.push(i)
                }
                _ => jobs.push(Job::Read(i)),
            }
        }
        // A lone call gains nothing from aggregate3.
        if packed.len() == 1 {
            jobs.push(Job::Read(packed[0]));
        } else {
            for chunk in packed.chunks(self.opts.multicall_size) {
                jobs.push(Job::Multi(chunk.to_vec()));
            }
        }
        jobs
    }

    pub(super) fn params(&self, todo: &[Read], job: &Job) -> (&'static str, Json) {
        let tag = self.block_tag();
        match job {
            Job::ChainId => ("eth_chainId", json!([])),
            Job::BlockNumber => ("eth_blockNumber", json!([])),
            Job::Header => ("eth_getBlockByNumber", json!([tag, false])),
            Job::Multi(idx) => {
                let calls: Vec<(Address, Bytes)> = idx
                    .iter()
                    .filter_map(|i| match &todo[*i] {
                        Read::Call(a, d) => Some((*a, d.clone())),
                        _ => None,
                    })
                    .collect();
                let to = self.multicall.unwrap_or(abi::MULTICALL3);
                (
                    "eth_call",
                    json!([{ "to": to, "data": abi::encode_aggregate3(&calls) }, tag]),
                )
            }
            Job::Read(i) => match &todo[*i] {
                Read::Code(a) => ("eth_getCode", json!([a, tag])),
                Read::Balance(a) => ("eth_getBalance", json!([a, tag])),
                Read::Storage(a, s) => ("eth_getStorageAt", json!([a, s, tag])),
                Read::Call(a, d) => ("eth_call", json!([{ "to": a, "data": d }, tag])),
                Read::Logs {
                    addresses,
                    topics,
                    from,
                } => (
                    "eth_getLogs",
                    json!([{
                        "address": addresses,
                        "topics": [topics],
                        "fromBlock": format!("{from:#x}"),
                        "toBlock": tag,
                    }]),
                ),
                Read::LogRange {
                    addresses,
                    topics,
                    from,
                    to,
                } => (
                    "eth_getLogs",
                    json!([{
                        "address": addresses,
                        "topics": [topics],
                        "fromBlock": format!("{from:#x}"),
                        "toBlock": format!("{to:#x}"),
                    }]),
                ),
            },
        }
    }

    /// Send every job of a wave: chunks of `batch_size` as concurrent batch
    /// requests (or one call per request, one after the other, when the
    /// batch size is 1).
    pub(super) async fn send_wave(
        &mut self,
        todo: &[Read],
        jobs: &[Job],
    ) -> Vec<std::result::Result<Json, Failure>> {
        let calls: Vec<(&'static str, Json)> = jobs.iter().map(|j| self.params(todo, j)).collect();
        let described: Vec<String> = jobs
            .iter()
            .map(|j| match j {
                Job::Read(i) => self.describe(&todo[*i]),
                Job::Multi(idx) => format!(
                    "eth_call Multicall3.aggregate3 of {} calls (first: {}) at block {}",
                    idx.len(),
                    idx.first()
                        .map(|i| self.describe(&todo[*i]))
                        .unwrap_or_default(),
                    self.block()
                ),
                Job::ChainId => "eth_chainId".into(),
                Job::BlockNumber => "eth_blockNumber".into(),
                Job::Header => format!("eth_getBlockByNumber {}", self.block()),
            })
            .collect();
        let mut out: Vec<Option<std::result::Result<Json, Failure>>> =
            (0..jobs.len()).map(|_| None).collect();
        let block = self.block();
        if self.opts.batch_size == 1 {
            // One after the other; once the node fails a request (timeout,
            // connection, HTTP error), the rest of the wave is not sent: it
            // is retried with the failed one, so a round trip stays within
            // one timeout of the failure.
            let mut failed: Option<(String, Option<Duration>)> = None;
            for (i, (method, params)) in calls.into_iter().enumerate() {
                if let Some((message, after)) = &failed {
                    out[i] = Some(Err(Failure::Retry {
                        message: message.clone(),
                        after: *after,
                        why: Why::Transport,
                    }));
                    continue;
                }
                self.stats.round_trips += 1;
                self.stats.http_requests += 1;
                self.stats.rpc_calls += 1;
                let r = self.transport.call(method, &params).await;
                let r = r.map_err(|e| classify(&e, method, &described[i], block));
                if let Err(Failure::Retry {
                    message,
                    after,
                    why: Why::Transport,
                }) = &r
                {
                    failed = Some((message.clone(), *after));
                }
                out[i] = Some(r);
                self.notify();
            }
        } else {
            self.stats.round_trips += 1;
            let mut set = tokio::task::JoinSet::new();
            let indexed: Vec<(usize, (&'static str, Json))> =
                calls.into_iter().enumerate().collect();
            for chunk in split_batches(&indexed, self.opts.batch_size, MAX_BATCH_BYTES) {
                self.stats.http_requests += 1;
                self.stats.rpc_calls += chunk.len() as u64;
                let transport = self.transport.clone();
                let (idx, calls): (Vec<usize>, Vec<(&'static str, Json)>) =
                    chunk.iter().cloned().unzip();
                set.spawn(async move {
                    let answers = transport.batch(&calls).await;
                    idx.into_iter()
                        .zip(calls.into_iter().map(|(m, _)| m))
                        .zip(answers)
                        .map(|((i, m), a)| (i, m, a))
                        .collect::<Vec<_>>()
                });
            }
            while let Some(joined) = set.join_next().await {
                let Ok(results) = joined else { continue };
                for (i, method, r) in results {
                    out[i] = Some(r.map_err(|e| classify(&e, method, &described[i], block)));
                }
            }
            self.notify();
        }
        out.into_iter()
            .zip(described)
            .map(|(o, d)| {
                o.unwrap_or_else(|| {
                    Err(Failure::Retry {
                        message: format!("{d}: the request task failed"),
                        after: None,
                        why: Why::Transport,
                    })
                })
            })
            .collect()
    }
}

/// A cap on the JSON of one batch request's parameters: nodes refuse large
/// bodies (a whole catalog's `aggregate3` calls in one batch is many MB).
pub const MAX_BATCH_BYTES: usize = 1 << 20;

/// Cut a wave's calls into batches of at most `size` calls and about
/// `max_bytes` of parameters (a single larger call still goes alone).
type Calls<T> = [(T, (&'static str, Json))];

fn split_batches<T>(calls: &Calls<T>, size: usize, max_bytes: usize) -> Vec<&Calls<T>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, (_, (method, params))) in calls.iter().enumerate() {
        let n = method.len() + params.to_string().len() + 40;
        if i > start && (i - start >= size || bytes + n > max_bytes) {
            out.push(&calls[start..i]);
            start = i;
            bytes = 0;
        }
        bytes += n;
    }
    if start < calls.len() {
        out.push(&calls[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_cut_by_count_and_by_size() {
        let call = |n: usize| ((), ("eth_call", json!(["x".repeat(n)])));
        let calls: Vec<_> = (0..10).map(|_| call(10)).collect();
        let sizes =
            |b: Vec<&[((), (&'static str, Json))]>| b.iter().map(|c| c.len()).collect::<Vec<_>>();
        assert_eq!(sizes(split_batches(&calls, 4, 1 << 20)), [4, 4, 2]);
        // Each call is 8 + 16 + 40 = 64 bytes: three fit in 200.
        assert_eq!(sizes(split_batches(&calls, 500, 200)), [3, 3, 3, 1]);
        // A call larger than the cap goes alone.
        let big = vec![call(10), call(1000), call(10)];
        assert_eq!(sizes(split_batches(&big, 500, 200)), [1, 1, 1]);
        assert!(split_batches::<()>(&[], 500, 200).is_empty());
    }
}
