//! Dates in every format receipts write, on arbitrary text: never a panic,
//! and a found date is a real calendar day.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for day_first in [true, false] {
        if let Some(date) = receipt_parsers::dates::find(&text, day_first) {
            assert!((1..=9999).contains(&date.year()));
        }
        let _ = receipt_parsers::patterns::order_date(&text, day_first);
    }
});
