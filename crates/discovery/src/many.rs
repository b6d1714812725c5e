//! Many projects at one pinned block, batched together: every BFS level of
//! every project goes out in the same wave of reads, so a watch cycle over
//! the whole catalog costs about as many round trips as its deepest
//! project (plus the pin and the header check), not one crawl per project.

use alloy::primitives::Address;

use crate::crawl::{Crawler, Walk};
use crate::error::{DiscoveryError, Result};
use crate::rpc::{Read, Rpc};
use crate::{Config, Discovered, structure};

/// One project to discover: its id, entry addresses and discovery config.
#[derive(Debug, Clone)]
pub struct ProjectJob<'a> {
    pub project: String,
    pub entries: Vec<Address>,
    pub config: &'a Config,
}

/// A project's crawl in progress.
struct Running<'a> {
    crawler: Crawler<'a>,
    walk: Walk,
}

enum State<'a> {
    Running(Box<Running<'a>>),
    /// Read to the end: waiting for the structure to be built.
    Done(Box<Running<'a>>),
    Failed(DiscoveryError),
}

/// Discover every job at one block (`block`, or the node's latest), all
/// projects' reads of a BFS level in one [`Rpc::read_all`] wave. The
/// results are in the order of `jobs`, each with its project id.
///
/// A project whose own input is bad (its config, its entries) or whose
/// chain state cannot be modelled (an impossible Safe, a template field
/// that reverts, a crawl limit) fails alone, with its error. A fault of the
/// node or the transport (after retries) fails the whole call: nothing was
/// verified at that block. Every `Discovered` shares the pin and carries
/// the client's counters for the whole call in `facts.stats`.
pub async fn discover_many(
    rpc: &mut Rpc,
    jobs: &[ProjectJob<'_>],
    block: Option<u64>,
) -> Result<Vec<(String, std::result::Result<Discovered, DiscoveryError>)>> {
    rpc.pin_block(block).await?;
    let mut states: Vec<State<'_>> = jobs
        .iter()
        .map(|job| {
            let crawler = match Crawler::new(job.config) {
                Ok(c) => c,
                Err(e) => return State::Failed(e),
            };
            match crawler.start(rpc, &job.entries) {
                Ok(walk) => State::Running(Box::new(Running { crawler, walk })),
                Err(e) => State::Failed(e),
            }
        })
        .collect();
    loop {
        // This level's reads of every running project, one wave.
        let mut reads: Vec<Read> = Vec::new();
        let mut spans: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        for (i, state) in states.iter_mut().enumerate() {
            let taken =
                std::mem::replace(state, State::Failed(DiscoveryError::Input(String::new())));
            *state = match taken {
                State::Running(run) => match run.crawler.wave(&run.walk) {
                    Ok(Some(r)) => {
                        let start = reads.len();
                        reads.extend(r);
                        spans.push((i, start..reads.len()));
                        State::Running(run)
                    }
                    Ok(None) => State::Done(run),
                    Err(e) => State::Failed(e),
                },
                other => other,
            };
        }
        if spans.is_empty() {
            break;
        }
        let answers = rpc.read_all(&reads).await?;
        for (i, span) in spans {
            let State::Running(run) = &mut states[i] else {
                continue;
            };
            let r = reads[span.clone()].to_vec();
            let a = answers[span].to_vec();
            if let Err(e) = run.crawler.absorb(&mut run.walk, r, a, rpc) {
                states[i] = State::Failed(e);
            }
        }
    }
    let rpc_warnings = std::mem::take(&mut rpc.warnings);
    let mut out = Vec::with_capacity(jobs.len());
    for (job, state) in jobs.iter().zip(states) {
        let result = match state {
            State::Done(run) => run
                .crawler
                .finish(run.walk, rpc, rpc_warnings.clone())
                .and_then(|facts| structure::build(facts, &run.crawler)),
            State::Failed(e) => Err(e),
            State::Running(_) => Err(DiscoveryError::Input(format!(
                "{}: the crawl did not finish",
                job.project
            ))),
        };
        out.push((job.project.clone(), result));
    }
    Ok(out)
}
