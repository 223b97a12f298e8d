//! What an IMAP run can fail with.

/// Why an IMAP step failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImapError {
    /// The TCP connection could not be made.
    #[error("connecting to {host}:{port}: {source}")]
    Connect {
        /// The host.
        host: String,
        /// The port.
        port: u16,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// TLS could not be set up (bad certificate, unknown CA, bad roots file).
    #[error("TLS with {host}: {detail}")]
    Tls {
        /// The host.
        host: String,
        /// What went wrong.
        detail: String,
    },
    /// The server refused the user name or password.
    #[error(
        "the IMAP server refused the login: {message}. Gmail, Outlook.com, iCloud and Yahoo \
         need an app password (from the account's security settings), not the account password"
    )]
    Login {
        /// The server's words.
        message: String,
    },
    /// The mailbox could not be opened.
    #[error("opening mailbox {name:?}: {message}")]
    Mailbox {
        /// The mailbox.
        name: String,
        /// The server's words.
        message: String,
    },
    /// The server does not report a `UIDVALIDITY`, so UIDs cannot be trusted
    /// across sessions.
    #[error("mailbox {name:?} has no UIDVALIDITY; incremental reads are impossible")]
    NoUidValidity {
        /// The mailbox.
        name: String,
    },
    /// A message is larger than the configured cap; it was not fetched.
    #[error("message UID {uid} is {size} bytes, over the {limit}-byte cap; skipped")]
    TooLarge {
        /// Its UID.
        uid: u32,
        /// Its size.
        size: u32,
        /// The cap.
        limit: u32,
    },
    /// A network step took longer than the configured timeout.
    #[error("IMAP {step} timed out")]
    Timeout {
        /// What was being done.
        step: &'static str,
    },
    /// The server answered a command with an error, or the connection failed.
    #[error("IMAP {step}: {source}")]
    Protocol {
        /// What was being done.
        step: &'static str,
        /// The error.
        #[source]
        source: async_imap::error::Error,
    },
}

impl ImapError {
    pub(crate) fn protocol(step: &'static str) -> impl FnOnce(async_imap::error::Error) -> Self {
        move |source| ImapError::Protocol { step, source }
    }
}
