//! What the watch loop saw on chain: per cycle, each project's snapshot,
//! the typed changes since the previous one, the faults of projects that
//! could not be read, dated value-locked points and the re-assessments —
//! stored in ONE transaction per cycle ([`Store::record_watch_cycle`]).
//!
//! Tables (migration 2), all append-only (triggers refuse UPDATE and
//! DELETE) except the log cursor, which is one row per chain:
//!
//! * `watch_cycles`: one row per recorded cycle (chain, pinned block and
//!   its timestamp and UTC date);
//! * `watch_snapshot_data`: each distinct snapshot body once, by SHA-256
//!   (a project that did not change costs one small row per cycle);
//! * `watch_snapshots`: per cycle and project, the pin and the body's hash;
//! * `watch_changes`: every typed change, with its evidence;
//! * `watch_faults`: a project that could not be verified in a cycle, with
//!   the reason;
//! * `value_points`: dated value-locked points (a later point for the same
//!   project and date supersedes an earlier one when read);
//! * `watch_log_cursors`: per chain, the last block followed with
//!   `eth_getLogs` (updated in place).
//!
//! A project's status ([`Store::watch_status`]) is derived: the last
//! verified block is its latest snapshot's; it carries a fault when its
//! latest fault comes from a later cycle than that snapshot.

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use l2stage_assess::Assessment;
use l2stage_model::{Date, Format};

use crate::{Origin, Result, Store, StoreError, now_rfc3339};

/// Longest fault reason stored, in characters (a longer one is cut, with
/// `…` appended): the reason may quote an RPC node's answer.
pub const MAX_FAULT_REASON: usize = 2000;

/// Most changes one call of [`Store::changes`] or
/// [`Store::recent_changes`] returns, whatever `limit` asks.
pub const MAX_CHANGES_PER_QUERY: usize = 10_000;

pub(crate) const MIGRATION_SQL: &str = r#"
-- One row per recorded watch cycle.
CREATE TABLE watch_cycles (
    id          INTEGER PRIMARY KEY,
    chain_id    INTEGER NOT NULL,
    block       INTEGER NOT NULL CHECK (block >= 0),
    timestamp   INTEGER NOT NULL CHECK (timestamp >= 0),
    date        TEXT NOT NULL CHECK (length(date) = 10),
    recorded_at TEXT NOT NULL
);

-- Each distinct snapshot body once.
CREATE TABLE watch_snapshot_data (
    hash TEXT PRIMARY KEY,
    data TEXT NOT NULL
);

CREATE TABLE watch_snapshots (
    id          INTEGER PRIMARY KEY,
    cycle_id    INTEGER NOT NULL REFERENCES watch_cycles (id),
    project_id  TEXT NOT NULL,
    chain_id    INTEGER NOT NULL,
    block       INTEGER NOT NULL CHECK (block >= 0),
    block_hash  TEXT,
    timestamp   INTEGER NOT NULL CHECK (timestamp >= 0),
    date        TEXT NOT NULL CHECK (length(date) = 10),
    data_hash   TEXT NOT NULL REFERENCES watch_snapshot_data (hash)
);
CREATE INDEX watch_snapshots_by_project ON watch_snapshots (project_id, id);

CREATE TABLE watch_changes (
    id              INTEGER PRIMARY KEY,
    cycle_id        INTEGER NOT NULL REFERENCES watch_cycles (id),
    snapshot_id     INTEGER NOT NULL REFERENCES watch_snapshots (id),
    project_id      TEXT NOT NULL,
    block           INTEGER NOT NULL CHECK (block >= 0),
    timestamp       INTEGER NOT NULL CHECK (timestamp >= 0),
    date            TEXT NOT NULL CHECK (length(date) = 10),
    kind            TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    address         TEXT NOT NULL,
    field           TEXT NOT NULL,
    before          TEXT,
    after           TEXT,
    safety_relevant INTEGER NOT NULL CHECK (safety_relevant IN (0, 1)),
    evidence        TEXT NOT NULL
);
CREATE INDEX watch_changes_by_project ON watch_changes (project_id, id);

