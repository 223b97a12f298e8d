//! Fernet keys: from the environment or a 0600 key file; newest encrypts.

use std::io::Write;
use std::path::Path;

use fernet::{Fernet, MultiFernet};
use secrecy::{ExposeSecret, SecretString};

use super::VaultError;

/// The environment variable holding the keys: comma-separated, newest first.
pub const KEYS_ENV: &str = "SPEND_FERNET_KEYS";

/// Fernet keys, newest first: the newest encrypts, any decrypts.
///
/// ```
/// use secrecy::{ExposeSecret, SecretString};
/// use spend_core::vault::Keyring;
///
/// let old = Keyring::from_keys(["cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="])?;
/// let token = old.encrypt(&SecretString::from("refresh-token"));
/// let new_key = fernet::Fernet::generate_key();
/// let both = Keyring::from_keys([new_key.as_str(), "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="])?;
/// assert_eq!(both.decrypt(&token)?.expose_secret(), "refresh-token");
/// let rotated = both.reencrypt(&token)?;
/// assert!(old.decrypt(&rotated).is_err(), "now under the new key");
/// # Ok::<(), spend_core::vault::VaultError>(())
/// ```
pub struct Keyring {
    keys: Vec<SecretString>,
    multi: MultiFernet,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keyring({} keys)", self.keys.len())
    }
}

impl Keyring {
    /// Keys as Fernet makes them (URL-safe base64 of 32 bytes), newest first.
    pub fn from_keys<S: AsRef<str>>(
        keys: impl IntoIterator<Item = S>,
    ) -> Result<Keyring, VaultError> {
        let keys: Vec<SecretString> = keys
            .into_iter()
            .map(|k| SecretString::from(k.as_ref().trim().to_owned()))
            .filter(|k| !k.expose_secret().is_empty())
            .collect();
        if keys.is_empty() {
            return Err(VaultError::NoKeys);
        }
        let fernets = keys
            .iter()
            .enumerate()
            .map(|(i, k)| Fernet::new(k.expose_secret()).ok_or(VaultError::BadKey { index: i + 1 }))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Keyring {
            keys,
            multi: MultiFernet::new(fernets),
        })
    }

    /// A keyring of one new random key.
    pub fn generate() -> Keyring {
        let key = Fernet::generate_key();
        // A freshly generated key is always valid.
        Keyring::from_keys([key]).unwrap_or_else(|_| unreachable!("generated Fernet key"))
    }

    /// The keys in `SPEND_FERNET_KEYS`, or `None` when it is unset or empty.
    pub fn from_env() -> Result<Option<Keyring>, VaultError> {
        match std::env::var(KEYS_ENV) {
            Ok(v) if !v.trim().is_empty() => Keyring::from_keys(v.split(',')).map(Some),
            _ => Ok(None),
        }
    }

    /// The keys in a key file (one a line, newest first), creating it with one
    /// new key and mode 0600 when it does not exist. A file that the group or
    /// others can read is refused.
    pub fn from_key_file(path: &Path) -> Result<Keyring, VaultError> {
        let fail = |reason: String| VaultError::KeyFile {
            path: path.display().to_string(),
            reason,
        };
        if !path.exists() {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| fail(format!("cannot create its folder: {e}")))?;
            }
            // Written whole under a temporary name, then linked into place:
            // a process killed half way never leaves an empty key file, and
            // of two processes creating it at once the first one's key wins.
            let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let key = Fernet::generate_key();
            options
                .open(&tmp)
                .and_then(|mut file| {
                    file.write_all(format!("{key}\n").as_bytes())?;
                    file.sync_all()
                })
                .map_err(|e| fail(format!("cannot write a new key: {e}")))?;
            let linked = std::fs::hard_link(&tmp, path);
            let _ = std::fs::remove_file(&tmp);
            match linked {
                Ok(()) => {}
                // Another process created it first: read theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(fail(format!("cannot create it: {e}"))),
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .map_err(|e| fail(format!("cannot read it: {e}")))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(fail(format!(
                    "group or others can read it (mode {:04o}); run `chmod 600 {}`",
                    mode & 0o7777,
                    path.display()
                )));
            }
        }
        let text =
            std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
        Keyring::from_keys(text.lines()).map_err(|e| fail(e.to_string()))
    }

    /// The embedded default: `SPEND_FERNET_KEYS` when set, else the key file
    /// `fernet.key` in the data directory (created on first use).
    pub fn load_default() -> Result<Keyring, VaultError> {
        if let Some(keys) = Keyring::from_env()? {
            return Ok(keys);
        }
        let dir = crate::paths::data_dir()?;
        Keyring::from_key_file(&dir.join("fernet.key"))
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Never true: a keyring has at least one key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Encrypts with the newest key.
    pub fn encrypt(&self, secret: &SecretString) -> String {
        self.multi.encrypt(secret.expose_secret().as_bytes())
    }

    /// Decrypts with whichever key made the token.
    pub fn decrypt(&self, token: &str) -> Result<SecretString, VaultError> {
        let bytes = self.multi.decrypt(token).map_err(|_| VaultError::Decrypt)?;
        String::from_utf8(bytes)
            .map(SecretString::from)
            .map_err(|_| VaultError::NotText)
    }

    /// Decrypts with any key and encrypts again with the newest.
    pub fn reencrypt(&self, token: &str) -> Result<String, VaultError> {
        Ok(self.encrypt(&self.decrypt(token)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("spend-keyring-{}-{name}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        dir.join("fernet.key")
    }

    #[test]
    fn a_key_file_is_created_private_and_reused() {
        let path = temp("create");
        let first = Keyring::from_key_file(&path).unwrap();
        let token = first.encrypt(&SecretString::from("s"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let again = Keyring::from_key_file(&path).unwrap();
        assert_eq!(again.decrypt(&token).unwrap().expose_secret(), "s");
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let path = temp("open");
        Keyring::from_key_file(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Keyring::from_key_file(&path).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
        assert!(err.contains("0644"), "{err}");
    }

    #[test]
    fn bad_keys_are_named() {
        let err = Keyring::from_keys([Fernet::generate_key().as_str(), "not-a-key"]).unwrap_err();
        assert!(matches!(err, VaultError::BadKey { index: 2 }));
        assert!(matches!(
            Keyring::from_keys(["", " "]),
            Err(VaultError::NoKeys)
        ));
    }
}
