//! Simulators of the five providers' APIs (feature `testkit`).
//!
//! Each [`Simulator`] serves one provider's endpoint on a loopback port,
//! checks every request against that provider's documented shape (headers
//! such as `anthropic-version` and `x-api-key`, body fields such as
//! `response_format` or `generationConfig.responseSchema`) and answers 400
//! when it is wrong, so a client that drifts from the wire format fails its
//! tests. Answers are deterministic: transactions are categorised by
//! keyword and receipts read off the email text. [`Fault`]s inject what real
//! APIs do on bad days. Anthropic's and Gemini's simulators also serve
//! their token count endpoints; every simulator reports usage from one
//! simulated tokenizer ([`Simulator::set_input_token_ratio`] makes it run
//! above the crate's estimate) and can report thinking tokens.
//!
//! ```
//! # #[tokio::main] async fn main() {
//! use llm_enrich::testkit::{Fault, Simulator};
//! use llm_enrich::ProviderKind;
//!
//! let sim = Simulator::start(ProviderKind::Anthropic).await;
//! sim.inject(Fault::Overloaded, 1); // the next request gets 529, the client retries
//! # }
//! ```

mod model;
mod shape;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use spend_http::RetryPolicy;
use spend_http::testkit::LoopbackServer;

use crate::{Anthropic, Config, DeepSeek, Gemini, Ollama, OpenAi, Provider, ProviderKind};

/// Something to go wrong on the next requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After` in seconds.
    RateLimited {
        /// The `Retry-After` value.
        retry_after_secs: u64,
    },
    /// Overloaded: 529 from Anthropic, 503 from the others.
    Overloaded,
    /// 500.
    ServerError,
    /// A success whose answer is not JSON of the schema.
    MalformedJson,
    /// A success whose answer leaves out the last `n` ids.
    MissingIds(usize),
    /// 401 (Gemini: 403), as for a revoked key.
    Unauthorized,
    /// A success cut short at the output limit.
    Truncated,
    /// 400 with the provider's error body, as for a request it rejects.
    BadRequest,
    /// 200 with a body that is not JSON (an HTML page, as a proxy in the way sends).
    Undecodable,
    /// The answer comes only after this long (past a client's timeout).
    Stall(Duration),
}

/// How the simulated model reports what it used and how it answers errors.
#[derive(Debug, Clone, Copy)]
struct Behaviour {
    /// Input tokens reported, in thousandths of the four-characters-a-token count.
    input_permille: u64,
    /// Thinking tokens each answer reports.
    thinking_tokens: u64,
    /// Error answers quote the key the request carried.
    echo_key: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            input_permille: 1_000,
            thinking_tokens: 0,
            echo_key: false,
        }
    }
}

struct Sim {
    kind: ProviderKind,
    faults: Mutex<Vec<(Fault, u32)>>,
    requests: Mutex<Vec<Value>>,
    counts: AtomicUsize,
    uris: Mutex<Vec<String>>,
    behaviour: Mutex<Behaviour>,
    accepted_key: Mutex<String>,
}

