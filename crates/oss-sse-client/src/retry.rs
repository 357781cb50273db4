//! When to try a request again and how long to wait: exponential backoff with full jitter, applied only
//! to failures that may pass (network errors, 5xx, 429) and only to requests that are safe to repeat.

use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};

/// How many times to try and how long to wait between tries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first included; 1 disables retries.
    pub max_attempts: u32,
    /// The backoff ceiling before the first retry; it doubles with each further retry.
    pub base_delay: Duration,
    /// The largest wait between two attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, 200 ms base, 5 s cap (close to what the official SDKs do).
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The upper bound of the wait before retry number `retry` (0 for the first retry):
    /// `min(max_delay, base_delay * 2^retry)`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The wait before retry number `retry`: uniformly random in `[0, ceiling]` ("full jitter"), so that
    /// many clients failing together do not come back together.
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        let mut bytes = [0u8; 8];
        // If the system RNG fails there is nothing to spread; wait the ceiling.
        if SystemRandom::new().fill(&mut bytes).is_err() {
            return ceiling;
        }
        let unit = (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64;
        ceiling.mul_f64(unit)
    }
}

/// Whether an HTTP status is worth another attempt: server errors and throttling.
pub fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

/// Whether a method may be sent twice without changing the outcome. POST is not (InitiateMultipartUpload
/// would create a second upload, AppendObject would append twice).
pub fn is_idempotent_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_then_caps() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
        };
        assert_eq!(p.ceiling(0), Duration::from_millis(100));
        assert_eq!(p.ceiling(1), Duration::from_millis(200));
        assert_eq!(p.ceiling(3), Duration::from_millis(800));
        assert_eq!(p.ceiling(4), Duration::from_millis(1000));
        assert_eq!(p.ceiling(200), Duration::from_millis(1000));
    }

    #[test]
    fn delay_stays_within_ceiling() {
        let p = RetryPolicy::default();
        for retry in 0..8 {
            for _ in 0..50 {
                assert!(p.delay(retry) <= p.ceiling(retry));
            }
        }
    }

    #[test]
    fn jitter_actually_varies() {
        let p = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(1),
        };
        let samples: std::collections::HashSet<_> = (0..20).map(|_| p.delay(0)).collect();
        assert!(samples.len() > 1);
    }

    #[test]
    fn which_statuses_and_methods_retry() {
        assert!(is_retryable_status(500) && is_retryable_status(503) && is_retryable_status(429));
        assert!(
            !is_retryable_status(403) && !is_retryable_status(404) && !is_retryable_status(200)
        );
        assert!(is_idempotent_method("GET") && is_idempotent_method("PUT"));
        assert!(!is_idempotent_method("POST"));
    }
}