CREATE TABLE watch_faults (
    id          INTEGER PRIMARY KEY,
    cycle_id    INTEGER NOT NULL REFERENCES watch_cycles (id),
    project_id  TEXT NOT NULL,
    block       INTEGER NOT NULL CHECK (block >= 0),
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX watch_faults_by_project ON watch_faults (project_id, id);

CREATE TABLE value_points (
    id             INTEGER PRIMARY KEY,
    cycle_id       INTEGER REFERENCES watch_cycles (id),
    project_id     TEXT NOT NULL,
    date           TEXT NOT NULL CHECK (length(date) = 10),
    block          INTEGER NOT NULL CHECK (block >= 0),
    eth_usd        INTEGER NOT NULL CHECK (eth_usd >= 0),
    stablecoin_usd INTEGER NOT NULL CHECK (stablecoin_usd >= 0),
    other_usd      INTEGER NOT NULL CHECK (other_usd >= 0),
    detail         TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX value_points_by_project ON value_points (project_id, date, id);

-- Per chain, the last block followed by eth_getLogs (updated in place).
CREATE TABLE watch_log_cursors (
    chain_id   INTEGER PRIMARY KEY,
    block      INTEGER NOT NULL CHECK (block >= 0),
    updated_at TEXT NOT NULL
);

CREATE TRIGGER watch_cycles_no_update BEFORE UPDATE ON watch_cycles
BEGIN SELECT RAISE(ABORT, 'watch_cycles is append-only'); END;
CREATE TRIGGER watch_cycles_no_delete BEFORE DELETE ON watch_cycles
BEGIN SELECT RAISE(ABORT, 'watch_cycles is append-only'); END;
CREATE TRIGGER watch_snapshot_data_no_update BEFORE UPDATE ON watch_snapshot_data
BEGIN SELECT RAISE(ABORT, 'watch_snapshot_data is append-only'); END;
CREATE TRIGGER watch_snapshot_data_no_delete BEFORE DELETE ON watch_snapshot_data
BEGIN SELECT RAISE(ABORT, 'watch_snapshot_data is append-only'); END;
CREATE TRIGGER watch_snapshots_no_update BEFORE UPDATE ON watch_snapshots
BEGIN SELECT RAISE(ABORT, 'watch_snapshots is append-only'); END;
CREATE TRIGGER watch_snapshots_no_delete BEFORE DELETE ON watch_snapshots
BEGIN SELECT RAISE(ABORT, 'watch_snapshots is append-only'); END;
CREATE TRIGGER watch_changes_no_update BEFORE UPDATE ON watch_changes
BEGIN SELECT RAISE(ABORT, 'watch_changes is append-only'); END;
CREATE TRIGGER watch_changes_no_delete BEFORE DELETE ON watch_changes
BEGIN SELECT RAISE(ABORT, 'watch_changes is append-only'); END;
CREATE TRIGGER watch_faults_no_update BEFORE UPDATE ON watch_faults
BEGIN SELECT RAISE(ABORT, 'watch_faults is append-only'); END;
CREATE TRIGGER watch_faults_no_delete BEFORE DELETE ON watch_faults
BEGIN SELECT RAISE(ABORT, 'watch_faults is append-only'); END;
CREATE TRIGGER value_points_no_update BEFORE UPDATE ON value_points
BEGIN SELECT RAISE(ABORT, 'value_points is append-only'); END;
CREATE TRIGGER value_points_no_delete BEFORE DELETE ON value_points
BEGIN SELECT RAISE(ABORT, 'value_points is append-only'); END;
"#;

/// One project's state read at the cycle's pinned block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSnapshot {
    pub project: String,
    pub chain_id: u64,
    pub block: u64,
    pub block_hash: Option<String>,
    /// Unix seconds of the block.
    pub timestamp: u64,
    pub data: serde_json::Value,
}

/// One typed difference between a project's previous snapshot and the new
/// one (kinds and safety rules: docs/discovery.md, "Watching").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewChange {
    pub block: u64,
    /// Unix seconds of the block.
    pub timestamp: u64,
    pub kind: String,
    pub address: String,
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub safety_relevant: bool,
    pub evidence: serde_json::Value,
}

