//! The pre-filter: what kind of message is this, from headers and text alone
//! (no DOM is built for messages that are not worth it).

use crate::message::Email;
use crate::model::Kind;

const REFUND: &[&str] = &[
    "refund",
    "refunded",
    "rückerstattung",
    "erstattung",
    "remboursement",
    "reembolso",
    "rimborso",
    "money back",
];
/// Refund wording that says this message is about a refund, not a policy
/// or guarantee mentioned in a footer ("eBay Money Back Guarantee",
/// "refund policy", "eligible for a refund").
const REFUND_BODY: &[&str] = &[
    "your refund",
    "refund of",
    "refund for",
    "has been refunded",
    "have been refunded",
    "was refunded",
    "we've refunded",
    "we have refunded",
    "we refunded",
    "refund has been",
    "refund is on its way",
    "refund amount",
    "refund total",
    "total refund",
    "refunded to",
    "issued a refund",
    "issued your refund",
    "processed a refund",
    "processed your refund",
    "rückerstattung",
    "remboursement de",
    "votre remboursement",
    "tu reembolso",
    "su reembolso",
    "il tuo rimborso",
    "rimborso di",
];
/// Wording that a sum was charged (not a price stated for later, and not
/// "to avoid being charged").
const CHARGED_NOW: &[&str] = &[
    "total",
    "amount charged",
    "charged to",
    "was charged",
    "been charged",
    "we charged",
    "amount paid",
    "you paid",
    "you have paid",
    "you sent",
    "you spent",
    "spent at",
    "summe",
    "endbetrag",
    "合計",
    "ご請求",
    "gesamtbetrag",
    "montant",
    "importe",
    "importo",
];
const CANCEL: &[&str] = &[
    "cancelled",
    "canceled",
    "cancellation",
    "storniert",
    "stornierung",
    "annulée",
    "annulation",
    "cancelado",
    "annullato",
    "キャンセル",
];
const SHIPPING: &[&str] = &[
    "shipped",
    "dispatched",
    "on its way",
    "on the way",
    "out for delivery",
    "has been delivered",
    "was delivered",
    "versandt",
    "zugestellt",
    "expédié",
    "expédiée",
    "enviado",
    "spedito",
    "tracking number",
    "your package",
    "your parcel",
    "parcel will",
    "shipping confirmation",
    "shipment confirmation",
    "versandbestätigung",
    "verzonden",
    "発送",
    "出荷",
];
const RECEIPT: &[&str] = &[
    "receipt",
    "order confirmation",
    "your order",
    "order placed",
    "thanks for your order",
    "thank you for your order",
    "thank you for your purchase",
    "invoice",
    "payment received",
    "you paid",
    "you have paid",
    "paid the business",
    "you sent",
    "you spent",
    "spent at",
    "payment to",
    "charged",
    "booking confirmation",
    "your trip",
    "your ride",
    "riding with",
    "thanks for riding",
    "bestellung",
    "bestellbestätigung",
    "rechnung",
    "commande",
    "facture",
    "pedido",
    "ordine",
    "ricevuta",
    "bestelling",
    "zamówienie",
    "ご注文",
    "注文の確認",
    "領収書",
    "order total",
    "amount paid",
    "total paid",
    "billing",
];
/// More receipt wording (confirmations of payment, bookings, purchases).
const RECEIPT_MORE: &[&str] = &[
    "payment confirmation",
    "confirmation of payment",
    "order confirmed",
    "booking confirmed",
    "purchase",
];
/// Subject words that, with a charged amount in the body, make a receipt.
const ORDERISH: &[&str] = &[
    "order",
    "payment",
    "booking",
    "subscription",
    "renewal",
    "trip",
    "ride",
];
const SUBSCRIPTION: &[&str] = &[
    "subscription confirmation",
    "free trial",
    "will renew",
    "renewal reminder",
    "upcoming renewal",
    "trial ends",
    "trial is ending",
    "price change",
    "plan change",
    "subscription update",
];
const MARKETING: &[&str] = &[
    "% off",
    "sale",
    "deal",
    "offer",
    "discover",
    "new arrivals",
    "don't miss",
    "limited time",
    "exclusive",
    "recommended for you",
    "just for you",
    "playlist",
    "new releases",
];
const CHARGE: &[&str] = &[
    "total",
    "amount",
    "charged",
    "paid",
    "payment",
    "subtotal",
    "summe",
    "betrag",
    "montant",
    "importe",
    "importo",
    "spent",
    "合計",
    "ご請求",
];

