//! The `oss-sse` command: one binary for the emulator (`serve`, `admin`), the signing debugger (`sign`),
//! the local KMS (`kms`) and, as they land, the ossutil-like object verbs and the benchmark.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod kms;
mod serve;
mod sign;

/// Alibaba Cloud OSS server-side encryption: a local emulator with a real KMS, and the tools around it.
#[derive(Debug, Parser)]
#[command(name = "oss-sse", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compute the V1 or V4 signature of a request, as a debugging aid for SignatureDoesNotMatch.
    Sign(sign::Args),
    /// Administer a local KMS keystore: keys, aliases, rotation, data keys, metering.
    Kms(kms::Args),
    /// Run the local OSS emulator.
    Serve(serve::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Sign(args) => sign::run(args),
        Command::Kms(args) => kms::run(args),
        Command::Serve(args) => serve::run(args),
    }
}