/// What one cycle learnt about one project.
#[derive(Debug, Clone, PartialEq)]
pub enum ProjectObservation {
    /// Read at the pinned block: the snapshot, and what changed since the
    /// project's previous one (empty for the first or an unchanged one).
    Observed {
        snapshot: NewSnapshot,
        changes: Vec<NewChange>,
    },
    /// Could not be verified (an RPC fault): recorded on the project, never
    /// turned into a change.
    Fault {
        project: String,
        block: u64,
        reason: String,
    },
}

/// Value locked on one day, read on chain: whole US dollars, floored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValuePoint {
    pub date: Date,
    pub block: u64,
    pub eth_usd: u64,
    pub stablecoin_usd: u64,
    pub other_usd: u64,
    /// Per token balances and prices, as the reader reports them.
    pub detail: serde_json::Value,
}

impl ValuePoint {
    /// ETH + stablecoins + other, saturating.
    pub fn total_usd(&self) -> u64 {
        self.eth_usd
            .saturating_add(self.stablecoin_usd)
            .saturating_add(self.other_usd)
    }
}

/// An assessment to store with the file it assessed (the owned form of
/// [`crate::NewSubmission`], so a cycle can carry it).
#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub format: Format,
    pub text: String,
    pub origin: Origin,
    pub source_name: Option<String>,
    pub assessment: Assessment,
}

impl NewAssessment {
    pub fn as_submission(&self) -> crate::NewSubmission<'_> {
        crate::NewSubmission {
            format: self.format,
            text: &self.text,
            origin: self.origin,
            source_name: self.source_name.as_deref(),
            assessment: &self.assessment,
        }
    }
}

/// Everything one watch cycle stores, in one transaction.
#[derive(Debug, Clone)]
pub struct WatchCycle {
    pub chain_id: u64,
    /// The pinned block and its timestamp (Unix seconds).
    pub block: u64,
    pub timestamp: u64,
    pub observations: Vec<ProjectObservation>,
    pub values: Vec<(String, ValuePoint)>,
    pub assessments: Vec<NewAssessment>,
    /// The last block followed with `eth_getLogs` on this chain, if the
    /// cycle advanced it.
    pub log_cursor: Option<u64>,
}

/// What [`Store::record_watch_cycle`] stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CycleSummary {
    /// The cycle's row id (None when the cycle only moved the log cursor).
    pub cycle_seq: Option<i64>,
    pub snapshots: usize,
    /// Snapshot bodies not stored before.
    pub new_snapshot_data: usize,
    pub changes: usize,
    pub safety_relevant_changes: usize,
    pub faults: usize,
    pub value_points: usize,
    /// Assessments stored (an identical one already stored is not).
    pub assessments_added: usize,
}

/// A stored snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSnapshot {
    pub seq: i64,
    pub project: String,
    pub chain_id: u64,
    pub block: u64,
    pub block_hash: Option<String>,
    pub timestamp: u64,
    /// UTC date of the block.
    pub date: Date,
    pub data: serde_json::Value,
}

/// A stored change, as `GET /api/v1/projects/{id}/changes` and
/// `l2stage changes --format json` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredChange {
    pub block: u64,
    /// UTC date of the block.
    pub date: Date,
    pub kind: String,
    pub address: String,
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub safety_relevant: bool,
    pub evidence: serde_json::Value,
    pub project: String,
    /// Row id: increases with every stored change (pagination: `before`).
    pub seq: i64,
    /// Unix seconds of the block (not part of the JSON contract).
    #[serde(skip)]
    pub timestamp: u64,
}

