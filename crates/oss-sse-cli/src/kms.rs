//! `oss-sse kms`: administer a local KMS keystore (keys, aliases, rotation, states, deletion), make and open
//! data keys and ciphertexts, and read the metering counters.
//!
//! `--keystore DIR` opens the keystore directly; `--endpoint URL` runs the same subcommands against a
//! running emulator (which holds its keystore's lock) through its root-only admin API, signing with
//! OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET.
//!
//! Blobs and plaintexts go in and out as standard base64; encryption contexts as repeated `--context k=v`.
//! `--json` prints Alibaba-KMS-shaped JSON. Errors exit 1 with the KMS error code at the start of the
//! message (`Rejected.Disabled: ...`); bad arguments exit 2.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use base64::Engine as _;
use clap::Subcommand;
use oss_sse_kms::{
    format_rfc3339, CreateKeyRequest, DataKeySpec, DecryptRequest, EncryptRequest,
    EncryptionContext, GenerateDataKeyRequest, KeyMetadata, Kms, KmsError, LocalKms,
    ReEncryptRequest, SecretBytes, UsageReport, Zeroizing,
};
use serde::Serialize;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Arguments of `oss-sse kms`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("store").required(true).multiple(false).args(["keystore", "endpoint"]))]
pub struct Args {
    /// Keystore directory (created if missing). Its root key comes from OSS_SSE_KMS_ROOT_KEY, else from
    /// DIR/root.key (created with mode 0600; that file is the secret).
    #[arg(long, value_name = "DIR", env = "OSS_SSE_KMS_KEYSTORE")]
    keystore: Option<PathBuf>,
    /// A running emulator (`http://127.0.0.1:PORT`) whose keystore to administer through its admin API,
    /// signing as the root account from OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET.
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// Region the emulator signs for (with --endpoint).
    #[arg(long, value_name = "REGION", default_value = "cn-hangzhou")]
    region: String,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

/// One encryption-context entry, `key=value`.
#[derive(Clone, Debug)]
struct ContextEntry(String, String);

fn parse_context_entry(s: &str) -> Result<ContextEntry, String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?} is not key=value"))?;
    if k.is_empty() {
        return Err(format!("{s:?} has an empty key"));
    }
    Ok(ContextEntry(k.to_string(), v.to_string()))
}

/// `30d`, `12h`, `90m`, `3600s` or plain seconds.
pub(crate) fn parse_interval(s: &str) -> Result<Duration, String> {
    let (digits, unit) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], c),
        _ => (s, 's'),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 30d, 12h, 90m or 3600s"))?;
    let mult = match unit {
        'd' => 86_400,
        'h' => 3600,
        'm' => 60,
        's' => 1,
        _ => return Err(format!("{s:?}: unknown unit {unit:?} (use d, h, m or s)")),
    };
    n.checked_mul(mult)
        .filter(|secs| *secs > 0)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{s:?} must be positive and not absurdly long"))
}

/// Bytes given on the command line as base64 (a newtype, so clap takes one value rather than many `u8`s).
#[derive(Clone, Debug)]
struct Base64Bytes(Vec<u8>);

fn parse_base64(s: &str) -> Result<Base64Bytes, String> {
    B64.decode(s.trim())
        .map(Base64Bytes)
        .map_err(|e| format!("not valid base64: {e}"))
}

