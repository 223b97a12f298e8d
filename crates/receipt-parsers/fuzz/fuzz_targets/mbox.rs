//! The streaming mbox reader on arbitrary bytes: never a panic, and every
//! message it yields is within the size cap.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for message in gmail_receipts::sources::Mbox::new(data).take(10_000) {
        if let Ok(message) = message {
            assert!(message.raw.len() <= gmail_receipts::sources::MAX_MESSAGE);
        }
    }
});
