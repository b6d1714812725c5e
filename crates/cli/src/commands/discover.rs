//! `l2stage discover --rpc URL --entry ADDRESS... [--block N] [--config FILE]
//! [--format toml|json] [--out FILE] [--stats]`: read a rollup's governance
//! from an Ethereum node into a `[governance]` section.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use l2stage_discovery::{
    Config, Discovered, DiscoveryError, MulticallMode, Progress, Rpc, RpcOptions, Stats,
};

use crate::error::CliError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FragmentFormat {
    Toml,
    Json,
}

/// Options shared by `discover` and `verify`: the node and how to talk to it.
#[derive(Debug, clap::Args)]
pub struct RpcArgs {
    /// JSON-RPC endpoint of an Ethereum node (http or https; an archive node for old blocks).
    #[arg(long, value_name = "URL")]
    pub rpc: String,
    /// Pin every read to this block (default: the node's latest block at start).
    #[arg(long, value_name = "N")]
    pub block: Option<u64>,
    /// Discovery config (TOML): extra view functions and roles, names, exit mechanics (see discovery/*.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// JSON-RPC calls per HTTP batch request; 1 sends one call per request, one after the other.
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub batch_size: usize,
    /// Use Multicall3: `auto` (if deployed at its canonical address), `off`, or its address.
    #[arg(long, value_name = "auto|off|ADDRESS", default_value = "auto", value_parser = parse_multicall)]
    pub multicall: MulticallMode,
    /// Seconds an HTTP request may take, answer included; also caps every wait between attempts (`Retry-After` too).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Attempts per request before giving up (timeouts, HTTP 429 and 5xx, malformed answers).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub attempts: u32,
    /// Largest HTTP response accepted from the node, in bytes (refused while it streams in).
    #[arg(long, value_name = "BYTES", default_value_t = l2stage_discovery::transport::DEFAULT_MAX_RESPONSE_BYTES)]
    pub max_response_bytes: u64,
    /// Print round trips, requests, reads and time to stderr.
    #[arg(long)]
    pub stats: bool,
}

fn parse_multicall(s: &str) -> Result<MulticallMode, String> {
    match s {
        "auto" => Ok(MulticallMode::Auto),
        "off" => Ok(MulticallMode::Off),
        a => l2stage_discovery::config::parse_address(a).map(MulticallMode::At),
    }
}

impl RpcArgs {
    pub fn options(&self) -> RpcOptions {
        RpcOptions {
            batch_size: self.batch_size,
            timeout: Duration::from_secs(self.timeout.max(1)),
            max_attempts: self.attempts.max(1),
            multicall: self.multicall,
            max_response_bytes: self.max_response_bytes,
            ..RpcOptions::default()
        }
    }

    pub fn config(&self) -> Result<Config, CliError> {
        match &self.config {
            Some(p) => Config::load(p).map_err(to_cli),
            None => Ok(Config::default()),
        }
    }

    pub fn client(&self) -> Result<Rpc, CliError> {
        Rpc::new(&self.rpc, self.options()).map_err(to_cli)
    }

    /// Reads from the node: `read` gets the client, the block to pin, the
    /// config and a progress callback (a line on stderr). With `--stats`,
    /// the counters follow, with the depth and size of the discovery that
    /// `discovered` finds in the result.
    pub fn read<T>(
        &self,
        read: impl AsyncFnOnce(
            &mut Rpc,
            Option<u64>,
            &Config,
            &mut dyn FnMut(&Progress),
        ) -> l2stage_discovery::Result<T>,
        discovered: impl Fn(&T) -> &Discovered,
    ) -> Result<T, CliError> {
        let config = self.config()?;
        let mut rpc = self.client()?;
        let mut line = ProgressLine::new();
        let result =
            runtime()?.block_on(read(&mut rpc, self.block, &config, &mut |p| line.update(p)));
        line.clear();
        if self.stats {
            let s = rpc.stats();
            match result.as_ref().map(discovered) {
                Ok(d) => print_stats(&s, d.facts.depth, d.facts.nodes.len()),
                Err(_) => print_stats(&s, 0, 0),
            }
        }
        result.map_err(to_cli)
    }
}

#[derive(Debug, clap::Args)]
pub struct DiscoverArgs {
    #[command(flatten)]
    pub rpc: RpcArgs,
    /// Addresses to start from: the rollup's bridge, portal, rollup contract… (repeat or comma-separate).
    #[arg(long = "entry", value_name = "ADDRESS", required = true, num_args = 1..)]
    pub entries: Vec<String>,
    /// Output format: a TOML fragment with comments, or JSON.
    #[arg(long, value_enum, default_value = "toml")]
    pub format: FragmentFormat,
    /// Write the fragment to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write a complete project file (a [project] section with this id, and
    /// the discovered [governance]) that `l2stage assess` reads as it is;
    /// needs --name and --kind.
    #[arg(long, value_name = "ID", requires_all = ["name", "kind"])]
    pub project: Option<String>,
    /// The project's display name (with --project).
    #[arg(long, value_name = "NAME", requires = "project")]
    pub name: Option<String>,
    /// The project's kind (with --project): optimistic or validity.
    #[arg(long, value_name = "KIND", requires = "project", value_parser = ["optimistic", "validity"])]
    pub kind: Option<String>,
}

