//! `oss://bucket/key` names, as ossutil writes them, and the local-or-remote choice `cp` makes from them.

use std::fmt;

/// A parsed `oss://bucket[/key]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssUrl {
    /// The bucket.
    pub bucket: String,
    /// The key or prefix; empty for the bucket itself.
    pub key: String,
}

impl OssUrl {
    /// Parses `oss://bucket`, `oss://bucket/`, `oss://bucket/key`.
    pub fn parse(s: &str) -> Result<OssUrl, String> {
        let rest = s
            .strip_prefix("oss://")
            .ok_or_else(|| format!("{s:?} is not an oss:// URL (expected oss://bucket/key)"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!("{s:?} names no bucket"));
        }
        Ok(OssUrl {
            bucket: bucket.to_string(),
            key: key.to_string(),
        })
    }

    /// Whether the string looks like an `oss://` name rather than a local path.
    pub fn is_oss(s: &str) -> bool {
        s.starts_with("oss://")
    }

    /// This URL with `tail` appended to the key.
    pub fn join(&self, tail: &str) -> OssUrl {
        OssUrl {
            bucket: self.bucket.clone(),
            key: format!("{}{}", self.key, tail),
        }
    }
}

impl fmt::Display for OssUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oss://{}/{}", self.bucket, self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bucket_and_key() {
        assert_eq!(
            OssUrl::parse("oss://b").unwrap(),
            OssUrl {
                bucket: "b".into(),
                key: "".into()
            }
        );
        assert_eq!(
            OssUrl::parse("oss://b/").unwrap(),
            OssUrl {
                bucket: "b".into(),
                key: "".into()
            }
        );
        assert_eq!(
            OssUrl::parse("oss://b/a/c d").unwrap(),
            OssUrl {
                bucket: "b".into(),
                key: "a/c d".into()
            }
        );
        assert!(OssUrl::parse("s3://b/k").is_err());
        assert!(OssUrl::parse("oss:///k").is_err());
        assert_eq!(
            OssUrl::parse("oss://b/k").unwrap().join("/x").to_string(),
            "oss://b/k/x"
        );
    }
}
