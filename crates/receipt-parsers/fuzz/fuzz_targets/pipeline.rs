//! The whole pipeline on arbitrary bytes, as a message and as a bare HTML body:
//! it must never panic. Run with `cargo fuzz run pipeline` (nightly).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let pipeline = receipt_parsers::Pipeline::default();
    let _ = pipeline.parse(data);
    let _ = pipeline.parse_html(&String::from_utf8_lossy(data));
});
