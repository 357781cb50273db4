//! `oss-sse serve` (being built by its owner; this file is replaced wholesale).

use std::process::ExitCode;

/// Arguments of `oss-sse serve`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `oss-sse serve`.
pub fn run(_args: Args) -> ExitCode {
    eprintln!("oss-sse: 'serve' is not built yet");
    ExitCode::from(2)
}
