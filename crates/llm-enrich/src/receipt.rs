//! Receipt extraction, the last stage of the receipt pipeline: email text in,
//! receipt fields out (the fields of receipt-parsers' `Receipt`).

use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::answer::{AnswerError, Answerer, Spend};
use crate::cost::{Budget, PriceTable};
use crate::{CompletionRequest, Error, Provider, Result};

/// What kind of message it is: the same kinds as the receipt pipeline's pre-filter.
pub use receipt_parsers::Kind as ReceiptKind;

/// One line of a receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineItem {
    /// What was bought.
    pub description: String,
    /// How many.
    pub quantity: Option<Decimal>,
    /// Price of one.
    pub unit_price: Option<Decimal>,
    /// The line's total.
    pub total: Option<Decimal>,
    /// SKU or ASIN, when shown.
    pub sku: Option<String>,
}

/// The receipt fields the model found. Amounts are exact decimals in `currency`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractedReceipt {
    /// What kind of message it is.
    pub kind: ReceiptKind,
    /// The merchant's name.
    pub merchant: Option<String>,
    /// Order ids.
    pub order_ids: Vec<String>,
    /// The order date, `YYYY-MM-DD`, a real calendar date (checked).
    pub date: Option<String>,
    /// ISO 4217 currency of the amounts.
    pub currency: Option<String>,
    /// The total charged.
    pub total: Option<Decimal>,
    /// Before tax, shipping and discounts.
    pub subtotal: Option<Decimal>,
    /// Tax or VAT.
    pub tax: Option<Decimal>,
    /// Shipping.
    pub shipping: Option<Decimal>,
    /// Discounts (positive).
    pub discount: Option<Decimal>,
    /// The lines.
    pub line_items: Vec<LineItem>,
    /// How it was paid, when shown.
    pub payment_method: Option<String>,
    /// For refunds and cancellations: the original order id.
    pub original_order_id: Option<String>,
    /// The model's confidence, 0 to 1.
    pub confidence: f32,
}

impl ExtractedReceipt {
    /// The extraction as a `receipt_parsers::Receipt`, every field marked as
    /// found by the language model with its confidence, so it can fill what
    /// the earlier stages of the receipt pipeline left empty.
    pub fn to_receipt(&self) -> receipt_parsers::Receipt {
        use receipt_parsers::{Currency, Field, Method, Money};
        let currency = self.currency.as_deref().and_then(Currency::from_code);
        let money = |amount: Option<Decimal>| -> Option<Field<Money>> {
            Some(Field {
                value: Money {
                    amount: amount?,
                    currency: currency?,
                },
                source: Method::Llm,
                confidence: self.confidence,
            })
        };
        let date = self.date.as_deref().and_then(|d| {
            time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).ok()
        });
        receipt_parsers::Receipt {
            vendor: None,
            vendor_registered: false,
            merchant: self.merchant.clone().map(|m| Field {
                value: m,
                source: Method::Llm,
                confidence: self.confidence,
            }),
            order_ids: self
                .order_ids
                .iter()
                .map(|id| Field {
                    value: id.clone(),
                    source: Method::Llm,
                    confidence: self.confidence,
                })
                .collect(),
            date: date.map(|d| Field {
                value: d,
                source: Method::Llm,
                confidence: self.confidence,
            }),
            total: money(self.total),
            subtotal: money(self.subtotal),
            tax: money(self.tax),
            shipping: money(self.shipping),
            discount: money(self.discount),
            line_items: self
                .line_items
                .iter()
                .map(|l| receipt_parsers::LineItem {
                    description: l.description.clone(),
                    quantity: l
                        .quantity
                        .and_then(|q| u32::try_from(q.trunc().mantissa()).ok())
                        .unwrap_or(1),
                    unit_price: l
                        .unit_price
                        .zip(currency)
                        .map(|(amount, currency)| Money { amount, currency }),
                    total: l
                        .total
                        .zip(currency)
                        .map(|(amount, currency)| Money { amount, currency }),
                    sku: l.sku.clone(),
                    source: Method::Llm,
                    confidence: self.confidence,
                })
                .collect(),
            payment_method: self.payment_method.clone(),
            refund_of: self.original_order_id.clone(),
        }
    }
}

/// An extraction and what it cost.
#[derive(Debug, Clone)]
pub struct Extraction {
    /// The fields.
    pub receipt: ExtractedReceipt,
    /// Requests, tokens, cost.
    pub spend: Spend,
}

#[derive(Deserialize)]
struct RawLine {
    description: String,
    quantity: Option<String>,
    unit_price: Option<String>,
    total: Option<String>,
    sku: Option<String>,
}

