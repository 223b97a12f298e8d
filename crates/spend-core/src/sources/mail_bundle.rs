//! A mailbox folder packed into one blob, so that a worker on another
//! machine reads the same messages, with the same ids and flags, in the same
//! order as a direct import of the folder where it was queued.
//!
//! Each message is a line of JSON (`{"id":..,"labels":[..],"len":N}`)
//! followed by its `N` raw bytes; a message that could not be read where
//! the folder was packed is a line `{"skipped":"why"}`, so the worker skips
//! it with the same reason a direct import gives.

use gmail_receipts::MailMessage;
use gmail_receipts::sources::Messages;

type ReadError = gmail_receipts::SourceError;

#[derive(serde::Serialize, serde::Deserialize)]
struct Frame {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    labels: Vec<String>,
    #[serde(default)]
    len: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    skipped: Option<String>,
}

/// Packs `messages` (as a mailbox source yields them) into one bundle.
pub(crate) fn pack(messages: Messages) -> Vec<u8> {
    let mut out = Vec::new();
    for item in messages {
        let (frame, raw) = match item {
            Ok(m) => (
                Frame {
                    id: Some(m.id),
                    labels: m.labels,
                    len: m.raw.len(),
                    skipped: None,
                },
                m.raw,
            ),
            Err(e) => (
                Frame {
                    id: None,
                    labels: Vec::new(),
                    len: 0,
                    skipped: Some(e.to_string()),
                },
                Vec::new(),
            ),
        };
        // A frame of strings and numbers always serialises.
        out.extend(serde_json::to_vec(&frame).unwrap_or_default());
        out.push(b'\n');
        out.extend(raw);
    }
    out
}

/// The messages of a bundle made by [`pack`]; `name` names it in errors.
pub(crate) fn unpack(bundle: Vec<u8>, name: String) -> Messages {
    Box::new(Unpack {
        bundle,
        at: 0,
        name,
        broken: false,
    })
}

struct Unpack {
    bundle: Vec<u8>,
    at: usize,
    name: String,
    broken: bool,
}

impl Unpack {
    fn broken(&mut self, why: String) -> Option<Result<MailMessage, ReadError>> {
        self.broken = true;
        Some(Err(ReadError::NotFormat {
            path: self.name.clone(),
            format: "a mail bundle",
            why,
        }))
    }
}

impl Iterator for Unpack {
    type Item = Result<MailMessage, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.broken || self.at >= self.bundle.len() {
            return None;
        }
        let at = self.at;
        let rest = &self.bundle[at..];
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            return self.broken(format!("no frame line at byte {at}"));
        };
        let frame: Frame = match serde_json::from_slice(&rest[..end]) {
            Ok(f) => f,
            Err(e) => return self.broken(format!("frame at byte {at}: {e}")),
        };
        let start = at + end + 1;
        let Some(stop) = start
            .checked_add(frame.len)
            .filter(|&s| s <= self.bundle.len())
        else {
            return self.broken(format!("message at byte {start} runs past the end"));
        };
        self.at = stop;
        if let Some(why) = frame.skipped {
            return Some(Err(ReadError::Io {
                path: self.name.clone(),
                source: std::io::Error::other(why),
            }));
        }
        let Some(id) = frame.id else {
            return self.broken(format!("frame at byte {at} has no id"));
        };
        Some(Ok(MailMessage {
            labels: frame.labels,
            ..MailMessage::new(id, self.bundle[start..stop].to_vec())
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_gives_back_ids_flags_bytes_and_skips_in_order() {
        let messages: Vec<Result<MailMessage, ReadError>> = vec![
            Ok(MailMessage {
                labels: vec!["S".into()],
                ..MailMessage::new("1700000000.M1.host", b"Subject: a\r\n\r\nbody\n".to_vec())
            }),
            Err(ReadError::TooLarge {
                id: "big".into(),
                limit: 10,
            }),
            Ok(MailMessage::new(
                "/home/alex/mail/b.eml",
                b"{\n\"not\": json}\n".to_vec(),
            )),
        ];
        let bundle = pack(Box::new(messages.into_iter()));
        let back: Vec<_> = unpack(bundle.clone(), "queued".into()).collect();
        assert_eq!(back.len(), 3);
        let first = back[0].as_ref().unwrap();
        assert_eq!(
            (
                first.id.as_str(),
                first.labels.clone(),
                first.raw.as_slice()
            ),
            (
                "1700000000.M1.host",
                vec!["S".to_string()],
                &b"Subject: a\r\n\r\nbody\n"[..]
            )
        );
        let skipped = back[1].as_ref().unwrap_err().to_string();
        assert!(
            skipped.contains("message big is larger than 10 bytes"),
            "{skipped}"
        );
        assert_eq!(back[2].as_ref().unwrap().raw, b"{\n\"not\": json}\n");

        let cut = unpack(bundle[..bundle.len() - 3].to_vec(), "queued".into())
            .last()
            .unwrap()
            .unwrap_err()
            .to_string();
        assert!(
            cut.contains("queued is not a mail bundle") && cut.contains("past the end"),
            "{cut}"
        );
    }
}
