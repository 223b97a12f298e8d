//! Client-side rate limiting: GCRA token buckets per operation and key.

mod clock;
mod layer;
mod limiter;
mod plan;
mod shared;
mod state;

pub use clock::{TokioClock, TokioInstant};
pub use layer::{RateLimitLayer, RateLimitService};
pub use limiter::RateLimiter;
pub use plan::RatePlan;
pub use shared::SharedBuckets;
pub use state::{BucketState, FileRateStateStore, RateStateStore};
