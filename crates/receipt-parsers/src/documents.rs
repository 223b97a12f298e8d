//! The document stage: invoices whose amount is only in an attachment.
//!
//! The caller extracts the attachment's text (`gmail-receipts` reads PDFs);
//! this stage reads the email and that text together, and whatever the email
//! alone did not carry is marked [`Method::Pdf`].

use crate::message::Email;
use crate::model::{Field, Kind, Method, Parsed, Receipt};
use crate::pipeline::{ParseError, Pipeline};

fn mark<T>(found: &mut Option<Field<T>>, had: bool) {
    if let (false, Some(field)) = (had, found.as_mut()) {
        field.source = Method::Pdf;
    }
}

/// Marks every field `base` lacked as found in the document.
fn mark_new_fields(receipt: &mut Receipt, base: Option<&Receipt>) {
    let empty = Receipt::default();
    let base = base.unwrap_or(&empty);
    mark(&mut receipt.total, base.total.is_some());
    mark(&mut receipt.subtotal, base.subtotal.is_some());
    mark(&mut receipt.tax, base.tax.is_some());
    mark(&mut receipt.shipping, base.shipping.is_some());
    mark(&mut receipt.discount, base.discount.is_some());
    // A date the email had only as its send date is not the document's.
    let had_date = base
        .date
        .as_ref()
        .is_some_and(|d| receipt.date.as_ref().is_some_and(|r| r.value == d.value));
    mark(&mut receipt.date, had_date);
    for id in &mut receipt.order_ids {
        if !base.order_ids.iter().any(|b| b.value == id.value) {
            id.source = Method::Pdf;
        }
    }
    if base.line_items.is_empty() {
        for item in &mut receipt.line_items {
            item.source = Method::Pdf;
        }
    }
}

impl Pipeline {
    /// Parses a message together with the text of its attached documents.
    ///
    /// The email is read first; when it is not a receipt with a total and
    /// `documents` is not empty, the email's text and the documents' text are
    /// read together, and fields found only that way are marked
    /// [`Method::Pdf`]. A receipt the email already describes is kept as is.
    ///
    /// ```
    /// use receipt_parsers::{Kind, Method, Pipeline};
    /// let raw = b"From: Billing <billing@tools.example>\r\nSubject: Your invoice INV-2041\r\n\r\nYour invoice is attached.\r\n";
    /// let pipeline = Pipeline::default();
    /// assert_eq!(pipeline.parse(raw).unwrap().kind, Kind::Other);
    ///
    /// let pdf_text = "INVOICE\nInvoice number: INV-2041\nTotal due: \u{a3}42.00\n";
    /// let parsed = pipeline.parse_with_documents(raw, &[pdf_text]).unwrap();
    /// assert_eq!(parsed.kind, Kind::Receipt);
    /// let total = parsed.receipt.unwrap().total.unwrap();
    /// assert_eq!(total.value.amount.to_string(), "42.00");
    /// assert_eq!(total.source, Method::Pdf);
    /// ```
    pub fn parse_with_documents(
        &self,
        bytes: &[u8],
        documents: &[&str],
    ) -> Result<Parsed, ParseError> {
        let email =
            Email::parse(bytes).ok_or_else(|| ParseError("not an RFC 5322 message".into()))?;
        let base = self.parse_email(&email);
        let complete = base.receipt.as_ref().is_some_and(|r| r.total.is_some());
        let documents: Vec<&str> = documents
            .iter()
            .copied()
            .filter(|d| !d.trim().is_empty())
            .collect();
        if complete || documents.is_empty() || matches!(base.kind, Kind::Marketing) {
            return Ok(base);
        }
        let mut combined = email;
        combined.text = format!("{}\n\n{}", combined.text, documents.join("\n\n"));
        let mut read = self.parse_email(&combined);
        let Some(receipt) = read.receipt.as_mut() else {
            return Ok(base);
        };
        if receipt.total.is_none() && base.receipt.is_some() {
            // The document added nothing the email lacked most.
            return Ok(base);
        }
        mark_new_fields(receipt, base.receipt.as_ref());
        read.reason = format!("{} (read with an attached document)", read.reason);
        Ok(read)
    }
}
