//! OpenAI Chat Completions with `response_format: json_schema` (strict), and
//! DeepSeek, which speaks the same API with JSON mode (`json_object`).

use futures_util::future::BoxFuture;
use secrecy::SecretString;
use serde_json::{Value, json};
use spend_http::{AuthScheme, HttpClient};

use super::http::{self, Config, Settings};
use super::{Completion, CompletionRequest, Limits, Provider, ProviderKind, Usage};
use crate::{Error, Result};

/// How the answer's shape is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonMode {
    /// `response_format: {type: json_schema, strict: true}`: the server enforces the schema.
    Schema,
    /// `response_format: {type: json_object}`: valid JSON only; the schema goes in the prompt.
    Object,
}

#[derive(Debug, Clone)]
struct ChatCompletions {
    kind: ProviderKind,
    http: HttpClient,
    settings: Settings,
    mode: JsonMode,
    /// Kept to scrub it from error messages that echo it.
    key: Option<SecretString>,
}

impl ChatCompletions {
    fn new(
        kind: ProviderKind,
        key: Option<SecretString>,
        settings: Settings,
        mode: JsonMode,
    ) -> Result<Self> {
        let http = http::client(&settings, key.as_ref().map(|k| (k, AuthScheme::Bearer))).map_err(
            |source| Error::Http {
                provider: kind,
                source,
            },
        )?;
        Ok(ChatCompletions {
            kind,
            http,
            settings,
            mode,
            key,
        })
    }

    fn body(&self, request: &CompletionRequest) -> Value {
        let max = request
            .max_output_tokens
            .min(self.settings.max_output_tokens);
        match self.mode {
            JsonMode::Schema => json!({
                "model": self.settings.model,
                "messages": [
                    {"role": "system", "content": request.system},
                    {"role": "user", "content": request.user},
                ],
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": request.schema_name, "schema": request.schema, "strict": true},
                },
                "max_completion_tokens": max,
            }),
            JsonMode::Object => json!({
                "model": self.settings.model,
                "messages": [
                    {"role": "system", "content": format!(
                        "{}\n\nAnswer with a single JSON object that follows this JSON schema:\n{}",
                        request.system, request.schema
                    )},
                    {"role": "user", "content": request.user},
                ],
                "response_format": {"type": "json_object"},
                "max_tokens": max,
            }),
        }
    }

    async fn complete(&self, request: &CompletionRequest) -> Result<Completion> {
        let url = self.settings.url("chat/completions");
        let answer = http::post(
            self.kind,
            &self.http,
            self.key.as_ref(),
            &url,
            "chat.completions",
            &[],
            &self.body(request),
        )
        .await?;
        let choice = &answer["choices"][0];
        if let Some(refusal) = choice["message"]["refusal"].as_str() {
            return Err(Error::Refused {
                provider: self.kind,
                reason: refusal.to_owned(),
            });
        }
        let content = choice["message"]["content"]
            .as_str()
            .ok_or_else(|| http::invalid(self.kind, "no message content in the answer"))?;
        Ok(Completion {
            content: content.to_owned(),
            usage: Usage {
                input_tokens: http::count(&answer, "/usage/prompt_tokens"),
                output_tokens: http::count(&answer, "/usage/completion_tokens"),
            },
            truncated: choice["finish_reason"] == "length",
            model: answer["model"]
                .as_str()
                .unwrap_or(&self.settings.model)
                .to_owned(),
        })
    }
}

/// A client of OpenAI's Chat Completions API, or of any OpenAI-compatible
/// server (vLLM, LM Studio, Azure-style proxies) through [`Config::base_url`].
///
/// ```no_run
/// use llm_enrich::{Config, OpenAi};
/// let gpt = OpenAi::new("sk-...".to_string().into(), Config::new())?;
/// let local = OpenAi::new("unused".to_string().into(), Config::new().base_url("http://localhost:8000/v1").model("qwen2.5-7b"))?;
/// # Ok::<(), llm_enrich::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct OpenAi(ChatCompletions);

impl OpenAi {
    /// The default model.
    pub const DEFAULT_MODEL: &'static str = "gpt-5-mini";
    /// The default base URL (ends in `/v1`; paths are relative to it).
    pub const DEFAULT_BASE_URL: &'static str = "https://api.openai.com/v1";

    /// A client with `api_key` (sent as `Authorization: Bearer`).
    pub fn new(api_key: SecretString, config: Config) -> Result<Self> {
        let settings =
            Settings::resolve(config, Self::DEFAULT_BASE_URL, Self::DEFAULT_MODEL, 16_384);
        ChatCompletions::new(
            ProviderKind::OpenAi,
            Some(api_key),
            settings,
            JsonMode::Schema,
        )
        .map(OpenAi)
    }

    /// A client with the key in `OPENAI_API_KEY`; `None` when it is not set.
    pub fn from_env(config: Config) -> Option<Result<Self>> {
        let key = std::env::var("OPENAI_API_KEY").ok()?;
        Some(OpenAi::new(key.into(), config))
    }
}

impl Provider for OpenAi {
    fn kind(&self) -> ProviderKind {
        ProviderKind::OpenAi
    }

    fn model(&self) -> &str {
        &self.0.settings.model
    }

    fn limits(&self) -> Limits {
        Limits {
            max_output_tokens: self.0.settings.max_output_tokens,
            max_input_tokens: 100_000,
        }
    }

    fn complete<'a>(&'a self, request: &'a CompletionRequest) -> BoxFuture<'a, Result<Completion>> {
        Box::pin(self.0.complete(request))
    }
}

/// A client of DeepSeek's API (OpenAI-compatible; JSON mode, schema in the prompt).
///
/// ```no_run
/// use llm_enrich::{Config, DeepSeek};
/// let deepseek = DeepSeek::new("sk-...".to_string().into(), Config::new())?;
/// # Ok::<(), llm_enrich::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DeepSeek(ChatCompletions);

impl DeepSeek {
    /// The default model.
    pub const DEFAULT_MODEL: &'static str = "deepseek-chat";
    /// The default base URL.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.deepseek.com";

    /// A client with `api_key` (sent as `Authorization: Bearer`).
    pub fn new(api_key: SecretString, config: Config) -> Result<Self> {
        let settings = Settings::resolve(config, Self::DEFAULT_BASE_URL, Self::DEFAULT_MODEL, 8192);
        ChatCompletions::new(
            ProviderKind::DeepSeek,
            Some(api_key),
            settings,
            JsonMode::Object,
        )
        .map(DeepSeek)
    }

    /// A client with the key in `DEEPSEEK_API_KEY`; `None` when it is not set.
    pub fn from_env(config: Config) -> Option<Result<Self>> {
        let key = std::env::var("DEEPSEEK_API_KEY").ok()?;
        Some(DeepSeek::new(key.into(), config))
    }
}

impl Provider for DeepSeek {
    fn kind(&self) -> ProviderKind {
        ProviderKind::DeepSeek
    }

    fn model(&self) -> &str {
        &self.0.settings.model
    }

    fn limits(&self) -> Limits {
        Limits {
            max_output_tokens: self.0.settings.max_output_tokens,
            max_input_tokens: 60_000,
        }
    }

    fn complete<'a>(&'a self, request: &'a CompletionRequest) -> BoxFuture<'a, Result<Completion>> {
        Box::pin(self.0.complete(request))
    }
}
