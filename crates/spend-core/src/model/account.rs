//! Bank accounts and cards.

use serde::{Deserialize, Serialize};

use super::{Currency, Money, open_enum};

/// What kind of account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountKind {
    /// A current or savings account.
    Bank,
    /// A credit or debit card account.
    Card,
    /// A value this version does not know, kept as the source wrote it.
    Other(String),
}
open_enum!(AccountKind { Bank => "bank", Card => "card" });

/// A bank account or card. Natural key: `(source, id)`.
///
/// ```
/// use spend_core::model::{Account, AccountKind, Currency};
/// let account = Account::new("truelayer", "acc-1", AccountKind::Bank, Currency::GBP)
///     .display_name("Current account");
/// assert_eq!(account.name.as_deref(), Some("Current account"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// Where it came from (`truelayer`, `bank-file`).
    pub source: String,
    /// The provider's account or card id.
    pub id: String,
    /// Bank account or card.
    pub kind: AccountKind,
    /// Its currency.
    pub currency: Currency,
    /// The name the person sees.
    pub name: Option<String>,
    /// The bank (provider display name).
    pub provider: Option<String>,
    /// Last digits of the account or card number, as the provider gives them.
    pub number_hint: Option<String>,
    /// The latest balance, when known.
    pub balance: Option<Money>,
    /// The provider's payload, kept whole.
    pub raw: Option<serde_json::Value>,
}

impl Account {
    /// An account with only its key, kind and currency.
    pub fn new(source: &str, id: &str, kind: AccountKind, currency: Currency) -> Self {
        Account {
            source: source.to_owned(),
            id: id.to_owned(),
            kind,
            currency,
            name: None,
            provider: None,
            number_hint: None,
            balance: None,
            raw: None,
        }
    }

    /// Sets the name the person sees.
    pub fn display_name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }
}
