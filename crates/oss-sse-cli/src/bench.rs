//! `oss-sse bench` (being built by its owner; this file is replaced wholesale).

use std::process::ExitCode;

/// Arguments of `oss-sse bench`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `oss-sse bench`.
pub fn run(_args: Args) -> ExitCode {
    eprintln!("oss-sse: 'bench' is not built yet");
    ExitCode::from(2)
}
