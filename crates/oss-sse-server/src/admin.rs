//! The emulator's admin API and its client.
//!
//! A running emulator holds its keystore's lock, so the KMS and the data dir can only be administered
//! through it. The API lives under the reserved path `/-/admin/` (no bucket can take it: bucket names
//! never start with `-`). Every request is signed like any OSS request (V4 or V1, verified by
//! oss-sse-core's verifier as path-style bucket `-`, key `admin/...`), and only the **root account** may
//! call it. Requests are `POST` with a JSON body; answers are JSON, errors
//! `{"Code", "Message", "HttpStatus"}` with that status.
//!
//! - `POST /-/admin/kms/<Action>`: the [`Kms`] operations by their Alibaba KMS action names (CreateKey,
//!   DescribeKey, ListKeys, CreateAlias, ListAliases, ResolveKeyId, GenerateDataKey, Encrypt, Decrypt,
//!   ReEncrypt, EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion, RotateKey,
//!   UpdateRotationPolicy, Usage). Binary values are standard base64.
//! - `POST /-/admin/rotate-master-key`: adds a version to the SSE-OSS service master key.
//! - `POST /-/admin/rewrap` `{"Bucket": "b"}`: [`crate::encryption::rewrap_bucket`].
//!
//! [`RemoteKms`] implements [`Kms`] over this API, so `oss-sse kms --endpoint URL` runs every subcommand
//! against a running emulator exactly as `--keystore DIR` does offline.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use http::{Response, StatusCode};
use hyper::body::Incoming;
use oss_sse_core::{Credentials, Method};
use oss_sse_kms::{
    AliasEntry, Ciphertext, CreateKeyRequest, DataKey, DataKeySpec, DecryptRequest, Decrypted,
    EncryptRequest, EncryptionContext, GenerateDataKeyRequest, KeyMetadata, Kms, KmsError,
    ReEncryptRequest, ReEncrypted, SecretBytes, UsageReport,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::encryption::{self, RewrapReport, MASTER_KEY_ALIAS};
use crate::server::body::{self, Body};
use crate::server::State;
use crate::users::Principal;

/// The path prefix of the admin API.
pub const ADMIN_PREFIX: &str = "/-/admin/";

/// The most JSON an admin request may carry.
const MAX_BODY: usize = 1024 * 1024;

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// An admin API failure: status, code, message.
#[derive(Debug)]
struct AdminError {
    status: StatusCode,
    code: String,
    message: String,
}

impl AdminError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> AdminError {
        AdminError {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    fn bad(message: impl Into<String>) -> AdminError {
        AdminError::new(StatusCode::BAD_REQUEST, "InvalidParameter", message)
    }
}

impl From<KmsError> for AdminError {
    fn from(e: KmsError) -> AdminError {
        AdminError {
            status: StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST),
            code: e.code().to_owned(),
            message: e.to_string(),
        }
    }
}

fn json_response(status: StatusCode, v: &Value) -> Response<Body> {
    let text = serde_json::to_vec_pretty(v).unwrap_or_default();
    let len = text.len();
    let mut r = Response::new(body::full(text));
    *r.status_mut() = status;
    crate::server::service::set_header(&mut r, "content-type", "application/json");
    crate::server::service::set_header(&mut r, "content-length", &len.to_string());
    r
}

fn error_json(e: &AdminError) -> Response<Body> {
    json_response(
        e.status,
        &json!({"Code": e.code, "Message": e.message, "HttpStatus": e.status.as_u16()}),
    )
}

/// Serves one admin request (already known to be under [`ADMIN_PREFIX`]). `principal` is the verified
/// caller; anyone but root is refused.
pub async fn handle(
    state: Arc<State>,
    principal: &Principal,
    method: &http::Method,
    op: &str,
    body: &mut Incoming,
) -> Response<Body> {
    if !matches!(principal, Principal::Root) {
        return error_json(&AdminError::new(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "The admin API is for the root account only.",
        ));
    }
    if method != http::Method::POST {
        return error_json(&AdminError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "Admin calls are POST requests with a JSON body.",
        ));
    }
    let raw = match body::read_small(body, MAX_BODY, state.limits.body_idle_timeout).await {
        Ok(b) => b,
        Err(e) => {
            return error_json(&AdminError::new(
                e.status,
                &e.code,
                "The request body could not be read.",
            ))
        }
    };
    let input: Value = if raw.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(&raw) {
            Ok(v) => v,
            Err(e) => return error_json(&AdminError::bad(format!("the body is not JSON: {e}"))),
        }
    };
    let op = op.to_owned();
    let joined = tokio::task::spawn_blocking(move || run(&state, &op, &input)).await;
    match joined {
        Ok(Ok(v)) => json_response(StatusCode::OK, &v),
        Ok(Err(e)) => error_json(&e),
        Err(_) => error_json(&AdminError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "The admin call failed.",
        )),
    }
}

