//! Many projects at one pinned block.

use alloy::primitives::Address;
use l2stage_discovery::{Config, Discovered, DiscoveryError, Rpc};

pub struct ProjectJob<'a> {
    pub project: String,
    pub entries: Vec<Address>,
    pub config: &'a Config,
}

/// A fault of the project's own input (it fails alone), not of the node.
fn own_fault(e: &DiscoveryError) -> bool {
    matches!(
        e,
        DiscoveryError::Input(_) | DiscoveryError::Limit(_) | DiscoveryError::Structure(_)
    )
}

/// Discover every job at one block (`block`, else the node's latest);
/// a fault of the node fails the whole call.
pub async fn discover_many(
    rpc: &mut Rpc,
    jobs: &[ProjectJob<'_>],
    block: Option<u64>,
) -> Result<Vec<(String, Result<Discovered, DiscoveryError>)>, DiscoveryError> {
    // Pinned once: every crawl reads the same block (pinning the same
    // client again would drop the header it checked).
    let already = block.is_some() && rpc.pin().map(|p| p.block) == block;
    if !already {
        rpc.pin_block(block).await?;
    }
    let mut out = Vec::with_capacity(jobs.len());
    for j in jobs {
        let d = match l2stage_discovery::crawl::Crawler::new(j.config) {
            Ok(crawler) => match crawler.crawl(rpc, &j.entries, &mut |_| {}).await {
                Ok(facts) => l2stage_discovery::structure::build(facts, &crawler),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        match d {
            Err(e) if !own_fault(&e) => return Err(e),
            d => out.push((j.project.clone(), d)),
        }
    }
    Ok(out)
}
