//! Marketplaces: Amazon (per storefront), eBay, Etsy, Vinted.

use linkme::distributed_slice;

use super::{VENDORS, Vendor};

const AMAZON_ORDER: &str = r"(?-u:\b)(\d{3}-\d{7}-\d{7})(?-u:\b)";
const AMAZON_TOTAL: &[&str] = &[
    "order total",
    "grand total",
    "total for this order",
    "gesamtsumme",
    "montant total",
    "importe total",
    "totale ordine",
    "total",
];

macro_rules! amazon {
    ($static:ident, $key:literal, $domain:literal, $currency:literal, $day_first:literal) => {
        #[distributed_slice(VENDORS)]
        static $static: Vendor = Vendor {
            markers: &[
                concat!("www.", $domain, "/gp/"),
                concat!("www.", $domain, "/your-orders"),
            ],
            currency: Some($currency),
            day_first: $day_first,
            total_labels: AMAZON_TOTAL,
            order_id: Some(AMAZON_ORDER),
            ..Vendor::new($key, "Amazon", &[$domain])
        };
    };
}

amazon!(AMAZON_UK, "amazon-uk", "amazon.co.uk", "GBP", true);
amazon!(AMAZON_US, "amazon-us", "amazon.com", "USD", false);
amazon!(AMAZON_DE, "amazon-de", "amazon.de", "EUR", true);
amazon!(AMAZON_FR, "amazon-fr", "amazon.fr", "EUR", true);
amazon!(AMAZON_IT, "amazon-it", "amazon.it", "EUR", true);
amazon!(AMAZON_ES, "amazon-es", "amazon.es", "EUR", true);

#[distributed_slice(VENDORS)]
static EBAY: Vendor = Vendor {
    markers: &["ebay.co.uk/itm", "ebay.com/itm"],
    total_labels: &["total charged", "order total", "total"],
    order_id: Some(r"(?i)order number:?\s*(\d{2}-\d{5}-\d{5})"),
    ..Vendor::new("ebay", "eBay", &["ebay.co.uk", "ebay.com", "ebay.de"])
};

#[distributed_slice(VENDORS)]
static ETSY: Vendor = Vendor {
    markers: &["etsy.com/your/purchases"],
    total_labels: &["order total", "total"],
    order_id: Some(r"(?i)order\s*#?\s*(\d{9,11})"),
    ..Vendor::new("etsy", "Etsy", &["etsy.com"])
};

#[distributed_slice(VENDORS)]
static VINTED: Vendor = Vendor {
    total_labels: &["total", "paid"],
    order_id: Some(r"(?i)transaction\s*(?:id|#)?:?\s*(\d{6,})"),
    ..Vendor::new(
        "vinted",
        "Vinted",
        &["vinted.co.uk", "vinted.com", "vinted.fr", "vinted.de"],
    )
};
