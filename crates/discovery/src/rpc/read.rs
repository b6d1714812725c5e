//! What can be read from the chain, and what it answers.

use alloy::primitives::{Address, B256, Bytes};

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
