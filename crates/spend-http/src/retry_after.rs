//! `Retry-After` in both of its forms: delay-seconds and HTTP-date.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Reads `Retry-After` relative to `now`. A date in the past means "now" (zero).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
///
/// let mut headers = HeaderMap::new();
/// headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
/// assert_eq!(spend_http::retry_after::parse(&headers, SystemTime::now()), Some(Duration::from_secs(2)));
/// ```
pub fn parse(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    // Some providers send fractional seconds.
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Headers in which rate-limited APIs say when their window resets, read
/// when a 429 carries no `Retry-After`: OpenAI-style durations
/// (`x-ratelimit-reset-requests: 6m0s`, `...-tokens: 20ms`) and plain seconds
/// (`x-ratelimit-reset: 12`). The longest of them wins.
///
/// ```
/// use std::time::Duration;
/// use reqwest::header::{HeaderMap, HeaderValue};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("x-ratelimit-reset-requests", HeaderValue::from_static("1m30s"));
/// headers.insert("x-ratelimit-reset-tokens", HeaderValue::from_static("250ms"));
/// assert_eq!(spend_http::retry_after::rate_limit_reset(&headers), Some(Duration::from_secs(90)));
/// ```
pub fn rate_limit_reset(headers: &HeaderMap) -> Option<Duration> {
    const DURATIONS: &[&str] = &["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"];
    let durations = DURATIONS
        .iter()
        .filter_map(|name| headers.get(*name)?.to_str().ok())
        .filter_map(parse_duration);
    let seconds = headers
        .get("x-ratelimit-reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        // Some APIs put an epoch timestamp here; only small values are delays.
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 86_400.0)
        .map(Duration::from_secs_f64);
    durations.chain(seconds).max()
}

/// Parses `1h2m3.5s`, `6m0s`, `20ms`, `1.5s` (the format of Go's `time.Duration`).
fn parse_duration(text: &str) -> Option<Duration> {
    let mut rest = text.trim();
    let mut total = 0.0_f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let value: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    Some(Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse(&headers("7"), now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse(&headers("0.5"), now),
            Some(Duration::from_millis(500))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(parse(&headers(&later), now), Some(Duration::from_secs(30)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse(&headers(&earlier), now), Some(Duration::ZERO));
        assert_eq!(parse(&headers("soon"), now), None);
        assert_eq!(parse(&headers("-3"), now), None);
        assert_eq!(parse(&HeaderMap::new(), now), None);
    }

    #[test]
    fn reset_durations() {
        assert_eq!(parse_duration("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(
            parse_duration("1h2m3.5s"),
            Some(Duration::from_secs_f64(3723.5))
        );
        assert_eq!(parse_duration("20ms"), Some(Duration::from_millis(20)));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration(""), None);
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-reset", HeaderValue::from_static("12"));
        assert_eq!(rate_limit_reset(&h), Some(Duration::from_secs(12)));
        h.insert("x-ratelimit-reset", HeaderValue::from_static("1764000000"));
        assert_eq!(
            rate_limit_reset(&h),
            None,
            "an epoch timestamp is not a delay"
        );
    }
}
