//! The `oss-sse` command: one binary for the emulator (`serve`, `admin`), the signing debugger (`sign`),
//! the local KMS (`kms`) and, as they land, the ossutil-like object verbs and the benchmark.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod admin;
mod bench;
mod kms;
mod objects;
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
    /// Administer the emulator's data: master-key rotation, rewrap.
    Admin(admin::Args),
    /// Measure the emulator and the client; prints JSON.
    Bench(bench::Args),
    /// Object and bucket verbs in the habits of ossutil (mb, rb, ls, cp, stat, rm, presign, ...).
    #[command(flatten)]
    Objects(objects::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Sign(args) => sign::run(args),
        Command::Kms(args) => kms::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Admin(args) => admin::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Objects(command) => objects::run(command),
    }
}
