//! Subscriptions, software, telecoms and app stores.

use linkme::distributed_slice;

use super::{VENDORS, Vendor};

macro_rules! service {
    ($static:ident, $key:literal, $name:literal, [$($domain:literal),+], $order:expr) => {
        #[distributed_slice(VENDORS)]
        static $static: Vendor = Vendor { order_id: $order, ..Vendor::new($key, $name, &[$($domain),+]) };
    };
}

#[distributed_slice(VENDORS)]
static APPLE: Vendor = Vendor {
    markers: &["apps.apple.com", "reportaproblem.apple.com"],
    total_labels: &["total", "order total"],
    order_id: Some(r"(?i)(?:order id|document no\.?|invoice)\s*:?\s*([A-Z0-9]{8,12})"),
    ..Vendor::new(
        "apple",
        "Apple",
        &["apple.com", "email.apple.com", "itunes.com"],
    )
};

#[distributed_slice(VENDORS)]
static PAYPAL: Vendor = Vendor {
    markers: &["paypal.com/myaccount"],
    // The shop or person paid is the merchant that matters for the bank line.
    payee: Some(
        r"(?i)(?:payment (?:of [^\n]*? )?to|sent [^\n]*? to|refund from|has sent you a refund[^\n]*? from)\s+([^\n]+?)(?:\.|\n|$)",
    ),
    // "You paid" is the amount in the payer's currency when PayPal converted it.
    // A guest's card in another currency: "Total amount you'll pay £4.17 GBP".
    total_labels: &[
        "total amount you'll pay",
        "you paid",
        "total",
        "you sent",
        "amount",
    ],
    order_id: Some(r"(?i)transaction (?:id|ID)\s*:?\s*([A-Z0-9]{17})"),
    ..Vendor::new(
        "paypal",
        "PayPal",
        &["paypal.com", "paypal.co.uk", "paypal.de", "e.paypal.co.uk"],
    )
};

service!(
    O2,
    "o2",
    "O2",
    ["o2.co.uk"],
    Some(r"(?i)(?:bill|account) (?:number|no\.?):?\s*(\d{6,})")
);
service!(
    MICROSOFT,
    "microsoft",
    "Microsoft",
    ["microsoft.com", "email.microsoft.com", "xbox.com"],
    Some(r"(?i)order (?:number|#):?\s*(\d{8,})")
);
// Google's products share google.com: the content says which one it is.
#[distributed_slice(VENDORS)]
static GOOGLE_PLAY: Vendor = Vendor {
    markers: &["google play"],
    order_id: Some(r"(?i)order (?:number|#):?\s*(GPA\.[\d-]+)"),
    ..Vendor::new("google-play", "Google Play", &["google.com"])
};

#[distributed_slice(VENDORS)]
static GOOGLE_WORKSPACE: Vendor = Vendor {
    markers: &["google workspace"],
    order_id: Some(r"(?i)invoice (?:number|#):?\s*(\d{8,})"),
    ..Vendor::new("google-workspace", "Google Workspace", &["google.com"])
};

#[distributed_slice(VENDORS)]
static GOOGLE_CLOUD: Vendor = Vendor {
    markers: &["google cloud"],
    order_id: Some(r"(?i)invoice (?:number|#):?\s*(\d{8,})"),
    ..Vendor::new("google-cloud", "Google Cloud", &["google.com"])
};

service!(
    ATLASSIAN,
    "atlassian",
    "Atlassian",
    ["atlassian.com", "am.atlassian.com"],
    Some(r"(?i)(?:invoice|order) (?:number|#):?\s*(AT-\d+|IN-\d+-\d+|\d{6,})")
);
service!(
    FIGMA,
    "figma",
    "Figma",
    ["figma.com"],
    Some(r"(?i)(?:invoice|receipt) (?:number|#):?\s*([A-Z0-9-]{6,})")
);
service!(
    BLUEHOST,
    "bluehost",
    "Bluehost",
    ["bluehost.com"],
    Some(r"(?i)(?:invoice|order) (?:number|#|id):?\s*(\d{6,})")
);
service!(
    STEAM,
    "steam",
    "Steam",
    ["steampowered.com", "steamcommunity.com"],
    Some(r"(?i)order number:?\s*(\d{10,})")
);
service!(
    NETFLIX,
    "netflix",
    "Netflix",
    ["netflix.com", "mailer.netflix.com"],
    None
);
service!(
    SPOTIFY,
    "spotify",
    "Spotify",
    ["spotify.com"],
    Some(r"(?i)order (?:id|number):?\s*([A-Z0-9]{8,})")
);
