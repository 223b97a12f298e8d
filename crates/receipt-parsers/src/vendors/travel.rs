//! Rides, food delivery, micromobility, travel.

use linkme::distributed_slice;

use super::{VENDORS, Vendor};

macro_rules! travel {
    ($static:ident, $key:literal, $name:literal, [$($domain:literal),+], $order:expr) => {
        #[distributed_slice(VENDORS)]
        static $static: Vendor = Vendor { order_id: $order, ..Vendor::new($key, $name, &[$($domain),+]) };
    };
}

#[distributed_slice(VENDORS)]
static UBER: Vendor = Vendor {
    total_labels: &["total", "amount charged"],
    ..Vendor::new("uber", "Uber", &["uber.com"])
};

#[distributed_slice(VENDORS)]
static UBER_EATS: Vendor = Vendor {
    markers: &["ubereats.com"],
    total_labels: &["total", "amount charged"],
    // Uber Eats mails come from uber.com too; the longer domain wins when present.
    ..Vendor::new("uber-eats", "Uber Eats", &["ubereats.com", "eats.uber.com"])
};

travel!(LYFT, "lyft", "Lyft", ["lyft.com", "lyftmail.com"], None);
travel!(LIME, "lime", "Lime", ["li.me"], None);
travel!(
    DELIVEROO,
    "deliveroo",
    "Deliveroo",
    ["deliveroo.co.uk", "deliveroo.com"],
    Some(r"(?i)order (?:number|#):?\s*#?(\d{3,})")
);
travel!(
    JUST_EAT,
    "just-eat",
    "Just Eat",
    ["just-eat.co.uk", "justeat.com"],
    Some(r"(?i)order (?:number|no\.?|#):?\s*(\d{6,})")
);
travel!(
    AIRBNB,
    "airbnb",
    "Airbnb",
    ["airbnb.com", "airbnb.co.uk"],
    Some(r"(?i)(?:confirmation code|reservation code):?\s*([A-Z0-9]{8,10})")
);
travel!(
    BRITISH_AIRWAYS,
    "british-airways",
    "British Airways",
    ["britishairways.com", "ba.com"],
    Some(r"(?i)booking reference:?\s*([A-Z0-9]{6})")
);
travel!(
    TRAINLINE,
    "trainline",
    "Trainline",
    ["trainline.com", "info.thetrainline.com", "thetrainline.com"],
    Some(r"(?i)(?:transaction id|booking reference|order (?:id|number)):?\s*([A-Z0-9]{6,})")
);
