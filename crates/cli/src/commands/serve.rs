//! `l2stage serve [--addr 127.0.0.1:8080] [--db FILE] [--catalog DIR] [--token-file FILE]
//! [--max-connections N] [--max-concurrent-requests N] [--request-timeout SECS]
//! [--header-read-timeout SECS] [--watch --rpc URL [--interval DURATION]]`:
//! the API, the dashboard and badges, with every assessment kept in an
//! embedded database (docs/api.md). One process at a time writes to a
//! database: a second one on the same file refuses to start. With
//! `--watch`, the watch loop of `l2stage watch` runs on its own thread and
//! writes through the server's database.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use l2stage_assess::catalog::{Catalog, load_catalog};
use l2stage_model::Date;
use l2stage_server::{App, Config, Limits};
use l2stage_store::Store;

use crate::error::{CliError, catalog_error};

/// Environment variable holding the submission token.
pub const TOKEN_ENV: &str = "L2STAGE_TOKEN";

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed on start).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// SQLite database file. Default: l2stage/l2stage.db in the user's data
    /// directory ($XDG_DATA_HOME, else ~/.local/share).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Directory of project files assessed and stored on start. Default:
    /// the catalog built into the binary.
    #[arg(long, value_name = "DIR")]
    pub catalog: Option<PathBuf>,
    /// File holding the bearer token that POST /api/v1/projects requires
    /// (else the L2STAGE_TOKEN environment variable; without either,
    /// submissions are refused).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Open connections served at once; more wait until one closes.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_connections, value_parser = parse_count)]
    pub max_connections: usize,
    /// Requests handled at once; more wait for a slot (within
    /// --request-timeout).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_concurrent_requests, value_parser = parse_count)]
    pub max_concurrent_requests: usize,
    /// Seconds within which a request is answered, else 503 (e.g. 30, 2.5);
    /// a client that leaves its answer unread this long is disconnected.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_secs)]
    pub request_timeout: Duration,
    /// Seconds a connection may take to send a request's headers, and may
    /// stay idle between requests, before it is closed.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
    pub header_read_timeout: Duration,
    /// Run the watch loop (as `l2stage watch`) inside the service, writing
    /// through its database: needs --rpc.
    #[arg(long, requires = "rpc")]
    pub watch: bool,
    /// JSON-RPC endpoint of an Ethereum node, for --watch.
    #[arg(long, value_name = "URL", requires = "watch")]
    pub rpc: Option<String>,
    #[command(flatten)]
    pub loop_args: crate::commands::watch::LoopArgs,
    /// Serve as if today were this day (YYYY-MM-DD): for demos and tests.
    #[arg(long, value_name = "DATE", value_parser = crate::commands::assess::parse_date, hide = true)]
    pub today: Option<Date>,
}

/// A whole number from 1 to 1,000,000.
fn parse_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
        _ => Err(format!("`{s}`: expected a whole number from 1 to 1000000")),
    }
}

/// A positive number of seconds, at most a day: `30`, `2.5`.
fn parse_secs(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !(v > 0.0 && v <= 86_400.0) {
        return Err(format!(
            "`{s}`: expected more than 0 and at most 86400 seconds"
        ));
    }
    Ok(Duration::from_secs_f64(v))
}

/// The default database: `$XDG_DATA_HOME/l2stage/l2stage.db`.
pub fn default_db() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("l2stage").join("l2stage.db"))
}

fn token(args: &ServeArgs) -> Result<Option<String>, CliError> {
    if let Some(path) = &args.token_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| crate::error::io_usage("read token file", path, &e))?;
        let t = text.trim();
        if t.is_empty() {
            return Err(CliError::Usage(format!(
                "token file {} is empty",
                path.display()
            )));
        }
        return Ok(Some(t.to_string()));
    }
    Ok(std::env::var(TOKEN_ENV)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty()))
}

