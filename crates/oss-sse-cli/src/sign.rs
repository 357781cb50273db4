//! `oss-sse sign`: computes the V1 or V4 signature of a request exactly as oss-sse-core signs it, the
//! tool to reach for on `SignatureDoesNotMatch`.
//!
//! Output contract (scripts and the Python cross-check rely on it): in header mode the request line and
//! the headers to send come first and the `Authorization` value is the LAST line of stdout; in presign
//! mode stdout is the full presigned URL (the last line). `--verbose` prints the canonical request and
//! the string to sign on stderr. Any error exits with status 2 and one line on stderr.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use oss_sse_core::endpoint::Endpoint;
use oss_sse_core::ops::{validate_bucket_name, validate_object_key};
use oss_sse_core::sign::{v1, v4};
use oss_sse_core::{Credentials, Method, Timestamp};

/// Arguments of `oss-sse sign`. Values are checked by `run` (not by clap) so that every mistake is
/// reported as one line.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Signature version: 1 (HMAC-SHA1) or 4 (OSS4-HMAC-SHA256).
    #[arg(long, value_name = "1|4", default_value = "4")]
    signature_version: String,
    /// The HTTP method (GET, PUT, POST, DELETE, HEAD, OPTIONS).
    #[arg(long, value_name = "VERB")]
    method: Option<String>,
    /// Endpoint URL or bare host (default: `https://oss-<region>.aliyuncs.com`, else oss-cn-hangzhou).
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// The bucket.
    #[arg(long, value_name = "NAME")]
    bucket: Option<String>,
    /// The object key (not URL-encoded).
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
    /// A request header, `Name: value` (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// A query parameter, `k=v` or a bare `k` (repeatable; not URL-encoded).
    #[arg(long = "query", value_name = "K[=V]")]
    query: Vec<String>,
    /// An extra header to sign in V4 (repeatable).
    #[arg(long = "additional-header", value_name = "NAME")]
    additional_headers: Vec<String>,
    /// The V4 signing region (default: derived from the endpoint).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// The V4 product.
    #[arg(long, value_name = "PRODUCT", default_value = "oss")]
    product: String,
    /// Signing time in unix seconds (default: now). V1: the Date header unless one is given; V4: x-oss-date.
    #[arg(long, value_name = "UNIX_SECONDS", allow_hyphen_values = true)]
    time: Option<String>,
    /// STS security token (default: $OSS_SESSION_TOKEN).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "OSS_SESSION_TOKEN",
        hide_env_values = true
    )]
    security_token: Option<String>,
    /// Print a presigned URL instead of an Authorization header.
    #[arg(long)]
    presign: bool,
    /// Presigned URL lifetime in seconds (V1: Expires = time + this; V4: x-oss-expires).
    #[arg(long, value_name = "SECONDS", allow_hyphen_values = true)]
    expires: Option<String>,
    /// Print the canonical request and string to sign on stderr.
    #[arg(long)]
    verbose: bool,
}

/// Runs `oss-sse sign`.
pub fn run(args: Args) -> ExitCode {
    match sign(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // One line, whatever the cause.
            eprintln!("oss-sse sign: error: {}", message.replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

fn env_credential(name: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(v),
        Ok(_) | Err(std::env::VarError::NotPresent) => Err(format!("{name} is not set")),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("{name} is not valid UTF-8")),
    }
}

fn parse_u64(flag: &str, v: &str) -> Result<u64, String> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{flag} must be a non-negative integer, got {v:?}"));
    }
    v.parse()
        .map_err(|_| format!("{flag} is out of range: {v:?}"))
}

