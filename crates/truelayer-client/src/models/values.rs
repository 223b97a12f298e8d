//! Value types shared by the models: exact amounts, timestamps that keep
//! their offset (and their original text), and enums that keep unknown values.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// Deserializes an amount given as a JSON number or string, exactly.
///
/// JSON numbers arrive as `f64`; their shortest round-trip text (`-2.99`) is
/// parsed as a decimal, so any amount with up to 15 significant digits is exact.
pub(crate) mod amount {
    use super::*;

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Int(i64),
        Float(f64),
        Text(String),
    }

    fn convert<E: serde::de::Error>(raw: Raw) -> Result<Decimal, E> {
        match raw {
            Raw::Int(i) => Ok(Decimal::from(i)),
            Raw::Float(f) => f.to_string().parse().map_err(E::custom),
            Raw::Text(s) => s.trim().parse().map_err(E::custom),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        convert(Raw::deserialize(d)?)
    }

    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        rust_decimal::serde::float::serialize(value, s)
    }

    /// The same for optional fields.
    pub mod option {
        use super::*;

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            Option::<Raw>::deserialize(d)?.map(convert).transpose()
        }

        pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => rust_decimal::serde::float::serialize(v, s),
                None => s.serialize_none(),
            }
        }
    }
}

/// A timestamp as TrueLayer sent it.
///
/// TrueLayer's timestamps come with an offset (`2019-07-19T17:28:37.798+01:00`),
/// without one (`2018-03-06T00:00:00`, which TrueLayer means as UTC), or as a
/// bare date (`2017-01-28`). The original text is kept, so nothing is lost even
/// when a provider sends something unparseable; [`Timestamp::parse`] reads it.
///
/// ```
/// use truelayer_client::models::Timestamp;
///
/// let t = Timestamp::from("2019-07-19T17:28:37.798+01:00");
/// assert_eq!(t.parse().unwrap().offset().whole_hours(), 1);
/// assert!(Timestamp::from("2018-03-06T00:00:00").parse().is_some());
/// assert_eq!(Timestamp::from("2017-01-28").date().unwrap().to_string(), "2017-01-28");
/// assert!(Timestamp::from("2017-02-247T17:29:24Z").parse().is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(String);

impl Timestamp {
    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant, with its offset (UTC when none was given); `None` when unparseable.
    pub fn parse(&self) -> Option<OffsetDateTime> {
        let s = self.0.trim();
        if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
            return Some(t);
        }
        let naive = format_description!(
            version = 2,
            "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
        );
        if let Ok(t) = PrimitiveDateTime::parse(s, naive) {
            return Some(t.assume_utc());
        }
        let date = format_description!("[year]-[month]-[day]");
        Date::parse(s, date).ok().map(|d| d.midnight().assume_utc())
    }

    /// The civil date written in the timestamp (in its own offset).
    pub fn date(&self) -> Option<Date> {
        self.parse().map(|t| t.date())
    }

    /// A timestamp for `instant`, in RFC 3339.
    pub fn from_datetime(instant: OffsetDateTime) -> Self {
        Timestamp(
            instant
                .format(&Rfc3339)
                .unwrap_or_else(|_| instant.to_string()),
        )
    }
}

impl From<&str> for Timestamp {
    fn from(s: &str) -> Self {
        Timestamp(s.to_owned())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Declares an enum of a provider's known string values plus `Unrecognised(String)`
/// for values added after this crate was written: they are kept, not rejected.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of the crate does not know, as sent.
            Unrecognised(String),
        }

        impl $name {
            /// The value as TrueLayer spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Unrecognised(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)+
                    other => $name::Unrecognised(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Ok($name::from(s.as_ref()))
            }
        }
    };
}
pub(crate) use open_enum;

/// An ISO 4217 currency code as TrueLayer sends it (`GBP`, `EUR`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Currency(pub String);

impl Currency {
    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Currency {
    fn from(s: &str) -> Self {
        Currency(s.to_owned())
    }
}

open_enum! {
    /// The state of an asynchronous request or a response (`status`).
    ResponseStatus {
        /// The data is ready.
        Succeeded = "Succeeded",
        /// Queued for processing.
        Queued = "Queued",
        /// Being processed.
        Running = "Running",
        /// Failed.
        Failed = "Failed",
    }
}

open_enum! {
    /// Whether a standing order or direct debit is live.
    MandateStatus {
        /// In force.
        Active = "Active",
        /// Cancelled or expired.
        Inactive = "Inactive",
    }
}