#[derive(Deserialize)]
struct RawReceipt {
    kind: ReceiptKind,
    merchant: Option<String>,
    order_ids: Vec<String>,
    date: Option<String>,
    currency: Option<String>,
    total: Option<String>,
    subtotal: Option<String>,
    tax: Option<String>,
    shipping: Option<String>,
    discount: Option<String>,
    line_items: Vec<RawLine>,
    payment_method: Option<String>,
    original_order_id: Option<String>,
    confidence: f64,
}

/// The JSON schema of an extraction answer. Amounts are decimal strings so nothing is lost to floats.
pub fn schema() -> Value {
    let money = json!({"type": ["string", "null"], "description": "a decimal number with a dot, no currency symbol, e.g. 1234.50"});
    let text = json!({"type": ["string", "null"]});
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["kind", "merchant", "order_ids", "date", "currency", "total", "subtotal", "tax", "shipping",
                     "discount", "line_items", "payment_method", "original_order_id", "confidence"],
        "properties": {
            "kind": {"type": "string", "enum": ["receipt", "refund", "cancellation", "shipping", "subscription_notice", "marketing", "other"]},
            "merchant": text,
            "order_ids": {"type": "array", "items": {"type": "string"}},
            "date": {"type": ["string", "null"], "description": "YYYY-MM-DD"},
            "currency": {"type": ["string", "null"], "description": "ISO 4217 code"},
            "total": money, "subtotal": money, "tax": money, "shipping": money, "discount": money,
            "line_items": {"type": "array", "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["description", "quantity", "unit_price", "total", "sku"],
                "properties": {"description": {"type": "string"}, "quantity": money, "unit_price": money, "total": money, "sku": text},
            }},
            "payment_method": text,
            "original_order_id": text,
            "confidence": {"type": "number"},
        },
    })
}

fn field_error(field: impl Into<String>, value: &str, reason: impl Into<String>) -> AnswerError {
    AnswerError::Field {
        field: field.into(),
        value: value.to_owned(),
        reason: reason.into(),
    }
}

fn amount(field: &str, value: Option<String>) -> std::result::Result<Option<Decimal>, AnswerError> {
    let Some(text) = value.filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | ' '))
        .collect();
    Decimal::from_str(&cleaned)
        .map(Some)
        .map_err(|_| field_error(field, &text, "is not a decimal number"))
}

/// Checks that `date` is `YYYY-MM-DD` and a day the calendar has: a model
/// that mixes up day and month orders, or makes a date up, gives
/// `2024-02-31` or `2024-13-01`, which would otherwise reach the matcher
/// (or be silently dropped when the receipt is converted).
fn check_date(date: &str) -> std::result::Result<(), AnswerError> {
    let b = date.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(field_error("date", date, "is not YYYY-MM-DD"));
    }
    // All ASCII digits where parsed, so these parse.
    let year: i32 = date[..4].parse().unwrap_or(0);
    let month: u8 = date[5..7].parse().unwrap_or(0);
    let day: u8 = date[8..10].parse().unwrap_or(0);
    let Ok(month) = time::Month::try_from(month) else {
        return Err(field_error(
            "date",
            date,
            format!("has no month {month} (months are 01 to 12)"),
        ));
    };
    if time::Date::from_calendar_date(year, month, day).is_err() {
        let days = month.length(year);
        return Err(field_error(
            "date",
            date,
            format!("is not a calendar date ({month} {year} has {days} days)"),
        ));
    }
    Ok(())
}

/// Parses and checks an extraction answer: `Err` names the field at fault
/// (a date the calendar does not have, an amount that is not a number, a
/// currency that is not an ISO code), or says the text is not JSON of the
/// schema's shape.
pub fn check_answer(text: &str) -> std::result::Result<ExtractedReceipt, AnswerError> {
    let raw: RawReceipt =
        serde_json::from_str(text).map_err(|e| AnswerError::Shape(e.to_string()))?;
    if let Some(date) = &raw.date {
        check_date(date)?;
    }
    if let Some(currency) = &raw.currency
        && (currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(field_error("currency", currency, "is not an ISO 4217 code"));
    }
    if !(0.0..=1.0).contains(&raw.confidence) {
        return Err(field_error(
            "confidence",
            &raw.confidence.to_string(),
            "is outside 0..1",
        ));
    }
    let mut line_items = Vec::with_capacity(raw.line_items.len());
    for (i, line) in raw.line_items.into_iter().enumerate() {
        line_items.push(LineItem {
            quantity: amount(&format!("line_items[{i}].quantity"), line.quantity)?,
            unit_price: amount(&format!("line_items[{i}].unit_price"), line.unit_price)?,
            total: amount(&format!("line_items[{i}].total"), line.total)?,
            description: line.description,
            sku: line.sku,
        });
    }
    Ok(ExtractedReceipt {
        kind: raw.kind,
        merchant: raw.merchant,
        order_ids: raw.order_ids,
        date: raw.date,
        currency: raw.currency,
        total: amount("total", raw.total)?,
        subtotal: amount("subtotal", raw.subtotal)?,
        tax: amount("tax", raw.tax)?,
        shipping: amount("shipping", raw.shipping)?,
        discount: amount("discount", raw.discount)?,
        line_items,
        payment_method: raw.payment_method,
        original_order_id: raw.original_order_id,
        confidence: raw.confidence as f32,
    })
}