/// A total label with a number but no currency (`Gesamtbetrag 134.06`).
static TOTAL_NUMBER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)(?-u:\b)(?:order total|grand total|total|gesamtbetrag|endbetrag|summe|montant total|importe total|totale)(?-u:\b)[^\n\d]{0,12}\d{1,6}[.,]\d{2}(?-u:\b)",
    )
    .expect("compiles")
});

fn any(haystack: &str, needles: &'static [&'static str]) -> Option<&'static str> {
    needles.iter().copied().find(|n| haystack.contains(n))
}

/// Like [`any`], but only words said of now: "has shipped", not "we'll
/// email you once it has shipped" or "when your order is dispatched".
fn any_now(haystack: &str, needles: &'static [&'static str]) -> Option<&'static str> {
    const LATER: &[&str] = &[
        "once ",
        "when ",
        "will ",
        "until ",
        "as soon as",
        "after ",
        "sobald ",
        "wenn ",
        "dès que",
        "lorsque",
        "cuando",
        "quando",
    ];
    needles.iter().copied().find(|n| {
        haystack.match_indices(n).any(|(at, _)| {
            let mut from = at.saturating_sub(28);
            while !haystack.is_char_boundary(from) {
                from -= 1;
            }
            !LATER.iter().any(|l| haystack[from..at].contains(l))
        })
    })
}

/// The kind of `email`, why, and how sure.
pub fn classify(email: &Email) -> (Kind, String, f32) {
    let subject = email.subject.to_lowercase();
    // The first part of the body carries the message's purpose; footers are noise.
    let original: String = email.text.chars().take(4000).collect();
    let head = original.to_lowercase();
    // Currency codes are upper case: look for amounts before lower-casing.
    let has_amount =
        !crate::money::find_all(&original, None).is_empty() || TOTAL_NUMBER.is_match(&original);
    let charged = any(&head, CHARGE).is_some() && has_amount;

    let charged_now = any(&head, CHARGED_NOW).is_some() && has_amount;

    if let Some(w) = any(&subject, REFUND) {
        return (
            Kind::Refund,
            format!("refund wording in the subject ({w:?})"),
            0.85,
        );
    }
    if let Some(w) = any(&subject, CANCEL) {
        return (
            Kind::Cancellation,
            format!("cancellation wording in the subject ({w:?})"),
            0.85,
        );
    }
    if let Some(w) = any_now(&subject, SHIPPING) {
        return (
            Kind::Shipping,
            format!("shipping wording in the subject ({w:?})"),
            0.85,
        );
    }
    if let Some(w) = any(&subject, RECEIPT)
        .or_else(|| any(&subject, RECEIPT_MORE))
        .filter(|_| charged || has_amount)
    {
        return (
            Kind::Receipt,
            format!("receipt wording in the subject ({w:?}) and an amount"),
            0.9,
        );
    }
    if let Some(w) = any(&subject, SUBSCRIPTION)
        .or_else(|| any(&head, SUBSCRIPTION).filter(|_| subject.contains("subscription")))
        .filter(|_| !charged_now)
    {
        return (
            Kind::SubscriptionNotice,
            format!("subscription wording without a charge ({w:?})"),
            0.7,
        );
    }
    // A refund told in the body, when the subject names no receipt or
    // shipment: "your refund of £5", not a footer's refund policy.
    if let Some(w) = any(&head, REFUND_BODY).filter(|_| has_amount) {
        return (
            Kind::Refund,
            format!("refund wording in the body ({w:?})"),
            0.8,
        );
    }
    if email.bulk
        && let Some(w) = any(&subject, MARKETING).or_else(|| any(&head, MARKETING))
        && !charged
    {
        return (
            Kind::Marketing,
            format!("bulk mail with promotional wording ({w:?}) and no charge"),
            0.8,
        );
    }
    if let Some(w) = any(&subject, ORDERISH).filter(|_| charged) {
        return (
            Kind::Receipt,
            format!("{w:?} in the subject and a charged amount"),
            0.75,
        );
    }
    if let Some(w) = any(&head, RECEIPT).filter(|_| charged) {
        return (
            Kind::Receipt,
            format!("receipt wording in the body ({w:?}) and a charged amount"),
            0.7,
        );
    }
    if let Some(w) = any_now(&head, SHIPPING) {
        return (
            Kind::Shipping,
            format!("shipping wording in the body ({w:?})"),
            0.6,
        );
    }
    if email.bulk {
        return (Kind::Marketing, "bulk mail without a charge".into(), 0.6);
    }
    (
        Kind::Other,
        "no receipt, refund, shipping or marketing signal".into(),
        0.5,
    )
}
