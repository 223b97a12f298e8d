//! Keeps secrets out of logs and errors: header values and query parameters
//! whose names say they hold a credential, and the known secret fields of
//! bodies kept in errors, are replaced by `<redacted>`.

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

/// Fields of token endpoints' bodies that hold a credential.
pub const SECRET_FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "restrictedDataToken",
    "client_secret",
    "code",
];

/// `body` with the values of the fields named in `fields` replaced, in
/// JSON (`"access_token": "..."`) and in form encoding
/// (`access_token=...&`), wherever they appear. Works on a cut or broken
/// body as well as a whole one, since it is what a decode error keeps.
///
/// ```
/// use spend_http::redact::{body, SECRET_FIELDS};
/// let kept = body(r#"{"access_token": "eyJ.a.b", "expires_in": 3600, "refresh_token":"rt-1"#, SECRET_FIELDS);
/// assert_eq!(kept, r#"{"access_token": "<redacted>", "expires_in": 3600, "refresh_token":"<redacted>"#);
/// assert_eq!(body("grant_type=refresh_token&refresh_token=rt-1&client_secret=s", SECRET_FIELDS),
///     "grant_type=refresh_token&refresh_token=<redacted>&client_secret=<redacted>");
/// ```
pub fn body(body: &str, fields: &[&str]) -> String {
    let mut out = body.to_owned();
    for field in fields {
        out = redact_json_field(&out, field);
        out = redact_form_field(&out, field);
    }
    out
}

/// Replaces the string value of every `"field"` member.
fn redact_json_field(text: &str, field: &str) -> String {
    let quoted = format!("\"{field}\"");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&quoted) {
        let (before, after) = rest.split_at(at + quoted.len());
        out.push_str(before);
        rest = after;
        // `"field"` then spaces, a colon, spaces and an opening quote.
        let trimmed = rest.trim_start();
        let Some(value) = trimmed.strip_prefix(':').map(str::trim_start) else {
            continue;
        };
        let Some(inside) = value.strip_prefix('"') else {
            continue;
        };
        out.push_str(&rest[..rest.len() - inside.len()]);
        out.push_str(REDACTED);
        // The value ends at the first quote not escaped (or the cut end).
        let mut end = inside.len();
        let mut escaped = false;
        for (i, c) in inside.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = i;
                    break;
                }
                _ => escaped = false,
            }
        }
        rest = &inside[end..];
    }
    out.push_str(rest);
    out
}

/// Replaces the value of every `field=` pair of a form-encoded body.
fn redact_form_field(text: &str, field: &str) -> String {
    let key = format!("{field}=");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&key) {
        let starts_pair = at == 0 || matches!(rest.as_bytes()[at - 1], b'&' | b'?');
        let (before, after) = rest.split_at(at + key.len());
        out.push_str(before);
        rest = after;
        if !starts_pair {
            continue;
        }
        out.push_str(REDACTED);
        let end = rest.find(['&', ' ', '\n', '"']).unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// What an error keeps of a provider's error answer's headers: its request
/// id, retry and rate-limit hints and content type; never a cookie or a
/// credential.
pub fn error_headers(headers: &HeaderMap) -> HeaderMap {
    headers
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            name == "content-type"
                || name == "retry-after"
                || name == "www-authenticate"
                || name.contains("request-id")
                || name.contains("requestid")
                || name.contains("correlation-id")
                || name.contains("ratelimit")
                || name.contains("rate-limit")
        })
        .filter(|(name, _)| !name.as_str().contains("cookie"))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

/// A transport error with its URL's secret query values (an API key sent
/// as `?key=`) replaced, since reqwest's errors print their URL.
pub fn transport_error(mut error: reqwest::Error) -> reqwest::Error {
    if let Some(url) = error.url_mut()
        && let Ok(shown) = Url::parse(&self::url(url))
    {
        *url = shown;
    }
    error
}