fn parse_key_spec(s: &str) -> Result<DataKeySpec, String> {
    s.parse().map_err(|e: KmsError| e.to_string())
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a customer master key.
    CreateKey {
        /// Free text.
        #[arg(long, default_value = "")]
        description: String,
        /// Rotate automatically at this interval (30d, 12h, 90m, 3600s).
        #[arg(long, value_parser = parse_interval)]
        rotation_interval: Option<Duration>,
    },
    /// List the keys that are not deleted.
    ListKeys,
    /// Show a key (by id or alias).
    DescribeKey {
        /// Key id or alias.
        #[arg(long)]
        key_id: String,
    },
    /// Make an alias (alias/...) point at a key.
    CreateAlias {
        /// The alias, alias/...
        #[arg(long)]
        alias_name: String,
        /// Key id or alias of the target.
        #[arg(long)]
        key_id: String,
    },
    /// List aliases.
    ListAliases,
    /// Add a new primary version to a key; old versions keep decrypting.
    RotateKey {
        /// Key id or alias.
        #[arg(long)]
        key_id: String,
    },
    /// Turn automatic rotation on (with an interval) or off.
    UpdateRotationPolicy {
        /// Key id or alias.
        #[arg(long)]
        key_id: String,
        /// Rotation interval (30d, 12h, 90m, 3600s).
        #[arg(long, value_parser = parse_interval, required_unless_present = "off", conflicts_with = "off")]
        rotation_interval: Option<Duration>,
        /// Turn automatic rotation off.
        #[arg(long)]
        off: bool,
    },
    /// Enable a key.
    EnableKey {
        /// Key id or alias.
        #[arg(long)]
        key_id: String,
    },
    /// Disable a key: it refuses cryptographic operations until enabled.
    DisableKey {
        /// Key id or alias.
        #[arg(long)]
        key_id: String,
    },
    /// Schedule a key's deletion after a pending window (7 to 366 days).
    ScheduleDeletion {
        /// Key id or alias.
        #[arg(long)]
        key_id: String,
        /// Days before the deletion takes effect.
        #[arg(long, default_value_t = 30)]
        pending_window_in_days: u32,
    },
    /// Cancel a scheduled deletion.
    CancelDeletion {
        /// Key id or alias.
        #[arg(long)]
        key_id: String,
    },
    /// Make a data key: prints its plaintext and its ciphertext blob, both base64.
    GenerateDataKey {
        /// Key id or alias (alias/acs/oss is the default service key, created on first use).
        #[arg(long)]
        key_id: String,
        /// AES_256 (default) or AES_128.
        #[arg(long, value_parser = parse_key_spec)]
        key_spec: Option<DataKeySpec>,
        /// Length in bytes (1 to 1024); overrides --key-spec.
        #[arg(long)]
        number_of_bytes: Option<usize>,
        /// Encryption context entry, key=value (repeatable).
        #[arg(long = "context", value_name = "K=V", value_parser = parse_context_entry)]
        context: Vec<ContextEntry>,
    },
    /// Decrypt a ciphertext blob: prints the plaintext, base64.
    Decrypt {
        /// The blob, base64.
        #[arg(long, value_parser = parse_base64)]
        ciphertext_blob: Base64Bytes,
        /// Encryption context entry, key=value (repeatable); must equal the one used to encrypt.
        #[arg(long = "context", value_name = "K=V", value_parser = parse_context_entry)]
        context: Vec<ContextEntry>,
        /// Refuse unless the blob is under this key (id or alias).
        #[arg(long)]
        key_id: Option<String>,
    },
    /// Encrypt up to 6 KiB: prints the ciphertext blob, base64.
    Encrypt {
        /// Key id or alias.
        #[arg(long)]
        key_id: String,
        /// The plaintext, base64.
        #[arg(long, value_parser = parse_base64)]
        plaintext: Base64Bytes,
        /// Encryption context entry, key=value (repeatable).
        #[arg(long = "context", value_name = "K=V", value_parser = parse_context_entry)]
        context: Vec<ContextEntry>,
    },
    /// Re-encrypt a blob under the newest version of its key or of another key, without showing the
    /// plaintext.
    ReEncrypt {
        /// The blob, base64.
        #[arg(long, value_parser = parse_base64)]
        ciphertext_blob: Base64Bytes,
        /// The blob's encryption context, key=value (repeatable).
        #[arg(long = "context", value_name = "K=V", value_parser = parse_context_entry)]
        context: Vec<ContextEntry>,
        /// Key to re-encrypt under (default: the blob's own key).
        #[arg(long)]
        destination_key_id: Option<String>,
        /// Context of the new blob (default: the same as the source's), key=value (repeatable).
        #[arg(long = "destination-context", value_name = "K=V", value_parser = parse_context_entry)]
        destination_context: Vec<ContextEntry>,
    },
    /// Show the metering counters: calls per operation and per key.
    Usage,
}

