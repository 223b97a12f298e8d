//! Maildir: `cur/` and `new/` folders, one file per message, flags after `:2,`.

use std::path::{Path, PathBuf};

use super::read_capped;
use crate::{MailMessage, SourceError};

/// Messages of a Maildir (`cur` and `new`), sorted by file name; flags
/// (`S` seen, `R` replied, ...) become labels.
pub struct Maildir {
    files: std::vec::IntoIter<PathBuf>,
}

impl Maildir {
    /// The Maildir at `root`.
    pub fn open(root: &Path) -> Result<Self, SourceError> {
        let mut files = Vec::new();
        for sub in ["cur", "new"] {
            let dir = root.join(sub);
            let entries = std::fs::read_dir(&dir).map_err(|source| SourceError::Io {
                path: dir.display().to_string(),
                source,
            })?;
            files.extend(
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file()),
            );
        }
        files.sort();
        Ok(Maildir {
            files: files.into_iter(),
        })
    }
}

impl Iterator for Maildir {
    type Item = Result<MailMessage, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        let path = self.files.next()?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Some(read_capped(&path).map(|raw| {
            let flags = name
                .rsplit_once(":2,")
                .map(|(_, f)| f.chars().map(|c| c.to_string()).collect())
                .unwrap_or_default();
            MailMessage {
                labels: flags,
                ..MailMessage::new(name.split(":2,").next().unwrap_or(&name), raw)
            }
        }))
    }
}
