//! `l2stage changes ID [--db FILE] [--format text|json] [--limit N]
//! [--before SEQ]`: the governance changes the watch loop recorded on chain
//! for a project, newest first. `--format json` prints exactly the body of
//! `GET /api/v1/projects/{id}/changes` with the same parameters.
//!
//! The database is opened read-only and without its lock, so this works
//! while `l2stage serve` or `l2stage watch` is writing it.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use l2stage_server::changes::{ChangesBody, DEFAULT_LIMIT, changes_page};
use l2stage_store::{Store, WatchStatus};

use crate::error::CliError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChangesFormat {
    Text,
    Json,
}

fn limit(s: &str) -> Result<usize, String> {
    l2stage_server::changes::parse_limit(s)
}

fn before(s: &str) -> Result<i64, String> {
    l2stage_server::changes::parse_before(s)
}

#[derive(Debug, clap::Args)]
pub struct ChangesArgs {
    /// The project id.
    #[arg(value_name = "ID")]
    pub id: String,
    /// SQLite database file written by `l2stage watch` or `serve --watch`.
    /// Default: l2stage/l2stage.db in the user's data directory.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Output format: one line per change, or the API's JSON body.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ChangesFormat,
    /// Changes to print, 1 to 500 (the API's page size).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT, value_parser = limit)]
    pub limit: usize,
    /// Only changes with a `seq` below this (the `next` link's `before`).
    #[arg(long, value_name = "SEQ", value_parser = before)]
    pub before: Option<i64>,
}

pub fn run(args: &ChangesArgs) -> Result<ExitCode, CliError> {
    let db: PathBuf = match &args.db {
        Some(p) => p.clone(),
        None => crate::commands::serve::default_db().ok_or_else(|| {
            CliError::Usage("cannot find the user's data directory: pass --db FILE".into())
        })?,
    };
    let store = Store::open_read_only(&db).map_err(|e| CliError::Usage(e.to_string()))?;
    let runtime = |e: l2stage_store::StoreError| CliError::Runtime(e.to_string());
    let status = store.watch_status(&args.id).map_err(runtime)?;
    let known = status.is_some()
        || store
            .latest_file(&args.id, None)
            .map_err(runtime)?
            .is_some();
    if !known {
        return Err(CliError::Usage(format!(
            "no project with id `{}` in database {}",
            l2stage_model::text::quote(&args.id),
            l2stage_model::text::path(&db)
        )));
    }
    let body = changes_page(&store, &args.id, args.limit, args.before).map_err(runtime)?;
    let out = match args.format {
        ChangesFormat::Json => {
            let mut s =
                serde_json::to_string(&body).map_err(|e| CliError::Runtime(e.to_string()))?;
            s.push('\n');
            s
        }
        ChangesFormat::Text => text(&body, status.as_ref(), args.limit),
    };
    crate::render::write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// "verified on chain at block N (date)", "not verified since block N:
/// reason", or "not watched".
pub fn status_line(status: Option<&WatchStatus>) -> String {
    match status {
        None => "not watched: no watch cycle has read this project".into(),
        Some(s) => match (&s.verified, &s.fault) {
            (_, Some(f)) => format!(
                "not verified since block {}: {}{}",
                f.block,
                f.reason,
                s.verified
                    .as_ref()
                    .map(|v| format!(" (last verified at block {} ({}))", v.block, v.date))
                    .unwrap_or_default()
            ),
            (Some(v), None) => format!(
                "verified on chain at block {} ({}), chain {}",
                v.block, v.date, s.chain_id
            ),
            (None, None) => "not watched".into(),
        },
    }
}

/// Text from the database, with every control character escaped (the
/// terminal writer keeps colour sequences, which must come from us only).
fn esc(s: &str) -> String {
    l2stage_model::text::escape(s).into_owned()
}

fn text(body: &ChangesBody, status: Option<&WatchStatus>, limit: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", esc(&body.project), esc(&status_line(status)));
    if body.changes.is_empty() {
        let _ = writeln!(out, "no changes recorded");
        return out;
    }
    let _ = writeln!(out, "changes on chain, newest first:");
    for c in &body.changes {
        let show = |v: &Option<String>| v.as_deref().map(esc).unwrap_or_else(|| "(none)".into());
        let _ = writeln!(
            out,
            "  #{} block {} ({}) {}{}",
            c.seq,
            c.block,
            c.date,
            esc(&c.kind),
            if c.safety_relevant {
                " [safety-relevant]"
            } else {
                ""
            }
        );
        let _ = writeln!(
            out,
            "      {} of {}: {} -> {}",
            esc(&c.field),
            esc(&c.address),
            show(&c.before),
            show(&c.after)
        );
        if let Some(calls) = c.evidence.get("calls").and_then(|v| v.as_array()) {
            for call in calls.iter().filter_map(|v| v.as_str()) {
                let _ = writeln!(out, "      evidence: {}", esc(call));
            }
        }
    }
    if let Some(last) = body.changes.last().filter(|_| body.next.is_some()) {
        let _ = writeln!(
            out,
            "more: l2stage changes {} --limit {limit} --before {}",
            esc(&body.project),
            last.seq
        );
    }
    out
}