fn context(entries: Vec<ContextEntry>) -> Result<EncryptionContext, KmsError> {
    let mut ctx = EncryptionContext::new();
    for ContextEntry(k, v) in entries {
        if ctx.insert(k.clone(), v).is_some() {
            return Err(KmsError::InvalidParameter {
                reason: format!("--context key {k:?} given twice"),
            });
        }
    }
    Ok(ctx)
}

/// What a command prints: a JSON document (serialized from borrowed parts so secrets are not copied
/// around more than once) and its text rendering.
struct Output {
    json: Zeroizing<String>,
    text: Zeroizing<String>,
}

impl Output {
    fn new(value: &impl Serialize, text: String) -> Self {
        Self {
            json: Zeroizing::new(serde_json::to_string_pretty(value).unwrap_or_default()),
            text: Zeroizing::new(text),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DataKeyOut<'a> {
    key_id: &'a str,
    key_version_id: &'a str,
    plaintext: &'a str,
    ciphertext_blob: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PlaintextOut<'a> {
    key_id: &'a str,
    key_version_id: &'a str,
    plaintext: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CiphertextOut<'a> {
    key_id: &'a str,
    key_version_id: &'a str,
    ciphertext_blob: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_key_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_key_version_id: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorOut<'a> {
    code: &'a str,
    message: String,
    http_status: u16,
}

/// Runs `oss-sse kms`.
pub fn run(args: Args) -> ExitCode {
    let json = args.json;
    let result = match (&args.keystore, &args.endpoint) {
        (_, Some(endpoint)) => crate::admin::remote(endpoint, &args.region).and_then(|client| {
            execute(&oss_sse_server::admin::RemoteKms::new(client), args.command)
        }),
        (Some(keystore), None) => LocalKms::open(keystore).and_then(|kms| {
            let out = execute(&kms, args.command);
            // Counters are flushed on drop too; flushing here lets a write error be reported.
            let flushed = kms.flush();
            let out = out?;
            flushed?;
            Ok(out)
        }),
        (None, None) => Err(KmsError::InvalidParameter {
            reason: "give --keystore DIR or --endpoint URL".to_owned(),
        }),
    };
    match result {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            let text = if json { &out.json } else { &out.text };
            if writeln!(stdout, "{}", text.as_str()).is_err() {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if json {
                let doc = ErrorOut {
                    code: e.code(),
                    message: e.to_string(),
                    http_status: e.http_status(),
                };
                eprintln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            } else {
                eprintln!("oss-sse kms: {e}");
            }
            ExitCode::from(1)
        }
    }
}

fn execute(kms: &dyn Kms, command: Command) -> Result<Output, KmsError> {
    Ok(match command {
        Command::CreateKey {
            description,
            rotation_interval,
        } => key_output(&kms.create_key(&CreateKeyRequest {
            description,
            rotation_interval,
        })?),
        Command::ListKeys => {
            let keys = kms.list_keys()?;
            let mut text = String::new();
            for k in &keys {
                text.push_str(&format!(
                    "{}  {:<15}  versions={}  {}\n",
                    k.key_id,
                    format!("{:?}", k.key_state),
                    k.key_versions.len(),
                    k.aliases.join(",")
                ));
            }
            #[derive(Serialize)]
            #[serde(rename_all = "PascalCase")]
            struct Keys<'a> {
                keys: &'a [KeyMetadata],
            }
            Output::new(&Keys { keys: &keys }, text.trim_end().to_string())
        }
        Command::DescribeKey { key_id } => key_output(&kms.describe_key(&key_id)?),
        Command::CreateAlias { alias_name, key_id } => {
            kms.create_alias(&alias_name, &key_id)?;
            let key_id = kms.resolve_key_id(&alias_name)?;
            let entry = oss_sse_kms::AliasEntry { alias_name, key_id };
            let text = format!("{} -> {}", entry.alias_name, entry.key_id);
            Output::new(&entry, text)
        }
        Command::ListAliases => {
            let aliases = kms.list_aliases()?;
            let text = aliases
                .iter()
                .map(|a| format!("{}  {}", a.alias_name, a.key_id))
                .collect::<Vec<_>>()
                .join("\n");
            #[derive(Serialize)]
            #[serde(rename_all = "PascalCase")]
            struct Aliases<'a> {
                aliases: &'a [oss_sse_kms::AliasEntry],
            }
            Output::new(&Aliases { aliases: &aliases }, text)
        }
        Command::RotateKey { key_id } => key_output(&kms.rotate_key(&key_id)?),
        Command::UpdateRotationPolicy {
            key_id,
            rotation_interval,
            off,
        } => key_output(
            &kms.update_rotation_policy(&key_id, if off { None } else { rotation_interval })?,
        ),
        Command::EnableKey { key_id } => key_output(&kms.enable_key(&key_id)?),
        Command::DisableKey { key_id } => key_output(&kms.disable_key(&key_id)?),
        Command::ScheduleDeletion {
            key_id,
            pending_window_in_days,
        } => key_output(&kms.schedule_key_deletion(&key_id, pending_window_in_days)?),
        Command::CancelDeletion { key_id } => key_output(&kms.cancel_key_deletion(&key_id)?),
        Command::GenerateDataKey {
            key_id,
            key_spec,
            number_of_bytes,
            context: entries,
        } => {
            let dk = kms.generate_data_key(&GenerateDataKeyRequest {
                key_id,
                key_spec,
                number_of_bytes,
                encryption_context: context(entries)?,
            })?;
            let plaintext = dk.plaintext.to_base64();
            let blob = B64.encode(&dk.ciphertext_blob);
            let out = DataKeyOut {
                key_id: &dk.key_id,
                key_version_id: &dk.key_version_id,
                plaintext: &plaintext,
                ciphertext_blob: &blob,
            };
            let text = format!(
                "KeyId:          {}\nKeyVersionId:   {}\nPlaintext:      {}\nCiphertextBlob: {}",
                out.key_id, out.key_version_id, out.plaintext, out.ciphertext_blob
            );
            Output::new(&out, text)
        }
        Command::Decrypt {
            ciphertext_blob,
            context: entries,
            key_id,
        } => {
            let d = kms.decrypt(&DecryptRequest {
                ciphertext_blob: ciphertext_blob.0,
                encryption_context: context(entries)?,
                expected_key_id: key_id,
            })?;
            let plaintext = d.plaintext.to_base64();
            let out = PlaintextOut {
                key_id: &d.key_id,
                key_version_id: &d.key_version_id,
                plaintext: &plaintext,
            };
            let text = format!(
                "KeyId:        {}\nKeyVersionId: {}\nPlaintext:    {}",
                out.key_id, out.key_version_id, out.plaintext
            );
            Output::new(&out, text)
        }
        Command::Encrypt {
            key_id,
            plaintext,
            context: entries,
        } => {
            let ct = kms.encrypt(&EncryptRequest {
                key_id,
                plaintext: SecretBytes::new(plaintext.0),
                encryption_context: context(entries)?,
            })?;
            ciphertext_output(&ct.key_id, &ct.key_version_id, &ct.ciphertext_blob, None)
        }
        Command::ReEncrypt {
            ciphertext_blob,
            context: entries,
            destination_key_id,
            destination_context,
        } => {
            let destination_encryption_context = if destination_context.is_empty() {
                None
            } else {
                Some(context(destination_context)?)
            };
            let re = kms.re_encrypt(&ReEncryptRequest {
                ciphertext_blob: ciphertext_blob.0,
                source_encryption_context: context(entries)?,
                destination_key_id,
                destination_encryption_context,
            })?;
            ciphertext_output(
                &re.ciphertext.key_id,
                &re.ciphertext.key_version_id,
                &re.ciphertext.ciphertext_blob,
                Some((&re.source_key_id, &re.source_key_version_id)),
            )
        }
        Command::Usage => usage_output(&kms.usage()?),
    })
}

