//! The ossutil-like verbs: `mb`, `rb`, `ls`, `cp`, `stat`, `rm`, `presign` and `bucket-encryption`, over
//! oss-sse-client. Buckets and objects are named `oss://bucket/key`.
//!
//! Endpoint and credentials come from `--endpoint` / `--region` (on every verb), else the environment
//! (`OSS_ENDPOINT`, `OSS_REGION`, `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET`, `OSS_SESSION_TOKEN`), else
//! `~/.oss-sse.toml` (format in [`config`]).
//!
//! Exit codes: **0** success; **1** the request failed (a service error prints its OSS code, request id
//! and message on stderr; transport and local I/O failures exit 1 too); **2** usage error (bad flags, bad
//! `oss://` name, missing endpoint or credentials).
//!
//! `--json` prints one JSON document on stdout instead of text; a progress bar is drawn on stderr during
//! transfers when stderr is a terminal.

mod config;
mod url;

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use oss_sse_client::{
    Client, CopyObjectOptions, DataEncryption, Encryption, Error, GetObjectOptions,
    ListObjectsOptions, ObjectMeta, PutObjectOptions, ServerSideEncryptionRule, Sse, SseAlgorithm,
    UploadOptions,
};
use serde_json::{json, Value};

use self::url::OssUrl;

/// Options every verb takes: where to go and how to sign.
#[derive(Debug, Args)]
pub struct Common {
    /// Endpoint URL (e.g. `https://oss-cn-hangzhou.aliyuncs.com` or `http://127.0.0.1:9000`); defaults to
    /// `OSS_ENDPOINT`, then the config file.
    #[arg(long, short = 'e')]
    endpoint: Option<String>,
    /// V4 signing region (derived from an `oss-<region>.aliyuncs.com` endpoint when absent).
    #[arg(long)]
    region: Option<String>,
    /// Signature version, 1 or 4 (default 4).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=4))]
    signature_version: Option<u8>,
    /// Address buckets path-style (`host/bucket/key`) instead of virtual-hosted.
    #[arg(long)]
    path_style: bool,
    /// The endpoint is a CNAME bound to the bucket.
    #[arg(long)]
    cname: bool,
    /// PEM file of CA certificates to trust.
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// Config file (default `$OSS_SSE_CONFIG`, else `~/.oss-sse.toml`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Print JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// The SSE algorithm names accepted by `--sse` and `--algorithm`.
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum AlgorithmArg {
    /// SSE-OSS.
    Aes256,
    /// SSE-KMS.
    Kms,
    /// SM4.
    Sm4,
}

/// Data encryption names (`SM4` only).
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum DataEncryptionArg {
    /// SM4 data encryption under a KMS key.
    Sm4,
}

/// Object encryption flags of `cp`.
#[derive(Debug, Args)]
pub struct SseArgs {
    /// Encrypt the uploaded or copied object: AES256, KMS or SM4.
    #[arg(long)]
    sse: Option<AlgorithmArg>,
    /// The KMS key id (with `--sse KMS`; the default service key otherwise).
    #[arg(long, requires = "sse")]
    sse_key_id: Option<String>,
    /// Data encryption under KMS: SM4 (with `--sse KMS`).
    #[arg(long, requires = "sse")]
    sse_data_encryption: Option<DataEncryptionArg>,
}

impl SseArgs {
    fn to_sse(&self) -> Result<Option<Sse>, String> {
        match (self.sse, &self.sse_key_id, self.sse_data_encryption) {
            (None, _, _) => Ok(None),
            (Some(AlgorithmArg::Kms), key_id, de) => Ok(Some(Sse::Kms {
                key_id: key_id.clone(),
                data_encryption: de.map(|_| DataEncryption::Sm4),
            })),
            (Some(_), Some(_), _) => Err("--sse-key-id is only valid with --sse KMS".into()),
            (Some(_), _, Some(_)) => {
                Err("--sse-data-encryption is only valid with --sse KMS".into())
            }
            (Some(AlgorithmArg::Aes256), None, None) => Ok(Some(Sse::Aes256)),
            (Some(AlgorithmArg::Sm4), None, None) => Ok(Some(Sse::Sm4)),
        }
    }
}

/// The object and bucket verbs, flattened into the top-level command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a bucket: `mb oss://bucket`.
    Mb {
        #[command(flatten)]
        common: Box<Common>,
        /// `oss://bucket`.
        bucket: String,
    },
    /// Remove an (empty) bucket: `rb oss://bucket`.
    Rb {
        #[command(flatten)]
        common: Box<Common>,
        /// `oss://bucket`.
        bucket: String,
    },
    /// List buckets (no argument), or the objects under `oss://bucket[/prefix]`.
    Ls {
        #[command(flatten)]
        common: Box<Common>,
        /// `oss://bucket[/prefix]`; omitted: list buckets.
        target: Option<String>,
        /// List every object under the prefix instead of one directory level.
        #[arg(short, long)]
        recursive: bool,
    },
    /// Copy: upload (local → oss://), download (oss:// → local, `-` for stdout), or server-side copy.
    Cp {
        #[command(flatten)]
        common: Box<Common>,
        /// Source: a local file or directory, `-` for stdin, or `oss://bucket/key`.
        source: String,
        /// Destination: a local path or `oss://bucket/key` (a trailing `/` means "into this prefix").
        destination: String,
        /// Copy a directory or every object under a prefix.
        #[arg(short, long)]
        recursive: bool,
        #[command(flatten)]
        sse: SseArgs,
        /// Content-Type of uploaded objects.
        #[arg(long)]
        content_type: Option<String>,
        /// Files larger than this go up as multipart uploads (bytes).
        #[arg(long, default_value_t = 64 * 1024 * 1024)]
        multipart_threshold: u64,
        /// Part size of multipart uploads (bytes).
        #[arg(long, default_value_t = 8 * 1024 * 1024)]
        part_size: u64,
        /// Parts uploaded at once.
        #[arg(long, short = 'j', default_value_t = 4)]
        parallel: usize,
    },
    /// Show every piece of an object's metadata (encryption headers included), or a bucket's info.
    Stat {
        #[command(flatten)]
        common: Box<Common>,
        /// `oss://bucket/key` or `oss://bucket`.
        target: String,
    },
    /// Remove an object, or with `-r` every object under a prefix.
    Rm {
        #[command(flatten)]
        common: Box<Common>,
        /// `oss://bucket/key` (or a prefix with `-r`).
        target: String,
        /// Remove every object under the prefix.
        #[arg(short, long)]
        recursive: bool,
    },
    /// Print a presigned URL for an object.
    Presign {
        #[command(flatten)]
        common: Box<Common>,
        /// `oss://bucket/key`.
        target: String,
        /// HTTP method the URL allows: GET or PUT.
        #[arg(long, default_value = "GET", value_parser = ["GET", "PUT"])]
        method: String,
        /// Validity in seconds.
        #[arg(long, default_value_t = 3600)]
        expires: u64,
    },
    /// A bucket's default encryption rule: put, get or delete.
    BucketEncryption {
        #[command(subcommand)]
        action: EncryptionAction,
    },
}

