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
    /// Bytes seen before the first separator (a file that never has one is no mbox).
    preamble: usize,
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
            preamble: 0,
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
            let read = match read_line_capped(&mut self.reader, &mut self.line, LINE_CAP) {
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
                        // Bytes but no separator line: not an mbox at all.
                        return (self.preamble > 0).then(|| {
                            Err(SourceError::NotFormat {
                                path: self.name.clone(),
                                format: "an mbox",
                                why: format!(
                                    "{} bytes and no line starting with \"From \"",
                                    self.preamble
                                ),
                            })
                        });
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
                self.preamble += usize::from(!self.started) * read;
                continue;
            }
            if message.len() + read > MAX_MESSAGE {
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

/// The most of one line kept: a line is never longer than a message may be,
/// and a file without line breaks must not be read into memory whole.
const LINE_CAP: usize = MAX_MESSAGE + 1;

/// Reads one line (through its `\n`) into `line`, keeping at most `cap`
/// bytes of it; returns how many bytes the line had.
fn read_line_capped(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let buffer = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            return Ok(total);
        }
        let (chunk, done) = match buffer.iter().position(|b| *b == b'\n') {
            Some(at) => (&buffer[..=at], true),
            None => (buffer, false),
        };
        let room = cap.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        total += used;
        reader.consume(used);
        if done {
            return Ok(total);
        }
    }
}