/// Where a project's watching stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WatchStatus {
    pub project: String,
    pub chain_id: u64,
    /// The last block at which the project was read, if ever.
    pub verified: Option<Verified>,
    /// The fault of the last attempt, when it failed (after `verified`).
    pub fault: Option<WatchFault>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub block: u64,
    pub date: Date,
    pub timestamp: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WatchFault {
    pub block: u64,
    pub reason: String,
    /// When the fault was recorded (RFC 3339, UTC).
    pub at: String,
}

/// The UTC date of a block timestamp (Unix seconds).
pub fn date_of_timestamp(timestamp: u64) -> Result<Date> {
    i64::try_from(timestamp)
        .ok()
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| Date(t.date_naive()))
        .ok_or_else(|| StoreError::Invalid(format!("block timestamp {timestamp} is out of range")))
}

pub(crate) fn int(what: &str, v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| StoreError::Invalid(format!("{what} {v} is out of range")))
}

pub(crate) fn uint(v: i64) -> rusqlite::Result<u64> {
    u64::try_from(v).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(0, v))
}

fn cut_reason(reason: &str) -> String {
    if reason.chars().count() <= MAX_FAULT_REASON {
        return reason.to_string();
    }
    let mut s: String = reason.chars().take(MAX_FAULT_REASON).collect();
    s.push('…');
    s
}

