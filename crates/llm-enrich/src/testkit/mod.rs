//! Simulators of the five providers' APIs (feature `testkit`).
//!
//! Each [`Simulator`] serves one provider's endpoint on a loopback port,
//! checks every request against that provider's documented shape (headers
//! such as `anthropic-version` and `x-api-key`, body fields such as
//! `response_format` or `generationConfig.responseSchema`) and answers 400
//! when it is wrong, so a client that drifts from the wire format fails its
//! tests. Answers are deterministic: transactions are categorised by
//! keyword and receipts read off the email text. [`Fault`]s inject what real
//! APIs do on bad days.
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
}

struct Sim {
    kind: ProviderKind,
    faults: Mutex<Vec<(Fault, u32)>>,
    requests: Mutex<Vec<Value>>,
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
        self.provider_with_key(Simulator::API_KEY)
    }

    /// A client of this simulator with `key` (a wrong key is refused).
    pub fn provider_with_key(&self, key: &str) -> Arc<dyn Provider> {
        let key = crate::SecretString::from(key.to_owned());
        let config = self.config();
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

    /// How many requests arrived.
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

fn reply(kind: ProviderKind, status: u16, message: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, axum::Json(shape::error(kind, status, message))).into_response()
}

async fn handle(
    State(sim): State<Arc<Sim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let kind = sim.kind;
    if method != Method::POST || !path_matches(kind, uri.path()) {
        return reply(kind, 404, &format!("no route for {method} {}", uri.path()));
    }
    let Ok(body): Result<Value, _> = serde_json::from_slice(&body) else {
        return reply(kind, 400, "the body is not JSON");
    };
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
            return reply(kind, 403, "Permission denied: the API key was revoked.");
        }
        Some(Fault::Unauthorized) => return reply(kind, 401, "invalid x-api-key"),
        Some(Fault::RateLimited { retry_after_secs }) => {
            let mut response = reply(kind, 429, "Rate limit reached for requests");
            response
                .headers_mut()
                .insert("retry-after", retry_after_secs.into());
            return response;
        }
        Some(Fault::Overloaded) if kind == ProviderKind::Anthropic => {
            return reply(kind, 529, "Overloaded");
        }
        Some(Fault::Overloaded) => {
            return reply(
                kind,
                503,
                "The model is overloaded. Please try again later.",
            );
        }
        Some(Fault::ServerError) => return reply(kind, 500, "internal error"),
        _ => {}
    }
    if kind != ProviderKind::Ollama
        && shape::key(kind, &headers).as_deref() != Some(Simulator::API_KEY)
    {
        return match kind {
            // Google answers a bad key with 400 INVALID_ARGUMENT.
            ProviderKind::Gemini => {
                reply(kind, 400, "API key not valid. Please pass a valid API key.")
            }
            _ => reply(kind, 401, "invalid x-api-key"),
        };
    }
    let (_system, user, schema) = match shape::check(kind, &headers, &body) {
        Ok(parts) => parts,
        Err(shape::ShapeError(problem)) => return reply(kind, 400, &problem),
    };
    let mut answer = if schema.pointer("/properties/results").is_some() {
        model::enrich(&user)
    } else if schema.pointer("/properties/line_items").is_some() {
        model::extract(&user)
    } else {
        return reply(kind, 400, "the simulator does not know this schema");
    };
    let input_tokens = (user.len() as u64).div_ceil(4);
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
    axum::Json(shape::success(
        kind,
        &model_name,
        &text,
        input_tokens,
        truncated,
    ))
    .into_response()
}
