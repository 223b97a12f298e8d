//! Mailbox sources: mbox, Maildir, a folder of `.eml` files, and IMAP
//! (feature `imap`).

mod eml_dir;
#[cfg(feature = "imap")]
pub mod imap;
mod maildir;
mod mbox;

pub use eml_dir::EmlDir;
pub use maildir::Maildir;
pub use mbox::Mbox;

/// Messages larger than this are skipped with [`SourceError::TooLarge`](crate::SourceError)
/// (receipts are far smaller; it bounds memory on a corrupt export).
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// A message file's bytes, refused as [`SourceError::TooLarge`](crate::SourceError)
/// past [`MAX_MESSAGE`] without reading more than that.
///
/// ```
/// let path = std::env::temp_dir().join(format!("one-{}.eml", std::process::id()));
/// std::fs::write(&path, b"Subject: hi\r\n\r\nbody").unwrap();
/// assert_eq!(gmail_receipts::sources::read_capped(&path).unwrap().len(), 19);
/// # std::fs::remove_file(path).ok();
/// ```
pub fn read_capped(path: &std::path::Path) -> Result<Vec<u8>, crate::SourceError> {
    use std::io::Read;
    let io = |source| crate::SourceError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut raw = Vec::new();
    file.take(MAX_MESSAGE as u64 + 1)
        .read_to_end(&mut raw)
        .map_err(io)?;
    if raw.len() > MAX_MESSAGE {
        return Err(crate::SourceError::TooLarge {
            id: path.display().to_string(),
            limit: MAX_MESSAGE,
        });
    }
    Ok(raw)
}

/// The mailbox formats a path can hold, for front ends that take the format
/// as a word (`spend import mbox PATH`).
///
/// ```
/// use gmail_receipts::sources::SourceKind;
/// assert_eq!("maildir".parse::<SourceKind>().unwrap(), SourceKind::Maildir);
/// assert!("pst".parse::<SourceKind>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// One mbox file.
    Mbox,
    /// A Maildir folder.
    Maildir,
    /// A folder of `.eml` files (or one `.eml` file).
    Eml,
}

/// A boxed stream of messages from any source.
pub type Messages = Box<dyn Iterator<Item = Result<crate::MailMessage, crate::SourceError>> + Send>;

impl SourceKind {
    /// Opens `path` as this kind of source.
    ///
    /// ```no_run
    /// use gmail_receipts::sources::SourceKind;
    /// for message in SourceKind::Mbox.open("Takeout/Mail/All mail.mbox".as_ref())? {
    ///     println!("{}", message?.id);
    /// }
    /// # Ok::<(), gmail_receipts::SourceError>(())
    /// ```
    pub fn open(self, path: &std::path::Path) -> Result<Messages, crate::SourceError> {
        Ok(match self {
            SourceKind::Mbox => Box::new(Mbox::open(path)?),
            SourceKind::Maildir => Box::new(Maildir::open(path)?),
            SourceKind::Eml => Box::new(EmlDir::open(path)?),
        })
    }
}

impl std::str::FromStr for SourceKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "mbox" => Ok(SourceKind::Mbox),
            "maildir" => Ok(SourceKind::Maildir),
            "eml" => Ok(SourceKind::Eml),
            other => Err(format!(
                "unknown mailbox format {other:?}: expected mbox, maildir or eml"
            )),
        }
    }
}
