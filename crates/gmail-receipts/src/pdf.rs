//! PDF attachments: found in a message, their text read on a separate thread
//! with size and time caps, because PDF parsers are slow or panic on the
//! malformed files real mailboxes hold.

use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use mail_parser::{MessageParser, MimeHeaders};

/// A PDF attached to a message, with the name the sender gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfAttachment {
    /// The attachment's file name, when the message names it.
    pub filename: Option<String>,
    /// The PDF bytes, for the blob store.
    pub bytes: Vec<u8>,
}

/// Caps on reading one PDF.
///
/// ```
/// use std::time::Duration;
/// let limits = gmail_receipts::PdfLimits::default().max_bytes(5 << 20).timeout(Duration::from_secs(2));
/// assert_eq!(limits.max_bytes, 5 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdfLimits {
    /// Larger PDFs are not read (default 20 MiB).
    pub max_bytes: usize,
    /// Reading longer than this gives up (default 10 s).
    pub timeout: Duration,
    /// PDFs whose compressed streams inflate to more than this in all are
    /// not read (default 64 MiB): a small file can hold gigabytes.
    pub max_inflated: usize,
}

impl Default for PdfLimits {
    fn default() -> Self {
        PdfLimits {
            max_bytes: 20 << 20,
            timeout: Duration::from_secs(10),
            max_inflated: 64 << 20,
        }
    }
}

impl PdfLimits {
    /// Sets the size cap.
    pub fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Sets the time cap.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the cap on what the PDF's streams inflate to.
    pub fn max_inflated(mut self, max_inflated: usize) -> Self {
        self.max_inflated = max_inflated;
        self
    }
}

/// Why a PDF's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// The PDF is larger than [`PdfLimits::max_bytes`].
    #[error("PDF of {size} bytes is larger than the {limit}-byte cap")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The cap.
        limit: usize,
    },
    /// Its compressed streams inflate past [`PdfLimits::max_inflated`].
    #[error("the PDF's streams inflate to more than {limit} bytes")]
    InflatesTooMuch {
        /// The cap.
        limit: usize,
    },
    /// Reading took longer than [`PdfLimits::timeout`].
    #[error("reading the PDF took longer than {0:?}")]
    TimedOut(Duration),
    /// Readers that ran past their timeout are still running: no more are
    /// started until they end (each holds a core and its memory).
    #[error("{0} PDF readers that timed out are still running; not reading more")]
    Overloaded(usize),
    /// Neither reader could parse it.
    #[error("unreadable PDF: {0}")]
    Unreadable(String),
    /// It parsed but holds no text (a scanned image, say).
    #[error("the PDF holds no text")]
    NoText,
}

/// The PDFs attached to a raw message (by content type, or a `.pdf` name
/// with a generic type).
///
/// ```
/// let raw = b"From: a@b.example\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--B--\r\n";
/// let pdfs = gmail_receipts::pdf_attachments(raw);
/// assert_eq!(pdfs.len(), 1);
/// assert_eq!(pdfs[0].filename.as_deref(), Some("invoice.pdf"));
/// assert!(pdfs[0].bytes.starts_with(b"%PDF"));
/// ```
pub fn pdf_attachments(raw: &[u8]) -> Vec<PdfAttachment> {
    // Most mail has no PDF: skip the second MIME parse unless `/pdf` or `.pdf` appears.
    let mentions_pdf = raw
        .windows(4)
        .any(|w| matches!(w[0], b'/' | b'.') && w[1..].eq_ignore_ascii_case(b"pdf"));
    if !mentions_pdf {
        return Vec::new();
    }
    let Some(message) = MessageParser::default().parse(raw) else {
        return Vec::new();
    };
    message
        .attachments()
        .filter(|part| {
            let named_pdf = part
                .attachment_name()
                .is_some_and(|n| n.to_ascii_lowercase().ends_with(".pdf"));
            match part.content_type() {
                Some(ct) => match (ct.ctype(), ct.subtype()) {
                    (t, Some(s)) if t.eq_ignore_ascii_case("application") => {
                        s.eq_ignore_ascii_case("pdf")
                            || (named_pdf
                                && (s.eq_ignore_ascii_case("octet-stream")
                                    || s.eq_ignore_ascii_case("x-pdf")))
                    }
                    _ => false,
                },
                None => named_pdf,
            }
        })
        .map(|part| PdfAttachment {
            filename: part.attachment_name().map(str::to_owned),
            bytes: part.contents().to_vec(),
        })
        .collect()
}

fn read(bytes: &[u8]) -> Result<String, PdfError> {
    let first = pdf_extract::extract_text_from_mem(bytes);
    if let Ok(text) = &first
        && !text.trim().is_empty()
    {
        return Ok(text.clone());
    }
    // pdf-extract gives up on some encodings lopdf reads; and the reverse.
    let fallback = pdf_extract::Document::load_mem(bytes).and_then(|doc| {
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        doc.extract_text(&pages)
    });
    match (first, fallback) {
        (_, Ok(text)) if !text.trim().is_empty() => Ok(text),
        (Ok(_), _) | (_, Ok(_)) => Err(PdfError::NoText),
        (Err(e), Err(_)) => Err(PdfError::Unreadable(e.to_string())),
    }
}

