//! The sandbox's generated bank: accounts, a card, and months of transactions.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime, Time};

use crate::models::*;

/// Merchants the generator draws card purchases from:
/// (bank description, merchant, classification, typical amount in pence).
const MERCHANTS: &[(&str, &str, [&str; 2], i64)] = &[
    (
        "TESCO STORES 2041",
        "Tesco",
        ["Shopping", "Groceries"],
        3_450,
    ),
    (
        "SAINSBURYS SMRKT STORE 128",
        "Sainsburys",
        ["Shopping", "Groceries"],
        2_425,
    ),
    (
        "AMAZON.CO.UK*2K4RT51X4",
        "Amazon",
        ["Shopping", "General"],
        1_899,
    ),
    (
        "AMZNMKTPLACE AMAZON.CO.UK",
        "Amazon",
        ["Shopping", "General"],
        2_499,
    ),
    (
        "UBER *TRIP HELP.UBER.COM",
        "Uber",
        ["Transport", "Taxi"],
        1_320,
    ),
    (
        "PRET A MANGER KINGS X",
        "Pret A Manger",
        ["Food & Dining", "Coffee shops"],
        645,
    ),
    (
        "DELIVEROO LONDON",
        "Deliveroo",
        ["Food & Dining", "Food delivery"],
        2_280,
    ),
    (
        "TFL TRAVEL CH TFL.GOV.UK/CP",
        "Transport for London",
        ["Transport", "Public transport"],
        760,
    ),
    ("APPLE.COM/BILL", "Apple", ["Entertainment", "Apps"], 299),
    (
        "BOOTS 1172 OXFORD ST",
        "Boots",
        ["Health & Beauty", "Pharmacy"],
        1_150,
    ),
];

/// Which of the sandbox's accounts a scripted transaction is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxAccount {
    /// The current account ([`SandboxTransaction::CURRENT_ACCOUNT`]).
    Current,
    /// The credit card ([`SandboxTransaction::CARD`]).
    Card,
}

/// A transaction a test or demo puts in the sandbox's bank (see
/// [`SandboxConfig::script`](super::SandboxConfig::script)).
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxTransaction {
    /// TrueLayer's `transaction_id`; the normalised id is derived from it
    /// ([`SandboxTransaction::normalised_id`]).
    pub id: String,
    /// The account it is on.
    pub account: SandboxAccount,
    /// When it happened.
    pub at: OffsetDateTime,
    /// The bank's description (`AMZNMKTPLACE AMAZON.CO.UK`).
    pub description: String,
    /// The merchant, when the bank names one.
    pub merchant: Option<String>,
    /// Signed as the person sees it: money out is negative (the sandbox
    /// shows card purchases as positive debits, as TrueLayer does).
    pub amount_pence: i64,
    /// TrueLayer's classification (`["Shopping", "General"]`).
    pub classification: Vec<String>,
    /// Still pending.
    pub pending: bool,
}

impl SandboxTransaction {
    /// The current account's id.
    pub const CURRENT_ACCOUNT: &'static str = "56c7b029e0f8ec5a2334fb0ffc2fface";
    /// The credit card's id.
    pub const CARD: &'static str = "f7b093437032c216d4350b7d442b9c5ccc0e9f19";

    /// The `normalised_provider_transaction_id` the sandbox gives it.
    pub fn normalised_id(&self) -> String {
        format!("txn-{}", self.id)
    }

    /// The account id it is on.
    pub fn account_id(&self) -> &'static str {
        match self.account {
            SandboxAccount::Current => Self::CURRENT_ACCOUNT,
            SandboxAccount::Card => Self::CARD,
        }
    }
}

pub(crate) struct Bank {
    pub accounts: Vec<Account>,
    pub cards: Vec<Card>,
    pub balances: BTreeMap<String, AccountBalance>,
    pub card_balances: BTreeMap<String, CardBalance>,
    pub settled: BTreeMap<String, Vec<Transaction>>,
    pub pending: BTreeMap<String, Vec<Transaction>>,
    pub standing_orders: BTreeMap<String, Vec<StandingOrder>>,
    pub direct_debits: BTreeMap<String, Vec<DirectDebit>>,
    next_id: u64,
}

fn pence(p: i64) -> Decimal {
    Decimal::new(p, 2)
}