/// `bucket-encryption` actions.
#[derive(Debug, Subcommand)]
pub enum EncryptionAction {
    /// Set the default encryption rule.
    Put {
        #[command(flatten)]
        common: Box<Common>,
        /// `oss://bucket`.
        bucket: String,
        /// AES256, KMS or SM4.
        #[arg(long)]
        algorithm: AlgorithmArg,
        /// The KMS master key id (with KMS).
        #[arg(long)]
        kms_key_id: Option<String>,
        /// KMS data encryption: SM4 (with KMS).
        #[arg(long)]
        kms_data_encryption: Option<DataEncryptionArg>,
    },
    /// Show the default encryption rule.
    Get {
        #[command(flatten)]
        common: Box<Common>,
        /// `oss://bucket`.
        bucket: String,
    },
    /// Remove the default encryption rule.
    Delete {
        #[command(flatten)]
        common: Box<Common>,
        /// `oss://bucket`.
        bucket: String,
    },
}

/// How a verb failed.
enum Failure {
    /// Bad input: exit 2.
    Usage(String),
    /// The request failed: exit 1.
    Request(Error),
    /// A local problem during the verb (file not found, write failed): exit 1.
    Local(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e {
            Error::InvalidArgument(m) => Failure::Usage(m),
            e => Failure::Request(e),
        }
    }
}

type VerbResult = Result<(), Failure>;

