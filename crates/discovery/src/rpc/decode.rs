//! Checking and decoding what the node answered.

use alloy::primitives::{Address, B256, Bytes};
use serde_json::Value as Json;

use super::options::Pin;
use super::{Answer, Failure, Job, LogEntry, Read, Rpc, Why};
use crate::error::DiscoveryError;

impl Rpc {
    /// Check the chain id, head and pinned block answers.
    pub(super) fn aux(
        &mut self,
        job: &Job,
        j: &Json,
        pinning: bool,
    ) -> std::result::Result<(), Failure> {
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

    pub(super) fn decode(&self, r: &Read, j: Json) -> std::result::Result<Answer, Failure> {
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
            Read::Balance(_) => j
                .as_str()
                .and_then(|q| q.strip_prefix("0x"))
                .filter(|h| !h.is_empty() && h.len() <= 64)
                .and_then(|h| alloy::primitives::U256::from_str_radix(h, 16).ok())
                .map(|v| Answer::Word(B256::from(v)))
                .ok_or_else(|| bad("expected a hex quantity")),
            Read::Call(..) => hex_bytes(&j)
                .map(Answer::Returned)
                .ok_or_else(|| bad("expected hex return data")),
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
    pub(super) fn decode_logs(
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

pub(super) fn hex_bytes(j: &Json) -> Option<Bytes> {
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

pub(super) fn quantity(j: &Json) -> Option<u64> {
    let s = j.as_str()?;
    let h = s.strip_prefix("0x")?;
    if h.is_empty() || h.len() > 16 {
        return None;
    }
    u64::from_str_radix(h, 16).ok()
}

/// Most topics of one log (LOG4).
const MAX_LOG_TOPICS: usize = 4;

pub(super) fn parse_log(l: &Json) -> Option<LogEntry> {
    let address: Address = l.get("address")?.as_str()?.parse().ok()?;
    let topics = l.get("topics")?.as_array()?;
    // The EVM's LOG0..LOG4: more topics is not a log.
    if topics.len() > MAX_LOG_TOPICS {
        return None;
    }
    let topics = topics
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
    use serde_json::json;

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

    #[test]
    fn a_log_has_at_most_four_topics() {
        let log = |n: usize| {
            json!({
                "address": "0x0000000000000000000000000000000000000001",
                "topics": vec![format!("0x{}", "11".repeat(32)); n],
                "data": "0x",
                "blockNumber": "0x5",
                "logIndex": "0x0",
            })
        };
        assert_eq!(parse_log(&log(4)).unwrap().topics.len(), 4);
        assert!(parse_log(&log(5)).is_none());
        assert!(parse_log(&log(10_000)).is_none());
    }
}
