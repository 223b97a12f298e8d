//! Ollama `/api/chat` with `format` set to the JSON schema (structured outputs).

use futures_util::future::BoxFuture;
use serde_json::json;
use spend_http::HttpClient;

use super::http::{self, Config, Settings};
use super::{Completion, CompletionRequest, Limits, Provider, ProviderKind, Usage};
use crate::{Error, Result};

/// A client of a local or remote Ollama server (no key).
///
/// ```no_run
/// use llm_enrich::{Config, Ollama};
/// let local = Ollama::new(Config::new().model("qwen3:8b"))?;
/// # Ok::<(), llm_enrich::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ollama {
    http: HttpClient,
    settings: Settings,
}

impl Ollama {
    /// The default model.
    pub const DEFAULT_MODEL: &'static str = "llama3.1:8b";
    /// The default base URL.
    pub const DEFAULT_BASE_URL: &'static str = "http://localhost:11434";

    /// A client of the server at the configured base URL (`OLLAMA_HOST` is not read; pass it).
    pub fn new(config: Config) -> Result<Self> {
        let settings = Settings::resolve(config, Self::DEFAULT_BASE_URL, Self::DEFAULT_MODEL, 4096);
        let http = http::client(&settings, None).map_err(|source| Error::Http {
            provider: ProviderKind::Ollama,
            source,
        })?;
        Ok(Ollama { http, settings })
    }
}

impl Provider for Ollama {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Ollama
    }

    fn model(&self) -> &str {
        &self.settings.model
    }

    fn limits(&self) -> Limits {
        // Local models usually run with a small context window.
        Limits {
            max_output_tokens: self.settings.max_output_tokens,
            max_input_tokens: 6_000,
        }
    }

    fn complete<'a>(&'a self, request: &'a CompletionRequest) -> BoxFuture<'a, Result<Completion>> {
        Box::pin(async move {
            let kind = ProviderKind::Ollama;
            let body = json!({
                "model": self.settings.model,
                "messages": [
                    {"role": "system", "content": request.system},
                    {"role": "user", "content": request.user},
                ],
                "stream": false,
                "format": request.schema,
                "options": {"num_predict": request.max_output_tokens.min(self.settings.max_output_tokens), "temperature": 0},
            });
            let answer = http::post(
                kind,
                &self.http,
                None,
                &self.settings.url("api/chat"),
                "chat",
                &[],
                &body,
            )
            .await?;
            let content = answer["message"]["content"]
                .as_str()
                .ok_or_else(|| http::invalid(kind, "no message content in the answer"))?;
            Ok(Completion {
                content: content.to_owned(),
                usage: Usage {
                    input_tokens: http::count(&answer, "/prompt_eval_count"),
                    output_tokens: http::count(&answer, "/eval_count"),
                },
                truncated: answer["done_reason"] == "length",
                model: answer["model"]
                    .as_str()
                    .unwrap_or(&self.settings.model)
                    .to_owned(),
            })
        })
    }
}