impl Bank {
    pub fn generate(
        seed: u64,
        days: u32,
        now: OffsetDateTime,
        script: Option<&[SandboxTransaction]>,
    ) -> Bank {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut bank = Bank {
            accounts: Vec::new(),
            cards: Vec::new(),
            balances: BTreeMap::new(),
            card_balances: BTreeMap::new(),
            settled: BTreeMap::new(),
            pending: BTreeMap::new(),
            standing_orders: BTreeMap::new(),
            direct_debits: BTreeMap::new(),
            next_id: seed.wrapping_mul(1_000_003),
        };
        let stamp = Timestamp::from_datetime(now);
        let current = SandboxTransaction::CURRENT_ACCOUNT.to_owned();
        let savings = "0b1a2f9e0c6d4e3b8a7f6e5d4c3b2a19".to_owned();
        let card = SandboxTransaction::CARD.to_owned();
        for (id, kind, name, number) in [
            (
                &current,
                AccountType::Transaction,
                "Club Lloyds",
                "12345678",
            ),
            (&savings, AccountType::Savings, "Easy Saver", "87654321"),
        ] {
            bank.accounts.push(Account {
                update_timestamp: stamp.clone(),
                account_id: Some(id.clone()),
                account_type: Some(kind),
                display_name: name.into(),
                currency: "GBP".into(),
                account_number: AccountNumber {
                    number: Some(number.into()),
                    sort_code: Some("30-00-00".into()),
                    swift_bic: Some("LOYDGB2L".into()),
                    iban: Some(format!("GB29LOYD300000{number}")),
                    ..Default::default()
                },
                provider: ProviderRef {
                    provider_id: Some("mock".into()),
                    ..Default::default()
                },
            });
        }
        bank.cards.push(Card {
            account_id: Some(card.clone()),
            card_network: Some("VISA".into()),
            card_type: Some("CREDIT".into()),
            currency: Some("GBP".into()),
            display_name: Some("Club Credit Card".into()),
            partial_card_number: Some("0044".into()),
            name_on_card: Some("A. N. Other".into()),
            valid_from: Some("2024-01".into()),
            valid_to: Some("2029-01".into()),
            update_timestamp: Some(stamp.clone()),
            provider: Some(ProviderRef {
                provider_id: Some("mock".into()),
                ..Default::default()
            }),
        });

        let mut current_txs = Vec::new();
        let mut card_txs = Vec::new();
        let today = now.date();
        for day in (0..days).rev() {
            let date = today - Duration::days(i64::from(day));
            let at = date.with_time(Time::MIDNIGHT).assume_utc();
            if date.day() == 25 {
                current_txs.push(bank.tx(
                    at,
                    "ACME LTD SALARY",
                    None,
                    285_000,
                    TransactionType::Credit,
                    TransactionCategory::Credit,
                    ["Income", "Salary"],
                ));
            }
            if date.day() == 1 {
                current_txs.push(bank.tx(
                    at,
                    "SO TO LANDLORD RENT",
                    None,
                    -120_000,
                    TransactionType::Debit,
                    TransactionCategory::StandingOrder,
                    ["Bills and Utilities", "Rent"],
                ));
            }
            if date.day() == 15 {
                current_txs.push(bank.tx(
                    at,
                    "EE LIMITED DD",
                    Some("EE"),
                    -2_500,
                    TransactionType::Debit,
                    TransactionCategory::DirectDebit,
                    ["Bills and Utilities", "Mobile phone"],
                ));
            }
            let purchases = if script.is_some() {
                0
            } else {
                rng.usize(1..=3)
            };
            for _ in 0..purchases {
                let (desc, merchant, class, typical) = MERCHANTS[rng.usize(..MERCHANTS.len())];
                let amount = typical * i64::from(rng.u32(60..=160)) / 100;
                if rng.bool() {
                    current_txs.push(bank.tx(
                        at,
                        desc,
                        Some(merchant),
                        -amount,
                        TransactionType::Debit,
                        TransactionCategory::Purchase,
                        class,
                    ));
                } else {
                    // Card accounts report purchases as positive debits, as TrueLayer's card examples do.
                    card_txs.push(bank.tx(
                        at,
                        desc,
                        Some(merchant),
                        amount,
                        TransactionType::Debit,
                        TransactionCategory::Purchase,
                        class,
                    ));
                }
            }
        }
        let now_at = now.replace_time(Time::MIDNIGHT);
        let mut current_pending = Vec::new();
        let mut card_pending = Vec::new();
        if let Some(script) = script {
            for scripted in script {
                let tx = bank.scripted(scripted);
                let list = match (scripted.account, scripted.pending) {
                    (SandboxAccount::Current, false) => &mut current_txs,
                    (SandboxAccount::Current, true) => &mut current_pending,
                    (SandboxAccount::Card, false) => &mut card_txs,
                    (SandboxAccount::Card, true) => &mut card_pending,
                };
                list.push(tx);
            }
            for list in [&mut current_txs, &mut card_txs] {
                list.sort_by_key(|t| t.timestamp.parse());
            }
        } else {
            bank.generated_pending(now_at, &mut current_pending, &mut card_pending);
        }

        let current_balance: Decimal =
            pence(250_000) + current_txs.iter().map(|t| t.amount).sum::<Decimal>();
        let owed: Decimal = card_txs.iter().rev().take(30).map(|t| t.amount).sum();
        bank.balances.insert(
            current.clone(),
            AccountBalance {
                currency: "GBP".into(),
                available: Some(current_balance + pence(100_000) - pence(2_202)),
                current: current_balance,
                overdraft: Some(pence(100_000)),
                update_timestamp: Some(stamp.clone()),
            },
        );
        bank.balances.insert(
            savings.clone(),
            AccountBalance {
                currency: "GBP".into(),
                available: Some(pence(1_250_000)),
                current: pence(1_250_000),
                overdraft: None,
                update_timestamp: Some(stamp.clone()),
            },
        );
        bank.card_balances.insert(
            card.clone(),
            CardBalance {
                available: Some(pence(500_000) - owed),
                currency: Some("GBP".into()),
                current: owed,
                credit_limit: Some(pence(500_000)),
                last_statement_balance: Some(owed),
                last_statement_date: Some(Timestamp::from_datetime(now_at - Duration::days(10))),
                payment_due: Some(pence(2_500)),
                payment_due_date: Some(Timestamp::from_datetime(now_at + Duration::days(15))),
                update_timestamp: Some(stamp.clone()),
            },
        );
        bank.standing_orders.insert(
            current.clone(),
            vec![StandingOrder {
                frequency: "IntrvlMnthDay:01:01".into(),
                status: Some(MandateStatus::Active),
                timestamp: stamp.clone(),
                currency: Some("GBP".into()),
                meta: None,
                next_payment_date: Some(Timestamp::from_datetime(now_at + Duration::days(20))),
                next_payment_amount: Some(pence(120_000)),
                first_payment_date: Some(Timestamp::from("2023-01-01T00:00:00+00:00")),
                first_payment_amount: Some(pence(120_000)),
                final_payment_date: Some(Timestamp::from("9999-12-31T00:00:00+00:00")),
                final_payment_amount: Some(pence(120_000)),
                payee: Some("LANDLORD".into()),
                reference: Some("RENT FLAT 2".into()),
            }],
        );
        bank.standing_orders.insert(savings.clone(), Vec::new());
        bank.direct_debits.insert(
            current.clone(),
            vec![DirectDebit {
                direct_debit_id: "004ea8ce16b6ff57090b7bf8c7b483a1".into(),
                timestamp: stamp.clone(),
                name: "EE".into(),
                status: Some(MandateStatus::Active),
                previous_payment_timestamp: Some(Timestamp::from_datetime(
                    now_at - Duration::days(10),
                )),
                previous_payment_amount: Some(pence(2_500)),
                currency: Some("GBP".into()),
                meta: DirectDebitMeta {
                    provider_mandate_identification: "EE-4471".into(),
                    provider_account_id: current.clone(),
                    provider_direct_debit_id: None,
                },
            }],
        );
        bank.direct_debits.insert(savings.clone(), Vec::new());
        bank.settled.insert(current.clone(), current_txs);
        bank.settled.insert(savings.clone(), Vec::new());
        bank.settled.insert(card.clone(), card_txs);
        bank.pending.insert(current, current_pending);
        bank.pending.insert(savings, Vec::new());
        bank.pending.insert(card, card_pending);
        bank
    }

