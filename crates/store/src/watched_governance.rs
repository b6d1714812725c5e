//! The governance structure each watch cycle assessed a project with: the
//! latest watched snapshot merged with what the project file declares
//! (docs/discovery.md, "Watching"), stored as pure model data (the
//! `[governance]` section as JSON, which `l2stage_model` parses) with the
//! warnings of the merge, so a reader without an RPC client (the server,
//! `l2stage assess --db`) assesses the project as the loop did.
//!
//! Tables (migration 3), append-only:
//!
//! * `watch_governance_data`: each distinct `[governance]` body once, by
//!   SHA-256;
//! * `watch_governance`: per cycle and project observed, the pinned block,
//!   the input hash of the project file merged with, where the structure
//!   came from (`declared`: the file's, checked against the chain;
//!   `chain`: the file declares none), the warnings and the body's hash.
//!
//! A row applies to a project file only while that file (its input hash)
//! is the one merged with: a newer file waits for the next cycle.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use l2stage_model::Date;

use crate::watch::{date_of_timestamp, hex_sha256, int, parse_date, parse_json, uint};
use crate::{Result, Store, StoreError};

pub(crate) const MIGRATION_SQL: &str = r#"
CREATE TABLE watch_governance_data (
    hash TEXT PRIMARY KEY,
    data TEXT NOT NULL
);

CREATE TABLE watch_governance (
    id          INTEGER PRIMARY KEY,
    cycle_id    INTEGER NOT NULL REFERENCES watch_cycles (id),
    project_id  TEXT NOT NULL,
    block       INTEGER NOT NULL CHECK (block >= 0),
    timestamp   INTEGER NOT NULL CHECK (timestamp >= 0),
    date        TEXT NOT NULL CHECK (length(date) = 10),
    input_hash  TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('declared', 'chain')),
    warnings    TEXT NOT NULL,
    data_hash   TEXT NOT NULL REFERENCES watch_governance_data (hash)
);
CREATE INDEX watch_governance_by_project ON watch_governance (project_id, input_hash, id);

CREATE TRIGGER watch_governance_data_no_update BEFORE UPDATE ON watch_governance_data
BEGIN SELECT RAISE(ABORT, 'watch_governance_data is append-only'); END;
CREATE TRIGGER watch_governance_data_no_delete BEFORE DELETE ON watch_governance_data
BEGIN SELECT RAISE(ABORT, 'watch_governance_data is append-only'); END;
CREATE TRIGGER watch_governance_no_update BEFORE UPDATE ON watch_governance
BEGIN SELECT RAISE(ABORT, 'watch_governance is append-only'); END;
CREATE TRIGGER watch_governance_no_delete BEFORE DELETE ON watch_governance
BEGIN SELECT RAISE(ABORT, 'watch_governance is append-only'); END;
"#;

/// Where a watched governance structure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GovernanceSource {
    /// The project file's own `[governance]`, checked against the chain
    /// (contradictions are warnings).
    Declared,
    /// Read on chain: the project file declares none.
    Chain,
}

impl GovernanceSource {
    pub fn as_str(self) -> &'static str {
        match self {
            GovernanceSource::Declared => "declared",
            GovernanceSource::Chain => "chain",
        }
    }
}

/// The structure a cycle assessed one project with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewGovernance {
    pub project: String,
    pub block: u64,
    /// Unix seconds of the block.
    pub timestamp: u64,
    /// [`crate::input_hash`] of the project file merged with.
    pub input_hash: String,
    pub source: GovernanceSource,
    /// The `[governance]` section, as `l2stage_model::governance::Governance`
    /// serialises.
    pub governance: serde_json::Value,
    /// The merge's warnings (added to the assessment's).
    pub warnings: Vec<String>,
}

/// A stored [`NewGovernance`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchedGovernance {
    pub seq: i64,
    pub project: String,
    pub block: u64,
    pub timestamp: u64,
    /// UTC date of the block.
    pub date: Date,
    pub input_hash: String,
    pub source: GovernanceSource,
    pub governance: serde_json::Value,
    pub warnings: Vec<String>,
}

impl WatchedGovernance {
    /// `file` with its `[governance]` replaced by this structure, checked
    /// as a project file is; the reason when it does not parse or is not
    /// valid (the caller then keeps the file as it is).
    pub fn apply_to(
        &self,
        file: &l2stage_model::ProjectFile,
    ) -> std::result::Result<l2stage_model::ProjectFile, String> {
        let governance = serde_json::from_value(self.governance.clone()).map_err(|e| {
            format!(
                "the governance structure watched at block {} does not parse: {e}",
                self.block
            )
        })?;
        let mut merged = file.clone();
        merged.governance = Some(governance);
        merged.validate().map_err(|e| {
            format!(
                "the governance structure watched at block {} is not valid: {}: {}",
                self.block,
                e.path_string(),
                e.message
            )
        })?;
        Ok(merged)
    }
}

