//! Exact money: minor units and an ISO 4217 currency.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// ISO 4217 codes whose minor unit is not 2 digits; every other valid code has 2.
const EXPONENTS: &[(&str, u8)] = &[
    // No minor unit.
    ("BIF", 0),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("ISK", 0),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("PYG", 0),
    ("RWF", 0),
    ("UGX", 0),
    ("UYI", 0),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
    // Three digits.
    ("BHD", 3),
    ("IQD", 3),
    ("JOD", 3),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("TND", 3),
    // Four digits (units of account).
    ("CLF", 4),
    ("UYW", 4),
];

/// An ISO 4217 currency with its minor-unit exponent.
///
/// Any three upper-case ASCII letters are accepted, so a provider's new or
/// unusual code is kept rather than dropped; the exponent comes from ISO 4217
/// (JPY 0, GBP 2, BHD 3) and is 2 for codes the table does not list.
///
/// ```
/// use spend_core::model::Currency;
/// let jpy: Currency = "JPY".parse().unwrap();
/// assert_eq!(jpy.exponent(), 0);
/// assert_eq!(Currency::new("kwd").unwrap().exponent(), 3);
/// assert!(Currency::new("POUNDS").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

impl Currency {
    /// Pound sterling.
    pub const GBP: Currency = Currency {
        code: *b"GBP",
        exponent: 2,
    };
    /// Euro.
    pub const EUR: Currency = Currency {
        code: *b"EUR",
        exponent: 2,
    };
    /// US dollar.
    pub const USD: Currency = Currency {
        code: *b"USD",
        exponent: 2,
    };
    /// Japanese yen (no minor unit).
    pub const JPY: Currency = Currency {
        code: *b"JPY",
        exponent: 0,
    };

    /// The currency with this code (case-insensitive).
    pub fn new(code: &str) -> Result<Currency, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        let bytes: [u8; 3] = upper
            .as_bytes()
            .try_into()
            .ok()
            .filter(|b: &[u8; 3]| b.iter().all(u8::is_ascii_uppercase))
            .ok_or_else(|| MoneyError::InvalidCurrency(code.to_owned()))?;
        let exponent = EXPONENTS
            .iter()
            .find(|(c, _)| c.as_bytes() == bytes)
            .map_or(2, |(_, e)| *e);
        Ok(Currency {
            code: bytes,
            exponent,
        })
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// Digits after the decimal point in the minor unit.
    pub fn exponent(&self) -> u8 {
        self.exponent
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::new(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Currency::new(&code).map_err(serde::de::Error::custom)
    }
}

/// Why an amount could not be made or combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// Not a three-letter ISO 4217 code.
    #[error("invalid currency code {0:?} (expected three letters, as in GBP)")]
    InvalidCurrency(String),
    /// The amount has more decimal places than the currency's minor unit.
    #[error("{amount} has more decimal places than {currency} allows ({exponent})")]
    Inexact {
        /// The amount given.
        amount: String,
        /// The currency.
        currency: String,
        /// The currency's exponent.
        exponent: u8,
    },
    /// The result does not fit in 64-bit minor units.
    #[error("amount out of range: {0}")]
    Overflow(String),
    /// Two amounts in different currencies.
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(String, String),
    /// Text that is not a decimal amount.
    #[error("not an amount: {0:?}")]
    Parse(String),
}

