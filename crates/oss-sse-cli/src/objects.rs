//! The ossutil-like verbs (being built by their owner; this file is replaced wholesale).

use std::process::ExitCode;

/// The object and bucket verbs, flattened into the top-level command.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Make a bucket.
    Mb,
}

/// Runs one object or bucket verb.
pub fn run(_command: Command) -> ExitCode {
    eprintln!("oss-sse: object verbs are not built yet");
    ExitCode::from(2)
}
