//! Where the client gets its access keys: a fixed pair, the environment, or any refreshing source (STS)
//! behind the [`CredentialsProvider`] trait, asked again before every request so rotated keys are used
//! as soon as the provider hands them out.

use std::sync::Arc;

pub use oss_sse_core::credentials::{Credentials, Secret};

/// The environment variable holding the access key id (the one the official SDKs read).
pub const ENV_ACCESS_KEY_ID: &str = "OSS_ACCESS_KEY_ID";
/// The environment variable holding the access key secret.
pub const ENV_ACCESS_KEY_SECRET: &str = "OSS_ACCESS_KEY_SECRET";
/// The environment variable holding an optional STS security token.
pub const ENV_SESSION_TOKEN: &str = "OSS_SESSION_TOKEN";

/// Why a provider could not produce credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// A required environment variable is unset, empty or not UTF-8.
    #[error("environment variable {0} is not set")]
    MissingEnv(&'static str),
    /// A custom provider failed (for example an STS call); the text says why.
    #[error("credentials provider failed: {0}")]
    Provider(String),
}

/// A source of credentials, consulted before every request.
///
/// Implement it for anything that refreshes keys (an STS client, a file watcher); return the cached
/// credentials quickly when they are still valid, since this sits on every request's path.
pub trait CredentialsProvider: Send + Sync {
    /// The credentials to sign the next request with.
    fn credentials(&self) -> Result<Credentials, CredentialsError>;
}

impl<P: CredentialsProvider + ?Sized> CredentialsProvider for Arc<P> {
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        (**self).credentials()
    }
}

/// A provider that always returns the same credentials.
#[derive(Debug, Clone)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    /// Wraps fixed credentials.
    pub fn new(credentials: Credentials) -> Self {
        StaticProvider { credentials }
    }
}

impl CredentialsProvider for StaticProvider {
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.credentials.clone())
    }
}

/// A provider reading `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and `OSS_SESSION_TOKEN` on every call,
/// so a process that updates its environment is picked up without a new client.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvProvider;

impl EnvProvider {
    /// The environment provider.
    pub fn new() -> Self {
        EnvProvider
    }
}

fn env_nonempty(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl CredentialsProvider for EnvProvider {
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let id = env_nonempty(ENV_ACCESS_KEY_ID)
            .ok_or(CredentialsError::MissingEnv(ENV_ACCESS_KEY_ID))?;
        let secret = env_nonempty(ENV_ACCESS_KEY_SECRET)
            .ok_or(CredentialsError::MissingEnv(ENV_ACCESS_KEY_SECRET))?;
        let credentials = Credentials::new(id, secret);
        Ok(match env_nonempty(ENV_SESSION_TOKEN) {
            Some(token) => credentials.with_security_token(token),
            None => credentials,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_provider_returns_its_credentials() {
        let p = StaticProvider::new(Credentials::new("id", "secret").with_security_token("tok"));
        let c = p.credentials().unwrap();
        assert_eq!(c.access_key_id, "id");
        assert_eq!(c.secret.expose(), "secret");
        assert_eq!(c.security_token.as_deref(), Some("tok"));
    }
}