    fn generated_pending(
        &mut self,
        now_at: OffsetDateTime,
        current: &mut Vec<Transaction>,
        card: &mut Vec<Transaction>,
    ) {
        current.push(self.tx(
            now_at,
            "TESCO STORES 2041",
            Some("Tesco"),
            -1_287,
            TransactionType::Debit,
            TransactionCategory::Purchase,
            ["Shopping", "Groceries"],
        ));
        current.push(self.tx(
            now_at,
            "UBER *TRIP HELP.UBER.COM",
            Some("Uber"),
            -915,
            TransactionType::Debit,
            TransactionCategory::Purchase,
            ["Transport", "Taxi"],
        ));
        card.push(self.tx(
            now_at,
            "AMAZON.CO.UK*PN2X81ZZ4",
            Some("Amazon"),
            3_499,
            TransactionType::Debit,
            TransactionCategory::Purchase,
            ["Shopping", "General"],
        ));
    }

    /// A scripted transaction as TrueLayer shows it: card purchases as
    /// positive debits, account payments as negative ones.
    fn scripted(&mut self, s: &SandboxTransaction) -> Transaction {
        let out = s.amount_pence < 0;
        let shown = match s.account {
            SandboxAccount::Current => s.amount_pence,
            SandboxAccount::Card => -s.amount_pence,
        };
        let (kind, category) = if out {
            (TransactionType::Debit, TransactionCategory::Purchase)
        } else {
            (TransactionType::Credit, TransactionCategory::Credit)
        };
        let mut tx = self.tx(
            s.at,
            &s.description,
            s.merchant.as_deref(),
            shown,
            kind,
            category,
            ["", ""],
        );
        tx.transaction_classification = s.classification.clone();
        tx.transaction_id = s.id.clone();
        tx.normalised_provider_transaction_id = Some(s.normalised_id());
        tx.provider_transaction_id = Some(format!("p-{}", s.id));
        tx
    }

