//! What watching the chain stored about a project, as BattleTested's chain
//! input (docs/labels.md, "From chain data"): the value points read on
//! chain, the safety-relevant changes, and the dates of the first and last
//! watched blocks.

use l2stage_labels::chain::{ChainChange, ChainData, ChainPoint};
use l2stage_model::Date;
use rusqlite::OptionalExtension;

use crate::watch::MAX_CHANGES_PER_QUERY;
use crate::{Result, Store, StoreError};

impl Store {
    /// `None` when nothing was read on chain for `project` (no value point,
    /// no snapshot).
    pub fn chain_data(&self, project: &str) -> Result<Option<ChainData>> {
        let points: Vec<ChainPoint> = self
            .value_points(project)?
            .into_iter()
            .map(|p| ChainPoint {
                date: p.date,
                block: p.block,
                eth_usd: p.eth_usd,
                stablecoin_usd: p.stablecoin_usd,
                other_usd: p.other_usd,
            })
            .collect();
        let range: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT MIN(date), MAX(date) FROM watch_snapshots WHERE project_id = ?1 HAVING COUNT(*) > 0",
                [project],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let parse = |s: &str| {
            s.parse::<Date>()
                .map_err(|e| StoreError::Invalid(format!("stored snapshot date `{s}`: {e}")))
        };
        let mut watched = match range {
            Some((a, b)) => Some((parse(&a)?, parse(&b)?)),
            None => None,
        };
        // The last verified block may be later than the last stored snapshot.
        if let (Some((_, last)), Some(v)) = (
            watched.as_mut(),
            self.watch_status(project)?.and_then(|s| s.verified),
        ) && v.date > *last
        {
            *last = v.date;
        }
        if points.is_empty() && watched.is_none() {
            return Ok(None);
        }
        let mut changes = Vec::new();
        let mut before = None;
        loop {
            let page = self.changes(project, MAX_CHANGES_PER_QUERY, before)?;
            let Some(last) = page.last() else { break };
            before = Some(last.seq);
            changes.extend(
                page.into_iter()
                    .filter(|c| c.safety_relevant)
                    .map(|c| ChainChange {
                        date: c.date,
                        block: c.block,
                        kind: c.kind,
                        address: c.address,
                        field: c.field,
                    }),
            );
        }
        changes.reverse();
        Ok(Some(ChainData {
            points,
            changes,
            watched,
        }))
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use crate::watch::{NewChange, NewSnapshot, ProjectObservation, ValuePoint, WatchCycle};
    use l2stage_model::Date;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    // 2030-01-01 00:00:00 UTC.
    const JAN1: u64 = 1_893_456_000;

    fn cycle(block: u64, timestamp: u64, changes: Vec<NewChange>) -> WatchCycle {
        WatchCycle {
            chain_id: 1,
            block,
            timestamp,
            observations: vec![ProjectObservation::Observed {
                snapshot: NewSnapshot {
                    project: "p".into(),
                    chain_id: 1,
                    block,
                    block_hash: None,
                    timestamp,
                    data: serde_json::json!({ "block": block }),
                },
                changes,
            }],
            values: vec![],
            assessments: vec![],
            log_cursor: None,
        }
    }

    fn change(block: u64, timestamp: u64, kind: &str, safety_relevant: bool) -> NewChange {
        NewChange {
            block,
            timestamp,
            kind: kind.into(),
            address: "0x00000000000000000000000000000000000000aa".into(),
            field: "implementation".into(),
            before: None,
            after: None,
            safety_relevant,
            evidence: serde_json::json!({ "block": block, "calls": [] }),
        }
    }

    #[test]
    fn chain_data_gathers_points_safety_relevant_changes_and_the_watched_range() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        assert_eq!(store.chain_data("p").unwrap(), None);
        store
            .record_watch_cycle(&cycle(100, JAN1 + 3600, vec![]))
            .unwrap();
        store
            .record_watch_cycle(&cycle(
                200,
                JAN1 + 40 * 86_400,
                vec![
                    change(200, JAN1 + 40 * 86_400, "implementation-upgraded", true),
                    change(200, JAN1 + 40 * 86_400, "field-changed", false),
                ],
            ))
            .unwrap();
        store
            .record_value_points(
                "p",
                &[ValuePoint {
                    date: d("2030-01-02"),
                    block: 150,
                    eth_usd: 60,
                    stablecoin_usd: 45,
                    other_usd: 1,
                    detail: serde_json::json!({}),
                }],
            )
            .unwrap();
        let c = store.chain_data("p").unwrap().unwrap();
        assert_eq!(c.watched, Some((d("2030-01-01"), d("2030-02-10"))));
        assert_eq!(c.changes.len(), 1);
        assert_eq!(c.changes[0].date, d("2030-02-10"));
        assert_eq!(c.changes[0].block, 200);
        assert_eq!(c.changes[0].kind, "implementation-upgraded");
        assert_eq!(c.points.len(), 1);
        assert_eq!(
            (
                c.points[0].block,
                c.points[0].eth_usd,
                c.points[0].other_usd
            ),
            (150, 60, 1)
        );
        assert_eq!(store.chain_data("other").unwrap(), None);
    }
}
