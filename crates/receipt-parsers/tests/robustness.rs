//! Never panics, stays bounded: mutated fixtures and arbitrary bytes.

use std::path::PathBuf;

use proptest::prelude::*;
use receipt_parsers::Pipeline;

fn fixtures() -> Vec<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut all: Vec<Vec<u8>> = Vec::new();
    for dir in [root.clone(), root.join("vendors")] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "eml" || e == "html") {
                all.push(std::fs::read(path).unwrap());
            }
        }
    }
    all.sort();
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures_never_panic(which in 0usize..64, edits in proptest::collection::vec((any::<u32>(), any::<u8>()), 0..40), cut in any::<u32>()) {
        let all = fixtures();
        let mut bytes = all[which % all.len()].clone();
        for (at, byte) in edits {
            if !bytes.is_empty() {
                let i = at as usize % bytes.len();
                bytes[i] = byte;
            }
        }
        if !bytes.is_empty() {
            bytes.truncate(cut as usize % bytes.len() + 1);
        }
        let pipeline = Pipeline::default();
        let _ = pipeline.parse(&bytes);
        let _ = pipeline.parse_html(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = Pipeline::default().parse(&bytes);
    }

    #[test]
    fn amounts_round_trip(pence in 0i64..10_000_000, style in 0usize..4) {
        let whole = pence / 100;
        let cents = pence % 100;
        let text = match style {
            0 => format!("Total: £{whole}.{cents:02}"),
            1 => format!("Total: {whole},{cents:02} €"),
            2 => format!("Total {whole},{cents:02} EUR"),
            _ => format!("Total: US${whole}.{cents:02}"),
        };
        let found = receipt_parsers::money::find(&text, None).unwrap();
        prop_assert_eq!(found.amount, rust_decimal::Decimal::new(pence, 2));
    }
}

proptest! {
    // Megabytes, not kilobytes: hostile inputs are large (a fixture's pieces
    // repeated, with its markup's worst characters in between).
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn megabyte_inputs_never_panic(
        which in 0usize..64,
        megabytes in 1usize..4,
        filler in prop::sample::select(vec!["&", "<div itemprop=\"x\">", "=3D", "(", "\"", "From ", "\r\n", "\u{a0}9,99 \u{20ac}"]),
        cut in any::<u32>(),
    ) {
        let all = fixtures();
        let piece = &all[which % all.len()];
        let mut bytes = Vec::with_capacity(megabytes << 20);
        while bytes.len() < megabytes << 20 {
            let at = cut as usize % piece.len().max(1);
            bytes.extend_from_slice(&piece[..at]);
            bytes.extend(std::iter::repeat_n(filler.as_bytes(), 1024).flatten());
            bytes.extend_from_slice(&piece[at..]);
        }
        let pipeline = Pipeline::default();
        let _ = pipeline.parse(&bytes);
        let _ = pipeline.parse_html(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn huge_bodies_are_cut_not_choked_on() {
    let mut raw = b"From: a@b.example\r\nSubject: Your order\r\n\r\n".to_vec();
    raw.extend(std::iter::repeat_n(b'x', 8 * 1024 * 1024));
    raw.extend(b"\r\nOrder total: \xc2\xa31.00\r\n");
    let parsed = Pipeline::default().parse(&raw).unwrap();
    // The total sits past the cut: it is not found, but nothing blows up.
    assert!(parsed.receipt.is_none_or(|r| r.total.is_none()));
}
