//! Reads at one pinned block, batched: every wave of reads goes out as
//! JSON-RPC batch requests (one HTTP request per `batch_size` calls, sent
//! concurrently, through [`crate::transport`]) and, where Multicall3 is
//! deployed, with view calls packed into `aggregate3`. Answers are cached by
//! (block, read). Failures are retried with exponential backoff (HTTP 429
//! honours `Retry-After`, capped: see [`retry_wait`]); what still fails ends
//! in an error naming the call. Nothing the node sends reaches a message
//! unsanitised, and the URL is only ever shown redacted.
//!
//! The module's parts: [`read`] (what can be read and what the chain
//! answers: add a kind of read there, then its JSON-RPC call in `plan`
//! and its decoding in `decode`), [`options`] (client options, counters,
//! the pin), `wave` (a wave of reads: cache, multicall fallback, retries),
//! `plan` (grouping into JSON-RPC calls, batching, Multicall3 packing,
//! sending), `decode` (checking answers), [`retry`] (backoff and the
//! classification of failures).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::primitives::{Address, Bytes};

use crate::abi;
use crate::error::{DiscoveryError, Result};
use crate::transport::Transport;

mod decode;
pub mod options;
mod plan;
pub mod read;
pub mod retry;
mod wave;

#[cfg(test)]
mod proptests;

pub use options::{MulticallMode, Pin, RpcOptions, Stats};
pub use read::{Answer, LogEntry, Read};
pub use retry::{give_up_bound, retry_wait};

/// A JSON-RPC call on the wire and what it answers for.
#[derive(Debug, Clone)]
enum Job {
    Read(usize),
    /// `aggregate3` of these reads (indices into the wave's reads).
    Multi(Vec<usize>),
    ChainId,
    BlockNumber,
    Header,
}

enum Failure {
    Retry {
        message: String,
        after: Option<Duration>,
        why: Why,
    },
    /// `eth_call` reverted: an answer, not a failure.
    Revert(Bytes),
    Fatal(DiscoveryError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    Transport,
    Malformed,
    Behind,
}

/// Called after every round trip.
pub type Observer = Box<dyn FnMut(&Stats) + Send>;

pub struct Rpc {
    transport: Arc<Transport>,
    opts: RpcOptions,
    pin: Option<Pin>,
    header_checked: bool,
    cache: HashMap<Read, Answer>,
    stats: Stats,
    multicall: Option<Address>,
    multicall_checked: bool,
    /// Reads that must not go through Multicall3 (it failed on them).
    no_multicall: HashSet<Read>,
    sigs: HashMap<[u8; 4], String>,
    started: Instant,
    /// Called after every round trip (progress display, tests).
    observer: Option<Observer>,
    pub warnings: Vec<String>,
}

/// Installs the TLS crypto provider (ring) once; needed before any HTTPS
/// client is built.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Rpc {
    /// A client for `url` (http or https). Nothing is sent yet.
    pub fn new(url: &str, opts: RpcOptions) -> Result<Rpc> {
        install_tls();
        let transport = Transport::new(url, opts.timeout, opts.max_response_bytes)?;
        if opts.batch_size == 0 || opts.max_attempts == 0 || opts.multicall_size == 0 {
            return Err(DiscoveryError::Input(
                "batch size, attempts and multicall size must be at least 1".into(),
            ));
        }
        let multicall = match opts.multicall {
            MulticallMode::At(a) => Some(a),
            _ => None,
        };
        Ok(Rpc {
            transport: Arc::new(transport),
            multicall_checked: !matches!(opts.multicall, MulticallMode::Auto),
            opts,
            pin: None,
            header_checked: false,
            cache: HashMap::new(),
            stats: Stats::default(),
            multicall,
            no_multicall: HashSet::new(),
            sigs: abi::known_signatures().into_iter().collect(),
            started: Instant::now(),
            observer: None,
            warnings: Vec::new(),
        })
    }

    /// The node's URL as it may be shown: `scheme://host[:port]/…` (never
    /// its path, query or user-info).
    pub fn url(&self) -> &str {
        self.transport.shown()
    }

    pub fn set_observer(&mut self, f: Observer) {
        self.observer = Some(f);
    }

