//! The batch endpoint: many `messages.get` in one HTTP request
//! (`multipart/mixed` in, `multipart/mixed` out). Each inner call still
//! costs its own quota units; a batch saves round trips, not quota.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use super::client::urlencode;
use super::error::google_reason;
use super::{Gmail, GmailError, Message, multipart, quota};
use crate::MailMessage;

/// Gmail accepts up to 100 calls a batch and advises no more than 50.
pub const MAX_BATCH: usize = 100;

/// Rounds for inner calls Gmail rate-limited before they are given up.
const INNER_ROUNDS: u32 = 6;

impl Gmail {
    /// Sends one batch of `messages.get?format=raw`; results keyed by message id.
    async fn batch_once(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, Result<MailMessage, GmailError>>, GmailError> {
        let boundary = format!("batch_spend_{:016x}", fastrand::u64(..));
        let mut body = String::new();
        for (n, id) in ids.iter().enumerate() {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <item-{n}>\r\n\r\nGET {}gmail/v1/users/{}/messages/{}?format=raw\r\n\r\n",
                self.base.path(),
                urlencode(&self.user),
                urlencode(id)
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        let mut url = self.base.clone();
        url.set_path(&format!("{}batch/gmail/v1", self.base.path()));
        let request = self
            .http
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/mixed; boundary={boundary}"),
            )
            .body(body);
        let units = quota::units("messages.get") * ids.len() as u32;
        // Every inner call is a GET: the batch is safe to send again.
        let operation = self.operation("batch").cost(units).idempotent(true);
        let response = self
            .http
            .send(operation, request)
            .await
            .map_err(|e| GmailError::from_http("batch", e))?;
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let boundary = multipart::boundary(&content_type).ok_or_else(|| {
            GmailError::decode("batch", format!("no boundary in {content_type:?}"))
        })?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| GmailError::Http(spend_http::Error::transport(e)))?;
        let mut out = HashMap::new();
        for part in multipart::parse(&bytes, &boundary) {
            let Some(n) = part
                .content_id
                .as_deref()
                .and_then(|c| c.strip_prefix("item-"))
                .and_then(|n| n.parse::<usize>().ok())
            else {
                continue;
            };
            let Some(id) = ids.get(n) else { continue };
            let status = part.status();
            let result = if (200..300).contains(&status) {
                serde_json::from_slice::<Message>(&part.body)
                    .map_err(|e| GmailError::decode("messages.get", e))
                    .and_then(|m| {
                        m.into_mail()
                            .map_err(|e| GmailError::decode("messages.get", e))
                    })
            } else {
                let (reason, message) = google_reason(&part.body);
                Err(GmailError::Api {
                    method: "messages.get",
                    status,
                    reason,
                    message,
                })
            };
            out.insert(id.clone(), result);
        }
        Ok(out)
    }

    /// Fetches many messages (`format=raw`) through the batch endpoint,
    /// `chunk` per request (at most [`MAX_BATCH`]). Inner calls that Gmail
    /// rate-limits or answers with a server error are sent again in a later
    /// batch after a backoff; results
    /// come back in `ids` order, one per id.
    ///
    /// ```no_run
    /// # async fn run(gmail: gmail_receipts::google::Gmail) -> Result<(), gmail_receipts::google::GmailError> {
    /// let ids = vec!["18c1f0a2b3c4d5e6".to_string(), "18c1f0a2b3c4d5e7".to_string()];
    /// for (id, message) in ids.iter().zip(gmail.batch_get_raw(&ids, 50).await?) {
    ///     println!("{id}: {} bytes", message?.raw.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn batch_get_raw(
        &self,
        ids: &[String],
        chunk: usize,
    ) -> Result<Vec<Result<MailMessage, GmailError>>, GmailError> {
        let chunk = chunk.clamp(1, MAX_BATCH);
        let mut done: HashMap<String, Result<MailMessage, GmailError>> = HashMap::new();
        // An id asked for twice is fetched once (`dedup` alone only drops
        // neighbours).
        let mut unique = HashSet::new();
        let mut pending: Vec<String> = ids
            .iter()
            .filter(|id| unique.insert(*id))
            .cloned()
            .collect();
        let mut round = 0;
        while !pending.is_empty() {
            let mut again = Vec::new();
            for group in pending.chunks(chunk) {
                for (id, result) in self.batch_once(group).await? {
                    let transient = matches!(&result, Err(e) if e.is_transient());
                    if transient && round + 1 < INNER_ROUNDS {
                        again.push(id);
                    } else {
                        done.insert(id, result);
                    }
                }
                for id in group {
                    if !done.contains_key(id) && !again.contains(id) {
                        done.insert(
                            id.clone(),
                            Err(GmailError::decode("batch", "no answer for this message")),
                        );
                    }
                }
            }
            if !again.is_empty() {
                round += 1;
                let ceiling = Duration::from_millis(500 << round.min(6));
                let wait = ceiling.mul_f64(0.5 + fastrand::f64() / 2.0);
                tracing::debug!(
                    count = again.len(),
                    ?wait,
                    "re-batching rate-limited messages"
                );
                tokio::time::sleep(wait).await;
            }
            pending = again;
        }
        Ok(ids
            .iter()
            .map(|id| {
                done.remove(id)
                    .unwrap_or_else(|| Err(GmailError::decode("batch", "duplicate id")))
            })
            .collect())
    }
}
