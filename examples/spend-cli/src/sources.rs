//! Where messages come from: files, directories, mbox files, bare HTML.

use std::path::{Path, PathBuf};

/// One message to parse, or a file that could not be read.
pub enum Item {
    /// Raw RFC 5322 bytes.
    Message { source: String, bytes: Vec<u8> },
    /// A bare HTML body.
    Html { source: String, html: String },
    /// A file that could not be read.
    Unreadable { source: String, error: String },
}

fn is_mbox(path: &Path, head: &[u8]) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("mbox"))
        || head.starts_with(b"From ")
}

fn is_html(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

/// Splits an mbox (mboxo/mboxrd) into messages, unescaping `>From ` lines.
pub fn split_mbox(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut messages = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        if line.starts_with(b"From ") {
            if let Some(done) = current.take() {
                messages.push(done);
            }
            current = Some(Vec::new());
            continue;
        }
        let body = current.get_or_insert_with(Vec::new);
        let unescaped = line
            .iter()
            .position(|b| *b != b'>')
            .filter(|n| *n > 0 && line[*n..].starts_with(b"From "));
        match unescaped {
            Some(_) => body.extend_from_slice(&line[1..]),
            None => body.extend_from_slice(line),
        }
    }
    messages.extend(current.filter(|m| !m.is_empty()));
    messages
}

fn collect(path: &Path, out: &mut Vec<Item>, top_level: bool) {
    let source = path.display().to_string();
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(e) => e.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                return out.push(Item::Unreadable {
                    source,
                    error: e.to_string(),
                });
            }
        };
        entries.sort();
        for entry in entries {
            collect(&entry, out, false);
        }
        return;
    }
    let known = path.extension().is_some_and(|e| {
        ["eml", "mbox", "html", "htm", "msg"]
            .iter()
            .any(|k| e.eq_ignore_ascii_case(k))
    });
    if !top_level && !known {
        return;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return out.push(Item::Unreadable {
                source,
                error: e.to_string(),
            });
        }
    };
    if is_html(path) {
        out.push(Item::Html {
            source,
            html: String::from_utf8_lossy(&bytes).into_owned(),
        });
    } else if is_mbox(path, &bytes[..bytes.len().min(5)]) {
        for (n, message) in split_mbox(&bytes).into_iter().enumerate() {
            out.push(Item::Message {
                source: format!("{source}#{}", n + 1),
                bytes: message,
            });
        }
    } else {
        out.push(Item::Message { source, bytes });
    }
}

/// Every message under `paths`, in a stable order.
pub fn items(paths: &[PathBuf]) -> Vec<Item> {
    let mut out = Vec::new();
    for path in paths {
        if !path.exists() {
            out.push(Item::Unreadable {
                source: path.display().to_string(),
                error: "no such file or directory".into(),
            });
            continue;
        }
        collect(path, &mut out, true);
    }
    out
}