pub fn to_cli(e: DiscoveryError) -> CliError {
    if e.is_input() {
        CliError::Usage(e.to_string())
    } else {
        CliError::Runtime(e.to_string())
    }
}

pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Runtime(format!("cannot start the async runtime: {e}")))
}

/// A one-line progress display on stderr, only when stderr is a terminal.
pub struct ProgressLine {
    on: bool,
    drawn: bool,
}

impl ProgressLine {
    pub fn new() -> ProgressLine {
        ProgressLine {
            on: std::io::stderr().is_terminal(),
            drawn: false,
        }
    }
    pub fn update(&mut self, p: &Progress) {
        if !self.on {
            return;
        }
        let mut e = std::io::stderr();
        let _ = write!(
            e,
            "\r\x1b[2Kdiscovering: level {}, {} address(es) read, {} queued, {} round trip(s)",
            p.level, p.known, p.frontier, p.round_trips
        );
        let _ = e.flush();
        self.drawn = true;
    }
    pub fn clear(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
            let _ = std::io::stderr().flush();
            self.drawn = false;
        }
    }
}

impl Default for ProgressLine {
    fn default() -> Self {
        Self::new()
    }
}

pub fn print_stats(s: &Stats, depth: usize, addresses: usize) {
    eprintln!(
        "stats: {} round trip(s), {} HTTP request(s), {} RPC call(s), {} read(s) ({} through Multicall3), {} cache hit(s), {} retr{}, depth {}, {} address(es), {:.2}s",
        s.round_trips,
        s.http_requests,
        s.rpc_calls,
        s.reads,
        s.multicalled,
        s.cache_hits,
        s.retries,
        if s.retries == 1 { "y" } else { "ies" },
        depth,
        addresses,
        s.elapsed_ms as f64 / 1000.0
    );
}

pub fn run(args: &DiscoverArgs) -> Result<ExitCode, CliError> {
    let entries = l2stage_discovery::parse_addresses(&args.entries).map_err(to_cli)?;
    let d = args.rpc.read(
        async |rpc, block, config, progress| {
            l2stage_discovery::discover_with(rpc, &entries, block, config, progress).await
        },
        |d| d,
    )?;
    for p in &d.placeholders {
        eprintln!("placeholder: {p}");
    }
    for w in &d.warnings {
        eprintln!("warning: {w}");
    }
    let mut text = match args.format {
        FragmentFormat::Toml => l2stage_discovery::render::toml(&d),
        FragmentFormat::Json => l2stage_discovery::render::json(&d),
    }
    .map_err(CliError::Runtime)?;
    if let (Some(id), Some(name), Some(kind)) = (&args.project, &args.name, &args.kind) {
        text = project_file(&text, args.format, id, name, kind)?;
    }
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| crate::error::io_runtime("write", path, &e))?
        }
        None => crate::render::write_stdout(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The fragment as a complete project file: a `[project]` section (id,
/// name, kind) before `[governance]`, checked by parsing it as `assess`
/// does.
fn project_file(
    fragment: &str,
    format: FragmentFormat,
    id: &str,
    name: &str,
    kind: &str,
) -> Result<String, CliError> {
    #[derive(serde::Serialize)]
    struct Meta<'a> {
        id: &'a str,
        name: &'a str,
        kind: &'a str,
    }
    let meta = Meta { id, name, kind };
    let (text, file_format, file) = match format {
        FragmentFormat::Toml => {
            // A JSON string is a valid TOML basic string (same escapes).
            let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
            let head = format!(
                "[project]\nid = {}\nname = {}\nkind = {}\n",
                q(meta.id),
                q(meta.name),
                q(meta.kind)
            );
            let header = fragment.replace(
                l2stage_discovery::render::PASTE_HINT,
                "# A complete project file: `l2stage assess` reads it as it is; add the\n# requirements no chain read decides (docs/project-format.md).\n",
            );
            let at = header.find("\n[governance]").map(|i| i + 1).unwrap_or(0);
            let mut out = header[..at].to_string();
            out.push_str(&head);
            out.push('\n');
            out.push_str(&header[at..]);
            (out, l2stage_model::Format::Toml, "discovered.toml")
        }
        FragmentFormat::Json => {
            let mut v: serde_json::Value = serde_json::from_str(fragment)
                .map_err(|e| CliError::Runtime(format!("cannot read the JSON fragment: {e}")))?;
            let m = serde_json::to_value(&meta).map_err(|e| CliError::Runtime(e.to_string()))?;
            let mut obj = serde_json::Map::new();
            obj.insert("project".into(), m);
            if let Some(g) = v.get_mut("governance") {
                obj.insert("governance".into(), g.take());
            }
            let mut out = serde_json::to_string_pretty(&serde_json::Value::Object(obj))
                .map_err(|e| CliError::Runtime(e.to_string()))?;
            out.push('\n');
            (out, l2stage_model::Format::Json, "discovered.json")
        }
    };
    l2stage_model::parse_str(file, &text, file_format).map_err(|e| {
        CliError::Usage(format!(
            "--project/--name/--kind: the project file would not parse: {e}"
        ))
    })?;
    Ok(text)
}