/// Runs one object or bucket verb.
pub fn run(command: Command) -> ExitCode {
    let json = match &command {
        Command::Mb { common, .. }
        | Command::Rb { common, .. }
        | Command::Ls { common, .. }
        | Command::Cp { common, .. }
        | Command::Stat { common, .. }
        | Command::Rm { common, .. }
        | Command::Presign { common, .. } => common.json,
        Command::BucketEncryption { action } => match action {
            EncryptionAction::Put { common, .. }
            | EncryptionAction::Get { common, .. }
            | EncryptionAction::Delete { common, .. } => common.json,
        },
    };
    match dispatch(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            report_error(json, "UsageError", &msg, None);
            ExitCode::from(2)
        }
        Err(Failure::Local(msg)) => {
            report_error(json, "LocalError", &msg, None);
            ExitCode::from(1)
        }
        Err(Failure::Request(e)) => {
            match e.service() {
                Some(s) => report_error(json, &s.code, &s.message, Some(&s.request_id)),
                None => report_error(json, error_kind(&e), &e.to_string(), None),
            }
            ExitCode::from(1)
        }
    }
}

fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::Transport(_) => "TransportError",
        Error::CrcMismatch { .. } => "CrcMismatch",
        Error::Io(_) => "IoError",
        Error::Response(_) => "ParseError",
        Error::Cancelled => "Cancelled",
        _ => "ClientError",
    }
}

fn report_error(json: bool, code: &str, message: &str, request_id: Option<&str>) {
    if json {
        let doc = json!({"error": {"code": code, "message": message, "request_id": request_id}});
        println!("{doc}");
    }
    match request_id.filter(|r| !r.is_empty()) {
        Some(id) => eprintln!("oss-sse: error {code}: {message} (request id {id})"),
        None => eprintln!("oss-sse: error {code}: {message}"),
    }
}

fn client(common: &Common) -> Result<Client, Failure> {
    let flags = config::Overrides {
        endpoint: common.endpoint.clone(),
        region: common.region.clone(),
        signature_version: common.signature_version,
        path_style: common.path_style,
        cname: common.cname,
        ca_file: common.ca_file.clone(),
        config: common.config.clone(),
    };
    let r = config::resolve(&flags).map_err(Failure::Usage)?;
    let mut b = Client::builder(&r.endpoint)
        .credentials(r.credentials)
        .signature_version(r.signature_version)
        .path_style(r.path_style)
        .cname(r.cname)
        // Whole-file transfers can be long; only a stall should end them.
        .request_timeout(Duration::from_secs(120));
    if let Some(region) = r.region {
        b = b.region(region);
    }
    if let Some(ca) = r.ca_file {
        b = b.ca_file(ca);
    }
    b.build().map_err(|e| match e {
        Error::Config(m) | Error::InvalidArgument(m) => Failure::Usage(m),
        e => Failure::Request(e),
    })
}

fn bucket_of(s: &str) -> Result<String, Failure> {
    let u = OssUrl::parse(s).map_err(Failure::Usage)?;
    if !u.key.is_empty() {
        return Err(Failure::Usage(format!(
            "{s:?}: expected oss://bucket with no key"
        )));
    }
    Ok(u.bucket)
}

fn object_of(s: &str) -> Result<OssUrl, Failure> {
    let u = OssUrl::parse(s).map_err(Failure::Usage)?;
    if u.key.is_empty() {
        return Err(Failure::Usage(format!("{s:?}: expected oss://bucket/key")));
    }
    Ok(u)
}

fn print(json: bool, doc: Value, text: impl FnOnce() -> String) {
    if json {
        println!("{doc}");
    } else {
        let t = text();
        if !t.is_empty() {
            println!("{t}");
        }
    }
}

fn encryption_json(e: Option<&Encryption>) -> Value {
    match e {
        None => Value::Null,
        Some(e) => json!({
            "algorithm": e.algorithm.as_str(),
            "kms_key_id": e.key_id,
            "data_encryption": e.data_encryption.map(|d| d.as_str()),
        }),
    }
}

fn encryption_text(e: Option<&Encryption>) -> String {
    match e {
        None => "none".into(),
        Some(e) => {
            let mut s = e.algorithm.as_str().to_string();
            if let Some(k) = &e.key_id {
                s.push_str(&format!(" key {k}"));
            }
            if let Some(d) = e.data_encryption {
                s.push_str(&format!(" data {}", d.as_str()));
            }
            s
        }
    }
}

