//! Listing logic shared by ListObjects, ListObjectsV2 and ListMultipartUploads: prefix filtering,
//! delimiter roll-up into common prefixes, resuming after a marker, and truncation at `max-keys`.

/// One listing entry: either an item (the caller's value) or a rolled-up common prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry<T> {
    /// A key (or upload) and its value.
    Item(String, T),
    /// A common prefix (ends with the delimiter).
    Prefix(String),
}

/// The outcome of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// Entries in key order, at most `max` of them.
    pub entries: Vec<Entry<T>>,
    /// True when more entries follow.
    pub truncated: bool,
    /// The key or prefix to resume after, when truncated.
    pub next_marker: Option<String>,
}

/// Lists `items` (sorted by key; the caller may start the iterator anywhere at or before the first key
/// wanted) by `prefix` and `delimiter`, resuming after `after`, returning at most `max` entries.
pub fn paginate<'a, T: Clone + 'a>(
    items: impl Iterator<Item = (&'a String, &'a T)>,
    prefix: &str,
    delimiter: &str,
    after: Option<&str>,
    max: usize,
) -> Page<T> {
    let mut entries: Vec<Entry<T>> = Vec::new();
    let mut truncated = false;
    let mut last_prefix: Option<String> = None;
    for (key, value) in items {
        if let Some(a) = after {
            if key.as_str() <= a {
                continue;
            }
        }
        if !key.starts_with(prefix) {
            // Keys that start with `prefix` are one contiguous run of the sorted input: past it, stop.
            if key.as_str() > prefix {
                break;
            }
            continue;
        }
        let rolled = if delimiter.is_empty() {
            None
        } else {
            key[prefix.len()..]
                .find(delimiter)
                .map(|i| key[..prefix.len() + i + delimiter.len()].to_owned())
        };
        match rolled {
            Some(cp) => {
                if last_prefix.as_deref() == Some(cp.as_str()) {
                    continue;
                }
                if after.is_some_and(|a| cp.as_str() <= a) {
                    // The caller already received this prefix on an earlier page.
                    continue;
                }
                if entries.len() == max {
                    truncated = true;
                    break;
                }
                last_prefix = Some(cp.clone());
                entries.push(Entry::Prefix(cp));
            }
            None => {
                if entries.len() == max {
                    truncated = true;
                    break;
                }
                entries.push(Entry::Item(key.clone(), value.clone()));
            }
        }
    }
    let next_marker = if truncated {
        entries.last().map(|e| match e {
            Entry::Item(k, _) => k.clone(),
            Entry::Prefix(p) => p.clone(),
        })
    } else {
        None
    };
    Page {
        entries,
        truncated,
        next_marker,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn map(keys: &[&str]) -> BTreeMap<String, u32> {
        keys.iter().map(|k| (k.to_string(), 0)).collect()
    }

    fn names(page: &Page<u32>) -> Vec<String> {
        page.entries
            .iter()
            .map(|e| match e {
                Entry::Item(k, _) => k.clone(),
                Entry::Prefix(p) => format!("P:{p}"),
            })
            .collect()
    }

    #[test]
    fn delimiter_rolls_up_and_pages_resume() {
        let m = map(&["a/1", "a/2", "b", "c/x/y", "c/z", "d"]);
        let p = paginate(m.iter(), "", "/", None, 2);
        assert_eq!(names(&p), ["P:a/", "b"]);
        assert!(p.truncated);
        let p2 = paginate(m.iter(), "", "/", p.next_marker.as_deref(), 2);
        assert_eq!(names(&p2), ["P:c/", "d"]);
        assert!(!p2.truncated);
        let p3 = paginate(m.iter(), "c/", "/", None, 10);
        assert_eq!(names(&p3), ["P:c/x/", "c/z"]);
        let p4 = paginate(m.iter(), "", "/", Some("a/"), 10);
        assert_eq!(names(&p4), ["b", "P:c/", "d"]);
    }

    #[test]
    fn prefix_without_delimiter() {
        let m = map(&["a", "ab", "abc", "b"]);
        let p = paginate(m.iter(), "ab", "", None, 10);
        assert_eq!(names(&p), ["ab", "abc"]);
        let p = paginate(m.iter(), "", "", None, 0);
        assert!(p.truncated && p.entries.is_empty());
    }
}
