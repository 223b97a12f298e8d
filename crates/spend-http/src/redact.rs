//! Keeps secrets out of logs: header values and query parameters whose names
//! say they hold a credential are replaced by `<redacted>`.

use std::fmt;

use reqwest::Url;
use reqwest::header::HeaderMap;

const REDACTED: &str = "<redacted>";

/// Name fragments that mark a header or query parameter as secret.
const SECRET_MARKERS: &[&str] = &[
    "authorization",
    "token",
    "secret",
    "password",
    "cookie",
    "signature",
    "key",
    "code",
    "credential",
    "session",
    "assertion",
];

/// Whether a header or parameter called `name` may hold a secret.
///
/// ```
/// assert!(spend_http::redact::is_secret_name("x-amz-access-token"));
/// assert!(spend_http::redact::is_secret_name("client_secret"));
/// assert!(!spend_http::redact::is_secret_name("from"));
/// ```
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_MARKERS.iter().any(|m| name.contains(m))
}

/// `url` with the values of secret query parameters replaced.
///
/// ```
/// let url = reqwest::Url::parse("https://x.test/cb?code=abc&state=1").unwrap();
/// assert_eq!(spend_http::redact::url(&url), "https://x.test/cb?code=%3Credacted%3E&state=1");
/// ```
pub fn url(url: &Url) -> String {
    if url.query().is_none() && url.password().is_none() {
        return url.to_string();
    }
    let mut shown = url.clone();
    let _ = shown.set_password(None);
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if is_secret_name(&k) {
                REDACTED.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    if pairs.is_empty() {
        shown.set_query(None);
    } else {
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    shown.to_string()
}

/// Formats headers with secret values replaced (for `Debug` in trace events).
pub struct Headers<'a>(pub &'a HeaderMap);

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if value.is_sensitive() || is_secret_name(name.as_str()) {
                map.entry(&name.as_str(), &REDACTED);
            } else {
                map.entry(&name.as_str(), &value.to_str().unwrap_or("<binary>"));
            }
        }
        map.finish()
    }
}
