//! `oss-sse sign` (being built by its owner; this file is replaced wholesale).

use std::process::ExitCode;

/// Arguments of `oss-sse sign`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `oss-sse sign`.
pub fn run(_args: Args) -> ExitCode {
    eprintln!("oss-sse: 'sign' is not built yet");
    ExitCode::from(2)
}
