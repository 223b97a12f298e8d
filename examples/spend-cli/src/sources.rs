//! Where `spend parse` takes messages from: files, folders, mbox files and
//! bare HTML, walked lazily so memory holds one message at a time.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use gmail_receipts::sources::{Mbox, read_capped};

/// One message to parse, or an input that could not be read.
pub enum Item {
    /// Raw RFC 5322 bytes.
    Message { source: String, bytes: Vec<u8> },
    /// A bare HTML body.
    Html { source: String, html: String },
    /// A file, folder or message that could not be read.
    Unreadable { source: String, error: String },
}

fn has_extension(path: &Path, names: &[&str]) -> bool {
    path.extension()
        .is_some_and(|e| names.iter().any(|n| e.eq_ignore_ascii_case(n)))
}

/// Whether the file is an mbox: by its extension, or its first line.
fn is_mbox(path: &Path) -> bool {
    if has_extension(path, &["mbox"]) {
        return true;
    }
    let mut head = [0u8; 5];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| &head == b"From ")
}

/// Every message under the given paths, in a stable order, one at a time.
/// Folders are read in name order; symbolic links to folders are not
/// followed (a link back up would never end), and in folders only message
/// files (`.eml`, `.msg`, `.mbox`, `.html`) are read.
pub struct Items {
    /// Paths still to read, with whether they were named (a named file is
    /// read whatever its extension).
    pending: VecDeque<(PathBuf, bool)>,
    mbox: Option<Mbox<std::io::BufReader<std::fs::File>>>,
}

/// The messages under `paths`.
pub fn items(paths: &[PathBuf]) -> Items {
    Items {
        pending: paths.iter().map(|p| (p.clone(), true)).collect(),
        mbox: None,
    }
}

impl Iterator for Items {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(mbox) = &mut self.mbox {
                match mbox.next() {
                    Some(Ok(message)) => {
                        return Some(Item::Message {
                            source: message.id,
                            bytes: message.raw,
                        });
                    }
                    Some(Err(e)) => {
                        return Some(Item::Unreadable {
                            source: String::new(),
                            error: e.to_string(),
                        });
                    }
                    None => self.mbox = None,
                }
            }
            let (path, named) = self.pending.pop_front()?;
            if let Some(item) = self.open(&path, named) {
                return Some(item);
            }
        }
    }
}

impl Items {
    /// Reads `path`: a message, or an error; `None` when it was a folder
    /// (its entries queued), an mbox (now being read) or a file passed over.
    fn open(&mut self, path: &Path, named: bool) -> Option<Item> {
        let source = path.display().to_string();
        let unreadable = |error: String| {
            Some(Item::Unreadable {
                source: source.clone(),
                error,
            })
        };
        let meta = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) => return unreadable(e.to_string()),
        };
        // A named symlink is followed once; one met inside a folder is not.
        let is_dir = if meta.file_type().is_symlink() && named {
            path.is_dir()
        } else {
            meta.is_dir()
        };
        if is_dir {
            let entries = match std::fs::read_dir(path) {
                Ok(entries) => entries,
                Err(e) => return unreadable(e.to_string()),
            };
            let mut found: Vec<PathBuf> = Vec::new();
            for entry in entries {
                match entry {
                    Ok(entry) => {
                        let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
                        if is_link && entry.path().is_dir() {
                            continue;
                        }
                        found.push(entry.path());
                    }
                    Err(e) => return unreadable(e.to_string()),
                }
            }
            found.sort();
            for entry in found.into_iter().rev() {
                self.pending.push_front((entry, false));
            }
            return None;
        }
        if !named && !has_extension(path, &["eml", "mbox", "html", "htm", "msg"]) {
            return None;
        }
        if is_mbox(path) {
            match Mbox::open(path) {
                Ok(mbox) => self.mbox = Some(mbox),
                Err(e) => return unreadable(e.to_string()),
            }
            return None;
        }
        let bytes = match read_capped(path) {
            Ok(bytes) => bytes,
            Err(e) => return unreadable(e.to_string()),
        };
        if has_extension(path, &["html", "htm"]) {
            return Some(Item::Html {
                source,
                html: String::from_utf8_lossy(&bytes).into_owned(),
            });
        }
        Some(Item::Message { source, bytes })
    }
}