fn text<'a>(v: &'a Value, name: &str) -> Result<&'a str, AdminError> {
    v.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| AdminError::bad(format!("{name} is required")))
}

fn opt_text<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name).and_then(Value::as_str)
}

fn bytes_of(v: &Value, name: &str) -> Result<Vec<u8>, AdminError> {
    b64()
        .decode(text(v, name)?)
        .map_err(|_| AdminError::bad(format!("{name} is not base64")))
}

fn context_of(v: &Value, name: &str) -> Result<EncryptionContext, AdminError> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(EncryptionContext::new()),
        Some(c) => serde_json::from_value(c.clone())
            .map_err(|_| AdminError::bad(format!("{name} must be an object of strings"))),
    }
}

fn to_value<T: Serialize>(t: &T) -> Result<Value, AdminError> {
    serde_json::to_value(t).map_err(|e| {
        AdminError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            e.to_string(),
        )
    })
}

fn interval(v: &Value) -> Option<Duration> {
    v.get("RotationIntervalSecs")
        .and_then(Value::as_u64)
        .map(Duration::from_secs)
}

fn run(state: &State, op: &str, v: &Value) -> Result<Value, AdminError> {
    let kms = state.kms.as_ref().ok_or_else(|| {
        AdminError::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "This emulator runs without a key service.",
        )
    })?;
    match op {
        "rotate-master-key" => to_value(&kms.rotate_key(MASTER_KEY_ALIAS)?),
        "rewrap" => {
            let bucket = text(v, "Bucket")?;
            let report: RewrapReport =
                encryption::rewrap_bucket(&state.store, kms.as_ref(), bucket).map_err(|e| {
                    let api = crate::error::ApiError::from_store(e, bucket, None);
                    AdminError::new(api.status, &api.code, api.message)
                })?;
            to_value(&report)
        }
        other => match other.strip_prefix("kms/") {
            Some(action) => kms_call(kms.as_ref(), action, v),
            None => Err(AdminError::new(
                StatusCode::NOT_FOUND,
                "NoSuchAdminOperation",
                format!("There is no admin operation {other:?}."),
            )),
        },
    }
}

