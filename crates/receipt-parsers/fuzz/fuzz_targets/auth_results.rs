//! RFC 8601 `Authentication-Results` parsing on arbitrary text, and sender
//! verification over it: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = receipt_parsers::auth::parse_results(&text);
    let mut raw = b"From: a@shop.example\r\nAuthentication-Results: ".to_vec();
    raw.extend_from_slice(data);
    raw.extend_from_slice(b"\r\n\r\nbody");
    if let Some(email) = receipt_parsers::Email::parse(&raw) {
        let _ = receipt_parsers::auth::sender_verified(&email);
    }
});
