//! What a parse produces.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

/// What kind of message it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A purchase with a charge.
    Receipt,
    /// Money back.
    Refund,
    /// An order cancelled.
    Cancellation,
    /// Shipped, dispatched, out for delivery.
    Shipping,
    /// A subscription notice without a charge (a reminder, a plan change).
    SubscriptionNotice,
    /// Promotion.
    Marketing,
    /// Anything else.
    Other,
}

/// The pipeline stage a field came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A vendor parser.
    Vendor,
    /// schema.org markup (JSON-LD or microdata).
    SchemaOrg,
    /// Generic patterns.
    Pattern,
    /// The sender's display name (`"Ada's Bakery" <shop@mail.platform.example>`),
    /// which anyone may write: a merchant named only by it is marked so.
    DisplayName,
    /// A language model (the optional last stage, `llm-enrich`).
    Llm,
    /// The text of an attached document (a PDF invoice), read by the generic
    /// patterns because the email itself did not carry the field.
    Pdf,
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field<T> {
    /// The value.
    pub value: T,
    /// The stage that found it.
    pub source: Method,
    /// How sure that stage is, 0 to 1.
    pub confidence: f32,
}

/// An exact amount in a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Money {
    /// The amount.
    pub amount: Decimal,
    /// ISO 4217 code.
    pub currency: Currency,
}

/// An ISO 4217 currency code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Currency(pub &'static str);

/// The currencies receipts are read in.
const KNOWN_CURRENCIES: &[&str] = &[
    "GBP", "EUR", "USD", "CAD", "AUD", "JPY", "CHF", "SEK", "NOK", "DKK", "PLN", "INR", "NZD",
    "BRL", "MXN", "SGD", "HKD", "ZAR", "AED", "SAR", "TRY", "EGP", "CZK", "HUF", "RON",
];

impl Currency {
    /// The currency of an ISO 4217 code (any case), when it is one receipts are read in.
    ///
    /// ```
    /// assert_eq!(receipt_parsers::Currency::from_code("gbp").unwrap().0, "GBP");
    /// assert!(receipt_parsers::Currency::from_code("XYZ").is_none());
    /// ```
    pub fn from_code(code: &str) -> Option<Currency> {
        KNOWN_CURRENCIES
            .iter()
            .find(|k| k.eq_ignore_ascii_case(code.trim()))
            .map(|k| Currency(k))
    }
}

/// A line of a receipt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineItem {
    /// What was bought.
    pub description: String,
    /// How many.
    pub quantity: u32,
    /// Price of one, when shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Money>,
    /// The line's total, when shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<Money>,
    /// SKU or ASIN, when shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// The stage that found the line.
    pub source: Method,
    /// How sure that stage is, 0 to 1.
    pub confidence: f32,
}

/// A structured receipt. Every field keeps its source stage and confidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Receipt {
    /// The registry key of the vendor parser that recognised the sender
    /// (`amazon`), or, when no vendor parser did, the sender's registrable
    /// domain's name (`seetickets` for `donotreply@seetickets.com`); see
    /// [`Receipt::vendor_registered`].
    pub vendor: Option<String>,
    /// Whether `vendor` is a registered vendor parser's key (not a name
    /// taken from the sender's domain).
    pub vendor_registered: bool,
    /// The merchant's display name.
    pub merchant: Option<Field<String>>,
    /// Order ids, each with the stage that found it.
    pub order_ids: Vec<Field<String>>,
    /// The order date (a civil date, as the person reads it).
    pub date: Option<Field<Date>>,
    /// The total charged.
    pub total: Option<Field<Money>>,
    /// Before tax, shipping and discounts.
    pub subtotal: Option<Field<Money>>,
    /// Tax or VAT.
    pub tax: Option<Field<Money>>,
    /// Shipping.
    pub shipping: Option<Field<Money>>,
    /// Discounts (positive).
    pub discount: Option<Field<Money>>,
    /// Lines.
    pub line_items: Vec<LineItem>,
    /// How it was paid, when shown (`Visa ending 1234`, `PayPal`).
    pub payment_method: Option<String>,
    /// For refunds and cancellations: the original order id.
    pub refund_of: Option<String>,
}

impl Receipt {
    /// The merchant's name normalised for matching: lower case, letters and digits only.
    ///
    /// ```
    /// let mut r = receipt_parsers::Receipt::default();
    /// r.merchant = Some(receipt_parsers::Field { value: "Uber Eats".into(), source: receipt_parsers::Method::Vendor, confidence: 1.0 });
    /// assert_eq!(r.merchant_normalised().as_deref(), Some("ubereats"));
    /// ```
    pub fn merchant_normalised(&self) -> Option<String> {
        self.merchant.as_ref().map(|m| {
            m.value
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        })
    }

    /// The order ids' values.
    pub fn order_id_values(&self) -> Vec<&str> {
        self.order_ids.iter().map(|f| f.value.as_str()).collect()
    }

    /// The stage most fields came from (the one that found the total, if any).
    pub fn method(&self) -> Option<Method> {
        self.total
            .as_ref()
            .map(|t| t.source)
            .or_else(|| self.merchant.as_ref().map(|m| m.source))
    }

    /// The confidence of the total (or of the merchant when no total was found).
    pub fn confidence(&self) -> f32 {
        self.total
            .as_ref()
            .map(|t| t.confidence)
            .or_else(|| self.merchant.as_ref().map(|m| m.confidence))
            .unwrap_or(0.0)
    }
}

/// The outcome for one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parsed {
    /// `Message-ID`.
    pub message_id: Option<String>,
    /// The From address.
    pub from: Option<String>,
    /// The subject.
    pub subject: Option<String>,
    /// The day the message was sent (its `Date` header), when it has one.
    pub sent: Option<Date>,
    /// What kind of message it is.
    pub kind: Kind,
    /// Why the pre-filter decided so.
    pub reason: String,
    /// How sure the pre-filter is of the kind, 0 to 1.
    pub kind_confidence: f32,
    /// Whether the From domain is authenticated (DKIM/DMARC aligned): `None`
    /// when the message carries no authentication results (or is a bare HTML body).
    pub sender_verified: Option<bool>,
    /// The receipt, for receipts, refunds, cancellations and shipping notices with an order.
    pub receipt: Option<Receipt>,
}
