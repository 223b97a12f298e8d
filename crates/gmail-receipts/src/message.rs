//! The message every source yields.

/// One message from any source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailMessage {
    /// A stable id within its source (`path#3` for the third message of an mbox,
    /// the file name in a Maildir, the Gmail id for the API).
    pub id: String,
    /// The Gmail thread id, when the source has one.
    pub thread_id: Option<String>,
    /// The Gmail history id, when the source has one.
    pub history_id: Option<u64>,
    /// Milliseconds since the epoch the provider received it, when known.
    pub internal_date: Option<i64>,
    /// Labels or Maildir flags.
    pub labels: Vec<String>,
    /// The raw RFC 5322 bytes.
    pub raw: Vec<u8>,
}

impl MailMessage {
    /// A message with only an id and its bytes.
    pub fn new(id: impl Into<String>, raw: Vec<u8>) -> Self {
        MailMessage {
            id: id.into(),
            thread_id: None,
            history_id: None,
            internal_date: None,
            labels: Vec::new(),
            raw,
        }
    }
}

/// Why a source could not yield a message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// Reading failed.
    #[error("reading {path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A message larger than the source's cap was skipped.
    #[error("message {id} is larger than {limit} bytes; skipped")]
    TooLarge {
        /// Its id.
        id: String,
        /// The cap.
        limit: usize,
    },
    /// The file is not in the format it was opened as (an mbox without a
    /// single `From ` separator line).
    #[error("{path} is not {format}: {why}")]
    NotFormat {
        /// The file.
        path: String,
        /// The format (`an mbox`).
        format: &'static str,
        /// What was wrong.
        why: String,
    },
}
