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
    let from_eml = import(
        EmlDir::open(&fixtures())
            .unwrap()
            .filter(|m| m.as_ref().is_ok_and(|m| !m.id.contains("/vendors/"))),
    );
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
    assert_eq!(Mbox::new(&b"no separator at all\n"[..]).count(), 0);
}
