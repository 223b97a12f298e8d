//! The batch endpoint: many `messages.get` in one HTTP request
//! (`multipart/mixed` in, `multipart/mixed` out). Each inner call still
//! costs its own quota units; a batch saves round trips, not quota.

use std::collections::HashMap;
use std::time::Duration;

use super::client::urlencode;
use super::error::google_reason;
use super::{Gmail, GmailError, Message, quota};
use crate::MailMessage;

/// Gmail accepts up to 100 calls a batch and advises no more than 50.
pub const MAX_BATCH: usize = 100;

/// Rounds for inner calls Gmail rate-limited before they are given up.
const INNER_ROUNDS: u32 = 6;

struct Part {
    content_id: Option<String>,
    status: u16,
    body: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splits a block at its first blank line into (headers, body).
fn split_head(block: &[u8]) -> (&[u8], &[u8]) {
    match (find(block, b"\r\n\r\n"), find(block, b"\n\n")) {
        (Some(a), Some(b)) if b < a => (&block[..b], &block[b + 2..]),
        (Some(a), _) => (&block[..a], &block[a + 4..]),
        (None, Some(b)) => (&block[..b], &block[b + 2..]),
        (None, None) => (block, &[]),
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The parts of a batch response body.
fn parse_parts(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        rest = &rest[at + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let end = find(rest, delimiter.as_bytes()).unwrap_or(rest.len());
        let block = &rest[..end];
        let (outer_head, inner) = split_head(block.trim_ascii_start());
        let outer_head = String::from_utf8_lossy(outer_head);
        let (inner_head, inner_body) = split_head(inner);
        let inner_head = String::from_utf8_lossy(inner_head);
        let status = inner_head
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        parts.push(Part {
            content_id: header(&outer_head, "content-id").map(|v| {
                v.trim_matches(|c| c == '<' || c == '>')
                    .trim_start_matches("response-")
                    .to_owned()
            }),
            status,
            body: inner_body.trim_ascii_end().to_vec(),
        });
        rest = &rest[end..];
    }
    parts
}

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
        let boundary = content_type
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))
            .map(|b| b.trim_matches('"').to_owned())
            .ok_or_else(|| {
                GmailError::decode("batch", format!("no boundary in {content_type:?}"))
            })?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| GmailError::Http(spend_http::Error::Transport(e)))?;
        let mut out = HashMap::new();
        for part in parse_parts(&bytes, &boundary) {
            let Some(n) = part
                .content_id
                .as_deref()
                .and_then(|c| c.strip_prefix("item-"))
                .and_then(|n| n.parse::<usize>().ok())
            else {
                continue;
            };
            let Some(id) = ids.get(n) else { continue };
            let result = if (200..300).contains(&part.status) {
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
                    status: part.status,
                    reason,
                    message,
                })
            };
            out.insert(id.clone(), result);
        }
        Ok(out)
    }

    /// Fetches many messages (`format=raw`) through the batch endpoint,
    /// `chunk` per request (at most [`MAX_BATCH`]). Inner calls Gmail
    /// rate-limits are sent again in a later batch after a backoff; results
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
        let mut pending: Vec<String> = ids.to_vec();
        pending.dedup();
        let mut round = 0;
        while !pending.is_empty() {
            let mut again = Vec::new();
            for group in pending.chunks(chunk) {
                for (id, result) in self.batch_once(group).await? {
                    let limited = matches!(&result, Err(e) if e.is_rate_limited());
                    if limited && round + 1 < INNER_ROUNDS {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_read_from_a_google_style_response() {
        let body = b"--batch_xyz\r\nContent-Type: application/http\r\nContent-ID: <response-item-1>\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{\"error\":{\"code\":404,\"message\":\"Requested entity was not found.\",\"errors\":[{\"reason\":\"notFound\"}]}}\r\n--batch_xyz\r\nContent-Type: application/http\r\nContent-ID: <response-item-0>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"id\":\"a\",\"raw\":\"U3ViamVjdDogaGkNCg0KYm9keQ\"}\r\n--batch_xyz--\r\n";
        let parts = parse_parts(body, "batch_xyz");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].content_id.as_deref(), Some("item-1"));
        assert_eq!(parts[0].status, 404);
        assert_eq!(google_reason(&parts[0].body).0.as_deref(), Some("notFound"));
        assert_eq!(parts[1].status, 200);
        let message: Message = serde_json::from_slice(&parts[1].body).unwrap();
        assert_eq!(message.into_mail().unwrap().raw, b"Subject: hi\r\n\r\nbody");
    }
}
