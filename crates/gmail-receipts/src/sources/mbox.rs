//! mbox (mboxo and mboxrd, as Google Takeout writes it), read as a stream:
//! memory holds one message at a time, whatever the file's size.

use std::io::BufRead;

use super::MAX_MESSAGE;
use crate::{MailMessage, SourceError};

/// Messages of an mbox, one at a time. Separator lines start with `From `;
/// body lines escaped as `>From ` (mboxrd, any number of `>`) lose one `>`.
///
/// ```
/// use gmail_receipts::sources::Mbox;
/// let mbox = b"From a Mon Jan 1 00:00:00 2024\nSubject: one\n\n>From here\nFrom b Mon Jan 1 00:00:00 2024\nSubject: two\n\nbody\n";
/// let messages: Vec<_> = Mbox::new(&mbox[..]).map(Result::unwrap).collect();
/// assert_eq!(messages.len(), 2);
/// assert_eq!(messages[0].raw, b"Subject: one\n\nFrom here\n");
/// assert_eq!(messages[1].id, "#2");
/// ```
pub struct Mbox<R> {
    reader: R,
    name: String,
    count: usize,
    line: Vec<u8>,
    started: bool,
    done: bool,
}

impl<R: BufRead> Mbox<R> {
    /// Messages read from `reader`.
    pub fn new(reader: R) -> Self {
        Mbox::named(reader, "")
    }

    /// As [`new`](Self::new), with ids `NAME#1`, `NAME#2`, ...
    pub fn named(reader: R, name: impl Into<String>) -> Self {
        Mbox {
            reader,
            name: name.into(),
            count: 0,
            line: Vec::with_capacity(1024),
            started: false,
            done: false,
        }
    }
}

impl Mbox<std::io::BufReader<std::fs::File>> {
    /// Messages of the mbox file at `path`.
    pub fn open(path: &std::path::Path) -> Result<Self, SourceError> {
        let file = std::fs::File::open(path).map_err(|source| SourceError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Mbox::named(
            std::io::BufReader::with_capacity(1 << 20, file),
            path.display().to_string(),
        ))
    }
}

impl<R: BufRead> Iterator for Mbox<R> {
    type Item = Result<MailMessage, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut message: Vec<u8> = Vec::new();
        let mut too_large = false;
        loop {
            self.line.clear();
            let read = match self.reader.read_until(b'\n', &mut self.line) {
                Ok(n) => n,
                Err(source) => {
                    self.done = true;
                    return Some(Err(SourceError::Io {
                        path: self.name.clone(),
                        source,
                    }));
                }
            };
            let at_end = read == 0;
            if at_end || self.line.starts_with(b"From ") {
                self.done = at_end;
                if !self.started {
                    if at_end {
                        return None;
                    }
                    // The first separator opens the first message.
                    self.started = true;
                    continue;
                }
                // A separator closes the current message and opens the next one.
                self.count += 1;
                let id = format!("{}#{}", self.name, self.count);
                return Some(if too_large {
                    Err(SourceError::TooLarge {
                        id,
                        limit: MAX_MESSAGE,
                    })
                } else {
                    Ok(MailMessage::new(id, message))
                });
            }
            if !self.started || too_large {
                // Text before the first separator is not a message; an oversized one is dropped.
                continue;
            }
            if message.len() + self.line.len() > MAX_MESSAGE {
                too_large = true;
                message = Vec::new();
                continue;
            }
            let quoted = self.line.iter().take_while(|b| **b == b'>').count();
            if quoted > 0 && self.line[quoted..].starts_with(b"From ") {
                message.extend_from_slice(&self.line[1..]);
            } else {
                message.extend_from_slice(&self.line);
            }
        }
    }
}
