//! The limiter's seed matches the usage plans in Amazon's models.

use std::path::PathBuf;

use amazon_sp_client::plans::USAGE_PLANS;
use serde_json::Value;

#[test]
fn every_modelled_operation_has_the_published_plan() {
    let mut checked = 0;
    for file in [
        "ordersV0.json",
        "orders_2026-01-01.json",
        "tokens_2021-03-01.json",
    ] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/specs/amazon-sp-api")
            .join(file);
        let spec: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for item in spec["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let Some(id) = op["operationId"].as_str() else {
                    continue;
                };
                let description = op["description"].as_str().unwrap_or_default();
                // The table row after the header: "| 0.0167 | 20 |".
                let row = description
                    .lines()
                    .skip_while(|l| !l.contains("---- | ----"))
                    .nth(1)
                    .unwrap_or_else(|| panic!("{id}: no usage plan table"));
                let cells: Vec<&str> = row
                    .split('|')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect();
                let (rate, burst): (f64, u32) =
                    (cells[0].parse().unwrap(), cells[1].parse().unwrap());
                // 2026-01-01 getOrder has a bucket of its own in the limiter.
                let name = if file.starts_with("orders_2026") && id == "getOrder" {
                    "getOrder2026"
                } else {
                    id
                };
                let seeded = USAGE_PLANS
                    .iter()
                    .find(|p| p.0 == name)
                    .unwrap_or_else(|| panic!("{name} has no plan"));
                assert_eq!((seeded.1, seeded.2), (rate, burst), "{name}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 13, "every operation of the three models");
}

#[test]
fn the_marketplace_table_is_complete_and_consistent() {
    use amazon_sp_client::{MARKETPLACES, Marketplace, Region};
    assert_eq!(MARKETPLACES.len(), 23);
    let uk = Marketplace::by_id("A1F83G8C2ARO7P").unwrap();
    assert_eq!(
        (uk.country, uk.domain, uk.currency, uk.region),
        ("GB", "amazon.co.uk", "GBP", Region::Europe)
    );
    assert_eq!(
        Marketplace::by_id("ATVPDKIKX0DER").unwrap().region,
        Region::NorthAmerica
    );
    assert_eq!(
        Marketplace::by_id("A1PA6795UKMFR9").unwrap().currency,
        "EUR"
    );
    assert_eq!(Marketplace::by_country("uk").unwrap().id, "A1F83G8C2ARO7P");
    let mut ids: Vec<_> = MARKETPLACES.iter().map(|m| m.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 23, "ids are unique");
}
