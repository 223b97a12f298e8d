//! The span of days a report covers.

use serde::Serialize;
use time::{Date, Duration, Month};

use super::AnalyticsError;

/// Days from `from` to `to`, both included.
///
/// ```
/// use spend_core::analytics::Period;
/// use time::macros::date;
/// let today = date!(2026 - 12 - 03);
/// assert_eq!(Period::parse("2026-03", today)?, Period::new(date!(2026 - 03 - 01), date!(2026 - 03 - 31)));
/// assert_eq!(Period::parse("2025", today)?.to, date!(2025 - 12 - 31));
/// assert_eq!(Period::parse("2026-Q2", today)?.from, date!(2026 - 04 - 01));
/// assert_eq!(Period::parse("2026-01-15..2026-02-14", today)?.to, date!(2026 - 02 - 14));
/// assert_eq!(Period::parse("last-12-months", today)?, Period::new(date!(2025 - 12 - 04), today));
/// assert!(Period::parse("soon", today).is_err());
/// # Ok::<(), spend_core::analytics::AnalyticsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// The first day.
    pub from: Date,
    /// The last day.
    pub to: Date,
}

impl Period {
    /// `from` to `to`, both included.
    pub fn new(from: Date, to: Date) -> Self {
        Period { from, to }
    }

    /// The twelve months up to `today`.
    pub fn last_12_months(today: Date) -> Self {
        let from = today
            .replace_year(today.year() - 1)
            .unwrap_or(today - Duration::days(365))
            + Duration::days(1);
        Period { from, to: today }
    }

    /// `YYYY`, `YYYY-MM`, `YYYY-Qn`, `FROM..TO` (days), `last-12-months`,
    /// `this-year` or `last-year`.
    pub fn parse(text: &str, today: Date) -> Result<Self, AnalyticsError> {
        let bad = || AnalyticsError::Period(text.to_owned());
        let text = text.trim();
        match text {
            "last-12-months" => return Ok(Period::last_12_months(today)),
            "this-year" => return Period::year(today.year()).ok_or_else(bad),
            "last-year" => return Period::year(today.year() - 1).ok_or_else(bad),
            _ => {}
        }
        if let Some((from, to)) = text.split_once("..") {
            let day = |s: &str| crate::store::parse_date(s.trim()).map_err(|_| bad());
            let period = Period::new(day(from)?, day(to)?);
            return if period.from <= period.to {
                Ok(period)
            } else {
                Err(bad())
            };
        }
        let parts: Vec<&str> = text.split('-').collect();
        let year: i32 = parts[0].parse().map_err(|_| bad())?;
        match parts.as_slice() {
            [_] => Period::year(year).ok_or_else(bad),
            [_, q] if q.starts_with(['Q', 'q']) => {
                let n: u8 = q[1..].parse().map_err(|_| bad())?;
                if !(1..=4).contains(&n) {
                    return Err(bad());
                }
                let first = Month::try_from(3 * n - 2).map_err(|_| bad())?;
                let last = Month::try_from(3 * n).map_err(|_| bad())?;
                Ok(Period::new(
                    Date::from_calendar_date(year, first, 1).map_err(|_| bad())?,
                    month_end(year, last).ok_or_else(bad)?,
                ))
            }
            [_, m] => {
                let month =
                    Month::try_from(m.parse::<u8>().map_err(|_| bad())?).map_err(|_| bad())?;
                Ok(Period::new(
                    Date::from_calendar_date(year, month, 1).map_err(|_| bad())?,
                    month_end(year, month).ok_or_else(bad)?,
                ))
            }
            _ => Err(bad()),
        }
    }

    fn year(year: i32) -> Option<Self> {
        Some(Period::new(
            Date::from_calendar_date(year, Month::January, 1).ok()?,
            Date::from_calendar_date(year, Month::December, 31).ok()?,
        ))
    }

    /// The months it touches, as `YYYY-MM`, in order.
    pub fn months(&self) -> Vec<String> {
        let mut out = Vec::new();
        let (mut year, mut month) = (self.from.year(), self.from.month());
        loop {
            let key = format!("{year:04}-{:02}", u8::from(month));
            let last = format!("{:04}-{:02}", self.to.year(), u8::from(self.to.month()));
            let done = key >= last;
            out.push(key);
            if done {
                return out;
            }
            month = month.next();
            if month == Month::January {
                year += 1;
            }
        }
    }
}

fn month_end(year: i32, month: Month) -> Option<Date> {
    Date::from_calendar_date(year, month, month.length(year)).ok()
}
