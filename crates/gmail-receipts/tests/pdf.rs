//! The PDF stage: an invoice whose amount is only in the attached PDF.

use std::path::PathBuf;

use gmail_receipts::{Importer, MailMessage, PdfError, PdfLimits, pdf_attachments, pdf_text};
use receipt_parsers::{Kind, Method};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(path).unwrap()
}

#[test]
fn pdf_text_is_read() {
    let text = pdf_text(fixture("invoice.pdf"), PdfLimits::default()).unwrap();
    assert!(text.contains("Total due: GBP 24.00"), "{text}");
    assert!(text.contains("NWH-2024-0412"), "{text}");
}

#[test]
fn the_amount_comes_from_the_pdf() {
    let raw = fixture("pdf-invoice.eml");
    // The email alone says only that an invoice is attached.
    let alone = receipt_parsers::parse(&raw).unwrap();
    assert!(
        alone
            .receipt
            .as_ref()
            .and_then(|r| r.total.as_ref())
            .is_none()
    );

    let mut importer = Importer::default();
    let imported = importer.import(&MailMessage::new("inv", raw)).unwrap();
    assert_eq!(imported.parsed.kind, Kind::Receipt);
    let receipt = imported.parsed.receipt.unwrap();
    let total = receipt.total.clone().unwrap();
    assert_eq!(total.value.amount.to_string(), "24.00");
    assert_eq!(total.value.currency.0, "GBP");
    assert_eq!(total.source, Method::Pdf);
    assert_eq!(
        receipt.tax.as_ref().unwrap().value.amount.to_string(),
        "4.00"
    );
    assert!(
        receipt.order_id_values().contains(&"NWH-2024-0412"),
        "{:?}",
        receipt.order_ids
    );
    assert_eq!(
        receipt.date.as_ref().unwrap().value.to_string(),
        "2024-04-03"
    );

    // The PDF comes back for the blob store, byte for byte.
    assert_eq!(imported.pdfs.len(), 1);
    assert_eq!(
        imported.pdfs[0].filename.as_deref(),
        Some("NWH-2024-0412.pdf")
    );
    assert_eq!(imported.pdfs[0].bytes, fixture("invoice.pdf"));

    let stats = importer.stats();
    assert_eq!(stats.receipts, 1);
    assert_eq!(stats.pdfs, 1);
    assert_eq!(stats.by_method.get("pdf"), Some(&1));
    assert!(stats.errors.is_empty());
}

#[test]
fn a_broken_pdf_is_an_error_by_stage_not_a_panic() {
    let raw = fixture("pdf-broken.eml");
    let pdfs = pdf_attachments(&raw);
    assert_eq!(pdfs.len(), 1);
    assert!(matches!(
        pdf_text(pdfs[0].bytes.clone(), PdfLimits::default()),
        Err(PdfError::Unreadable(_) | PdfError::NoText)
    ));

    let mut importer = Importer::default();
    let imported = importer.import(&MailMessage::new("broken", raw)).unwrap();
    assert_ne!(imported.parsed.kind, Kind::Receipt);
    assert_eq!(importer.stats().errors.get("pdf"), Some(&1));
}

#[test]
fn caps_hold() {
    let big = fixture("invoice.pdf");
    let size = big.len();
    assert_eq!(
        pdf_text(big, PdfLimits::default().max_bytes(100)),
        Err(PdfError::TooLarge { size, limit: 100 })
    );
    assert_eq!(
        pdf_text(
            fixture("invoice.pdf"),
            PdfLimits::default().timeout(std::time::Duration::ZERO)
        ),
        Err(PdfError::TimedOut(std::time::Duration::ZERO))
    );
}
