//! The environment provider, in its own test binary because it changes the process environment: it reads
//! `OSS_ACCESS_KEY_ID` / `OSS_ACCESS_KEY_SECRET` / `OSS_SESSION_TOKEN` afresh on every call.

use oss_sse_client::{CredentialsError, CredentialsProvider, EnvProvider};

#[test]
fn reads_the_three_variables_on_every_call() {
    let p = EnvProvider::new();
    std::env::remove_var("OSS_ACCESS_KEY_ID");
    std::env::remove_var("OSS_ACCESS_KEY_SECRET");
    std::env::remove_var("OSS_SESSION_TOKEN");
    assert_eq!(
        p.credentials().unwrap_err(),
        CredentialsError::MissingEnv("OSS_ACCESS_KEY_ID")
    );
    std::env::set_var("OSS_ACCESS_KEY_ID", "AKID1");
    assert_eq!(
        p.credentials().unwrap_err(),
        CredentialsError::MissingEnv("OSS_ACCESS_KEY_SECRET")
    );
    std::env::set_var("OSS_ACCESS_KEY_SECRET", "secret1");
    let c = p.credentials().unwrap();
    assert_eq!(
        (c.access_key_id.as_str(), c.secret.expose()),
        ("AKID1", "secret1")
    );
    assert_eq!(c.security_token, None);
    std::env::set_var("OSS_ACCESS_KEY_ID", "AKID2");
    std::env::set_var("OSS_SESSION_TOKEN", "sts-token");
    let c = p.credentials().unwrap();
    assert_eq!(c.access_key_id, "AKID2");
    assert_eq!(c.security_token.as_deref(), Some("sts-token"));
    // An empty variable counts as unset.
    std::env::set_var("OSS_ACCESS_KEY_SECRET", "");
    assert!(p.credentials().is_err());
}
