//! `l2stage`: the command line front of the toolkit.

mod catalog;
mod commands;
mod error;
mod render;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CliError;

#[derive(Debug, Parser)]
#[command(
    name = "l2stage",
    version,
    about = "How far an Ethereum rollup still depends on trusted people: its Stage, why, and what it means in numbers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Assess project files against the Stages Framework.
    Assess(commands::assess::AssessArgs),
    /// Draw a project's permission graph (actors, powers, delays).
    Graph(commands::graph::GraphArgs),
    /// Print the JSON Schema of the project file.
    Schema(commands::schema::SchemaArgs),
    /// Stage-risk calculator: when is Stage 1 or Stage 2 the safer choice?
    Risk(commands::risk::RiskArgs),
    /// Serve the API, the dashboard and badges, keeping every assessment in a database.
    Serve(commands::serve::ServeArgs),
    /// Print the governance changes recorded on chain for a project (newest first).
    Changes(commands::changes::ChangesArgs),
    /// Read a rollup's governance from an Ethereum node into a [governance] section.
    Discover(commands::discover::DiscoverArgs),
    /// Check a project file's governance claims against the chain.
    Verify(commands::verify::VerifyArgs),
    /// Keep the catalog verified against the chain: store snapshots and every governance change.
    Watch(commands::watch::WatchArgs),
    /// Read the value locked in a project's escrows on chain, one point per date, and store it.
    ValueLocked(commands::value_locked::ValueLockedArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout with status 0, and usage
            // errors to stderr; usage errors exit 2 as every invalid input does.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match &cli.command {
        Command::Assess(args) => commands::assess::run(args),
        Command::Graph(args) => commands::graph::run(args),
        Command::Schema(args) => commands::schema::run(args),
        Command::Risk(args) => commands::risk::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Changes(args) => commands::changes::run(args),
        Command::Discover(args) => commands::discover::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Watch(args) => commands::watch::run(args),
        Command::ValueLocked(args) => commands::value_locked::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // Messages quote input (names, values, paths): escaped.
            match &e {
                CliError::Input(report) => render::eprint_line(&format!("{report:?}")),
                other => render::eprint_line(&format!("error: {other}")),
            }
            e.exit_code()
        }
    }
}
