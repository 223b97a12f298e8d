//! The simulator's state: the mailbox, its history, tokens, the per-user
//! quota window and injected faults.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::mailbox::SimMessage;

/// A fault to answer with instead of the real response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 `rateLimitExceeded` with `Retry-After: 1`.
    TooManyRequests,
    /// 403 `userRateLimitExceeded` (Gmail's other way of saying it).
    UserRateLimit403,
    /// 500 `backendError`.
    BackendError,
    /// 403 `insufficientPermissions`: the grant lacks the scope (not retryable).
    InsufficientPermissions,
}

/// Counters of what the simulator served.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimStats {
    /// HTTP requests to the Gmail API (a batch counts once).
    pub http_requests: u64,
    /// API calls (each call inside a batch counts).
    pub calls: u64,
    /// Batch requests.
    pub batches: u64,
    /// Quota units charged.
    pub units: u64,
    /// Calls refused for quota (429) or injected rate-limit faults.
    pub rate_limited: u64,
    /// Calls answered with another error (4xx/5xx).
    pub failed: u64,
    /// The most units charged in any sliding 60-second window.
    pub peak_units_per_minute: u64,
}

pub(crate) struct State {
    pub messages: Vec<SimMessage>,
    pub by_id: HashMap<String, usize>,
    pub history_id: u64,
    /// Start ids below this answer 404 (Gmail forgot that history).
    pub history_floor: u64,
    pub units_per_minute: u32,
    pub window: VecDeque<(Instant, u32)>,
    pub window_units: u64,
    pub faults: VecDeque<Fault>,
    pub storm: std::sync::Arc<spend_http::testkit::Storm>,
    pub stats: SimStats,
    pub queries: Vec<String>,
    pub access_tokens: HashMap<String, Instant>,
    pub refresh_tokens: Vec<String>,
    pub codes: HashMap<String, (String, String)>,
    pub token_ttl: Duration,
    pub email: String,
    /// The consent page answers `error=access_denied`.
    pub decline_consent: bool,
}

impl State {
    pub fn new(messages: Vec<SimMessage>, units_per_minute: u32, token_ttl: Duration) -> Self {
        let by_id = messages
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i))
            .collect();
        let history_id = messages.iter().map(|m| m.history_id).max().unwrap_or(1000) + 1;
        State {
            messages,
            by_id,
            history_id,
            history_floor: 0,
            units_per_minute,
            window: VecDeque::new(),
            window_units: 0,
            faults: VecDeque::new(),
            storm: std::sync::Arc::default(),
            stats: SimStats::default(),
            queries: Vec::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: Vec::new(),
            codes: HashMap::new(),
            token_ttl,
            email: "alex@example.org".into(),
            decline_consent: false,
        }
    }

    /// Charges `units` in the sliding minute, or says how long until they fit.
    pub fn charge(&mut self, units: u32) -> Result<(), Duration> {
        let now = Instant::now();
        let minute = Duration::from_secs(60);
        while let Some((at, u)) = self.window.front().copied() {
            if now.duration_since(at) >= minute {
                self.window.pop_front();
                self.window_units -= u64::from(u);
            } else {
                break;
            }
        }
        if self.window_units + u64::from(units) > u64::from(self.units_per_minute) {
            // Wait until enough of the oldest charges leave the window.
            let mut freed = 0u64;
            let need = self.window_units + u64::from(units) - u64::from(self.units_per_minute);
            let mut wait = minute;
            for (at, u) in &self.window {
                freed += u64::from(*u);
                if freed >= need {
                    wait = minute.saturating_sub(now.duration_since(*at));
                    break;
                }
            }
            return Err(wait.max(Duration::from_millis(1)));
        }
        self.window.push_back((now, units));
        self.window_units += u64::from(units);
        self.stats.units += u64::from(units);
        self.stats.peak_units_per_minute = self.stats.peak_units_per_minute.max(self.window_units);
        Ok(())
    }

    /// The message with Gmail id `id`.
    pub fn message(&self, id: &str) -> Option<&SimMessage> {
        self.by_id.get(id).map(|i| &self.messages[*i])
    }

    pub fn authorised(&self, bearer: Option<&str>) -> bool {
        bearer
            .and_then(|t| self.access_tokens.get(t))
            .is_some_and(|expires| *expires > Instant::now())
    }

    pub fn issue_access_token(&mut self) -> String {
        let token = format!("ya29.sim-{:016x}", fastrand::u64(..));
        self.access_tokens
            .insert(token.clone(), Instant::now() + self.token_ttl);
        token
    }

    /// Messages matching a query, newest first.
    pub fn search(&self, q: &str) -> Vec<&SimMessage> {
        let query = Query::parse(q);
        let mut found: Vec<&SimMessage> =
            self.messages.iter().filter(|m| query.matches(m)).collect();
        found.sort_by(|a, b| b.internal_date.cmp(&a.internal_date).then(b.id.cmp(&a.id)));
        found
    }
}

/// The part of Gmail's search syntax receipt syncs use: `after:` / `before:`
/// (epoch seconds or `YYYY/MM/DD`), `subject:(a OR "b c")`, `from:(x OR y)`,
/// and `{...}` meaning any of.
#[derive(Debug, Default)]
struct Query {
    after_ms: Option<i64>,
    before_ms: Option<i64>,
    subjects: Vec<String>,
    from: Vec<String>,
}

fn group(q: &str, key: &str) -> Vec<String> {
    let Some(at) = q.find(&format!("{key}:(")) else {
        return Vec::new();
    };
    let rest = &q[at + key.len() + 2..];
    let end = rest.find(')').unwrap_or(rest.len());
    rest[..end]
        .split(" OR ")
        .map(|t| t.trim().trim_matches('"').to_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

fn bound(q: &str, key: &str) -> Option<i64> {
    let at = q.find(&format!("{key}:"))?;
    let value: String = q[at + key.len() + 1..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '/')
        .collect();
    if let Ok(secs) = value.parse::<i64>() {
        return Some(secs * 1000);
    }
    let mut parts = value.split('/').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    let date =
        time::Date::from_calendar_date(y as i32, time::Month::try_from(m as u8).ok()?, d as u8)
            .ok()?;
    // Gmail reads calendar dates in Pacific time (UTC-8 outside summer).
    Some((date.midnight().assume_utc().unix_timestamp() + 8 * 3600) * 1000)
}

impl Query {
    fn parse(q: &str) -> Self {
        Query {
            after_ms: bound(q, "after"),
            before_ms: bound(q, "before"),
            subjects: group(q, "subject"),
            from: group(q, "from"),
        }
    }

    fn matches(&self, m: &SimMessage) -> bool {
        if self.after_ms.is_some_and(|a| m.internal_date < a)
            || self.before_ms.is_some_and(|b| m.internal_date >= b)
        {
            return false;
        }
        if self.subjects.is_empty() && self.from.is_empty() {
            return true;
        }
        let subject = m.subject.to_lowercase();
        self.subjects.iter().any(|s| subject.contains(s.as_str()))
            || self
                .from
                .iter()
                .any(|d| m.from_domain == *d || m.from_domain.ends_with(&format!(".{d}")))
    }
}
