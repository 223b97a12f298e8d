//! Receipt extraction, the last stage of the receipt pipeline: email text in,
//! receipt fields out (the fields of receipt-parsers' `Receipt`).

use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::answer::{Answerer, Spend};
use crate::cost::PriceTable;
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
    /// The order date, `YYYY-MM-DD`.
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

fn amount(field: &str, value: Option<String>) -> std::result::Result<Option<Decimal>, String> {
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
        .map_err(|_| format!("{field} {text:?} is not a decimal number"))
}

fn valid_date(date: &str) -> bool {
    let b = date.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&date[5..7].parse::<u8>().unwrap_or(0))
        && (1..=31).contains(&date[8..10].parse::<u8>().unwrap_or(0))
}

/// Parses and checks an extraction answer.
pub fn check_answer(text: &str) -> std::result::Result<ExtractedReceipt, String> {
    let raw: RawReceipt = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if let Some(date) = &raw.date
        && !valid_date(date)
    {
        return Err(format!("date {date:?} is not YYYY-MM-DD"));
    }
    if let Some(currency) = &raw.currency
        && (currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(format!("currency {currency:?} is not an ISO 4217 code"));
    }
    if !(0.0..=1.0).contains(&raw.confidence) {
        return Err(format!("confidence {} is outside 0..1", raw.confidence));
    }
    let mut line_items = Vec::with_capacity(raw.line_items.len());
    for line in raw.line_items {
        line_items.push(LineItem {
            quantity: amount("quantity", line.quantity)?,
            unit_price: amount("unit_price", line.unit_price)?,
            total: amount("line total", line.total)?,
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
    /// An extractor using `provider`.
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

    /// Refuses a request that could cost more than `dollars`.
    pub fn budget(mut self, dollars: Decimal) -> Self {
        self.answerer.budget = Some(dollars);
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

    /// Extracts the receipt from `email_text`, as a run of its own: the
    /// budget applies to this email alone.
    pub async fn extract(&self, email_text: &str) -> Result<Extraction> {
        let mut spend = Spend::default();
        let receipt = self.extract_within(email_text, &mut spend).await?;
        Ok(Extraction { receipt, spend })
    }

    /// Extracts the receipt from `email_text` as one step of a longer run:
    /// `run` holds what the run has spent so far (on any requests, receipt
    /// or transaction ones), the budget applies to that total, and this
    /// email's requests are added to it. A run over a whole mailbox passes
    /// one `Spend` to every call, so its budget holds for all of them.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> llm_enrich::Result<()> {
    /// use llm_enrich::testkit::Simulator;
    /// use llm_enrich::{ProviderKind, ReceiptExtractor, Spend};
    ///
    /// let sim = Simulator::start(ProviderKind::Anthropic).await;
    /// let extractor = ReceiptExtractor::new(sim.provider()).budget("1.00".parse().unwrap());
    /// let mut run = Spend::default();
    /// for email in ["Order #1\nTotal: £5.00", "Order #2\nTotal: £7.50"] {
    ///     extractor.extract_within(email, &mut run).await?;
    /// }
    /// assert_eq!(run.requests, 2);
    /// # Ok(()) }
    /// ```
    pub async fn extract_within(
        &self,
        email_text: &str,
        run: &mut Spend,
    ) -> Result<ExtractedReceipt> {
        let request = self.build_request(email_text);
        match self.answerer.answer(&request, run, check_answer).await? {
            Some(receipt) => Ok(receipt),
            None => Err(Error::InvalidAnswer {
                provider: self.answerer.provider.kind(),
                detail: "the answer was cut short at the output limit".into(),
            }),
        }
    }
}