pub(crate) fn hex_sha256(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn parse_date(s: String) -> rusqlite::Result<Date> {
    s.parse::<Date>().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(crate) fn parse_json(s: String) -> rusqlite::Result<serde_json::Value> {
    serde_json::from_str(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn insert_value_point(
    tx: &Transaction<'_>,
    cycle: Option<i64>,
    project: &str,
    p: &ValuePoint,
    now: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO value_points (cycle_id, project_id, date, block, eth_usd, stablecoin_usd, other_usd, detail, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            cycle,
            project,
            p.date.to_string(),
            int("block", p.block)?,
            int("eth_usd", p.eth_usd)?,
            int("stablecoin_usd", p.stablecoin_usd)?,
            int("other_usd", p.other_usd)?,
            serde_json::to_string(&p.detail)?,
            now
        ],
    )?;
    Ok(())
}

const CHANGE_COLS: &str = "id, project_id, block, timestamp, date, kind, address, field, before, after, safety_relevant, evidence";

fn change_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredChange> {
    Ok(StoredChange {
        seq: r.get(0)?,
        project: r.get(1)?,
        block: uint(r.get(2)?)?,
        timestamp: uint(r.get(3)?)?,
        date: parse_date(r.get(4)?)?,
        kind: r.get(5)?,
        address: r.get(6)?,
        field: r.get(7)?,
        before: r.get(8)?,
        after: r.get(9)?,
        safety_relevant: r.get::<_, i64>(10)? != 0,
        evidence: parse_json(r.get(11)?)?,
    })
}

impl Store {
    fn record_watch_cycle_(
        &mut self,
        cycle: &WatchCycle,
        governance: &[crate::watched_governance::NewGovernance],
    ) -> Result<CycleSummary> {
        let now = now_rfc3339();
        let chain = int("chain id", cycle.chain_id)?;
        let date = date_of_timestamp(cycle.timestamp)?;
        let mut sum = CycleSummary::default();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let has_content = !cycle.observations.is_empty()
            || !cycle.values.is_empty()
            || !cycle.assessments.is_empty()
            || !governance.is_empty();
        let cycle_id = if has_content {
            tx.execute(
                "INSERT INTO watch_cycles (chain_id, block, timestamp, date, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    chain,
                    int("block", cycle.block)?,
                    int("timestamp", cycle.timestamp)?,
                    date.to_string(),
                    now
                ],
            )?;
            Some(tx.last_insert_rowid())
        } else {
            None
        };
        sum.cycle_seq = cycle_id;
        for obs in &cycle.observations {
            let Some(cid) = cycle_id else { break };
            match obs {
                ProjectObservation::Observed { snapshot, changes } => {
                    let s = snapshot;
                    let text = serde_json::to_string(&s.data)?;
                    let hash = hex_sha256(&text);
                    let n = tx.execute(
                        "INSERT OR IGNORE INTO watch_snapshot_data (hash, data) VALUES (?1, ?2)",
                        params![hash, text],
                    )?;
                    sum.new_snapshot_data += n;
                    let sdate = date_of_timestamp(s.timestamp)?;
                    tx.execute(
                        "INSERT INTO watch_snapshots (cycle_id, project_id, chain_id, block, block_hash, timestamp, date, data_hash)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![
                            cid,
                            s.project,
                            int("chain id", s.chain_id)?,
                            int("block", s.block)?,
                            s.block_hash,
                            int("timestamp", s.timestamp)?,
                            sdate.to_string(),
                            hash
                        ],
                    )?;
                    let snapshot_id = tx.last_insert_rowid();
                    sum.snapshots += 1;
                    for c in changes {
                        let cdate = date_of_timestamp(c.timestamp)?;
                        tx.execute(
                            "INSERT INTO watch_changes (cycle_id, snapshot_id, project_id, block, timestamp, date, kind, address, field, before, after, safety_relevant, evidence)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                            params![
                                cid,
                                snapshot_id,
                                s.project,
                                int("block", c.block)?,
                                int("timestamp", c.timestamp)?,
                                cdate.to_string(),
                                c.kind,
                                c.address,
                                c.field,
                                c.before,
                                c.after,
                                c.safety_relevant as i64,
                                serde_json::to_string(&c.evidence)?
                            ],
                        )?;
                        sum.changes += 1;
                        sum.safety_relevant_changes += c.safety_relevant as usize;
                    }
                }
                ProjectObservation::Fault {
                    project,
                    block,
                    reason,
                } => {
                    tx.execute(
                        "INSERT INTO watch_faults (cycle_id, project_id, block, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![cid, project, int("block", *block)?, cut_reason(reason), now],
                    )?;
                    sum.faults += 1;
                }
            }
            #[cfg(test)]
            tests_hook::mid_cycle();
        }
        for (project, p) in &cycle.values {
            insert_value_point(&tx, cycle_id, project, p, &now)?;
            sum.value_points += 1;
        }
        if let Some(cid) = cycle_id {
            for g in governance {
                crate::watched_governance::insert(&tx, cid, g)?;
            }
        }
        for a in &cycle.assessments {
            let r = crate::record_in(&tx, a.as_submission(), &now)?;
            sum.assessments_added += r.assessment_added as usize;
        }
        if let Some(cursor) = cycle.log_cursor {
            tx.execute(
                "INSERT INTO watch_log_cursors (chain_id, block, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (chain_id) DO UPDATE SET block = excluded.block, updated_at = excluded.updated_at",
                params![chain, int("log cursor", cursor)?, now],
            )?;
        }
        tx.commit()?;
        Ok(sum)
    }

    fn last_snapshot_(&self, project: &str) -> Result<Option<StoredSnapshot>> {
        Ok(self
            .conn
            .query_row(
                "SELECT s.id, s.project_id, s.chain_id, s.block, s.block_hash, s.timestamp, s.date, d.data
                 FROM watch_snapshots s JOIN watch_snapshot_data d ON d.hash = s.data_hash
                 WHERE s.project_id = ?1 ORDER BY s.id DESC LIMIT 1",
                params![project],
                |r| {
                    Ok(StoredSnapshot {
                        seq: r.get(0)?,
                        project: r.get(1)?,
                        chain_id: uint(r.get(2)?)?,
                        block: uint(r.get(3)?)?,
                        block_hash: r.get(4)?,
                        timestamp: uint(r.get(5)?)?,
                        date: parse_date(r.get(6)?)?,
                        data: parse_json(r.get(7)?)?,
                    })
                },
            )
            .optional()?)
    }

    fn changes_(
        &self,
        project: &str,
        limit: usize,
        before_seq: Option<i64>,
    ) -> Result<Vec<StoredChange>> {
        let limit = limit.min(MAX_CHANGES_PER_QUERY) as i64;
        let sql = format!(
            "SELECT {CHANGE_COLS} FROM watch_changes
             WHERE project_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map(params![project, before_seq, limit], change_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn recent_changes_(&self, limit: usize) -> Result<Vec<StoredChange>> {
        let limit = limit.min(MAX_CHANGES_PER_QUERY) as i64;
        let sql = format!("SELECT {CHANGE_COLS} FROM watch_changes ORDER BY id DESC LIMIT ?1");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map(params![limit], change_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn watch_status_(&self, project: &str) -> Result<Option<WatchStatus>> {
        let snap: Option<(i64, i64, i64, i64, String)> = self
            .conn
            .query_row(
                "SELECT cycle_id, chain_id, block, timestamp, date FROM watch_snapshots
                 WHERE project_id = ?1 ORDER BY id DESC LIMIT 1",
                params![project],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let fault: Option<(i64, i64, i64, String, String)> = self
            .conn
            .query_row(
                "SELECT f.cycle_id, c.chain_id, f.block, f.reason, f.at
                 FROM watch_faults f JOIN watch_cycles c ON c.id = f.cycle_id
                 WHERE f.project_id = ?1 ORDER BY f.id DESC LIMIT 1",
                params![project],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let corrupt = |e: rusqlite::Error| StoreError::Corrupt(e.to_string());
        let verified = match &snap {
            Some((_, _, block, ts, date)) => Some(Verified {
                block: uint(*block).map_err(corrupt)?,
                timestamp: uint(*ts).map_err(corrupt)?,
                date: parse_date(date.clone()).map_err(corrupt)?,
            }),
            None => None,
        };
        let fault = match (&snap, fault) {
            (Some((snap_cycle, ..)), Some((fault_cycle, ..))) if fault_cycle <= *snap_cycle => None,
            (_, Some((_, chain, block, reason, at))) => Some((
                chain,
                WatchFault {
                    block: uint(block).map_err(corrupt)?,
                    reason,
                    at,
                },
            )),
            (_, None) => None,
        };
        let chain = match (&snap, &fault) {
            (Some((_, chain, ..)), _) | (None, Some((chain, _))) => *chain,
            (None, None) => return Ok(None),
        };
        Ok(Some(WatchStatus {
            project: project.to_string(),
            chain_id: uint(chain).map_err(corrupt)?,
            verified,
            fault: fault.map(|f| f.1),
        }))
    }

    fn record_value_points_(&mut self, project: &str, points: &[ValuePoint]) -> Result<()> {
        let now = now_rfc3339();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for p in points {
            insert_value_point(&tx, None, project, p, &now)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn value_points_(&self, project: &str) -> Result<Vec<ValuePoint>> {
        let mut stmt = self.conn.prepare(
            "SELECT date, block, eth_usd, stablecoin_usd, other_usd, detail FROM value_points
             WHERE id IN (SELECT MAX(id) FROM value_points WHERE project_id = ?1 GROUP BY date)
             ORDER BY date",
        )?;
        let rows = stmt
            .query_map(params![project], |r| {
                Ok(ValuePoint {
                    date: parse_date(r.get(0)?)?,
                    block: uint(r.get(1)?)?,
                    eth_usd: uint(r.get(2)?)?,
                    stablecoin_usd: uint(r.get(3)?)?,
                    other_usd: uint(r.get(4)?)?,
                    detail: parse_json(r.get(5)?)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn log_cursor_(&self, chain_id: u64) -> Result<Option<u64>> {
        let Ok(chain) = i64::try_from(chain_id) else {
            return Ok(None);
        };
        let block: Option<i64> = self
            .conn
            .query_row(
                "SELECT block FROM watch_log_cursors WHERE chain_id = ?1",
                params![chain],
                |r| r.get(0),
            )
            .optional()?;
        Ok(block.map(uint).transpose()?)
    }
}

/// The public watch queries: every error names the database file.
impl Store {
    /// Store one cycle — all its snapshots, changes, faults, value points,
    /// assessments and the log cursor — in one transaction, or nothing.
    pub fn record_watch_cycle(&mut self, cycle: &WatchCycle) -> Result<CycleSummary> {
        self.record_watch_cycle_with(cycle, &[])
    }

    /// [`Store::record_watch_cycle`], with the governance structure each
    /// observed project was assessed with, in the same transaction
    /// ([`crate::watched_governance`]).
    pub fn record_watch_cycle_with(
        &mut self,
        cycle: &WatchCycle,
        governance: &[crate::watched_governance::NewGovernance],
    ) -> Result<CycleSummary> {
        let r = self.record_watch_cycle_(cycle, governance);
        r.map_err(|e| e.at(&self.path))
    }

    /// A project's latest stored snapshot.
    pub fn last_snapshot(&self, project: &str) -> Result<Option<StoredSnapshot>> {
        let r = self.last_snapshot_(project);
        r.map_err(|e| e.at(&self.path))
    }

    /// A project's changes, newest (highest `seq`) first: at most `limit`
    /// (and at most [`MAX_CHANGES_PER_QUERY`]), those with `seq <
    /// before_seq` when given.
    pub fn changes(
        &self,
        project: &str,
        limit: usize,
        before_seq: Option<i64>,
    ) -> Result<Vec<StoredChange>> {
        let r = self.changes_(project, limit, before_seq);
        r.map_err(|e| e.at(&self.path))
    }

    /// Every project's changes, newest first, at most `limit`.
    pub fn recent_changes(&self, limit: usize) -> Result<Vec<StoredChange>> {
        let r = self.recent_changes_(limit);
        r.map_err(|e| e.at(&self.path))
    }

    /// Where a project's watching stands; None when it was never watched.
    pub fn watch_status(&self, project: &str) -> Result<Option<WatchStatus>> {
        let r = self.watch_status_(project);
        r.map_err(|e| e.at(&self.path))
    }

    /// Store dated value points of a project in one transaction; a later
    /// point for the same date supersedes an earlier one.
    pub fn record_value_points(&mut self, project: &str, points: &[ValuePoint]) -> Result<()> {
        let r = self.record_value_points_(project, points);
        r.map_err(|e| e.at(&self.path))
    }

    /// A project's value points by date, the latest stored for each date.
    pub fn value_points(&self, project: &str) -> Result<Vec<ValuePoint>> {
        let r = self.value_points_(project);
        r.map_err(|e| e.at(&self.path))
    }

    /// The last block followed with `eth_getLogs` on a chain.
    pub fn log_cursor(&self, chain_id: u64) -> Result<Option<u64>> {
        let r = self.log_cursor_(chain_id);
        r.map_err(|e| e.at(&self.path))
    }
}

/// Tests only: the child process of the kill -9 test stops here, inside
/// the open cycle transaction, when told to.
#[cfg(test)]
pub(crate) mod tests_hook {
    /// The environment variable naming the file the child writes when it
    /// is paused in the middle of a cycle.
    pub const PAUSE_ENV: &str = "L2STAGE_STORE_TEST_PAUSE_FILE";

    /// Set by the child before the cycle it is to stop in.
    pub static ARMED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

    pub fn mid_cycle() {
        if !ARMED.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        if let Some(path) = std::env::var_os(PAUSE_ENV) {
            std::fs::write(&path, b"paused").expect("write the pause file");
            loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
        }
    }
}

#[cfg(test)]
mod tests;
