//! The domain model: one person's spending data, whatever its source.
//!
//! Every record carries a natural key from its source (see each type), so
//! storing the same record twice changes nothing and a changed record updates
//! in place. Values a provider sends that the model does not map are kept in
//! `raw` JSON beside the row; enumerations keep unknown values as `Other`.

mod account;
mod connection;
mod enrichment;
mod mail;
mod mandate;
mod matching;
mod money;
mod order;
mod rule;
mod transaction;

pub use account::{Account, AccountKind};
pub use connection::{Checkpoint, Connection, ConnectionStatus, SyncRun};
pub use enrichment::{Enrichment, EnrichmentSource};
pub use mail::{Document, Email, Receipt};
pub use mandate::{Mandate, MandateKind};
pub use matching::{Match, MatchState, MatchTarget};
pub use money::{Currency, Money, MoneyError};
pub use order::{ApplePurchase, Charge, Order, OrderItem, Shipment};
pub use rule::{Direction, Rule, RuleAction, RuleCondition};
pub use transaction::{Transaction, TransactionRef, TransactionStatus};

/// A user's id in a store.
///
/// ```
/// let id = spend_core::model::UserId(7);
/// assert_eq!(id.to_string(), "7");
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct UserId(pub i64);

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Implements `as_str`, `Display`, `From<&str>` and serde as a string for an
/// enum whose last variant `Other(String)` keeps values this version does not know.
macro_rules! open_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            /// The stored spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s,
                }
            }
        }
        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Ok($name::from(s.as_ref()))
            }
        }
    };
}
pub(crate) use open_enum;
