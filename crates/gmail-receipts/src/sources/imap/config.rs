//! Where and how to connect.

use std::time::Duration;

use secrecy::SecretString;

/// An IMAP account: host, user, app password and what to read.
///
/// ```
/// use gmail_receipts::sources::imap::ImapConfig;
/// let config = ImapConfig::new("imap.fastmail.com", "alex@example.org", "app-password")
///     .mailbox("Receipts")
///     .since(time::macros::date!(2024 - 01 - 01));
/// assert_eq!(config.port_number(), 993);
/// ```
#[derive(Clone)]
pub struct ImapConfig {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) username: String,
    pub(crate) password: SecretString,
    pub(crate) mailbox: String,
    pub(crate) since: Option<time::Date>,
    pub(crate) roots_pem: Option<Vec<u8>>,
    pub(crate) batch: usize,
    pub(crate) max_message: u32,
    pub(crate) timeout: Duration,
}

impl std::fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .field("mailbox", &self.mailbox)
            .field("since", &self.since)
            .field("custom_roots", &self.roots_pem.is_some())
            .field("batch", &self.batch)
            .finish_non_exhaustive()
    }
}

impl ImapConfig {
    /// An account on `host` (implicit TLS on port 993), `INBOX`, every date.
    /// `password` is an app password: Gmail, Outlook.com, iCloud and Yahoo
    /// refuse the account password over IMAP.
    pub fn new(
        host: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        ImapConfig {
            host: host.into(),
            port: 993,
            username: username.into(),
            password: SecretString::from(password.into()),
            mailbox: "INBOX".into(),
            since: None,
            roots_pem: None,
            batch: 50,
            max_message: crate::sources::MAX_MESSAGE as u32,
            timeout: Duration::from_secs(60),
        }
    }

    /// Another port (implicit TLS; STARTTLS on 143 is not offered).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The port connected to.
    pub fn port_number(&self) -> u16 {
        self.port
    }

    /// The mailbox to read (default `INBOX`; Gmail's everything is `[Gmail]/All Mail`).
    pub fn mailbox(mut self, name: impl Into<String>) -> Self {
        self.mailbox = name.into();
        self
    }

    /// Only messages the server received on or after this date (IMAP `SINCE`,
    /// which servers read in their own time zone).
    pub fn since(mut self, date: time::Date) -> Self {
        self.since = Some(date);
        self
    }

    /// Trusts exactly the CA certificates in `pem` instead of the system's
    /// roots (a self-hosted server with its own CA).
    pub fn root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.roots_pem = Some(pem.into());
        self
    }

    /// Messages fetched per command (default 50): bounds memory to about
    /// this many messages at a time.
    pub fn batch(mut self, messages: usize) -> Self {
        self.batch = messages.max(1);
        self
    }

    /// Messages larger than this many bytes are skipped, not fetched
    /// (default 64 MiB).
    pub fn max_message_bytes(mut self, bytes: u32) -> Self {
        self.max_message = bytes;
        self
    }

    /// How long one network step may take (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}
