//! `oss-sse serve`: runs the local OSS emulator.
//!
//! Output contract: the FIRST line of stdout is `listening on http://127.0.0.1:PORT`, printed once the
//! server accepts connections (tests and scripts wait for it); then the data dir and, unless they came
//! from `OSS_ACCESS_KEY_ID` / `OSS_ACCESS_KEY_SECRET`, the root credentials. SIGINT or SIGTERM stops
//! accepting, lets in-flight requests finish (up to a grace period) and exits 0. Startup errors exit 2
//! with one line on stderr.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use oss_sse_server::config::{
    kms_dir, open_local_kms_with, root_credentials, Limits, RootSource, ServerConfig,
};
use oss_sse_server::users::Directory;
use oss_sse_server::Server;

/// Arguments of `oss-sse serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (`:0` picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Data directory (default: $XDG_DATA_HOME/oss-sse/emulator or ~/.local/share/oss-sse/emulator).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Region the buckets report and V4 signatures are scoped to.
    #[arg(long, value_name = "REGION", default_value = "cn-hangzhou")]
    region: String,
    /// RAM users, STS credentials and policies (JSON; format in the README).
    #[arg(long, value_name = "FILE")]
    users: Option<PathBuf>,
    /// How often the SSE-OSS service master key rotates (e.g. `30d`, `12h`, `3600s`); objects written
    /// under older versions keep decrypting.
    #[arg(long, value_name = "INTERVAL", default_value = "30d", value_parser = crate::kms::parse_interval)]
    master_key_rotation: std::time::Duration,
}

fn default_data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("oss-sse").join("emulator");
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(h) => PathBuf::from(h)
            .join(".local")
            .join("share")
            .join("oss-sse")
            .join("emulator"),
        None => std::env::temp_dir().join("oss-sse-emulator"),
    }
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("oss-sse serve: {msg}");
    ExitCode::from(2)
}

/// Runs `oss-sse serve`.
pub fn run(args: Args) -> ExitCode {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OSS_SSE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let data_dir = args.data_dir.unwrap_or_else(default_data_dir);
    if let Err(e) = std::fs::create_dir_all(&data_dir) {
        return fail(format_args!(
            "cannot create data dir {}: {e}",
            data_dir.display()
        ));
    }
    let env = (
        std::env::var("OSS_ACCESS_KEY_ID").ok(),
        std::env::var("OSS_ACCESS_KEY_SECRET").ok(),
    );
    let (root, source) = match root_credentials(&data_dir, env) {
        Ok(r) => r,
        Err(e) => return fail(format_args!("root credentials: {e}")),
    };
    let directory = match &args.users {
        Some(path) => match Directory::from_file(root.clone(), path) {
            Ok(d) => d,
            Err(e) => return fail(e),
        },
        None => Directory::root_only(root.clone()),
    };
    let kms = match open_local_kms_with(&data_dir, args.master_key_rotation) {
        Ok(k) => k,
        Err(e) => {
            return fail(format_args!(
                "KMS keystore {}: {e}",
                kms_dir(&data_dir).display()
            ))
        }
    };
    let config = ServerConfig {
        listen: args.listen,
        data_dir: data_dir.clone(),
        region: args.region,
        directory,
        limits: Limits::default(),
        kms: Some(kms),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(format_args!("cannot start the runtime: {e}")),
    };
    rt.block_on(async move {
        let server = match Server::bind(config).await {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        let shutdown = match shutdown_signal() {
            Ok(s) => s,
            Err(e) => return fail(format_args!("cannot install signal handlers: {e}")),
        };
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on http://{}", server.local_addr());
            let _ = writeln!(out, "data dir: {}", data_dir.display());
            match source {
                RootSource::Environment => {
                    let _ = writeln!(
                        out,
                        "root access key id: {} (from OSS_ACCESS_KEY_ID)",
                        root.access_key_id
                    );
                }
                RootSource::DataDir | RootSource::Generated => {
                    let _ = writeln!(out, "root access key id: {}", root.access_key_id);
                    let _ = writeln!(out, "root access key secret: {}", root.secret.expose());
                }
            }
            let _ = out.flush();
        }
        server.run(shutdown).await;
        ExitCode::SUCCESS
    })
}

fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}
