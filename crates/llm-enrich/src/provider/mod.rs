//! One structured completion, five providers.

mod anthropic;
mod gemini;
mod http;
mod ollama;
mod openai;

pub use anthropic::Anthropic;
pub use gemini::Gemini;
pub use gemini::gemini_schema;
pub use http::Config;
pub use ollama::Ollama;
pub use openai::{DeepSeek, OpenAi};

use std::fmt;

use futures_util::future::BoxFuture;
use serde_json::Value;

use crate::Result;

/// Which provider a client talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    /// Anthropic Messages API.
    Anthropic,
    /// OpenAI Chat Completions (and OpenAI-compatible servers).
    OpenAi,
    /// Google Gemini `generateContent`.
    Gemini,
    /// DeepSeek (OpenAI-compatible, JSON mode).
    DeepSeek,
    /// Ollama `/api/chat`.
    Ollama,
}

impl ProviderKind {
    /// The provider's name, lower case.
    pub fn as_str(&self) -> &'static str {
        match self {
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::OpenAi => "openai",
            ProviderKind::Gemini => "gemini",
            ProviderKind::DeepSeek => "deepseek",
            ProviderKind::Ollama => "ollama",
        }
    }

    /// What to check when the provider refuses the key.
    pub(crate) fn auth_hint(&self) -> &'static str {
        match self {
            ProviderKind::Anthropic => {
                "check ANTHROPIC_API_KEY (console.anthropic.com, Settings > API keys)"
            }
            ProviderKind::OpenAi => {
                "check OPENAI_API_KEY and, for a project key, that the project may use this model"
            }
            ProviderKind::Gemini => {
                "check GEMINI_API_KEY (aistudio.google.com) and that the Generative Language API is enabled"
            }
            ProviderKind::DeepSeek => "check DEEPSEEK_API_KEY (platform.deepseek.com)",
            ProviderKind::Ollama => {
                "Ollama takes no key; check the base URL points at your Ollama server"
            }
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One structured completion: instructions, content, and the JSON schema the answer must follow.
#[derive(Debug, Clone)]
pub struct CompletionRequest {
    /// The system prompt.
    pub system: String,
    /// The user message.
    pub user: String,
    /// The answer's JSON schema (strict-mode shaped: every property required,
    /// no additional properties; nullable values as `["type", "null"]`).
    pub schema: Value,
    /// A name for the schema (`[a-zA-Z0-9_-]`, used as the tool or format name).
    pub schema_name: String,
    /// The most output tokens to allow.
    pub max_output_tokens: u32,
}

/// Token counts as the provider reported them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Generated tokens, thinking included: every provider bills a thinking
    /// model's reasoning as output (Gemini reports it apart, as
    /// `thoughtsTokenCount`, and it is added here).
    pub output_tokens: u64,
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, other: Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
    }
}

/// A provider's answer.
#[derive(Debug, Clone)]
pub struct Completion {
    /// The answer's JSON text (not yet validated).
    pub content: String,
    /// Tokens used.
    pub usage: Usage,
    /// The answer stopped at the output limit and is likely cut short.
    pub truncated: bool,
    /// The model that answered.
    pub model: String,
}

/// How much a provider can take in one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most output tokens one answer may have.
    pub max_output_tokens: u32,
    /// The most input tokens one request should carry.
    pub max_input_tokens: u32,
}

/// A client of one LLM provider that can produce a structured completion.
///
/// Implemented by [`Anthropic`], [`OpenAi`], [`Gemini`], [`DeepSeek`] and
/// [`Ollama`]; implement it yourself to plug in another.
pub trait Provider: Send + Sync {
    /// Which provider this is.
    fn kind(&self) -> ProviderKind;
    /// The model requests go to.
    fn model(&self) -> &str;
    /// What one request can carry.
    fn limits(&self) -> Limits;
    /// Sends one structured completion.
    fn complete<'a>(&'a self, request: &'a CompletionRequest) -> BoxFuture<'a, Result<Completion>>;

    /// The input tokens `request` would be billed for, counted by the
    /// provider's own tokenizer, where it has an endpoint for that
    /// (Anthropic's `count_tokens`, Gemini's `countTokens`; both free).
    /// `Ok(None)` when it has none, and by default: budget checks then hold
    /// the most the text's length allows ([`max_input_tokens`]). Budget
    /// checks ask for a count only when a request comes near the limit.
    ///
    /// [`max_input_tokens`]: crate::cost::max_input_tokens
    fn count_tokens<'a>(
        &'a self,
        request: &'a CompletionRequest,
    ) -> BoxFuture<'a, Result<Option<u64>>> {
        let _ = request;
        Box::pin(async { Ok(None) })
    }
}