fn kms_call(kms: &dyn Kms, action: &str, v: &Value) -> Result<Value, AdminError> {
    Ok(match action {
        "CreateKey" => to_value(&kms.create_key(&CreateKeyRequest {
            description: opt_text(v, "Description").unwrap_or("").to_owned(),
            rotation_interval: interval(v),
        })?)?,
        "DescribeKey" => to_value(&kms.describe_key(text(v, "KeyId")?)?)?,
        "ListKeys" => to_value(&kms.list_keys()?)?,
        "CreateAlias" => {
            kms.create_alias(text(v, "AliasName")?, text(v, "KeyId")?)?;
            json!({})
        }
        "ListAliases" => to_value(&kms.list_aliases()?)?,
        "ResolveKeyId" => json!({"KeyId": kms.resolve_key_id(text(v, "KeyId")?)?}),
        "GenerateDataKey" => {
            let key_spec = match opt_text(v, "KeySpec") {
                Some(s) => Some(s.parse::<DataKeySpec>()?),
                None => None,
            };
            let dk = kms.generate_data_key(&GenerateDataKeyRequest {
                key_id: text(v, "KeyId")?.to_owned(),
                key_spec,
                number_of_bytes: v
                    .get("NumberOfBytes")
                    .and_then(Value::as_u64)
                    .map(|n| n as usize),
                encryption_context: context_of(v, "EncryptionContext")?,
            })?;
            json!({
                "KeyId": dk.key_id,
                "KeyVersionId": dk.key_version_id,
                "Plaintext": dk.plaintext.to_base64().as_str(),
                "CiphertextBlob": b64().encode(&dk.ciphertext_blob),
            })
        }
        "Encrypt" => {
            let c = kms.encrypt(&EncryptRequest {
                key_id: text(v, "KeyId")?.to_owned(),
                plaintext: SecretBytes::new(bytes_of(v, "Plaintext")?),
                encryption_context: context_of(v, "EncryptionContext")?,
            })?;
            ciphertext_json(&c)
        }
        "Decrypt" => {
            let d = kms.decrypt(&DecryptRequest {
                ciphertext_blob: bytes_of(v, "CiphertextBlob")?,
                encryption_context: context_of(v, "EncryptionContext")?,
                expected_key_id: opt_text(v, "ExpectedKeyId").map(str::to_owned),
            })?;
            json!({
                "KeyId": d.key_id,
                "KeyVersionId": d.key_version_id,
                "Plaintext": d.plaintext.to_base64().as_str(),
            })
        }
        "ReEncrypt" => {
            let dest_ctx = match v.get("DestinationEncryptionContext") {
                None | Some(Value::Null) => None,
                Some(_) => Some(context_of(v, "DestinationEncryptionContext")?),
            };
            let r = kms.re_encrypt(&ReEncryptRequest {
                ciphertext_blob: bytes_of(v, "CiphertextBlob")?,
                source_encryption_context: context_of(v, "SourceEncryptionContext")?,
                destination_key_id: opt_text(v, "DestinationKeyId").map(str::to_owned),
                destination_encryption_context: dest_ctx,
            })?;
            let mut out = ciphertext_json(&r.ciphertext);
            out["SourceKeyId"] = json!(r.source_key_id);
            out["SourceKeyVersionId"] = json!(r.source_key_version_id);
            out
        }
        "EnableKey" => to_value(&kms.enable_key(text(v, "KeyId")?)?)?,
        "DisableKey" => to_value(&kms.disable_key(text(v, "KeyId")?)?)?,
        "ScheduleKeyDeletion" => {
            let days = v
                .get("PendingWindowInDays")
                .and_then(Value::as_u64)
                .and_then(|d| u32::try_from(d).ok())
                .ok_or_else(|| AdminError::bad("PendingWindowInDays is required"))?;
            to_value(&kms.schedule_key_deletion(text(v, "KeyId")?, days)?)?
        }
        "CancelKeyDeletion" => to_value(&kms.cancel_key_deletion(text(v, "KeyId")?)?)?,
        "RotateKey" => to_value(&kms.rotate_key(text(v, "KeyId")?)?)?,
        "UpdateRotationPolicy" => {
            to_value(&kms.update_rotation_policy(text(v, "KeyId")?, interval(v))?)?
        }
        "Usage" => to_value(&kms.usage()?)?,
        other => {
            return Err(AdminError::new(
                StatusCode::NOT_FOUND,
                "NoSuchAdminOperation",
                format!("There is no KMS action {other:?}."),
            ))
        }
    })
}

fn ciphertext_json(c: &Ciphertext) -> Value {
    json!({
        "KeyId": c.key_id,
        "KeyVersionId": c.key_version_id,
        "CiphertextBlob": b64().encode(&c.ciphertext_blob),
    })
}

/// Why an admin API call from [`AdminClient`] failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminClientError {
    /// The emulator answered with an error.
    #[error("{code}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// Error code (a KMS code such as `Rejected.Disabled` for KMS actions).
        code: String,
        /// Message.
        message: String,
    },
    /// The call could not be made or its answer not read.
    #[error("admin API: {0}")]
    Transport(String),
}

/// A blocking client of a running emulator's admin API, signing as the given (root) credentials.
pub struct AdminClient {
    rt: tokio::runtime::Runtime,
    client: Mutex<crate::client::Client>,
}

impl std::fmt::Debug for AdminClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminClient").finish_non_exhaustive()
    }
}