fn catalog(args: &ServeArgs) -> Result<(Catalog, Option<PathBuf>), CliError> {
    let dir = crate::catalog::dir(args.catalog.as_deref())?;
    let catalog = load_catalog(&dir).map_err(catalog_error)?;
    Ok((catalog, Some(dir)))
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", l2stage_model::text::escape_terminal(line));
    let _ = out.flush();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

pub fn run(args: &ServeArgs) -> Result<ExitCode, CliError> {
    let db: PathBuf = match &args.db {
        Some(p) => p.clone(),
        None => default_db().ok_or_else(|| {
            CliError::Usage("cannot find the user's data directory: pass --db FILE".into())
        })?,
    };
    let token = token(args)?;
    let (files, dir) = catalog(args)?;
    let recipes = if args.watch {
        crate::commands::watch::recipes(args.catalog.as_deref())?
    } else {
        Vec::new()
    };
    let store = Store::open(&db).map_err(|e| CliError::Runtime(e.to_string()))?;
    let (app, startup) = App::start(
        store,
        &files,
        Config {
            token: token.clone(),
            today: args.today,
        },
    )
    .map_err(|e| CliError::Runtime(e.to_string()))?;
    for w in &startup.warnings {
        crate::render::eprint_line(&format!("warning: {w}"));
    }
    let catalog_note = match (&dir, &args.catalog) {
        (Some(d), Some(_)) => format!("{} project files in {}", files.files.len(), d.display()),
        (Some(_), None) => format!(
            "{} project files from the built-in catalog (--catalog DIR to use another)",
            files.files.len()
        ),
        (None, _) => "no catalog directory".to_string(),
    };
    say(&format!(
        "l2stage: {} projects ({catalog_note}); database {} ({} new project files, {} new assessments); submissions {}",
        startup.projects,
        display(&db),
        startup.new_files,
        startup.new_assessments,
        if token.is_some() {
            "enabled"
        } else {
            "disabled (no --token-file or L2STAGE_TOKEN)"
        },
    ));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Runtime(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| CliError::Runtime(format!("cannot listen on {}: {e}", args.addr)))?;
        let local = listener
            .local_addr()
            .map_err(|e| CliError::Runtime(e.to_string()))?;
        say(&format!("listening on http://{local}/"));
        let limits = Limits {
            max_connections: args.max_connections,
            max_concurrent_requests: args.max_concurrent_requests,
            request_timeout: args.request_timeout,
            header_read_timeout: args.header_read_timeout,
        };
        let app = Arc::new(app);
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let stop_rx = async move {
            let _ = stop_rx.await;
        };
        let watcher = match (&args.rpc, args.watch) {
            (Some(rpc), true) => {
                let webhook_args = args.loop_args.clone();
                let mut opts = args.loop_args.options(rpc, None, false);
                opts.chains = dir.as_ref().map(|d| d.join("chains"));
                let store = AppStore(app.clone());
                say(&format!(
                    "watching {} project(s) with a recipe, a full cycle every {}s",
                    recipes.len(),
                    opts.interval.as_secs()
                ));
                // Its own thread and runtime: a crawl's future is not Send,
                // and the loop must never hold up the server's workers.
                Some(std::thread::spawn(move || {
                    let rt = match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(rt) => rt,
                        Err(e) => {
                            crate::render::eprint_line(&format!("watch loop not started: {e}"));
                            return;
                        }
                    };
                    rt.block_on(async move {
                        let webhook = match webhook_args.webhook() {
                            Ok(w) => w,
                            Err(e) => {
                                crate::render::eprint_line(&format!("watch loop not started: {e}"));
                                return;
                            }
                        };
                        let log = |line: &str| say(line);
                        let r = l2stage_watch::watch(
                            &store,
                            &recipes,
                            &opts,
                            webhook.as_ref(),
                            &log,
                            stop_rx,
                        )
                        .await;
                        if let Err(e) = r {
                            crate::render::eprint_line(&format!("watch loop stopped: {e}"));
                        }
                    });
                }))
            }
            _ => None,
        };
        let router = l2stage_server::layered(l2stage_server::routes(), app, &limits);
        let served = l2stage_server::serve_with(listener, router, limits, shutdown_signal())
            .await
            .map_err(|e| CliError::Runtime(format!("server error: {e}")));
        // A cycle is one transaction: stopping it mid-way stores nothing of it.
        let _ = stop_tx.send(());
        if let Some(w) = watcher {
            let _ = tokio::task::spawn_blocking(move || w.join()).await;
        }
        served
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The server's database, shared with the watch loop (one writer).
struct AppStore(Arc<App>);

impl l2stage_watch::StoreAccess for AppStore {
    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        // The loop runs on its own thread: waiting for the server's lock
        // there holds up no request.
        self.0.with_store(f)
    }

    /// What a cycle stored is served at once: BattleTested's chain data and
    /// the watched governance structure of the projects it read.
    fn cycle_recorded(&self, projects: &[String]) {
        for problem in self.0.refresh_chain(projects) {
            crate::render::eprint_line(&format!("warning: {problem}"));
        }
    }
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