impl Sim {
    fn behaviour(&self) -> Behaviour {
        *self.behaviour.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn accepted_key(&self) -> String {
        self.accepted_key
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// A running simulator of one provider. It stops when dropped.
pub struct Simulator {
    kind: ProviderKind,
    sim: Arc<Sim>,
    server: LoopbackServer,
}

impl Simulator {
    /// The API key the simulators accept.
    pub const API_KEY: &'static str = "sim-key-7f3a9c";

    /// Starts a simulator of `kind`.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start(kind: ProviderKind) -> Simulator {
        let sim = Arc::new(Sim {
            kind,
            faults: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            counts: AtomicUsize::new(0),
            uris: Mutex::new(Vec::new()),
            behaviour: Mutex::new(Behaviour::default()),
            accepted_key: Mutex::new(Simulator::API_KEY.to_owned()),
        });
        let app = Router::new().fallback(handle).with_state(Arc::clone(&sim));
        Simulator {
            kind,
            sim,
            server: LoopbackServer::start(app).await,
        }
    }

    /// The base URL to configure a client with.
    pub fn base_url(&self) -> String {
        match self.kind {
            ProviderKind::OpenAi => format!("{}/v1", self.server.url()),
            _ => self.server.url(),
        }
    }

    /// A client configuration pointing at this simulator, with quick retries.
    pub fn config(&self) -> Config {
        Config::new().base_url(self.base_url()).retry(
            RetryPolicy::default()
                .delays(Duration::from_millis(5), Duration::from_millis(50))
                .max_attempts(4),
        )
    }

    /// A client of this simulator with the accepted key.
    pub fn provider(&self) -> Arc<dyn Provider> {
        self.provider_with_key(&self.sim.accepted_key())
    }

    /// Accepts `key` from now on instead of [`API_KEY`](Self::API_KEY) (a
    /// distinctive secret, to look for it where it must not be).
    pub fn accept_key(&self, key: &str) {
        *self
            .sim
            .accepted_key
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = key.to_owned();
    }

    /// A client of this simulator with `key` (a wrong key is refused).
    pub fn provider_with_key(&self, key: &str) -> Arc<dyn Provider> {
        self.provider_with(key, self.config())
    }

    /// A client of this simulator with `key` and `config` (a model name, a
    /// timeout, a retry policy of your own); the base URL is set to this
    /// simulator's.
    pub fn provider_with(&self, key: &str, config: Config) -> Arc<dyn Provider> {
        let key = crate::SecretString::from(key.to_owned());
        let config = config.base_url(self.base_url());
        let built: crate::Result<Arc<dyn Provider>> = match self.kind {
            ProviderKind::Anthropic => Anthropic::new(key, config).map(|p| Arc::new(p) as _),
            ProviderKind::OpenAi => OpenAi::new(key, config).map(|p| Arc::new(p) as _),
            ProviderKind::Gemini => Gemini::new(key, config).map(|p| Arc::new(p) as _),
            ProviderKind::DeepSeek => DeepSeek::new(key, config).map(|p| Arc::new(p) as _),
            ProviderKind::Ollama => Ollama::new(config).map(|p| Arc::new(p) as _),
        };
        built.expect("a client of a loopback simulator builds")
    }

    /// Makes the next `times` requests meet `fault`.
    pub fn inject(&self, fault: Fault, times: u32) {
        self.sim
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((fault, times));
    }

    /// Makes the simulated tokenizer report `ratio` times the input tokens
    /// that four characters a token gives, in answers' usage and from the
    /// count endpoints alike: a tokenizer that splits finer than the
    /// crate's estimate assumes (digits, ids, other scripts). Default 1.
    pub fn set_input_token_ratio(&self, ratio: f64) {
        self.sim
            .behaviour
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .input_permille = (ratio.max(0.0) * 1_000.0).round() as u64;
    }

    /// Makes every answer report up to `tokens` thinking tokens, as thinking
    /// models do: Gemini apart (`usageMetadata.thoughtsTokenCount`), the
    /// others within their output count. Like Gemini, the simulator counts
    /// thinking against the request's output limit, so thinking and answer
    /// together stay within it.
    pub fn set_thinking_tokens(&self, tokens: u64) {
        self.sim
            .behaviour
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .thinking_tokens = tokens;
    }

    /// Makes error answers (and the page of [`Fault::Undecodable`]) quote
    /// the API key the request carried, as some gateways and debugging
    /// proxies do, to check that no error of this crate passes it on.
    pub fn echo_key_in_errors(&self, echo: bool) {
        self.sim
            .behaviour
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .echo_key = echo;
    }

    /// How many token count requests arrived (not included in [`requests`](Self::requests)).
    pub fn count_requests(&self) -> usize {
        self.sim.counts.load(Ordering::Relaxed)
    }

    /// The path and query of every request that arrived, in order (counts
    /// and requests refused included), to check what URLs carried.
    pub fn uris(&self) -> Vec<String> {
        self.sim
            .uris
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// How many completion requests arrived.
    pub fn requests(&self) -> usize {
        self.sim
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// The body of the last request.
    pub fn last_request(&self) -> Option<Value> {
        self.sim
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .last()
            .cloned()
    }
}

fn path_matches(kind: ProviderKind, path: &str) -> bool {
    match kind {
        ProviderKind::Anthropic => path == "/v1/messages",
        ProviderKind::OpenAi => path == "/v1/chat/completions",
        ProviderKind::DeepSeek => path == "/chat/completions",
        ProviderKind::Gemini => {
            path.starts_with("/v1beta/models/") && path.ends_with(":generateContent")
        }
        ProviderKind::Ollama => path == "/api/chat",
    }
}

/// Whether `path` is the provider's token count endpoint.
fn count_path_matches(kind: ProviderKind, path: &str) -> bool {
    match kind {
        ProviderKind::Anthropic => path == "/v1/messages/count_tokens",
        ProviderKind::Gemini => {
            path.starts_with("/v1beta/models/") && path.ends_with(":countTokens")
        }
        _ => false,
    }
}

fn reply(kind: ProviderKind, status: u16, message: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, axum::Json(shape::error(kind, status, message))).into_response()
}

/// The simulated tokenizer: four characters a token per part (as the
/// crate's estimate counts), scaled by the behaviour's ratio.
fn input_tokens(
    kind: ProviderKind,
    system: &str,
    user: &str,
    schema: &Value,
    permille: u64,
) -> u64 {
    let tokens = |text: &str| (text.len() as u64).div_ceil(4);
    // DeepSeek's schema is already in its system prompt.
    let schema = match kind {
        ProviderKind::DeepSeek => 0,
        _ => tokens(&schema.to_string()),
    };
    (tokens(system) + tokens(user) + schema)
        .saturating_mul(permille)
        .div_ceil(1_000)
}

async fn handle(
    State(sim): State<Arc<Sim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let kind = sim.kind;
    sim.uris.lock().unwrap_or_else(|e| e.into_inner()).push(
        uri.path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
    );
    let behaviour = sim.behaviour();
    // What a gateway that echoes the request's credentials would add.
    let echo = match (behaviour.echo_key, shape::key(kind, &headers)) {
        (true, Some(key)) => format!(" (request carried key {key})"),
        _ => String::new(),
    };
    let fail = |status: u16, message: &str| reply(kind, status, &format!("{message}{echo}"));
    let counting = count_path_matches(kind, uri.path());
    if method != Method::POST || !(counting || path_matches(kind, uri.path())) {
        return fail(404, &format!("no route for {method} {}", uri.path()));
    }
    let Ok(body): Result<Value, _> = serde_json::from_slice(&body) else {
        return fail(400, "the body is not JSON");
    };
    let key_accepted =
        kind == ProviderKind::Ollama || shape::key(kind, &headers) == Some(sim.accepted_key());
    let key_refused = || match kind {
        // Google answers a bad key with 400 INVALID_ARGUMENT.
        ProviderKind::Gemini => fail(400, "API key not valid. Please pass a valid API key."),
        _ => fail(401, "invalid x-api-key"),
    };
    // Counts take no faults: those are for the completions a test counts.
    if counting {
        if !key_accepted {
            return key_refused();
        }
        sim.counts.fetch_add(1, Ordering::Relaxed);
        let (system, user, schema) = match shape::check_count(kind, &headers, uri.path(), &body) {
            Ok(parts) => parts,
            Err(shape::ShapeError(problem)) => return fail(400, &problem),
        };
        let tokens = input_tokens(kind, &system, &user, &schema, behaviour.input_permille);
        return axum::Json(shape::counted(kind, tokens)).into_response();
    }
    sim.requests
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(body.clone());

    let fault = {
        let mut faults = sim.faults.lock().unwrap_or_else(|e| e.into_inner());
        let next = faults.iter_mut().find(|(_, left)| *left > 0);
        next.map(|(fault, left)| {
            *left -= 1;
            fault.clone()
        })
    };
    match fault {
        Some(Fault::Unauthorized) if kind == ProviderKind::Gemini => {
            return fail(403, "Permission denied: the API key was revoked.");
        }
        Some(Fault::Unauthorized) => return fail(401, "invalid x-api-key"),
        Some(Fault::RateLimited { retry_after_secs }) => {
            let mut response = fail(429, "Rate limit reached for requests");
            response
                .headers_mut()
                .insert("retry-after", retry_after_secs.into());
            return response;
        }
        Some(Fault::Overloaded) if kind == ProviderKind::Anthropic => {
            return fail(529, "Overloaded");
        }
        Some(Fault::Overloaded) => {
            return fail(503, "The model is overloaded. Please try again later.");
        }
        Some(Fault::ServerError) => return fail(500, "internal error"),
        Some(Fault::BadRequest) => {
            return fail(400, "Invalid request: the simulator was told to refuse it");
        }
        Some(Fault::Undecodable) => {
            let page = format!(
                "<html><body><h1>502 Bad Gateway</h1><p>upstream closed{echo}</p></body></html>"
            );
            return (StatusCode::OK, [("content-type", "text/html")], page).into_response();
        }
        Some(Fault::Stall(delay)) => tokio::time::sleep(delay).await,
        _ => {}
    }
    if !key_accepted {
        return key_refused();
    }
    let (system, user, schema) = match shape::check(kind, &headers, &body) {
        Ok(parts) => parts,
        Err(shape::ShapeError(problem)) => return fail(400, &problem),
    };
    let mut answer = if schema.pointer("/properties/results").is_some() {
        model::enrich(&user)
    } else if schema.pointer("/properties/line_items").is_some() {
        model::extract(&user)
    } else {
        return fail(400, "the simulator does not know this schema");
    };
    let prompt_tokens = input_tokens(kind, &system, &user, &schema, behaviour.input_permille);
    let model_name = body["model"]
        .as_str()
        .unwrap_or("simulated-model")
        .to_owned();
    let mut truncated = false;
    let text = match fault {
        Some(Fault::MalformedJson) => r#"{"results": [{"id": "#.to_owned(),
        Some(Fault::MissingIds(n)) => {
            if let Some(results) = answer["results"].as_array_mut() {
                let keep = results.len().saturating_sub(n);
                results.truncate(keep);
            }
            answer.to_string()
        }
        Some(Fault::Truncated) => {
            truncated = true;
            let full = answer.to_string();
            full[..full.len() / 2].to_owned()
        }
        _ => answer.to_string(),
    };
    // Thinking shares the output limit with the answer.
    let answer_tokens = (text.len() as u64).div_ceil(4);
    let thinking = behaviour
        .thinking_tokens
        .min(shape::max_output_tokens(kind, &body).saturating_sub(answer_tokens));
    axum::Json(shape::success(
        kind,
        &model_name,
        &text,
        prompt_tokens,
        thinking,
        truncated,
    ))
    .into_response()
}