impl AdminClient {
    /// A client of the emulator at `endpoint` (`http://127.0.0.1:PORT`), signing V4 for `region`.
    /// It runs its own small runtime: call it from synchronous code only.
    pub fn new(
        endpoint: &str,
        credentials: Credentials,
        region: &str,
    ) -> Result<AdminClient, AdminClientError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AdminClientError::Transport(e.to_string()))?;
        let client = crate::client::Client::new(endpoint, credentials, region)
            .map_err(|e| AdminClientError::Transport(e.to_string()))?;
        Ok(AdminClient {
            rt,
            client: Mutex::new(client),
        })
    }

    /// Calls `op` (a path under `/-/admin/`, e.g. `kms/ListKeys` or `rewrap`) with a JSON body.
    pub fn call(&self, op: &str, input: &Value) -> Result<Value, AdminClientError> {
        let mut client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        let mut req =
            client
                .endpoint()
                .request(Method::Post, Some("-"), Some(&format!("admin/{op}")));
        let body =
            serde_json::to_vec(input).map_err(|e| AdminClientError::Transport(e.to_string()))?;
        req.headers.set("content-type", "application/json");
        req.body = oss_sse_core::Body::Bytes(body);
        let reply = self
            .rt
            .block_on(client.send(req))
            .map_err(|e| AdminClientError::Transport(e.to_string()))?;
        let v: Value = match serde_json::from_slice(&reply.body) {
            Ok(v) => v,
            Err(_) => {
                // Refused before the admin API ran (authentication): an OSS XML error document.
                let text = String::from_utf8_lossy(&reply.body);
                let field = |name: &str| {
                    let open = format!("<{name}>");
                    let close = format!("</{name}>");
                    let a = text.find(&open)? + open.len();
                    let b = text[a..].find(&close)? + a;
                    Some(text[a..b].to_owned())
                };
                return Err(match field("Code") {
                    Some(code) => AdminClientError::Api {
                        status: reply.status,
                        code,
                        message: field("Message").unwrap_or_default(),
                    },
                    None => AdminClientError::Transport(format!(
                        "HTTP {}: not a JSON answer: {text}",
                        reply.status
                    )),
                });
            }
        };
        if reply.status == 200 {
            return Ok(v);
        }
        Err(AdminClientError::Api {
            status: reply.status,
            code: v["Code"].as_str().unwrap_or("InternalError").to_owned(),
            message: v["Message"].as_str().unwrap_or("").to_owned(),
        })
    }

    /// Adds a version to the SSE-OSS service master key.
    pub fn rotate_master_key(&self) -> Result<KeyMetadata, AdminClientError> {
        decode(self.call("rotate-master-key", &json!({}))?)
    }

    /// Re-wraps every data key of `bucket` under the newest key versions.
    pub fn rewrap(&self, bucket: &str) -> Result<RewrapReport, AdminClientError> {
        decode(self.call("rewrap", &json!({ "Bucket": bucket }))?)
    }
}

fn decode<T: for<'de> Deserialize<'de>>(v: Value) -> Result<T, AdminClientError> {
    serde_json::from_value(v)
        .map_err(|e| AdminClientError::Transport(format!("unexpected answer: {e}")))
}

/// The [`Kms`] of a running emulator, over its admin API. KMS errors come back as the same
/// [`KmsError`] variants where the code identifies one (not-found, disabled, pending deletion, alias
/// exists, no permission, invalid parameter, context mismatch, tampered ciphertext), else as an
/// `InternalFailure` carrying the remote message.
#[derive(Debug)]
pub struct RemoteKms {
    client: AdminClient,
}

impl RemoteKms {
    /// Wraps an admin client.
    pub fn new(client: AdminClient) -> RemoteKms {
        RemoteKms { client }
    }

    fn call(&self, action: &str, subject: &str, input: Value) -> Result<Value, KmsError> {
        self.client
            .call(&format!("kms/{action}"), &input)
            .map_err(|e| remote_error(e, subject))
    }

