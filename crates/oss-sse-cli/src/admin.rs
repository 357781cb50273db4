//! `oss-sse admin`: administer the emulator's encryption at rest: rotate the SSE-OSS service master key
//! and rewrap a bucket's data keys under the newest key versions.
//!
//! Offline on a data dir (`--data-dir DIR`, while no emulator runs on it: the keystore lock says so), or
//! through a running emulator's admin API (`--endpoint URL`, signing as the root account from
//! OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET). Results are printed as JSON; errors exit 1 with one line on
//! stderr; a rewrap that could not handle every object prints its report and exits 1 (run it again
//! once the cause is fixed: objects already done are skipped).

use std::path::PathBuf;
use std::process::ExitCode;

use oss_sse_core::Credentials;
use oss_sse_kms::KmsError;
use oss_sse_server::admin::AdminClient;
use oss_sse_server::encryption::{rewrap_bucket, RewrapReport, MASTER_KEY_ALIAS};

/// Arguments of `oss-sse admin`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("target").required(true).multiple(false).args(["data_dir", "endpoint"]))]
pub struct Args {
    /// The emulator's data directory (offline: no emulator may be running on it).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// A running emulator (`http://127.0.0.1:PORT`).
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// Region the emulator signs for (with --endpoint).
    #[arg(long, value_name = "REGION", default_value = "cn-hangzhou")]
    region: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Add a version to the SSE-OSS service master key (objects under older versions keep decrypting).
    RotateMasterKey,
    /// Re-wrap every data key of a bucket under the newest master-key / CMK version, without touching
    /// object bodies. Crash-safe and resumable.
    Rewrap {
        /// The bucket.
        #[arg(long, value_name = "BUCKET")]
        bucket: String,
    },
}

/// An admin client of `endpoint` signing with the root credentials from the environment.
pub(crate) fn remote(endpoint: &str, region: &str) -> Result<AdminClient, KmsError> {
    let id = std::env::var("OSS_ACCESS_KEY_ID")
        .ok()
        .filter(|v| !v.is_empty());
    let secret = std::env::var("OSS_ACCESS_KEY_SECRET")
        .ok()
        .filter(|v| !v.is_empty());
    let (Some(id), Some(secret)) = (id, secret) else {
        return Err(KmsError::InvalidParameter {
            reason: "--endpoint needs the root credentials in OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET"
                .to_owned(),
        });
    };
    AdminClient::new(endpoint, Credentials::new(id, secret), region).map_err(|e| KmsError::Io {
        context: format!("connecting to {endpoint}"),
        source: std::io::Error::other(e.to_string()),
    })
}

enum Outcome {
    Json(serde_json::Value),
    Rewrap(RewrapReport),
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("oss-sse admin: {msg}");
    ExitCode::from(1)
}

fn offline(dir: &std::path::Path, command: Command) -> Result<Outcome, String> {
    let kms = oss_sse_server::config::open_local_kms(dir).map_err(|e| match e {
        KmsError::KeystoreLocked { .. } => {
            format!("{e} (an emulator is running on this data dir: use --endpoint)")
        }
        other => other.to_string(),
    })?;
    match command {
        Command::RotateMasterKey => {
            let meta = kms
                .rotate_key(MASTER_KEY_ALIAS)
                .map_err(|e| e.to_string())?;
            serde_json::to_value(meta)
                .map(Outcome::Json)
                .map_err(|e| e.to_string())
        }
        Command::Rewrap { bucket } => {
            let store = oss_sse_server::storage::Store::open(dir).map_err(|e| e.to_string())?;
            rewrap_bucket(&store, kms.as_ref(), &bucket)
                .map(Outcome::Rewrap)
                .map_err(|e| e.to_string())
        }
    }
}

fn online(endpoint: &str, region: &str, command: Command) -> Result<Outcome, String> {
    let client = remote(endpoint, region).map_err(|e| e.to_string())?;
    match command {
        Command::RotateMasterKey => {
            let meta = client.rotate_master_key().map_err(|e| e.to_string())?;
            serde_json::to_value(meta)
                .map(Outcome::Json)
                .map_err(|e| e.to_string())
        }
        Command::Rewrap { bucket } => client
            .rewrap(&bucket)
            .map(Outcome::Rewrap)
            .map_err(|e| e.to_string()),
    }
}

/// Runs `oss-sse admin`.
pub fn run(args: Args) -> ExitCode {
    let result = match (&args.data_dir, &args.endpoint) {
        (_, Some(endpoint)) => online(endpoint, &args.region, args.command),
        (Some(dir), None) => offline(dir, args.command),
        (None, None) => Err("give --data-dir DIR or --endpoint URL".to_owned()),
    };
    match result {
        Ok(Outcome::Json(v)) => {
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Ok(Outcome::Rewrap(report)) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
            if report.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                fail(format_args!(
                    "{} object(s) could not be rewrapped; fix the cause and run again",
                    report.failed.len()
                ))
            }
        }
        Err(e) => fail(e),
    }
}
