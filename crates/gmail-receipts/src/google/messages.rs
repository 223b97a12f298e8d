//! `users.messages`: list (paged, as a stream), get, and attachments.

use futures_util::TryStreamExt;
use futures_util::stream::{self, Stream};

use super::client::urlencode;
use super::paging::{paged_request, pages};
use super::{Gmail, GmailError, ListMessagesResponse, Message, MessagePartBody, MessageRef};

/// Gmail's largest page for `messages.list`.
pub const MAX_PAGE: u32 = 500;

/// How much of a message `messages.get` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// The whole RFC 5322 message, base64url, in `raw` (the default here).
    #[default]
    Raw,
    /// The parsed MIME tree in `payload`, attachments by id.
    Full,
    /// Ids, labels and headers only.
    Metadata,
    /// Ids and labels only.
    Minimal,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Format::Raw => "raw",
            Format::Full => "full",
            Format::Metadata => "metadata",
            Format::Minimal => "minimal",
        }
    }
}

/// `messages.list` with its optional parameters.
///
/// ```no_run
/// # async fn run(gmail: gmail_receipts::google::Gmail) -> Result<(), gmail_receipts::google::GmailError> {
/// use futures_util::TryStreamExt;
/// let ids: Vec<_> = gmail
///     .list_messages()
///     .q("subject:receipt after:1704067200")
///     .max_results(500)
///     .stream()
///     .try_collect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct ListMessages<'a> {
    gmail: &'a Gmail,
    q: Option<String>,
    label_ids: Vec<String>,
    max_results: u32,
    page_token: Option<String>,
    include_spam_trash: bool,
}

impl<'a> ListMessages<'a> {
    /// Gmail search syntax (`from:`, `subject:`, `after:`, ...).
    pub fn q(mut self, q: impl Into<String>) -> Self {
        self.q = Some(q.into());
        self
    }

    /// Only messages with all of these labels.
    pub fn label_id(mut self, label: impl Into<String>) -> Self {
        self.label_ids.push(label.into());
        self
    }

    /// Page size, 1 to 500 (default 500).
    pub fn max_results(mut self, n: u32) -> Self {
        self.max_results = n.clamp(1, MAX_PAGE);
        self
    }

    /// Starts from this page.
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    /// Includes Spam and Trash.
    pub fn include_spam_trash(mut self, include: bool) -> Self {
        self.include_spam_trash = include;
        self
    }

    /// One page.
    pub async fn send(&self) -> Result<ListMessagesResponse, GmailError> {
        let mut query: Vec<(&str, String)> = vec![("maxResults", self.max_results.to_string())];
        if let Some(q) = &self.q {
            query.push(("q", q.clone()));
        }
        for label in &self.label_ids {
            query.push(("labelIds", label.clone()));
        }
        if let Some(token) = &self.page_token {
            query.push(("pageToken", token.clone()));
        }
        if self.include_spam_trash {
            query.push(("includeSpamTrash", "true".into()));
        }
        let request = self
            .gmail
            .http
            .get(self.gmail.user_url("messages"))
            .query(&query);
        self.gmail.get_json("messages.list", request).await
    }

    /// Every matching message, page after page, until Gmail has no next page
    /// (no cap: a mailbox of 200,000 receipts gives 200,000 items).
    pub fn stream(self) -> impl Stream<Item = Result<MessageRef, GmailError>> + 'a {
        pages(self)
            .map_ok(|page| stream::iter(page.messages.into_iter().map(Ok)))
            .try_flatten()
    }
}

paged_request!(ListMessages, ListMessagesResponse);

impl Gmail {
    /// `messages.list`.
    pub fn list_messages(&self) -> ListMessages<'_> {
        ListMessages {
            gmail: self,
            q: None,
            label_ids: Vec::new(),
            max_results: MAX_PAGE,
            page_token: None,
            include_spam_trash: false,
        }
    }

    /// `messages.get` in `format`.
    pub async fn get_message(&self, id: &str, format: Format) -> Result<Message, GmailError> {
        let request = self
            .http
            .get(self.user_url(&format!("messages/{}", urlencode(id))))
            .query(&[("format", format.as_str())]);
        self.get_json("messages.get", request).await
    }

    /// `messages.get` with `format=raw`, decoded: the message as every source yields it.
    pub async fn get_raw(&self, id: &str) -> Result<crate::MailMessage, GmailError> {
        self.get_message(id, Format::Raw)
            .await?
            .into_mail()
            .map_err(|e| GmailError::decode("messages.get", e))
    }

    /// `messages.attachments.get`: an attachment's bytes.
    pub async fn get_attachment(
        &self,
        message_id: &str,
        attachment_id: &str,
    ) -> Result<Vec<u8>, GmailError> {
        let request = self.http.get(self.user_url(&format!(
            "messages/{}/attachments/{}",
            urlencode(message_id),
            urlencode(attachment_id)
        )));
        let body: MessagePartBody = self.get_json("messages.attachments.get", request).await?;
        body.bytes()
            .map_err(|e| GmailError::decode("messages.attachments.get", e))
    }
}
