//! One wave of reads: the cache, the header check, Multicall3 fallbacks
//! and retries.

use std::collections::BTreeSet;
use std::time::Duration;

use super::decode::hex_bytes;
use super::retry::retry_wait;
use super::{Answer, Failure, Job, Read, Rpc, Why};
use crate::abi;
use crate::error::{DiscoveryError, Result};

impl Rpc {
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

    pub(super) async fn backoff_or_fail(
        &mut self,
        attempt: u32,
        f: Failure,
        call: &str,
    ) -> Result<()> {
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

    pub(super) fn notify(&mut self) {
        let s = self.stats();
        if let Some(f) = self.observer.as_mut() {
            f(&s);
        }
    }
}
