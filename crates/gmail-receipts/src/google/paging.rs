//! Walking a list method's pages by `pageToken`.

use std::future::Future;

use futures_util::stream::{self, Stream};

use super::GmailError;

/// A list request that fetches one page and names the request for the next.
pub(crate) trait PagedRequest: Clone {
    /// One page of the answer.
    type Page;

    /// Fetches this page.
    fn fetch(&self) -> impl Future<Output = Result<Self::Page, GmailError>> + Send;

    /// The request for the page after `page`, if Gmail gave a token.
    fn next_page(&self, page: &Self::Page) -> Option<Self>;
}

/// Every page from `first` on, until one has no next-page token (no cap).
pub(crate) fn pages<R: PagedRequest>(first: R) -> impl Stream<Item = Result<R::Page, GmailError>> {
    stream::try_unfold(Some(first), |state| async move {
        let Some(request) = state else {
            return Ok(None);
        };
        let page = request.fetch().await?;
        let next = request.next_page(&page);
        Ok(Some((page, next)))
    })
}
