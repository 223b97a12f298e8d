//! Regions, their hosts, and every marketplace Amazon lists.

use url::Url;

/// An SP-API region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Region {
    /// North America (us-east-1): Canada, US, Mexico, Brazil.
    NorthAmerica,
    /// Europe (eu-west-1): Europe, the Middle East, Africa and India.
    Europe,
    /// Far East (us-west-2): Singapore, Australia, Japan.
    FarEast,
}

impl Region {
    /// The production SP-API host.
    pub fn host(&self) -> &'static str {
        match self {
            Region::NorthAmerica => "sellingpartnerapi-na.amazon.com",
            Region::Europe => "sellingpartnerapi-eu.amazon.com",
            Region::FarEast => "sellingpartnerapi-fe.amazon.com",
        }
    }

    /// The sandbox SP-API host.
    pub fn sandbox_host(&self) -> &'static str {
        match self {
            Region::NorthAmerica => "sandbox.sellingpartnerapi-na.amazon.com",
            Region::Europe => "sandbox.sellingpartnerapi-eu.amazon.com",
            Region::FarEast => "sandbox.sellingpartnerapi-fe.amazon.com",
        }
    }

    /// The Amazon Business API host of the region.
    pub fn business_host(&self) -> &'static str {
        match self {
            Region::NorthAmerica => "na.business-api.amazon.com",
            Region::Europe => "eu.business-api.amazon.com",
            Region::FarEast => "jp.business-api.amazon.com",
        }
    }

    /// The AWS region name.
    pub fn aws_region(&self) -> &'static str {
        match self {
            Region::NorthAmerica => "us-east-1",
            Region::Europe => "eu-west-1",
            Region::FarEast => "us-west-2",
        }
    }
}

/// Production or sandbox: a configuration value, not a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Amazon's production hosts for the region.
    Production(Region),
    /// Amazon's static sandbox for the region.
    Sandbox(Region),
    /// Another base URL (a proxy, the [`testkit`](crate::testkit) simulator, Prism).
    Custom(Url),
}

impl Endpoint {
    /// Reads `SP_API_REGION` (`na`, `eu`, `fe`; default `eu`) and `SP_API_SANDBOX` (`true`/`1`).
    pub fn from_env() -> Self {
        let region = match std::env::var("SP_API_REGION").as_deref() {
            Ok("na") | Ok("NA") => Region::NorthAmerica,
            Ok("fe") | Ok("FE") => Region::FarEast,
            _ => Region::Europe,
        };
        match std::env::var("SP_API_SANDBOX").as_deref() {
            Ok("true") | Ok("1") => Endpoint::Sandbox(region),
            _ => Endpoint::Production(region),
        }
    }

    /// The SP-API base URL.
    ///
    /// ```
    /// use amazon_sp_client::{Endpoint, Region};
    /// assert_eq!(Endpoint::Sandbox(Region::Europe).sp_api_url().as_str(), "https://sandbox.sellingpartnerapi-eu.amazon.com/");
    /// ```
    pub fn sp_api_url(&self) -> Url {
        match self {
            Endpoint::Production(r) => https(r.host()),
            Endpoint::Sandbox(r) => https(r.sandbox_host()),
            Endpoint::Custom(url) => url.clone(),
        }
    }

    /// The Amazon Business API base URL.
    pub fn business_url(&self) -> Url {
        match self {
            Endpoint::Production(r) => https(r.business_host()),
            Endpoint::Sandbox(r) => https(&format!("sandbox.{}", r.business_host())),
            Endpoint::Custom(url) => url.clone(),
        }
    }
}

fn https(host: &str) -> Url {
    Url::parse(&format!("https://{host}/")).expect("a host makes a URL")
}

/// A marketplace: where orders are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Marketplace {
    /// The marketplace id (`A1F83G8C2ARO7P`).
    pub id: &'static str,
    /// The country (ISO 3166 alpha-2; `GB` for the UK).
    pub country: &'static str,
    /// The country's name.
    pub name: &'static str,
    /// The region whose endpoint serves it.
    pub region: Region,
    /// The storefront's domain.
    pub domain: &'static str,
    /// The currency its orders are in.
    pub currency: &'static str,
}

