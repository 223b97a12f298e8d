//! Cron expressions for recurring syncs.

use std::str::FromStr;

use super::JobsError;

/// Reads a cron expression: the usual five fields (`minute hour day month
/// weekday`), six or seven with seconds first, or `@hourly`, `@daily`,
/// `@weekly`, `@monthly`. Times are UTC.
///
/// ```
/// use spend_core::jobs::{next_after_ms, parse_cron};
/// let daily_at_six = parse_cron("0 6 * * *").unwrap();
/// // 2026-03-02T10:00:00Z -> 2026-03-03T06:00:00Z
/// assert_eq!(next_after_ms(&daily_at_six, 1_772_445_600_000), Some(1_772_517_600_000));
/// assert!(parse_cron("every day").is_err());
/// ```
pub fn parse_cron(expr: &str) -> Result<cron::Schedule, JobsError> {
    let expr = expr.trim();
    let full = if expr.split_whitespace().count() == 5 {
        format!("0 {expr}")
    } else {
        expr.to_owned()
    };
    cron::Schedule::from_str(&full).map_err(|e| JobsError::Cron(format!("{expr:?}: {e}")))
}

/// The first run of `schedule` after `after_ms` (ms since the epoch), if any.
pub fn next_after_ms(schedule: &cron::Schedule, after_ms: i64) -> Option<i64> {
    let after = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(after_ms)?;
    schedule.after(&after).next().map(|t| t.timestamp_millis())
}
