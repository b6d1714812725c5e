//! On-chain discovery: read a rollup's governance from an Ethereum node —
//! proxies (EIP-1967 implementation, admin and beacon slots), owners,
//! AccessControl roles, Gnosis Safes (nested), OpenZeppelin timelocks and
//! whatever a discovery config maps — at one pinned block, and write it as
//! the project file's `[governance]` section; or check a project file's
//! claims against the chain (`verify`).
//!
//! alloy (and its HTTP stack) is a dependency of this crate only.

pub mod abi;
pub mod blocks;
pub mod chain_profile;
pub mod changes;
pub mod config;
pub mod crawl;
pub mod error;
pub mod follow;
pub mod many;
pub mod render;
pub mod rpc;
pub mod structure;
pub mod transport;
pub mod value;
pub mod verify;

#[cfg(feature = "testkit")]
pub mod testkit;

use alloy::primitives::Address;

pub use changes::{Change, ChangeKind, Evidence, Snapshot, diff};
pub use config::Config;
pub use crawl::{Facts, Progress};
pub use error::{DiscoveryError, Result};
pub use follow::{GovEvent, governance_logs};
pub use many::{ProjectJob, discover_many};
pub use rpc::{MulticallMode, Rpc, RpcOptions, Stats, install_tls};
pub use structure::Discovered;

/// One discovery run.
pub struct Request<'a> {
    pub rpc_url: &'a str,
    pub entries: Vec<Address>,
    /// Pin to this block; default the node's latest at start.
    pub block: Option<u64>,
    pub config: &'a Config,
    pub options: RpcOptions,
}

/// Crawl from the entries and build the `[governance]` structure.
pub async fn discover(req: Request<'_>, progress: &mut dyn FnMut(&Progress)) -> Result<Discovered> {
    let mut rpc = Rpc::new(req.rpc_url, req.options)?;
    discover_with(&mut rpc, &req.entries, req.block, req.config, progress).await
}

/// The same with a client built by the caller (to observe round trips).
pub async fn discover_with(
    rpc: &mut Rpc,
    entries: &[Address],
    block: Option<u64>,
    config: &Config,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Discovered> {
    let crawler = crawl::Crawler::new(config)?;
    rpc.pin_block(block).await?;
    let facts = crawler.crawl(rpc, entries, progress).await?;
    structure::build(facts, &crawler)
}

/// Parse entry addresses given on the command line.
pub fn parse_addresses(list: &[String]) -> Result<Vec<Address>> {
    list.iter()
        .flat_map(|s| s.split(','))
        .filter(|s| !s.trim().is_empty())
        .map(|s| config::parse_address(s).map_err(DiscoveryError::Input))
        .collect()
}
