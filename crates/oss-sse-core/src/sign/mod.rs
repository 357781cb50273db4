//! Request signing, V1 (HMAC-SHA1) and V4 (OSS4-HMAC-SHA256), header and presigned-URL forms.
//!
//! Each version exposes its stages as separate pure functions (canonical request, string to sign,
//! signature) so tests and the verifier can check them one at a time; the `sign_*` / `presign` functions
//! compose them and write the result into a [`crate::Request`].

pub mod v1;
pub mod v4;

use std::borrow::Cow;
use std::fmt;

/// Which signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignatureVersion {
    /// `OSS` / HMAC-SHA1.
    V1,
    /// `OSS4-HMAC-SHA256` (the default).
    #[default]
    V4,
}

impl fmt::Display for SignatureVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureVersion::V1 => "v1",
            SignatureVersion::V4 => "v4",
        })
    }
}

/// Whether `name` starts with `prefix`, ignoring ASCII case.
pub(crate) fn starts_with_ignore_case(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len()
        && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// A request that cannot be signed as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// V4 needs a region (an IP or custom endpoint has none unless one is given).
    #[error("V4 signing needs a region")]
    MissingRegion,
    /// V4 presigned URLs last at most 7 days (604800 seconds).
    #[error("presign expiry of {0} seconds exceeds 604800")]
    ExpiresTooLong(u64),
    /// A cached signing key was derived for another day, region or product.
    #[error("the V4 signing key was derived for another day, region or product")]
    SigningKeyScopeMismatch,
}

/// Lower-cased, sorted `name:value\n` lines for the headers `keep` selects (`keep` sees the trimmed
/// name in its received case and must compare case-insensitively); values trimmed, repeated names
/// joined with `,` in received order. Shared by V1 and V4 and by signer and verifier.
pub(crate) fn canonical_header_lines(
    out: &mut String,
    headers: &[(String, String)],
    mut keep: impl FnMut(&str) -> bool,
) {
    // Only selected names that are not lower-case already get a lower-cased copy.
    let mut selected: Vec<(Cow<'_, str>, &str)> = headers
        .iter()
        .filter_map(|(n, v)| {
            let n = n.trim();
            keep(n).then(|| {
                let lower = if n.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(n.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(n)
                };
                (lower, v.trim())
            })
        })
        .collect();
    // Stable sort keeps received order among repeated names.
    selected.sort_by(|a, b| a.0.cmp(&b.0));
    let mut i = 0;
    while i < selected.len() {
        let name = &selected[i].0;
        out.push_str(name);
        out.push(':');
        out.push_str(selected[i].1);
        let mut j = i + 1;
        while j < selected.len() && selected[j].0 == *name {
            out.push(',');
            out.push_str(selected[j].1);
            j += 1;
        }
        out.push('\n');
        i = j;
    }
}