    fn id(&mut self) -> String {
        self.next_id = self.next_id.wrapping_add(0x9E37_79B9_7F4A_7C15);
        format!("{:016x}{:016x}", self.next_id, self.next_id.rotate_left(17))
    }

    #[allow(clippy::too_many_arguments)]
    fn tx(
        &mut self,
        at: OffsetDateTime,
        description: &str,
        merchant: Option<&str>,
        amount_pence: i64,
        kind: TransactionType,
        category: TransactionCategory,
        class: [&str; 2],
    ) -> Transaction {
        let id = self.id();
        Transaction {
            transaction_id: id.clone(),
            normalised_provider_transaction_id: Some(format!("txn-{}", &id[..17])),
            provider_transaction_id: Some(id[8..24].to_owned()),
            timestamp: Timestamp::from_datetime(at),
            description: description.into(),
            amount: pence(amount_pence),
            currency: "GBP".into(),
            transaction_type: kind,
            transaction_category: category,
            transaction_classification: class.iter().map(|s| (*s).to_owned()).collect(),
            merchant_name: merchant.map(str::to_owned),
            running_balance: None,
            meta: BTreeMap::from([("provider_transaction_category".to_owned(), "DEB".into())]),
        }
    }

    /// Pending transactions settle: they move to the settled list under new ids,
    /// as banks do (the pending id never reappears).
    pub fn settle_pending(&mut self) -> usize {
        let mut moved = 0;
        let ids: Vec<String> = self.pending.keys().cloned().collect();
        for account in ids {
            let pending = std::mem::take(self.pending.get_mut(&account).expect("listed key"));
            for mut tx in pending {
                let id = self.id();
                tx.transaction_id = id.clone();
                tx.normalised_provider_transaction_id = Some(format!("txn-{}", &id[..17]));
                tx.provider_transaction_id = Some(id[8..24].to_owned());
                self.settled.entry(account.clone()).or_default().push(tx);
                moved += 1;
            }
        }
        moved
    }

    pub fn is_card(&self, id: &str) -> bool {
        self.cards
            .iter()
            .any(|c| c.account_id.as_deref() == Some(id))
    }

    pub fn is_account(&self, id: &str) -> bool {
        self.accounts
            .iter()
            .any(|a| a.account_id.as_deref() == Some(id))
    }
}