    fn call_as<T: for<'de> Deserialize<'de>>(
        &self,
        action: &str,
        subject: &str,
        input: Value,
    ) -> Result<T, KmsError> {
        let v = self.call(action, subject, input)?;
        serde_json::from_value(v).map_err(|e| KmsError::Io {
            context: format!("{action} via the emulator admin API"),
            source: std::io::Error::other(e),
        })
    }
}

fn remote_error(e: AdminClientError, subject: &str) -> KmsError {
    let (code, message) = match e {
        AdminClientError::Api { code, message, .. } => (code, message),
        AdminClientError::Transport(m) => {
            return KmsError::Io {
                context: "the emulator admin API".to_owned(),
                source: std::io::Error::other(m),
            }
        }
    };
    let detail = message
        .split_once(": ")
        .map(|(_, d)| d.to_owned())
        .unwrap_or_else(|| message.clone());
    match code.as_str() {
        "Forbidden.KeyNotFound" => KmsError::KeyNotFound {
            key_id: subject.to_owned(),
        },
        "Forbidden.AliasNotFound" => KmsError::AliasNotFound {
            alias: subject.to_owned(),
        },
        "Forbidden.KeyDeleted" => KmsError::KeyDeleted {
            key_id: subject.to_owned(),
        },
        "Rejected.Disabled" => KmsError::Disabled {
            key_id: subject.to_owned(),
        },
        "Rejected.PendingDeletion" => KmsError::PendingDeletion {
            key_id: subject.to_owned(),
            delete_date: 0,
        },
        "Rejected.AliasExists" => KmsError::AliasExists {
            alias: subject.to_owned(),
        },
        "Forbidden.NoPermission" => KmsError::NoPermission { reason: detail },
        "InvalidParameter" => KmsError::InvalidParameter { reason: detail },
        "InvalidCiphertext.EncryptionContextMismatch" => KmsError::EncryptionContextMismatch,
        "InvalidCiphertext" => KmsError::CiphertextTampered,
        _ => KmsError::Io {
            context: format!("the emulator admin API ({code})"),
            source: std::io::Error::other(message),
        },
    }
}

fn secret(v: &Value, name: &str) -> Result<SecretBytes, KmsError> {
    let s = v[name].as_str().unwrap_or("");
    b64()
        .decode(s)
        .map(SecretBytes::new)
        .map_err(|_| KmsError::InvalidParameter {
            reason: format!("{name} in the answer is not base64"),
        })
}

fn blob(v: &Value, name: &str) -> Result<Vec<u8>, KmsError> {
    b64()
        .decode(v[name].as_str().unwrap_or(""))
        .map_err(|_| KmsError::InvalidParameter {
            reason: format!("{name} in the answer is not base64"),
        })
}

fn string(v: &Value, name: &str) -> String {
    v[name].as_str().unwrap_or("").to_owned()
}

fn ciphertext_of(v: &Value) -> Result<Ciphertext, KmsError> {
    Ok(Ciphertext {
        key_id: string(v, "KeyId"),
        key_version_id: string(v, "KeyVersionId"),
        ciphertext_blob: blob(v, "CiphertextBlob")?,
    })
}

impl Kms for RemoteKms {
    fn create_key(&self, request: &CreateKeyRequest) -> Result<KeyMetadata, KmsError> {
        self.call_as(
            "CreateKey",
            "",
            json!({
                "Description": request.description,
                "RotationIntervalSecs": request.rotation_interval.map(|d| d.as_secs()),
            }),
        )
    }

    fn describe_key(&self, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.call_as("DescribeKey", key_id, json!({ "KeyId": key_id }))
    }

    fn list_keys(&self) -> Result<Vec<KeyMetadata>, KmsError> {
        self.call_as("ListKeys", "", json!({}))
    }

    fn create_alias(&self, alias_name: &str, key_id: &str) -> Result<(), KmsError> {
        let subject = if alias_name.is_empty() {
            key_id
        } else {
            alias_name
        };
        self.call(
            "CreateAlias",
            subject,
            json!({ "AliasName": alias_name, "KeyId": key_id }),
        )
        .map(|_| ())
    }

    fn list_aliases(&self) -> Result<Vec<AliasEntry>, KmsError> {
        self.call_as("ListAliases", "", json!({}))
    }

