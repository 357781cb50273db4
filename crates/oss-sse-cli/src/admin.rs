//! `oss-sse admin` (being built by its owner; this file is replaced wholesale).

use std::process::ExitCode;

/// Arguments of `oss-sse admin`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `oss-sse admin`.
pub fn run(_args: Args) -> ExitCode {
    eprintln!("oss-sse: 'admin' is not built yet");
    ExitCode::from(2)
}