fn dispatch(command: Command) -> VerbResult {
    match command {
        Command::Mb { common, bucket } => {
            let b = bucket_of(&bucket)?;
            let c = client(&common)?;
            let ack = c.create_bucket(&b)?;
            print(
                common.json,
                json!({"bucket": b, "request_id": ack.request_id}),
                || format!("created oss://{b}"),
            );
            Ok(())
        }
        Command::Rb { common, bucket } => {
            let b = bucket_of(&bucket)?;
            let c = client(&common)?;
            let ack = c.delete_bucket(&b)?;
            print(
                common.json,
                json!({"bucket": b, "request_id": ack.request_id}),
                || format!("removed oss://{b}"),
            );
            Ok(())
        }
        Command::Ls {
            common,
            target,
            recursive,
        } => ls(&common, target.as_deref(), recursive),
        Command::Cp {
            common,
            source,
            destination,
            recursive,
            sse,
            content_type,
            multipart_threshold,
            part_size,
            parallel,
        } => {
            let sse = sse.to_sse().map_err(Failure::Usage)?;
            let opts = CpOptions {
                recursive,
                sse,
                content_type,
                multipart_threshold,
                part_size,
                parallel,
            };
            cp(&common, &source, &destination, &opts)
        }
        Command::Stat { common, target } => stat(&common, &target),
        Command::Rm {
            common,
            target,
            recursive,
        } => rm(&common, &target, recursive),
        Command::Presign {
            common,
            target,
            method,
            expires,
        } => {
            let u = object_of(&target)?;
            let c = client(&common)?;
            let url = c.presign(&method, &u.bucket, &u.key, Duration::from_secs(expires))?;
            print(
                common.json,
                json!({"url": url, "method": method, "expires": expires}),
                || url.clone(),
            );
            Ok(())
        }
        Command::BucketEncryption { action } => bucket_encryption(action),
    }
}

fn bucket_encryption(action: EncryptionAction) -> VerbResult {
    match action {
        EncryptionAction::Put {
            common,
            bucket,
            algorithm,
            kms_key_id,
            kms_data_encryption,
        } => {
            let b = bucket_of(&bucket)?;
            let algorithm = match algorithm {
                AlgorithmArg::Aes256 => SseAlgorithm::Aes256,
                AlgorithmArg::Kms => SseAlgorithm::Kms,
                AlgorithmArg::Sm4 => SseAlgorithm::Sm4,
            };
            let data = kms_data_encryption.map(|_| DataEncryption::Sm4.as_str());
            let rule = ServerSideEncryptionRule::new(algorithm, kms_key_id.as_deref(), data)
                .map_err(|e| Failure::Usage(e.to_string()))?;
            let c = client(&common)?;
            let ack = c.put_bucket_encryption(&b, &rule)?;
            print(
                common.json,
                json!({"bucket": b, "request_id": ack.request_id}),
                || {
                    format!(
                        "set default encryption of oss://{b} to {}",
                        rule.algorithm().as_str()
                    )
                },
            );
            Ok(())
        }
        EncryptionAction::Get { common, bucket } => {
            let b = bucket_of(&bucket)?;
            let c = client(&common)?;
            let rule = c.get_bucket_encryption(&b)?;
            let doc = json!({
                "bucket": b,
                "algorithm": rule.algorithm().as_str(),
                "kms_master_key_id": rule.kms_master_key_id(),
                "kms_data_encryption": rule.kms_data_encryption().map(|d| d.as_str()),
            });
            print(common.json, doc, || {
                let mut s = format!("SSEAlgorithm: {}", rule.algorithm().as_str());
                if let Some(k) = rule.kms_master_key_id() {
                    s.push_str(&format!("\nKMSMasterKeyID: {k}"));
                }
                if let Some(d) = rule.kms_data_encryption() {
                    s.push_str(&format!("\nKMSDataEncryption: {}", d.as_str()));
                }
                s
            });
            Ok(())
        }
        EncryptionAction::Delete { common, bucket } => {
            let b = bucket_of(&bucket)?;
            let c = client(&common)?;
            let ack = c.delete_bucket_encryption(&b)?;
            print(
                common.json,
                json!({"bucket": b, "request_id": ack.request_id}),
                || format!("removed the default encryption of oss://{b}"),
            );
            Ok(())
        }
    }
}

