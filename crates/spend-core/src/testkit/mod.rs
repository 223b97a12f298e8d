//! The storage conformance suite: the same checks against any [`Store`].
//!
//! Both built-in backends pass it in CI; a third party's backend can run it
//! the same way:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use spend_core::store::SqliteStore;
//! let store = SqliteStore::in_memory().await.unwrap();
//! let report = spend_core::testkit::conformance(&store).await;
//! assert!(report.failed.is_empty(), "{report}");
//! # }
//! ```
//!
//! Every check works on users of its own (named after the check and the
//! time), so the suite can run against a database that holds other data.

mod checks;
mod fixtures;
mod sum_checks;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::store::Store;

/// A check's outcome: `Err` says what did not hold.
pub type CheckResult = Result<(), String>;

type Check =
    for<'a> fn(&'a dyn Store, &'a str) -> Pin<Box<dyn Future<Output = CheckResult> + Send + 'a>>;

/// What a conformance run found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The backend's name.
    pub backend: String,
    /// Checks that held.
    pub passed: Vec<&'static str>,
    /// Checks that did not, with why.
    pub failed: Vec<(&'static str, String)>,
}

impl Report {
    /// How many checks ran.
    pub fn total(&self) -> usize {
        self.passed.len() + self.failed.len()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}/{}", self.backend, self.passed.len(), self.total())?;
        for (name, why) in &self.failed {
            write!(f, "\n  FAILED {name}: {why}")?;
        }
        Ok(())
    }
}

/// Runs every check against `store`.
pub async fn conformance(store: &dyn Store) -> Report {
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let mut report = Report {
        backend: store.backend().to_owned(),
        ..Report::default()
    };
    for (name, check) in checks::ALL {
        let prefix = format!("conformance-{name}-{stamp}");
        match check(store, &prefix).await {
            Ok(()) => report.passed.push(name),
            Err(why) => report.failed.push((name, why)),
        }
    }
    report
}

/// Fails the check with `why` unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($why:tt)+) => {
        if !$cond {
            return Err(format!($($why)+));
        }
    };
}
pub(crate) use ensure;

/// Fails the check unless the two values are equal.
macro_rules! ensure_eq {
    ($left:expr, $right:expr, $($why:tt)+) => {{
        let (l, r) = (&$left, &$right);
        if l != r {
            return Err(format!("{}: {:?} != {:?}", format!($($why)+), l, r));
        }
    }};
}
pub(crate) use ensure_eq;
