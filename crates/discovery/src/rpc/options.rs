//! Client options, counters and the pinned block.

use std::time::Duration;

use alloy::primitives::{Address, B256};
use serde::Serialize;

use crate::transport;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MulticallMode {
    /// Use Multicall3 at its canonical address if it has code at the block.
    Auto,
    Off,
    /// Use a Multicall3-compatible contract at this address.
    At(Address),
}

#[derive(Debug, Clone)]
pub struct RpcOptions {
    /// JSON-RPC calls per HTTP request; 1 sends every read on its own, one
    /// after the other (no batching at all).
    pub batch_size: usize,
    /// Per HTTP request: connecting, sending and reading the whole answer.
    pub timeout: Duration,
    /// Attempts per read before giving up (≥ 1).
    pub max_attempts: u32,
    /// First retry delay, doubled on every further attempt.
    pub backoff: Duration,
    /// Cap on any wait between attempts (with the timeout: see
    /// [`retry_wait`]).
    pub max_backoff: Duration,
    pub multicall: MulticallMode,
    /// View calls per `aggregate3`.
    pub multicall_size: usize,
    /// Cap on one HTTP response body, enforced while it streams in.
    pub max_response_bytes: u64,
}

impl Default for RpcOptions {
    fn default() -> Self {
        RpcOptions {
            batch_size: 500,
            timeout: Duration::from_secs(30),
            max_attempts: 5,
            backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(10),
            multicall: MulticallMode::Auto,
            multicall_size: 200,
            max_response_bytes: transport::DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// Counters for `--stats` and the benchmark.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Waves of requests the crawl waited for, one after the other
    /// (retries included).
    pub round_trips: u64,
    pub http_requests: u64,
    /// JSON-RPC calls sent (a Multicall3 `aggregate3` counts as one).
    pub rpc_calls: u64,
    /// Distinct reads answered by the node.
    pub reads: u64,
    /// Reads answered from the cache.
    pub cache_hits: u64,
    pub retries: u64,
    /// View calls that went through Multicall3.
    pub multicalled: u64,
    pub elapsed_ms: u64,
}

/// The node's chain and the pinned block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pin {
    pub chain_id: u64,
    pub block: u64,
    pub hash: Option<B256>,
    pub timestamp: Option<u64>,
    /// The node's head when the crawl started.
    pub head: u64,
}

impl Pin {
    /// A pin to `block` before the node has answered anything.
    pub(super) fn new(block: u64) -> Pin {
        Pin {
            chain_id: 0,
            block,
            hash: None,
            timestamp: None,
            head: 0,
        }
    }
}
