//! `l2stage value-locked PROJECT --rpc URL --from DATE --to DATE [--step 1d]
//! [--db FILE] [--chains DIR] [--format text|json]`: read the value locked
//! in the project's escrows (`[[discovery.escrows]]`) at the block of every
//! date (the last block at or before its 00:00 UTC), priced with the chain
//! profile's feeds, store the dated points (ETH / stablecoins / other, whole
//! US dollars) in the database, and print them. docs/discovery.md, "Value
//! locked". Exit 0 when every date was read, 1 when some date has no point
//! (its error is printed; the others are stored), 2 for invalid input.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use l2stage_discovery::blocks::BlockReader;
use l2stage_discovery::chain_profile::ChainProfile;
use l2stage_discovery::value::{self, Escrow, Outcome};
use l2stage_discovery::{RpcOptions, Stats};
use l2stage_model::{Date, ProjectFile};
use l2stage_store::Store;
use l2stage_store::watch::ValuePoint;

use crate::error::CliError;

/// The mainnet profile shipped with the binary (also in the catalog).
const MAINNET: &str = include_str!("../../../../catalog/chains/1.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ValueLockedArgs {
    /// A project file, or the id of a catalog project.
    #[arg(value_name = "PROJECT")]
    pub project: String,
    /// JSON-RPC endpoint of an Ethereum node (an archive node for past dates).
    #[arg(long, value_name = "URL")]
    pub rpc: String,
    /// First date (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub from: Date,
    /// Last date (YYYY-MM-DD, UTC), included.
    #[arg(long, value_name = "DATE")]
    pub to: Date,
    /// Days between two points (e.g. 1d, 7d).
    #[arg(long, value_name = "DAYS", default_value = "1d", value_parser = parse_step)]
    pub step: u64,
    /// SQLite database file (as `serve --db`). Default: l2stage/l2stage.db in the user's data directory.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Directory of chain profiles (<chain_id>.toml). Default: `chains/` beside the project file, else the built-in mainnet profile.
    #[arg(long, value_name = "DIR")]
    pub chains: Option<PathBuf>,
    /// Directory of project files, for PROJECT given as an id. Default: the built-in catalog.
    #[arg(long, value_name = "DIR")]
    pub catalog: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Seconds an RPC request may take, answer included.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub rpc_timeout: u64,
}

