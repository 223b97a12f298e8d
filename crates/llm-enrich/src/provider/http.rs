//! What the five providers share: the HTTP stack and reading their errors.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::header::HeaderName;
use secrecy::SecretString;
use serde_json::Value;
use spend_http::{AuthScheme, HttpClient, Operation, RetryPolicy, StaticToken};

use super::ProviderKind;
use crate::{Error, Result};

/// Optional settings of a provider client; unset values take the provider's defaults.
///
/// ```
/// use std::time::Duration;
/// use llm_enrich::Config;
///
/// let config = Config::new()
///     .model("claude-sonnet-4-5")
///     .base_url("https://llm-proxy.internal")
///     .timeout(Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Config {
    base_url: Option<String>,
    model: Option<String>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    max_output_tokens: Option<u32>,
}

impl Config {
    /// All defaults.
    pub fn new() -> Self {
        Config::default()
    }

    /// Another base URL (a proxy, an OpenAI-compatible server, a simulator).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Another model.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// The per-attempt timeout (default 120 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy for 429, 5xx and overloaded answers (default: 6 attempts within 5 minutes).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The most output tokens the model may produce per answer.
    pub fn max_output_tokens(mut self, tokens: u32) -> Self {
        self.max_output_tokens = Some(tokens);
        self
    }
}

/// A provider client's resolved settings.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub base_url: String,
    pub model: String,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub max_output_tokens: u32,
}

impl Settings {
    pub fn resolve(config: Config, base_url: &str, model: &str, max_output_tokens: u32) -> Self {
        Settings {
            base_url: config
                .base_url
                .as_deref()
                .unwrap_or(base_url)
                .trim_end_matches('/')
                .to_owned(),
            model: config.model.unwrap_or_else(|| model.to_owned()),
            timeout: config.timeout.unwrap_or(Duration::from_secs(120)),
            retry: config.retry.unwrap_or_else(|| {
                RetryPolicy::default()
                    .max_attempts(6)
                    .budget(Duration::from_secs(300))
            }),
            max_output_tokens: config.max_output_tokens.unwrap_or(max_output_tokens),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base_url, path.trim_start_matches('/'))
    }
}

/// Builds the HTTP stack: the key in the provider's header, retries on 429/5xx/529.
pub(crate) fn client(
    settings: &Settings,
    key: Option<(&SecretString, AuthScheme)>,
) -> Result<HttpClient, spend_http::Error> {
    let mut builder = HttpClient::builder()
        .user_agent(concat!(
            "llm-enrich/",
            env!("CARGO_PKG_VERSION"),
            " (spend)"
        ))
        .timeout(Some(settings.timeout))
        .retry(settings.retry.clone());
    if let Some((key, scheme)) = key {
        use secrecy::ExposeSecret;
        builder = builder.auth(Arc::new(StaticToken::new(key.expose_secret())), scheme);
    }
    builder.build()
}

pub(crate) fn header(name: &'static str) -> AuthScheme {
    AuthScheme::Header(HeaderName::from_static(name))
}

/// Posts `body` and reads the JSON answer, mapping failures to typed errors
/// with `key` scrubbed from them.
///
/// Completions have no side effect but cost, and every provider documents
/// retrying 429 and 5xx answers, so the POST is marked safe to repeat.
pub(crate) async fn post(
    kind: ProviderKind,
    http: &HttpClient,
    key: Option<&SecretString>,
    url: &str,
    operation: &'static str,
    headers: &[(&'static str, &'static str)],
    body: &Value,
) -> Result<Value> {
    let mut request = http.post(url).json(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    http.send_json(Operation::new(operation).idempotent(true), request)
        .await
        .map_err(|e| classify(kind, e, key))
}

/// `text` with the API key replaced. Some gateways and debugging proxies
/// echo the request's headers in their error answers, and error messages
/// end up in logs and in front of people.
pub(crate) fn scrub(text: String, key: Option<&SecretString>) -> String {
    use secrecy::ExposeSecret;
    match key.map(|k| k.expose_secret()) {
        // A very short "key" (a local server's placeholder) would mangle
        // ordinary words; real keys are far longer.
        Some(key) if key.len() >= 8 && text.contains(key) => text.replace(key, "<redacted>"),
        _ => text,
    }
}

/// Scrubs the key from what a stack error keeps of a body. spend-http
/// redacts the secret fields it knows of; an echoed API key is not one.
fn scrub_http(error: &mut spend_http::Error, key: Option<&SecretString>) {
    match error {
        spend_http::Error::Decode { body, .. } => *body = scrub(std::mem::take(body), key),
        spend_http::Error::RetriesExhausted { last, .. } => scrub_http(last, key),
        _ => {}
    }
}

/// The provider's error message, from the shapes they use:
/// `{"error": {"message": ...}}` (Anthropic, OpenAI, Gemini, DeepSeek) or `{"error": "..."}` (Ollama).
fn message(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let found = parsed.as_ref().and_then(|v| {
        v.pointer("/error/message")
            .or_else(|| v.get("error").filter(|e| e.is_string()))
            .or_else(|| v.get("message"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    found.unwrap_or_else(|| body.chars().take(300).collect())
}

fn code(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    parsed
        .as_ref()
        .and_then(|v| {
            v.pointer("/error/code")
                .or_else(|| v.pointer("/error/type"))
                .or_else(|| v.pointer("/error/status"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

pub(crate) fn classify(
    provider: ProviderKind,
    mut error: spend_http::Error,
    key: Option<&SecretString>,
) -> Error {
    let Some(api) = error.api() else {
        scrub_http(&mut error, key);
        return Error::Http {
            provider,
            source: error,
        };
    };
    let message = scrub(message(&api.body), key);
    let code = code(&api.body);
    match api.status.as_u16() {
        401 | 403 => Error::Auth {
            provider,
            message,
            hint: provider.auth_hint(),
        },
        // Google answers an invalid key with 400 INVALID_ARGUMENT.
        400 if message.contains("API key not valid") => Error::Auth {
            provider,
            message,
            hint: provider.auth_hint(),
        },
        402 => Error::Quota { provider, message },
        429 if code == "insufficient_quota" || code == "billing_hard_limit_reached" => {
            Error::Quota { provider, message }
        }
        429 | 503 | 529 => Error::RateLimited {
            provider,
            message,
            retry_after: api.retry_after,
        },
        status => Error::Api {
            provider,
            status,
            message,
        },
    }
}

pub(crate) fn invalid(provider: ProviderKind, detail: impl Into<String>) -> Error {
    Error::InvalidAnswer {
        provider,
        detail: detail.into(),
    }
}

/// Reads a token count that may be missing.
pub(crate) fn count(value: &Value, pointer: &str) -> u64 {
    value.pointer(pointer).and_then(Value::as_u64).unwrap_or(0)
}

/// Remembers that a provider's token count endpoint is missing (a proxy or
/// a compatible server without it), so it is not asked again on every
/// request near the budget's limit.
#[derive(Debug, Clone, Default)]
pub(crate) struct CountSupport(Arc<AtomicBool>);

impl CountSupport {
    /// Whether the endpoint said it is not there.
    pub fn missing(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// The count at `pointer` of a count endpoint's answer; `Ok(None)` (and
    /// remembered) when the endpoint does not exist or refuses the request.
    pub fn read(&self, answer: Result<Value>, pointer: &str) -> Result<Option<u64>> {
        match answer {
            Ok(answer) => Ok(answer.pointer(pointer).and_then(Value::as_u64)),
            Err(Error::Api {
                status: 400 | 404 | 405 | 501,
                ..
            }) => {
                self.0.store(true, Ordering::Relaxed);
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }
}
