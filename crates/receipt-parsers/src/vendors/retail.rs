//! Shops and supermarkets.

use linkme::distributed_slice;

use super::{VENDORS, Vendor};

macro_rules! shop {
    ($static:ident, $key:literal, $name:literal, [$($domain:literal),+], $currency:literal, $order:expr) => {
        #[distributed_slice(VENDORS)]
        static $static: Vendor = Vendor { currency: Some($currency), order_id: $order, ..Vendor::new($key, $name, &[$($domain),+]) };
    };
}

shop!(
    JOHN_LEWIS,
    "john-lewis",
    "John Lewis",
    ["johnlewis.co.uk", "johnlewis.com"],
    "GBP",
    Some(r"(?i)order number:?\s*(\d{8,})")
);
shop!(
    UNIQLO,
    "uniqlo",
    "Uniqlo",
    ["uniqlo.com", "mail.uniqlo.com"],
    "GBP",
    Some(r"(?i)order (?:no\.?|number):?\s*(\d{10,})")
);
shop!(
    CEX,
    "cex",
    "CeX",
    ["webuy.com", "uk.webuy.com"],
    "GBP",
    Some(r"(?i)order (?:id|number|no\.?):?\s*(\d{6,})")
);
shop!(
    WORLD_OF_BOOKS,
    "world-of-books",
    "World of Books",
    ["wob.com", "worldofbooks.com"],
    "GBP",
    Some(r"(?i)order (?:number|no\.?):?\s*([A-Z]{0,3}\d{6,})")
);
shop!(
    CHARLES_TYRWHITT,
    "charles-tyrwhitt",
    "Charles Tyrwhitt",
    ["ctshirts.com"],
    "GBP",
    Some(r"(?i)order (?:number|no\.?):?\s*(\d{6,})")
);
shop!(
    GEAR4MUSIC,
    "gear4music",
    "Gear4music",
    ["gear4music.com"],
    "GBP",
    Some(r"(?i)order (?:number|no\.?):?\s*(\d{6,})")
);
shop!(
    REVERB,
    "reverb",
    "Reverb",
    ["reverb.com"],
    "GBP",
    Some(r"(?i)order\s*#\s*(\d{6,})")
);
shop!(
    GUITARGUITAR,
    "guitarguitar",
    "GuitarGuitar",
    ["guitarguitar.co.uk"],
    "GBP",
    Some(r"(?i)order (?:number|no\.?|#):?\s*(\d{5,})")
);
shop!(
    TESCO,
    "tesco",
    "Tesco",
    ["tesco.com", "tesco.co.uk"],
    "GBP",
    Some(r"(?i)order (?:number|no\.?):?\s*(\d{6,})")
);
shop!(
    OCADO,
    "ocado",
    "Ocado",
    ["ocado.com"],
    "GBP",
    Some(r"(?i)order (?:number|no\.?):?\s*(\d{6,})")
);
shop!(
    DHL,
    "dhl",
    "DHL",
    ["dhl.com", "dhl.co.uk", "dhl.de"],
    "GBP",
    Some(r"(?i)(?:waybill|shipment|tracking) (?:number|no\.?):?\s*(\d{10})")
);
