//! `oss-sse bench`: measures the emulator on loopback and prints JSON.
//!
//! A fresh `oss-sse serve` process (this same binary) is started on a temporary data dir so that its peak
//! resident memory (`VmHWM` from /proc) is the server's alone; the load generator in this process then
//! measures PUT and GET throughput for 1 MiB objects and for 256 MiB objects unencrypted, SSE-OSS, SSE-KMS
//! and SM4, 4 KiB PUT/GET operations per second at concurrency 16 unencrypted and SSE-KMS, one 1 GiB
//! SSE-KMS object in and out (the peak RSS covers it), and the raw AES-256-GCM seal rate of one core,
//! checking every GET against the CRC-64 the server reports. `--quick` runs the same
//! shape with small sizes (seconds, for tests). Errors exit 2 with one line on stderr.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitCode, Stdio};

use oss_sse_core::Credentials;
use oss_sse_server::bench::{self, BenchPlan};
use serde::Serialize;

/// Arguments of `oss-sse bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A seconds-long run with small sizes (same shape, for smoke tests).
    #[arg(long)]
    quick: bool,
    /// Size of the large objects, in MiB.
    #[arg(long, value_name = "MIB")]
    large_mib: Option<u64>,
    /// Concurrent clients for the 4 KiB operations.
    #[arg(long, value_name = "N", default_value_t = 16)]
    concurrency: usize,
}

#[derive(Serialize)]
struct Output {
    emulator: bench::EmulatorReport,
    server_peak_rss_kib: Option<u64>,
    /// Peak RSS under 64 MiB.
    peak_rss_target_met: Option<bool>,
    build: &'static str,
}

/// Kills the benchmarked server on every exit path.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The benchmark's data dir, removed on every exit path (after the server is gone: declared first, so
/// dropped last).
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("oss-sse bench: {msg}");
    ExitCode::from(2)
}

/// Peak resident set size of a process, in KiB (Linux `VmHWM`).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs `oss-sse bench`.
pub fn run(args: Args) -> ExitCode {
    let mut plan = if args.quick {
        BenchPlan::quick()
    } else {
        BenchPlan::full()
    };
    if let Some(m) = args.large_mib {
        if m == 0 {
            return fail("--large-mib must be at least 1");
        }
        plan.large_mib = m;
    }
    plan.concurrency = args.concurrency.max(1);
    let dir = TempDir(std::env::temp_dir().join(format!(
        "oss-sse-bench-{}-{}",
        std::process::id(),
        oss_sse_server::ids::random_hex(6)
    )));
    if let Err(e) = std::fs::create_dir_all(&dir.0) {
        return fail(format_args!("temporary data dir {}: {e}", dir.0.display()));
    }
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return fail(format_args!("cannot find this executable: {e}")),
    };
    let creds = ("LTAIbenchroot0000", "bench-root-secret-0000");
    let child = Command::new(exe)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir.0)
        .env("OSS_ACCESS_KEY_ID", creds.0)
        .env("OSS_ACCESS_KEY_SECRET", creds.1)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn();
    let mut server = match child {
        Ok(c) => Serve(c),
        Err(e) => return fail(format_args!("cannot start oss-sse serve: {e}")),
    };
    let Some(stdout) = server.0.stdout.take() else {
        return fail("no stdout from oss-sse serve");
    };
    let mut lines = BufReader::new(stdout).lines();
    let endpoint = match lines.next() {
        Some(Ok(l)) => match l.strip_prefix("listening on ") {
            Some(e) => e.to_owned(),
            None => return fail(format_args!("unexpected first line from serve: {l}")),
        },
        _ => return fail("oss-sse serve exited before listening"),
    };
    std::thread::spawn(move || for _ in lines {});
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(format_args!("runtime: {e}")),
    };
    let report = rt.block_on(bench::run(
        &endpoint,
        Credentials::new(creds.0, creds.1),
        "cn-hangzhou",
        &plan,
    ));
    let report = match report {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let rss = peak_rss_kib(server.0.id());
    let out = Output {
        emulator: report,
        server_peak_rss_kib: rss,
        peak_rss_target_met: rss.map(|k| k < 64 * 1024),
        build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    };
    drop(server);
    match serde_json::to_string_pretty(&out) {
        Ok(j) => {
            println!("{j}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
