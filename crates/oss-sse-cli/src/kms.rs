//! `oss-sse kms` (being built by its owner; this file is replaced wholesale).

use std::process::ExitCode;

/// Arguments of `oss-sse kms`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `oss-sse kms`.
pub fn run(_args: Args) -> ExitCode {
    eprintln!("oss-sse: 'kms' is not built yet");
    ExitCode::from(2)
}
