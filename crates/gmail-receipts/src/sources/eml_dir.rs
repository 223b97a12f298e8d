//! A folder of `.eml` files, read recursively (or one `.eml` file).

use std::path::{Path, PathBuf};

use super::read_capped;
use crate::{MailMessage, SourceError};

/// Every `.eml` file under a folder, in path order; ids are the paths.
/// Symbolic links to folders are not followed (a link back up would be a
/// loop); a subfolder that cannot be read is one error among the messages,
/// not the end of the walk.
pub struct EmlDir {
    files: std::vec::IntoIter<Result<PathBuf, SourceError>>,
}

fn walk(dir: &Path, out: &mut Vec<Result<PathBuf, SourceError>>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(source) => {
            out.push(Err(SourceError::Io {
                path: dir.display().to_string(),
                source,
            }));
            return;
        }
    };
    let mut paths: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                // The entry's own type: a symlink is not followed.
                let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                paths.push((entry.path(), is_dir));
            }
            Err(source) => out.push(Err(SourceError::Io {
                path: dir.display().to_string(),
                source,
            })),
        }
    }
    paths.sort();
    for (path, is_dir) in paths {
        if is_dir {
            walk(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("eml"))
        {
            out.push(Ok(path));
        }
    }
}

impl EmlDir {
    /// The `.eml` files under `root`, or `root` itself when it is a file.
    pub fn open(root: &Path) -> Result<Self, SourceError> {
        let meta = std::fs::metadata(root).map_err(|source| SourceError::Io {
            path: root.display().to_string(),
            source,
        })?;
        let mut files = Vec::new();
        if meta.is_file() {
            files.push(Ok(root.to_owned()));
        } else {
            walk(root, &mut files);
        }
        Ok(EmlDir {
            files: files.into_iter(),
        })
    }
}

impl Iterator for EmlDir {
    type Item = Result<MailMessage, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        let path = match self.files.next()? {
            Ok(path) => path,
            Err(e) => return Some(Err(e)),
        };
        Some(read_capped(&path).map(|raw| MailMessage::new(path.display().to_string(), raw)))
    }
}
