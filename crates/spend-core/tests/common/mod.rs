//! What the demo-based tests share: a store synced from the simulators.

use std::sync::Arc;

use spend_core::app::{Spend, SyncSettings};
use spend_core::demo::Demo;
use spend_core::store::SqliteStore;
use spend_core::vault::Keyring;

/// An in-memory store with everything the demo's simulators hold, synced
/// as `spend sync` would.
pub async fn synced(demo: &Demo) -> Spend {
    let store = Arc::new(SqliteStore::in_memory().await.unwrap());
    let spend = Spend::with(
        store,
        "demo",
        Keyring::generate(),
        Arc::new(blob_store::MemoryStore::new()),
    )
    .await
    .unwrap();
    demo.connect(&spend).await.unwrap();
    let options = SyncSettings {
        present: Some(std::net::IpAddr::from([127, 0, 0, 1])),
        ..SyncSettings::default()
    };
    for mut source in demo.sources(&spend, &options).await.unwrap() {
        spend
            .engine()
            .run(source.as_mut(), &mut |_| {})
            .await
            .unwrap();
    }
    spend
}