fn parse_step(s: &str) -> Result<u64, String> {
    let n = s.trim().strip_suffix('d').unwrap_or(s.trim());
    match n.parse::<u64>() {
        Ok(n) if (1..=366).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{s}`: expected a number of days from 1d to 366d, e.g. 1d"
        )),
    }
}

fn project_path(args: &ValueLockedArgs) -> Result<PathBuf, CliError> {
    let p = Path::new(&args.project);
    if p.is_file() {
        return Ok(p.to_path_buf());
    }
    let dir = crate::catalog::dir(args.catalog.as_deref())?;
    for ext in ["toml", "json"] {
        let f = dir.join(format!("{}.{ext}", args.project));
        if f.is_file() {
            return Ok(f);
        }
    }
    Err(CliError::Usage(format!(
        "`{}` is neither a project file nor the id of a catalog project",
        l2stage_model::text::quote(&args.project)
    )))
}

fn profile(
    args: &ValueLockedArgs,
    project_file: &Path,
    chain_id: u64,
) -> Result<ChainProfile, CliError> {
    let usage = |e: l2stage_discovery::DiscoveryError| CliError::Usage(e.to_string());
    if let Some(dir) = &args.chains {
        return ChainProfile::load_for(dir, chain_id).map_err(usage);
    }
    let beside = project_file
        .parent()
        .map(|p| p.join("chains"))
        .filter(|d| d.join(format!("{chain_id}.toml")).is_file());
    match beside {
        Some(dir) => ChainProfile::load_for(&dir, chain_id).map_err(usage),
        None if chain_id == 1 => ChainProfile::parse(MAINNET)
            .map_err(|e| CliError::Runtime(format!("the built-in mainnet profile: {e}"))),
        None => Err(CliError::Usage(format!(
            "no chain profile for chain {chain_id}: pass --chains DIR with {chain_id}.toml (docs/discovery.md, \"Value locked\")"
        ))),
    }
}

fn escrows(project: &ProjectFile, path: &Path) -> Result<(u64, Vec<Escrow>), CliError> {
    let Some(recipe) = &project.discovery else {
        return Err(CliError::Usage(format!(
            "{}: no [discovery] section: list the escrows in [[discovery.escrows]] (docs/project-format.md)",
            path.display()
        )));
    };
    if recipe.escrows.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: no [[discovery.escrows]]: nothing holds value to read",
            path.display()
        )));
    }
    let mut out = Vec::new();
    for e in &recipe.escrows {
        let address = e.address.as_str().parse().map_err(|_| {
            CliError::Usage(format!(
                "{}: escrow {}: not an address",
                path.display(),
                e.address
            ))
        })?;
        out.push(Escrow {
            address,
            tokens: e.tokens.iter().map(|t| t.to_string()).collect(),
        });
    }
    Ok((recipe.chain_id, out))
}

fn dollars(v: u64) -> String {
    l2stage_render::format::usd_exact(v as f64)
}

pub fn run(args: &ValueLockedArgs) -> Result<ExitCode, CliError> {
    let path = project_path(args)?;
    let project = l2stage_model::load_path(&path).map_err(crate::error::load_error)?;
    let (chain_id, escrows) = escrows(&project, &path)?;
    let profile = profile(args, &path, chain_id)?;
    for e in &escrows {
        for t in &e.tokens {
            profile.token(t).map_err(|m| {
                CliError::Usage(format!("{}: escrow {}: {m}", path.display(), e.address))
            })?;
        }
    }
    let dates = value::dates(args.from, args.to, args.step).map_err(CliError::Usage)?;
    let db: PathBuf = match &args.db {
        Some(p) => p.clone(),
        None => crate::commands::serve::default_db().ok_or_else(|| {
            CliError::Usage("cannot find the user's data directory: pass --db FILE".into())
        })?,
    };
    let opts = RpcOptions {
        timeout: Duration::from_secs(args.rpc_timeout.max(1)),
        ..RpcOptions::default()
    };
    let mut reader =
        BlockReader::new(&args.rpc, opts).map_err(crate::commands::discover::to_cli)?;
    let runtime = crate::commands::discover::runtime()?;
    let read = runtime
        .block_on(value::read_dates(&mut reader, &profile, &escrows, &dates))
        .map_err(crate::commands::discover::to_cli)?;
    let stats = reader.stats();
    let points: Vec<ValuePoint> = read
        .iter()
        .filter_map(|(_, o)| o.as_ref().ok())
        .map(l2stage_watch::values::point)
        .collect();
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| crate::error::io_runtime("create directory", parent, &e))?;
    }
    let id = project.project.id.to_string();
    if !points.is_empty() {
        let mut store = Store::open(&db).map_err(|e| CliError::Runtime(e.to_string()))?;
        store
            .record_value_points(&id, &points)
            .map_err(|e| CliError::Runtime(e.to_string()))?;
    }
    let errors = read.iter().filter(|(_, o)| o.is_err()).count();
    match args.format {
        Format::Json => {
            let body = serde_json::json!({
                "project": id,
                "chain_id": chain_id,
                "points": read.iter().filter_map(|(_, o)| o.as_ref().ok()).map(|r| {
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    v["total_usd"] = serde_json::json!(r.total_usd());
                    v
                }).collect::<Vec<_>>(),
                "errors": read.iter().filter_map(|(_, o)| o.as_ref().err()).collect::<Vec<_>>(),
                "stats": stats_json(&stats),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&body).unwrap_or_default()
            );
        }
        Format::Text => print_text(&id, chain_id, &read, &stats, &db, points.len()),
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn stats_json(s: &Stats) -> serde_json::Value {
    serde_json::json!({
        "round_trips": s.round_trips,
        "http_requests": s.http_requests,
        "rpc_calls": s.rpc_calls,
        "retries": s.retries,
        "elapsed_ms": s.elapsed_ms,
    })
}

fn print_text(
    id: &str,
    chain_id: u64,
    read: &[(Date, Outcome)],
    s: &Stats,
    db: &Path,
    stored: usize,
) {
    let mut out = format!(
        "value locked of {id} (chain {chain_id}), at the last block before each date's 00:00 UTC\n{:<10}  {:>10}  {:>18}  {:>18}  {:>18}  {:>18}\n",
        "date", "block", "total", "ETH", "stablecoins", "other"
    );
    for (date, o) in read {
        match o {
            Ok(r) => out.push_str(&format!(
                "{:<10}  {:>10}  {:>18}  {:>18}  {:>18}  {:>18}\n",
                date.to_string(),
                r.block,
                dollars(r.total_usd()),
                dollars(r.eth_usd),
                dollars(r.stablecoin_usd),
                dollars(r.other_usd)
            )),
            Err(e) => out.push_str(&format!("{date}  no point: {}\n", e.reason)),
        }
    }
    out.push_str(&format!(
        "{stored} point(s) stored in {}; {} round trips, {} requests, {} calls, {} ms\n",
        db.display(),
        s.round_trips,
        s.http_requests,
        s.rpc_calls,
        s.elapsed_ms
    ));
    let _ = crate::render::write_stdout(&out);
}
