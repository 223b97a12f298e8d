//! The IMAP server the integration suite starts (Dovecot over TLS, by
//! `.ci/imap-server.sh`, which sets `IMAP_TEST_*`), and accounts on it whose
//! Maildir a test fills directly.

use std::path::PathBuf;
use std::time::SystemTime;

use crate::sources::imap::ImapConfig;

/// The test IMAP server named by `IMAP_TEST_HOST`, `IMAP_TEST_PORT`,
/// `IMAP_TEST_PASSWORD`, `IMAP_TEST_CA` (its CA, PEM) and `IMAP_TEST_HOME`
/// (where each user's home lies). Every user name logs in with the one password.
#[derive(Debug, Clone)]
pub struct TestImapServer {
    /// Host.
    pub host: String,
    /// Port (implicit TLS).
    pub port: u16,
    /// The password every user has.
    pub password: String,
    /// Path of the CA certificate (PEM) the server's certificate chains to.
    pub ca_path: PathBuf,
    home: PathBuf,
}

impl TestImapServer {
    /// The server from the environment; `None` when it is not set, except
    /// under `CI=true`, where a missing server is a failure.
    ///
    /// # Panics
    /// Under `CI=true` without the variables, or with a port that is not a number.
    pub fn from_env() -> Option<Self> {
        let var = |name: &str| std::env::var(name).ok();
        match (
            var("IMAP_TEST_HOST"),
            var("IMAP_TEST_PORT"),
            var("IMAP_TEST_PASSWORD"),
            var("IMAP_TEST_CA"),
            var("IMAP_TEST_HOME"),
        ) {
            (Some(host), Some(port), Some(password), Some(ca), Some(home)) => {
                Some(TestImapServer {
                    host,
                    port: port.parse().expect("IMAP_TEST_PORT is a port"),
                    password,
                    ca_path: PathBuf::from(ca),
                    home: PathBuf::from(home),
                })
            }
            _ if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("CI=true but IMAP_TEST_* is not set: .ci/run must start the IMAP server")
            }
            _ => None,
        }
    }

    /// A fresh user `{name}-{process id}` with an empty Maildir.
    ///
    /// # Panics
    /// When the Maildir cannot be made.
    pub fn account(&self, name: &str) -> TestImapAccount {
        let user = format!("{name}-{}", std::process::id());
        let home = self.home.join(&user);
        let maildir = home.join("Maildir");
        let _ = std::fs::remove_dir_all(&home);
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).expect("the Maildir is made");
        }
        // The server reads and moves the files as its own unprivileged user.
        for dir in [home, maildir.clone()]
            .into_iter()
            .chain(["new", "cur", "tmp"].map(|s| maildir.join(s)))
        {
            set_mode(&dir, 0o777);
        }
        TestImapAccount {
            server: self.clone(),
            user,
            maildir,
            delivered: 0,
        }
    }
}

/// A user of the test server and their Maildir.
#[derive(Debug)]
pub struct TestImapAccount {
    server: TestImapServer,
    /// The user name.
    pub user: String,
    maildir: PathBuf,
    delivered: usize,
}

impl TestImapAccount {
    /// Drops a message into `new/`, received at `at` (its IMAP INTERNALDATE).
    ///
    /// # Panics
    /// When the file cannot be written.
    pub fn deliver(&mut self, raw: &[u8], at: SystemTime) {
        self.delivered += 1;
        let path = self
            .maildir
            .join("new")
            .join(format!("1700000000.M{}P1.test", self.delivered));
        std::fs::write(&path, raw).expect("the message is written");
        set_mode(&path, 0o666);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(at))
            .expect("the delivery time is set");
    }

    /// A configuration that logs in as this user and trusts the server's CA.
    ///
    /// # Panics
    /// When the CA file cannot be read.
    pub fn config(&self) -> ImapConfig {
        let ca = std::fs::read(&self.server.ca_path).expect("the test CA is readable");
        ImapConfig::new(&self.server.host, &self.user, &self.server.password)
            .port(self.server.port)
            .root_certificates_pem(ca)
    }
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .expect("permissions can be set");
}
