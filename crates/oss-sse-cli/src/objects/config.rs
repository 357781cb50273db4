//! Where a verb finds its endpoint and credentials: flags first, then the environment, then the config
//! file `~/.oss-sse.toml`.
//!
//! # The config file
//!
//! `~/.oss-sse.toml` (or the file named by `--config` or `OSS_SSE_CONFIG`) is a flat TOML table; every
//! key is optional and a flag or environment variable of the same meaning wins over it:
//!
//! ```toml
//! # Where requests go: a real OSS endpoint or the emulator.
//! endpoint = "http://127.0.0.1:9000"        # OSS_ENDPOINT, --endpoint
//! access_key_id = "LTAI..."                 # OSS_ACCESS_KEY_ID
//! access_key_secret = "..."                 # OSS_ACCESS_KEY_SECRET
//! security_token = "..."                    # OSS_SESSION_TOKEN (STS)
//! region = "cn-hangzhou"                    # OSS_REGION, --region (V4 signing region; derived from an
//!                                           # oss-<region>.aliyuncs.com endpoint if absent, and
//!                                           # cn-hangzhou, the emulator's, for an IP/localhost one)
//! signature_version = 4                     # --signature-version (1 or 4)
//! path_style = false                        # --path-style
//! cname = false                             # --cname
//! ca_file = "/etc/ssl/my-ca.pem"            # --ca-file
//! ```
//!
//! Keep the file private (`chmod 600`): it holds a secret.

use std::path::{Path, PathBuf};

use oss_sse_client::{Credentials, SignatureVersion};
use serde::Deserialize;

/// The contents of the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Endpoint URL.
    pub endpoint: Option<String>,
    /// Access key id.
    pub access_key_id: Option<String>,
    /// Access key secret.
    pub access_key_secret: Option<String>,
    /// STS token.
    pub security_token: Option<String>,
    /// V4 region.
    pub region: Option<String>,
    /// 1 or 4.
    pub signature_version: Option<u8>,
    /// Path-style addressing.
    pub path_style: Option<bool>,
    /// The endpoint is a CNAME bound to the bucket.
    pub cname: Option<bool>,
    /// Trust roots.
    pub ca_file: Option<PathBuf>,
}

/// Everything needed to build a client, resolved from flags, environment and file.
#[derive(Debug)]
pub struct Resolved {
    /// Endpoint URL.
    pub endpoint: String,
    /// Credentials.
    pub credentials: Credentials,
    /// Region, if known.
    pub region: Option<String>,
    /// Signature version.
    pub signature_version: SignatureVersion,
    /// Path-style addressing.
    pub path_style: bool,
    /// CNAME endpoint.
    pub cname: bool,
    /// Trust roots.
    pub ca_file: Option<PathBuf>,
}

/// What the flags said.
#[derive(Debug, Default)]
pub struct Overrides {
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub signature_version: Option<u8>,
    pub path_style: bool,
    pub cname: bool,
    pub ca_file: Option<PathBuf>,
    pub config: Option<PathBuf>,
}

fn default_config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("OSS_SSE_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| Path::new(&h).join(".oss-sse.toml"))
}

/// Reads a config file; a missing default file is an empty config, a missing explicit one an error.
pub fn load_file(explicit: Option<&Path>) -> Result<ConfigFile, String> {
    let (path, required) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => match default_config_path() {
            Some(p) => (p, false),
            None => return Ok(ConfigFile::default()),
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            toml::from_str(&text).map_err(|e| format!("config file {}: {e}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            Ok(ConfigFile::default())
        }
        Err(e) => Err(format!("config file {}: {e}", path.display())),
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Resolves the settings; the error is a usage error (exit code 2).
pub fn resolve(flags: &Overrides) -> Result<Resolved, String> {
    let file = load_file(flags.config.as_deref())?;
    let endpoint = flags
        .endpoint
        .clone()
        .or_else(|| env("OSS_ENDPOINT"))
        .or(file.endpoint)
        .ok_or(
            "no endpoint: pass --endpoint, set OSS_ENDPOINT, or write endpoint in ~/.oss-sse.toml",
        )?;
    // The three credential variables go together: a key id from the environment is never paired with a
    // secret from the file.
    let credentials = match (env("OSS_ACCESS_KEY_ID"), env("OSS_ACCESS_KEY_SECRET")) {
        (Some(id), Some(secret)) => {
            Credentials::new(id, secret).with_security_token(env("OSS_SESSION_TOKEN").unwrap_or_default())
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err("OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET must be set together".into())
        }
        (None, None) => match (file.access_key_id, file.access_key_secret) {
            (Some(id), Some(secret)) => {
                Credentials::new(id, secret).with_security_token(file.security_token.unwrap_or_default())
            }
            _ => {
                return Err(
                    "no credentials: set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET, or write them in ~/.oss-sse.toml"
                        .into(),
                )
            }
        },
    };
    let signature_version = match flags
        .signature_version
        .or(file.signature_version)
        .unwrap_or(4)
    {
        1 => SignatureVersion::V1,
        4 => SignatureVersion::V4,
        other => return Err(format!("signature version {other}: expected 1 or 4")),
    };
    let region = flags
        .region
        .clone()
        .or_else(|| env("OSS_REGION"))
        .or(file.region)
        .or_else(|| emulator_region(&endpoint));
    Ok(Resolved {
        endpoint,
        credentials,
        region,
        signature_version,
        path_style: flags.path_style || file.path_style.unwrap_or(false),
        cname: flags.cname || file.cname.unwrap_or(false),
        ca_file: flags.ca_file.clone().or(file.ca_file),
    })
}

/// The region the emulator signs in by default (`oss-sse serve --region`).
pub const EMULATOR_DEFAULT_REGION: &str = "cn-hangzhou";

/// An IP or `localhost` endpoint names no region (real OSS endpoints do: `oss-<region>.aliyuncs.com`), and
/// such an endpoint is almost always the local emulator; V4 needs a region, so use the emulator's default
/// rather than refuse every verb. A region given by flag, environment or file always wins.
fn emulator_region(endpoint: &str) -> Option<String> {
    let parsed = oss_sse_core::endpoint::Endpoint::parse(endpoint).ok()?;
    oss_sse_core::endpoint::is_ip_or_localhost(parsed.host())
        .then(|| EMULATOR_DEFAULT_REGION.to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_ip_endpoint_signs_in_the_emulator_region_and_a_named_one_in_none() {
        assert_eq!(
            super::emulator_region("http://127.0.0.1:9000").as_deref(),
            Some(super::EMULATOR_DEFAULT_REGION)
        );
        assert_eq!(
            super::emulator_region("http://localhost:9000").as_deref(),
            Some(super::EMULATOR_DEFAULT_REGION)
        );
        assert_eq!(super::emulator_region("https://oss.example.com"), None);
    }

    use super::*;

    #[test]
    fn config_file_parses_every_documented_key() {
        let text = r#"
endpoint = "http://127.0.0.1:9000"
access_key_id = "id"
access_key_secret = "secret"
security_token = "tok"
region = "cn-hangzhou"
signature_version = 1
path_style = true
cname = false
ca_file = "/tmp/ca.pem"
"#;
        let c: ConfigFile = toml::from_str(text).unwrap();
        assert_eq!(c.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(c.signature_version, Some(1));
        assert_eq!(c.path_style, Some(true));
        assert!(toml::from_str::<ConfigFile>("bogus = 1").is_err());
    }
}