fn ls(common: &Common, target: Option<&str>, recursive: bool) -> VerbResult {
    let Some(target) = target else {
        let c = client(common)?;
        let buckets = c.list_buckets()?;
        let doc = json!({"buckets": buckets.iter().map(|b| json!({
            "name": b.name, "location": b.location, "creation_date": b.creation_date,
        })).collect::<Vec<_>>()});
        print(common.json, doc, || {
            let mut lines: Vec<String> = buckets
                .iter()
                .map(|b| {
                    format!(
                        "{:<24} {:<20} oss://{}",
                        b.creation_date, b.location, b.name
                    )
                })
                .collect();
            lines.push(format!("Bucket Number is: {}", buckets.len()));
            lines.join("\n")
        });
        return Ok(());
    };
    let u = OssUrl::parse(target).map_err(Failure::Usage)?;
    let c = client(common)?;
    let mut objects = Vec::new();
    let mut prefixes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let opts = ListObjectsOptions {
            prefix: Some(u.key.clone()).filter(|p| !p.is_empty()),
            delimiter: (!recursive).then(|| "/".to_string()),
            continuation_token: token.take(),
            max_keys: Some(1000),
            ..ListObjectsOptions::default()
        };
        let page = c.list_objects(&u.bucket, &opts)?;
        objects.extend(page.objects);
        prefixes.extend(page.common_prefixes);
        match page.next_continuation_token {
            Some(t) if page.is_truncated => token = Some(t),
            _ => break,
        }
    }
    let doc = json!({
        "bucket": u.bucket,
        "objects": objects.iter().map(|o| json!({
            "key": o.key, "size": o.size, "etag": o.etag, "last_modified": o.last_modified,
        })).collect::<Vec<_>>(),
        "prefixes": prefixes,
    });
    print(common.json, doc, || {
        let mut lines = Vec::new();
        for p in &prefixes {
            lines.push(format!("{:>24} {:>12} oss://{}/{p}", "", "DIR", u.bucket));
        }
        for o in &objects {
            lines.push(format!(
                "{:>24} {:>12} oss://{}/{}",
                o.last_modified, o.size, u.bucket, o.key
            ));
        }
        lines.push(format!("Object Number is: {}", objects.len()));
        lines.join("\n")
    });
    Ok(())
}

struct CpOptions {
    recursive: bool,
    sse: Option<Sse>,
    content_type: Option<String>,
    multipart_threshold: u64,
    part_size: u64,
    parallel: usize,
}

fn progress_bar(len: u64, label: &str) -> Option<ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let pb = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(label.to_string());
    Some(pb)
}

