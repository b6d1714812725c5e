//! Reads at one pinned block, batched: every wave of reads goes out as
//! JSON-RPC batch requests (one HTTP request per `batch_size` calls, sent
//! concurrently, through [`crate::transport`]) and, where Multicall3 is
//! deployed, with view calls packed into `aggregate3`. Answers are cached by
//! (block, read). Failures are retried with exponential backoff (HTTP 429
//! honours `Retry-After`, capped: see [`retry_wait`]); what still fails ends
//! in an error naming the call. Nothing the node sends reaches a message
//! unsanitised, and the URL is only ever shown redacted.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::primitives::{Address, B256, Bytes};
use serde::Serialize;
use serde_json::{Value as Json, json};

use crate::abi;
use crate::error::{DiscoveryError, Result};
use crate::transport::{self, CallError, Transport, show_duration};

/// One thing to read from the chain at the pinned block.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Read {
    /// `eth_getCode`.
    Code(Address),
    /// `eth_getStorageAt`.
    Storage(Address, B256),
    /// `eth_call` of a view function.
    Call(Address, Bytes),
    /// `eth_getBalance` (wei, as a 32-byte big-endian word).
    Balance(Address),
    /// `eth_getLogs` from `from` up to the pinned block.
    Logs {
        addresses: Vec<Address>,
        topics: Vec<B256>,
        from: u64,
    },
    /// `eth_getLogs` from `from` to `to` (both included; `to` at most the
    /// pinned block), any of `topics` as topic0.
    LogRange {
        addresses: Vec<Address>,
        topics: Vec<B256>,
        from: u64,
        to: u64,
    },
}

