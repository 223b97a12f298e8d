//! A person's own category for a transaction: never overwritten.

use crate::model::{Enrichment, EnrichmentSource, Transaction, TransactionRef};
use crate::store::{Batch, UserStore};

use super::EnrichError;

/// What a person sets on one transaction; the fields left `None` keep what
/// enrichment had decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonalEdit {
    /// The category.
    pub category: Option<String>,
    /// The merchant's name.
    pub merchant: Option<String>,
    /// Essential (true) or discretionary (false).
    pub essential: Option<bool>,
    /// Tags (replacing any there were, when given).
    pub tags: Option<Vec<String>>,
}

/// Records the person's own edit of `transaction`. Later enrichment runs keep
/// it as it is (it is [`EnrichmentSource::User`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use spend_core::enrich::{PersonalEdit, set_by_person};
/// use spend_core::model::{Money, Transaction};
/// use spend_core::store::{Batch, SqliteStore, Store};
/// let store = SqliteStore::in_memory().await?;
/// let me = store.user(store.ensure_user("me").await?);
/// let tx = Transaction::new("truelayer", "acc-1", "t1", time::macros::date!(2026 - 03 - 02),
///     Money::parse("-30.00", "GBP")?, "PAYPAL *GIFTSHOP");
/// me.write(Batch::default().transactions(vec![tx.clone()])).await?;
/// let edit = PersonalEdit { category: Some("Gifts".into()), essential: Some(false), ..Default::default() };
/// let saved = set_by_person(me.as_ref(), &tx.key(), edit).await?;
/// assert_eq!(saved.category.as_deref(), Some("Gifts"));
/// # Ok(()) }
/// ```
pub async fn set_by_person(
    user: &dyn UserStore,
    transaction: &TransactionRef,
    edit: PersonalEdit,
) -> Result<Enrichment, EnrichError> {
    if user.transaction(transaction).await?.is_none() {
        return Err(EnrichError::NoTransaction(transaction.clone()));
    }
    let before = user
        .enrichments()
        .await?
        .into_iter()
        .find(|e| &e.transaction == transaction);
    let (category, merchant, essential, tags) = match before {
        Some(b) => (b.category, b.merchant, b.essential, b.tags),
        None => (None, None, None, Vec::new()),
    };
    let enrichment = Enrichment {
        transaction: transaction.clone(),
        category: edit.category.or(category),
        merchant: edit.merchant.or(merchant),
        essential: edit.essential.or(essential),
        source: EnrichmentSource::User,
        confidence: 1.0,
        tags: edit.tags.unwrap_or(tags),
    };
    user.write(Batch::default().enrichments(vec![enrichment.clone()]))
        .await?;
    Ok(enrichment)
}

/// The transaction a person names by its id (as lists show it), on
/// `account` when ids repeat across accounts.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use spend_core::enrich::find_transaction;
/// use spend_core::model::{Money, Transaction};
/// use spend_core::store::{Batch, SqliteStore, Store};
/// let store = SqliteStore::in_memory().await?;
/// let me = store.user(store.ensure_user("me").await?);
/// let day = time::macros::date!(2026 - 03 - 02);
/// let a = Transaction::new("truelayer", "acc-1", "t1", day, Money::parse("-3.00", "GBP")?, "PRET");
/// let b = Transaction::new("truelayer", "card-1", "t1", day, Money::parse("-4.00", "GBP")?, "TESCO");
/// me.write(Batch::default().transactions(vec![a, b])).await?;
/// assert!(find_transaction(me.as_ref(), "t1", None).await.is_err(), "two accounts have t1");
/// assert_eq!(find_transaction(me.as_ref(), "t1", Some("card-1")).await?.description, "TESCO");
/// # Ok(()) }
/// ```
pub async fn find_transaction(
    user: &dyn UserStore,
    id: &str,
    account: Option<&str>,
) -> Result<Transaction, EnrichError> {
    let mut found: Vec<Transaction> = user
        .all_transactions()
        .await?
        .into_iter()
        .filter(|t| t.id == id && account.is_none_or(|a| a == t.account_id))
        .collect();
    match found.len() {
        0 => Err(EnrichError::NoTransactionWithId(id.to_owned())),
        1 => Ok(found.remove(0)),
        accounts => Err(EnrichError::AmbiguousTransaction {
            id: id.to_owned(),
            accounts,
        }),
    }
}
