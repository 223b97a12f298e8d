//! Where the embedded default keeps its files.

use std::path::PathBuf;

use crate::store::StoreError;

/// The data directory: `SPEND_DATA_DIR` when set, else the platform's
/// (`~/.local/share/spend` on Linux, `~/Library/Application Support/spend` on macOS).
pub fn data_dir() -> Result<PathBuf, StoreError> {
    if let Some(dir) = std::env::var_os("SPEND_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "spend")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            StoreError::Config(
                "no home directory: set SPEND_DATA_DIR to choose where spend keeps its data".into(),
            )
        })
}
