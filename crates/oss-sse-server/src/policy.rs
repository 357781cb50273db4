//! RAM policies: parsing policy documents and deciding whether an action on a resource is allowed.
//! Explicit Deny wins over Allow; no matching Allow denies. Actions match case-insensitively, resources
//! case-sensitively, both with `*` (any run) and `?` (one character) wildcards.

use serde::Deserialize;
use serde_json::Value;

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Refuses, overriding any Allow.
    Deny,
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Allow or Deny.
    pub effect: Effect,
    /// Action patterns (`oss:GetObject`, `oss:Get*`, `oss:*`, `*`).
    pub actions: Vec<String>,
    /// Resource patterns (`acs:oss:*:*:bucket/prefix/*`).
    pub resources: Vec<String>,
}

/// A policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Its statements.
    pub statements: Vec<Statement>,
}

/// Why a policy document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not the expected shape.
    #[error("invalid policy: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(rename = "Version")]
    version: String,
    #[serde(rename = "Statement")]
    statement: Vec<RawStatement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatement {
    #[serde(rename = "Effect")]
    effect: String,
    #[serde(rename = "Action")]
    action: Value,
    #[serde(rename = "Resource")]
    resource: Value,
}

fn string_or_list(v: &Value, what: &str) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| PolicyError::Invalid(format!("{what} entries must be strings")))
            })
            .collect(),
        _ => Err(PolicyError::Invalid(format!(
            "{what} must be a string or a non-empty list of strings"
        ))),
    }
}

impl Policy {
    /// Parses a RAM policy document (`Version` "1", `Statement` with `Effect`, `Action`, `Resource`).
    /// `Condition`, `NotAction` and `NotResource` are refused rather than ignored, so that a policy never
    /// grants more here than it would in RAM.
    pub fn from_json(value: &Value) -> Result<Policy, PolicyError> {
        let raw: RawPolicy = serde_json::from_value(value.clone())
            .map_err(|e| PolicyError::Invalid(e.to_string()))?;
        if raw.version != "1" {
            return Err(PolicyError::Invalid(format!(
                "unsupported Version {:?} (expected \"1\")",
                raw.version
            )));
        }
        let mut statements = Vec::new();
        for s in raw.statement {
            let effect = match s.effect.as_str() {
                "Allow" => Effect::Allow,
                "Deny" => Effect::Deny,
                other => return Err(PolicyError::Invalid(format!("Effect {other:?}"))),
            };
            statements.push(Statement {
                effect,
                actions: string_or_list(&s.action, "Action")?,
                resources: string_or_list(&s.resource, "Resource")?,
            });
        }
        Ok(Policy { statements })
    }
}

/// Glob match with `*` and `?`, optionally ignoring ASCII case.
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let eq = |a: char, b: char| {
        if ignore_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    // Iterative matching with backtracking to the last star: linear in practice, no recursion.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// The outcome of evaluating policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// An Allow matched and no Deny did.
    Allow,
    /// A Deny matched.
    ExplicitDeny,
    /// Nothing matched.
    ImplicitDeny,
}

/// Evaluates `policies` for `action` on `resource`.
pub fn evaluate(policies: &[Policy], action: &str, resource: &str) -> Decision {
    let mut allowed = false;
    for s in policies.iter().flat_map(|p| &p.statements) {
        let action_hit = s.actions.iter().any(|a| wildcard_match(a, action, true));
        let resource_hit = s
            .resources
            .iter()
            .any(|r| wildcard_match(r, resource, false));
        if action_hit && resource_hit {
            match s.effect {
                Effect::Deny => return Decision::ExplicitDeny,
                Effect::Allow => allowed = true,
            }
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("oss:Get*", "oss:GetObject", true));
        assert!(wildcard_match("OSS:get*", "oss:GetObject", true));
        assert!(!wildcard_match("oss:Get*", "oss:PutObject", true));
        assert!(wildcard_match("*", "", false));
        assert!(wildcard_match(
            "acs:oss:*:*:b/logs/*",
            "acs:oss:cn-hangzhou:1:b/logs/a/b",
            false
        ));
        assert!(!wildcard_match(
            "acs:oss:*:*:b/logs/*",
            "acs:oss:cn-hangzhou:1:b/other",
            false
        ));
        assert!(wildcard_match("a?c", "abc", false));
        assert!(!wildcard_match("a?c", "ac", false));
        assert!(!wildcard_match("acs:oss:*:*:B", "acs:oss:r:1:b", false));
        // Many stars against a long near-miss still terminates quickly (no exponential backtracking).
        assert!(!wildcard_match("*a*a*a*a*a*b", &"a".repeat(5000), false));
    }

    #[test]
    fn deny_wins_and_nothing_denies() {
        let p = Policy::from_json(&json!({
            "Version": "1",
            "Statement": [
                {"Effect": "Allow", "Action": "oss:*", "Resource": ["acs:oss:*:*:b", "acs:oss:*:*:b/*"]},
                {"Effect": "Deny", "Action": ["oss:PutBucketEncryption"], "Resource": "acs:oss:*:*:b"}
            ]
        }))
        .unwrap();
        let ps = [p];
        assert_eq!(
            evaluate(&ps, "oss:GetObject", "acs:oss:r:1:b/k"),
            Decision::Allow
        );
        assert_eq!(
            evaluate(&ps, "oss:PutBucketEncryption", "acs:oss:r:1:b"),
            Decision::ExplicitDeny
        );
        assert_eq!(
            evaluate(&ps, "oss:GetObject", "acs:oss:r:1:c/k"),
            Decision::ImplicitDeny
        );
        assert_eq!(evaluate(&[], "oss:GetObject", "x"), Decision::ImplicitDeny);
    }

    #[test]
    fn refuses_what_it_cannot_honour() {
        for bad in [
            json!({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:*", "Resource": "*", "Condition": {}}]}),
            json!({"Version": "2", "Statement": []}),
            json!({"Version": "1", "Statement": [{"Effect": "Maybe", "Action": "oss:*", "Resource": "*"}]}),
            json!({"Version": "1", "Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}),
            json!("nope"),
        ] {
            assert!(Policy::from_json(&bad).is_err(), "{bad}");
        }
    }
}