/// An exact amount: signed minor units of a currency (pence, cents, yen).
///
/// Conversions from decimals are exact or an error, never rounded; arithmetic
/// is checked, so an overflow is an error, never a panic or a wrap.
///
/// ```
/// use rust_decimal::Decimal;
/// use spend_core::model::{Currency, Money};
///
/// let price = Money::from_decimal("12.34".parse::<Decimal>()?, Currency::GBP)?;
/// assert_eq!(price.minor(), 1234);
/// assert_eq!(price.to_string(), "12.34 GBP");
/// assert!(Money::from_decimal("12.345".parse::<Decimal>()?, Currency::GBP).is_err(), "never rounds");
/// let yen = Money::parse("1500", "JPY")?;
/// assert_eq!(yen.minor(), 1500);
/// assert!(price.checked_add(yen).is_err(), "different currencies");
/// assert!(Money::new(i64::MAX, Currency::GBP).checked_add(Money::new(1, Currency::GBP)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// `minor` units of `currency`.
    pub const fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Zero of `currency`.
    pub const fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// The exact amount `amount` of `currency`; an error if it has more
    /// decimal places than the currency's minor unit or does not fit.
    pub fn from_decimal(amount: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        let inexact = || MoneyError::Inexact {
            amount: amount.to_string(),
            currency: currency.to_string(),
            exponent: currency.exponent(),
        };
        let normal = amount.normalize();
        if normal.scale() > u32::from(currency.exponent()) {
            return Err(inexact());
        }
        let scaled = normal
            .checked_mul(Decimal::from(10i64.pow(u32::from(currency.exponent()))))
            .ok_or_else(|| MoneyError::Overflow(amount.to_string()))?;
        let minor = i64::try_from(scaled.normalize().mantissa())
            .ok()
            .filter(|_| scaled.normalize().scale() == 0)
            .ok_or_else(|| MoneyError::Overflow(amount.to_string()))?;
        Ok(Money { minor, currency })
    }

    /// Parses a decimal string (`"-12.30"`) in the currency with code `currency`.
    pub fn parse(amount: &str, currency: &str) -> Result<Money, MoneyError> {
        let currency = Currency::new(currency)?;
        let decimal = Decimal::from_str_exact(amount.trim())
            .map_err(|_| MoneyError::Parse(amount.to_owned()))?;
        Money::from_decimal(decimal, currency)
    }

    /// The signed minor units.
    pub const fn minor(&self) -> i64 {
        self.minor
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount as an exact decimal.
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.minor, u32::from(self.currency.exponent()))
    }

    /// Whether the amount is below zero (money out, in the bank's sign).
    pub const fn is_negative(&self) -> bool {
        self.minor < 0
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(
                self.currency.to_string(),
                other.currency.to_string(),
            ))
        }
    }

    /// `self + other`; an error on different currencies or overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or_else(|| MoneyError::Overflow(format!("{self} + {other}")))?;
        Ok(Money::new(minor, self.currency))
    }

    /// `self - other`; an error on different currencies or overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or_else(|| MoneyError::Overflow(format!("{self} - {other}")))?;
        Ok(Money::new(minor, self.currency))
    }

    /// `-self`; an error for the one value that has no negation.
    pub fn checked_neg(self) -> Result<Money, MoneyError> {
        let minor = self
            .minor
            .checked_neg()
            .ok_or_else(|| MoneyError::Overflow(format!("-({self})")))?;
        Ok(Money::new(minor, self.currency))
    }

    /// `self * n` (a quantity); an error on overflow.
    pub fn checked_mul(self, n: i64) -> Result<Money, MoneyError> {
        let minor = self
            .minor
            .checked_mul(n)
            .ok_or_else(|| MoneyError::Overflow(format!("{self} * {n}")))?;
        Ok(Money::new(minor, self.currency))
    }

    /// The absolute amount; an error for the one value that has none.
    pub fn checked_abs(self) -> Result<Money, MoneyError> {
        if self.minor < 0 {
            self.checked_neg()
        } else {
            Ok(self)
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(Money::parse("1.234", "BHD").unwrap().minor(), 1234);
        assert_eq!(Money::parse("1.2", "KWD").unwrap().minor(), 1200);
        assert!(Money::parse("1.5", "JPY").is_err());
        assert_eq!(Money::parse("1.50", "GBP").unwrap().minor(), 150);
        assert_eq!(Money::parse("-0.01", "EUR").unwrap().minor(), -1);
        assert_eq!(
            Money::parse("1.5000", "GBP").unwrap().minor(),
            150,
            "trailing zeros are exact"
        );
    }

    #[test]
    fn conversions_round_trip() {
        for (s, c) in [
            ("12.34", "GBP"),
            ("-7", "JPY"),
            ("0.005", "BHD"),
            ("0", "USD"),
        ] {
            let m = Money::parse(s, c).unwrap();
            assert_eq!(m.to_decimal(), dec(s), "{s} {c}");
        }
    }

    #[test]
    fn out_of_range_amounts_are_errors() {
        assert!(matches!(
            Money::from_decimal(dec("99999999999999999999"), Currency::GBP),
            Err(MoneyError::Overflow(_))
        ));
        assert!(Money::new(i64::MIN, Currency::GBP).checked_neg().is_err());
        assert!(
            Money::new(i64::MAX / 2 + 1, Currency::GBP)
                .checked_mul(2)
                .is_err()
        );
        assert!(
            Money::new(i64::MIN, Currency::GBP)
                .checked_sub(Money::new(1, Currency::GBP))
                .is_err()
        );
    }

    #[test]
    fn unknown_codes_are_kept() {
        let c = Currency::new("XTS").unwrap();
        assert_eq!((c.code(), c.exponent()), ("XTS", 2));
        assert!(Currency::new("GB").is_err());
        assert!(Currency::new("G1P").is_err());
    }
}
