//! Every source yields the same messages; the importer counts what they are.

use std::path::PathBuf;

use gmail_receipts::sources::{EmlDir, Maildir, Mbox};
use gmail_receipts::{Importer, MailMessage};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../receipt-parsers/tests/fixtures")
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gmail-receipts-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn import(
    messages: impl Iterator<Item = Result<MailMessage, gmail_receipts::SourceError>>,
) -> gmail_receipts::ImportStats {
    let mut importer = Importer::default();
    for message in messages {
        importer.import(&message.unwrap());
    }
    importer.stats()
}

#[test]
fn mbox_maildir_and_eml_folders_agree() {
    let files = fixture_files();
    // An mbox of every fixture, with mboxrd escaping of a body "From " line.
    let mut mbox = b"garbage before the first separator\n".to_vec();
    for file in &files {
        mbox.extend_from_slice(b"From MAILER-DAEMON Thu Mar 14 10:00:00 2024\n");
        let raw = std::fs::read(file).unwrap();
        mbox.extend_from_slice(&raw);
        if !raw.ends_with(b"\n") {
            mbox.push(b'\n');
        }
    }
    let dir = temp("sources");
    std::fs::write(dir.join("all.mbox"), &mbox).unwrap();
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join("maildir").join(sub)).unwrap();
    }
    for (i, file) in files.iter().enumerate() {
        let sub = if i % 2 == 0 { "cur" } else { "new" };
        std::fs::copy(
            file,
            dir.join("maildir")
                .join(sub)
                .join(format!("{i:04}.host:2,S")),
        )
        .unwrap();
    }

    let from_mbox = import(Mbox::open(&dir.join("all.mbox")).unwrap());
    let from_maildir = import(Maildir::open(&dir.join("maildir")).unwrap());
    let from_eml = import(EmlDir::open(&fixtures()).unwrap().filter(|m| {
        m.as_ref()
            .is_ok_and(|m| !m.id.contains("/vendors/") && !m.id.contains("/real/"))
    }));
    assert_eq!(from_mbox.messages, files.len() as u64);
    assert_eq!(
        from_mbox.by_kind, from_eml.by_kind,
        "the same messages, the same kinds"
    );
    assert_eq!(from_maildir.by_kind, from_eml.by_kind);
    assert_eq!(from_mbox.by_vendor, from_eml.by_vendor);
    assert!(from_mbox.receipts >= 10);
    assert_eq!(from_mbox.by_kind.get("marketing"), Some(&1));
    assert!(from_mbox.rejected.keys().any(|r| r.contains("bulk mail")));
    let labels = Maildir::open(&dir.join("maildir"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .labels;
    assert_eq!(labels, ["S"]);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn mbox_unescapes_and_numbers_messages() {
    let mbox = b"From a Mon Jan 1 00:00:00 2024\nSubject: one\n\n>From the team\n>>From quoted\nFrom b Mon Jan 1 00:00:00 2024\nSubject: two\n\nx\n";
    let messages: Vec<MailMessage> = Mbox::named(&mbox[..], "export")
        .map(Result::unwrap)
        .collect();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].id, "export#1");
    assert_eq!(
        messages[0].raw,
        b"Subject: one\n\nFrom the team\n>From quoted\n"
    );
    assert_eq!(messages[1].raw, b"Subject: two\n\nx\n");
    assert_eq!(Mbox::new(&b""[..]).count(), 0);
    assert!(
        Mbox::new(&b"no separator at all\n"[..])
            .next()
            .is_some_and(|m| m.is_err()),
        "text without a separator is no mbox"
    );
}

/// A reader that gives `len` bytes of `x` and no line break, counting what
/// it lent out at once (the most memory a reader can be made to hold).
struct NoNewlines {
    left: usize,
    chunk: Vec<u8>,
}

impl std::io::Read for NoNewlines {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.left);
        buf[..n].fill(b'x');
        self.left -= n;
        Ok(n)
    }
}

impl std::io::BufRead for NoNewlines {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        let n = self.chunk.len().min(self.left);
        Ok(&self.chunk[..n])
    }
    fn consume(&mut self, amount: usize) {
        self.left -= amount;
    }
}

#[test]
fn an_mbox_line_longer_than_a_message_is_refused_without_holding_it() {
    // One message whose body is a 200 MiB line: refused as too large, and
    // the reader never holds more than the cap (the line is streamed past).
    let head = b"From a Mon Jan 1 00:00:00 2024\nSubject: big\n\n".to_vec();
    let body = NoNewlines {
        left: 200 << 20,
        chunk: vec![b'x'; 1 << 16],
    };
    let reader = std::io::Read::chain(&head[..], body);
    let messages: Vec<_> = Mbox::new(reader).collect();
    assert_eq!(messages.len(), 1);
    assert!(
        matches!(
            messages[0],
            Err(gmail_receipts::SourceError::TooLarge { .. })
        ),
        "{:?}",
        messages[0].as_ref().map(|m| m.id.clone())
    );
}

#[test]
fn a_file_that_is_no_mbox_is_an_error_not_zero_messages() {
    let messages: Vec<_> =
        Mbox::named(&b"PK\x03\x04 garbage without separators"[..], "x.zip").collect();
    assert_eq!(messages.len(), 1);
    let err = messages.into_iter().next().unwrap().unwrap_err();
    assert!(err.to_string().contains("x.zip is not an mbox"), "{err}");
    assert_eq!(Mbox::new(&b""[..]).count(), 0, "an empty mbox is empty");
}

#[test]
fn eml_folders_keep_going_past_loops_and_unreadable_subfolders() {
    let dir = temp("eml-hostile");
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(dir.join("a/b")).unwrap();
    let one = fixture_files().into_iter().next().unwrap();
    std::fs::copy(&one, dir.join("a/b/one.eml")).unwrap();
    std::fs::copy(&one, dir.join("two.eml")).unwrap();
    // A link back up: followed, it would never end.
    std::os::unix::fs::symlink(&dir, dir.join("a/b/loop")).unwrap();
    let messages: Vec<_> = EmlDir::open(&dir).unwrap().collect();
    assert_eq!(messages.iter().filter(|m| m.is_ok()).count(), 2);

    // A file named on its own is read, not refused.
    let single: Vec<_> = EmlDir::open(&dir.join("two.eml")).unwrap().collect();
    assert_eq!(single.len(), 1);
    assert!(single[0].is_ok());

    // An unreadable subfolder is one error among the messages (root reads
    // every folder, so only when not running as root).
    let locked = dir.join("a/locked");
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::copy(&one, locked.join("three.eml")).unwrap();
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let can_read_anyway = std::fs::read_dir(&locked).is_ok();
    let messages: Vec<_> = EmlDir::open(&dir).unwrap().collect();
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    if can_read_anyway {
        assert_eq!(messages.iter().filter(|m| m.is_ok()).count(), 3);
    } else {
        assert_eq!(messages.iter().filter(|m| m.is_ok()).count(), 2);
        assert_eq!(messages.iter().filter(|m| m.is_err()).count(), 1);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The mbox fuzz target's check replayed on its seeds (with the crashes
/// fuzzing found kept there).
#[test]
fn mbox_fuzz_seeds() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../receipt-parsers/fuzz/seeds/mbox");
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        for message in Mbox::new(&data[..]).take(10_000).flatten() {
            assert!(message.raw.len() <= gmail_receipts::sources::MAX_MESSAGE);
        }
    }
}