    fn resolve_key_id(&self, key_id_or_alias: &str) -> Result<String, KmsError> {
        let v = self.call(
            "ResolveKeyId",
            key_id_or_alias,
            json!({ "KeyId": key_id_or_alias }),
        )?;
        Ok(string(&v, "KeyId"))
    }

    fn generate_data_key(&self, request: &GenerateDataKeyRequest) -> Result<DataKey, KmsError> {
        let v = self.call(
            "GenerateDataKey",
            &request.key_id,
            json!({
                "KeyId": request.key_id,
                "KeySpec": request.key_spec.map(DataKeySpec::as_str),
                "NumberOfBytes": request.number_of_bytes,
                "EncryptionContext": request.encryption_context,
            }),
        )?;
        Ok(DataKey {
            key_id: string(&v, "KeyId"),
            key_version_id: string(&v, "KeyVersionId"),
            plaintext: secret(&v, "Plaintext")?,
            ciphertext_blob: blob(&v, "CiphertextBlob")?,
        })
    }

    fn encrypt(&self, request: &EncryptRequest) -> Result<Ciphertext, KmsError> {
        let v = self.call(
            "Encrypt",
            &request.key_id,
            json!({
                "KeyId": request.key_id,
                "Plaintext": request.plaintext.to_base64().as_str(),
                "EncryptionContext": request.encryption_context,
            }),
        )?;
        ciphertext_of(&v)
    }

    fn decrypt(&self, request: &DecryptRequest) -> Result<Decrypted, KmsError> {
        let v = self.call(
            "Decrypt",
            request.expected_key_id.as_deref().unwrap_or(""),
            json!({
                "CiphertextBlob": b64().encode(&request.ciphertext_blob),
                "EncryptionContext": request.encryption_context,
                "ExpectedKeyId": request.expected_key_id,
            }),
        )?;
        Ok(Decrypted {
            key_id: string(&v, "KeyId"),
            key_version_id: string(&v, "KeyVersionId"),
            plaintext: secret(&v, "Plaintext")?,
        })
    }

    fn re_encrypt(&self, request: &ReEncryptRequest) -> Result<ReEncrypted, KmsError> {
        let v = self.call(
            "ReEncrypt",
            request.destination_key_id.as_deref().unwrap_or(""),
            json!({
                "CiphertextBlob": b64().encode(&request.ciphertext_blob),
                "SourceEncryptionContext": request.source_encryption_context,
                "DestinationKeyId": request.destination_key_id,
                "DestinationEncryptionContext": request.destination_encryption_context,
            }),
        )?;
        Ok(ReEncrypted {
            ciphertext: ciphertext_of(&v)?,
            source_key_id: string(&v, "SourceKeyId"),
            source_key_version_id: string(&v, "SourceKeyVersionId"),
        })
    }

    fn enable_key(&self, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.call_as("EnableKey", key_id, json!({ "KeyId": key_id }))
    }

    fn disable_key(&self, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.call_as("DisableKey", key_id, json!({ "KeyId": key_id }))
    }

    fn schedule_key_deletion(
        &self,
        key_id: &str,
        pending_window_days: u32,
    ) -> Result<KeyMetadata, KmsError> {
        self.call_as(
            "ScheduleKeyDeletion",
            key_id,
            json!({ "KeyId": key_id, "PendingWindowInDays": pending_window_days }),
        )
    }

    fn cancel_key_deletion(&self, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.call_as("CancelKeyDeletion", key_id, json!({ "KeyId": key_id }))
    }

    fn rotate_key(&self, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.call_as("RotateKey", key_id, json!({ "KeyId": key_id }))
    }

    fn update_rotation_policy(
        &self,
        key_id: &str,
        rotation_interval: Option<Duration>,
    ) -> Result<KeyMetadata, KmsError> {
        self.call_as(
            "UpdateRotationPolicy",
            key_id,
            json!({
                "KeyId": key_id,
                "RotationIntervalSecs": rotation_interval.map(|d| d.as_secs()),
            }),
        )
    }

    fn usage(&self) -> Result<UsageReport, KmsError> {
        self.call_as("Usage", "", json!({}))
    }
}
