//! The usage plans Amazon publishes for each operation (rate in requests per
//! second, burst), the seed of the client-side buckets.

use spend_http::{RateLimiter, RatePlan};

/// `(operation id, rate, burst)` from the operations' descriptions in Amazon's models.
pub const USAGE_PLANS: &[(&str, f64, u32)] = &[
    // Orders v0
    ("getOrders", 0.0167, 20),
    ("getOrder", 0.5, 30),
    ("getOrderBuyerInfo", 0.5, 30),
    ("getOrderAddress", 0.5, 30),
    ("getOrderItems", 0.5, 30),
    ("getOrderItemsBuyerInfo", 0.5, 30),
    ("updateShipmentStatus", 5.0, 15),
    ("getOrderRegulatedInfo", 0.5, 30),
    ("updateVerificationStatus", 0.5, 30),
    ("confirmShipment", 2.0, 10),
    // Orders 2026-01-01 (its getOrder shares the v0 plan's numbers but not its bucket)
    ("searchOrders", 0.0056, 20),
    ("getOrder2026", 0.5, 30),
    // Tokens
    ("createRestrictedDataToken", 1.0, 10),
    // Amazon Business Reporting 2025-06-09
    ("getOrderReports", 0.5, 10),
    ("getOrderLineItemReports", 0.5, 10),
    ("getOrderReportsByPurchaseOrderNumber", 0.5, 10),
    ("getShipmentReports", 0.5, 10),
    ("getShipmentLineItemReports", 0.5, 10),
];

/// A limiter seeded with every published plan, rates multiplied by `scale`
/// (1.0 for Amazon; a simulator may run faster).
pub fn limiter(scale: f64) -> RateLimiter {
    USAGE_PLANS
        .iter()
        .fold(RateLimiter::new(), |limiter, (op, rate, burst)| {
            limiter.with_plan(*op, RatePlan::new(rate * scale, *burst))
        })
}
