//! `users.history.list`: what changed since a history id.

use futures_util::stream::Stream;

use super::paging::{paged_request, pages};
use super::{Gmail, GmailError, ListHistoryResponse};

/// `history.list` with its optional parameters (`historyTypes=messageAdded`
/// by default: new mail is what a receipt sync needs).
///
/// ```no_run
/// # async fn run(gmail: gmail_receipts::google::Gmail) -> Result<(), gmail_receipts::google::GmailError> {
/// use futures_util::TryStreamExt;
/// let pages: Vec<_> = gmail.list_history(123_456).stream().try_collect().await?;
/// let latest = pages.last().map(|p| p.history_id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct ListHistory<'a> {
    gmail: &'a Gmail,
    start_history_id: u64,
    history_types: Vec<String>,
    label_id: Option<String>,
    max_results: u32,
    page_token: Option<String>,
}

impl<'a> ListHistory<'a> {
    /// The change types to return (`messageAdded`, `labelAdded`, ...).
    pub fn history_types<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        self.history_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Only changes to messages with this label.
    pub fn label_id(mut self, label: impl Into<String>) -> Self {
        self.label_id = Some(label.into());
        self
    }

    /// Page size, 1 to 500 (default 500).
    pub fn max_results(mut self, n: u32) -> Self {
        self.max_results = n.clamp(1, 500);
        self
    }

    /// Starts from this page.
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    /// One page. A start id Gmail no longer has is [`GmailError::HistoryExpired`].
    pub async fn send(&self) -> Result<ListHistoryResponse, GmailError> {
        let mut query: Vec<(&str, String)> = vec![
            ("startHistoryId", self.start_history_id.to_string()),
            ("maxResults", self.max_results.to_string()),
        ];
        for t in &self.history_types {
            query.push(("historyTypes", t.clone()));
        }
        if let Some(label) = &self.label_id {
            query.push(("labelId", label.clone()));
        }
        if let Some(token) = &self.page_token {
            query.push(("pageToken", token.clone()));
        }
        let request = self
            .gmail
            .http
            .get(self.gmail.user_url("history"))
            .query(&query);
        match self.gmail.get_json("history.list", request).await {
            Err(GmailError::Api { status: 404, .. }) => Err(GmailError::HistoryExpired {
                start_history_id: self.start_history_id,
            }),
            other => other,
        }
    }

    /// Every page in order; the last page's `history_id` is the new checkpoint.
    pub fn stream(self) -> impl Stream<Item = Result<ListHistoryResponse, GmailError>> + 'a {
        pages(self)
    }
}

paged_request!(ListHistory, ListHistoryResponse);

impl Gmail {
    /// `history.list` from `start_history_id`.
    pub fn list_history(&self, start_history_id: u64) -> ListHistory<'_> {
        ListHistory {
            gmail: self,
            start_history_id,
            history_types: vec!["messageAdded".into()],
            label_id: None,
            max_results: 500,
            page_token: None,
        }
    }
}