fn cp(common: &Common, source: &str, destination: &str, opts: &CpOptions) -> VerbResult {
    match (OssUrl::is_oss(source), OssUrl::is_oss(destination)) {
        (false, false) => Err(Failure::Usage(
            "cp: one of source and destination must be oss://".into(),
        )),
        (false, true) => {
            let dst = OssUrl::parse(destination).map_err(Failure::Usage)?;
            let c = client(common)?;
            let src = Path::new(source);
            if source != "-" && src.is_dir() {
                if !opts.recursive {
                    return Err(Failure::Usage(format!("{source} is a directory: pass -r")));
                }
                let mut files = Vec::new();
                walk(src, &mut files).map_err(|e| Failure::Local(format!("{source}: {e}")))?;
                let mut done = Vec::new();
                let prefix = if dst.key.is_empty() || dst.key.ends_with('/') {
                    dst.clone()
                } else {
                    dst.join("/")
                };
                for f in files {
                    let rel = f.strip_prefix(src).unwrap_or(&f);
                    let rel = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/");
                    let target = prefix.join(&rel);
                    done.push(upload_one(&c, &f, &target, opts, common.json)?);
                }
                print(common.json, json!({"uploaded": done}), String::new);
                Ok(())
            } else {
                let target = if dst.key.is_empty() || dst.key.ends_with('/') {
                    let name = src
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .filter(|n| source != "-" && !n.is_empty())
                        .ok_or_else(|| {
                            Failure::Usage(
                                "cp: name the destination object (oss://bucket/key)".into(),
                            )
                        })?;
                    dst.join(&name)
                } else {
                    dst
                };
                let doc = upload_one(&c, src, &target, opts, common.json)?;
                print(common.json, doc, String::new);
                Ok(())
            }
        }
        (true, false) => {
            let src = OssUrl::parse(source).map_err(Failure::Usage)?;
            let c = client(common)?;
            if opts.recursive {
                let keys = list_keys(&c, &src)?;
                let mut done = Vec::new();
                for key in keys {
                    let rel = key
                        .strip_prefix(&src.key)
                        .unwrap_or(&key)
                        .trim_start_matches('/');
                    if rel.is_empty() || rel.split('/').any(|c| c == ".." || c == ".") {
                        eprintln!(
                            "oss-sse: skipping oss://{}/{key}: not a safe local path",
                            src.bucket
                        );
                        continue;
                    }
                    let path = Path::new(destination).join(rel);
                    if let Some(parent) = path.parent() {
                        fs::create_dir_all(parent)
                            .map_err(|e| Failure::Local(format!("{}: {e}", parent.display())))?;
                    }
                    done.push(download_one(
                        &c,
                        &OssUrl {
                            bucket: src.bucket.clone(),
                            key: key.clone(),
                        },
                        &path,
                        common.json,
                    )?);
                }
                print(common.json, json!({"downloaded": done}), String::new);
                Ok(())
            } else {
                if src.key.is_empty() {
                    return Err(Failure::Usage(
                        "cp: name the source object (oss://bucket/key)".into(),
                    ));
                }
                let mut path = PathBuf::from(destination);
                if destination != "-" && (path.is_dir() || destination.ends_with('/')) {
                    let name = src.key.rsplit('/').next().unwrap_or(&src.key);
                    path = path.join(name);
                }
                let doc = download_one(&c, &src, &path, common.json)?;
                print(common.json, doc, String::new);
                Ok(())
            }
        }
        (true, true) => {
            let src = OssUrl::parse(source).map_err(Failure::Usage)?;
            let dst = OssUrl::parse(destination).map_err(Failure::Usage)?;
            let c = client(common)?;
            let copy_opts = CopyObjectOptions {
                sse: opts.sse.clone(),
                ..CopyObjectOptions::default()
            };
            let pairs: Vec<(String, String)> = if opts.recursive {
                let prefix = if dst.key.is_empty() || dst.key.ends_with('/') {
                    dst.key.clone()
                } else {
                    format!("{}/", dst.key)
                };
                list_keys(&c, &src)?
                    .into_iter()
                    .map(|k| {
                        let rel = k
                            .strip_prefix(&src.key)
                            .unwrap_or(&k)
                            .trim_start_matches('/')
                            .to_string();
                        (k, format!("{prefix}{rel}"))
                    })
                    .collect()
            } else {
                if src.key.is_empty() {
                    return Err(Failure::Usage(
                        "cp: name the source object (oss://bucket/key)".into(),
                    ));
                }
                let dkey = if dst.key.is_empty() || dst.key.ends_with('/') {
                    format!(
                        "{}{}",
                        dst.key,
                        src.key.rsplit('/').next().unwrap_or(&src.key)
                    )
                } else {
                    dst.key.clone()
                };
                vec![(src.key.clone(), dkey)]
            };
            let mut done = Vec::new();
            for (skey, dkey) in pairs {
                let out = c.copy_object(&src.bucket, &skey, &dst.bucket, &dkey, &copy_opts)?;
                if !common.json {
                    println!(
                        "copied oss://{}/{skey} -> oss://{}/{dkey} (encryption: {})",
                        src.bucket,
                        dst.bucket,
                        encryption_text(out.encryption.as_ref())
                    );
                }
                done.push(json!({
                    "source": format!("oss://{}/{skey}", src.bucket),
                    "destination": format!("oss://{}/{dkey}", dst.bucket),
                    "etag": out.etag,
                    "encryption": encryption_json(out.encryption.as_ref()),
                    "request_id": out.request_id,
                }));
            }
            print(common.json, json!({"copied": done}), String::new);
            Ok(())
        }
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let ty = e.file_type()?;
        if ty.is_dir() {
            walk(&e.path(), out)?;
        } else if ty.is_file() {
            out.push(e.path());
        }
    }
    Ok(())
}

fn list_keys(c: &Client, prefix: &OssUrl) -> Result<Vec<String>, Failure> {
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let opts = ListObjectsOptions {
            prefix: Some(prefix.key.clone()).filter(|p| !p.is_empty()),
            continuation_token: token.take(),
            max_keys: Some(1000),
            ..ListObjectsOptions::default()
        };
        let page = c.list_objects(&prefix.bucket, &opts)?;
        keys.extend(page.objects.into_iter().map(|o| o.key));
        match page.next_continuation_token {
            Some(t) if page.is_truncated => token = Some(t),
            _ => break,
        }
    }
    Ok(keys)
}

