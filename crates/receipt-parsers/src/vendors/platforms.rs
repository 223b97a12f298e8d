//! Platforms that send receipts for thousands of shops: recognised by their
//! markup and links, with the shop as merchant.

use linkme::distributed_slice;

use super::{VENDORS, Vendor};

macro_rules! platform {
    ($static:ident, $key:literal, $name:literal, [$($domain:literal),*], [$($marker:literal),+], $order:expr) => {
        #[distributed_slice(VENDORS)]
        static $static: Vendor = Vendor {
            markers: &[$($marker),+],
            platform: true,
            order_id: $order,
            ..Vendor::new($key, $name, &[$($domain),*])
        };
    };
}

platform!(
    SHOPIFY,
    "shopify",
    "Shopify store",
    ["shopify.com"],
    ["cdn.shopify.com", "myshopify.com", "shopifyemail.com"],
    Some(r"(?i)order\s*#?\s*([A-Z]{0,5}-?\d{3,})")
);
platform!(
    WOOCOMMERCE,
    "woocommerce",
    "WooCommerce store",
    [],
    ["woocommerce", "wc-email"],
    Some(r"(?i)order\s*#?\s*(\d{2,})")
);
platform!(
    STRIPE,
    "stripe",
    "Stripe merchant",
    ["stripe.com"],
    [
        "stripe.com/receipts",
        "pay.stripe.com",
        "invoice.stripe.com"
    ],
    Some(r"(?i)(?:receipt|invoice)\s*(?:number|#)\s*:?\s*([A-Z0-9]{4,}-\d{3,}(?:-\d+)?)")
);
platform!(
    SQUARE,
    "square",
    "Square merchant",
    ["squareup.com", "messaging.squareup.com"],
    ["squareup.com/receipt", "squarecdn.com"],
    Some(r"(?i)(?:receipt|order)\s*#\s*([A-Za-z0-9]{4,})")
);
platform!(
    PADDLE,
    "paddle",
    "Paddle merchant",
    ["paddle.com"],
    ["paddle.com", "paddle.net"],
    Some(r"(?i)order (?:id|number|#):?\s*(\d{6,}(?:-\d+)?)")
);
platform!(
    FASTSPRING,
    "fastspring",
    "FastSpring merchant",
    ["fastspring.com"],
    ["fastspring.com"],
    Some(r"(?i)order (?:id|reference|number):?\s*([A-Z0-9-]{8,})")
);
platform!(
    MINDBODY,
    "mindbody",
    "Mindbody business",
    ["mindbodyonline.com"],
    ["mindbodyonline.com"],
    Some(r"(?i)(?:sale|receipt) (?:id|#):?\s*(\d{4,})")
);
platform!(
    YRECEIPTS,
    "yreceipts",
    "yReceipts retailer",
    ["yreceipts.com"],
    ["yreceipts.com"],
    Some(r"(?i)(?:receipt|transaction) (?:no\.?|number|#):?\s*(\d{4,})")
);
platform!(
    WORLDPAY,
    "worldpay",
    "Worldpay merchant",
    ["worldpay.com"],
    ["worldpay.com"],
    Some(r"(?i)(?:order|transaction) (?:code|id|number):?\s*([A-Za-z0-9-]{6,})")
);
platform!(
    SUMUP,
    "sumup",
    "SumUp merchant",
    ["sumup.com"],
    ["sumup.com"],
    Some(r"(?i)(?:receipt|transaction) (?:no\.?|number|code|#):?\s*([A-Z0-9]{6,})")
);
