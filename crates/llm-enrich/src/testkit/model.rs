//! The simulators' "model": deterministic answers to our two tasks, read off
//! the request the way a language model would read it.

use serde_json::{Value, json};

/// Keyword rules: (fragment of the description, merchant, type, category, subcategory, essential).
const RULES: &[(&str, &str, &str, &str, &str, bool)] = &[
    (
        "TESCO",
        "Tesco",
        "supermarket",
        "Groceries",
        "Supermarket",
        true,
    ),
    (
        "SAINSBURY",
        "Sainsbury's",
        "supermarket",
        "Groceries",
        "Supermarket",
        true,
    ),
    (
        "OCADO",
        "Ocado",
        "online supermarket",
        "Groceries",
        "Online groceries",
        true,
    ),
    (
        "UBER EATS",
        "Uber Eats",
        "food delivery",
        "Eating out",
        "Takeaway & delivery",
        false,
    ),
    (
        "UBER",
        "Uber",
        "ride hailing",
        "Transport",
        "Taxi & ride hailing",
        false,
    ),
    (
        "DELIVEROO",
        "Deliveroo",
        "food delivery",
        "Eating out",
        "Takeaway & delivery",
        false,
    ),
    (
        "PRET",
        "Pret A Manger",
        "coffee shop",
        "Eating out",
        "Coffee shops",
        false,
    ),
    (
        "TFL TRAVEL",
        "Transport for London",
        "public transport",
        "Transport",
        "Public transport",
        true,
    ),
    (
        "AMAZON",
        "Amazon",
        "online marketplace",
        "Shopping",
        "General merchandise",
        false,
    ),
    (
        "AMZN",
        "Amazon",
        "online marketplace",
        "Shopping",
        "General merchandise",
        false,
    ),
    (
        "NETFLIX",
        "Netflix",
        "streaming service",
        "Subscriptions",
        "Streaming",
        false,
    ),
    (
        "SPOTIFY",
        "Spotify",
        "streaming service",
        "Subscriptions",
        "Streaming",
        false,
    ),
    (
        "APPLE.COM",
        "Apple",
        "app store",
        "Subscriptions",
        "Software",
        false,
    ),
    ("BOOTS", "Boots", "pharmacy", "Health", "Pharmacy", true),
    (
        "EE LIMITED",
        "EE",
        "mobile network",
        "Bills",
        "Phone & internet",
        true,
    ),
    (
        "RENT",
        "Landlord",
        "landlord",
        "Bills",
        "Rent & mortgage",
        true,
    ),
    ("SALARY", "Employer", "employer", "Income", "Salary", true),
];

/// Answers the transactions in `user` (our prompt's JSON list).
pub fn enrich(user: &str) -> Value {
    // The list is the first JSON value after the first '['; a repair request adds text after it.
    let items: Vec<Value> = user
        .find('[')
        .and_then(|start| {
            serde_json::Deserializer::from_str(&user[start..])
                .into_iter::<Vec<Value>>()
                .next()
        })
        .and_then(Result::ok)
        .unwrap_or_default();
    let results: Vec<Value> = items
        .iter()
        .map(|item| {
            let description = item["description"].as_str().unwrap_or_default().to_uppercase();
            let credit = item["direction"] == "credit";
            let rule = RULES.iter().find(|r| description.contains(r.0));
            let (merchant, kind, category, sub, essential, confidence) = match rule {
                Some(r) => (r.1.to_owned(), r.2, r.3, r.4, r.5, 0.93),
                None if credit => (title_case(&description), "unknown", "Income", "Other income", false, 0.4),
                None => (title_case(&description), "unknown", "Other", "Uncategorised", false, 0.3),
            };
            let method = if description.ends_with(" DD") { "direct debit" } else { "card" };
            json!({
                "id": item["id"], "category": category, "subcategory": sub, "merchant": merchant,
                "merchant_type": kind, "essential": essential, "payment_method": method, "confidence": confidence,
            })
        })
        .collect();
    json!({ "results": results })
}

fn title_case(text: &str) -> String {
    let first = text.split_whitespace().next().unwrap_or("Unknown");
    let mut chars = first.chars();
    match chars.next() {
        Some(c) => c
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => "Unknown".into(),
    }
}

/// Extracts a receipt from the email text in `user`: the total after "Total",
/// the order id after "Order", the currency from its symbol, and the date of
/// a `Date: YYYY-MM-DD` line as written, calendar or not (as a model that
/// copies what it read does).
pub fn extract(user: &str) -> Value {
    let text = user.strip_prefix("Email:\n").unwrap_or(user);
    let lower = text.to_lowercase();
    let total_line = text.lines().find(|l| {
        let l = l.to_lowercase();
        l.contains("total") && !l.contains("subtotal")
    });
    let total = total_line.and_then(number);
    let currency = total_line.map(|l| {
        if l.contains('€') || l.contains("EUR") {
            "EUR"
        } else if l.contains('$') || l.contains("USD") {
            "USD"
        } else {
            "GBP"
        }
    });
    let order_id = text.lines().find_map(|l| {
        l.split_once("Order #")
            .map(|(_, rest)| rest.split_whitespace().next().unwrap_or("").to_owned())
    });
    let merchant = text.lines().find_map(|l| {
        let from = l.strip_prefix("From: ")?;
        let domain = from.rsplit('@').next()?.trim_end_matches('>');
        let name = domain.split('.').next()?;
        Some(title_case(name))
    });
    let date = text.lines().find_map(|l| {
        let value = l.trim().strip_prefix("Date: ")?.trim();
        let b = value.as_bytes();
        (b.len() == 10 && b[4] == b'-' && b[7] == b'-').then(|| value.to_owned())
    });
    let kind = if lower.contains("refund") {
        "refund"
    } else if total.is_some() {
        "receipt"
    } else {
        "other"
    };
    json!({
        "kind": kind, "merchant": merchant, "order_ids": order_id.into_iter().collect::<Vec<_>>(), "date": date,
        "currency": currency, "total": total, "subtotal": null, "tax": null, "shipping": null, "discount": null,
        "line_items": [], "payment_method": null, "original_order_id": null,
        "confidence": if total.is_some() { 0.9 } else { 0.2 },
    })
}

/// The first number in `line`, thousands separators dropped, as decimal text.
fn number(line: &str) -> Option<String> {
    let start = line.find(|c: char| c.is_ascii_digit())?;
    let digits: String = line[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    Some(digits.trim_end_matches('.').to_owned())
}