/// Extracts receipt fields from an email's text with one provider.
///
/// ```
/// # #[tokio::main] async fn main() -> llm_enrich::Result<()> {
/// use llm_enrich::testkit::Simulator;
/// use llm_enrich::{ProviderKind, ReceiptExtractor};
///
/// let sim = Simulator::start(ProviderKind::OpenAi).await;
/// let extractor = ReceiptExtractor::new(sim.provider());
/// let found = extractor.extract("From: orders@shop.example\nOrder #A-1001\nTotal: £12.50").await?;
/// assert_eq!(found.receipt.total.unwrap().to_string(), "12.50");
/// # Ok(()) }
/// ```
pub struct ReceiptExtractor {
    answerer: Answerer,
}

impl ReceiptExtractor {
    /// An extractor using `provider`, the default prices, no budget.
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        ReceiptExtractor {
            answerer: Answerer::new(provider),
        }
    }

    /// Prices to account costs with.
    pub fn prices(mut self, prices: PriceTable) -> Self {
        self.answerer.prices = prices;
        self
    }

    /// Caps what all of this extractor's requests together may cost at
    /// `dollars`: one budget for every email it is given, not one per email.
    /// To share a budget with an [`Enricher`](crate::Enricher) or other
    /// extractors, use [`shared_budget`](Self::shared_budget).
    pub fn budget(self, dollars: Decimal) -> Self {
        self.shared_budget(Arc::new(Budget::new(dollars)))
    }

    /// Checks every request against `budget`, which other extractors and
    /// enrichers of the same run may hold too.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> llm_enrich::Result<()> {
    /// use std::sync::Arc;
    /// use llm_enrich::testkit::Simulator;
    /// use llm_enrich::{Budget, Direction, Enricher, ProviderKind, ReceiptExtractor, TransactionInput};
    /// use rust_decimal::Decimal;
    ///
    /// let sim = Simulator::start(ProviderKind::Anthropic).await;
    /// let run = Arc::new(Budget::new("0.50".parse().unwrap()));
    /// let receipts = ReceiptExtractor::new(sim.provider()).shared_budget(run.clone());
    /// let transactions = Enricher::new(sim.provider()).shared_budget(run.clone());
    /// receipts.extract("Order #1\nTotal: £5.00").await?;
    /// let after_receipts = run.spent();
    /// let tesco = TransactionInput::new("t1", "TESCO STORES 2041", Decimal::new(3450, 2), "GBP", Direction::Debit);
    /// transactions.enrich(&[tesco]).await?;
    /// assert!(run.spent() > after_receipts, "one budget for both");
    /// # Ok(()) }
    /// ```
    pub fn shared_budget(mut self, budget: Arc<Budget>) -> Self {
        self.answerer.budget = Some(budget);
        self
    }

    /// The request for `email_text` (cut to fit the provider's input limit).
    pub fn build_request(&self, email_text: &str) -> CompletionRequest {
        let limit = self.answerer.provider.limits().max_input_tokens as usize * 3;
        let text = match email_text.char_indices().nth(limit) {
            Some((cut, _)) => &email_text[..cut],
            None => email_text,
        };
        CompletionRequest {
            system: "You read emails and extract purchase receipts. Use only what the email says: \
                     leave a field null rather than guess. Amounts are decimal numbers with a dot and no \
                     currency symbol; currency is the ISO 4217 code; dates are YYYY-MM-DD in the email's own \
                     day/month order."
                .into(),
            user: format!("Email:\n{text}"),
            schema: schema(),
            schema_name: "record_receipt".into(),
            max_output_tokens: 2048,
        }
    }

    /// Extracts the receipt from `email_text`. Its requests are checked
    /// against the extractor's budget, which holds across every email (a
    /// refusal is [`Error::BudgetExceeded`], and nothing is sent); the
    /// returned [`Spend`] is this email's.
    pub async fn extract(&self, email_text: &str) -> Result<Extraction> {
        let mut spend = Spend::default();
        let request = self.build_request(email_text);
        match self
            .answerer
            .answer(&request, &mut spend, check_answer)
            .await?
        {
            Some(receipt) => Ok(Extraction { receipt, spend }),
            None => Err(Error::InvalidAnswer {
                provider: self.answerer.provider.kind(),
                detail: "the answer was cut short at the output limit".into(),
            }),
        }
    }
}