/// What the chain answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Code(Bytes),
    Word(B256),
    Returned(Bytes),
    /// The call reverted (the function may not exist on that contract).
    Reverted(Bytes),
    Logs(Vec<LogEntry>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub address: Address,
    pub topics: Vec<B256>,
    pub data: Bytes,
    pub block: u64,
    pub tx_index: u64,
    pub log_index: u64,
}

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
    fn new(block: u64) -> Pin {
        Pin {
            chain_id: 0,
            block,
            hash: None,
            timestamp: None,
            head: 0,
        }
    }
}

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

    fn block(&self) -> u64 {
        self.pin.as_ref().map(|p| p.block).unwrap_or(0)
    }

    fn block_tag(&self) -> String {
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

    /// Read everything in one wave (plus retry waves for what failed).
    /// Answers are in the order of `reads`.
    pub async fn read_all(&mut self, reads: &[Read]) -> Result<Vec<Answer>> {
        let mut todo: Vec<Read> = Vec::new();
        let mut seen = BTreeSet::new();
        for r in reads {
            if self.cache.contains_key(r) {
                self.stats.cache_hits += 1;
            } else if seen.insert(r.clone()) {
                todo.push(r.clone());
            } else {
                self.stats.cache_hits += 1;
            }
        }
        let mut attempt = 0u32;
        while !todo.is_empty() || (!self.header_checked && self.pin.is_some()) {
            attempt += 1;
            let mut aux = Vec::new();
            if !self.header_checked {
                if self.pin.as_ref().is_some_and(|p| p.chain_id == 0) {
                    aux.push(Job::ChainId);
                }
                aux.push(Job::BlockNumber);
                aux.push(Job::Header);
            }
            if !self.multicall_checked {
                let probe = Read::Code(abi::MULTICALL3);
                if !self.cache.contains_key(&probe) && !todo.contains(&probe) {
                    todo.push(probe);
                }
            }
            let jobs = self.plan(&todo, aux);
            let outcomes = self.send_wave(&todo, &jobs).await;
            let mut retry: Vec<Read> = Vec::new();
            let mut last: Option<(Failure, String)> = None;
            for (job, out) in jobs.iter().zip(outcomes) {
                match job {
                    Job::ChainId | Job::BlockNumber | Job::Header => {
                        match out.and_then(|j| self.aux(job, &j, false)) {
                            Ok(()) => {}
                            Err(Failure::Fatal(e)) => return Err(e),
                            Err(f) => {
                                last = Some((f, format!("eth_getBlockByNumber {}", self.block())))
                            }
                        }
                    }
                    Job::Read(i) => {
                        let r = &todo[*i];
                        match out.and_then(|j| self.decode(r, j)) {
                            Ok(a) => {
                                self.stats.reads += 1;
                                self.cache.insert(r.clone(), a);
                            }
                            Err(Failure::Revert(d)) => {
                                self.stats.reads += 1;
                                self.cache.insert(r.clone(), Answer::Reverted(d));
                            }
                            Err(Failure::Fatal(e)) => return Err(e),
                            Err(f) => {
                                retry.push(r.clone());
                                last = Some((f, self.describe(r)));
                            }
                        }
                    }
                    Job::Multi(idx) => {
                        let decoded = out.and_then(|j| {
                            let bytes = hex_bytes(&j).ok_or_else(|| Failure::Retry {
                                message: "aggregate3 returned no hex data".into(),
                                after: None,
                                why: Why::Malformed,
                            })?;
                            abi::decode_aggregate3(&bytes, idx.len()).ok_or_else(|| {
                                Failure::Retry {
                                    message: "aggregate3 result does not decode".into(),
                                    after: None,
                                    why: Why::Malformed,
                                }
                            })
                        });
                        match decoded {
                            Ok(results) => {
                                for (i, (ok, data)) in idx.iter().zip(results) {
                                    self.stats.reads += 1;
                                    self.stats.multicalled += 1;
                                    let a = if ok {
                                        Answer::Returned(data)
                                    } else {
                                        Answer::Reverted(data)
                                    };
                                    self.cache.insert(todo[*i].clone(), a);
                                }
                            }
                            Err(Failure::Fatal(e)) => return Err(e),
                            Err(f) => {
                                let message = match f {
                                    Failure::Retry { message, .. } => message,
                                    _ => "aggregate3 reverted".into(),
                                };
                                // Multicall3 could not carry these calls (out of
                                // gas, a broken aggregator): ask them one by one.
                                self.warnings.push(format!(
                                    "Multicall3 failed for {} call(s) ({message}); they were read directly",
                                    idx.len()
                                ));
                                for i in idx {
                                    self.no_multicall.insert(todo[*i].clone());
                                    retry.push(todo[*i].clone());
                                }
                                // Not the node's fault: no backoff needed.
                                last = last.or(Some((
                                    Failure::Retry {
                                        message,
                                        after: Some(Duration::ZERO),
                                        why: Why::Transport,
                                    },
                                    "eth_call aggregate3".into(),
                                )));
                            }
                        }
                    }
                }
            }
            if !self.multicall_checked
                && let Some(Answer::Code(code)) = self.cache.get(&Read::Code(abi::MULTICALL3))
            {
                self.multicall_checked = true;
                if !code.is_empty() {
                    self.multicall = Some(abi::MULTICALL3);
                }
            }
            if let Some(pin) = &self.pin
                && self.header_checked
                && pin.head < pin.block
            {
                return Err(DiscoveryError::NodeBehind {
                    call: "eth_blockNumber".into(),
                    pinned: pin.block,
                    head: Some(pin.head),
                });
            }
            todo = retry;
            if let Some((f, call)) = last {
                if todo.is_empty() && self.header_checked {
                    continue;
                }
                self.backoff_or_fail(attempt, f, &call).await?;
            }
        }
        reads
            .iter()
            .map(|r| {
                self.cache
                    .get(r)
                    .cloned()
                    .ok_or_else(|| DiscoveryError::Rpc {
                        call: self.describe(r),
                        message: "no answer was recorded".into(),
                    })
            })
            .collect()
    }

    async fn backoff_or_fail(&mut self, attempt: u32, f: Failure, call: &str) -> Result<()> {
        match f {
            Failure::Fatal(e) => Err(e),
            Failure::Revert(_) => Err(DiscoveryError::Rpc {
                call: call.to_string(),
                message: "unexpected revert".into(),
            }),
            Failure::Retry {
                message,
                after,
                why,
            } => {
                if attempt >= self.opts.max_attempts {
                    if why == Why::Behind {
                        return Err(DiscoveryError::NodeBehind {
                            call: call.to_string(),
                            pinned: self.block(),
                            head: self.pin.as_ref().map(|p| p.head).filter(|h| *h > 0),
                        });
                    }
                    return Err(if why == Why::Malformed {
                        DiscoveryError::Malformed {
                            call: call.to_string(),
                            detail: format!("{message} (after {attempt} attempts)"),
                        }
                    } else {
                        DiscoveryError::Rpc {
                            call: call.to_string(),
                            message: format!("{message} (gave up after {attempt} attempts)"),
                        }
                    });
                }
                self.stats.retries += 1;
                let wait = retry_wait(&self.opts, attempt, after);
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                Ok(())
            }
        }
    }

    /// Group a wave's reads into JSON-RPC calls.
    fn plan(&self, todo: &[Read], aux: Vec<Job>) -> Vec<Job> {
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

    fn params(&self, todo: &[Read], job: &Job) -> (&'static str, Json) {
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
    async fn send_wave(
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
            for chunk in indexed.chunks(self.opts.batch_size) {
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

    fn notify(&mut self) {
        let s = self.stats();
        if let Some(f) = self.observer.as_mut() {
            f(&s);
        }
    }

    /// Check the chain id, head and pinned block answers.
    fn aux(&mut self, job: &Job, j: &Json, pinning: bool) -> std::result::Result<(), Failure> {
        let pinned = self.block();
        let pin = self.pin.get_or_insert(Pin::new(0));
        let malformed = |what: &str| Failure::Retry {
            message: format!(
                "{what}: not a valid answer: {}",
                self.transport.clean(&j.to_string(), 120)
            ),
            after: None,
            why: Why::Malformed,
        };
        match job {
            Job::ChainId => pin.chain_id = quantity(j).ok_or_else(|| malformed("eth_chainId"))?,
            Job::BlockNumber => {
                let head = quantity(j).ok_or_else(|| malformed("eth_blockNumber"))?;
                pin.head = pin.head.max(head);
                if !pinning && head < pinned {
                    // Maybe a load balancer's lagging backend: retry, then fail.
                    return Err(Failure::Retry {
                        message: format!(
                            "the node is behind the pinned block {pinned} (its head is {head})"
                        ),
                        after: None,
                        why: Why::Behind,
                    });
                }
            }
            Job::Header => {
                if j.is_null() {
                    return Err(Failure::Retry {
                        message: format!(
                            "the node does not have block {pinned} (it is behind the pinned block)"
                        ),
                        after: None,
                        why: Why::Behind,
                    });
                }
                let number = j
                    .get("number")
                    .and_then(quantity)
                    .ok_or_else(|| malformed("eth_getBlockByNumber"))?;
                if number != pinned {
                    return Err(Failure::Fatal(DiscoveryError::Inconsistent {
                        call: format!("eth_getBlockByNumber {pinned}"),
                        detail: format!("asked for block {pinned}, got block {number}"),
                    }));
                }
                pin.hash = j
                    .get("hash")
                    .and_then(|h| h.as_str())
                    .and_then(|h| h.parse().ok());
                pin.timestamp = j.get("timestamp").and_then(quantity);
                self.header_checked = true;
            }
            _ => {}
        }
        Ok(())
    }

    fn decode(&self, r: &Read, j: Json) -> std::result::Result<Answer, Failure> {
        let bad = |what: &str| Failure::Retry {
            message: format!(
                "{}: {what}: {}",
                self.describe(r),
                self.transport.clean(&j.to_string(), 120)
            ),
            after: None,
            why: Why::Malformed,
        };
        match r {
            Read::Code(_) => hex_bytes(&j)
                .map(Answer::Code)
                .ok_or_else(|| bad("expected hex code")),
            Read::Storage(..) => {
                let b = hex_bytes(&j).ok_or_else(|| bad("expected a hex storage word"))?;
                if b.len() > 32 {
                    return Err(bad("storage word longer than 32 bytes"));
                }
                let mut w = [0u8; 32];
                w[32 - b.len()..].copy_from_slice(&b);
                Ok(Answer::Word(B256::from(w)))
            }
            Read::Call(..) => hex_bytes(&j)
                .map(Answer::Returned)
                .ok_or_else(|| bad("expected hex return data")),
            Read::Balance(_) => j
                .as_str()
                .and_then(|q| q.strip_prefix("0x"))
                .filter(|h| !h.is_empty() && h.len() <= 64)
                .and_then(|h| alloy::primitives::U256::from_str_radix(h, 16).ok())
                .map(|v| Answer::Word(B256::from(v)))
                .ok_or_else(|| bad("expected a hex quantity")),
            Read::Logs {
                addresses,
                topics,
                from,
            } => self.decode_logs(r, &j, addresses, topics, *from, self.block()),
            Read::LogRange {
                addresses,
                topics,
                from,
                to,
            } => self.decode_logs(r, &j, addresses, topics, *from, *to),
        }
    }

    /// Logs, checked against what was asked (addresses, topic0, range).
    fn decode_logs(
        &self,
        r: &Read,
        j: &Json,
        addresses: &[Address],
        topics: &[B256],
        from: u64,
        to: u64,
    ) -> std::result::Result<Answer, Failure> {
        let bad = |what: &str| Failure::Retry {
            message: format!(
                "{}: {what}: {}",
                self.describe(r),
                self.transport.clean(&j.to_string(), 120)
            ),
            after: None,
            why: Why::Malformed,
        };
        let arr = j
            .as_array()
            .ok_or_else(|| bad("expected an array of logs"))?;
        let mut logs = Vec::with_capacity(arr.len());
        for l in arr {
            let entry = parse_log(l).ok_or_else(|| bad("a log entry is malformed"))?;
            let inconsistent = |detail: String| {
                Failure::Fatal(DiscoveryError::Inconsistent {
                    call: self.describe(r),
                    detail,
                })
            };
            if !addresses.contains(&entry.address) {
                return Err(inconsistent(format!(
                    "log from {} which was not asked for",
                    entry.address
                )));
            }
            if entry.topics.first().is_none_or(|t| !topics.contains(t)) {
                return Err(inconsistent(
                    "log with a topic that was not asked for".into(),
                ));
            }
            if entry.block > to || entry.block < from {
                return Err(inconsistent(format!(
                    "log of block {} outside the range {from}..={to}",
                    entry.block
                )));
            }
            if l.get("removed").and_then(|x| x.as_bool()) == Some(true) {
                return Err(inconsistent("a removed (reorged) log".into()));
            }
            logs.push(entry);
        }
        logs.sort_by_key(|l| (l.block, l.tx_index, l.log_index));
        Ok(Answer::Logs(logs))
    }
}

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
fn classify(e: &CallError, method: &str, call: &str, block: u64) -> Failure {
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

fn hex_bytes(j: &Json) -> Option<Bytes> {
    let s = j.as_str()?;
    let h = s.strip_prefix("0x")?;
    // Only hex digits: `hex::decode` would itself strip a second "0x"
    // (so "0xx", padded to "0x", decoded as empty bytes).
    if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    if h.len() % 2 == 1 {
        let padded = format!("0{h}");
        return alloy::primitives::hex::decode(padded).ok().map(Bytes::from);
    }
    alloy::primitives::hex::decode(h).ok().map(Bytes::from)
}

fn quantity(j: &Json) -> Option<u64> {
    let s = j.as_str()?;
    let h = s.strip_prefix("0x")?;
    if h.is_empty() || h.len() > 16 {
        return None;
    }
    u64::from_str_radix(h, 16).ok()
}

fn parse_log(l: &Json) -> Option<LogEntry> {
    let address: Address = l.get("address")?.as_str()?.parse().ok()?;
    let topics = l
        .get("topics")?
        .as_array()?
        .iter()
        .map(|t| t.as_str().and_then(|t| t.parse::<B256>().ok()))
        .collect::<Option<Vec<_>>>()?;
    let data = hex_bytes(l.get("data")?)?;
    Some(LogEntry {
        address,
        topics,
        data,
        block: quantity(l.get("blockNumber")?)?,
        tx_index: l.get("transactionIndex").and_then(quantity).unwrap_or(0),
        log_index: quantity(l.get("logIndex")?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_quantities() {
        assert_eq!(quantity(&json!("0x10")), Some(16));
        assert_eq!(quantity(&json!("0x")), None);
        assert_eq!(quantity(&json!(16)), None);
        assert_eq!(quantity(&json!("0x11111111111111111")), None);
        assert_eq!(hex_bytes(&json!("0x0102")).unwrap().len(), 2);
        assert_eq!(hex_bytes(&json!("0x1")).unwrap().as_ref(), &[1]);
        assert!(hex_bytes(&json!("zz")).is_none());
        assert!(parse_log(&json!({"address": "0x01"})).is_none());
    }
}

/// Whatever the node answers, decoding gives answers or errors, never a
/// panic; and what reaches a message is terminal-safe.
#[cfg(test)]
mod proptests {
    use super::*;
    use crate::transport::{CallError, parse_batch, parse_single, sanitize};
    use proptest::prelude::*;

    const KEYS: &[&str] = &[
        "id",
        "jsonrpc",
        "result",
        "error",
        "code",
        "message",
        "data",
        "address",
        "topics",
        "blockNumber",
        "logIndex",
        "transactionIndex",
        "removed",
        "number",
        "hash",
        "timestamp",
    ];

    fn hexish() -> impl Strategy<Value = String> {
        prop_oneof![
            "0x[0-9a-fA-F]{0,80}",
            "0x[0-9a-f]{64}",
            "0x[0-9a-f]{40}",
            "0x[0-9a-f]{0,3}",
            "0X[0-9a-z]{0,10}",
            "[0-9a-fx]{0,10}",
            "\\PC{0,20}",
            ".*\u{1b}\\[[0-9;]*m.*",
        ]
    }

    fn json() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::from),
            any::<i64>().prop_map(Json::from),
            any::<u64>().prop_map(Json::from),
            any::<f64>().prop_map(|f| json!(f)),
            (0u64..8).prop_map(Json::from),
            hexish().prop_map(Json::from),
        ];
        leaf.prop_recursive(4, 48, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Json::Array),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|kv| {
                    Json::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                }),
            ]
        })
    }

    /// A batch answer: entries with right, wrong, repeated or missing ids,
    /// results and errors of any shape.
    fn batch_answer() -> impl Strategy<Value = Json> {
        let entry = (
            prop_oneof![
                (0u64..6).prop_map(Json::from),
                Just(Json::Null),
                "[+]?[0-9]{1,3}".prop_map(Json::from),
                any::<i64>().prop_map(Json::from),
            ],
            prop_oneof![
                json().prop_map(|r| ("result", r)),
                (any::<i64>(), "\\PC{0,30}", json())
                    .prop_map(|(c, m, d)| ("error", json!({"code": c, "message": m, "data": d}))),
                json().prop_map(|e| ("error", e)),
            ],
        )
            .prop_map(|(id, (k, v))| json!({"jsonrpc": "2.0", "id": id, k: v}));
        prop_oneof![
            prop::collection::vec(entry, 0..8).prop_map(Json::Array),
            json(),
        ]
    }

    thread_local! {
        // Building an HTTP client is slow: one per test thread.
        static RPC: std::cell::RefCell<Rpc> = std::cell::RefCell::new(
            Rpc::new("http://127.0.0.1:9/KEY-0123456789", RpcOptions::default()).unwrap(),
        );
    }

    /// Run `f` with a client pinned to block 100 (nothing is sent).
    fn with_rpc<T>(f: impl FnOnce(&mut Rpc) -> T) -> T {
        RPC.with(|r| {
            let mut rpc = r.borrow_mut();
            rpc.pin = Some(Pin::new(100));
            rpc.header_checked = false;
            f(&mut rpc)
        })
    }

    fn reads() -> Vec<Read> {
        let a = Address::repeat_byte(1);
        vec![
            Read::Code(a),
            Read::Storage(a, abi::IMPLEMENTATION_SLOT),
            Read::Call(a, Bytes::from(vec![0x8d, 0xa5, 0xcb, 0x5b])),
            Read::Logs {
                addresses: vec![a],
                topics: vec![B256::repeat_byte(2)],
                from: 0,
            },
            Read::LogRange {
                addresses: vec![a],
                topics: vec![B256::repeat_byte(2)],
                from: 90,
                to: 95,
            },
        ]
    }

    fn safe(text: &str) -> bool {
        !text.chars().any(|c| c.is_control())
    }

    fn failure_text(f: &Failure) -> String {
        match f {
            Failure::Retry { message, .. } => message.clone(),
            Failure::Revert(_) => String::new(),
            Failure::Fatal(e) => e.to_string(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_bytes_decode_without_panicking(body in prop::collection::vec(any::<u8>(), 0..300), n in 0usize..6) {
            let answers = parse_batch(&body, n);
            prop_assert_eq!(answers.len(), n);
            let _ = parse_single(&body, 0);
        }

        #[test]
        fn garbled_batch_answers_give_one_outcome_per_call(answer in batch_answer(), n in 0usize..6) {
            let body = answer.to_string();
            // As the parser reads it (floats may not round-trip exactly).
            let answer: Json = serde_json::from_str(&body).unwrap();
            let answers = parse_batch(body.as_bytes(), n);
            prop_assert_eq!(answers.len(), n);
            // An answer is only ever taken from an entry with that call's id.
            for (i, a) in answers.iter().enumerate() {
                if let Ok(result) = a {
                    let items = match &answer {
                        Json::Array(items) => items.clone(),
                        one => vec![one.clone()],
                    };
                    let found = items.iter().any(|e| {
                        e.get("id").is_some_and(|id| {
                            id.as_u64() == Some(i as u64) || id.as_str() == Some(i.to_string().as_str())
                        }) && e.get("result") == Some(result)
                    });
                    prop_assert!(found, "answer {} = {} not in {}", i, result, answer);
                }
            }
            let _ = parse_single(body.as_bytes(), 0);
            // Every outcome classifies, and its text is terminal-safe once
            // the transport has cleaned it.
            let transport = with_rpc(|rpc| rpc.transport.clone());
            for a in answers {
                if let Err(e) = a {
                    let cleaned = match e {
                        CallError::Resp { code, message, data } => CallError::Resp {
                            code,
                            message: transport.clean(&message, 200),
                            data,
                        },
                        CallError::Malformed(m) => CallError::Malformed(transport.clean(&m, 200)),
                        CallError::Missing(m) => CallError::Missing(m.map(|m| transport.clean(&m, 200))),
                        other => other,
                    };
                    for method in ["eth_call", "eth_getCode"] {
                        let f = classify(&cleaned, method, "call", 100);
                        let text = failure_text(&f);
                        prop_assert!(safe(&text), "{:?}", text);
                    }
                }
            }
        }

        #[test]
        fn any_result_decodes_to_an_answer_or_an_error(result in json()) {
            for r in reads() {
                match with_rpc(|rpc| rpc.decode(&r, result.clone())) {
                    Ok(Answer::Word(_)) => prop_assert!(matches!(r, Read::Storage(..))),
                    Ok(_) => {}
                    Err(f) => prop_assert!(safe(&failure_text(&f))),
                }
            }
        }

        #[test]
        fn any_header_or_quantity_is_checked(result in json()) {
            for job in [Job::ChainId, Job::BlockNumber, Job::Header] {
                if let Err(f) = with_rpc(|rpc| rpc.aux(&job, &result, false)) {
                    prop_assert!(safe(&failure_text(&f)));
                }
            }
        }

        #[test]
        fn hex_of_any_length_decodes_or_is_refused(s in hexish()) {
            let j = Json::from(s.clone());
            if let Some(b) = hex_bytes(&j) {
                let digits = s.len() - 2;
                prop_assert_eq!(b.len(), digits.div_ceil(2));
            }
            if let Some(q) = quantity(&j) {
                let digits = s[2..].to_lowercase();
                let digits = digits.trim_start_matches('0');
                prop_assert_eq!(format!("{q:x}"), if digits.is_empty() { "0" } else { digits });
            }
        }

        #[test]
        fn any_log_parses_or_is_refused(l in json()) {
            let _ = parse_log(&l);
        }

        #[test]
        fn aggregate3_of_any_bytes_decodes_or_is_refused(data in prop::collection::vec(any::<u8>(), 0..400), n in 0usize..4) {
            if let Some(v) = abi::decode_aggregate3(&data, n) {
                prop_assert_eq!(v.len(), n);
            }
        }

        #[test]
        fn sanitised_text_is_terminal_safe_and_capped(s in "\\PC*|[\\x00-\\x1f\\x7f-\\u{9f}\u{202e}a]{0,50}", max in 0usize..40) {
            let out = sanitize(&s, max);
            prop_assert!(safe(&out));
            // At most `max` characters kept, each escaped to at most 10.
            prop_assert!(out.chars().count() <= max * 10 + 1);
            if s.chars().count() <= max && s.chars().all(|c| !c.is_control() && c != '\u{202e}') {
                prop_assert_eq!(out, s);
            }
        }

        #[test]
        fn any_retry_after_parses_or_is_ignored(s in "\\PC{0,40}|[0-9.e+-]{0,20}") {
            let _ = crate::transport::parse_retry_after(&s, 0);
        }
    }
}
