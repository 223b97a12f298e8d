//! The behaviour every backend must have.

use blob_store::{BlobStore, Key, Metadata, put_dedup, receipt_key};

pub async fn conformance(store: &dyn BlobStore, prefix: &str) {
    let key = |k: &str| Key::new(format!("{prefix}{k}")).unwrap();
    let pdf = b"%PDF-1.4 example invoice".to_vec();
    let meta = Metadata::for_bytes(&pdf, "application/pdf")
        .filename("Rechnung März 2024.pdf")
        .message_id("<abc@mail.example>")
        .merchant("Café Example");

    assert!(store.get(&key("a/missing.pdf")).await.unwrap().is_none());
    assert!(store.head(&key("a/missing.pdf")).await.unwrap().is_none());

    store
        .put(&key("a/invoice.pdf"), pdf.clone(), meta.clone())
        .await
        .unwrap();
    let blob = store.get(&key("a/invoice.pdf")).await.unwrap().unwrap();
    assert_eq!(blob.bytes, pdf);
    assert_eq!(
        blob.metadata, meta,
        "metadata round-trips, non-ASCII included"
    );
    let head = store.head(&key("a/invoice.pdf")).await.unwrap().unwrap();
    assert_eq!(head.size, pdf.len() as u64);
    assert_eq!(head.metadata.content_hash, blob_store::sha256_hex(&pdf));

    // Overwrite.
    store
        .put(
            &key("a/invoice.pdf"),
            b"v2".to_vec(),
            Metadata::for_bytes(b"v2", "text/plain"),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .get(&key("a/invoice.pdf"))
            .await
            .unwrap()
            .unwrap()
            .bytes,
        b"v2"
    );

    store
        .put(
            &key("b/1.txt"),
            b"1".to_vec(),
            Metadata::for_bytes(b"1", "text/plain"),
        )
        .await
        .unwrap();
    store
        .put(
            &key("a/z.txt"),
            b"z".to_vec(),
            Metadata::for_bytes(b"z", "text/plain"),
        )
        .await
        .unwrap();
    let listed: Vec<String> = store
        .list(&format!("{prefix}a/"))
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key.to_string())
        .collect();
    assert_eq!(
        listed,
        [format!("{prefix}a/invoice.pdf"), format!("{prefix}a/z.txt")],
        "by prefix, sorted"
    );
    assert_eq!(store.list(prefix).await.unwrap().len(), 3);

    store.delete(&key("a/z.txt")).await.unwrap();
    store.delete(&key("a/z.txt")).await.unwrap(); // deleting a missing object is fine
    assert!(store.get(&key("a/z.txt")).await.unwrap().is_none());

    // Content-hash dedup through the receipt layout.
    let date = time::macros::date!(2024 - 03 - 12);
    let receipt = Key::new(format!(
        "{prefix}{}",
        receipt_key(date, "<0102@ses.example>", "../Invoice #7.pdf")
    ))
    .unwrap();
    assert!(
        receipt
            .as_str()
            .ends_with("2024/03/12/0102_ses.example/_Invoice_7.pdf"),
        "{receipt}"
    );
    assert!(
        put_dedup(store, &receipt, pdf.clone(), meta.clone())
            .await
            .unwrap()
            .uploaded
    );
    assert!(
        !put_dedup(store, &receipt, pdf.clone(), meta.clone())
            .await
            .unwrap()
            .uploaded
    );
    assert!(
        put_dedup(store, &receipt, b"changed".to_vec(), meta)
            .await
            .unwrap()
            .uploaded
    );
}
