//! The `oss-sse` command: one binary for the emulator (`serve`, `admin`), the signing debugger (`sign`),
//! the local KMS (`kms`) and, as they land, the ossutil-like object verbs and the benchmark.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::error::ErrorKind;
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    match cli.command {
        Command::Sign(args) => sign::run(args),
        Command::Kms(args) => kms::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Admin(args) => admin::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Objects(command) => objects::run(command),
    }
}

/// Help and version go to stdout as clap prints them; a usage error is one line on stderr and exit code 2,
/// so scripts (and people reading CI logs) see what was wrong without a page of usage text.
fn usage_error(err: clap::Error) -> ExitCode {
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            let rendered = err.render().to_string();
            let first = rendered
                .lines()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            eprintln!("oss-sse: error: {first} (see 'oss-sse --help')");
            ExitCode::from(2)
        }
    }
}
