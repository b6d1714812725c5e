//! `l2stage watch --rpc URL [--catalog DIR] [--db FILE] [--block N] [--once]
//! [--interval DURATION] [--poll DURATION] [--webhook URL]`: keep every
//! catalog project that has a `[discovery]` recipe verified against the
//! chain, storing snapshots and typed changes (docs/discovery.md,
//! "Watching"). Shares its loop with `serve --watch`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use l2stage_discovery::RpcOptions;
use l2stage_store::Store;
use l2stage_watch::webhook::WebhookOptions;
use l2stage_watch::{Options, Recipe, SECRET_ENV, Webhook};

use crate::error::CliError;

#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// JSON-RPC endpoint of an Ethereum node (an archive node for --block in the past).
    #[arg(long, value_name = "URL")]
    pub rpc: String,
    /// Directory of project files; those with a [discovery] recipe are watched. Default: the built-in catalog.
    #[arg(long, value_name = "DIR")]
    pub catalog: Option<PathBuf>,
    /// SQLite database file (as `serve --db`). Default: l2stage/l2stage.db in the user's data directory.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// One cycle pinned to this block, then stop (the log cursor is left alone).
    #[arg(long, value_name = "N")]
    pub block: Option<u64>,
    /// One cycle at the node's latest block, then stop.
    #[arg(long)]
    pub once: bool,
    #[command(flatten)]
    pub loop_args: LoopArgs,
}

/// Options of the loop shared with `serve --watch`.
#[derive(Debug, Clone, clap::Args)]
pub struct LoopArgs {
    /// Time between full cycles (e.g. 1h, 30m, 1d).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_interval)]
    pub interval: Duration,
    /// Time between follow steps (eth_getLogs up to the head; re-reads only the projects an event touches); `off` for full cycles only.
    #[arg(long, value_name = "DURATION|off", default_value = "12s", value_parser = parse_poll)]
    pub poll: Duration,
    /// POST every change as JSON to this URL, signed with the key in L2STAGE_WEBHOOK_SECRET (header X-L2stage-Signature: sha256=HEX).
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// Seconds an RPC request may take, answer included.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub rpc_timeout: u64,
    /// Attempts per RPC request before the cycle records a fault for the projects it reads.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub rpc_attempts: u32,
}

/// A duration of 1 second to 30 days: `30s`, `5m`, `1h`, `1d`.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let d = l2stage_model::parse_duration(s)?;
    match d.seconds(None) {
        Some(n) if (1..=30 * 86_400).contains(&n) => Ok(Duration::from_secs(n)),
        _ => Err(format!(
            "`{s}`: expected a duration from 1s to 30d, e.g. 1h"
        )),
    }
}

/// A poll period, or `off` (zero: no following).
fn parse_poll(s: &str) -> Result<Duration, String> {
    if s.trim() == "off" {
        return Ok(Duration::ZERO);
    }
    parse_interval(s)
}

impl LoopArgs {
    pub fn options(&self, rpc: &str, block: Option<u64>, once: bool) -> Options {
        Options {
            rpc_url: rpc.to_string(),
            rpc: RpcOptions {
                timeout: Duration::from_secs(self.rpc_timeout.max(1)),
                max_attempts: self.rpc_attempts.max(1),
                ..RpcOptions::default()
            },
            block,
            once,
            interval: self.interval,
            poll: (!self.poll.is_zero()).then_some(self.poll),
            chains: None,
        }
    }

    /// The webhook's delivery task, when asked for (inside a runtime).
    pub fn webhook(&self) -> Result<Option<Webhook>, CliError> {
        let Some(url) = &self.webhook else {
            return Ok(None);
        };
        let key = std::env::var(SECRET_ENV).unwrap_or_default();
        if key.trim().is_empty() {
            return Err(CliError::Usage(format!(
                "--webhook needs the signing key in the {SECRET_ENV} environment variable"
            )));
        }
        Webhook::start(
            url,
            key.trim().as_bytes().to_vec(),
            WebhookOptions::default(),
            Arc::new(|line: &str| crate::render::eprint_line(line)),
        )
        .map(Some)
        .map_err(|e| CliError::Usage(e.to_string()))
    }
}

/// The recipes of a catalog directory (`given`, else the built-in one).
pub fn recipes(given: Option<&std::path::Path>) -> Result<Vec<Recipe>, CliError> {
    let dir = crate::catalog::dir(given)?;
    // The built-in catalog is unpacked without `discovery/` beside it: its
    // recipes name the configs shipped in the binary.
    l2stage_watch::load_recipes(&dir, given.is_none()).map_err(|e| CliError::Usage(e.to_string()))
}

fn say(line: &str) {
    crate::render::eprint_line(line);
}

pub fn run(args: &WatchArgs) -> Result<ExitCode, CliError> {
    let db: PathBuf = match &args.db {
        Some(p) => p.clone(),
        None => crate::commands::serve::default_db().ok_or_else(|| {
            CliError::Usage("cannot find the user's data directory: pass --db FILE".into())
        })?,
    };
    let recipes = recipes(args.catalog.as_deref())?;
    if recipes.is_empty() {
        return Err(CliError::Usage(
            "no project file of the catalog has a [discovery] recipe: nothing to watch".into(),
        ));
    }
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| crate::error::io_runtime("create directory", parent, &e))?;
    }
    let store = Store::open(&db).map_err(|e| CliError::Runtime(e.to_string()))?;
    let store = Mutex::new(store);
    let mut opts = args.loop_args.options(&args.rpc, args.block, args.once);
    opts.chains = Some(crate::catalog::dir(args.catalog.as_deref())?.join("chains"));
    say(&format!(
        "l2stage watch: {} project(s) with a recipe; database {}",
        recipes.len(),
        db.display()
    ));
    let runtime = crate::commands::discover::runtime()?;
    let last = runtime.block_on(async {
        let webhook = args.loop_args.webhook()?;
        let log = |line: &str| say(line);
        let r = l2stage_watch::watch(&store, &recipes, &opts, webhook.as_ref(), &log, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| CliError::Runtime(e.to_string()));
        if let Some(w) = webhook {
            w.close(Duration::from_secs(30)).await;
        }
        r
    })?;
    // One cycle asked for: exit 1 if a project could not be verified.
    match last {
        Some(r) if (args.once || args.block.is_some()) && r.faults() > 0 => Ok(ExitCode::from(1)),
        _ => Ok(ExitCode::SUCCESS),
    }
}
