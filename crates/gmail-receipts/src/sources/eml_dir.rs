//! A folder of `.eml` files, read recursively.

use std::path::{Path, PathBuf};

use crate::{MailMessage, SourceError};

/// Every `.eml` file under a folder, in path order; ids are the paths.
pub struct EmlDir {
    files: std::vec::IntoIter<PathBuf>,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SourceError> {
    let entries = std::fs::read_dir(dir).map_err(|source| SourceError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("eml"))
        {
            out.push(path);
        }
    }
    Ok(())
}

impl EmlDir {
    /// The `.eml` files under `root`.
    pub fn open(root: &Path) -> Result<Self, SourceError> {
        let mut files = Vec::new();
        walk(root, &mut files)?;
        files.sort();
        Ok(EmlDir {
            files: files.into_iter(),
        })
    }
}

impl Iterator for EmlDir {
    type Item = Result<MailMessage, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        let path = self.files.next()?;
        Some(
            std::fs::read(&path)
                .map(|raw| MailMessage::new(path.display().to_string(), raw))
                .map_err(|source| SourceError::Io {
                    path: path.display().to_string(),
                    source,
                }),
        )
    }
}
