//! Who may call the emulator: the root account and the RAM users of `--users FILE`, with their access
//! keys, STS credentials and policies.
//!
//! The file is JSON:
//! ```json
//! {
//!   "account_id": "1234567890123456",
//!   "users": [
//!     {
//!       "name": "reader",
//!       "access_key_id": "LTAI5tReaderKeyId",
//!       "access_key_secret": "reader-secret",
//!       "policies": [
//!         {"Version": "1", "Statement": [
//!           {"Effect": "Allow", "Action": ["oss:GetObject", "oss:ListObjects"],
//!            "Resource": ["acs:oss:*:*:examplebucket", "acs:oss:*:*:examplebucket/*"]},
//!           {"Effect": "Deny", "Action": "oss:*", "Resource": "acs:oss:*:*:examplebucket/secret/*"}
//!         ]}
//!       ],
//!       "sts": [
//!         {"access_key_id": "STS.reader1", "access_key_secret": "sts-secret",
//!          "security_token": "token-value", "expiration": "2030-01-01T00:00:00Z"}
//!       ]
//!     }
//!   ]
//! }
//! ```
//! `account_id` is optional (default `1000000000000000`); a user's own `access_key_id`/`access_key_secret`
//! pair is optional (a user may have only STS credentials); each STS credential acts with its user's
//! policies and must be presented with its `security_token`; after `expiration` (RFC 3339, UTC `Z`) it is
//! refused. The root account (`OSS_ACCESS_KEY_ID`/`OSS_ACCESS_KEY_SECRET` or the generated pair) may do
//! anything.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use oss_sse_core::credentials::Credentials;
use oss_sse_core::time::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use crate::policy::Policy;

/// The account id used in resource names when the file gives none.
pub const DEFAULT_ACCOUNT_ID: &str = "1000000000000000";

