//! Access keys: the id, the secret (zeroized on drop, never printed) and the optional STS security token.

use std::fmt;

use zeroize::Zeroizing;

/// An access key secret. Zeroized when dropped; `Debug` prints `Secret(<redacted>)`.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(secret.into()))
    }

    /// The secret text, for the signing code (and anything that must persist it on purpose).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Constant-time equality, for servers comparing stored secrets or tokens.
    pub fn ct_eq(&self, other: &Secret) -> bool {
        constant_time_eq(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret::new(s)
    }
}

/// Compares two byte strings in time independent of where they differ (lengths are not secret).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    // Accumulate every difference so the loop's duration does not depend on the first mismatch;
    // black_box keeps the optimizer from turning this back into an early-exit comparison.
    let diff = a
        .iter()
        .zip(b)
        .fold(0u8, |acc, (x, y)| std::hint::black_box(acc | (x ^ y)));
    diff == 0
}

/// A credential: access key id, secret, and an STS security token when the key is temporary.
#[derive(Clone)]
pub struct Credentials {
    /// The access key id (public).
    pub access_key_id: String,
    /// The access key secret.
    pub secret: Secret,
    /// The STS security token, sent as `x-oss-security-token` (V4) / `security-token` (V1 presign).
    /// Not secret in the cryptographic sense, but redacted in `Debug` too since it grants access.
    pub security_token: Option<String>,
}

impl Credentials {
    /// A long-term key.
    pub fn new(access_key_id: impl Into<String>, secret: impl Into<Secret>) -> Credentials {
        Credentials {
            access_key_id: access_key_id.into(),
            secret: secret.into(),
            security_token: None,
        }
    }

    /// Adds an STS security token (an empty token means none).
    pub fn with_security_token(mut self, token: impl Into<String>) -> Credentials {
        let token = token.into();
        self.security_token = if token.is_empty() { None } else { Some(token) };
        self
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &self.secret)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secret_or_token() {
        let c = Credentials::new("AKID", "very-secret-value").with_security_token("tok-123");
        let s = format!("{c:?}");
        assert!(s.contains("AKID"));
        assert!(!s.contains("very-secret-value"));
        assert!(!s.contains("tok-123"));
        assert_eq!(c.secret.expose(), "very-secret-value");
    }

    #[test]
    fn constant_time_comparison() {
        assert!(Secret::new("abc").ct_eq(&Secret::new("abc")));
        assert!(!Secret::new("abc").ct_eq(&Secret::new("abd")));
        assert!(!Secret::new("abc").ct_eq(&Secret::new("abcd")));
        assert!(Credentials::new("a", "b")
            .with_security_token("")
            .security_token
            .is_none());
    }
}
