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

/// Implements [`PagedRequest`] for a list builder whose `send` answers one
/// page carrying `next_page_token`, and whose `page_token` asks for a page.
macro_rules! paged_request {
    ($request:ident, $page:ty) => {
        impl $crate::google::paging::PagedRequest for $request<'_> {
            type Page = $page;

            fn fetch(
                &self,
            ) -> impl std::future::Future<Output = Result<Self::Page, $crate::google::GmailError>> + Send
            {
                self.send()
            }

            fn next_page(&self, page: &Self::Page) -> Option<Self> {
                let token = page.next_page_token.clone()?;
                Some(self.clone().page_token(token))
            }
        }
    };
}
pub(crate) use paged_request;