/// Why the users file was refused.
#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    /// The file could not be read.
    #[error("cannot read users file {path}: {source}")]
    Read {
        /// Its path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("invalid users file: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    account_id: Option<String>,
    #[serde(default)]
    users: Vec<RawUser>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    name: String,
    #[serde(default)]
    access_key_id: Option<String>,
    #[serde(default)]
    access_key_secret: Option<String>,
    #[serde(default)]
    policies: Vec<Value>,
    #[serde(default)]
    sts: Vec<RawSts>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSts {
    access_key_id: String,
    access_key_secret: String,
    security_token: String,
    expiration: String,
}

/// Who a verified access key belongs to.
#[derive(Debug, Clone)]
pub enum Principal {
    /// The root account: everything is allowed.
    Root,
    /// A RAM user (directly or through an STS credential).
    User {
        /// The user's name.
        name: String,
        /// The user's policies.
        policies: Arc<Vec<Policy>>,
    },
}

#[derive(Clone)]
struct KeyEntry {
    credentials: Credentials,
    principal: Principal,
    expires: Option<Timestamp>,
}

/// Every known access key.
#[derive(Clone)]
pub struct Directory {
    account_id: String,
    keys: HashMap<String, KeyEntry>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("account_id", &self.account_id)
            .field("keys", &self.keys.len())
            .finish()
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` (fractional seconds allowed and ignored).
pub fn parse_rfc3339_utc(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let rest = s.get(19..)?;
    let rest = match rest.strip_prefix('.') {
        Some(frac) => frac.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => rest,
    };
    if rest != "Z" {
        return None;
    }
    let basic = format!(
        "{}{}{}T{}{}{}Z",
        s.get(0..4)?,
        s.get(5..7)?,
        s.get(8..10)?,
        s.get(11..13)?,
        s.get(14..16)?,
        s.get(17..19)?
    );
    Timestamp::parse_iso8601_basic(&basic).ok()
}

impl Directory {
    /// A directory with only the root account.
    pub fn root_only(root: Credentials) -> Directory {
        let mut keys = HashMap::new();
        keys.insert(
            root.access_key_id.clone(),
            KeyEntry {
                credentials: root,
                principal: Principal::Root,
                expires: None,
            },
        );
        Directory {
            account_id: DEFAULT_ACCOUNT_ID.to_owned(),
            keys,
        }
    }

    /// The root account plus the users of a users file's text.
    pub fn from_json(root: Credentials, text: &str) -> Result<Directory, UsersError> {
        let raw: RawFile =
            serde_json::from_str(text).map_err(|e| UsersError::Invalid(e.to_string()))?;
        let mut dir = Directory::root_only(root);
        if let Some(id) = raw.account_id {
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(UsersError::Invalid(
                    "account_id must be non-empty and alphanumeric".into(),
                ));
            }
            dir.account_id = id;
        }
        for user in raw.users {
            let policies = user
                .policies
                .iter()
                .map(Policy::from_json)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| UsersError::Invalid(format!("user {:?}: {e}", user.name)))?;
            let principal = Principal::User {
                name: user.name.clone(),
                policies: Arc::new(policies),
            };
            match (user.access_key_id, user.access_key_secret) {
                (Some(id), Some(secret)) => {
                    dir.insert(Credentials::new(id, secret), principal.clone(), None)?
                }
                (None, None) => {}
                _ => {
                    return Err(UsersError::Invalid(format!(
                        "user {:?}: access_key_id and access_key_secret go together",
                        user.name
                    )))
                }
            }
            for sts in user.sts {
                let expires = parse_rfc3339_utc(&sts.expiration).ok_or_else(|| {
                    UsersError::Invalid(format!(
                        "user {:?}: expiration {:?} is not RFC 3339 UTC",
                        user.name, sts.expiration
                    ))
                })?;
                if sts.security_token.is_empty() {
                    return Err(UsersError::Invalid(format!(
                        "user {:?}: empty security_token",
                        user.name
                    )));
                }
                dir.insert(
                    Credentials::new(sts.access_key_id, sts.access_key_secret)
                        .with_security_token(sts.security_token),
                    principal.clone(),
                    Some(expires),
                )?;
            }
        }
        Ok(dir)
    }

    /// The root account plus the users of the file at `path`.
    pub fn from_file(root: Credentials, path: &Path) -> Result<Directory, UsersError> {
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|source| {
            UsersError::Read {
                path: path.display().to_string(),
                source,
            }
        })?);
        Directory::from_json(root, &text)
    }

    fn insert(
        &mut self,
        credentials: Credentials,
        principal: Principal,
        expires: Option<Timestamp>,
    ) -> Result<(), UsersError> {
        if credentials.access_key_id.is_empty() || credentials.secret.expose().is_empty() {
            return Err(UsersError::Invalid("empty access key id or secret".into()));
        }
        let id = credentials.access_key_id.clone();
        if self.keys.contains_key(&id) {
            return Err(UsersError::Invalid(format!(
                "access key id {id:?} appears twice"
            )));
        }
        self.keys.insert(
            id,
            KeyEntry {
                credentials,
                principal,
                expires,
            },
        );
        Ok(())
    }

    /// The account id used in resource names.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The credentials of an access key (for the verifier).
    pub fn credentials(&self, access_key_id: &str) -> Option<Credentials> {
        self.keys.get(access_key_id).map(|e| e.credentials.clone())
    }

    /// The principal of a verified access key, and when its credential expires (STS only).
    pub fn principal(&self, access_key_id: &str) -> Option<(Principal, Option<Timestamp>)> {
        self.keys
            .get(access_key_id)
            .map(|e| (e.principal.clone(), e.expires))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let doc = include_str!("users.rs");
        let start = doc.find("//! {").unwrap();
        let end = doc.find("//! ```\n//! `account_id`").unwrap();
        let json: String = doc[start..end]
            .lines()
            .map(|l| l.trim_start_matches("//!").to_owned() + "\n")
            .collect();
        let dir = Directory::from_json(Credentials::new("root", "rootsecret"), &json).unwrap();
        assert_eq!(dir.account_id(), "1234567890123456");
        assert!(matches!(
            dir.principal("root"),
            Some((Principal::Root, None))
        ));
        assert!(matches!(
            dir.principal("LTAI5tReaderKeyId"),
            Some((Principal::User { .. }, None))
        ));
        let (_, exp) = dir.principal("STS.reader1").unwrap();
        assert_eq!(exp, parse_rfc3339_utc("2030-01-01T00:00:00Z"));
        assert_eq!(
            dir.credentials("STS.reader1")
                .unwrap()
                .security_token
                .as_deref(),
            Some("token-value")
        );
        assert!(dir.credentials("nobody").is_none());
    }

    #[test]
    fn refuses_bad_files() {
        let root = || Credentials::new("root", "s");
        for bad in [
            r#"{"users": [{"name": "a", "access_key_id": "root", "access_key_secret": "x"}]}"#,
            r#"{"users": [{"name": "a", "access_key_id": "k"}]}"#,
            r#"{"users": [{"name": "a", "sts": [{"access_key_id": "s", "access_key_secret": "x", "security_token": "t", "expiration": "tomorrow"}]}]}"#,
            r#"{"userz": []}"#,
            r#"not json"#,
        ] {
            assert!(Directory::from_json(root(), bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_rfc3339_utc("2024-02-29T12:00:00.123Z"),
            Timestamp::parse_iso8601_basic("20240229T120000Z").ok()
        );
    }
}
