//! Importing history files (Amazon and Apple histories, bank statements):
//! each file recognised from its content and stored whole or not at all;
//! a file that cannot be read does not stop the others.

use std::path::PathBuf;

use serde::Serialize;

use super::Spend;
use crate::sources::Source;
use crate::sources::files::{FileFormat, FileSource, ImportOptions};
use crate::sync::SyncOutcome;

/// What importing one file (or one file inside a zip) did.
#[derive(Debug, Serialize)]
pub struct FileImport {
    /// The file (`export.zip!Retail.OrderHistory.1.csv` inside a zip).
    pub file: String,
    /// What it was recognised as.
    pub format: Option<FileFormat>,
    /// The bank preset or dialect (`monzo`, `sgml`).
    pub variant: Option<String>,
    /// What was stored.
    pub outcome: Option<SyncOutcome>,
    /// Why nothing was stored, naming the line and column at fault.
    pub error: Option<String>,
}

impl FileImport {
    fn failed(file: String, format: Option<FileFormat>, error: String) -> FileImport {
        FileImport {
            file,
            format,
            variant: None,
            outcome: None,
            error: Some(error),
        }
    }
}

impl Spend {
    /// Imports every file of `paths` (every importable file inside a zip),
    /// each in one transaction with its rows, so a file is stored whole or
    /// not at all. Files that fail are reported with the line and column at
    /// fault; the others import.
    ///
    /// ```no_run
    /// # async fn run(spend: spend_core::app::Spend) {
    /// use spend_core::sources::files::ImportOptions;
    /// let done = spend.import_files(&["statement.ofx".into()], &ImportOptions::default()).await;
    /// for file in &done {
    ///     match &file.error {
    ///         Some(e) => eprintln!("{e}"),
    ///         None => println!("{}: {:?}", file.file, file.format),
    ///     }
    /// }
    /// # }
    /// ```
    pub async fn import_files(
        &self,
        paths: &[PathBuf],
        options: &ImportOptions,
    ) -> Vec<FileImport> {
        let engine = self.engine();
        // (position in the command, what became of it): reported in the
        // command's order whatever order they ran in.
        let mut out: Vec<(usize, FileImport)> = Vec::new();
        let mut all_sources = Vec::new();
        for (at, path) in paths.iter().enumerate() {
            let name = path.display().to_string();
            let bytes = match std::fs::read(path) {
                Ok(bytes) => bytes,
                Err(e) => {
                    out.push((
                        at,
                        FileImport::failed(name.clone(), None, format!("{name}: {e}")),
                    ));
                    continue;
                }
            };
            let digest = blob_store::sha256_hex(&bytes);
            let sources = match FileSource::from_bytes_digested(&name, &bytes, &digest, options) {
                Ok(sources) => sources,
                Err(e) => {
                    out.push((at, FileImport::failed(name, None, e.to_string())));
                    continue;
                }
            };
            if let Err(e) = self.keep_file(path, bytes, &digest).await {
                out.push((
                    at,
                    FileImport::failed(
                        name.clone(),
                        None,
                        format!("{name}: cannot keep the file: {e}"),
                    ),
                ));
                continue;
            }
            all_sources.extend(sources.into_iter().map(|s| (at, s)));
        }
        // Files that amend what others store go after them, whatever the
        // order they were named in.
        all_sources.sort_by_key(|(_, s)| s.format().is_some_and(FileFormat::amends_others));
        for (at, mut source) in all_sources {
            let file = source.id().trim_start_matches("file:").to_owned();
            let format = source.format();
            let variant = source.variant();
            let done = match engine.run(&mut source, &mut |_| {}).await {
                Ok(outcome) => FileImport {
                    file,
                    format,
                    variant,
                    outcome: Some(outcome),
                    error: None,
                },
                Err(e) => FileImport::failed(file, format, e.to_string()),
            };
            out.push((at, done));
        }
        out.sort_by_key(|(at, _)| *at);
        out.into_iter().map(|(_, done)| done).collect()
    }

    /// Keeps an imported file in the blob store by its content
    /// (`history/sha256/ab/cd/{sha256}.csv`), once.
    pub(crate) async fn keep_file(
        &self,
        path: &std::path::Path,
        bytes: Vec<u8>,
        digest: &str,
    ) -> Result<blob_store::Key, blob_store::Error> {
        let extension = path
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy().to_ascii_lowercase()))
            .unwrap_or_default();
        let name = path.file_name().map(|f| f.to_string_lossy().into_owned());
        self.keep_bytes("history", &extension, name, bytes, digest)
            .await
    }

    /// Keeps `bytes` under `prefix` by their content, once.
    pub(crate) async fn keep_bytes(
        &self,
        prefix: &str,
        extension: &str,
        original_filename: Option<String>,
        bytes: Vec<u8>,
        digest: &str,
    ) -> Result<blob_store::Key, blob_store::Error> {
        let key = blob_store::content_key(prefix, digest, extension)?;
        if self.blobs.head(&key).await?.is_some() {
            return Ok(key);
        }
        let metadata = blob_store::Metadata {
            content_type: "application/octet-stream".into(),
            content_hash: digest.to_owned(),
            original_filename,
            ..blob_store::Metadata::default()
        };
        self.blobs.put(&key, bytes, metadata).await?;
        Ok(key)
    }
}
