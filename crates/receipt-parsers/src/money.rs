//! Amounts in the formats receipts use: `£1,234.56`, `1.234,56 €`,
//! `63,75 EUR`, `US$12`, `CA$ 9.99`, `A$5`, `¥1,200`, `(£5.00)`.

use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

use crate::model::{Currency, Money};

static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<neg>\(\s*|[-−–])?
        (?P<pre>US\$|CA\$|C\$|AU\$|A\$|NZ\$|HK\$|S\$|R\$|(?-u:\b)Rs\.?|£|€|\$|¥|￥|₹|(?-u:\b)(?:GBP|EUR|USD|CAD|AUD|JPY|CHF|SEK|NOK|DKK|PLN|INR|NZD|HKD|SGD|MYR|BRL|MXN)(?-u:\b))?
        \s?
        (?P<num>\d{1,3}(?:[.,\x{a0}\x{202f}\ ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)
        (?:\s?(?P<post>€|(?-u:\b)(?:EUR|GBP|USD|CAD|AUD|JPY|CHF|SEK|NOK|DKK|PLN|INR|NZD|HKD|SGD|MYR|BRL|MXN|kr|zł)(?-u:\b)|円))?
        ",
    )
    .expect("the amount pattern compiles")
});

fn currency(symbol: &str) -> Option<Currency> {
    Some(Currency(match symbol {
        "£" | "GBP" => "GBP",
        "€" | "EUR" => "EUR",
        "$" | "US$" | "USD" => "USD",
        "CA$" | "C$" | "CAD" => "CAD",
        "A$" | "AU$" | "AUD" => "AUD",
        "NZ$" | "NZD" => "NZD",
        "HK$" | "HKD" => "HKD",
        "S$" | "SGD" => "SGD",
        "R$" | "BRL" => "BRL",
        "MYR" => "MYR",
        "MXN" => "MXN",
        "¥" | "￥" | "JPY" => "JPY",
        "₹" | "INR" | "Rs" | "Rs." => "INR",
        "CHF" => "CHF",
        "SEK" | "kr" => "SEK",
        "NOK" => "NOK",
        "DKK" => "DKK",
        "PLN" | "zł" => "PLN",
        "円" => "JPY",
        _ => return None,
    }))
}

/// Parses the digits of an amount, deciding which separator is the decimal one:
/// a final `,` or `.` followed by one or two digits is decimal; others group thousands.
///
/// ```
/// use receipt_parsers::money::parse_number;
/// assert_eq!(parse_number("1,234.56").unwrap().to_string(), "1234.56");
/// assert_eq!(parse_number("1.234,56").unwrap().to_string(), "1234.56");
/// assert_eq!(parse_number("63,75").unwrap().to_string(), "63.75");
/// assert_eq!(parse_number("1 200").unwrap().to_string(), "1200");
/// assert_eq!(parse_number("12").unwrap().to_string(), "12");
/// ```
pub fn parse_number(text: &str) -> Option<Decimal> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let decimal_at = digits.rfind([',', '.']).filter(|i| {
        let after = digits.len() - i - 1;
        after == 1 || after == 2
    });
    let mut normalised = String::with_capacity(digits.len());
    for (i, c) in digits.char_indices() {
        match c {
            '0'..='9' => normalised.push(c),
            ',' | '.' if Some(i) == decimal_at => normalised.push('.'),
            ',' | '.' => {}
            _ => return None,
        }
    }
    Decimal::from_str(&normalised).ok()
}

/// Every amount in `text` with a currency (from a symbol or code, or `default`).
pub fn find_all(text: &str, default: Option<Currency>) -> Vec<Money> {
    find_marked(text, default)
        .into_iter()
        .map(|(m, _)| m)
        .collect()
}

/// Every amount in `text`, each with whether a symbol or code marked it
/// (`£13.50`), rather than `default` (a bare `1629`).
fn find_marked(text: &str, default: Option<Currency>) -> Vec<(Money, bool)> {
    AMOUNT
        .captures_iter(text)
        .filter_map(|c| {
            // `VAT (20%)`: a percentage is never money.
            if text[c.get(0)?.end()..].trim_start().starts_with('%') {
                return None;
            }
            let symbol = c.name("pre").or_else(|| c.name("post")).map(|m| m.as_str());
            let currency = match symbol {
                Some(s) => currency(s)?,
                None => default?,
            };
            let mut amount = parse_number(c.name("num")?.as_str())?;
            if c.name("neg").is_some() {
                amount = -amount;
            }
            if currency.0 == "JPY" {
                amount = amount.trunc();
            }
            Some((Money { amount, currency }, symbol.is_some()))
        })
        .collect()
}

/// The first amount in `text`.
///
/// ```
/// use receipt_parsers::money::find;
/// use receipt_parsers::Currency;
/// assert_eq!(find("Order Total: £1,234.56", None).unwrap().amount.to_string(), "1234.56");
/// let eur = find("Gesamtsumme: 1.234,56 €", None).unwrap();
/// assert_eq!((eur.amount.to_string(), eur.currency), ("1234.56".into(), Currency("EUR")));
/// assert_eq!(find("Total 63,75 EUR", None).unwrap().amount.to_string(), "63.75");
/// assert_eq!(find("Total: CA$ 9.99", None).unwrap().currency, Currency("CAD"));
/// assert_eq!(find("Total: A$5", None).unwrap().currency, Currency("AUD"));
/// assert_eq!(find("Refund: -£5.00", None).unwrap().amount.to_string(), "-5.00");
/// assert_eq!(find("VAT (20%): GBP 4.00", None).unwrap().amount.to_string(), "4.00");
/// assert!(find("Order 123-4567890-1234567", None).is_none());
/// let gbp = Some(Currency("GBP"));
/// assert_eq!(find("Total charged to x -1629 £13.50", gbp).unwrap().amount.to_string(), "13.50");
/// assert_eq!(find("Order Total - £24.97", None).unwrap().amount.to_string(), "24.97");
/// ```
pub fn find(text: &str, default: Option<Currency>) -> Option<Money> {
    // A marked amount wins over a bare number before it (`Total charged to
    // Mastercard -1629 £13.50`: the card's digits are no amount).
    let all = find_marked(text, default);
    all.iter()
        .find(|(_, marked)| *marked)
        .or(all.first())
        .map(|(m, _)| *m)
}