pub(crate) fn insert(tx: &Transaction<'_>, cycle_id: i64, g: &NewGovernance) -> Result<()> {
    let text = serde_json::to_string(&g.governance)?;
    let hash = hex_sha256(&text);
    tx.execute(
        "INSERT OR IGNORE INTO watch_governance_data (hash, data) VALUES (?1, ?2)",
        params![hash, text],
    )?;
    tx.execute(
        "INSERT INTO watch_governance (cycle_id, project_id, block, timestamp, date, input_hash, source, warnings, data_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            cycle_id,
            g.project,
            int("block", g.block)?,
            int("timestamp", g.timestamp)?,
            date_of_timestamp(g.timestamp)?.to_string(),
            g.input_hash,
            g.source.as_str(),
            serde_json::to_string(&g.warnings)?,
            hash
        ],
    )?;
    Ok(())
}

impl Store {
    fn watched_governance_(
        &self,
        project: &str,
        input_hash: &str,
    ) -> Result<Option<WatchedGovernance>> {
        let row = self
            .conn
            .query_row(
                "SELECT g.id, g.project_id, g.block, g.timestamp, g.date, g.input_hash, g.source, g.warnings, d.data
                 FROM watch_governance g JOIN watch_governance_data d ON d.hash = g.data_hash
                 WHERE g.project_id = ?1 AND g.input_hash = ?2 ORDER BY g.id DESC LIMIT 1",
                params![project, input_hash],
                |r| {
                    let source: String = r.get(6)?;
                    let warnings: String = r.get(7)?;
                    Ok((
                        WatchedGovernance {
                            seq: r.get(0)?,
                            project: r.get(1)?,
                            block: uint(r.get(2)?)?,
                            timestamp: uint(r.get(3)?)?,
                            date: parse_date(r.get(4)?)?,
                            input_hash: r.get(5)?,
                            source: GovernanceSource::Declared,
                            governance: parse_json(r.get(8)?)?,
                            warnings: Vec::new(),
                        },
                        source,
                        warnings,
                    ))
                },
            )
            .optional()?;
        let Some((mut g, source, warnings)) = row else {
            return Ok(None);
        };
        g.source = match source.as_str() {
            "declared" => GovernanceSource::Declared,
            "chain" => GovernanceSource::Chain,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "watch_governance #{}: unknown source `{other}`",
                    g.seq
                )));
            }
        };
        g.warnings = serde_json::from_str(&warnings).map_err(|e| {
            StoreError::Corrupt(format!("watch_governance #{}: warnings: {e}", g.seq))
        })?;
        Ok(Some(g))
    }

    /// The structure the latest watch cycle assessed `project` with, when
    /// that cycle merged the project file whose input hash is `input_hash`.
    pub fn watched_governance(
        &self,
        project: &str,
        input_hash: &str,
    ) -> Result<Option<WatchedGovernance>> {
        let r = self.watched_governance_(project, input_hash);
        r.map_err(|e| e.at(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::{GovernanceSource, NewGovernance};
    use crate::Store;
    use crate::watch::{NewSnapshot, ProjectObservation, WatchCycle};

    // 2030-01-01 00:00:00 UTC.
    const JAN1: u64 = 1_893_456_000;

    fn cycle(block: u64, timestamp: u64) -> WatchCycle {
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
                changes: vec![],
            }],
            values: vec![],
            assessments: vec![],
            log_cursor: None,
        }
    }

    fn gov(block: u64, timestamp: u64, hash: &str, threshold: u64) -> NewGovernance {
        NewGovernance {
            project: "p".into(),
            block,
            timestamp,
            input_hash: hash.into(),
            source: GovernanceSource::Chain,
            governance: serde_json::json!({ "threshold": threshold }),
            warnings: vec![format!("read on chain at block {block}")],
        }
    }

    #[test]
    fn the_latest_row_for_the_file_merged_with_is_returned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.watched_governance("p", "h1").unwrap(), None);
        store
            .record_watch_cycle_with(&cycle(100, JAN1 + 60), &[gov(100, JAN1 + 60, "h1", 3)])
            .unwrap();
        store
            .record_watch_cycle_with(
                &cycle(200, JAN1 + 86_400 + 60),
                &[gov(200, JAN1 + 86_400 + 60, "h1", 2)],
            )
            .unwrap();
        // Another file version merged later: the first file's row stays.
        store
            .record_watch_cycle_with(
                &cycle(300, JAN1 + 2 * 86_400),
                &[gov(300, JAN1 + 2 * 86_400, "h2", 1)],
            )
            .unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        let g = store.watched_governance("p", "h1").unwrap().unwrap();
        assert_eq!(
            (g.block, g.date.to_string()),
            (200, "2030-01-02".to_string())
        );
        assert_eq!(g.source, GovernanceSource::Chain);
        assert_eq!(g.governance, serde_json::json!({ "threshold": 2 }));
        assert_eq!(g.warnings, vec!["read on chain at block 200".to_string()]);
        assert_eq!(
            store.watched_governance("p", "h2").unwrap().unwrap().block,
            300
        );
        assert_eq!(store.watched_governance("q", "h1").unwrap(), None);
        // Append-only.
        let e = store
            .conn
            .execute("DELETE FROM watch_governance", [])
            .unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
    }
}
