//! Amounts in every format receipts write, on arbitrary text: never a panic,
//! and a found amount prints and parses back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for money in receipt_parsers::money::find_all(&text, Some(receipt_parsers::Currency("GBP"))) {
        let printed = money.amount.to_string();
        assert_eq!(receipt_parsers::money::parse_number(&printed.replace('-', "")), Some(money.amount.abs()));
    }
    let _ = receipt_parsers::money::parse_number(&text);
});