fn ciphertext_output(
    key_id: &str,
    key_version_id: &str,
    blob: &[u8],
    source: Option<(&str, &str)>,
) -> Output {
    let blob = B64.encode(blob);
    let out = CiphertextOut {
        key_id,
        key_version_id,
        ciphertext_blob: &blob,
        source_key_id: source.map(|s| s.0),
        source_key_version_id: source.map(|s| s.1),
    };
    let mut text = format!("KeyId:              {key_id}\nKeyVersionId:       {key_version_id}\n");
    if let Some((k, v)) = source {
        text.push_str(&format!(
            "SourceKeyId:        {k}\nSourceKeyVersionId: {v}\n"
        ));
    }
    text.push_str(&format!("CiphertextBlob:     {blob}"));
    Output::new(&out, text)
}

fn key_output(meta: &KeyMetadata) -> Output {
    let date = |d: Option<u64>| d.map(format_rfc3339).unwrap_or_else(|| "-".into());
    let text = format!(
        "KeyId:             {}\nDescription:       {}\nKeyState:          {:?}\nCreationDate:      {}\n\
         PrimaryKeyVersion: {}\nKeyVersions:       {}\nRotationInterval:  {}\nLastRotationDate:  {}\n\
         NextRotationDate:  {}\nDeleteDate:        {}\nAliases:           {}",
        meta.key_id,
        meta.description,
        meta.key_state,
        format_rfc3339(meta.creation_date),
        meta.primary_key_version,
        meta.key_versions.len(),
        meta.rotation_interval
            .map(|s| format!("{s}s"))
            .unwrap_or_else(|| "off".into()),
        format_rfc3339(meta.last_rotation_date),
        date(meta.next_rotation_date),
        date(meta.delete_date),
        if meta.aliases.is_empty() {
            "-".to_string()
        } else {
            meta.aliases.join(", ")
        }
    );
    Output::new(meta, text)
}

