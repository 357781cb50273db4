//! The mapping from an object key to the file that holds its metadata record.
//!
//! Keys are arbitrary UTF-8 (up to 1023 bytes) and may contain `..`, `/`, `%2F`, leading slashes and any
//! unicode, so no part of a key is ever used as a path component. The record's name is the SHA-256 of the
//! key in hex, under a two-character fan-out directory; hex digits cannot form `..` or a separator, so the
//! path cannot escape the bucket's directory. The record itself stores the full key: loading checks that
//! the key hashes to the record's name, and a write whose record slot holds a different key is refused, so
//! two keys can never share a record even in the (cryptographically negligible) event of a hash collision.

use std::path::{Path, PathBuf};

use ring::digest::{digest, SHA256};

use crate::ids::hex_lower;

/// The record file name (without directory) for `key`.
pub fn record_name(key: &str) -> String {
    format!(
        "{}.json",
        hex_lower(digest(&SHA256, key.as_bytes()).as_ref())
    )
}

/// The path of `key`'s record under a bucket's `objects` directory.
pub fn record_path(objects_dir: &Path, key: &str) -> PathBuf {
    let name = record_name(key);
    objects_dir.join(&name[..2]).join(name)
}

/// True when `file_name` is the record name `key` maps to (used when loading records from disk).
pub fn matches(file_name: &str, key: &str) -> bool {
    record_name(key) == file_name
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::Component;

    #[test]
    fn hostile_keys_stay_inside() {
        let base = Path::new("/data/buckets/b/objects");
        for key in [
            "../../etc/passwd",
            "..",
            "/abs",
            "a%2F..%2Fb",
            "\u{202e}x",
            "a/../../..",
        ] {
            let p = record_path(base, key);
            assert!(p.starts_with(base));
            let rel = p.strip_prefix(base).ok();
            assert!(rel.is_some_and(|r| r.components().count() == 2
                && r.components().all(|c| matches!(c, Component::Normal(_)))));
        }
    }

    proptest! {
        #[test]
        fn distinct_keys_get_distinct_records(a in "\\PC{0,64}", b in "\\PC{0,64}") {
            prop_assume!(a != b);
            prop_assert_ne!(record_name(&a), record_name(&b));
        }

        #[test]
        fn any_key_maps_to_exactly_two_plain_components(key in "\\PC{0,300}") {
            let base = Path::new("/d/objects");
            let p = record_path(base, &key);
            let rel = p.strip_prefix(base).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let comps: Vec<_> = rel.components().collect();
            prop_assert_eq!(comps.len(), 2);
            prop_assert!(comps.iter().all(|c| matches!(c, Component::Normal(_))));
            prop_assert!(matches(&record_name(&key), &key));
        }
    }
}
