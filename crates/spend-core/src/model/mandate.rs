//! Standing orders and direct debits: the payments an account makes on a schedule.

use serde::{Deserialize, Serialize};
use time::Date;

use super::{Money, open_enum};

/// Who sets the payment going.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MandateKind {
    /// The account holder's instruction to pay a fixed amount on a schedule.
    StandingOrder,
    /// The payee's authority to collect what is due.
    DirectDebit,
    /// A value this version does not know.
    Other(String),
}
open_enum!(MandateKind { StandingOrder => "standing_order", DirectDebit => "direct_debit" });

/// A standing order or direct debit of an account. Natural key:
/// `(source, account_id, id)`.
///
/// ```
/// use spend_core::model::{Mandate, MandateKind, Money};
/// let mut dd = Mandate::new("truelayer", "acc-1", "dd-1", MandateKind::DirectDebit, "EE");
/// dd.previous_amount = Some(Money::parse("25.00", "GBP")?);
/// assert_eq!(dd.kind.as_str(), "direct_debit");
/// # Ok::<(), spend_core::model::MoneyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mandate {
    /// Where it came from (`truelayer`).
    pub source: String,
    /// The account that pays.
    pub account_id: String,
    /// The provider's id (a direct debit's id; for a standing order, which
    /// providers give no id, a fingerprint of payee, reference and first payment).
    pub id: String,
    /// Standing order or direct debit.
    pub kind: MandateKind,
    /// Who is paid.
    pub payee: String,
    /// The payment reference.
    pub reference: Option<String>,
    /// How often, as the provider writes it (`IntrvlMnthDay:01:01`).
    pub frequency: Option<String>,
    /// The provider's status (`Active`, `Inactive`), kept as given.
    pub status: Option<String>,
    /// The next payment's day, when known.
    pub next_on: Option<Date>,
    /// The next payment's amount (positive: money out).
    pub next_amount: Option<Money>,
    /// The last payment's day, when known.
    pub previous_on: Option<Date>,
    /// The last payment's amount (positive: money out).
    pub previous_amount: Option<Money>,
    /// The provider's payload, kept whole.
    pub raw: Option<serde_json::Value>,
}

impl Mandate {
    /// A mandate with its key, kind and payee.
    pub fn new(source: &str, account_id: &str, id: &str, kind: MandateKind, payee: &str) -> Self {
        Mandate {
            source: source.to_owned(),
            account_id: account_id.to_owned(),
            id: id.to_owned(),
            kind,
            payee: payee.to_owned(),
            reference: None,
            frequency: None,
            status: None,
            next_on: None,
            next_amount: None,
            previous_on: None,
            previous_amount: None,
            raw: None,
        }
    }
}
