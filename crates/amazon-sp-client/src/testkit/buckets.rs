//! The simulator's own, server-side GCRA buckets: Amazon's usage plans
//! enforced the way Amazon enforces them, independent of the client's limiter.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::plans::USAGE_PLANS;

pub(crate) struct Buckets {
    scale: f64,
    full_at: Mutex<HashMap<(String, String), Instant>>,
}

impl Buckets {
    pub fn new(scale: f64) -> Self {
        Buckets {
            scale,
            full_at: Mutex::new(HashMap::new()),
        }
    }

    /// The operation's (scaled) rate and burst.
    pub fn plan(&self, op: &str) -> Option<(f64, u32)> {
        USAGE_PLANS
            .iter()
            .find(|(name, ..)| *name == op)
            .map(|(_, rate, burst)| (rate * self.scale, *burst))
    }

    /// Takes a token for `op` and `key`, or says the bucket is empty.
    pub fn take(&self, op: &str, key: &str) -> bool {
        let Some((rate, burst)) = self.plan(op) else {
            return true;
        };
        let interval = Duration::from_secs_f64(1.0 / rate);
        let tolerance = interval * burst;
        let now = Instant::now();
        let mut full_at = self.full_at.lock().unwrap_or_else(|e| e.into_inner());
        let at = full_at
            .entry((op.to_owned(), key.to_owned()))
            .or_insert(now);
        let tat = (*at).max(now);
        // Allowed when, after adding this request, the bucket would not overflow.
        // A little slack absorbs the clock difference between client and server.
        if tat + interval > now + tolerance + Duration::from_millis(2) {
            return false;
        }
        *at = tat + interval;
        true
    }
}
