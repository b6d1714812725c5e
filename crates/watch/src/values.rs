//! One value-locked point per project and day in the watch loop: after a
//! full cycle, each project with `[[discovery.escrows]]` on the node's
//! chain that has no point yet for the cycle's date gets one, read at that
//! date's block (the last block at or before its 00:00 UTC) with the chain
//! profile's prices (docs/discovery.md, "Value locked"). A date whose data
//! cannot be read (a stale price round, a missing feed) has no point and
//! is logged; it is never guessed.

use std::path::Path;

use l2stage_discovery::RpcOptions;
use l2stage_discovery::blocks::BlockReader;
use l2stage_discovery::chain_profile::ChainProfile;
use l2stage_discovery::value::{self, Escrow};
use l2stage_model::Date;
use l2stage_store::ValuePoint;

use crate::recipe::Recipe;
use crate::{StoreAccess, WatchError};

/// The escrows of a recipe, as the value reader takes them.
pub fn escrows(r: &Recipe) -> Result<Vec<Escrow>, String> {
    let Some(d) = &r.file.discovery else {
        return Ok(Vec::new());
    };
    d.escrows
        .iter()
        .map(|e| {
            Ok(Escrow {
                address: l2stage_discovery::config::parse_address(e.address.as_str())?,
                tokens: e.tokens.iter().map(|t| t.as_str().to_string()).collect(),
            })
        })
        .collect()
}

/// The stored point of one reading: the split in whole dollars, and the
/// block's time, holdings and prices as its detail. `l2stage
/// value-locked` stores what it reads through this too.
pub fn point(r: &value::Reading) -> ValuePoint {
    ValuePoint {
        date: r.date,
        block: r.block,
        eth_usd: r.eth_usd,
        stablecoin_usd: r.stablecoin_usd,
        other_usd: r.other_usd,
        detail: serde_json::json!({
            "block_timestamp": r.block_timestamp,
            "holdings": r.holdings,
            "prices": r.prices,
        }),
    }
}

/// Read and store the point of `date` for every project of `recipes` on
/// `chain_id` that has escrows and no point for that date yet. Returns
/// each project read with its point or why it has none. A fault of the
/// node is an error of the whole step (nothing stored). The loop reads
/// with [`read_daily_points`] and stores the points with its cycle.
pub async fn daily_points(
    rpc_url: &str,
    opts: &RpcOptions,
    store: &impl StoreAccess,
    recipes: &[Recipe],
    chains_dir: &Path,
    chain_id: u64,
    date: Date,
) -> Result<Vec<(String, Result<ValuePoint, String>)>, WatchError> {
    let out = read_daily_points(rpc_url, opts, store, recipes, chains_dir, chain_id, date).await?;
    for (project, point) in &out {
        if let Ok(p) = point {
            store.with_store(|s| s.record_value_points(project, std::slice::from_ref(p)))?;
        }
    }
    Ok(out)
}

/// [`daily_points`] without storing them.
pub async fn read_daily_points(
    rpc_url: &str,
    opts: &RpcOptions,
    store: &impl StoreAccess,
    recipes: &[Recipe],
    chains_dir: &Path,
    chain_id: u64,
    date: Date,
) -> Result<Vec<(String, Result<ValuePoint, String>)>, WatchError> {
    let mut due = Vec::new();
    for r in recipes.iter().filter(|r| r.chain_id == chain_id) {
        let esc = match escrows(r) {
            Ok(e) if e.is_empty() => continue,
            Ok(e) => e,
            Err(m) => {
                due.push((r.project.clone(), Err(m)));
                continue;
            }
        };
        let have = store.with_store(|s| s.value_points(&r.project))?;
        if have.iter().any(|p| p.date == date) {
            continue;
        }
        due.push((r.project.clone(), Ok(esc)));
    }
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let profile = match ChainProfile::load_for(chains_dir, chain_id) {
        Ok(p) => p,
        Err(e) => {
            return Ok(due
                .into_iter()
                .map(|(p, _)| (p, Err(format!("no chain profile: {e}"))))
                .collect());
        }
    };
    let mut reader =
        BlockReader::new(rpc_url, opts.clone()).map_err(|e| WatchError::Rpc(e.to_string()))?;
    let mut out = Vec::new();
    for (project, esc) in due {
        let esc = match esc {
            Ok(e) => e,
            Err(m) => {
                out.push((project, Err(m)));
                continue;
            }
        };
        let read = match value::read_dates(&mut reader, &profile, &esc, &[date]).await {
            Ok(r) => r,
            Err(e) if e.is_input() => {
                out.push((project, Err(e.to_string())));
                continue;
            }
            Err(e) => return Err(WatchError::Rpc(e.to_string())),
        };
        let point = match read.into_iter().next() {
            Some((_, Ok(r))) => Ok(point(&r)),
            Some((_, Err(e))) => Err(e.reason),
            None => Err("not read".into()),
        };
        out.push((project, point));
    }
    Ok(out)
}
