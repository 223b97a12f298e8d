//! Amazon's enumerations as Rust enums that survive the values Amazon adds later.

/// Declares an enum of the text values Amazon documents, plus an
/// `Unknown(String)` variant that keeps any other value exactly as sent.
///
/// Amazon adds values without a new API version (order statuses, programs,
/// service levels): a closed enum would fail to decode the whole page, and
/// `#[serde(other)]` would lose the text, so re-serialising an order (as a
/// store that keeps the raw answer does) would change it. The catch-all is
/// not called `Other` because `PaymentMethod` has a documented value `Other`.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept exactly
            /// as Amazon sent it. Build values with `from`/`parse`, which only
            /// fall back to this for text that matches no known value.
            Unknown(String),
        }

        impl $name {
            /// The text Amazon uses for this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Unknown(text) => text.as_str(),
                }
            }

            /// Whether this is a value the crate does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $text => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                let value = $name::from(text.as_str());
                if value.is_unknown() {
                    $name::Unknown(text)
                } else {
                    value
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(text: &str) -> std::result::Result<Self, Self::Err> {
                Ok($name::from(text))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // `pad`, not `write_str`: widths and alignment in format strings apply.
                f.pad(self.as_str())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(
                &self,
                serializer: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(
                deserializer: D,
            ) -> std::result::Result<Self, D::Error> {
                <String as serde::Deserialize>::deserialize(deserializer)
                    .map(|text: String| $name::from(text))
            }
        }
    };
}

pub(crate) use text_enum;