fn sign(args: Args) -> Result<(), String> {
    let version = match args.signature_version.as_str() {
        "1" | "v1" | "V1" => 1,
        "4" | "v4" | "V4" => 4,
        other => return Err(format!("--signature-version must be 1 or 4, got {other:?}")),
    };
    let method_text = args.method.ok_or("--method is required")?;
    let method =
        Method::parse(&method_text).ok_or_else(|| format!("unsupported method {method_text:?}"))?;
    let bucket = args.bucket.ok_or("--bucket is required")?;
    validate_bucket_name(&bucket).map_err(|e| e.to_string())?;
    if let Some(k) = &args.key {
        validate_object_key(k).map_err(|e| e.to_string())?;
    }
    let expires = match (&args.expires, args.presign) {
        (Some(e), true) => Some(parse_u64("--expires", e)?),
        (None, true) => return Err("--presign needs --expires SECONDS".into()),
        (Some(_), false) => return Err("--expires is only meaningful with --presign".into()),
        (None, false) => None,
    };
    let time = match &args.time {
        Some(t) => {
            let secs = parse_u64("--time", t)?;
            let secs = i64::try_from(secs).map_err(|_| "--time is out of range".to_string())?;
            if secs > Timestamp::MAX.unix() {
                return Err("--time is out of range".into());
            }
            Timestamp::from_unix(secs)
        }
        None => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_err(|_| "the system clock is before 1970".to_string())?;
            Timestamp::from_unix(i64::try_from(now.as_secs()).unwrap_or(i64::MAX))
        }
    };

    let endpoint_text = match (&args.endpoint, &args.region) {
        (Some(e), _) => e.clone(),
        (None, Some(r)) if !r.is_empty() => format!("https://oss-{r}.aliyuncs.com"),
        (None, _) => "https://oss-cn-hangzhou.aliyuncs.com".to_owned(),
    };
    let mut endpoint = Endpoint::parse(&endpoint_text).map_err(|e| e.to_string())?;
    if let Some(r) = &args.region {
        endpoint = endpoint.with_region(r.clone());
    }

    let access_key_id = env_credential("OSS_ACCESS_KEY_ID")?;
    let secret = env_credential("OSS_ACCESS_KEY_SECRET")?;
    let mut creds = Credentials::new(access_key_id, secret);
    if let Some(t) = &args.security_token {
        creds = creds.with_security_token(t.clone());
    }

    let mut req = endpoint.request(method, Some(&bucket), args.key.as_deref());
    for h in &args.headers {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| format!("--header must be 'Name: value', got {h:?}"))?;
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!("invalid header name in {h:?}"));
        }
        req.headers.append(name, value.trim());
    }
    for q in &args.query {
        match q.split_once('=') {
            Some((k, v)) => req.push_query(k, Some(v.to_owned())),
            None => req.push_query(q.as_str(), None),
        }
    }

    let mut stderr_report = String::new();
    match version {
        1 => {
            if let Some(exp) = expires {
                let expires_at = i64::try_from(exp)
                    .ok()
                    .and_then(|e| time.unix().checked_add(e))
                    .filter(|e| *e <= Timestamp::MAX.unix())
                    .ok_or("--expires is out of range")?;
                let out = v1::presign(&mut req, &creds, Timestamp::from_unix(expires_at));
                stderr_report.push_str(&format!("String to sign:\n{}\n", out.string_to_sign));
                report(args.verbose, &stderr_report);
                println!("{}", req.url());
            } else {
                let out = v1::sign_request(&mut req, &creds, time);
                stderr_report.push_str(&format!("String to sign:\n{}\n", out.string_to_sign));
                report(args.verbose, &stderr_report);
                print_header_mode(&req);
            }
        }
        _ => {
            let region = endpoint
                .region()
                .ok_or("V4 signing needs a region: pass --region (the endpoint names none)")?
                .to_owned();
            let params = v4::V4Params {
                region,
                product: args.product.clone(),
                additional_headers: args.additional_headers.clone(),
            };
            if params.product.is_empty() {
                return Err("--product must not be empty".into());
            }
            let out = match expires {
                Some(exp) => v4::presign(&mut req, &creds, time, exp, &params),
                None => v4::sign_request(&mut req, &creds, time, &params),
            }
            .map_err(|e| e.to_string())?;
            stderr_report.push_str(&format!(
                "Canonical request:\n{}\n\nString to sign:\n{}\n",
                out.canonical_request, out.string_to_sign
            ));
            report(args.verbose, &stderr_report);
            if expires.is_some() {
                println!("{}", req.url());
            } else {
                print_header_mode(&req);
            }
        }
    }
    Ok(())
}

fn report(verbose: bool, text: &str) {
    if verbose {
        eprint!("{text}");
    }
}

/// The request line and the other headers to send, then the Authorization value alone on the last line.
fn print_header_mode(req: &oss_sse_core::Request) {
    println!("{} {}", req.method, req.url());
    let mut authorization = String::new();
    for (name, value) in req.headers.iter() {
        if name.eq_ignore_ascii_case("authorization") {
            authorization = value.to_owned();
        } else {
            println!("{name}: {value}");
        }
    }
    println!("{authorization}");
}