fn upload_one(
    c: &Client,
    src: &Path,
    dst: &OssUrl,
    opts: &CpOptions,
    json: bool,
) -> Result<Value, Failure> {
    let label = format!("{} -> {dst}", src.display());
    let (etag, encryption, crc64, request_id, size) = if src == Path::new("-") {
        // stdin has no known length: read it whole (only this path buffers).
        let mut buf = Vec::new();
        io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Failure::Local(format!("stdin: {e}")))?;
        let po = PutObjectOptions {
            content_type: opts.content_type.clone(),
            sse: opts.sse.clone(),
            ..PutObjectOptions::default()
        };
        let out = c.put_object_bytes(&dst.bucket, &dst.key, &buf, &po)?;
        (
            out.etag,
            out.encryption,
            out.crc64,
            out.request_id,
            buf.len() as u64,
        )
    } else {
        let meta =
            fs::metadata(src).map_err(|e| Failure::Local(format!("{}: {e}", src.display())))?;
        let size = meta.len();
        if size > opts.multipart_threshold {
            let pb = progress_bar(size, &label);
            let progress: Option<oss_sse_client::ProgressFn> = pb.clone().map(|pb| {
                let f: oss_sse_client::ProgressFn = Arc::new(move |done: u64, _total: u64| {
                    pb.set_position(done);
                    true
                });
                f
            });
            let uo = UploadOptions {
                part_size: opts.part_size,
                parallelism: opts.parallel.max(1),
                sse: opts.sse.clone(),
                content_type: opts.content_type.clone(),
                progress,
                ..UploadOptions::default()
            };
            let out = c.upload_file(&dst.bucket, &dst.key, src, &uo)?;
            if let Some(pb) = pb {
                pb.finish_and_clear();
            }
            (out.etag, out.encryption, out.crc64, out.request_id, size)
        } else {
            let file = fs::File::open(src)
                .map_err(|e| Failure::Local(format!("{}: {e}", src.display())))?;
            let po = PutObjectOptions {
                content_type: opts.content_type.clone(),
                sse: opts.sse.clone(),
                ..PutObjectOptions::default()
            };
            let pb = progress_bar(size, &label);
            let out = match &pb {
                Some(pb) => {
                    c.put_object(&dst.bucket, &dst.key, &mut pb.wrap_read(file), size, &po)?
                }
                None => c.put_object(
                    &dst.bucket,
                    &dst.key,
                    &mut io::BufReader::new(file),
                    size,
                    &po,
                )?,
            };
            if let Some(pb) = pb {
                pb.finish_and_clear();
            }
            (out.etag, out.encryption, out.crc64, out.request_id, size)
        }
    };
    if !json {
        println!(
            "uploaded {label} ({size} bytes, encryption: {})",
            encryption_text(encryption.as_ref())
        );
    }
    Ok(json!({
        "source": src.display().to_string(),
        "destination": dst.to_string(),
        "size": size,
        "etag": etag,
        "crc64": crc64.map(|c| c.to_string()),
        "encryption": encryption_json(encryption.as_ref()),
        "request_id": request_id,
    }))
}

fn download_one(c: &Client, src: &OssUrl, dst: &Path, json: bool) -> Result<Value, Failure> {
    let label = format!("{src} -> {}", dst.display());
    let meta = if dst == Path::new("-") {
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        let m = c.get_object_to_writer(
            &src.bucket,
            &src.key,
            &GetObjectOptions::default(),
            &mut lock,
        )?;
        lock.flush()
            .map_err(|e| Failure::Local(format!("stdout: {e}")))?;
        m
    } else {
        // Write beside the destination and rename, so a failed or corrupt download never leaves a
        // half-written file under the final name.
        let tmp = dst.with_file_name(format!(
            ".{}.oss-sse-part",
            dst.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default()
        ));
        let file = fs::File::create(&tmp)
            .map_err(|e| Failure::Local(format!("{}: {e}", tmp.display())))?;
        let mut reader = match c.get_object(&src.bucket, &src.key, &GetObjectOptions::default()) {
            Ok(r) => r,
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                return Err(e.into());
            }
        };
        let meta = reader.meta().clone();
        let pb = progress_bar(meta.content_length, &label);
        let mut writer = io::BufWriter::new(file);
        let copied = match &pb {
            Some(pb) => io::copy(&mut pb.wrap_read(&mut reader), &mut writer),
            None => io::copy(&mut reader, &mut writer),
        }
        .and_then(|_| writer.flush());
        if let Some(pb) = pb {
            pb.finish_and_clear();
        }
        if let Err(e) = copied.and_then(|_| fs::rename(&tmp, dst)) {
            let _ = fs::remove_file(&tmp);
            return Err(Failure::Local(format!("{}: {e}", dst.display())));
        }
        meta
    };
    if !json && dst != Path::new("-") {
        println!(
            "downloaded {label} ({} bytes, encryption: {})",
            meta.content_length,
            encryption_text(meta.encryption.as_ref())
        );
    }
    Ok(json!({
        "source": src.to_string(),
        "destination": dst.display().to_string(),
        "size": meta.content_length,
        "etag": meta.etag,
        "encryption": encryption_json(meta.encryption.as_ref()),
        "request_id": meta.request_id,
    }))
}