fn usage_output(report: &UsageReport) -> Output {
    let mut text = format!(
        "Since {} ({} calls)\n",
        format_rfc3339(report.since),
        report.total_calls()
    );
    for (op, u) in &report.operations {
        text.push_str(&format!(
            "  {:<22} calls={:<8} errors={}\n",
            op.name(),
            u.calls,
            u.errors
        ));
    }
    for (key, ops) in &report.keys {
        text.push_str(&format!("key {key}\n"));
        for (op, n) in ops {
            text.push_str(&format!("  {:<22} calls={n}\n", op.name()));
        }
    }
    Output::new(report, text.trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_with_units() {
        assert_eq!(
            parse_interval("30d").unwrap(),
            Duration::from_secs(30 * 86_400)
        );
        assert_eq!(
            parse_interval("12h").unwrap(),
            Duration::from_secs(12 * 3600)
        );
        assert_eq!(parse_interval("90m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_interval("3600s").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_interval("3600").unwrap(), Duration::from_secs(3600));
        for bad in ["", "d", "0d", "5w", "-1d", "1.5d", "99999999999999999999d"] {
            assert!(parse_interval(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn context_entries_split_at_the_first_equals_sign() {
        let e = parse_context_entry("object=a=b").unwrap();
        assert_eq!((e.0.as_str(), e.1.as_str()), ("object", "a=b"));
        assert_eq!(parse_context_entry("k=").unwrap().1, "");
        assert!(parse_context_entry("=v").is_err());
        assert!(parse_context_entry("novalue").is_err());
        let dup = context(vec![
            ContextEntry("a".into(), "1".into()),
            ContextEntry("a".into(), "2".into()),
        ]);
        assert_eq!(dup.unwrap_err().code(), "InvalidParameter");
    }
}
