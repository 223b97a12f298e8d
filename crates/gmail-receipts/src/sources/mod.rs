//! Mailbox sources: mbox, Maildir, a folder of `.eml` files.

mod eml_dir;
mod maildir;
mod mbox;

pub use eml_dir::EmlDir;
pub use maildir::Maildir;
pub use mbox::Mbox;

/// Messages larger than this are skipped with [`SourceError::TooLarge`](crate::SourceError)
/// (receipts are far smaller; it bounds memory on a corrupt export).
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;
