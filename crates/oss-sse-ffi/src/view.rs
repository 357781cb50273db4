//! Borrowed views handed to C: strings as (pointer, length) pairs and byte buffers, plus the owned
//! NUL-terminated string type that backs every string view a handle gives out.

use std::ffi::c_char;

/// A borrowed UTF-8 string: `len` bytes at `data`, followed by a NUL byte that `len` does not count,
/// so `data` may also be passed to functions expecting a C string. The view stays valid as long as
/// the handle it came from (or forever, for views of static strings). `data` is never NULL.
///
/// A string that came from the network may contain NUL bytes of its own; `len` is then the only
/// reliable length.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct oss_sse_str {
    /// The first byte of the string.
    pub data: *const c_char,
    /// The number of bytes, not counting the terminating NUL.
    pub len: usize,
}

impl oss_sse_str {
    /// A view of a static string that already ends with `"\0"`.
    pub(crate) const fn from_static(s: &'static str) -> Self {
        oss_sse_str {
            data: s.as_ptr().cast(),
            len: s.len() - 1,
        }
    }

    /// The empty string, the fallback of getters given NULL.
    pub(crate) const fn empty() -> Self {
        Self::from_static("\0")
    }
}

/// A borrowed byte buffer: `len` bytes at `data`, valid as long as the handle it came from.
/// `data` is never NULL, even when `len` is 0.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct oss_sse_bytes {
    /// The first byte.
    pub data: *const u8,
    /// The number of bytes.
    pub len: usize,
}

impl oss_sse_bytes {
    /// A view of `bytes`; the caller ties its lifetime to the owner of `bytes`.
    pub(crate) fn of(bytes: &[u8]) -> Self {
        oss_sse_bytes {
            data: if bytes.is_empty() {
                // A dangling-but-aligned pointer is not something C should see; a static is.
                c"".as_ptr().cast()
            } else {
                bytes.as_ptr()
            },
            len: bytes.len(),
        }
    }
}

/// An owned string stored with a trailing NUL, so that views of it are also C strings.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct NulString {
    /// The text followed by one extra `'\0'`; an empty buffer (no NUL yet) stands for "".
    buf: String,
}

impl NulString {
    /// Copies `s` and appends the terminator.
    pub(crate) fn new(s: &str) -> Self {
        NulString::from(s.to_owned())
    }

    /// The text without the terminator.
    pub(crate) fn as_str(&self) -> &str {
        self.buf.strip_suffix('\0').unwrap_or(&self.buf)
    }

    /// A view valid as long as `self` is neither dropped nor changed.
    pub(crate) fn view(&self) -> oss_sse_str {
        if self.buf.is_empty() {
            return oss_sse_str::empty();
        }
        oss_sse_str {
            data: self.buf.as_ptr().cast(),
            len: self.buf.len() - 1,
        }
    }
}

impl From<&str> for NulString {
    fn from(s: &str) -> Self {
        NulString::new(s)
    }
}

impl From<String> for NulString {
    fn from(mut buf: String) -> Self {
        buf.push('\0');
        NulString { buf }
    }
}

impl std::fmt::Debug for NulString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_are_nul_terminated_and_exclude_the_nul() {
        let s = NulString::new("abc");
        let v = s.view();
        assert_eq!(v.len, 3);
        // SAFETY: the view points into `s`, alive here, which holds 3 bytes plus a NUL.
        let bytes = unsafe { std::slice::from_raw_parts(v.data.cast::<u8>(), v.len + 1) };
        assert_eq!(bytes, b"abc\0");
        assert_eq!(NulString::default().view().len, 0);
        assert_eq!(NulString::from(String::from("xy")).as_str(), "xy");
    }
}