fn meta_json(url: &OssUrl, m: &ObjectMeta) -> Value {
    json!({
        "object": url.to_string(),
        "content_length": m.content_length,
        "content_type": m.content_type,
        "etag": m.etag,
        "last_modified": m.last_modified,
        "crc64": m.crc64.map(|c| c.to_string()),
        "encryption": encryption_json(m.encryption.as_ref()),
        "user_metadata": m.user_metadata.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect::<serde_json::Map<String, Value>>(),
        "headers": m.headers.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect::<serde_json::Map<String, Value>>(),
        "request_id": m.request_id,
    })
}

fn stat(common: &Common, target: &str) -> VerbResult {
    let u = OssUrl::parse(target).map_err(Failure::Usage)?;
    let c = client(common)?;
    if u.key.is_empty() {
        let info = c.get_bucket_info(&u.bucket)?;
        let doc = json!({
            "bucket": info.name,
            "location": info.location,
            "creation_date": info.creation_date,
            "extranet_endpoint": info.extranet_endpoint,
            "storage_class": info.storage_class,
            "sse_algorithm": info.encryption.as_ref().map(|r| r.algorithm().as_str()),
            "kms_master_key_id": info.encryption.as_ref().and_then(|r| r.kms_master_key_id()),
        });
        print(common.json, doc, || {
            let mut lines = vec![
                format!("{:<20}: {}", "Name", info.name),
                format!("{:<20}: {}", "Location", info.location),
                format!("{:<20}: {}", "CreationDate", info.creation_date),
                format!("{:<20}: {}", "StorageClass", info.storage_class),
                format!(
                    "{:<20}: {}",
                    "SSEAlgorithm",
                    info.encryption
                        .as_ref()
                        .map_or("None", |r| r.algorithm().as_str())
                ),
            ];
            if let Some(k) = info.encryption.as_ref().and_then(|r| r.kms_master_key_id()) {
                lines.push(format!("{:<20}: {k}", "KMSMasterKeyID"));
            }
            if let Some(d) = info
                .encryption
                .as_ref()
                .and_then(|r| r.kms_data_encryption())
            {
                lines.push(format!("{:<20}: {}", "KMSDataEncryption", d.as_str()));
            }
            lines.join("\n")
        });
        return Ok(());
    }
    let m = c.head_object(&u.bucket, &u.key)?;
    print(common.json, meta_json(&u, &m), || {
        let mut headers = m.headers.clone();
        headers.sort();
        headers
            .iter()
            .map(|(k, v)| format!("{k:<40}: {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

fn rm(common: &Common, target: &str, recursive: bool) -> VerbResult {
    let u = OssUrl::parse(target).map_err(Failure::Usage)?;
    let c = client(common)?;
    let keys = if recursive {
        list_keys(&c, &u)?
    } else {
        if u.key.is_empty() {
            return Err(Failure::Usage("rm: name an object (oss://bucket/key), or pass -r for a prefix; use rb for buckets".into()));
        }
        vec![u.key.clone()]
    };
    let mut removed = Vec::new();
    for key in keys {
        c.delete_object(&u.bucket, &key)?;
        if !common.json {
            println!("removed oss://{}/{key}", u.bucket);
        }
        removed.push(format!("oss://{}/{key}", u.bucket));
    }
    print(common.json, json!({"removed": removed}), String::new);
    Ok(())
}
