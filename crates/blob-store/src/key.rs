//! Keys: relative, `/`-separated, no `.` or `..` segments, safe on every backend.

use std::fmt;

use crate::Error;

/// A validated object key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(String);

impl Key {
    /// Validates `key`: non-empty segments, no `.`/`..`, no backslash or NUL, no leading `/`.
    ///
    /// ```
    /// use blob_store::Key;
    /// assert!(Key::new("2024/03/12/abc/invoice.pdf").is_ok());
    /// assert!(Key::new("../etc/passwd").is_err());
    /// assert!(Key::new("/abs").is_err());
    /// assert!(Key::new("a//b").is_err());
    /// ```
    pub fn new(key: impl Into<String>) -> Result<Key, Error> {
        let key = key.into();
        let bad = key.is_empty()
            || key.len() > 1024
            || key.starts_with('/')
            || key.contains(['\\', '\0'])
            || key
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == ".." || s.ends_with(".meta.json"));
        if bad {
            Err(Error::InvalidKey(key))
        } else {
            Ok(Key(key))
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One safe path segment: ASCII letters, digits, `.`, `-`, `_`; everything else
/// becomes `_`; never empty, `.` or `..`; at most 120 characters (keeping the extension).
///
/// ```
/// use blob_store::sanitise;
/// assert_eq!(sanitise("../../etc/passwd"), "_.._etc_passwd");
/// assert_eq!(sanitise("Rechnung März 2024.pdf"), "Rechnung_M_rz_2024.pdf");
/// assert_eq!(sanitise(".."), "_");
/// assert_eq!(sanitise(""), "_");
/// ```
pub fn sanitise(segment: &str) -> String {
    let mapped: String = segment
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // No hidden files, no `.` or `..`: leading dots become one `_`.
    let trimmed = mapped.trim_start_matches('.');
    let mut out = if trimmed.len() != mapped.len() {
        format!("_{trimmed}")
    } else {
        mapped
    };
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    if out.is_empty() {
        out.push('_');
    }
    if out.ends_with(".meta.json") {
        // Reserved for the local store's metadata files.
        out.push('_');
    }
    if out.len() > 120 {
        let ext = out
            .rfind('.')
            .map(|i| out[i..].to_owned())
            .filter(|e| e.len() <= 10)
            .unwrap_or_default();
        out.truncate(120 - ext.len());
        out.push_str(&ext);
    }
    out
}

/// The key of a receipt file: `{year}/{month}/{day}/{message_id}/{filename}`,
/// with the message id's angle brackets dropped and both parts sanitised (the
/// original file name belongs in [`Metadata::original_filename`](crate::Metadata)).
pub fn receipt_key(date: time::Date, message_id: &str, filename: &str) -> Key {
    let id = sanitise(
        message_id
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .replace('@', "_")
            .as_str(),
    );
    Key(format!(
        "{:04}/{:02}/{:02}/{id}/{}",
        date.year(),
        u8::from(date.month()),
        date.day(),
        sanitise(filename)
    ))
}