macro_rules! marketplaces {
    ($($id:literal, $country:literal, $name:literal, $region:ident, $domain:literal, $currency:literal;)+) => {
        /// Every marketplace Amazon lists, with its id, region, domain and currency.
        pub const MARKETPLACES: &[Marketplace] = &[
            $(Marketplace { id: $id, country: $country, name: $name, region: Region::$region, domain: $domain, currency: $currency },)+
        ];
    };
}

marketplaces! {
    "A2EUQ1WTGCTBG2", "CA", "Canada", NorthAmerica, "amazon.ca", "CAD";
    "ATVPDKIKX0DER", "US", "United States", NorthAmerica, "amazon.com", "USD";
    "A1AM78C64UM0Y8", "MX", "Mexico", NorthAmerica, "amazon.com.mx", "MXN";
    "A2Q3Y263D00KWC", "BR", "Brazil", NorthAmerica, "amazon.com.br", "BRL";
    "A28R8C7NBKEWEA", "IE", "Ireland", Europe, "amazon.ie", "EUR";
    "A1RKKUPIHCS9HS", "ES", "Spain", Europe, "amazon.es", "EUR";
    "A1F83G8C2ARO7P", "GB", "United Kingdom", Europe, "amazon.co.uk", "GBP";
    "A13V1IB3VIYZZH", "FR", "France", Europe, "amazon.fr", "EUR";
    "AMEN7PMS3EDWL", "BE", "Belgium", Europe, "amazon.com.be", "EUR";
    "A1805IZSGTT6HS", "NL", "Netherlands", Europe, "amazon.nl", "EUR";
    "A1PA6795UKMFR9", "DE", "Germany", Europe, "amazon.de", "EUR";
    "APJ6JRA9NG5V4", "IT", "Italy", Europe, "amazon.it", "EUR";
    "A2NODRKZP88ZB9", "SE", "Sweden", Europe, "amazon.se", "SEK";
    "AE08WJ6YKNBMC", "ZA", "South Africa", Europe, "amazon.co.za", "ZAR";
    "A1C3SOZRARQ6R3", "PL", "Poland", Europe, "amazon.pl", "PLN";
    "ARBP9OOSHTCHU", "EG", "Egypt", Europe, "amazon.eg", "EGP";
    "A33AVAJ2PDY3EV", "TR", "Turkey", Europe, "amazon.com.tr", "TRY";
    "A17E79C6D8DWNP", "SA", "Saudi Arabia", Europe, "amazon.sa", "SAR";
    "A2VIGQ35RCS4UG", "AE", "United Arab Emirates", Europe, "amazon.ae", "AED";
    "A21TJRUUN4KGV", "IN", "India", Europe, "amazon.in", "INR";
    "A19VAU5U5O7RUS", "SG", "Singapore", FarEast, "amazon.sg", "SGD";
    "A39IBJ37TRP1C6", "AU", "Australia", FarEast, "amazon.com.au", "AUD";
    "A1VC38T7YXB528", "JP", "Japan", FarEast, "amazon.co.jp", "JPY";
}

impl Marketplace {
    /// The UK marketplace.
    pub const UK: &'static str = "A1F83G8C2ARO7P";
    /// The US marketplace.
    pub const US: &'static str = "ATVPDKIKX0DER";
    /// The German marketplace.
    pub const DE: &'static str = "A1PA6795UKMFR9";

    /// The marketplace with this id.
    ///
    /// ```
    /// use amazon_sp_client::{Marketplace, Region};
    /// let uk = Marketplace::by_id("A1F83G8C2ARO7P").unwrap();
    /// assert_eq!((uk.currency, uk.region), ("GBP", Region::Europe));
    /// assert_eq!(Marketplace::by_country("JP").unwrap().domain, "amazon.co.jp");
    /// ```
    pub fn by_id(id: &str) -> Option<&'static Marketplace> {
        MARKETPLACES.iter().find(|m| m.id == id)
    }

    /// The marketplace of a country (`GB`, `US`, `DE`; `UK` is accepted for `GB`).
    pub fn by_country(country: &str) -> Option<&'static Marketplace> {
        let country = if country.eq_ignore_ascii_case("UK") {
            "GB"
        } else {
            country
        };
        MARKETPLACES
            .iter()
            .find(|m| m.country.eq_ignore_ascii_case(country))
    }

    /// Seller Central for this marketplace, where sellers authorise apps.
    pub fn seller_central(&self) -> String {
        format!("https://sellercentral.{}", self.domain)
    }
}