    /// Name a selector for error messages (config view functions).
    pub fn name_selector(&mut self, sel: [u8; 4], sig: &str) {
        self.sigs.entry(sel).or_insert_with(|| sig.to_string());
    }

    pub fn stats(&self) -> Stats {
        let mut s = self.stats.clone();
        s.elapsed_ms = self.started.elapsed().as_millis() as u64;
        s
    }

    pub fn pin(&self) -> Option<&Pin> {
        self.pin.as_ref()
    }

    pub fn multicall(&self) -> Option<Address> {
        self.multicall
    }

    /// Pin every later read to `block`, or to the node's latest block. With
    /// a given block nothing is sent yet: the first wave of reads also checks
    /// that the node has it.
    ///
    /// A client may be pinned again (a watch loop, one block per cycle):
    /// answers cached for another block are dropped and the new block's
    /// header is checked with the next wave.
    pub async fn pin_block(&mut self, block: Option<u64>) -> Result<u64> {
        let before = self.pin.as_ref().map(|p| p.block);
        self.header_checked = false;
        match self.pin_block_inner(block).await {
            Ok(b) if before == Some(b) => Ok(b),
            other => {
                self.cache.clear();
                other
            }
        }
    }

    async fn pin_block_inner(&mut self, block: Option<u64>) -> Result<u64> {
        match block {
            Some(b) => {
                self.pin = Some(Pin::new(b));
                Ok(b)
            }
            None => {
                let jobs = vec![Job::ChainId, Job::BlockNumber];
                self.pin = Some(Pin::new(0));
                let mut attempt = 0;
                loop {
                    attempt += 1;
                    let outcomes = self.send_wave(&[], &jobs).await;
                    let mut retry = None;
                    for (job, out) in jobs.iter().zip(outcomes) {
                        match out.and_then(|j| self.aux(job, &j, true)) {
                            Ok(()) => {}
                            Err(Failure::Fatal(e)) => return Err(e),
                            Err(f) => retry = Some(f),
                        }
                    }
                    match retry {
                        None => break,
                        Some(f) => self.backoff_or_fail(attempt, f, "eth_blockNumber").await?,
                    }
                }
                let pin = self.pin.get_or_insert(Pin::new(0));
                pin.block = pin.head;
                Ok(pin.block)
            }
        }
    }

    pub(super) fn block(&self) -> u64 {
        self.pin.as_ref().map(|p| p.block).unwrap_or(0)
    }

    pub(super) fn block_tag(&self) -> String {
        format!("{:#x}", self.block())
    }

    /// Describe a read for messages: method, address, function, block.
    pub fn describe(&self, r: &Read) -> String {
        let b = self.block();
        match r {
            Read::Code(a) => format!("eth_getCode {a} at block {b}"),
            Read::Balance(a) => format!("eth_getBalance {a} at block {b}"),
            Read::Storage(a, s) => {
                let name = match *s {
                    abi::IMPLEMENTATION_SLOT => " (EIP-1967 implementation slot)",
                    abi::ADMIN_SLOT => " (EIP-1967 admin slot)",
                    abi::BEACON_SLOT => " (EIP-1967 beacon slot)",
                    _ => "",
                };
                format!("eth_getStorageAt {a} slot {s}{name} at block {b}")
            }
            Read::Call(a, data) => {
                format!("eth_call {a}.{} at block {b}", self.function_name(data))
            }
            Read::Logs {
                addresses, from, ..
            } => format!(
                "eth_getLogs (RoleGranted/RoleRevoked) of {} address(es) from block {from} to {b}",
                addresses.len()
            ),
            Read::LogRange {
                addresses,
                topics,
                from,
                to,
            } => format!(
                "eth_getLogs ({} event(s)) of {} address(es) from block {from} to {to}",
                topics.len(),
                addresses.len()
            ),
        }
    }

    fn function_name(&self, data: &[u8]) -> String {
        if data.len() < 4 {
            return "fallback()".into();
        }
        let sel = [data[0], data[1], data[2], data[3]];
        self.sigs
            .get(&sel)
            .cloned()
            .unwrap_or_else(|| format!("0x{}", alloy::primitives::hex::encode(sel)))
    }
}
