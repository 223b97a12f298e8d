//! Anthropic Messages API, with the schema as a forced tool so the answer is
//! the tool's input (always JSON of that shape).

use futures_util::future::BoxFuture;
use secrecy::SecretString;
use serde_json::{Value, json};
use spend_http::HttpClient;

use super::http::{self, Config, CountSupport, Settings};
use super::{Completion, CompletionRequest, Limits, Provider, ProviderKind, Usage};
use crate::Result;

/// The API version header value this client speaks.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// A client of Anthropic's Messages API (`POST /v1/messages`).
///
/// ```no_run
/// use llm_enrich::{Anthropic, Config};
/// let claude = Anthropic::new("sk-ant-...".to_string().into(), Config::new())?;
/// # Ok::<(), llm_enrich::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Anthropic {
    http: HttpClient,
    settings: Settings,
    /// Kept to scrub it from error messages that echo it.
    key: SecretString,
    counting: CountSupport,
}

impl Anthropic {
    /// The default model: fast and cheap enough for categorising thousands of transactions.
    pub const DEFAULT_MODEL: &'static str = "claude-haiku-4-5";
    /// The default base URL.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.anthropic.com";

    /// A client with `api_key` (sent as `x-api-key`).
    pub fn new(api_key: SecretString, config: Config) -> Result<Self> {
        let settings = Settings::resolve(config, Self::DEFAULT_BASE_URL, Self::DEFAULT_MODEL, 8192);
        let http = http::client(&settings, Some((&api_key, http::header("x-api-key")))).map_err(
            |source| crate::Error::Http {
                provider: ProviderKind::Anthropic,
                source,
            },
        )?;
        Ok(Anthropic {
            http,
            settings,
            key: api_key,
            counting: CountSupport::default(),
        })
    }

    /// A client with the key in `ANTHROPIC_API_KEY`; `None` when it is not set.
    pub fn from_env(config: Config) -> Option<Result<Self>> {
        let key = std::env::var("ANTHROPIC_API_KEY").ok()?;
        Some(Anthropic::new(key.into(), config))
    }

    fn body(&self, request: &CompletionRequest) -> Value {
        json!({
            "model": self.settings.model,
            "max_tokens": request.max_output_tokens.min(self.settings.max_output_tokens),
            "system": request.system,
            "messages": [{"role": "user", "content": request.user}],
            "tools": [{
                "name": request.schema_name,
                "description": "Record the answer in this exact structure.",
                "input_schema": request.schema,
            }],
            "tool_choice": {"type": "tool", "name": request.schema_name},
        })
    }
}

impl Provider for Anthropic {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Anthropic
    }

    fn model(&self) -> &str {
        &self.settings.model
    }

    fn limits(&self) -> Limits {
        Limits {
            max_output_tokens: self.settings.max_output_tokens,
            max_input_tokens: 150_000,
        }
    }

    fn complete<'a>(&'a self, request: &'a CompletionRequest) -> BoxFuture<'a, Result<Completion>> {
        Box::pin(async move {
            let kind = ProviderKind::Anthropic;
            let url = self.settings.url("v1/messages");
            let headers = [("anthropic-version", ANTHROPIC_VERSION)];
            let answer = http::post(
                kind,
                &self.http,
                Some(&self.key),
                &url,
                "messages",
                &headers,
                &self.body(request),
            )
            .await?;
            let tool = answer["content"]
                .as_array()
                .and_then(|blocks| blocks.iter().find(|b| b["type"] == "tool_use"))
                .ok_or_else(|| http::invalid(kind, "no tool_use block in the answer"))?;
            Ok(Completion {
                content: tool["input"].to_string(),
                usage: Usage {
                    input_tokens: http::count(&answer, "/usage/input_tokens"),
                    output_tokens: http::count(&answer, "/usage/output_tokens"),
                },
                truncated: answer["stop_reason"] == "max_tokens",
                model: answer["model"]
                    .as_str()
                    .unwrap_or(&self.settings.model)
                    .to_owned(),
            })
        })
    }

    /// `POST /v1/messages/count_tokens` with the request's model, system
    /// prompt, message and tool (the tool's schema and the forced tool use
    /// add tokens of their own, which the count includes).
    fn count_tokens<'a>(
        &'a self,
        request: &'a CompletionRequest,
    ) -> BoxFuture<'a, Result<Option<u64>>> {
        Box::pin(async move {
            if self.counting.missing() {
                return Ok(None);
            }
            let mut body = self.body(request);
            // The count endpoint takes the message's input only.
            if let Some(fields) = body.as_object_mut() {
                fields.remove("max_tokens");
            }
            let answer = http::post(
                ProviderKind::Anthropic,
                &self.http,
                Some(&self.key),
                &self.settings.url("v1/messages/count_tokens"),
                "messages.count_tokens",
                &[("anthropic-version", ANTHROPIC_VERSION)],
                &body,
            )
            .await;
            self.counting.read(answer, "/input_tokens")
        })
    }
}