/// The text of a PDF, read on its own thread within `limits`.
///
/// A reader that panics on a malformed file gives [`PdfError::Unreadable`];
/// one that runs past the timeout is left to finish on its thread and the
/// caller gets [`PdfError::TimedOut`] at once.
///
/// ```
/// use gmail_receipts::{PdfError, PdfLimits, pdf_text};
/// assert!(matches!(pdf_text(b"not a pdf".to_vec(), PdfLimits::default()), Err(PdfError::Unreadable(_))));
/// assert!(matches!(pdf_text(vec![0; 64], PdfLimits::default().max_bytes(10)), Err(PdfError::TooLarge { size: 64, limit: 10 })));
/// ```
pub fn pdf_text(bytes: Vec<u8>, limits: PdfLimits) -> Result<String, PdfError> {
    if bytes.len() > limits.max_bytes {
        return Err(PdfError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    if !inflates_within(&bytes, limits.max_inflated) {
        return Err(PdfError::InflatesTooMuch {
            limit: limits.max_inflated,
        });
    }
    let stuck = STUCK_READERS.load(Ordering::SeqCst);
    if stuck >= MAX_STUCK_READERS {
        return Err(PdfError::Overloaded(stuck));
    }
    let (tx, rx) = mpsc::channel();
    let timed_out = Arc::new(AtomicBool::new(false));
    let gave_up = timed_out.clone();
    let spawned = std::thread::Builder::new()
        .name("pdf-text".into())
        .spawn(move || {
            // Counted out when it ends, if the caller stopped waiting for it.
            let _stuck = StuckGuard(gave_up);
            let result = std::panic::catch_unwind(|| read(&bytes)).unwrap_or_else(|panic| {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "the reader panicked".into());
                Err(PdfError::Unreadable(why))
            });
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(PdfError::Unreadable(format!("no thread to read on: {e}")));
    }
    match rx.recv_timeout(limits.timeout) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            if !timed_out.swap(true, Ordering::SeqCst) {
                STUCK_READERS.fetch_add(1, Ordering::SeqCst);
            }
            Err(PdfError::TimedOut(limits.timeout))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(PdfError::Unreadable("the reader stopped".into()))
        }
    }
}

/// Readers that ran past their timeout and are still running.
static STUCK_READERS: AtomicUsize = AtomicUsize::new(0);

/// How many timed-out readers may still run before no more are started.
const MAX_STUCK_READERS: usize = 2;

/// Counts a reader out of [`STUCK_READERS`] when it ends, if it was counted in.
struct StuckGuard(Arc<AtomicBool>);

impl Drop for StuckGuard {
    fn drop(&mut self) {
        // Whoever sets the flag second does the counting: the caller counts
        // in on a timeout, the reader counts out when it ends late.
        if self.0.swap(true, Ordering::SeqCst) {
            STUCK_READERS.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Whether every compressed (`FlateDecode`) stream of the PDF inflates to
/// no more than `cap` bytes in all, inflating each into nothing: the
/// readers would inflate them into memory, and a few kilobytes can inflate
/// to gigabytes.
fn inflates_within(pdf: &[u8], cap: usize) -> bool {
    let mut left = cap as u64;
    let mut rest = pdf;
    while let Some(at) = find(rest, b"stream") {
        let after = &rest[at + b"stream".len()..];
        // `endstream` also holds `stream`: a data start needs its line break.
        let data = match after {
            [b'\r', b'\n', data @ ..] | [b'\n', data @ ..] | [b'\r', data @ ..] => data,
            _ => {
                rest = after;
                continue;
            }
        };
        let end = find(data, b"endstream").unwrap_or(data.len());
        let stream = &data[..end];
        if stream.len() > 2 && stream[0] == 0x78 {
            // A zlib header: count what it inflates to, up to what is left.
            let mut decoder = flate2::read::ZlibDecoder::new(stream).take(left + 1);
            let inflated = std::io::copy(&mut decoder, &mut std::io::sink()).unwrap_or(0);
            if inflated > left {
                return false;
            }
            left -= inflated;
        }
        rest = &data[end..];
    }
    true
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdf_with_stream(payload: &[u8]) -> Vec<u8> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut z, payload).unwrap();
        let stream = z.finish().unwrap();
        let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Length ".to_vec();
        pdf.extend_from_slice(stream.len().to_string().as_bytes());
        pdf.extend_from_slice(b" /Filter /FlateDecode >>\nstream\n");
        pdf.extend_from_slice(&stream);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        pdf
    }

    #[test]
    fn a_small_pdf_that_inflates_past_the_cap_is_not_read() {
        // 8 MiB of zeros in a file of about 8 KB, against a 1 MiB cap.
        let bomb = pdf_with_stream(&vec![0u8; 8 << 20]);
        assert!(bomb.len() < 64 << 10, "{}", bomb.len());
        let err = pdf_text(bomb, PdfLimits::default().max_inflated(1 << 20)).unwrap_err();
        assert_eq!(err, PdfError::InflatesTooMuch { limit: 1 << 20 });
        let fine = pdf_with_stream(b"BT /F1 12 Tf (Total 9.99) Tj ET");
        assert!(inflates_within(&fine, 1024));
    }
}
